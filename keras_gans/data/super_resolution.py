"""(low-resolution, high-resolution) training pairs for super-resolution (SRGAN).

As in Ledig et al. (2017): random high-resolution patches are cropped from the images and
each is shrunk by the scale factor with bicubic interpolation (antialiased) to make its
low-resolution input.
"""

import os

import numpy as np
import tensorflow as tf

from keras_gans.data import images as images_lib
from keras_gans.data import pipeline


def downsample(high_res, scale):
    """Bicubic, antialiased downsampling of a batch or an image by ``scale`` (clipped to
    [-1, 1])."""
    shape = tf.shape(high_res)
    size = tf.stack([shape[-3] // scale, shape[-2] // scale])
    low = tf.image.resize(high_res, size, method="bicubic", antialias=True)
    return tf.clip_by_value(low, -1.0, 1.0)


def _single_images(source, channels, shuffle, seed):
    """A data set of single float images in [-1, 1], of possibly different sizes, in a
    random order (reshuffled each pass) when ``shuffle``."""
    if isinstance(source, (str, os.PathLike)):
        paths, _, _ = images_lib.list_images(os.fspath(source))
        if channels is None:  # decoded files have no static depth: take the first file's
            depth = int(images_lib.decode(paths[0]).shape[-1])
            channels = 1 if depth in (1, 2) else 3
        ds = tf.data.Dataset.from_tensor_slices(paths)
        if shuffle:  # file names are cheap to shuffle all at once (folders sort by class)
            ds = ds.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
        ds = ds.map(lambda p: pipeline.to_unit_float(images_lib.to_rgba(images_lib.decode(p))))
    elif isinstance(source, tf.data.Dataset):
        ds = source.map(pipeline.to_unit_float)
        if shuffle:
            ds = ds.shuffle(256, seed=seed, reshuffle_each_iteration=True)
    else:
        arrays = [np.asarray(a) for a in source]
        for a in arrays:
            if a.ndim != 3:
                raise ValueError(f"Each image must be (height, width, channels); received an "
                                 f"array of shape {a.shape}. Add a channel axis to grey images.")
        dtype = tf.uint8 if arrays[0].dtype == np.uint8 else tf.float32
        ds = tf.data.Dataset.from_generator(
            lambda: iter(arrays), output_signature=tf.TensorSpec((None, None, None), dtype))
        ds = ds.map(pipeline.to_unit_float)
        if shuffle:
            ds = ds.shuffle(256, seed=seed, reshuffle_each_iteration=True)
    if channels is not None:
        ds = ds.map(lambda image: pipeline.set_channels(image, channels))
    return ds


def super_resolution_pairs(source, hr_size=96, scale=4, batch_size=16, crops_per_image=1,
                           channels=None, shuffle=True, seed=None, repeat=True,
                           drop_remainder=True):
    """A ``tf.data.Dataset`` of ``(low_res, high_res)`` batches.

    Args:
        source: an image folder, a list (or array) of images (uint8 or float in [-1, 1];
            sizes may differ), or a ``tf.data.Dataset`` of single images.
        hr_size: side of the high-resolution patches (96 in the paper); the images must be
            at least this large.
        scale: the downsampling factor (4).
        crops_per_image: random patches taken from each image per pass.
        channels: ``None`` (keep; for a folder, the first file's: grey or RGB), 1 or 3.
            RGBA files are composited over white.
        repeat: repeat forever (pass ``steps_per_epoch`` to ``fit``), else one pass.
    """
    if hr_size % scale:
        raise ValueError(f"`hr_size` ({hr_size}) must be a multiple of `scale` ({scale}).")
    ds = _single_images(source, channels, shuffle, seed)
    if repeat:
        ds = ds.repeat()
    ds = ds.flat_map(lambda image: tf.data.Dataset.from_tensors(image).repeat(crops_per_image))
    # Each crop's position comes from its own stateless seed, drawn from a seeded stream in
    # step with the images, so a seeded pipeline yields the same patches on every run (a
    # resumed recipe run sees the batches of an uninterrupted one).
    crop_seeds = tf.data.Dataset.random(seed=seed).batch(2)

    def crop(image, crop_seed):
        shape = tf.shape(image)
        tf.debugging.assert_greater_equal(
            tf.minimum(shape[0], shape[1]), hr_size,
            message=f"An image is smaller than hr_size={hr_size}; pass a smaller hr_size or "
                    f"larger images.")
        patch = tf.image.stateless_random_crop(image, tf.stack([hr_size, hr_size, shape[2]]),
                                               seed=crop_seed)
        return downsample(patch, scale), patch

    ds = tf.data.Dataset.zip((ds, crop_seeds))
    ds = ds.map(crop, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    return ds.prefetch(tf.data.AUTOTUNE)
