"""StyleGAN networks (Karras, Laine & Aila 2019) with the StyleGAN2 options (Karras et al.
2020).

The generator is ``z -> mapping -> w``, repeated once per style layer as ``ws`` of shape
``(batch, num_ws, w_dim)``, ``-> synthesis -> image``. The mapping and synthesis networks
are nested models named ``"mapping"`` and ``"synthesis"``, so that style mixing and the
truncation trick can feed the synthesis network different ``w`` per layer.

* mapping: pixel norm of z, ``mapping_layers`` (8) equalized dense layers with
  LeakyReLU(0.2) and learning-rate multiplier 0.01.
* synthesis: a learned 4x4 constant, then per resolution two 3x3 convolutions (one at
  4x4), each followed by per-layer noise with learned per-channel scales; bilinear 2x
  upsampling between resolutions. Style ``w_i`` enters convolution ``i`` through

  - ``style="adain"`` (StyleGAN): AdaIN after the convolution, with scale and bias learned
    affine maps of ``w_i``; one 1x1 to_rgb at the end;
  - ``style="modulated"`` (StyleGAN2): a modulated/demodulated convolution whose input
    scales are a learned affine map of ``w_i``; the "skip" generator, a modulated (not
    demodulated) to_rgb per resolution summed with the upsampled image so far.

  Both use ``num_ws = 2 * (log2(resolution) - 1)`` styles, coarse (low resolution) first.
* discriminator: ProGAN's layout without growth (equalized learning rate, minibatch
  stddev); ``residual=True`` gives StyleGAN2's residual blocks.

Not implemented: the blur (FIR) filters of up/downsampling, StyleGAN2's fused modulated
convolution (the non-fused form here computes the same function).
"""

import math

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.layers import (AdaIN, ConstantInput, EqualizedConv2D, EqualizedDense,
                               MinibatchStdDev, ModulatedConv2D, NoiseInjection, PixelNorm)
from keras_gans.networks import progan

STYLES = ("adain", "modulated")


def check_image_shape(image_shape):
    """The number of resolutions, 4, 8, ..., height, of a square power-of-two image."""
    return progan.num_growth_stages(image_shape, family="StyleGAN") + 1


def num_styles(image_shape):
    """How many per-layer styles the synthesis network takes."""
    return 2 * check_image_shape(image_shape)


def _filters(resolution, fmap_base, max_filters):
    return max(1, min(max_filters, fmap_base // resolution))


def mapping_network(latent_dim, w_dim=512, num_layers=8, lr_multiplier=0.01, name="mapping"):
    """z -> pixel norm -> ``num_layers`` x (equalized dense, LeakyReLU(0.2)) -> w."""
    if int(num_layers) < 1:
        raise ValueError(f"`mapping_layers` must be a positive integer; received {num_layers!r}.")
    z = keras.Input((latent_dim,), name="z")
    x = PixelNorm(name="z_norm")(z)
    for i in range(num_layers):
        x = EqualizedDense(w_dim, lr_multiplier=lr_multiplier, name=f"dense_{i}")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"lrelu_{i}")(x)
    return keras.Model(z, x, name=name)


def _affine(w, units, name):
    # Styles start at one: the layer begins as an unmodulated one.
    return EqualizedDense(units, gain=1.0, bias_initializer="ones", name=name)(w)


def synthesis_network(w_dim, image_shape, style="adain", fmap_base=8192, max_filters=512,
                      name="synthesis"):
    """ws ``(batch, num_ws, w_dim)`` -> image. See the module docstring."""
    if style not in STYLES:
        raise ValueError(f"`style` must be one of {STYLES} (StyleGAN's AdaIN or StyleGAN2's "
                         f"modulated convolution); received {style!r}.")
    levels = check_image_shape(image_shape)
    channels = image_shape[-1]
    num_ws = 2 * levels
    ws = keras.Input((num_ws, w_dim), name="ws")
    f = _filters(4, fmap_base, max_filters)
    x = ConstantInput((4, 4, f), name="const")(ws)
    rgb = None

    def layer(x, index, filters, r, i, conv=True):
        w = ws[:, index]
        if style == "modulated":
            s = _affine(w, x.shape[-1], f"b{r}_affine{i}")
            x = ModulatedConv2D(filters, 3, name=f"b{r}_conv{i}")([x, s])
        elif conv:
            x = EqualizedConv2D(filters, 3, name=f"b{r}_conv{i}")(x)
        x = NoiseInjection(name=f"b{r}_noise{i}")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"b{r}_lrelu{i}")(x)
        if style == "adain":
            scale = _affine(w, filters, f"b{r}_style_scale{i}")
            bias = EqualizedDense(filters, gain=1.0, name=f"b{r}_style_bias{i}")(w)
            x = AdaIN(name=f"b{r}_adain{i}")([x, scale, bias])
        return x

    def to_rgb(x, index, r):
        s = _affine(ws[:, index], x.shape[-1], f"to_rgb_{r}_affine")
        return ModulatedConv2D(channels, 1, demodulate=False, name=f"to_rgb_{r}")([x, s])

    # 4x4: StyleGAN puts noise and AdaIN on the constant itself, then one convolution;
    # StyleGAN2 has just the one (modulated) convolution.
    if style == "adain":
        x = layer(x, 0, f, 4, 0, conv=False)
        x = layer(x, 1, f, 4, 1)
    else:
        x = layer(x, 0, f, 4, 1)
        rgb = to_rgb(x, 1, 4)
    for k in range(1, levels):
        r = 4 * 2 ** k
        f = _filters(r, fmap_base, max_filters)
        x = keras.layers.UpSampling2D(2, interpolation="bilinear", name=f"b{r}_up")(x)
        if style == "adain":
            x = layer(x, 2 * k, f, r, 0)
            x = layer(x, 2 * k + 1, f, r, 1)
        else:
            x = layer(x, 2 * k - 1, f, r, 0)
            x = layer(x, 2 * k, f, r, 1)
            up = keras.layers.UpSampling2D(2, interpolation="bilinear", name=f"rgb_{r}_up")(rgb)
            rgb = keras.layers.Add(name=f"rgb_{r}")([up, to_rgb(x, 2 * k + 1, r)])
    if style == "adain":
        rgb = EqualizedConv2D(channels, 1, gain=1.0, name="to_rgb")(x)
    return keras.Model(ws, rgb, name=name)


def stylegan_generator(latent_dim, image_shape, w_dim=None, style="adain", mapping_layers=8,
                       mapping_lr_multiplier=0.01, fmap_base=8192, max_filters=512,
                       name="generator"):
    """z -> mapping -> w repeated ``num_ws`` times -> synthesis -> image."""
    w_dim = int(w_dim or latent_dim)
    mapping = mapping_network(latent_dim, w_dim, mapping_layers, mapping_lr_multiplier)
    synthesis = synthesis_network(w_dim, image_shape, style, fmap_base, max_filters)
    z = keras.Input((latent_dim,), name="z")
    ws = keras.layers.RepeatVector(num_styles(image_shape), name="broadcast")(mapping(z))
    return keras.Model(z, synthesis(ws), name=name)


def stylegan_discriminator(image_shape, fmap_base=8192, max_filters=512, group_size=4,
                           residual=False, name="discriminator"):
    """image -> from_rgb -> (two 3x3 convs, average pool) per halving, residual with a 1x1
    skip when ``residual`` -> minibatch stddev -> 3x3 conv -> dense -> one raw output."""
    levels = check_image_shape(image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    r = image_shape[0]

    def lrelu(name):
        return keras.layers.LeakyReLU(0.2, name=name)

    x = lrelu("from_rgb_lrelu")(EqualizedConv2D(_filters(r, fmap_base, max_filters), 1,
                                                name="from_rgb")(images))
    for _ in range(levels - 1):
        f_in, f_out = _filters(r, fmap_base, max_filters), _filters(r // 2, fmap_base,
                                                                    max_filters)
        y = lrelu(f"b{r}_lrelu0")(EqualizedConv2D(f_in, 3, name=f"b{r}_conv0")(x))
        y = lrelu(f"b{r}_lrelu1")(EqualizedConv2D(f_out, 3, name=f"b{r}_conv1")(y))
        y = keras.layers.AveragePooling2D(2, name=f"b{r}_down")(y)
        if residual:
            skip = keras.layers.AveragePooling2D(2, name=f"b{r}_skip_down")(x)
            skip = EqualizedConv2D(f_out, 1, use_bias=False, gain=1.0, name=f"b{r}_skip")(skip)
            y = keras.layers.Add(name=f"b{r}_add")([y, skip])
            y = keras.layers.Rescaling(1 / math.sqrt(2), name=f"b{r}_rescale")(y)
        x = y
        r //= 2
    f = _filters(4, fmap_base, max_filters)
    x = MinibatchStdDev(group_size, name="b4_mbstd")(x)
    x = lrelu("b4_lrelu0")(EqualizedConv2D(f, 3, name="b4_conv")(x))
    x = keras.layers.Flatten(name="flatten")(x)
    x = lrelu("b4_lrelu1")(EqualizedDense(f, name="b4_dense")(x))
    logits = EqualizedDense(1, gain=1.0, name="logits")(x)
    return keras.Model(images, logits, name=name)
