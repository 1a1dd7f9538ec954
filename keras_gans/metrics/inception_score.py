"""Inception Score (Salimans et al. 2016): ``exp(E_x KL(p(y|x) || p(y)))`` over the
classifier's predictions on generated samples, mean and std over ``splits`` splits.

Streaming with fixed memory: each sample goes to a random split (seeded, so the same stream
gives the same splits however it is batched; random rather than contiguous because the
total count is not known in advance, and random rather than round-robin so that a
periodic order such as class-sorted batches cannot put one class in each split). Each
split keeps the sum of ``p(y|x)`` and of ``sum_y p log p``, from which its KL mean follows
exactly.
"""

import keras
import numpy as np

from keras_gans.metrics.feature_metric import FeatureMetric


def _softmax(logits):
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@keras.saving.register_keras_serializable(package="keras_gans")
class InceptionScore(FeatureMetric):
    """``update_state(fake=images)`` (reference images are ignored); ``result()`` returns
    ``{"is": mean, "is_std": std}``. Without an extractor it receives class logits (n, k).
    Ranges from 1 (every prediction uniform, or all samples the same class) to k."""

    uses_logits = True

    def __init__(self, extractor=None, splits=10, seed=0, name="inception_score", **kwargs):
        super().__init__(extractor=extractor, name=name, **kwargs)
        if int(splits) < 1:
            raise ValueError(f"`splits` must be a positive integer; received {splits}.")
        self.splits = int(splits)
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        self._vars = None

    def update_state(self, real=None, fake=None, batch_size=64):
        if fake is None:
            return  # the score depends on generated samples only
        super().update_state(None, fake, batch_size)

    def _update(self, side, features, logits):
        if side == "real":
            return
        if logits is None:
            raise ValueError("The Inception Score needs class logits; this extractor gives "
                             "none. Use InceptionV3Extractor or a ClassifierExtractor.")
        p = _softmax(logits.astype("float64"))
        if self._vars is None:
            k = p.shape[1]
            self._vars = (self.add_variable((self.splits, k), "zeros", "float64", name="p_sum"),
                          self.add_variable((self.splits,), "zeros", "float64", name="plogp"),
                          self.add_variable((self.splits,), "zeros", "float64", name="count"))
        p_sum, plogp, count = self._vars
        split = np.floor(self._rng.random(len(p)) * self.splits).astype("int64")
        entropy_terms = np.sum(p * np.log(np.clip(p, 1e-300, None)), axis=1)
        one_hot = np.eye(self.splits)[split]
        p_sum.assign(p_sum.numpy() + one_hot.T @ p)
        plogp.assign(plogp.numpy() + one_hot.T @ entropy_terms)
        count.assign(count.numpy() + one_hot.sum(axis=0))

    def _result(self):
        self._require(0, self.splits)
        p_sum, plogp, count = (v.numpy() for v in self._vars)
        if count.min() == 0:
            raise ValueError(f"A split of the Inception Score received no sample "
                             f"({int(count.sum())} samples over {self.splits} random "
                             f"splits); add samples or lower `splits`.")
        marginal = p_sum / count[:, None]
        kl = plogp / count - np.sum(marginal * np.log(np.clip(marginal, 1e-300, None)), axis=1)
        scores = np.exp(kl)
        return {"is": float(scores.mean()), "is_std": float(scores.std())}

    def reset_state(self):
        super().reset_state()
        self._rng = np.random.default_rng(self.seed)

    def _used(self, side):
        return 0 if side == "real" else super()._used(side)

    def _metric_params(self):
        return {"splits": self.splits, "seed": self.seed}
