"""InstanceNormalization, PixelShuffle, ReflectionPadding2D, PadToMultiple/CropToMatch and
ImagePool: closed-form behaviour and .keras round trips."""

import keras
import numpy as np
import pytest

from keras_gans import layers


def _round_trip(layer, x, tmp_path):
    inputs = keras.Input(x.shape[1:])
    model = keras.Model(inputs, layer(inputs))
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded(x), model(x), atol=1e-6)


def test_instance_norm_normalizes_each_example_and_channel(tmp_path):
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(3, 5, 7, 2)) * [1.0, 9.0] + [4.0, -2.0]).astype("float32")
    y = layers.InstanceNormalization()(x).numpy()
    np.testing.assert_allclose(y.mean(axis=(1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=(1, 2)), 1, atol=1e-3)
    # Same as GroupNormalization with one group per channel.
    g = keras.layers.GroupNormalization(groups=2, epsilon=1e-5)(x).numpy()
    np.testing.assert_allclose(y, g, atol=1e-4)
    # One example's result does not depend on the others in its batch.
    np.testing.assert_allclose(layers.InstanceNormalization()(x[:1]).numpy(), y[:1], atol=1e-5)
    _round_trip(layers.InstanceNormalization(), x, tmp_path)


def test_pixel_shuffle_moves_channels_into_blocks(tmp_path):
    x = np.arange(2 * 3 * 4 * 8, dtype="float32").reshape(2, 3, 4, 8)
    y = layers.PixelShuffle(2)(x).numpy()
    assert y.shape == (2, 6, 8, 2)
    # Channel group (dy, dx) of pixel (i, j) lands at (2i + dy, 2j + dx).
    np.testing.assert_array_equal(y[:, 0::2, 1::2, :], x[..., 2:4])
    np.testing.assert_array_equal(y[:, 1::2, 0::2, :], x[..., 4:6])
    with pytest.raises(ValueError, match="divisible by 4"):
        layers.PixelShuffle(2)(np.zeros((1, 2, 2, 3), "float32"))
    _round_trip(layers.PixelShuffle(2), x, tmp_path)


def test_reflection_padding_mirrors_the_border():
    x = np.arange(9, dtype="float32").reshape(1, 3, 3, 1)
    y = layers.ReflectionPadding2D(1)(x).numpy()[0, ..., 0]
    assert y.shape == (5, 5)
    np.testing.assert_array_equal(y[0, 1:4], [3, 4, 5])   # row above mirrors row 1
    np.testing.assert_array_equal(y[1:4, 0], [1, 4, 7])   # column left mirrors column 1


def test_pad_to_multiple_and_crop_back():
    x = np.random.default_rng(0).normal(size=(2, 5, 7, 3)).astype("float32")
    padded = layers.PadToMultiple(4)(x)
    assert tuple(padded.shape) == (2, 8, 8, 3)
    np.testing.assert_array_equal(padded[:, :5, :7], x)
    np.testing.assert_array_equal(layers.CropToMatch()([padded, x]), x)


def _pool_layer(size, p=0.5, seed=0):
    pool = layers.ImagePool(size, return_probability=p, seed=seed)
    pool.build((None, 2, 2, 1))
    return pool


def _batch(values):
    return np.asarray(values, "float32")[:, None, None, None] * np.ones((1, 2, 2, 1), "float32")


def test_pool_passes_the_first_images_through_then_swaps_half():
    pool = _pool_layer(50)
    first = _batch(np.arange(50))
    np.testing.assert_array_equal(pool(first).numpy(), first)  # filling: pass through
    assert int(pool.count.numpy()) == 50
    np.testing.assert_array_equal(np.sort(pool.images.numpy()[:, 0, 0, 0]), np.arange(50))

    new = _batch(np.arange(1000, 1400))
    returned = []
    for i in range(0, 400, 4):  # batches of four new images
        returned.append(pool(new[i:i + 4]).numpy()[:, 0, 0, 0])
    returned = np.concatenate(returned).astype(int)
    swapped = returned != np.arange(1000, 1400)
    assert 0.4 < swapped.mean() < 0.6  # about half the answers are stored images
    # An image handed back is one stored before: an original or an earlier new image.
    for i in np.flatnonzero(swapped):
        assert returned[i] < 50 or 1000 <= returned[i] < 1000 + i - i % 4
    stored = pool.images.numpy()[:, 0, 0, 0].astype(int)
    assert len(set(stored)) == 50 and any(s >= 1000 for s in stored)
    # Nothing is lost or invented: each image is returned once or is still stored.
    everything = np.concatenate([returned, stored])
    assert sorted(everything) == sorted(list(range(50)) + list(range(1000, 1400)))


def test_pool_returns_only_old_images_with_probability_one_and_none_with_zero():
    pool = _pool_layer(4, p=1.0)
    pool(_batch([1, 2, 3, 4]))
    out = pool(_batch([10, 11])).numpy()[:, 0, 0, 0]
    assert set(out) <= {1, 2, 3, 4} and len(set(out)) == 2  # distinct slots
    assert {10, 11} <= set(pool.images.numpy()[:, 0, 0, 0])

    never = _pool_layer(2, p=0.0)
    never(_batch([1, 2]))
    np.testing.assert_array_equal(never(_batch([7, 8, 9])).numpy()[:, 0, 0, 0], [7, 8, 9])


def test_pool_fills_across_a_batch_boundary_and_zero_disables():
    pool = _pool_layer(3, p=0.0)
    out = pool(_batch([1, 2, 3, 4, 5])).numpy()[:, 0, 0, 0]
    np.testing.assert_array_equal(out, [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(pool.images.numpy()[:, 0, 0, 0], [1, 2, 3])
    off = _pool_layer(0)
    np.testing.assert_array_equal(off(_batch([5, 6])).numpy(), _batch([5, 6]))


def test_pool_state_is_saved(tmp_path):
    pool = _pool_layer(3)
    pool(_batch([1, 2, 3]))
    inputs = keras.Input((2, 2, 1))
    model = keras.Model(inputs, pool(inputs))
    path = str(tmp_path / "pool.keras")
    model.save(path)
    loaded = keras.models.load_model(path).layers[-1]
    np.testing.assert_array_equal(loaded.images.numpy(), pool.images.numpy())
    assert int(loaded.count.numpy()) == 3


def test_pool_rejects_bad_arguments():
    with pytest.raises(ValueError, match="return_probability"):
        layers.ImagePool(5, return_probability=1.5)
    with pytest.raises(ValueError, match="fixed shape"):
        layers.ImagePool(5).build((None, None, None, 3))
