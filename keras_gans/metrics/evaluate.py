"""Scoring a generator against a reference data set with a shared feature extractor: the
protocol behind ``keras-gans eval`` and ``EvaluationCallback``."""

import os
import warnings

import numpy as np

from keras_gans.metrics import evaluators
from keras_gans.metrics import extractors as extractors_lib
from keras_gans.metrics.density_coverage import DensityCoverage
from keras_gans.metrics.fid import FID
from keras_gans.metrics.inception_score import InceptionScore
from keras_gans.metrics.kid import KID
from keras_gans.metrics.precision_recall import PrecisionRecall

METRICS = {"fid": FID, "kid": KID, "is": InceptionScore, "pr": PrecisionRecall,
           "dc": DensityCoverage}
REFERENCES = ("mnist", "fashion_mnist", "cifar10", "anime", "digits")


def get_metric(name, extractor=None, **kwargs):
    if name not in METRICS:
        raise ValueError(f"Unknown metric '{name}'. Available: {', '.join(METRICS)} "
                         f"(pr: precision/recall, dc: density/coverage).")
    return METRICS[name](extractor=extractor, **kwargs)


def default_extractor(reference):
    """The domain evaluator for MNIST, Fashion-MNIST, CIFAR-10 and the anime faces;
    InceptionV3 otherwise."""
    if reference in evaluators.EVALUATORS:
        return extractors_lib.ClassifierExtractor(reference)
    return extractors_lib.InceptionV3Extractor()


def reference_images(reference, split="train", num=None, image_size=None, data_dir=None,
                     seed=0):
    """Float images in [-1, 1] of a reference data set and the protocol label
    ``"name:split"``. ``num`` draws a uniform random subset (without replacement)."""
    if reference == "digits":
        from keras_gans.data import load_digits_arrays

        x, _ = load_digits_arrays(image_size)
        label = "digits:all (sklearn, 1,797)"
    elif reference in evaluators.EVALUATORS:
        x, _ = evaluators.load_reference_arrays(reference, split, data_dir)
        x = evaluators.to_unit_range(x)
        label = f"{reference}:{split}"
    elif os.path.exists(str(reference)):
        x = _folder_images(str(reference), image_size)
        label = f"{os.path.basename(os.path.normpath(str(reference)))}:all ({len(x):,})"
    else:
        raise ValueError(f"Unknown reference data set '{reference}'. Available: "
                         f"{', '.join(REFERENCES)}, or the path of an image folder or .npz "
                         f"file.")
    if num is not None and num < len(x):
        x = x[np.sort(np.random.default_rng(seed).choice(len(x), num, replace=False))]
    return x, label


def _folder_images(path, image_size):
    """Every image of a folder or .npz file (kg.data.load's reading, in file order), resized
    to ``image_size``, as one float array in [-1, 1]."""
    from keras_gans import data

    batches = data.load(path, batch_size=500, image_size=image_size, shuffle=False)
    return np.concatenate([np.asarray(b[0] if isinstance(b, tuple) else b)
                           for b in batches.as_numpy_iterator()])


def feed(metrics, extractor, images, side, batch_size=250):
    """Extracts features once per batch and adds them to every metric."""
    for i in range(0, len(images), batch_size):
        out = extractor(images[i:i + batch_size], batch_size=batch_size)
        for m in metrics:
            m.update_features(side, out["features"], out["logits"])


def evaluate(model, metrics=("fid",), reference="mnist", num_samples=10_000, split="train",
             num_reference=None, extractor=None, data_dir=None, batch_size=250, seed=0,
             truncation=None, ema=None):
    """Scores ``model.generate`` samples against a reference data set.

    Returns ``{metric: {values..., "protocol": {...}}}``.
    """
    image_size = None
    if reference == "digits" or os.path.exists(str(reference)):
        image_size = tuple(model.generate(1, seed=seed).shape[1:3])
    real, label = reference_images(reference, split, num_reference, image_size, data_dir, seed)
    extractor = extractors_lib.get(extractor) or default_extractor(reference)
    # Sample as the protocol records: with the truncation and generator it names.
    sampling = model.sampling_options(truncation=truncation, ema=ema)
    objs = [get_metric(m, extractor=extractor, reference=label, truncation=truncation, ema=ema)
            for m in metrics]
    with warnings.catch_warnings():
        # The k-NN and kernel metrics keep a uniform subset of a large reference; each
        # report's protocol says how many they used, so the warning would only repeat it.
        warnings.filterwarnings("ignore", message=".*a uniform random subset of")
        feed(objs, extractor, real, "real", batch_size)
        for i in range(0, num_samples, batch_size):
            n = min(batch_size, num_samples - i)
            fake = model.generate(n, seed=seed + 1 + i // batch_size, **sampling)
            feed(objs, extractor, fake, "fake", batch_size)
    return {name: m.report() for name, m in zip(metrics, objs)}
