import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans.layers import ConditionalBatchNormalization


def _data(seed=0):
    rng = np.random.default_rng(seed)
    x = (3.0 + 2.0 * rng.normal(size=(8, 4, 4, 6))).astype("float32")
    c = rng.normal(size=(8, 5)).astype("float32")
    return x, c


def test_zero_projections_equal_plain_batch_norm():
    x, c = _data()
    cbn = ConditionalBatchNormalization(projection_initializer="zeros")
    plain = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, center=False,
                                            scale=False)
    for training in (True, False):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(cbn([x, c], training=training)),
                                   keras.ops.convert_to_numpy(plain(x, training=training)),
                                   atol=1e-5)
    out = keras.ops.convert_to_numpy(cbn([x, c], training=True))
    # Training mode: zero mean, unit variance per channel over batch and space.
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1.0, atol=1e-3)


def test_gain_and_bias_follow_the_condition():
    x, c = _data(1)
    cbn = ConditionalBatchNormalization()
    out = keras.ops.convert_to_numpy(cbn([x, c], training=True))
    normalized = (x - x.mean(axis=(0, 1, 2))) / np.sqrt(x.var(axis=(0, 1, 2)) + 1e-5)
    gain = 1.0 + keras.ops.convert_to_numpy(cbn.gain(c))
    bias = keras.ops.convert_to_numpy(cbn.bias(c))
    np.testing.assert_allclose(out, normalized * gain[:, None, None] + bias[:, None, None],
                               atol=1e-4)
    # Each example's own condition sets its statistics: same x, other condition, other output.
    other = keras.ops.convert_to_numpy(cbn([x, c[::-1]], training=True))
    assert not np.allclose(out, other)


def test_flat_features_and_bad_inputs():
    x = np.random.default_rng(2).normal(size=(4, 6)).astype("float32")
    c = np.ones((4, 3), "float32")
    assert ConditionalBatchNormalization()([x, c]).shape == (4, 6)
    with pytest.raises(ValueError, match=r"\[features, condition\]"):
        ConditionalBatchNormalization()(x)
    with pytest.raises(ValueError, match="condition_dim"):
        ConditionalBatchNormalization()([x, np.ones((4, 3, 1), "float32")])


def test_spectral_norm_round_trips_in_a_saved_model_and_under_tf_function(tmp_path):
    x_in, c_in = keras.Input((4, 4, 6)), keras.Input((5,))
    out = ConditionalBatchNormalization(spectral_norm=True)([x_in, c_in])
    model = keras.Model([x_in, c_in], out)
    x, c = _data(3)
    step = tf.function(lambda x, c: model([x, c], training=True))
    step(x, c)  # updates the moving statistics and the power-iteration vectors
    path = str(tmp_path / "cbn.keras")
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again.predict([x, c], verbose=0),
                               model.predict([x, c], verbose=0), atol=1e-6)
    assert kg.layers.ConditionalBatchNormalization is ConditionalBatchNormalization
