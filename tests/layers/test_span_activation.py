import keras
import numpy as np
import pytest

from keras_gans.layers import SpanActivation


def test_spans_get_tanh_and_softmax_and_gumbel_in_training(tmp_path):
    layer = SpanActivation([[1, "tanh"], [3, "softmax"], [2, "softmax", "name ignored"]],
                           temperature=0.2, seed=1)
    x = np.random.default_rng(0).normal(size=(256, 6)).astype("float32") * 3
    y = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(y[:, 0], np.tanh(x[:, 0]), rtol=1e-5)
    np.testing.assert_allclose(y[:, 1:4].sum(1), 1, rtol=1e-5)
    e = np.exp(x[:, 4:6])
    np.testing.assert_allclose(y[:, 4:6], e / e.sum(1, keepdims=True), rtol=1e-5)
    t = keras.ops.convert_to_numpy(layer(x, training=True))
    assert t[:, 1:4].max(1).mean() > 0.9          # near one-hot at temperature 0.2
    assert not np.allclose(t, y)
    inputs = keras.Input((6,))
    model = keras.Model(inputs, layer(inputs))
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded(x), y, rtol=1e-6)


def test_bad_spans_are_refused():
    with pytest.raises(ValueError, match="kind in"):
        SpanActivation([[2, "sigmoid"]])
    with pytest.raises(ValueError, match="cover 3 values but the input has 4"):
        SpanActivation([[1, "tanh"], [2, "softmax"]])(np.zeros((1, 4), "float32"))
