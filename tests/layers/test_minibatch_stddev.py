import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.layers import MinibatchStdDev


def test_appends_the_group_std_to_every_example_of_the_group():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3, 3, 4)).astype("float32")
    out = keras.ops.convert_to_numpy(MinibatchStdDev(group_size=4)(x))
    assert out.shape == (8, 3, 3, 5)
    np.testing.assert_allclose(out[..., :4], x)
    # Groups are consecutive examples, {0, 1, 2, 3} and {4, 5, 6, 7}: replica batches
    # divisible by the group size form the same groups as the global batch.
    for start in (0, 4):
        group = x[start:start + 4]
        expected = np.sqrt(group.var(axis=0) + 1e-8).mean()
        np.testing.assert_allclose(out[start:start + 4, ..., 4], expected, rtol=1e-5)


def test_collapsed_batch_gives_zero_spread_and_diverse_batch_does_not():
    same = np.ones((4, 2, 2, 3), "float32")
    diverse = np.random.default_rng(1).normal(size=(4, 2, 2, 3)).astype("float32")
    layer = MinibatchStdDev(group_size=4)
    assert float(np.max(keras.ops.convert_to_numpy(layer(same))[..., -1])) < 1e-3
    assert float(np.min(keras.ops.convert_to_numpy(layer(diverse))[..., -1])) > 0.3


def test_flat_inputs_and_several_feature_slices():
    x = np.random.default_rng(2).normal(size=(6, 8)).astype("float32")
    out = keras.ops.convert_to_numpy(MinibatchStdDev(group_size=2, num_features=2)(x))
    assert out.shape == (6, 10)
    y = x.reshape(3, 2, 2, 4)
    expected = np.sqrt(y.var(axis=1) + 1e-8).mean(axis=-1)   # (3, 2)
    np.testing.assert_allclose(out[:, 8:], np.repeat(expected, 2, axis=0), rtol=1e-5)


def test_bad_arguments_say_what_to_fix():
    with pytest.raises(ValueError, match="at least 2"):
        MinibatchStdDev(group_size=1)
    with pytest.raises(ValueError, match="equal slices"):
        MinibatchStdDev(num_features=3)(np.zeros((4, 2, 2, 4), "float32"))


def test_round_trips_in_a_saved_model(tmp_path):
    inputs = keras.Input((4, 4, 2))
    model = keras.Model(inputs, MinibatchStdDev(group_size=2)(inputs))
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras.models.load_model(path)
    x = np.random.default_rng(3).normal(size=(4, 4, 4, 2)).astype("float32")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert kg.layers.MinibatchStdDev is MinibatchStdDev
