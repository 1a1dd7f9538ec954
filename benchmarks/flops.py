"""Arithmetic of a training step, counted from the layers' shapes, and the machine's
measured peak for comparison, so that "close to the limit" is a number.

Only the multiply-accumulates of convolutions and dense layers are counted (2 FLOPs each):
element-wise passes (activations, noise, normalisation, upsampling) are what an efficient
step avoids, so they are left out of the useful work on purpose.
"""

import time

import numpy as np

CONV_LAYERS = ("Conv2D", "EqualizedConv2D", "ModulatedConv2D")
DENSE_LAYERS = ("Dense", "EqualizedDense")


def forward_macs(model):
    """Multiply-accumulates of one example's forward pass through ``model`` (nested models
    included, and layers inside wrappers such as ``keras.layers.SpectralNormalization``,
    counted at the wrapper's shapes)."""
    import keras

    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            total += forward_macs(layer)
            continue
        inner = layer
        while isinstance(inner, keras.layers.Wrapper):
            inner = inner.layer
        if type(inner).__name__ in CONV_LAYERS + DENSE_LAYERS + ("Conv2DTranspose",):
            total += _layer_macs(inner, _first(layer.input).shape, _first(layer.output).shape)
    return total


def _first(tensors):
    return tensors[0] if isinstance(tensors, (list, tuple)) else tensors


def _layer_macs(layer, input_shape, output_shape):
    kind = type(layer).__name__
    if kind in CONV_LAYERS + ("Conv2DTranspose",):
        # A transposed convolution's kernel visits every input pixel; the others every
        # output pixel.
        shape = input_shape if kind == "Conv2DTranspose" else output_shape
        return int(np.prod(shape[1:3])) * int(np.prod(layer.kernel.shape))
    rows = int(np.prod(output_shape[1:-1])) if len(output_shape) > 2 else 1
    return rows * int(np.prod(layer.kernel.shape))


def step_flops(generator_macs, discriminator_macs, d_steps=1):
    """FLOPs per real image of one ``train_step`` of the shared loop: each discriminator
    update runs G forward once and D forward and backward (inputs and weights) on the real
    and the fake batch, G + 6D; the generator update reuses the last fake batch and runs D
    forward and backward to its inputs, then G backward, 2D + 2G. Lazy regularisers (R1,
    path length) are not counted."""
    g, d = generator_macs, discriminator_macs
    return 2 * (d_steps * (g + 6 * d) + 2 * d + 2 * g)


def conv_peak(channels=128, size=32, batch=32, repeats=20, clock=time.perf_counter,
              dtype="float32"):
    """GFLOP/s of one 3x3 'same' convolution (channels in and out, size x size, batch), the
    core of every image GAN step: this machine's practical peak for them. ``clock``
    measures the seconds: wall-clock by default, ``time.process_time`` for GFLOP per
    CPU-second of this process (what a loaded machine can still measure). ``dtype`` is the
    arithmetic's (``bfloat16``: the peak a ``mixed_bfloat16`` step is measured against)."""
    import tensorflow as tf

    x = tf.cast(tf.random.normal((batch, size, size, channels)), dtype)
    kernel = tf.cast(tf.random.normal((3, 3, channels, channels)), dtype)
    conv = tf.function(lambda x: tf.nn.conv2d(x, kernel, 1, "SAME"))
    conv(x).numpy()
    rates = []
    for _ in range(3):
        start = clock()
        for _ in range(repeats):
            y = conv(x)
        y.numpy()
        seconds = (clock() - start) / repeats
        rates.append(2 * batch * size * size * 9 * channels * channels / seconds / 1e9)
    return max(rates)
