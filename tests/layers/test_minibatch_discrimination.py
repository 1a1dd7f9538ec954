import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.layers import MinibatchDiscrimination


def _reference(x, kernel, b, c):
    """The paper's formula, example by example."""
    m = (x @ kernel).reshape(len(x), b, c)
    out = np.zeros((len(x), b))
    for i in range(len(x)):
        for j in range(len(x)):
            if i != j:
                out[i] += np.exp(-np.abs(m[i] - m[j]).sum(axis=-1))
    return out


def test_matches_the_papers_formula():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 6)).astype("float32")
    layer = MinibatchDiscrimination(num_kernels=4, kernel_dim=3)
    out = keras.ops.convert_to_numpy(layer(x))
    assert out.shape == (5, 10)
    np.testing.assert_allclose(out[:, :6], x)
    np.testing.assert_allclose(out[:, 6:], _reference(x, layer.kernel.numpy(), 4, 3),
                               rtol=1e-4, atol=1e-6)


def test_collapsed_batch_scores_high_and_a_single_example_scores_zero():
    layer = MinibatchDiscrimination(num_kernels=3, kernel_dim=2)
    same = np.ones((4, 5), "float32")
    spread = np.random.default_rng(1).normal(scale=10.0, size=(4, 5)).astype("float32")
    # Identical examples: each is at distance 0 from the 3 others.
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(same))[:, 5:], 3.0, rtol=1e-5)
    assert keras.ops.convert_to_numpy(layer(spread))[:, 5:].max() < 1.0
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(same[:1]))[:, 5:], 0.0)


def test_gradients_reach_the_kernel_and_the_inputs():
    import tensorflow as tf

    layer = MinibatchDiscrimination(num_kernels=2, kernel_dim=2)
    x = tf.constant(np.random.default_rng(2).normal(size=(3, 4)).astype("float32"))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.reduce_sum(layer(x)[:, 4:])
    assert np.abs(tape.gradient(y, layer.kernel).numpy()).sum() > 0
    assert np.all(np.isfinite(tape.gradient(y, x).numpy()))


def test_bad_arguments_say_what_to_fix():
    with pytest.raises(ValueError, match="num_kernels"):
        MinibatchDiscrimination(num_kernels=0)
    with pytest.raises(ValueError, match="Flatten"):
        MinibatchDiscrimination()(np.zeros((2, 4, 4, 1), "float32"))


def test_round_trips_in_a_saved_model(tmp_path):
    inputs = keras.Input((6,))
    model = keras.Model(inputs, MinibatchDiscrimination(num_kernels=3, kernel_dim=2)(inputs))
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras.models.load_model(path)
    x = np.random.default_rng(3).normal(size=(4, 6)).astype("float32")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert kg.layers.MinibatchDiscrimination is MinibatchDiscrimination
