"""Pixelwise feature vector normalization (Karras et al. 2018, ProGAN section 4.2).

After each convolution of ProGAN's generator, each pixel's feature vector is divided by its
root mean square over channels, ``b = a / sqrt(mean_c(a^2) + eps)``. It has no weights; it
keeps the generator's and discriminator's magnitudes from escalating.
"""

import keras
from keras import ops

from keras_gans import _backend  # noqa: F401


@keras.saving.register_keras_serializable(package="keras_gans")
class PixelNorm(keras.layers.Layer):
    """Normalize the last axis to unit root mean square. Works on any rank >= 2."""

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def call(self, x):
        return x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
