import keras
import numpy as np
import pytest

from keras_gans.layers import FadeIn
from tests.layers._roundtrip import assert_round_trips


def test_blend_weight_follows_the_level(tmp_path):
    old, new = np.zeros((2, 3), "float32"), np.ones((2, 3), "float32")
    layer = FadeIn(offset=1)
    layer.build([old.shape, new.shape])
    for level, t in ((0.0, 0.0), (1.0, 0.0), (1.25, 0.25), (2.0, 1.0), (3.5, 1.0)):
        layer.level.assign(level)
        out = keras.ops.convert_to_numpy(layer([old, new]))
        np.testing.assert_allclose(out, t)
    a, b = keras.Input((3,)), keras.Input((3,))
    model = keras.Model([a, b], FadeIn(0)([a, b]))
    model.layers[-1].level.assign(0.3)
    again = assert_round_trips(model, [old, new], tmp_path)
    assert float(again.layers[-1].level) == pytest.approx(0.3)   # the level is saved


def test_inputs_of_different_shapes_are_refused():
    with pytest.raises(ValueError, match="same shape"):
        FadeIn(0)([np.zeros((2, 3), "float32"), np.zeros((2, 4), "float32")])
