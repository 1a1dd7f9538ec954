"""kg.data.load("stacked_mnist"): three independent MNIST digits as the channels of one image,
labelled by their mode, read from a local mnist.npz (a tiny one the test writes)."""

import numpy as np
import pytest

import keras_gans as kg
from keras_gans.data import public, stacked_mnist


def write_tiny_mnist(folder, n=30):
    """An mnist.npz whose digit i is filled with the value i (so a pixel names its digit)
    and labelled i % 10."""
    x = np.broadcast_to(np.arange(n, dtype="uint8")[:, None, None], (n, 28, 28)).copy()
    y = (np.arange(n) % 10).astype("uint8")
    np.savez(folder / "mnist.npz", x_train=x, y_train=y, x_test=x[:10], y_test=y[:10])
    return x, y


@pytest.fixture
def tiny_mnist(tmp_path, monkeypatch):
    monkeypatch.setenv(public.DATA_ENV, str(tmp_path))
    return write_tiny_mnist(tmp_path)


def digit_of(channel):
    """The tiny digit index a channel in [-1, 1] was gathered from."""
    return np.rint((channel.mean(axis=(1, 2)) + 1) * 127.5).astype(int)


def test_channels_are_independent_digits_and_labels_are_their_modes(tiny_mnist):
    x, y = tiny_mnist
    ds = kg.data.load("stacked_mnist", batch_size=50, labels=True, num_examples=200, seed=3,
                      shuffle=False)
    images, modes = map(np.concatenate, zip(*[(a.numpy(), b.numpy()) for a, b in ds]))
    assert images.shape == (200, 28, 28, 3) and images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    digits = np.stack([digit_of(images[..., c]) for c in range(3)], axis=1)
    expected = stacked_mnist.stack_indices(len(x), 200, seed=3)
    np.testing.assert_array_equal(digits, expected)   # the documented draw, in order
    y = y.astype(int)
    np.testing.assert_array_equal(modes, 100 * y[digits[:, 0]] + 10 * y[digits[:, 1]]
                                  + y[digits[:, 2]])
    # Independent channels: the three columns are not copies of each other.
    assert (digits[:, 0] != digits[:, 1]).mean() > 0.5
    assert (digits[:, 1] != digits[:, 2]).mean() > 0.5


def test_the_same_seed_draws_the_same_set_and_shuffling_only_reorders_it(tiny_mnist):
    def images(**kw):
        ds = kg.data.load("stacked_mnist", batch_size=16, num_examples=64, **kw)
        return np.concatenate([b.numpy() for b in ds])

    first, again = images(seed=1), images(seed=1)
    np.testing.assert_array_equal(first, again)
    ordered = images(seed=1, shuffle=False)
    assert not np.array_equal(first, ordered)
    def pairs(a):   # the digits of the first two channels, as a multiset
        return sorted((digit_of(a[..., 0]) * 1000 + digit_of(a[..., 1])).tolist())

    assert pairs(first) == pairs(ordered)
    assert not np.array_equal(ordered, images(seed=2, shuffle=False))


def test_metrics_make_stacked_mnist_draws_the_same_images(tiny_mnist):
    x, _ = tiny_mnist
    stacked, idx = kg.metrics.make_stacked_mnist(x, 10, seed=5)
    np.testing.assert_array_equal(idx, stacked_mnist.stack_indices(len(x), 10, seed=5))
    np.testing.assert_array_equal(stacked[..., 1], x[idx[:, 1]])


def test_options_it_cannot_honour_are_refused(tiny_mnist):
    with pytest.raises(ValueError, match="no image_size"):
        kg.data.load("stacked_mnist", image_size=32)
    with pytest.raises(ValueError, match="at least one image"):
        stacked_mnist.stack_indices(10, 0)
    with pytest.raises(ValueError, match="grey digits"):
        stacked_mnist.from_digits(np.zeros((4, 28, 28, 3), "uint8"))
