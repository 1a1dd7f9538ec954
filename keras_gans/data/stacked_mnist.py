"""Stacked MNIST (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018): three MNIST
digits, drawn independently and uniformly, as the R, G and B channels of one 28x28x3 image,
so that the data has 10^3 = 1,000 equally likely modes. The papers train on 128,000 such
images.

``load("stacked_mnist")`` (``kg.data.load``) builds them from MNIST the way the other
public data sets are read (a local ``mnist.npz`` in ``$KERAS_GANS_DATA``, else TensorFlow
Datasets). The images are gathered per batch from the 60,000 digits, since 128,000 float32
images would take 1.2 GB; with ``labels=True`` the label of an image is its mode,
100 * R + 10 * G + B.
"""

import numpy as np
import tensorflow as tf

from keras_gans.data import pipeline, public
from keras_gans.data.arrays import load_npz

NAME = "stacked_mnist"
NUM_MODES = 1000
PAPER_SIZE = 128_000


def stack_indices(num_digits, num, seed=0):
    """(num, 3) int indices into ``num_digits`` digits: one independent uniform draw per
    channel of each stacked image."""
    if int(num) < 1:
        raise ValueError(f"A stacked-MNIST set needs at least one image; received num={num!r}.")
    return np.random.default_rng(seed).integers(0, int(num_digits), size=(int(num), 3))


def mnist_digits(split="train"):
    """MNIST's grey digits (n, 28, 28) uint8 and their labels (n,) for ``split``, from the
    local copy in ``$KERAS_GANS_DATA`` when there is one, else from TensorFlow Datasets."""
    kind, where = public.resolve("mnist")
    if kind == "file":
        x, y = load_npz(where, split, labels=True)
    else:
        x, y = public.tfds_arrays(where, split)
    x = np.asarray(x)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    return x.astype("uint8"), np.asarray(y).astype("int32")


def from_digits(digits, digit_labels=None, num=PAPER_SIZE, batch_size=64, seed=0,
                shuffle=True, drop_remainder=False, repeat=False):
    """A batched data set of ``num`` stacked images in [-1, 1] built from grey ``digits``
    (n, 28, 28) uint8; with ``digit_labels`` (n,) each batch also carries the images' modes
    (int32, 100 * R + 10 * G + B). The same ``seed`` draws the same images."""
    digits = np.asarray(digits)
    if digits.ndim == 4 and digits.shape[-1] == 1:
        digits = digits[..., 0]
    if digits.ndim != 3:
        raise ValueError(f"Stacked MNIST is built from grey digits (n, height, width); "
                         f"received an array of shape {digits.shape}.")
    idx = stack_indices(len(digits), num, seed).astype("int32")
    table = tf.constant(digits.astype("uint8"))
    label_table = None if digit_labels is None else tf.constant(
        np.asarray(digit_labels).astype("int32"))

    def gather(batch_idx):
        channels = [tf.gather(table, batch_idx[:, c]) for c in range(3)]
        images = tf.cast(tf.stack(channels, axis=-1), tf.float32) / 127.5 - 1.0
        if label_table is None:
            return images
        modes = (100 * tf.gather(label_table, batch_idx[:, 0])
                 + 10 * tf.gather(label_table, batch_idx[:, 1])
                 + tf.gather(label_table, batch_idx[:, 2]))
        return images, modes

    ds = tf.data.Dataset.from_tensor_slices(idx)
    ds = pipeline.finish(ds, batch_size, shuffle=shuffle, seed=seed,
                         drop_remainder=drop_remainder, shuffle_buffer=int(num))
    if repeat:
        ds = ds.repeat()
    return ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def load_stacked_mnist(batch_size=64, split="train", labels=False, shuffle=True, seed=None,
                       drop_remainder=False, num_examples=None):
    """``kg.data.load("stacked_mnist", ...)``: ``num_examples`` (default 128,000, the
    papers' size) stacked images of ``split``'s digits, drawn with ``seed`` (default 0)."""
    digits, digit_labels = mnist_digits(split)
    return from_digits(digits, digit_labels if labels else None,
                       num=num_examples or PAPER_SIZE, batch_size=batch_size,
                       seed=0 if seed is None else seed, shuffle=shuffle,
                       drop_remainder=drop_remainder)
