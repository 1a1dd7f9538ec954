"""Labelled data from a trained class-conditional GAN, to augment a classifier's training set.

The use most often given for a conditional GAN: train it on the labelled examples you have,
draw extra examples of chosen classes, and train a classifier on real and generated
examples together (e.g. Antoniou, Storkey & Edwards 2017, "Data Augmentation Generative
Adversarial Networks"). Any model whose ``generate`` takes ``labels`` works: ``CGAN``,
``ACGAN`` and ``BigGAN`` (with its truncation trick)::

    real = kg.data.load("mnist", labels=True, batch_size=64)
    ds = kg.data.augment_with_generator(cgan, real, ratio=0.5, labels="match", seed=0)
    classifier.fit(ds, epochs=5)          # each example generated with probability 0.5

    x, y = kg.data.generate_labelled(cgan, 1000, labels="uniform", seed=0)   # numpy
    ds = kg.data.generated_dataset(biggan, 10_000, truncation=1.0, seed=0)     # tf.data
    ds = kg.data.mix_datasets(real, ds, ratio=0.25, seed=0)

Examples are float32 (images in [-1, 1], as ``kg.data.load`` yields them), labels int32.
Not to be confused with ``kg.augment`` (DiffAugment/ADA), which augments what a GAN's
discriminator sees while the GAN trains.
"""

import numpy as np
import tensorflow as tf

from keras_gans.data.arrays import check_array, check_labels

LABEL_CHOICES = ("uniform", "match")


# -- checks -------------------------------------------------------------------------

def check_conditional(model):
    """The number of classes of a class-conditional ``model``; a clear error otherwise."""
    num_classes = getattr(model, "label_classes", None)
    if not isinstance(num_classes, (int, np.integer)) or isinstance(num_classes, bool):
        raise TypeError(
            f"{type(model).__name__} is not a class-conditional generator: labelled examples "
            f"need a model whose generate() draws the classes asked for (its `labels` "
            f"argument) and whose `label_classes` says how many there are. Train a "
            f"kg.models.CGAN, ACGAN or BigGAN on (examples, labels), e.g. "
            f"kg.data.load(..., labels=True).")
    return int(num_classes)


def check_ratio(ratio):
    """``ratio``, the share of generated examples, as a float in [0, 1]."""
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float, np.integer, np.floating)):
        raise TypeError(f"`ratio` must be a number in [0, 1], the share of generated examples "
                        f"in the mixed data; received {ratio!r}.")
    if not 0.0 <= float(ratio) <= 1.0:
        raise ValueError(f"`ratio` must lie in [0, 1]: the share of generated examples in the "
                         f"mixed data (0.5: half real, half generated; 0: real only; 1: "
                         f"generated only); received {ratio!r}. For 'k generated per real "
                         f"example' pass k / (k + 1).")
    return float(ratio)


def check_real_labels(labels, num_classes, what="The real data"):
    """``labels`` as int32 (n,), all in [0, num_classes)."""
    labels = _flat_labels(labels)
    if labels.ndim != 1 or len(labels) == 0 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{what} needs integer class labels, one per example; received an "
                         f"array of shape {labels.shape} and dtype {labels.dtype}. One-hot "
                         f"labels? Pass their argmax(axis=-1).")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"{what} has labels from {labels.min()} to {labels.max()}, but the "
                         f"generator was trained on num_classes={num_classes} (labels in [0, "
                         f"{num_classes})). Use a generator trained on this data's classes, "
                         f"or map the labels to [0, {num_classes}).")
    return labels.astype("int32")


def label_proportions(labels, num_classes, real_labels=None):
    """The share of each class to generate, a float64 vector of ``num_classes``.

    ``labels``: ``"uniform"``; ``"match"`` (the class frequencies of ``real_labels``); or
    ``num_classes`` non-negative weights (proportions or counts), e.g. to draw more of the
    rare classes.
    """
    if isinstance(labels, str):
        if labels == "uniform":
            return np.full(num_classes, 1.0 / num_classes)
        if labels == "match":
            if real_labels is None:
                raise ValueError("labels='match' draws the classes in the proportions of the "
                                 "real labels; pass `real_labels`, or labels='uniform' or one "
                                 "weight per class.")
            real = check_real_labels(real_labels, num_classes)
            return np.bincount(real, minlength=num_classes) / len(real)
        raise ValueError(f"`labels` must be one of {LABEL_CHOICES} or one weight per class; "
                         f"received {labels!r}.")
    weights = np.asarray(labels, dtype="float64")
    if weights.shape != (num_classes,):
        raise ValueError(f"`labels` as class weights needs one weight per class: "
                         f"{num_classes} values (num_classes={num_classes}); received shape "
                         f"{weights.shape}.")
    if not np.all(np.isfinite(weights)) or weights.min() < 0 or weights.sum() <= 0:
        raise ValueError(f"Class weights must be finite, non-negative and not all zero; "
                         f"received {weights.tolist()}.")
    return weights / weights.sum()


def class_counts(proportions, n):
    """``n`` examples shared among the classes in ``proportions`` as closely as integers
    allow (largest remainders), so that every draw honours the proportions exactly."""
    exact = np.asarray(proportions) * n
    counts = np.floor(exact).astype("int64")
    short = int(n - counts.sum())
    if short:
        counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


# -- generated examples -----------------------------------------------------------------

def generate_labelled(model, num_examples, labels="uniform", *, real_labels=None,
                      truncation=None, ema=None, seed=None, batch_size=256):
    """``num_examples`` generated examples and their labels, as numpy ``(x, y)``.

    Args:
        model: a trained class-conditional model (``CGAN``, ``ACGAN``, ``BigGAN``).
        labels: the label distribution: ``"uniform"``, ``"match"`` (that of
            ``real_labels``) or one weight per class. Each class gets its share of
            ``num_examples`` exactly (rounded), in a shuffled order.
        truncation: the model's truncation trick (BigGAN's threshold, see
            ``model.sampling_options``); an error for models without one.
        ema: False samples the raw generator rather than its EMA copy.
        seed: the same seed gives the same labels and examples.
    Returns float32 examples (images in [-1, 1]) and int32 labels of shape (n,).
    """
    num_classes = check_conditional(model)
    if isinstance(num_examples, bool) or not isinstance(num_examples, (int, np.integer)) \
            or num_examples < 1:
        raise ValueError(f"`num_examples` must be a positive integer; received "
                         f"{num_examples!r}.")
    options = model.sampling_options(truncation=truncation, ema=ema)
    proportions = label_proportions(labels, num_classes, real_labels)
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(num_classes, dtype="int32"), class_counts(proportions, num_examples))
    rng.shuffle(y)
    generate_seed = None if seed is None else int(rng.integers(2**31 - 1))
    x = model.generate(len(y), seed=generate_seed, labels=y, batch_size=batch_size, **options)
    return np.asarray(x, dtype="float32"), y


def generated_dataset(model, num_examples, labels="uniform", *, real_labels=None,
                      batch_size=64, shuffle=True, truncation=None, ema=None, seed=None):
    """A ``tf.data.Dataset`` of ``(examples, labels)`` batches drawn once from ``model``.

    The arguments are those of ``generate_labelled``; ``batch_size=None`` yields single
    examples. With ``shuffle`` every pass visits the examples in a new order (the same
    sequence of orders for the same ``seed``).
    """
    x, y = generate_labelled(model, num_examples, labels, real_labels=real_labels,
                             truncation=truncation, ema=ema, seed=seed)
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    if batch_size is not None:
        ds = ds.batch(int(batch_size))
    return ds.prefetch(tf.data.AUTOTUNE)


# -- mixing with real data --------------------------------------------------------------

def _flat_labels(y):
    """Labels of shape (n, 1) as (n,); anything else unchanged."""
    y = np.asarray(y)
    return y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y


def _as_examples(data, what):
    """``data`` (a dataset of ``(x, y)`` batches or single examples, or arrays ``(x, y)``)
    as a dataset of single ``(float32 x, int32 y)`` examples."""
    if isinstance(data, (tuple, list)) and len(data) == 2:
        x = check_array(data[0])
        if x.ndim == 3:  # (n, h, w) grey images
            x = x[..., None]
        return tf.data.Dataset.from_tensor_slices((x, check_labels(_flat_labels(data[1]),
                                                                   len(x))))
    if not isinstance(data, tf.data.Dataset):
        raise TypeError(f"{what} must be a tf.data.Dataset of (examples, labels) or a tuple of "
                        f"arrays (x, y); received {type(data).__name__}.")
    spec = data.element_spec
    if not isinstance(spec, (tuple, list)) or len(spec) < 2:
        raise ValueError(f"{what} must yield (examples, integer labels) pairs; it yields "
                         f"{spec}. Load it with kg.data.load(..., labels=True).")
    if not spec[1].dtype.is_integer:
        raise TypeError(f"{what} has labels of dtype {spec[1].dtype.name}; integer class "
                        f"labels are needed (one-hot labels? map them to their argmax).")
    label_rank = spec[1].shape.rank
    if label_rank is not None and label_rank >= 1:  # batches of (batch,) or (batch, 1)
        data = data.unbatch()
    if label_rank == 2:
        data = data.map(lambda x, y, *rest: (x, y[0]))
    return data.map(lambda x, y, *rest: (tf.cast(x, tf.float32), tf.cast(y, tf.int32)))


def _check_shapes(real, generated):
    real_shape, gen_shape = real.element_spec[0].shape, generated.element_spec[0].shape
    if not real_shape.is_compatible_with(gen_shape):
        raise ValueError(f"Real and generated examples differ in shape: {tuple(real_shape)} "
                         f"against {tuple(gen_shape)}. Train the generator at the real data's "
                         f"size, or resize the real data (kg.data.load(..., image_size=...)).")


def _label_range_check(num_classes):
    message = (f"a real label lies outside [0, {num_classes}), the classes the generator was "
               f"trained on (num_classes={num_classes}); use a generator trained on this "
               f"data's classes")

    def check(x, y):
        with tf.control_dependencies([tf.debugging.assert_non_negative(y, message=message),
                                      tf.debugging.assert_less(y, num_classes,
                                                               message=message)]):
            return x, tf.identity(y)

    return check


def mix_datasets(real, generated, ratio=0.5, *, batch_size=64, seed=None, num_classes=None):
    """Real and generated labelled examples interleaved, a share ``ratio`` of them generated.

    Each example of the output is drawn from ``generated`` with probability ``ratio`` (with
    ``seed``, the same choices on every run). One pass over the output is one pass over
    ``real``; ``generated`` is reshuffled and repeated as often as needed, so size it at
    least ``len(real) * ratio / (1 - ratio)`` for every generated example to be new within
    a pass. ``ratio=1`` yields ``generated`` alone, once; ``ratio=0`` ``real`` alone.

    Args:
        real, generated: datasets of ``(x, y)`` (batched or single examples) or arrays
            ``(x, y)``; examples of the same shape, float images in [-1, 1].
        ratio: the share of generated examples, in [0, 1].
        batch_size: examples per output batch (``None``: single examples).
        num_classes: when given, real labels outside [0, num_classes) raise an error.
    """
    ratio = check_ratio(ratio)
    real = _as_examples(real, "The real data")
    generated = _as_examples(generated, "The generated data")
    _check_shapes(real, generated)
    if num_classes is not None:
        real = real.map(_label_range_check(int(num_classes)))
    if ratio == 0.0:
        mixed = real
    elif ratio == 1.0:
        mixed = generated
    else:
        pool = generated.shuffle(10_000, seed=seed, reshuffle_each_iteration=True).repeat()
        mixed = tf.data.Dataset.sample_from_datasets(
            [real, pool], weights=[1.0 - ratio, ratio], seed=seed, stop_on_empty_dataset=True)
    if batch_size is not None:
        mixed = mixed.batch(int(batch_size))
    return mixed.prefetch(tf.data.AUTOTUNE)


def real_labels_of(real):
    """All labels of a labelled dataset or ``(x, y)`` arrays, as int32 numpy (one pass)."""
    if isinstance(real, tf.data.Dataset):
        ds = _as_examples(real, "The real data").map(lambda x, y: y)
        return np.fromiter(ds.as_numpy_iterator(), dtype="int32")
    return _flat_labels(real[1])


def augment_with_generator(model, real, ratio=0.5, labels="match", *, num_generated=None,
                           batch_size=64, truncation=None, ema=None, seed=None):
    """``real`` labelled data topped up with examples of a class-conditional ``model``.

    Reads the real labels once (for ``labels="match"``, to check them against the model's
    classes, and to count the examples), draws ``num_generated`` examples with
    ``generate_labelled`` (by default as many as one pass over ``real`` uses:
    ``len(real) * ratio / (1 - ratio)``), and mixes them in with ``mix_datasets``.

    Args:
        model: a trained ``CGAN``, ``ACGAN`` or ``BigGAN``.
        real: a dataset of ``(x, y)`` (as ``kg.data.load(..., labels=True)`` yields) or
            arrays ``(x, y)``.
        ratio: the share of generated examples in each pass, in [0, 1].
        labels: the generated label distribution: ``"match"`` the real labels',
            ``"uniform"``, or one weight per class.
        truncation, ema, seed: as ``generate_labelled``; ``seed`` also fixes the mixing.
    Returns a ``tf.data.Dataset`` of ``(float32 examples, int32 labels)`` batches.
    """
    num_classes = check_conditional(model)
    ratio = check_ratio(ratio)
    real_labels = check_real_labels(real_labels_of(real), num_classes)
    if num_generated is None:
        if ratio == 0.0:
            num_generated = 1  # nothing generated is used; drawn to check the options
        elif ratio == 1.0:
            raise ValueError("With ratio=1 (generated examples only) pass `num_generated`, "
                             "the number of examples to draw.")
        else:
            num_generated = max(1, int(np.ceil(len(real_labels) * ratio / (1.0 - ratio))))
    generated = generated_dataset(model, num_generated, labels, real_labels=real_labels,
                                  batch_size=None, shuffle=False, truncation=truncation,
                                  ema=ema, seed=seed)
    return mix_datasets(real, generated, ratio, batch_size=batch_size, seed=seed)
