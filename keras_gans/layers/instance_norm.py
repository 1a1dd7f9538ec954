"""Instance normalization (Ulyanov, Vedaldi & Lempitsky 2016).

Each example's channels are normalized over their own height and width, so the statistics
never mix examples: the layer behaves the same in training and inference, for any batch
size (CycleGAN trains with batches of one) and under any number of replicas.
"""

import keras
from keras import ops

from keras_gans import _backend  # noqa: F401


@keras.saving.register_keras_serializable(package="keras_gans")
class InstanceNormalization(keras.layers.Layer):
    """``(x - mean_hw) / sqrt(var_hw + epsilon)`` per example and channel, then an optional
    learned per-channel scale (``scale``) and offset (``center``).

    Equivalent to ``keras.layers.GroupNormalization(groups=channels)``, written out so that
    it works with an unknown channel count at construction and reads as its paper.
    """

    def __init__(self, epsilon=1e-5, center=True, scale=True, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(f"InstanceNormalization takes images (batch, height, width, "
                             f"channels); received shape {tuple(input_shape)}.")
        channels = input_shape[-1]
        if channels is None:
            raise ValueError("InstanceNormalization needs a known channel count.")
        self.gamma = self.add_weight(shape=(channels,), initializer="ones", name="gamma",
                                     trainable=True) if self.scale else None
        self.beta = self.add_weight(shape=(channels,), initializer="zeros", name="beta",
                                    trainable=True) if self.center else None
        super().build(input_shape)

    def call(self, x):
        dtype = x.dtype
        x = ops.cast(x, "float32")
        mean, variance = ops.moments(x, axes=(1, 2), keepdims=True)
        x = (x - mean) * ops.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            x = x * ops.cast(self.gamma, x.dtype)
        if self.beta is not None:
            x = x + ops.cast(self.beta, x.dtype)
        return ops.cast(x, dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale}
