"""Dropout and Gaussian noise whose draws respect ``tf.distribute`` replicas.

Keras's ``Dropout`` and ``GaussianNoise`` draw each replica's noise from the same seed, so
under ``MirroredStrategy`` every replica applies the same mask to its own share of the
batch, and the masks differ from the ones one device draws for the whole batch. These
layers draw through ``distribute.replica_random`` instead: each example gets the noise one
device would give it, so training on N replicas matches training on one.
"""

import keras
from keras import ops

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute


class _ReplicaNoise(keras.layers.Layer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="seed_generator")
        self.supports_masking = True

    def _draw(self, x, sample):
        """``sample(shape)`` for every example of the global batch; this replica's rows."""
        rest = tuple(x.shape[1:])
        if any(d is None for d in rest):
            raise ValueError(f"{type(self).__name__} needs inputs of known size beyond the "
                             f"batch axis; received shape {tuple(x.shape)}.")
        return distribute.replica_random(lambda n: sample((n, *rest)), ops.shape(x)[0])

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="keras_gans")
class ReplicaDropout(_ReplicaNoise):
    """``keras.layers.Dropout`` (inverted dropout: kept units scaled by ``1 / (1 - rate)``,
    identity at inference) with replica-consistent masks."""

    def __init__(self, rate, seed=None, **kwargs):
        if not 0.0 <= float(rate) < 1.0:
            raise ValueError(f"`rate` must lie in [0, 1); received {rate!r}.")
        super().__init__(seed, **kwargs)
        self.rate = float(rate)

    def call(self, x, training=False):
        if not training or self.rate == 0.0:
            return x
        keep = self._draw(x, lambda shape: keras.random.uniform(
            shape, seed=self.seed_generator)) >= self.rate
        return ops.where(keep, x / ops.cast(1.0 - self.rate, x.dtype), ops.zeros_like(x))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package="keras_gans")
class ReplicaGaussianNoise(_ReplicaNoise):
    """``keras.layers.GaussianNoise`` (adds N(0, stddev^2) noise in training, identity at
    inference) with replica-consistent noise."""

    def __init__(self, stddev, seed=None, **kwargs):
        if float(stddev) < 0:
            raise ValueError(f"`stddev` must be >= 0; received {stddev!r}.")
        super().__init__(seed, **kwargs)
        self.stddev = float(stddev)

    def call(self, x, training=False):
        if not training or self.stddev == 0.0:
            return x
        noise = self._draw(x, lambda shape: keras.random.normal(
            shape, stddev=self.stddev, seed=self.seed_generator))
        return x + ops.cast(noise, x.dtype)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}
