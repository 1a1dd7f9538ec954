"""Scores the generator during ``fit``: every ``every`` epochs, generates ``num_samples``
images and writes each metric's values into the epoch logs, hence into the History."""

import keras
import numpy as np

from keras_gans.metrics import extractors as extractors_lib
from keras_gans.metrics.evaluate import feed, get_metric


@keras.saving.register_keras_serializable(package="keras_gans")
class EvaluationCallback(keras.callbacks.Callback):
    """Logs sample-quality metrics into ``fit``'s history.

    Args:
        metrics: metric names (``"fid"``, ``"kid"``, ``"is"``, ``"pr"``, ``"dc"``) or one name.
        reference: reference images, float (n, h, w, c) in [-1, 1]. Their features are
            extracted once and reused every evaluation.
        extractor: a FeatureExtractor, an evaluator name or path, or ``"inception"``.
        every: evaluate after every ``every``-th epoch (and never on the others).
        num_samples: generated samples per evaluation.
        seed: the generation seed (the same latents every time, so epochs compare).

    Keys in ``logs``: the metrics' result keys (``fid``, ``kid``, ``kid_std``, ``precision``,
    ...); the protocol of the last evaluation is in ``callback.protocols``.
    """

    def __init__(self, metrics, reference, extractor, every=1, num_samples=1000, seed=0,
                 batch_size=250, reference_name=None):
        super().__init__()
        self.metric_names = [metrics] if isinstance(metrics, str) else list(metrics)
        self.reference = np.asarray(reference, "float32")
        if self.reference.ndim < 2 or len(self.reference) < 2:
            raise ValueError(f"`reference` must hold at least 2 samples; received shape "
                             f"{self.reference.shape}.")
        self.extractor = extractors_lib.get(extractor)
        if int(every) < 1:
            raise ValueError(f"`every` must be a positive integer; received {every}.")
        self.every = int(every)
        self.num_samples = int(num_samples)
        self.seed = seed
        self.batch_size = int(batch_size)
        self.reference_name = reference_name
        self._real = None
        self.protocols = {}

    def _real_features(self):
        if self._real is None:
            out = [self.extractor(self.reference[i:i + self.batch_size], self.batch_size)
                   for i in range(0, len(self.reference), self.batch_size)]
            self._real = (np.concatenate([o["features"] for o in out]),
                          np.concatenate([o["logits"] for o in out]))
        return self._real

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every != 0 or logs is None:
            return
        metrics = [get_metric(m, extractor=self.extractor, reference=self.reference_name)
                   for m in self.metric_names]
        features, logits = self._real_features()
        for m in metrics:
            m.update_features("real", features, logits)
        for i in range(0, self.num_samples, self.batch_size):
            n = min(self.batch_size, self.num_samples - i)
            fake = self.model.generate(n, seed=self.seed + i // self.batch_size)
            feed(metrics, self.extractor, fake, "fake", self.batch_size)
        for name, m in zip(self.metric_names, metrics):
            logs.update(m.result())
            self.protocols[name] = m.protocol().to_dict()

    def get_config(self):
        return {"metrics": self.metric_names, "every": self.every,
                "num_samples": self.num_samples, "seed": self.seed,
                "batch_size": self.batch_size, "reference_name": self.reference_name}
