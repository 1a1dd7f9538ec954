import keras
import numpy as np
import pytest

from keras_gans.layers import ImagePool, ReplicaDropout, ReplicaGaussianNoise
from tests.layers._roundtrip import assert_round_trips


def test_dropout_keeps_and_scales_in_training_and_is_identity_at_inference(tmp_path):
    x = np.ones((64, 32), "float32")
    layer = ReplicaDropout(0.25, seed=1)
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.75)}
    assert 0.2 < float(np.mean(out == 0)) < 0.3
    assert not np.array_equal(out[0], out[1])                 # each example its own mask
    assert not np.array_equal(out, keras.ops.convert_to_numpy(layer(x, training=True)))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    inputs = keras.Input((32,))
    again = assert_round_trips(keras.Model(inputs, ReplicaDropout(0.5, seed=3)(inputs)), x,
                               tmp_path)
    assert again.layers[-1].rate == 0.5 and again.layers[-1].seed == 3


def test_gaussian_noise_adds_noise_of_the_stddev_in_training_only(tmp_path):
    x = np.zeros((256, 16), "float32")
    layer = ReplicaGaussianNoise(0.5, seed=2)
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    assert 0.45 < out.std() < 0.55 and abs(out.mean()) < 0.05
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    inputs = keras.Input((16,))
    assert_round_trips(keras.Model(inputs, ReplicaGaussianNoise(0.3)(inputs)), x, tmp_path)


def test_bad_arguments_say_what_to_fix():
    with pytest.raises(ValueError, match=r"`rate` must lie in \[0, 1\)"):
        ReplicaDropout(1.0)
    with pytest.raises(ValueError, match="`stddev` must be >= 0"):
        ReplicaGaussianNoise(-0.1)


def test_image_pool_call_is_its_pool_step_on_one_device():
    rng = np.random.default_rng(0)
    a, b = (ImagePool(4, seed=5) for _ in range(2))
    for pool in (a, b):
        pool.build((None, 2, 2, 1))
    for _ in range(3):
        images = rng.uniform(-1, 1, (3, 2, 2, 1)).astype("float32")
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a(images)),
                                      keras.ops.convert_to_numpy(b.pool_step(images)))
    np.testing.assert_array_equal(a.images.numpy(), b.images.numpy())
    assert int(a.count.numpy()) == 4
