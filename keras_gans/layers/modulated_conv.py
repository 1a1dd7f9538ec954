"""Modulated and demodulated convolution (Karras et al. 2020, StyleGAN2 section 2.2).

StyleGAN2 replaces AdaIN, whose normalization caused the "droplet" artifacts, by scaling
the convolution weights with the style, ``w'_ijk = s_i w_ijk``, and then (demodulation)
dividing each output channel's weights by their norm, ``w''_ijk = w'_ijk /
sqrt(sum_ik w'_ijk^2 + eps)``: for inputs of unit variance the outputs have unit variance
again, which is what the normalization did, but statistically instead of per example.
"""

import math

import keras
from keras import ops

from keras_gans import _backend  # noqa: F401
from keras_gans.layers.equalized import check_conv_arguments


@keras.saving.register_keras_serializable(package="keras_gans")
class ModulatedConv2D(keras.layers.Layer):
    """Inputs ``[x, style]``: images ``(batch, h, w, c_in)`` and per-example input-channel
    scales ``(batch, c_in)``. Equalized learning rate on the kernel.

    Computed as StyleGAN2's non-fused form: scale the input channels by the style, convolve
    with the shared kernel, scale the output channels by the demodulation coefficients.
    This equals convolving each example with its own modulated kernel.

    Args:
        filters, kernel_size, padding: the convolution's.
        demodulate: divide by the modulated weights' norm (False for StyleGAN2's toRGB).
        use_bias: add a learned bias after demodulation.
        epsilon: added under the square root of the demodulation.
    """

    def __init__(self, filters, kernel_size=3, demodulate=True, use_bias=True, padding="same",
                 epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        check_conv_arguments(filters, kernel_size, padding)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.demodulate = bool(demodulate)
        self.use_bias = bool(use_bias)
        self.padding = padding
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2:
            raise ValueError(f"ModulatedConv2D takes two inputs [x, style]; received "
                             f"{input_shape!r}.")
        x_shape, s_shape = tuple(input_shape[0]), tuple(input_shape[1])
        if len(x_shape) != 4 or x_shape[-1] is None:
            raise ValueError(f"ModulatedConv2D's x must be (batch, height, width, channels) "
                             f"with known channels; received shape {x_shape}.")
        if len(s_shape) != 2 or s_shape[-1] != x_shape[-1]:
            raise ValueError(f"ModulatedConv2D's style must be (batch, {x_shape[-1]}), one "
                             f"scale per input channel; received shape {s_shape}.")
        channels, k = x_shape[-1], self.kernel_size
        self.scale = 1.0 / math.sqrt(k * k * channels)
        self.kernel = self.add_weight(shape=(k, k, channels, self.filters), name="kernel",
                                      initializer=keras.initializers.RandomNormal(0.0, 1.0))
        self.bias = (self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")
                     if self.use_bias else None)

    def call(self, inputs):
        x, style = inputs
        kernel = ops.cast(self.kernel * self.scale, x.dtype)
        style = ops.cast(style, x.dtype)
        y = ops.conv(x * style[:, None, None, :], kernel, padding=self.padding)
        if self.demodulate:
            # sum over (kh, kw, c_in) of (s_i w_ijk)^2 = s^2 @ sum_kk(w^2): (batch, filters)
            norm_sq = ops.matmul(ops.square(style), ops.sum(ops.square(kernel), axis=(0, 1)))
            y = y * ops.rsqrt(norm_sq + self.epsilon)[:, None, None, :]
        if self.bias is not None:
            y = y + ops.cast(self.bias, y.dtype)
        return y

    def compute_output_shape(self, input_shape):
        batch, h, w, _ = input_shape[0]
        if self.padding == "valid":
            h = None if h is None else h - self.kernel_size + 1
            w = None if w is None else w - self.kernel_size + 1
        return (batch, h, w, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "demodulate": self.demodulate,
                "use_bias": self.use_bias, "padding": self.padding, "epsilon": self.epsilon}
