"""Equalized learning rate (Karras et al. 2018, ProGAN section 4.1).

Weights are drawn from N(0, 1) and multiplied at run time by the He constant
``gain / sqrt(fan_in)``. Adam's updates are scale-free, so every weight then learns at the
same speed whatever its layer's fan-in. ``lr_multiplier`` slows a layer further (StyleGAN's
mapping network uses 0.01): weights are drawn from N(0, 1 / lr_multiplier) and scaled by
``lr_multiplier`` at run time, so the effective weights start the same but move 100x slower.
"""

import math

import keras
from keras import ops

from keras_gans import _backend  # noqa: F401


def _check_lr_multiplier(lr_multiplier):
    if not float(lr_multiplier) > 0:
        raise ValueError(f"`lr_multiplier` must be positive; received {lr_multiplier!r}.")
    return float(lr_multiplier)


def _scaled_initializer(initializer, factor):
    initializer = keras.initializers.get(initializer)

    def init(shape, dtype=None):
        return initializer(shape, dtype=dtype) * factor

    return init


class _Equalized(keras.layers.Layer):
    """Shared bookkeeping of the equalized layers."""

    def __init__(self, use_bias=True, bias_initializer="zeros", gain=math.sqrt(2.0),
                 lr_multiplier=1.0, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.use_bias = bool(use_bias)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.gain = float(gain)
        self.lr_multiplier = _check_lr_multiplier(lr_multiplier)
        self.activation = keras.activations.get(activation)

    def _add_kernel_and_bias(self, kernel_shape, units, fan_in):
        self.scale = self.gain / math.sqrt(fan_in) * self.lr_multiplier
        self.kernel = self.add_weight(
            shape=kernel_shape, name="kernel",
            initializer=keras.initializers.RandomNormal(0.0, 1.0 / self.lr_multiplier))
        self.bias = None
        if self.use_bias:
            # Stored divided by lr_multiplier, so that the effective bias starts at the
            # initializer's value.
            self.bias = self.add_weight(
                shape=(units,), name="bias",
                initializer=_scaled_initializer(self.bias_initializer, 1.0 / self.lr_multiplier))

    @property
    def effective_kernel(self):
        """The kernel the layer computes with: the stored one times the He constant."""
        return self.kernel * self.scale

    def _finish(self, y):
        if self.bias is not None:
            y = y + ops.cast(self.bias * self.lr_multiplier, y.dtype)
        return self.activation(y) if self.activation is not None else y

    def get_config(self):
        return {**super().get_config(), "use_bias": self.use_bias,
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
                "gain": self.gain, "lr_multiplier": self.lr_multiplier,
                "activation": keras.activations.serialize(self.activation)}



def check_conv_arguments(filters, kernel_size, padding):
    """The argument checks shared by the square-kernel convolutions of this package."""
    if int(filters) < 1 or int(kernel_size) < 1:
        raise ValueError(f"`filters` and `kernel_size` must be positive integers; "
                         f"received {filters!r} and {kernel_size!r}.")
    if padding not in ("same", "valid"):
        raise ValueError(f"`padding` must be 'same' or 'valid'; received {padding!r}.")

@keras.saving.register_keras_serializable(package="keras_gans")
class EqualizedDense(_Equalized):
    """Dense layer with equalized learning rate.

    Args:
        units: output size.
        use_bias, bias_initializer: the bias and its initial (effective) value;
            StyleGAN's style affines start their scale half at one.
        gain: numerator of the He constant (sqrt(2) before a (leaky) ReLU, 1 for linear).
        lr_multiplier: learning-rate multiplier of this layer (0.01 in StyleGAN's mapping).
        activation: optional activation applied after the bias.
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        if int(units) < 1:
            raise ValueError(f"`units` must be a positive integer; received {units!r}.")
        self.units = int(units)

    def build(self, input_shape):
        fan_in = input_shape[-1]
        if fan_in is None:
            raise ValueError(f"EqualizedDense needs a known last input dimension; received "
                             f"shape {tuple(input_shape)}.")
        self._add_kernel_and_bias((fan_in, self.units), self.units, fan_in)

    def call(self, x):
        return self._finish(ops.matmul(x, ops.cast(self.effective_kernel, x.dtype)))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="keras_gans")
class EqualizedConv2D(_Equalized):
    """2-D convolution with equalized learning rate (channels last).

    Args:
        filters, kernel_size, strides, padding: as ``keras.layers.Conv2D`` (square kernels).
        Other arguments as ``EqualizedDense``.
    """

    def __init__(self, filters, kernel_size, strides=1, padding="same", **kwargs):
        super().__init__(**kwargs)
        check_conv_arguments(filters, kernel_size, padding)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.strides = int(strides)
        self.padding = padding

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(f"EqualizedConv2D takes (batch, height, width, channels) inputs "
                             f"with known channels; received shape {tuple(input_shape)}.")
        channels = input_shape[-1]
        k = self.kernel_size
        self._add_kernel_and_bias((k, k, channels, self.filters), self.filters,
                                  k * k * channels)

    def call(self, x):
        y = ops.conv(x, ops.cast(self.effective_kernel, x.dtype), strides=self.strides,
                     padding=self.padding)
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        batch, h, w, _ = input_shape

        def size(n):
            if n is None:
                return None
            if self.padding == "same":
                return -(-n // self.strides)
            return (n - self.kernel_size) // self.strides + 1

        return (batch, size(h), size(w), self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding}
