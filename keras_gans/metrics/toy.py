"""Mode-collapse measures on the 2-D toy mixtures, following VEEGAN (Srivastava et al.
2017) and PacGAN (Lin et al. 2018).

Protocol: draw ``n`` samples (2,500 in those papers); a sample is *high quality* when it
lies within three standard deviations of its nearest mode centre; a mode is *covered*
when at least ``min_count`` high-quality samples fall to it. Reverse KL is
``KL(generated mode histogram || uniform)`` over the high-quality samples, in nats.
"""

import numpy as np

from keras_gans.data import toy


def mode_coverage(samples, distribution, min_count=1):
    """Returns a dict with modes_covered, num_modes, high_quality (fraction), reverse_kl and
    per-mode counts of high-quality samples."""
    dist = toy.get(distribution) if isinstance(distribution, str) else distribution
    samples = np.asarray(samples, dtype="float64")
    if samples.ndim != 2 or samples.shape[1] != 2:
        raise ValueError(f"Expected samples of shape (n, 2); received {samples.shape}.")
    if not np.all(np.isfinite(samples)):
        raise ValueError("The samples contain NaN or infinite values.")
    distances = np.linalg.norm(samples[:, None, :] - dist.centers[None, :, :], axis=-1)
    nearest = distances.argmin(axis=1)
    good = distances[np.arange(len(samples)), nearest] <= 3 * dist.std
    counts = np.bincount(nearest[good], minlength=dist.num_modes)
    if counts.sum() > 0:
        p = counts / counts.sum()
        nonzero = p > 0
        reverse_kl = float(np.sum(p[nonzero] * np.log(p[nonzero] * dist.num_modes)))
    else:
        reverse_kl = float("inf")
    return {
        "modes_covered": int(np.sum(counts >= min_count)),
        "num_modes": dist.num_modes,
        "high_quality": float(good.mean()),
        "reverse_kl": reverse_kl,
        "counts": counts.tolist(),
    }
