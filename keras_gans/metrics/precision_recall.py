"""Improved precision and recall (Kynkäänniemi et al. 2019). Each sample set defines a
manifold: the union of balls around its samples with radius the distance to the sample's
k-th nearest neighbour (k = 3). Precision is the fraction of generated samples inside the
reference manifold; recall the fraction of reference samples inside the generated one."""

import keras
import numpy as np

from keras_gans.metrics import neighbours
from keras_gans.metrics.feature_metric import StoredFeatureMetric


def precision_recall(real, fake, k=3):
    real, fake = np.asarray(real, "float64"), np.asarray(fake, "float64")
    real_radii = neighbours.kth_neighbour_radii(real, k)
    fake_radii = neighbours.kth_neighbour_radii(fake, k)
    precision = float(np.mean(neighbours.ball_counts(fake, real, real_radii) > 0))
    recall = float(np.mean(neighbours.ball_counts(real, fake, fake_radii) > 0))
    return precision, recall


@keras.saving.register_keras_serializable(package="keras_gans")
class PrecisionRecall(StoredFeatureMetric):
    """``result()`` returns ``{"precision": p, "recall": r}``, both in [0, 1]. Keeps at most
    ``max_samples`` features per side (uniform reservoir sample); the cost is O(n^2 d)."""

    def __init__(self, extractor=None, k=3, max_samples=10_000, seed=0,
                 name="precision_recall", **kwargs):
        super().__init__(extractor=extractor, max_samples=max_samples, seed=seed, name=name,
                         **kwargs)
        self.k = int(k)

    def _result(self):
        self._require(self.k + 1, self.k + 1)
        p, r = precision_recall(self.features("real"), self.features("fake"), self.k)
        return {"precision": p, "recall": r}

    def _metric_params(self):
        return {**super()._metric_params(), "k": self.k}
