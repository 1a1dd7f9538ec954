"""The base of the sample-quality metrics: a ``keras.metrics.Metric`` fed with reference
(real) and generated (fake) images batch by batch.

    fid = kg.metrics.FID(extractor="mnist")
    for real, fake in batches:
        fid.update_state(real, fake)       # either may be None: update_state(fake=x)
    fid.result()                           # {"fid": 3.2}
    fid.report()                           # {"fid": 3.2, "protocol": {...}}

With ``extractor=None`` the metric receives features (n, d) instead of images.
"""

import warnings

import keras
import numpy as np

from keras_gans.metrics import extractors as extractors_lib
from keras_gans.metrics.protocol import Protocol


class FeatureMetric(keras.metrics.Metric):
    """Subclasses implement ``_update(side, features, logits)``, ``_result()`` and
    ``_metric_params()``; ``side`` is ``"real"`` or ``"fake"``."""

    uses_logits = False

    def __init__(self, extractor=None, reference=None, truncation=None, ema=None,
                 name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.extractor = extractors_lib.get(extractor)
        self.reference = reference
        self.truncation = truncation
        self.ema = ema
        self.num_real = self.add_variable((), "zeros", dtype="int64", name="num_real")
        self.num_fake = self.add_variable((), "zeros", dtype="int64", name="num_fake")

    def update_state(self, real=None, fake=None, batch_size=64):
        """Adds a batch of reference images ``real`` and/or generated images ``fake``
        (float in [-1, 1]; features (n, d) when the metric has no extractor)."""
        if real is None and fake is None:
            raise ValueError("update_state needs `real` (reference) or `fake` (generated) "
                             "samples; both were None.")
        for side, x in (("real", real), ("fake", fake)):
            if x is None:
                continue
            features, logits = self._features(x, batch_size)
            self.update_features(side, features, logits)

    def update_features(self, side, features, logits=None):
        """Adds already extracted features (and logits) of side ``"real"`` or ``"fake"``;
        lets several metrics share one extraction (see ``keras_gans.metrics.evaluate``)."""
        if side not in ("real", "fake"):
            raise ValueError(f"`side` must be 'real' or 'fake'; received {side!r}.")
        if len(features) == 0:
            return
        self._update(side, np.asarray(features, "float32"),
                     None if logits is None else np.asarray(logits, "float32"))
        counter = self.num_real if side == "real" else self.num_fake
        counter.assign(counter + len(features))

    def _features(self, x, batch_size):
        if self.extractor is not None:
            out = self.extractor(x, batch_size=batch_size)
            return out["features"], out["logits"]
        x = np.asarray(keras.ops.convert_to_numpy(x), "float32")
        if x.ndim != 2:
            raise ValueError(f"{type(self).__name__} without an extractor expects features of "
                             f"shape (n, d); received {x.shape}. Pass extractor='inception' "
                             f"or an evaluator name to feed images.")
        if not np.all(np.isfinite(x)):
            raise ValueError("The samples contain NaN or infinite values.")
        return x, (x if self.uses_logits else None)

    def result(self):
        return self._result()

    def _require(self, real_min=0, fake_min=0):
        have = {"reference": (self._used("real"), real_min),
                "generated": (self._used("fake"), fake_min)}
        short = [f"at least {need} {side} samples (it has {n})"
                 for side, (n, need) in have.items() if need and n < need]
        if short:
            raise ValueError(f"{type(self).__name__} needs {' and '.join(short)}. Call "
                             f"update_state(real, fake) with more samples.")

    def protocol(self):
        fields = self.extractor.protocol_fields() if self.extractor is not None else {}
        return Protocol(metric={"name": self.name, **self._metric_params(),
                                **self._protocol_extras()},
                        num_real=self._used("real"), num_fake=self._used("fake"),
                        reference=self.reference, truncation=self.truncation, ema=self.ema,
                        **fields)

    def _protocol_extras(self):
        return {}

    def _used(self, side):
        return int((self.num_real if side == "real" else self.num_fake).numpy())

    def report(self):
        """``result()`` with the protocol it was measured under."""
        return {**self.result(), "protocol": self.protocol().to_dict()}

    def get_config(self):
        extractor = None
        if self.extractor is not None:
            extractor = keras.saving.serialize_keras_object(self.extractor)
        return {"name": self.name, "dtype": self.dtype, "extractor": extractor,
                "reference": self.reference, "truncation": self.truncation, "ema": self.ema,
                **self._metric_params()}


class Reservoir:
    """A uniform random subset of at most ``capacity`` rows of a stream (reservoir sampling,
    Vitter's algorithm R), so that the memory is fixed and a sorted stream (e.g. reference
    images ordered by class) is still sampled evenly."""

    def __init__(self, capacity, seed=None):
        if int(capacity) < 2:
            raise ValueError(f"`max_samples` must be at least 2; received {capacity}.")
        self.capacity = int(capacity)
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.reset()

    def reset(self):
        self.rng = np.random.default_rng(self.seed)
        self.rows = None
        self.seen = 0

    def add(self, x):
        x = np.asarray(x, "float32")
        if self.rows is None:
            self.rows = np.empty((self.capacity, x.shape[1]), "float32")
        elif x.shape[1] != self.rows.shape[1]:
            raise ValueError(f"Feature size changed from {self.rows.shape[1]} to "
                             f"{x.shape[1]} between batches.")
        t = self.seen + np.arange(len(x))
        slots = np.where(t < self.capacity, t,
                         np.floor(self.rng.random(len(x)) * (t + 1)).astype("int64"))
        keep = slots < self.capacity
        # Algorithm R is sequential: when two rows of a batch draw the same slot the later
        # one wins, which fancy assignment already does (last write wins).
        self.rows[slots[keep]] = x[keep]
        self.seen += len(x)

    @property
    def values(self):
        return self.rows[:min(self.seen, self.capacity)] if self.rows is not None else \
            np.zeros((0, 0), "float32")


class StoredFeatureMetric(FeatureMetric):
    """A metric that needs the features themselves (k-NN, kernel): keeps a uniform subset
    of at most ``max_samples`` real and fake features (reservoir sampling; fixed memory
    2 * max_samples * d floats). The protocol records how many were used."""

    def __init__(self, max_samples=10_000, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.max_samples = int(max_samples)
        self.seed = seed
        self._reservoirs = {"real": Reservoir(max_samples, seed),
                            "fake": Reservoir(max_samples, None if seed is None else seed + 1)}
        self._warned = False

    def _update(self, side, features, logits):
        r = self._reservoirs[side]
        if r.seen + len(features) > r.capacity and not self._warned:
            self._warned = True
            warnings.warn(f"{self.name}: more than max_samples={self.max_samples} {side} "
                          f"samples; a uniform random subset of {self.max_samples} is kept "
                          f"(raise max_samples for more, at O(n^2) cost).", stacklevel=3)
        r.add(features)

    def features(self, side):
        return self._reservoirs[side].values

    def _used(self, side):
        return int(min(self._reservoirs[side].seen, self.max_samples))

    def reset_state(self):
        super().reset_state()
        for r in self._reservoirs.values():
            r.reset()

    def _metric_params(self):
        return {"max_samples": self.max_samples, "seed": self.seed}
