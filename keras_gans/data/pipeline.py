"""The steps every source shares: pixel scaling, channels, crop and resize of one
example, then cache, shuffle, batch and prefetch of the whole data set."""

import os

import numpy as np
import tensorflow as tf


def image_size_tuple(image_size):
    """``None``, an int or (height, width) -> ``None`` or a (height, width) tuple."""
    if image_size is None:
        return None
    size = (image_size, image_size) if isinstance(image_size, (int, np.integer)) else image_size
    size = tuple(int(s) for s in size)
    if len(size) != 2 or min(size) < 1:
        raise ValueError(f"`image_size` must be a positive int or (height, width); received "
                         f"{image_size!r}.")
    return size


def check_options(batch_size, channels, crop):
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive integer; received {batch_size!r}.")
    if channels not in (None, 1, 3):
        raise ValueError(f"`channels` must be None (keep), 1 (grey) or 3 (RGB); received "
                         f"{channels!r}.")
    if crop is not None and crop != "center":
        image_size_tuple(crop)  # raises with a clear message if malformed


def to_unit_float(image):
    """uint8 [0, 255] -> float32 [-1, 1]; float images are assumed scaled already."""
    if image.dtype == tf.uint8:
        return tf.cast(image, tf.float32) / 127.5 - 1.0
    return tf.cast(image, tf.float32)


def set_channels(image, channels):
    """Convert an image in [-1, 1] to ``channels`` channels.

    RGBA is composited over a white background (a transparent pixel becomes white) rather
    than dropping alpha, which would reveal whatever colour the transparent pixels hold.
    With ``channels=None`` grey and RGB stay as they are and RGBA becomes RGB.
    """
    depth = image.shape[-1]
    if depth == 4:
        rgb, alpha = image[..., :3], (image[..., 3:] + 1.0) / 2.0
        image = rgb * alpha + 1.0 * (1.0 - alpha)
        depth = 3
    if depth == 2:  # grey + alpha
        grey, alpha = image[..., :1], (image[..., 1:] + 1.0) / 2.0
        image = grey * alpha + 1.0 * (1.0 - alpha)
        depth = 1
    if channels is None or channels == depth:
        return image
    if channels == 3 and depth == 1:
        return tf.tile(image, [1, 1, 3])
    if channels == 1 and depth == 3:
        # ITU-R 601 luma, as tf.image.rgb_to_grayscale, applied to [-1, 1] values (linear).
        return tf.image.rgb_to_grayscale(image)
    raise ValueError(f"Cannot convert images with {depth} channels to {channels}.")


def center_crop(image, crop):
    """``"center"``: the largest centred square; an int or (h, w): a centred box that size."""
    static_h, static_w = image.shape[0], image.shape[1]
    shape = tf.shape(image)
    h = static_h if static_h is not None else shape[0]
    w = static_w if static_w is not None else shape[1]
    if crop == "center":
        ch = cw = min(h, w) if isinstance(h, int) and isinstance(w, int) else tf.minimum(h, w)
    else:
        ch, cw = image_size_tuple(crop)
        tf.debugging.assert_less_equal(
            [ch, cw], [h, w], message=f"crop={crop!r} is larger than an image; pass a smaller "
                                      f"crop or crop='center'.")
    return tf.image.crop_to_bounding_box(image, (h - ch) // 2, (w - cw) // 2, ch, cw)


def image_transform(image_size=None, crop=None, channels=None):
    """The per-example function: any-dtype image (h, w, c) -> float32 in [-1, 1]."""
    size = image_size_tuple(image_size)

    def transform(image):
        image = set_channels(to_unit_float(image), channels)
        if crop is not None:
            image = center_crop(image, crop)
        if size is not None:
            image = tf.image.resize(image, size, method="bilinear", antialias=True)
            image = tf.clip_by_value(image, -1.0, 1.0)
        return image

    return transform


def map_images(ds, transform):
    """Apply ``transform`` to the image of each element, an image or (image, label)."""
    if isinstance(ds.element_spec, tuple):
        return ds.map(lambda x, y: (transform(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.map(transform, num_parallel_calls=tf.data.AUTOTUNE)


def finish(ds, batch_size, shuffle=True, seed=None, drop_remainder=False, cache=False,
           shuffle_buffer=None):
    """Cache, shuffle, batch and prefetch a data set of single examples.

    The cache comes before the shuffle so that every epoch still gets a new order; with a
    ``seed`` the sequence of orders is the same on every run.
    """
    if cache:
        if cache is not True:
            os.makedirs(os.path.dirname(os.path.abspath(str(cache))), exist_ok=True)
        ds = ds.cache("" if cache is True else str(cache))
    if shuffle:
        buffer = shuffle_buffer or int(ds.cardinality())
        if buffer < 1:  # unknown or infinite cardinality
            buffer = 10_000
        ds = ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(int(batch_size), drop_remainder=drop_remainder)
    return ds.prefetch(tf.data.AUTOTUNE)
