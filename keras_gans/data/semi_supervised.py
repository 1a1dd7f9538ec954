"""Batches for semi-supervised training (SGAN): a few labelled examples, many unlabelled.

A label of -1 marks an unlabelled example. ``keep_labels`` chooses which labels to keep;
``semi_supervised`` builds batches whose first ``labelled_batch_size`` examples come from the
small labelled pool (reshuffled and repeated as often as needed) and the rest from all the
data with their labels hidden, as Salimans et al. (2016) feed a labelled and an unlabelled
minibatch at every step.
"""

import numpy as np
import tensorflow as tf

from keras_gans.data.arrays import check_array, check_labels

UNLABELLED = -1


def keep_labels(labels, per_class, seed=None):
    """A copy of ``labels`` where all but ``per_class`` examples of each class (chosen at
    random with ``seed``) are set to -1 (unlabelled)."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"`labels` must be a 1-D array of integers; received shape "
                         f"{labels.shape} and dtype {labels.dtype}.")
    rng = np.random.default_rng(seed)
    out = np.full(labels.shape, UNLABELLED, "int32")
    for c in np.unique(labels[labels >= 0]):
        where = np.flatnonzero(labels == c)
        if len(where) < per_class:
            raise ValueError(f"Class {c} has {len(where)} examples, fewer than "
                             f"per_class={per_class}.")
        chosen = rng.choice(where, int(per_class), replace=False)
        out[chosen] = labels[chosen]
    return out


def semi_supervised(x, labels, batch_size=100, labelled_batch_size=None, seed=None,
                    value_range=(-1.0, 1.0)):
    """Batches ``(x, y)`` mixing labelled and unlabelled examples; y = -1 where unlabelled.

    Args:
        x: all training examples (float in ``value_range`` or uint8 images).
        labels: one label per example, -1 for the unlabelled ones (see ``keep_labels``).
        batch_size: examples per batch.
        labelled_batch_size: how many of them come from the labelled pool (default half).
    Every unlabelled pass is one epoch: ``len(x) // (batch_size - labelled_batch_size)``
    batches, the labelled pool repeated within it.
    """
    x = check_array(x, value_range)
    labels = check_labels(labels, len(x))
    labelled = np.flatnonzero(labels >= 0)
    if len(labelled) == 0:
        raise ValueError("No labelled example (every label is -1); keep some labels with "
                         "kg.data.keep_labels(y, per_class=...).")
    labelled_batch_size = int(labelled_batch_size or batch_size // 2)
    unlabelled_batch_size = int(batch_size) - labelled_batch_size
    if labelled_batch_size < 1 or unlabelled_batch_size < 1:
        raise ValueError(f"`labelled_batch_size` must lie in [1, batch_size); received "
                         f"{labelled_batch_size} for batch_size={batch_size}.")
    pool = tf.data.Dataset.from_tensor_slices((x[labelled], labels[labelled]))
    pool = pool.shuffle(len(labelled), seed=seed, reshuffle_each_iteration=True).repeat()
    pool = pool.batch(labelled_batch_size, drop_remainder=True)
    hidden = np.full(len(x), UNLABELLED, "int32")
    rest = tf.data.Dataset.from_tensor_slices((x, hidden))
    rest = rest.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    rest = rest.batch(unlabelled_batch_size, drop_remainder=True)

    def join(a, b):
        return tf.concat([a[0], b[0]], axis=0), tf.concat([a[1], b[1]], axis=0)

    return tf.data.Dataset.zip(pool, rest).map(join).prefetch(tf.data.AUTOTUNE)


def load_semi_supervised(name_or_path, labels_per_class, batch_size=100,
                         labelled_batch_size=None, seed=None, split="train"):
    """``semi_supervised`` batches from a labelled data set that keeps ``labels_per_class``
    labels of each class (chosen with ``seed``) and hides the rest: what a recipe's
    ``data: {name: ..., labels_per_class: 10}`` trains an SGAN on.

    ``name_or_path``: ``"digits"``, a public data set name (``"mnist"``: its local copy or
    TensorFlow Datasets, see ``keras_gans.data.public``), an ``.npz`` file (``x_<split>``,
    ``y_<split>``) or an IDX images file with its labels file beside it.
    """
    from keras_gans.data.arrays import is_idx, load_idx, load_npz
    from keras_gans.data.digits import load_digits_arrays

    from keras_gans.data import public

    name = str(name_or_path)
    if name in public.PUBLIC:
        kind, name = public.resolve(name)
        if kind == "tfds":
            x, y = public.tfds_arrays(name, split)
            name = None
    if name is None:
        pass
    elif name == "digits":
        x, y = load_digits_arrays()
    elif name.endswith(".npz"):
        x, y = load_npz(name, split, labels=True)
    elif is_idx(name):
        x, y = load_idx(name, labels=True)
    else:
        raise ValueError(f"Semi-supervised data (labels_per_class) comes from 'digits', an .npz "
                         f"file or an IDX file with labels; received '{name}'.")
    if len(x) and np.ndim(x) == 3:
        x = x[..., None]
    kept = keep_labels(np.asarray(y).astype("int64"), labels_per_class, seed=seed)
    return semi_supervised(x, kept, batch_size=batch_size,
                           labelled_batch_size=labelled_batch_size, seed=seed)
