"""Fréchet Inception Distance (Heusel et al. 2017): the Fréchet distance between Gaussian
fits of reference and generated features,
``|mu_r - mu_g|^2 + tr(S_r) + tr(S_g) - 2 tr((S_r S_g)^(1/2))``.

Streaming with fixed memory: running float64 sums of features and of their outer products
for each side (2 * (d + d^2) numbers), so the result is exact for any number of samples.
"""

import keras
import numpy as np

from keras_gans.metrics.feature_metric import FeatureMetric


def _psd_sqrt(matrix):
    w, v = np.linalg.eigh(matrix)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2), in float64.

    ``tr((S1 S2)^(1/2))`` is computed as the sum of the square roots of the eigenvalues of
    ``S1^(1/2) S2 S1^(1/2)``, which is symmetric PSD, so ``eigh`` is stable where a general
    matrix square root of the non-symmetric ``S1 S2`` can return complex noise.
    """
    mu1, mu2 = np.asarray(mu1, "float64"), np.asarray(mu2, "float64")
    sigma1, sigma2 = np.asarray(sigma1, "float64"), np.asarray(sigma2, "float64")
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise ValueError(f"Mismatched statistics: means {mu1.shape} vs {mu2.shape}, "
                         f"covariances {sigma1.shape} vs {sigma2.shape}.")
    root1 = _psd_sqrt(sigma1)
    middle = root1 @ sigma2 @ root1
    eig = np.linalg.eigvalsh((middle + middle.T) / 2)
    tr_covmean = np.sum(np.sqrt(np.clip(eig, 0.0, None)))
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * tr_covmean)


@keras.saving.register_keras_serializable(package="keras_gans")
class FID(FeatureMetric):
    """Fréchet distance of Gaussian fits of reference and generated features.

    ``update_state(real, fake)`` adds images (or features with ``extractor=None``);
    ``result()`` returns ``{"fid": float}``; ``report()`` adds the protocol. Needs at least
    two samples per side; use 10,000 or more for stable values with 2048-d features (FID is
    biased upwards at small n).
    """

    def __init__(self, extractor=None, name="fid", **kwargs):
        super().__init__(extractor=extractor, name=name, **kwargs)
        self._sums = {}

    def _stats_vars(self, side, d):
        if side not in self._sums:
            for s in ("real", "fake"):
                self._sums[s] = (
                    self.add_variable((d,), "zeros", dtype="float64", name=f"{s}_sum"),
                    self.add_variable((d, d), "zeros", dtype="float64", name=f"{s}_outer"))
        return self._sums[side]

    def _update(self, side, features, logits):
        x = features.astype("float64")
        total, outer = self._stats_vars(side, x.shape[1])
        if total.shape[0] != x.shape[1]:
            raise ValueError(f"Feature size {x.shape[1]} differs from the {total.shape[0]} "
                             f"seen before; reset_state() before changing extractors.")
        total.assign(total + x.sum(axis=0))
        outer.assign(outer + x.T @ x)

    def statistics(self, side):
        """Mean and (unbiased) covariance of one side's features, float64."""
        n = int((self.num_real if side == "real" else self.num_fake).numpy())
        total, outer = (np.asarray(v.numpy()) for v in self._sums[side])
        mu = total / n
        return mu, (outer - n * np.outer(mu, mu)) / (n - 1)

    def _result(self):
        self._require(2, 2)
        return {"fid": frechet_distance(*self.statistics("real"), *self.statistics("fake"))}

    def _metric_params(self):
        return {}
