"""Sub-pixel convolution's rearrangement (Shi et al. 2016), used by SRResNet/SRGAN.

A convolution computes ``r * r`` times the channels at low resolution; the shuffle moves
each group of ``r * r`` channels into an ``r x r`` block of pixels, enlarging the image by
``r`` without the checkerboard artefacts of transposed convolutions.
"""

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401


@keras.saving.register_keras_serializable(package="keras_gans")
class PixelShuffle(keras.layers.Layer):
    """(batch, h, w, c * r^2) -> (batch, h * r, w * r, c)."""

    def __init__(self, upscale_factor=2, **kwargs):
        super().__init__(**kwargs)
        if int(upscale_factor) < 2:
            raise ValueError(f"`upscale_factor` must be an integer >= 2; received "
                             f"{upscale_factor!r}.")
        self.upscale_factor = int(upscale_factor)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(f"PixelShuffle takes images (batch, height, width, channels); "
                             f"received shape {tuple(input_shape)}.")
        channels, block = input_shape[-1], self.upscale_factor ** 2
        if channels is not None and channels % block:
            raise ValueError(f"PixelShuffle({self.upscale_factor}) needs a channel count "
                             f"divisible by {block}; received {channels} channels. Make the "
                             f"preceding convolution output a multiple of {block}.")
        super().build(input_shape)

    def call(self, x):
        return tf.nn.depth_to_space(x, self.upscale_factor)

    def compute_output_shape(self, input_shape):
        r = self.upscale_factor
        batch, h, w, c = input_shape
        return (batch, None if h is None else h * r, None if w is None else w * r,
                None if c is None else c // (r * r))

    def get_config(self):
        return {**super().get_config(), "upscale_factor": self.upscale_factor}
