"""tf.data pipelines that yield batches ready for ``GAN.fit``.

Embedded data sets (offline, no download): ``"digits"`` (scikit-learn's 8x8 digits) and
the 2-D toy mixtures ``"ring8"`` and ``"grid25"``. Arrays can be passed directly.
"""

import numpy as np
import tensorflow as tf

from keras_gans.data import toy
from keras_gans.data.digits import load_digits_arrays

EMBEDDED = ("digits", "ring8", "grid25")

__all__ = ["load", "from_arrays", "load_digits_arrays", "toy", "EMBEDDED"]


def from_arrays(x, batch_size, labels=None, shuffle=True, seed=None, drop_remainder=False):
    """A shuffled, batched, prefetched dataset of ``x`` (and ``labels`` when given)."""
    x = np.asarray(x)
    if len(x) == 0:
        raise ValueError("Cannot build a data set from an empty array (0 examples).")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"Expected float examples in [-1, 1]; received dtype {x.dtype}. "
                        f"Scale uint8 images with x / 127.5 - 1.")
    if int(batch_size) < 1:
        raise ValueError(f"`batch_size` must be a positive integer; received {batch_size!r}.")
    elements = x if labels is None else (x, np.asarray(labels))
    ds = tf.data.Dataset.from_tensor_slices(elements)
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(int(batch_size), drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def load(name, batch_size=64, image_size=None, labels=False, shuffle=True, seed=None,
         drop_remainder=False, num_examples=None):
    """A batched ``tf.data.Dataset`` of float32 examples (images in [-1, 1]).

    Args:
        name: ``"digits"``, ``"ring8"`` or ``"grid25"``.
        batch_size: examples per batch.
        image_size: int or (height, width) to resize images to.
        labels: also yield integer labels (digits only).
        shuffle, seed: shuffle order, reproducible for a given seed.
        drop_remainder: drop the last partial batch (needed for distributed training).
        num_examples: size of the toy data sets (default 100,000 points).
    """
    if name == "digits":
        x, y = load_digits_arrays(image_size)
        return from_arrays(x, batch_size, y if labels else None, shuffle, seed, drop_remainder)
    if name in toy.TOY_DISTRIBUTIONS:
        if labels:
            raise ValueError(f"The toy data set '{name}' has no class labels; call "
                             f"load('{name}', labels=False).")
        points, _ = toy.get(name).sample(num_examples or 100_000, seed=seed)
        return from_arrays(points, batch_size, None, shuffle, seed, drop_remainder)
    raise ValueError(f"Unknown data set '{name}'. Embedded data sets: {', '.join(EMBEDDED)}.")
