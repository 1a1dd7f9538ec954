import numpy as np
import pytest

import keras_gans as kg
from keras_gans.data import toy


def test_digits_are_scaled_to_minus_one_one():
    x, y = kg.data.load_digits_arrays()
    assert x.shape == (1797, 8, 8, 1) and x.dtype == np.float32
    assert x.min() == -1.0 and x.max() == 1.0
    assert set(np.unique(y)) == set(range(10))


def test_digits_resize():
    x, _ = kg.data.load_digits_arrays(28)
    assert x.shape == (1797, 28, 28, 1) and x.min() >= -1 and x.max() <= 1


def test_load_digits_pipeline_with_labels():
    ds = kg.data.load("digits", batch_size=50, image_size=(16, 16), labels=True, seed=0)
    x, y = next(iter(ds))
    assert tuple(x.shape) == (50, 16, 16, 1) and tuple(y.shape) == (50,)


def test_shuffle_is_reproducible_for_a_seed():
    first = lambda: next(iter(kg.data.load("digits", 16, seed=5))).numpy()  # noqa: E731
    np.testing.assert_array_equal(first(), first())


def test_drop_remainder():
    ds = kg.data.load("digits", batch_size=1000, drop_remainder=True)
    assert [int(b.shape[0]) for b in ds] == [1000]


@pytest.mark.parametrize("name,modes,std", [("ring8", 8, 0.01), ("grid25", 25, 0.05)])
def test_toy_mixtures(name, modes, std):
    dist = toy.get(name)
    assert dist.num_modes == modes and dist.std == std
    points, labels = dist.sample(5000, seed=0)
    assert points.shape == (5000, 2)
    # Every point is drawn around its own centre with the stated spread.
    offsets = points - dist.centers[labels]
    np.testing.assert_allclose(offsets.std(), std, rtol=0.05)
    assert set(labels) == set(range(modes))


def test_grid_and_ring_geometry():
    np.testing.assert_allclose(np.linalg.norm(toy.get("ring8").centers, axis=1), 1.0)
    assert sorted(set(toy.get("grid25").centers[:, 0])) == [-4, -2, 0, 2, 4]


def test_toy_pipeline():
    ds = kg.data.load("grid25", batch_size=128, num_examples=1000, seed=0)
    assert tuple(next(iter(ds)).shape) == (128, 2)


def test_bad_requests_are_explained():
    with pytest.raises(ValueError, match="Unknown data set 'mnistt'"):
        kg.data.load("mnistt")
    with pytest.raises(ValueError, match="no class labels"):
        kg.data.load("ring8", labels=True)
    with pytest.raises(ValueError, match="empty array"):
        kg.data.from_arrays(np.zeros((0, 2), "float32"), 4)
    with pytest.raises(TypeError, match="x / 127.5 - 1"):
        kg.data.from_arrays(np.zeros((4, 2, 2, 1), "int64"), 4)
