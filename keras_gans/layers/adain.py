"""Adaptive instance normalization (Huang & Belongie 2017), StyleGAN's style injection.

Each feature map of each example is normalized to zero mean and unit variance over its
pixels, then given the style's scale and bias: ``AdaIN(x, y) = y_s (x - mu(x)) / sigma(x) +
y_b``. In StyleGAN (Karras et al. 2019) ``y_s`` and ``y_b`` are learned affine maps of w.
"""

import keras
from keras import ops

from keras_gans import _backend  # noqa: F401


@keras.saving.register_keras_serializable(package="keras_gans")
class AdaIN(keras.layers.Layer):
    """Inputs ``[x, scale, bias]``: images ``(batch, h, w, c)`` and two ``(batch, c)``
    styles. Each output channel has mean ``bias`` and standard deviation ``|scale|``."""

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 3:
            raise ValueError("AdaIN takes three inputs [x, scale, bias]; received "
                             f"{input_shape!r}.")
        x_shape, s_shape, b_shape = (tuple(s) for s in input_shape)
        if len(x_shape) != 4:
            raise ValueError(f"AdaIN's x must be (batch, height, width, channels); received "
                             f"shape {x_shape}.")
        for name, shape in (("scale", s_shape), ("bias", b_shape)):
            if len(shape) != 2 or shape[-1] != x_shape[-1]:
                raise ValueError(f"AdaIN's {name} must be (batch, {x_shape[-1]}) to match x's "
                                 f"channels; received shape {shape}.")
        super().build(input_shape)

    def call(self, inputs):
        x, scale, bias = inputs
        mean = ops.mean(x, axis=(1, 2), keepdims=True)
        var = ops.mean(ops.square(x - mean), axis=(1, 2), keepdims=True)
        normalized = (x - mean) * ops.rsqrt(var + self.epsilon)
        return normalized * scale[:, None, None, :] + bias[:, None, None, :]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
