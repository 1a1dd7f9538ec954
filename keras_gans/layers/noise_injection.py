"""Per-layer noise inputs (Karras et al. 2019, StyleGAN section 3.2).

One channel of Gaussian noise per pixel is added to every feature map, scaled by a learned
per-channel factor (initially zero). It gives the generator a cheap source of stochastic
detail (hair, pores) without spending its latent code on it.
"""

import keras
from keras import ops

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute


@keras.saving.register_keras_serializable(package="keras_gans")
class NoiseInjection(keras.layers.Layer):
    """``x + strength * noise`` with ``noise`` of shape ``(batch, h, w, 1)``.

    In training the noise is drawn afresh at every call (from the layer's
    ``SeedGenerator``); at inference (``training=False``) it is a fixed noise image drawn
    when the layer is built and saved with it, so that sampling is deterministic (the
    ``noise_mode='const'`` of StyleGAN2's generator).
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="seed_generator")

    def build(self, input_shape):
        if len(input_shape) != 4 or None in input_shape[1:]:
            raise ValueError(f"NoiseInjection takes (batch, height, width, channels) inputs of "
                             f"known size; received shape {tuple(input_shape)}.")
        _, height, width, channels = input_shape
        self.strength = self.add_weight(shape=(channels,), initializer="zeros", name="strength")
        self.const_noise = self.add_weight(shape=(1, height, width, 1), name="const_noise",
                                           initializer=keras.initializers.RandomNormal(0.0, 1.0),
                                           trainable=False)

    def call(self, x, training=False):
        if training:
            height, width = x.shape[1], x.shape[2]
            noise = distribute.replica_random(
                lambda n: keras.random.normal((n, height, width, 1), seed=self.seed_generator),
                ops.shape(x)[0])
        else:
            noise = self.const_noise
        return x + ops.cast(noise, x.dtype) * ops.cast(self.strength, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}
