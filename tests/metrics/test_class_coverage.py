import keras
import numpy as np
import pytest

import keras_gans as kg


def test_class_coverage_from_logits_and_labels():
    result = kg.metrics.class_coverage(np.eye(10)[[0, 0, 1, 2]])
    assert result["classes_covered"] == 3 and result["counts"][:3] == [2, 1, 1]
    expected = 0.5 * np.log(0.5 * 10) + 2 * 0.25 * np.log(0.25 * 10)
    np.testing.assert_allclose(result["kl_to_uniform"], expected)
    uniform = kg.metrics.class_coverage(np.arange(100) % 10, num_classes=10)
    assert uniform["classes_covered"] == 10 and uniform["kl_to_uniform"] == 0.0


def test_stacked_mnist_counts_modes_on_hand_built_predictions():
    digits = np.array([[1, 2, 3], [1, 2, 3], [0, 0, 0], [9, 9, 9]])
    result = kg.metrics.stacked_mnist_modes(digits)
    assert result["modes_covered"] == 3 and result["num_modes"] == 1000
    assert result["counts"][123] == 2 and result["counts"][0] == 1 and result["counts"][999] == 1
    expected = 0.5 * np.log(0.5 * 1000) + 2 * 0.25 * np.log(0.25 * 1000)
    np.testing.assert_allclose(result["kl_to_uniform"], expected)
    every = np.stack(np.unravel_index(np.arange(1000), (10, 10, 10)), axis=1)
    full = kg.metrics.stacked_mnist_modes(every)
    assert full["modes_covered"] == 1000 and abs(full["kl_to_uniform"]) < 1e-12
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        kg.metrics.stacked_mnist_modes(np.zeros((4, 2), int))


def _intensity_classifier():
    # Digit k is drawn as a constant image of value c_k = -1 + 2k/9; the classifier's logits
    # 2 m c_k - c_k^2 (m: the image mean) are largest at the nearest c_k.
    c = -1 + 2 * np.arange(10) / 9
    inputs = keras.Input((28, 28, 1))
    m = keras.layers.GlobalAveragePooling2D()(inputs)
    dense = keras.layers.Dense(10)
    model = keras.Model(inputs, dense(m))
    dense.set_weights([2 * c[None, :].astype("float32"), (-c ** 2).astype("float32")])
    return model, c


def test_stacked_mnist_classifies_each_channel_with_the_mnist_classifier():
    classifier, c = _intensity_classifier()
    grey = np.broadcast_to(c[:, None, None, None], (10, 28, 28, 1)).astype("float32")
    stacked, idx = kg.metrics.make_stacked_mnist(grey, 300, seed=0)
    assert stacked.shape == (300, 28, 28, 3)
    digits = kg.metrics.classify_stacked_mnist(stacked, classifier)
    np.testing.assert_array_equal(digits, idx)  # digit k sits at index k
    result = kg.metrics.stacked_mnist_modes(digits)
    assert result["modes_covered"] == len(np.unique(idx[:, 0] * 100 + idx[:, 1] * 10 + idx[:, 2]))
