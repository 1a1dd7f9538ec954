"""tf.data pipelines that yield batches ready for ``GAN.fit``.

``load`` takes a name or a path and returns a shuffled, batched, prefetched
``tf.data.Dataset`` of float32 examples (images in [-1, 1]), with integer labels when asked:

* embedded, offline: ``"digits"`` (scikit-learn's 8x8 digits), the 2-D toys ``"ring8"`` and
  ``"grid25"``;
* ``"stacked_mnist"``: three MNIST digits as the channels of one image, 1,000 modes
  (``keras_gans.data.stacked_mnist``; labels are the modes);
* TensorFlow Datasets names: ``"mnist"``, ``"fashion_mnist"``, ``"cifar10"``, ``"celeb_a"``,
  ``"cycle_gan/horse2zebra"``, ...; for ``mnist`` and ``fashion_mnist`` a local copy in
  ``$KERAS_GANS_DATA`` is read instead of downloading (``keras_gans.data.public``);
* local files: an image folder, an ``.npz`` file in the ``keras.datasets`` layout, an IDX
  file (``*-idx3-ubyte[.gz]``), a CSV table (``.csv``, ``.csv.gz``: rows encoded by
  ``tabular.TabularTransformer``; ``TabularGAN.make_dataset`` adds CTGAN's conditions).

Tables by name (``"adult"``) and the splits that table recipes train on are
``keras_gans.data.tables``'.

``from_arrays`` does the same for in-memory arrays. ``generated_dataset``, ``mix_datasets``
and ``augment_with_generator`` turn a trained class-conditional GAN into labelled training
data for a classifier (``keras_gans.data.generated``).
"""

import os

import tensorflow as tf

from keras_gans.data import pipeline, public, stacked_mnist, tables, tabular, toy
from keras_gans.data.arrays import (check_array, from_arrays, is_idx, load_idx, load_npz,
                                    read_idx)
from keras_gans.data.digits import load_digits_arrays
from keras_gans.data.generated import (augment_with_generator, generate_labelled,
                                       generated_dataset, mix_datasets)
from keras_gans.data.images import load_folder
from keras_gans.data.semi_supervised import keep_labels, load_semi_supervised, semi_supervised
from keras_gans.data.super_resolution import super_resolution_pairs
from keras_gans.data.synthetic_digits import synthetic_digits
from keras_gans.data.unpaired import load_unpaired

EMBEDDED = ("digits", "ring8", "grid25")

__all__ = ["load", "load_unpaired", "super_resolution_pairs", "synthetic_digits", "from_arrays",
           "load_digits_arrays", "read_idx", "toy", "tabular", "tables", "keep_labels",
           "semi_supervised",
           "load_semi_supervised", "generate_labelled", "generated_dataset", "mix_datasets",
           "augment_with_generator", "EMBEDDED"]


def load(name_or_path, batch_size=64, image_size=None, split="train", labels=False,
         shuffle=True, seed=None, drop_remainder=False, num_examples=None, *, crop=None,
         channels=None, cache=False, data_dir=None, shuffle_buffer=None, value_range=None,
         validate=True):
    """A batched ``tf.data.Dataset`` of float32 examples (images in [-1, 1]).

    Args:
        name_or_path: an embedded name, a tfds name, or the path of an image folder,
            ``.npz`` file or IDX file.
        batch_size: examples per batch.
        image_size: int or (height, width) to resize images to (bilinear, antialiased).
        split: ``"train"``/``"test"`` (npz, tfds; tfds also takes e.g. ``"train[:10%]"``
            and cycle_gan's ``"trainA"``).
        labels: also yield int32 labels (class sub-folders, ``y_<split>``, the IDX labels
            file, tfds's ``label`` feature).
        shuffle, seed: shuffle every epoch; with a seed, the same orders on every run.
        drop_remainder: drop the last partial batch (needed for distributed training).
        num_examples: size of the toy data sets (default 100,000 points) and of stacked
            MNIST (default 128,000 images).
        crop: ``"center"`` (largest centred square) or (height, width), before resizing.
        channels: ``None`` (keep; RGBA becomes RGB), 1 (grey) or 3 (RGB). Alpha is composited
            over white.
        cache: ``True`` caches decoded examples in memory, a path caches them in files.
        data_dir: where tfds keeps its data sets.
        value_range: the range float images of an ``.npz`` file lie in, (-1, 1) by default.
        validate: decode every file of an image folder once up front, so that a corrupt
            file is named, and check that sizes agree.
    """
    pipeline.check_options(batch_size, channels, crop)
    finish = dict(batch_size=batch_size, shuffle=shuffle, seed=seed,
                  drop_remainder=drop_remainder, cache=cache, shuffle_buffer=shuffle_buffer)
    image_opts = dict(image_size=image_size, crop=crop, channels=channels)
    name = os.fspath(name_or_path) if isinstance(name_or_path, os.PathLike) else name_or_path
    if not isinstance(name, str):
        raise TypeError(f"`name_or_path` must be a data set name or a path; received "
                        f"{type(name_or_path).__name__}. For arrays use kg.data.from_arrays.")

    if name == "digits":
        x, y = load_digits_arrays(image_size)
        return from_arrays(x, batch_size, y if labels else None, shuffle, seed, drop_remainder,
                           crop=crop, channels=channels, cache=cache)
    if name in toy.TOY_DISTRIBUTIONS:
        if labels:
            raise ValueError(f"The toy data set '{name}' has no class labels; call "
                             f"load('{name}', labels=False).")
        points, _ = toy.get(name).sample(num_examples or 100_000, seed=seed)
        return from_arrays(points, batch_size, None, shuffle, seed, drop_remainder, cache=cache)

    if name == stacked_mnist.NAME:
        if image_size is not None or crop is not None or channels not in (None, 3) or cache:
            raise ValueError("Stacked MNIST is built from 28x28 digits as three channels, per "
                             "batch: it takes no image_size, crop, channels or cache option.")
        return stacked_mnist.load_stacked_mnist(batch_size, split, labels, shuffle, seed,
                                                drop_remainder, num_examples)
    if name in public.PUBLIC:
        kind, where = public.resolve(name)
        if kind == "file":  # a local copy in $KERAS_GANS_DATA: no download
            return load(where, batch_size, image_size, split, labels, shuffle, seed,
                        drop_remainder, num_examples, crop=crop, channels=channels,
                        cache=cache, data_dir=data_dir, shuffle_buffer=shuffle_buffer,
                        value_range=value_range, validate=validate)
        name = where
    if os.path.exists(name):
        if os.path.isdir(name):
            ds = load_folder(name, labels, validate=validate, **image_opts)
            return pipeline.finish(ds, **finish)
        if name.lower().endswith((".csv", ".csv.gz")):
            transformer = tabular.TabularTransformer(seed=seed or 0).fit(name)
            return pipeline.finish(
                tf.data.Dataset.from_tensor_slices(transformer.transform(name)), **finish)
        if name.endswith(".npz"):
            x, y = load_npz(name, split, labels)
        elif is_idx(name):
            x, y = load_idx(name, labels)
        else:
            raise ValueError(f"Cannot tell what kind of data '{name}' holds. Pass an image "
                             f"folder, an .npz file (x_train, y_train, ...) or an IDX file "
                             f"(*-idx3-ubyte[.gz]) or a CSV table (.csv, .csv.gz).")
        return from_arrays(x, batch_size, y, shuffle, seed, drop_remainder, cache=cache,
                           value_range=value_range or (-1.0, 1.0), **image_opts)

    from keras_gans.data import tfds as tfds_source

    if tfds_source.is_tfds_name(name):
        ds, count = tfds_source.load_tfds(name, split, labels, data_dir=data_dir, **image_opts)
        if shuffle and not shuffle_buffer:
            finish["shuffle_buffer"] = min(count or 10_000, 10_000)
        return pipeline.finish(ds, **finish)
    if any(sep in name for sep in ("/", os.sep, ".")):
        raise ValueError(f"No such file or folder: '{name}'. Check the path (relative paths "
                         f"start from {os.getcwd()}).")
    raise ValueError(f"Unknown data set '{name}'. Embedded data sets: {', '.join(EMBEDDED)}; "
                     f"or a TensorFlow Datasets name (e.g. mnist, cifar10), or the path of an "
                     f"image folder, .npz or IDX file.")
