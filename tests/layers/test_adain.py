import keras
import numpy as np
import pytest

from keras_gans.layers import AdaIN
from tests.layers._roundtrip import assert_round_trips


def test_output_has_the_styles_mean_and_std(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, size=(3, 8, 8, 5)).astype("float32")
    scale = rng.uniform(0.5, 2.0, size=(3, 5)).astype("float32")
    bias = rng.normal(size=(3, 5)).astype("float32")
    y = keras.ops.convert_to_numpy(AdaIN()([x, scale, bias]))
    np.testing.assert_allclose(y.mean(axis=(1, 2)), bias, atol=1e-4)
    np.testing.assert_allclose(y.std(axis=(1, 2)), scale, rtol=1e-4)
    xs, ss, bs = keras.Input((8, 8, 5)), keras.Input((5,)), keras.Input((5,))
    model = keras.Model([xs, ss, bs], AdaIN()([xs, ss, bs]))
    assert_round_trips(model, [x, scale, bias], tmp_path)


def test_mismatched_style_is_refused():
    with pytest.raises(ValueError, match=r"scale must be \(batch, 5\)"):
        AdaIN()([np.zeros((2, 4, 4, 5), "float32"), np.zeros((2, 4), "float32"),
                 np.zeros((2, 5), "float32")])
