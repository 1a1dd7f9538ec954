"""Mode counts from a domain classifier's predictions.

- ``class_coverage``: histogram of predicted classes of generated samples, classes hit, and
  ``KL(generated class histogram || uniform)``.
- Stacked MNIST (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018): three MNIST digits
  stacked as the channels of one colour image give 10^3 = 1,000 modes. Each channel is
  classified by the MNIST evaluator; the mode is ``100 d_R + 10 d_G + d_B``. Reported: the
  number of modes with at least one sample (PacGAN counts over 26,000 samples) and
  ``KL(generated mode histogram || uniform over 1,000)``, in nats.
"""

import numpy as np

from keras_gans.data.stacked_mnist import NUM_MODES, stack_indices


def _kl_to_uniform(counts):
    counts = np.asarray(counts, "float64")
    if counts.sum() == 0:
        return float("inf")
    p = counts / counts.sum()
    nz = p > 0
    return float(np.sum(p[nz] * np.log(p[nz] * len(counts))))


def _labels(predictions, num_classes=None):
    predictions = np.asarray(predictions)
    if predictions.ndim == 2:  # logits or probabilities
        num_classes = num_classes or predictions.shape[1]
        predictions = predictions.argmax(axis=1)
    if predictions.ndim != 1 or not np.issubdtype(predictions.dtype, np.integer):
        raise ValueError(f"Expected integer class labels (n,) or logits (n, classes); "
                         f"received {predictions.dtype} array of shape {predictions.shape}.")
    return predictions, num_classes


def class_coverage(predictions, num_classes=None, min_count=1):
    """Histogram of classes from labels (n,) or logits (n, k)."""
    labels, num_classes = _labels(predictions, num_classes)
    if num_classes is None:
        raise ValueError("Pass `num_classes` when giving integer labels.")
    counts = np.bincount(labels, minlength=num_classes)
    return {"classes_covered": int(np.sum(counts >= min_count)), "num_classes": num_classes,
            "kl_to_uniform": _kl_to_uniform(counts), "counts": counts.tolist()}


def stacked_mnist_modes(digits):
    """Mode statistics from per-channel digit predictions ``digits`` (n, 3) in 0-9 (R, G, B)."""
    digits = np.asarray(digits)
    if digits.ndim != 2 or digits.shape[1] != 3:
        raise ValueError(f"Expected one predicted digit per channel, shape (n, 3); received "
                         f"{digits.shape}.")
    if digits.size and (digits.min() < 0 or digits.max() > 9):
        raise ValueError("Digit predictions must lie in 0-9.")
    modes = digits[:, 0] * 100 + digits[:, 1] * 10 + digits[:, 2]
    counts = np.bincount(modes, minlength=NUM_MODES)
    return {"modes_covered": int(np.sum(counts >= 1)), "num_modes": NUM_MODES,
            "kl_to_uniform": _kl_to_uniform(counts), "num_samples": int(len(digits)),
            "counts": counts.tolist()}


def _channel_probabilities(images, classifier, batch_size):
    """Class probabilities (n, 3, 10) of each channel of stacked-MNIST ``images``."""
    images = np.asarray(images, "float32")
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"Expected stacked-MNIST images (n, h, w, 3); received "
                         f"{images.shape}.")
    if not np.all(np.isfinite(images)):
        raise ValueError("The stacked-MNIST images hold non-finite values (a diverged "
                         "generator?); there is nothing to classify.")
    n = len(images)
    channels = np.concatenate([images[..., c:c + 1] for c in range(3)])  # (3n, h, w, 1)
    logits = np.asarray(classifier.predict(channels, batch_size=batch_size, verbose=0),
                        "float64")
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    return probs.reshape(3, n, -1).transpose(1, 0, 2)


def classify_stacked_mnist(images, classifier, batch_size=500):
    """Per-channel digits (n, 3) of stacked-MNIST images (n, 28, 28, 3) in [-1, 1], with a
    grey MNIST classifier (a keras.Model giving logits, e.g. ``load_evaluator("mnist")``)."""
    return _channel_probabilities(images, classifier, batch_size).argmax(axis=-1)


def stacked_mnist_coverage(images, classifier, confidence=0.9, batch_size=500):
    """``stacked_mnist_modes`` of ``images`` read by ``classifier`` (one pass), plus how
    surely the digits were read: a half-formed digit is read as some digit too, so
    ``confident_channels`` is the share of channels read with probability >=
    ``confidence``, ``confident_samples`` the share of images with all three so read, and
    ``modes_confident`` the modes those images cover."""
    probs = _channel_probabilities(images, classifier, batch_size)
    digits = probs.argmax(axis=-1)
    stats = stacked_mnist_modes(digits)
    confident = probs.max(axis=-1) >= confidence
    sure = confident.all(axis=1)
    stats.update(confident_channels=float(confident.mean()),
                 confident_samples=float(sure.mean()),
                 modes_confident=stacked_mnist_modes(digits[sure])["modes_covered"])
    return stats


def make_stacked_mnist(images, num, seed=0):
    """``num`` stacked-MNIST images from grey MNIST images (m, 28, 28[, 1]) and the digit
    indices used per channel: three independent uniform draws per image."""
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    idx = stack_indices(len(images), num, seed)
    return np.stack([images[idx[:, c]] for c in range(3)], axis=-1), idx
