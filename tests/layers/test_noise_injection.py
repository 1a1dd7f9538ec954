import keras
import numpy as np
import pytest

from keras_gans.layers import ConstantInput, NoiseInjection
from tests.layers._roundtrip import assert_round_trips


def test_noise_is_scaled_per_channel_and_fixed_at_inference(tmp_path):
    layer = NoiseInjection()
    x = np.zeros((4, 6, 6, 3), "float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x, training=True)), 0.0)
    layer.strength.assign([0.0, 1.0, 2.0])                   # starts at zero: learned
    a = keras.ops.convert_to_numpy(layer(x, training=True))
    b = keras.ops.convert_to_numpy(layer(x, training=True))
    assert not np.allclose(a, b)                              # fresh noise every training call
    np.testing.assert_array_equal(a[..., 0], 0.0)
    np.testing.assert_allclose(a[..., 2], 2 * a[..., 1], rtol=1e-6)  # one noise image, scaled
    assert 0.7 < a[..., 1].std() < 1.3
    assert not np.allclose(a[0, ..., 1], a[1, ..., 1])        # each example its own noise
    c = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_array_equal(c, keras.ops.convert_to_numpy(layer(x)))  # const at inference
    np.testing.assert_array_equal(c[0], c[3])
    inputs = keras.Input((6, 6, 3))
    model = keras.Model(inputs, NoiseInjection()(inputs))
    model.layers[-1].strength.assign([1.0, 1.0, 1.0])
    assert_round_trips(model, x, tmp_path)


def test_constant_input_repeats_a_learned_tensor_and_refuses_flat_noise_inputs():
    layer = ConstantInput((4, 4, 8))
    out = keras.ops.convert_to_numpy(layer(np.zeros((3, 16), "float32")))
    assert out.shape == (3, 4, 4, 8)
    np.testing.assert_array_equal(out[0], out[2])
    assert len(layer.trainable_weights) == 1
    with pytest.raises(ValueError, match="height, width, channels"):
        NoiseInjection()(np.zeros((2, 3), "float32"))
