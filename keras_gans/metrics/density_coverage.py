"""Density and coverage (Naeem et al. 2020), with k = 5 nearest-neighbour balls around the
reference samples only, which makes them robust to outliers among the generated ones:

- density: how many reference balls contain a generated sample, on average, divided by k
  (about 1 when the two distributions match; above 1 when samples crowd dense regions);
- coverage: the fraction of reference balls that contain at least one generated sample.
"""

import keras
import numpy as np

from keras_gans.metrics import neighbours
from keras_gans.metrics.feature_metric import StoredFeatureMetric


def density_coverage(real, fake, k=5):
    real, fake = np.asarray(real, "float64"), np.asarray(fake, "float64")
    radii = neighbours.kth_neighbour_radii(real, k)
    density = float(neighbours.ball_counts(fake, real, radii).sum() / (k * len(fake)))
    coverage = float(np.mean(neighbours.nearest_distances(real, fake) <= radii))
    return density, coverage


@keras.saving.register_keras_serializable(package="keras_gans")
class DensityCoverage(StoredFeatureMetric):
    """``result()`` returns ``{"density": d, "coverage": c}``. Keeps at most ``max_samples``
    features per side (uniform reservoir sample)."""

    def __init__(self, extractor=None, k=5, max_samples=10_000, seed=0,
                 name="density_coverage", **kwargs):
        super().__init__(extractor=extractor, max_samples=max_samples, seed=seed, name=name,
                         **kwargs)
        self.k = int(k)

    def _result(self):
        self._require(self.k + 1, 1)
        d, c = density_coverage(self.features("real"), self.features("fake"), self.k)
        return {"density": d, "coverage": c}

    def _metric_params(self):
        return {**super()._metric_params(), "k": self.k}
