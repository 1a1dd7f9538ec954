import gzip
import os

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

import keras_gans as kg


def _write_images(folder, count, shape, fmt="png", seed=0):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    encode = tf.io.encode_png if fmt == "png" else tf.io.encode_jpeg
    for i in range(count):
        pixels = rng.integers(0, 256, shape, dtype=np.uint8)
        tf.io.write_file(os.path.join(folder, f"img{i}.{fmt}"), encode(pixels))


def _idx_bytes(array):
    header = bytes([0, 0, 0x08, array.ndim])
    return header + b"".join(int(s).to_bytes(4, "big") for s in array.shape) + array.tobytes()


def _all(ds):
    batches = list(ds.as_numpy_iterator())
    if isinstance(batches[0], tuple):
        return np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches])
    return np.concatenate(batches), None


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    _write_images(root / "classes" / "cats", 3, (10, 12, 3), "png", seed=1)
    _write_images(root / "classes" / "dogs", 2, (10, 12, 3), "jpeg", seed=2)
    _write_images(root / "flat", 5, (9, 9, 1), "png", seed=3)
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 255        # red, but fully transparent on the left half
    rgba[:, 2:, 3] = 255
    (root / "rgba").mkdir()
    tf.io.write_file(str(root / "rgba" / "a.png"), tf.io.encode_png(rgba))
    x = (np.arange(20 * 6 * 6) % 256).astype(np.uint8).reshape(20, 6, 6)
    np.savez(root / "d.npz", x_train=x, y_train=np.arange(20) % 3, x_test=x[:4],
             y_test=np.zeros(4))
    with gzip.open(root / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write(_idx_bytes(x))
    with gzip.open(root / "train-labels-idx1-ubyte.gz", "wb") as f:
        f.write(_idx_bytes((np.arange(20) % 10).astype(np.uint8)))
    return root, x


def test_class_folder_gives_labels_in_sorted_folder_order(files):
    root, _ = files
    x, y = _all(kg.data.load(root / "classes", 2, labels=True, shuffle=False))
    assert x.shape == (5, 10, 12, 3) and x.dtype == np.float32
    assert -1 <= x.min() < x.max() <= 1
    assert list(y) == [0, 0, 0, 1, 1]  # cats, then dogs (JPEG)


def test_png_pixels_are_scaled_exactly(files):
    root, _ = files
    x, _ = _all(kg.data.load(root / "flat", 8, shuffle=False))
    raw = tf.io.decode_png(tf.io.read_file(str(root / "flat" / "img0.png"))).numpy()
    np.testing.assert_allclose(x[0], raw / 127.5 - 1, atol=1e-6)


def test_resize_crop_and_channels(files):
    root, _ = files
    x, _ = _all(kg.data.load(root / "classes", 4, image_size=6, crop="center", channels=1))
    assert x.shape == (5, 6, 6, 1)
    x, _ = _all(kg.data.load(root / "flat", 4, image_size=(4, 8), channels=3))
    assert x.shape == (5, 4, 8, 3)
    np.testing.assert_array_equal(x[..., 0], x[..., 2])  # grey tiled to RGB
    x, _ = _all(kg.data.load(root / "classes", 4, crop=(4, 4)))
    assert x.shape == (5, 4, 4, 3)


def test_rgba_is_composited_over_white(files):
    root, _ = files
    x, _ = _all(kg.data.load(root / "rgba", 1))
    assert x.shape == (1, 4, 4, 3)
    np.testing.assert_allclose(x[0, :, :2], 1.0)  # transparent -> white
    np.testing.assert_allclose(x[0, :, 2:], np.broadcast_to([1.0, -1.0, -1.0], (4, 2, 3)))  # red


def test_npz_split_and_labels(files):
    root, x_raw = files
    x, y = _all(kg.data.load(root / "d.npz", 8, labels=True, shuffle=False))
    np.testing.assert_allclose(x[..., 0], x_raw / 127.5 - 1, atol=1e-6)
    assert list(y) == list(np.arange(20) % 3)
    x, _ = _all(kg.data.load(root / "d.npz", 8, split="test"))
    assert x.shape == (4, 6, 6, 1)


def test_gzipped_idx_with_labels(files):
    root, x_raw = files
    x, y = _all(kg.data.load(root / "train-images-idx3-ubyte.gz", 7, labels=True,
                             shuffle=False, image_size=12))
    assert x.shape == (20, 12, 12, 1) and list(y) == list(np.arange(20) % 10)
    np.testing.assert_array_equal(kg.data.read_idx(root / "train-images-idx3-ubyte.gz"), x_raw)


def test_arrays_uint8_scaled_and_float_ranges():
    x = np.full((4, 3, 3), 255, np.uint8)
    batch = next(iter(kg.data.from_arrays(x, 4)))
    assert tuple(batch.shape) == (4, 3, 3, 1) and float(batch.numpy().min()) == 1.0
    unit = np.full((4, 3, 3, 1), 0.5, np.float32)
    batch = next(iter(kg.data.from_arrays(unit, 4, value_range=(0, 1))))
    np.testing.assert_allclose(batch, 0.0)
    with pytest.raises(ValueError, match=r"value_range=\(-1.0, 1.0\).*\[0, 255\]"):
        kg.data.from_arrays(np.full((4, 3, 3, 1), 200.0, np.float32), 4)
    with pytest.raises(ValueError, match="NaN"):
        kg.data.from_arrays(np.full((4, 3, 3, 1), np.nan, np.float32), 4)


def test_same_seed_same_order_every_epoch_sequence(files):
    root, _ = files

    def orders(seed):
        ds = kg.data.load(root / "d.npz", 20, labels=True, seed=seed)
        return [tuple(next(iter(ds))[1].numpy()) for _ in range(1)] + \
               [tuple(b[1]) for b in ds.repeat(3).as_numpy_iterator()]

    first = orders(7)
    assert first == orders(7)
    assert len(set(first[1:])) > 1  # a new order every epoch


def test_cache_to_file(files, tmp_path):
    root, _ = files
    path = tmp_path / "cache" / "flat"
    ds = kg.data.load(root / "flat", 5, cache=str(path), shuffle=False)
    first = _all(ds)[0]
    np.testing.assert_array_equal(first, _all(ds)[0])
    assert any(p.name.startswith("flat") for p in (tmp_path / "cache").iterdir())


def test_tfds_with_mock_data():
    with tfds.testing.mock_data(num_examples=12):
        x, y = _all(kg.data.load("mnist", 5, labels=True, seed=0))
        assert x.shape == (12, 28, 28, 1) and y.dtype == np.int32
        assert -1 <= x.min() and x.max() <= 1
        ds = kg.data.load("cycle_gan/horse2zebra", 4, split="trainA", image_size=16,
                          crop="center", drop_remainder=True)
        assert ds.element_spec.shape.as_list() == [4, 16, 16, 3]
        with pytest.raises(ValueError, match="different sizes"):
            kg.data.load("cycle_gan/horse2zebra", 4, split="trainA")
        with pytest.raises(ValueError, match="no 'label' feature"):
            kg.data.load("celeb_a", 4, image_size=8, labels=True)


# -- bad inputs ------------------------------------------------------------------------

def test_corrupt_image_is_named(tmp_path):
    _write_images(tmp_path / "imgs", 2, (5, 5, 3))
    (tmp_path / "imgs" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    with pytest.raises(ValueError, match=r"Cannot decode the image file '.*broken\.png'"):
        kg.data.load(tmp_path / "imgs", 2)


def test_mixed_sizes_need_a_target_size(tmp_path):
    _write_images(tmp_path / "mixed", 2, (5, 5, 3))
    tf.io.write_file(str(tmp_path / "mixed" / "big.png"),
                     tf.io.encode_png(np.zeros((7, 6, 3), np.uint8)))
    with pytest.raises(ValueError, match=r"different sizes.*7x6.*image_size="):
        kg.data.load(tmp_path / "mixed", 2)
    ds = kg.data.load(tmp_path / "mixed", 3, image_size=4)
    assert tuple(next(iter(ds)).shape) == (3, 4, 4, 3)


def test_empty_folders(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no images"):
        kg.data.load(tmp_path / "empty", 2)
    (tmp_path / "classes" / "a").mkdir(parents=True)
    _write_images(tmp_path / "classes" / "b", 1, (3, 3, 1))
    with pytest.raises(ValueError, match=r"class folder '.*a' holds no images"):
        kg.data.load(tmp_path / "classes", 2)


def test_labels_where_there_are_none(files, tmp_path):
    root, _ = files
    with pytest.raises(ValueError, match="not sorted into class sub-folders"):
        kg.data.load(root / "flat", 2, labels=True)
    np.savez(tmp_path / "x.npz", x_train=np.zeros((3, 4, 4), np.uint8))
    with pytest.raises(ValueError, match="no 'y_train' array"):
        kg.data.load(tmp_path / "x.npz", 2, labels=True)
    with pytest.raises(ValueError, match="split='valid'"):
        kg.data.load(tmp_path / "x.npz", 2, split="valid")
    x = np.zeros((3, 4, 4), np.uint8)
    with gzip.open(tmp_path / "t10k-images-idx3-ubyte.gz", "wb") as f:
        f.write(_idx_bytes(x))
    with pytest.raises(ValueError, match="no labels file"):
        kg.data.load(tmp_path / "t10k-images-idx3-ubyte.gz", 2, labels=True)


def test_truncated_idx_and_unknown_paths(tmp_path):
    data = _idx_bytes(np.zeros((3, 4, 4), np.uint8))
    (tmp_path / "cut-images-idx3-ubyte").write_bytes(data[:-5])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        kg.data.load(tmp_path / "cut-images-idx3-ubyte", 2)
    with pytest.raises(ValueError, match="No such file or folder"):
        kg.data.load(str(tmp_path / "nope"), 2)
    with pytest.raises(ValueError, match="`channels` must be"):
        kg.data.load("digits", 2, channels=2)


def test_unvalidated_folder_needs_size_and_channels(files):
    root, _ = files
    with pytest.raises(ValueError, match="pass image_size= and channels="):
        kg.data.load(root / "flat", 2, validate=False)
    x, _ = _all(kg.data.load(root / "flat", 2, validate=False, image_size=5, channels=3))
    assert x.shape == (5, 5, 5, 3)
