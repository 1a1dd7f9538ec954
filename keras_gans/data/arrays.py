"""In-memory arrays, and the array files of the classic data sets: ``.npz`` in the
``keras.datasets`` layout and IDX (MNIST's ``*-idx3-ubyte[.gz]``)."""

import gzip
import os
import struct
import zipfile
import zlib

import numpy as np
import tensorflow as tf

from keras_gans.data import pipeline


def check_array(x, value_range=(-1.0, 1.0)):
    """Validate examples and bring images to float32 in [-1, 1].

    * uint8 images are scaled from [0, 255].
    * Float images (rank 3 or 4) must lie in ``value_range``, which is mapped to [-1, 1];
      pass ``value_range=(0, 1)`` for images in [0, 1]. [0, 1] data also lies inside
      [-1, 1], so it cannot be told apart automatically and is never guessed.
    * Flat float features (n, d), such as 2-D toy points, are used as given.
    """
    x = np.asarray(x)
    if x.ndim == 0 or len(x) == 0:
        raise ValueError("Cannot build a data set from an empty array (0 examples).")
    image = x.ndim >= 3
    if x.dtype == np.uint8:
        if not image:
            raise TypeError("uint8 arrays must be images (n, h, w) or (n, h, w, c); for flat "
                            "features pass floats.")
        x = x.astype("float32") / 127.5 - 1.0
    elif np.issubdtype(x.dtype, np.floating):
        x = x.astype("float32")
        if not np.all(np.isfinite(x)):
            raise ValueError("The array holds NaN or infinite values; remove or replace them.")
        if image:
            lo, hi = (float(v) for v in value_range)
            x_min, x_max = float(x.min()), float(x.max())
            if x_min < lo - 1e-6 or x_max > hi + 1e-6:
                hint = (" It looks like pixel values in [0, 255]: pass them as uint8 or "
                        "scale with x / 127.5 - 1." if x_max > 1.5 else "")
                raise ValueError(f"Float images must lie in value_range={tuple(value_range)}; "
                                 f"received values in [{x_min:g}, {x_max:g}].{hint}")
            if (lo, hi) != (-1.0, 1.0):
                x = (x - lo) / (hi - lo) * 2.0 - 1.0
    else:
        raise TypeError(f"Expected uint8 images or float examples; received dtype {x.dtype}. "
                        f"Cast 8-bit pixels to uint8, or scale to [-1, 1] with x / 127.5 - 1 "
                        f"and pass floats.")
    if x.ndim == 3:
        x = x[..., None]
    return x


def check_labels(labels, n):
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != n:
        raise ValueError(f"Expected one integer label per example ({n}); received labels of "
                         f"shape {labels.shape}.")
    return labels.astype("int32")


def from_arrays(x, batch_size, labels=None, shuffle=True, seed=None, drop_remainder=False, *,
                image_size=None, crop=None, channels=None, cache=False, value_range=(-1.0, 1.0)):
    """A shuffled, batched, prefetched data set of ``x`` (and ``labels`` when given).

    See ``check_array`` for the accepted dtypes and value ranges.
    """
    pipeline.check_options(batch_size, channels, crop)
    x = check_array(x, value_range)
    elements = x if labels is None else (x, check_labels(labels, len(x)))
    ds = tf.data.Dataset.from_tensor_slices(elements)
    if x.ndim == 4 and (image_size is not None or crop is not None or channels is not None):
        ds = pipeline.map_images(ds, pipeline.image_transform(image_size, crop, channels))
    return pipeline.finish(ds, batch_size, shuffle, seed, drop_remainder, cache)


def _unreadable_npz(path, error):
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    if "pickled" in reason:  # np.load's words for "not an array archive" with pickles off
        reason = "it holds no numeric arrays (an object array, or not an .npz at all)"
    return ValueError(f"Cannot read '{path}' as an .npz archive of arrays: {reason}. The file "
                      f"is truncated, corrupt or of another kind; download it again or write "
                      f"it with np.savez(path, x_train=..., y_train=...).")


def load_npz(path, split="train", labels=False):
    """``x_<split>`` (and ``y_<split>``) from an ``.npz`` file as ``keras.datasets`` writes
    them: x_train, y_train, x_test, y_test."""
    try:
        return _read_npz(path, split, labels)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise _unreadable_npz(path, e) from None
    except ValueError as e:
        if str(e).startswith(f"'{path}'") or str(e).startswith("labels=True"):
            raise  # our own messages
        raise _unreadable_npz(path, e) from None


def _read_npz(path, split, labels):
    archive = np.load(path)
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"'{path}' holds a single array, not an .npz archive; write it with "
                         f"np.savez(path, x_train=..., y_train=...).")
    with archive as f:
        keys = sorted(f.files)
        x_key, y_key = f"x_{split}", f"y_{split}"
        if x_key not in keys:
            raise ValueError(f"'{path}' has no array '{x_key}' for split='{split}'; it holds "
                             f"{keys}. Pass split= one of "
                             f"{[k[2:] for k in keys if k.startswith('x_')] or '(none)'}, or "
                             f"save the arrays as x_train/y_train/x_test/y_test.")
        x = f[x_key]
        y = None
        if labels:
            if y_key not in keys:
                raise ValueError(f"labels=True, but '{path}' has no '{y_key}' array (it holds "
                                 f"{keys}). Pass labels=False or add the labels.")
            y = f[y_key]
    return x, y


_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """An IDX file (the format of MNIST and Fashion-MNIST) as a numpy array; gzip allowed."""
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as e:
        raise ValueError(f"Cannot read the IDX file '{path}': {e}.") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"'{path}' is not an IDX file (bad magic number). IDX files start "
                         f"with two zero bytes, a type code and the number of dimensions.")
    ndim = raw[3]
    dims = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = int(np.prod(dims)) * dtype.itemsize
    body = raw[4 + 4 * ndim:]
    if len(body) != expected:
        raise ValueError(f"The IDX file '{path}' is truncated or corrupt: its header promises "
                         f"{dims} values ({expected} bytes), it holds {len(body)} bytes.")
    return np.frombuffer(body, dtype=dtype).reshape(dims)


def idx_labels_path(images_path):
    """MNIST's naming: train-images-idx3-ubyte -> train-labels-idx1-ubyte (.gz or not)."""
    folder, name = os.path.split(str(images_path))
    base = name.replace("images", "labels").replace("idx3", "idx1")
    stem = base[:-3] if base.endswith(".gz") else base
    for candidate in (stem, stem + ".gz"):
        if candidate != name and os.path.exists(os.path.join(folder, candidate)):
            return os.path.join(folder, candidate)
    return None


def load_idx(path, labels=False):
    x = read_idx(path)
    if x.ndim != 3:
        raise ValueError(f"'{path}' holds an array of shape {x.shape}; expected images "
                         f"(n, height, width) in an idx3 file.")
    y = None
    if labels:
        labels_path = idx_labels_path(path)
        if labels_path is None:
            raise ValueError(f"labels=True, but there is no labels file next to '{path}' "
                             f"(expected e.g. train-labels-idx1-ubyte[.gz]). Pass labels=False "
                             f"or add the file.")
        y = read_idx(labels_path)
        if y.shape != (len(x),):
            raise ValueError(f"'{labels_path}' holds {y.shape} labels for {len(x)} images in "
                             f"'{path}'.")
    return x, y


def is_idx(path):
    name = os.path.basename(str(path))
    return "-idx" in name and "-ubyte" in name
