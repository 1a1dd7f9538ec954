"""Kernel Inception Distance (Bińkowski et al. 2018): the unbiased estimator of the squared
MMD with the cubic polynomial kernel ``k(x, y) = (x.y / d + 1)^3``, averaged over random
subsets; reported as mean and standard deviation over the subsets."""

import keras
import numpy as np

from keras_gans.metrics.feature_metric import StoredFeatureMetric


def polynomial_kernel(x, y):
    d = x.shape[1]
    return (x @ y.T / d + 1.0) ** 3


def mmd2_unbiased(x, y):
    """Unbiased MMD^2 between samples ``x`` (m, d) and ``y`` (n, d): the diagonal terms
    k(x_i, x_i) are left out of the within-sample means."""
    x, y = np.asarray(x, "float64"), np.asarray(y, "float64")
    m, n = len(x), len(y)
    if m < 2 or n < 2:
        raise ValueError(f"The unbiased MMD needs at least 2 samples per side; received "
                         f"{m} and {n}.")
    kxx, kyy, kxy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1))
                 + (kyy.sum() - np.trace(kyy)) / (n * (n - 1)) - 2.0 * kxy.mean())


def mmd2_biased(x, y):
    """The biased (V-statistic) MMD^2, kept for comparison: positive even for x ~ y."""
    x, y = np.asarray(x, "float64"), np.asarray(y, "float64")
    return float(polynomial_kernel(x, x).mean() + polynomial_kernel(y, y).mean()
                 - 2.0 * polynomial_kernel(x, y).mean())


def kernel_distance(real, fake, subset_size=1000, num_subsets=100, seed=0):
    """Mean and std of the unbiased MMD^2 over ``num_subsets`` random subsets of
    ``min(subset_size, n_real, n_fake)`` samples drawn without replacement from each side."""
    rng = np.random.default_rng(seed)
    m = min(int(subset_size), len(real), len(fake))
    values = [mmd2_unbiased(real[rng.choice(len(real), m, replace=False)],
                            fake[rng.choice(len(fake), m, replace=False)])
              for _ in range(int(num_subsets))]
    return float(np.mean(values)), float(np.std(values)), m


@keras.saving.register_keras_serializable(package="keras_gans")
class KID(StoredFeatureMetric):
    """Kernel Inception Distance: ``result()`` returns ``{"kid": mean, "kid_std": std}``.

    Keeps at most ``max_samples`` features per side (a uniform reservoir sample); the
    subsets are drawn from those.
    """

    def __init__(self, extractor=None, subset_size=1000, num_subsets=100, max_samples=10_000,
                 seed=0, name="kid", **kwargs):
        super().__init__(extractor=extractor, max_samples=max_samples, seed=seed, name=name,
                         **kwargs)
        self.subset_size = int(subset_size)
        self.num_subsets = int(num_subsets)

    def _result(self):
        self._require(2, 2)
        mean, std, m = kernel_distance(self.features("real"), self.features("fake"),
                                       self.subset_size, self.num_subsets, self.seed)
        self._effective_subset = m
        return {"kid": mean, "kid_std": std}

    def _metric_params(self):
        return {**super()._metric_params(), "subset_size": self.subset_size,
                "num_subsets": self.num_subsets}

    def _protocol_extras(self):
        return {"kernel": "(x.y/d + 1)^3", "estimator": "unbiased MMD^2"}
