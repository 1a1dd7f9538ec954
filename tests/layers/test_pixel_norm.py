import keras
import numpy as np

from keras_gans.layers import PixelNorm
from tests.layers._roundtrip import assert_round_trips


def test_every_pixel_has_unit_rms_over_channels(tmp_path):
    x = np.random.default_rng(0).normal(3.0, 5.0, size=(4, 5, 5, 16)).astype("float32")
    y = keras.ops.convert_to_numpy(PixelNorm()(x))
    np.testing.assert_allclose(np.sqrt((y ** 2).mean(axis=-1)), 1.0, rtol=1e-5)
    # Direction is kept: the output is a positive multiple of the input.
    np.testing.assert_allclose(y / np.linalg.norm(y, axis=-1, keepdims=True),
                               x / np.linalg.norm(x, axis=-1, keepdims=True), rtol=1e-4, atol=1e-6)
    flat = keras.ops.convert_to_numpy(PixelNorm()(x[:, 0, 0]))
    np.testing.assert_allclose(np.sqrt((flat ** 2).mean(axis=-1)), 1.0, rtol=1e-5)
    inputs = keras.Input((16,))
    assert_round_trips(keras.Model(inputs, PixelNorm(epsilon=1e-6)(inputs)), x[:, 0, 0], tmp_path)
