"""The anime evaluator's self-supervised task: each degradation does what its name says,
to each image of a batch on its own, reproducibly from its seed."""

import numpy as np
import pytest

from keras_gans.metrics import degradations as dg


def _faces(n=6, seed=0):
    """Smooth colour images (no two alike) standing in for faces: blur and noise show."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(-0.8, 0.8, (n, 4, 4, 3))
    return np.repeat(np.repeat(coarse, 8, axis=1), 8, axis=2).astype("float32")


def _as(name, x, seed=(3, 4)):
    labels = np.full(len(x), dg.DEGRADATIONS.index(name), "int32")
    return dg.degrade(x, labels, seed).numpy()


def test_real_is_left_unchanged_and_every_degradation_changes_every_image():
    x = _faces()
    np.testing.assert_array_equal(_as("real", x), x)
    for name in dg.DEGRADATIONS[1:]:
        y = _as(name, x)
        assert y.shape == x.shape and y.min() >= -1.0 and y.max() <= 1.0, name
        changed = np.abs(y - x).reshape(len(x), -1).max(axis=1)
        assert np.all(changed > 0.01), (name, changed)


def test_the_same_seed_gives_the_same_images_and_another_seed_others():
    x = _faces()
    labels = np.arange(len(x)) % len(dg.DEGRADATIONS)
    a = dg.degrade(x, labels, [1, 2]).numpy()
    np.testing.assert_array_equal(a, dg.degrade(x, labels, [1, 2]).numpy())
    assert not np.array_equal(a, dg.degrade(x, labels, [1, 3]).numpy())


def test_each_image_gets_its_own_label():
    x = _faces(8)
    labels = np.array([0, 7, 0, 7, 0, 7, 0, 7], "int32")
    y = dg.degrade(x, labels, [0, 0]).numpy()
    np.testing.assert_array_equal(y[::2], x[::2])
    for i in range(1, 8, 2):  # rotated by 90, 180 or 270 degrees
        assert any(np.array_equal(y[i], np.rot90(x[i], k)) for k in (1, 2, 3))


def test_swap_exchanges_exactly_two_patches():
    x = _faces()
    y = _as("swap", x)
    for a, b in zip(x, y):
        p = lambda img: img.reshape(4, 8, 4, 8, 3).transpose(0, 2, 1, 3, 4).reshape(16, -1)
        moved = np.where(np.any(p(a) != p(b), axis=1))[0]
        assert len(moved) == 2
        i, j = moved
        np.testing.assert_array_equal(p(b)[i], p(a)[j])
        np.testing.assert_array_equal(p(b)[j], p(a)[i])


def test_colour_permutes_the_channels_and_blur_keeps_the_mean():
    x = _faces()
    y = _as("colour", x)
    for a, b in zip(x, y):
        order = [next(c for c in range(3) if np.array_equal(b[..., k], a[..., c]))
                 for k in range(3)]
        assert sorted(order) == [0, 1, 2] and order != [0, 1, 2]
    np.testing.assert_allclose(_as("blur", x).mean(axis=(1, 2)), x.mean(axis=(1, 2)),
                               atol=0.02)


def test_cutout_fills_one_square_with_the_mean_colour():
    x = _faces()
    y = _as("cutout", x)
    for a, b in zip(x, y):
        rows, cols = np.where(np.any(a != b, axis=-1))
        # the filled square (the face's mean colour may match a few of its own pixels)
        assert 6 * 6 // 2 <= len(rows) <= 12 * 12
        assert rows.max() - rows.min() <= 11 and cols.max() - cols.min() <= 11
        np.testing.assert_allclose(b[rows[0], cols[0]], a.mean(axis=(0, 1)), atol=1e-5)


def test_wrong_shapes_are_refused_with_the_expected_shape():
    with pytest.raises(ValueError, match=r"RGB images \(n, h, w, 3\)"):
        dg.degrade(np.zeros((2, 32, 32, 1), "float32"), [0, 1], [0, 0])
    with pytest.raises(ValueError, match="multiples of 4"):
        dg.degrade(np.zeros((2, 30, 30, 3), "float32"), [0, 1], [0, 0])
