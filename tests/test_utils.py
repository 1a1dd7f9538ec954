import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg


def _read_png(path):
    return tf.io.decode_png(tf.io.read_file(str(path))).numpy()


def test_grid_tiles_images_and_maps_range(tmp_path):
    images = np.stack([np.full((4, 4, 1), -1.0), np.full((4, 4, 1), 1.0)] * 2).astype("float32")
    path = kg.utils.save_grid(images, str(tmp_path / "g.png"))
    pixels = _read_png(path)
    assert pixels.shape == (2 + 2 * 6, 2 + 2 * 6, 1)
    assert pixels[2, 2, 0] == 0 and pixels[2, 8, 0] == 255  # first image black, second white


def test_grid_rejects_points():
    with pytest.raises(ValueError, match="save_scatter"):
        kg.utils.image_grid(np.zeros((5, 2)))


def test_scatter_draws_points(tmp_path):
    path = kg.utils.save_samples(np.array([[0.0, 0.0]]), str(tmp_path / "s.png"))
    pixels = _read_png(path)
    assert pixels.shape == (400, 400, 3)
    assert (pixels.sum(axis=-1) < 765).sum() == 9  # one 3x3 dot


def test_scatter_extent_is_a_pair_or_a_half_width():
    points = np.array([[1.0, 1.0]])
    as_number = kg.utils.scatter_image(points, extent=2.0, size=101)
    np.testing.assert_array_equal(as_number, kg.utils.scatter_image(points, extent=(-2, 2),
                                                                    size=101))
    dark = np.argwhere(as_number.sum(axis=-1) < 765)
    assert dark.mean(axis=0).tolist() == [25.0, 75.0]   # (1, 1) in [-2, 2]^2: up and right
    for bad in ((2, -2), (0, 1, 2), "wide"):
        with pytest.raises(ValueError, match="`extent` must be"):
            kg.utils.scatter_image(points, extent=bad)
