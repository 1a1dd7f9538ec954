import math

import keras
import numpy as np
import pytest

from keras_gans.layers import EqualizedConv2D, EqualizedDense
from tests.layers._roundtrip import assert_round_trips


def test_dense_effective_weight_std_is_the_he_constant():
    layer = EqualizedDense(256)
    layer.build((None, 400))
    stored = keras.ops.convert_to_numpy(layer.kernel)
    effective = keras.ops.convert_to_numpy(layer.effective_kernel)
    assert abs(stored.std() - 1.0) < 0.02                      # drawn N(0, 1)
    assert abs(effective.std() - math.sqrt(2 / 400)) < 0.02 * math.sqrt(2 / 400)
    x = np.random.default_rng(0).normal(size=(3, 400)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), x @ effective,
                               rtol=1e-4, atol=1e-4)


def test_lr_multiplier_keeps_the_effective_weights_and_bias():
    layer = EqualizedDense(128, lr_multiplier=0.01, bias_initializer="ones")
    layer.build((None, 200))
    assert abs(keras.ops.convert_to_numpy(layer.kernel).std() - 100.0) < 2.0  # N(0, 1/lr)
    effective = keras.ops.convert_to_numpy(layer.effective_kernel)
    assert abs(effective.std() - math.sqrt(2 / 200)) < 0.03 * math.sqrt(2 / 200)
    out = keras.ops.convert_to_numpy(layer(np.zeros((2, 200), "float32")))
    np.testing.assert_allclose(out, 1.0, rtol=1e-6)           # the bias starts at one


def test_conv_effective_std_and_output_variance():
    layer = EqualizedConv2D(64, 3, gain=1.0)
    x = np.random.default_rng(1).normal(size=(8, 12, 12, 32)).astype("float32")
    y = keras.ops.convert_to_numpy(layer(x))
    assert y.shape == (8, 12, 12, 64)
    effective = keras.ops.convert_to_numpy(layer.effective_kernel)
    assert abs(effective.std() - 1 / math.sqrt(9 * 32)) < 0.03 / math.sqrt(9 * 32)
    # gain 1 on unit-variance inputs gives unit-variance outputs (inside the borders).
    assert abs(y[:, 1:-1, 1:-1].var() - 1.0) < 0.1


def test_bad_arguments_and_round_trip(tmp_path):
    with pytest.raises(ValueError, match="lr_multiplier"):
        EqualizedDense(4, lr_multiplier=0)
    with pytest.raises(ValueError, match="height, width, channels"):
        EqualizedConv2D(4, 3)(np.zeros((2, 5), "float32"))
    inputs = keras.Input((6, 6, 3))
    x = EqualizedConv2D(4, 3, strides=2, activation="relu")(inputs)
    x = keras.layers.Flatten()(x)
    model = keras.Model(inputs, EqualizedDense(5, lr_multiplier=0.1)(x))
    assert model.output.shape == (None, 5)
    assert_round_trips(model, np.random.default_rng(2).normal(size=(2, 6, 6, 3)), tmp_path)
