import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans.layers import SelfAttention


def _x(seed=0, shape=(2, 4, 6, 16)):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


@pytest.mark.parametrize("pool_keys", [True, False])
def test_starts_as_the_identity(pool_keys):
    x = _x()
    layer = SelfAttention(pool_keys=pool_keys)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x, training=True)), x)
    assert float(layer.gamma) == 0.0


def test_matches_the_closed_form_attention():
    x = _x(1)
    layer = SelfAttention(spectral_norm=False)
    layer(x)
    layer.gamma.assign(0.5)
    out = keras.ops.convert_to_numpy(layer(x))

    def conv(l, t):
        return t @ keras.ops.convert_to_numpy(l.kernel)[0, 0]

    q = conv(layer.query, x).reshape(2, -1, 2)
    k = conv(layer.key, x)
    v = conv(layer.value, x)
    # 2x2 max pooling of keys and values.
    k = k.reshape(2, 2, 2, 3, 2, 2).max(axis=(2, 4)).reshape(2, -1, 2)
    v = v.reshape(2, 2, 2, 3, 2, 8).max(axis=(2, 4)).reshape(2, -1, 8)
    logits = q @ k.transpose(0, 2, 1)
    weights = np.exp(logits - logits.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    expected = x + 0.5 * conv(layer.out, (weights @ v).reshape(2, 4, 6, 8))
    np.testing.assert_allclose(out, expected, atol=1e-4)
    # Attention is non-local: changing one corner changes the output at the far corner.
    y = x.copy()
    y[:, 0, 0] += 5.0
    moved = keras.ops.convert_to_numpy(layer(y))
    assert not np.allclose(moved[:, -1, -1], out[:, -1, -1])


def test_bad_inputs_say_what_to_fix():
    with pytest.raises(ValueError, match="divisible by 8"):
        SelfAttention()(_x(shape=(1, 4, 4, 12)))
    with pytest.raises(ValueError, match="even height"):
        SelfAttention()(_x(shape=(1, 5, 4, 8)))
    with pytest.raises(ValueError, match=r"\(batch, h, w, channels\)"):
        SelfAttention()(np.zeros((2, 8), "float32"))


def test_round_trips_in_a_saved_model_and_under_tf_function(tmp_path):
    inputs = keras.Input((4, 4, 16))
    model = keras.Model(inputs, SelfAttention()(inputs))
    model.layers[-1].gamma.assign(0.3)
    x = _x(2, (2, 4, 4, 16))
    tf.function(lambda t: model(t, training=True))(x)  # one spectral-norm power iteration
    path = str(tmp_path / "sa.keras")
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=1e-6)
    assert not np.allclose(model.predict(x, verbose=0), x)
    assert kg.layers.SelfAttention is SelfAttention
