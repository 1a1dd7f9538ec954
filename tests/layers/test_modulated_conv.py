import keras
import numpy as np
import pytest

from keras_gans.layers import ModulatedConv2D
from tests.layers._roundtrip import assert_round_trips


def test_demodulation_gives_unit_output_variance():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 10, 10, 24)).astype("float32")
    style = rng.uniform(0.1, 3.0, size=(16, 24)).astype("float32")   # wildly different scales
    layer = ModulatedConv2D(32, 3, padding="valid", use_bias=False)
    y = keras.ops.convert_to_numpy(layer([x, style]))
    assert y.shape == (16, 8, 8, 32)
    # Each (example, output channel) has unit expected variance: check the average over
    # pixels, per example, against 1.
    per_example = y.var(axis=(1, 2, 3))
    np.testing.assert_allclose(per_example, 1.0, atol=0.15)
    # Without demodulation the style's scale shows through.
    plain = ModulatedConv2D(32, 3, padding="valid", use_bias=False, demodulate=False)
    y_plain = keras.ops.convert_to_numpy(plain([x, style * 3.0]))
    assert y_plain.var() > 4.0


def test_equals_a_per_example_modulated_kernel(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 5, 3)).astype("float32")
    style = rng.uniform(0.5, 1.5, size=(2, 3)).astype("float32")
    layer = ModulatedConv2D(4, 3, use_bias=False)
    y = keras.ops.convert_to_numpy(layer([x, style]))
    kernel = keras.ops.convert_to_numpy(layer.kernel) * layer.scale
    for i in range(2):
        w = kernel * style[i][None, None, :, None]
        w = w / np.sqrt((w ** 2).sum(axis=(0, 1, 2), keepdims=True) + 1e-8)
        expected = keras.ops.convert_to_numpy(keras.ops.conv(x[i:i + 1], w, padding="same"))
        np.testing.assert_allclose(y[i:i + 1], expected, rtol=1e-4, atol=1e-5)
    xs, ss = keras.Input((5, 5, 3)), keras.Input((3,))
    assert_round_trips(keras.Model([xs, ss], ModulatedConv2D(4, 3)([xs, ss])), [x, style],
                       tmp_path)


def test_style_of_the_wrong_size_is_refused():
    with pytest.raises(ValueError, match="one scale per input channel"):
        ModulatedConv2D(4)([np.zeros((2, 4, 4, 3), "float32"), np.zeros((2, 4), "float32")])
