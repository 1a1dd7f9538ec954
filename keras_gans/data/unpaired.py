"""Unpaired image batches for CycleGAN and SimGAN: ``(x, y)`` pairs where ``x`` comes from
one domain and ``y`` from another, with no correspondence between them."""

import numpy as np
import tensorflow as tf


def _side(source, split, batch_size, shuffle, seed, options):
    from keras_gans import data

    if isinstance(source, tf.data.Dataset):
        if len(source.element_spec.shape if hasattr(source.element_spec, "shape") else ()) != 4:
            raise ValueError("A tf.data.Dataset passed to load_unpaired must yield batches of "
                             "images (batch, height, width, channels); batch it first.")
        return source
    if isinstance(source, np.ndarray):
        return data.from_arrays(source, batch_size, None, shuffle, seed, options["drop_remainder"],
                                image_size=options["image_size"], crop=options["crop"],
                                channels=options["channels"], cache=options["cache"])
    return data.load(source, batch_size=batch_size, split=split, shuffle=shuffle, seed=seed,
                     **options)


def load_unpaired(x, y=None, batch_size=1, image_size=None, split="train", shuffle=True,
                  seed=None, drop_remainder=True, crop=None, channels=None, cache=False,
                  data_dir=None):
    """A ``tf.data.Dataset`` of ``(x_batch, y_batch)`` from two unrelated image sources.

    Args:
        x, y: each an image folder, any name or path ``kg.data.load`` takes, a numpy array
            of images, or a batched ``tf.data.Dataset``. With ``y=None``, ``x`` must be a
            tfds ``cycle_gan/<name>`` data set, whose ``trainA``/``trainB`` (or
            ``testA``/``testB`` for ``split="test"``) splits are the two domains.
        batch_size: images per batch on each side (CycleGAN uses 1).
        image_size, crop, channels, cache, data_dir: as for ``kg.data.load``.
        drop_remainder: keep every batch full on both sides.

    One epoch is as long as the larger side; the smaller side repeats (in a new order each
    pass when shuffled), as CycleGAN's data loader does.
    """
    if y is None:
        if not (isinstance(x, str) and x.startswith("cycle_gan/")):
            raise ValueError("load_unpaired needs two sources (x and y), or a single tfds "
                             "'cycle_gan/<name>' data set whose A and B splits are the domains.")
        suffix = "train" if split == "train" else "test" if split == "test" else None
        if suffix is None:
            raise ValueError(f"With a cycle_gan data set, split must be 'train' or 'test'; "
                             f"received {split!r}.")
        x, y, splits = x, x, (f"{suffix}A", f"{suffix}B")
    else:
        splits = (split, split)
    options = dict(image_size=image_size, crop=crop, channels=channels, cache=cache,
                   drop_remainder=drop_remainder)
    load_options = dict(options, data_dir=data_dir) if data_dir else options
    a = _side(x, splits[0], batch_size, shuffle, seed, load_options)
    b = _side(y, splits[1], batch_size, shuffle, None if seed is None else seed + 1,
              load_options)
    na, nb = int(a.cardinality()), int(b.cardinality())
    if na == 0 or nb == 0:
        raise ValueError(f"One side of the unpaired data is empty (x: {na} batches, y: {nb} "
                         f"batches). Check the sources, and that batch_size <= the number of "
                         f"images when drop_remainder=True.")
    if na > 0 and nb > 0:
        steps = max(na, nb)
        return tf.data.Dataset.zip((a.repeat(), b.repeat())).take(steps)
    return tf.data.Dataset.zip((a, b))
