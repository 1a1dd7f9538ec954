"""ProGAN networks (Karras et al. 2018, table 2), built at the target resolution with a
fade-in at every resolution step so that one model grows from 4x4 to the full size.

Both networks are built whole; ``FadeIn`` layers, set from one ``level`` number
(``stage - 1 + alpha``), decide which blocks are live:

* the generator's image at each resolution is ``lerp(upsample(previous image),
  to_rgb(block output), t)``; blocks above the current stage are out (t = 0), so their
  images are the current stage's image upsampled (nearest neighbour) to the full size;
* the discriminator average-pools its input to every resolution; the features entering
  each lower resolution are ``lerp(from_rgb(pooled input), block(higher features), t)``.

A generator image of the current resolution upsampled by nearest neighbour pools back to
exactly itself, so the whole networks compute, at every stage, what the paper's compute at
that stage's resolution; their blocks above the stage run at zero weight. Training does not
pay for those: ``generator_at_stage`` and ``discriminator_at_stage`` are the same layers
(shared weights) wired for one stage's own resolution, so a 4x4 step costs a 4x4 step.

Equalized learning rate everywhere, pixel norm after every generator convolution,
LeakyReLU(0.2), minibatch standard deviation before the discriminator's last block, linear
outputs, ``filters(r) = min(max_filters, fmap_base // r)`` feature maps at resolution r.
"""

import math

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.layers import (EqualizedConv2D, EqualizedDense, FadeIn, MinibatchStdDev,
                               PixelNorm)


def num_growth_stages(image_shape, family="ProGAN"):
    """Resolution doublings after 4x4: 0 for 4x4, 4 for 64x64. ``family`` names the
    networks in the error (StyleGAN's synthesis grows from 4x4 the same way)."""
    image_shape = tuple(image_shape)
    if len(image_shape) != 3:
        raise ValueError(f"{family} networks take an image shape (height, width, channels); "
                         f"received {image_shape}.")
    height, width = image_shape[0], image_shape[1]
    if height != width or height < 4 or height & (height - 1):
        raise ValueError(f"{family} grows square images from 4x4 by doubling: the resolution "
                         f"must be a power of two >= 4 (4, 8, ..., 1024); received "
                         f"{height}x{width}. Resize the images, e.g. image_size=64.")
    return int(math.log2(height)) - 2


def _filters(resolution, fmap_base, max_filters):
    return max(1, min(max_filters, fmap_base // resolution))


def _lrelu(name):
    return keras.layers.LeakyReLU(0.2, name=name)


def progan_generator(latent_dim, image_shape, fmap_base=8192, max_filters=512,
                     name="generator"):
    """z -> pixel norm -> 4x4 block -> (upsample, two 3x3 convs) per doubling; one 1x1
    to_rgb per resolution, blended by ``FadeIn`` layers ``fade_<r>``."""
    stages = num_growth_stages(image_shape)
    channels = image_shape[-1]
    f = _filters(4, fmap_base, max_filters)
    z = keras.Input((latent_dim,), name="z")
    x = PixelNorm(name="z_norm")(z)
    # The paper's first layer: a 4x4 "convolution" of the 1x1 latent, i.e. a dense layer.
    x = EqualizedDense(16 * f, gain=math.sqrt(2) / 4, name="b4_dense")(x)
    x = keras.layers.Reshape((4, 4, f), name="b4_reshape")(x)
    x = PixelNorm(name="b4_norm0")(_lrelu("b4_lrelu0")(x))
    x = EqualizedConv2D(f, 3, name="b4_conv")(x)
    x = PixelNorm(name="b4_norm1")(_lrelu("b4_lrelu1")(x))
    image = EqualizedConv2D(channels, 1, gain=1.0, name="to_rgb_4")(x)
    for k in range(1, stages + 1):
        r = 4 * 2 ** k
        f = _filters(r, fmap_base, max_filters)
        x = keras.layers.UpSampling2D(2, name=f"b{r}_up")(x)
        for i in range(2):
            x = EqualizedConv2D(f, 3, name=f"b{r}_conv{i}")(x)
            x = PixelNorm(name=f"b{r}_norm{i}")(_lrelu(f"b{r}_lrelu{i}")(x))
        new = EqualizedConv2D(channels, 1, gain=1.0, name=f"to_rgb_{r}")(x)
        old = keras.layers.UpSampling2D(2, name=f"image_{r // 2}_up")(image)
        image = FadeIn(offset=k - 1, name=f"fade_{r}")([old, new])
    return keras.Model(z, image, name=name)


def generator_at_stage(generator, stage):
    """The part of a ProGAN generator that draws the images of ``stage`` at their own
    resolution, ``4 * 2**stage`` (the newest block blended in at its ``FadeIn`` level):
    the same layers, without the blocks above the stage. None when ``generator`` was not
    built by ``progan_generator`` (its layers are not there to reuse)."""
    r = 4 * 2 ** int(stage)
    try:
        output = generator.get_layer("to_rgb_4" if stage == 0 else f"fade_{r}").output
    except ValueError:
        return None
    return keras.Model(generator.input, output, name=f"generator_{r}x{r}")


def discriminator_at_stage(discriminator, stage):
    """A ProGAN discriminator wired for the images of ``stage`` at their own resolution:
    from_rgb at that resolution, its blocks down to 4x4 (the newest blended with the
    from_rgb of the pooled image at its ``FadeIn`` level), the 4x4 head. The same layers
    as the whole network. None when ``discriminator`` was not built by
    ``progan_discriminator``."""
    r = 4 * 2 ** int(stage)
    try:
        layer = discriminator.get_layer
        layer(f"from_rgb_{r}")
    except ValueError:
        return None
    images = keras.Input((r, r, discriminator.input.shape[-1]), name=f"images_{r}")
    x = layer(f"from_rgb_{r}_lrelu")(layer(f"from_rgb_{r}")(images))
    pooled = images
    for k in range(int(stage), 0, -1):
        rk = 4 * 2 ** k
        x = layer(f"b{rk}_lrelu0")(layer(f"b{rk}_conv0")(x))
        x = layer(f"b{rk}_lrelu1")(layer(f"b{rk}_conv1")(x))
        x = layer(f"b{rk}_down")(x)
        pooled = layer(f"pool_{rk // 2}")(pooled)
        low = layer(f"from_rgb_{rk // 2}_lrelu")(layer(f"from_rgb_{rk // 2}")(pooled))
        x = layer(f"fade_{rk}")([low, x])
    for name in ("b4_mbstd", "b4_conv", "b4_lrelu0", "b4_conv_4x4", "b4_lrelu1", "flatten",
                 "logits"):
        x = layer(name)(x)
    return keras.Model(images, x, name=f"discriminator_{r}x{r}")


def progan_discriminator(image_shape, fmap_base=8192, max_filters=512, group_size=4,
                         name="discriminator"):
    """image -> from_rgb at every resolution, (two 3x3 convs, average pool) per halving,
    blended by ``FadeIn`` layers ``fade_<r>`` -> minibatch stddev -> 3x3 conv -> 4x4 conv
    -> one raw output."""
    stages = num_growth_stages(image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    pooled = {4 * 2 ** stages: images}
    for k in range(stages, 0, -1):
        r = 4 * 2 ** k
        pooled[r // 2] = keras.layers.AveragePooling2D(2, name=f"pool_{r // 2}")(pooled[r])

    def from_rgb(r):
        x = EqualizedConv2D(_filters(r, fmap_base, max_filters), 1, name=f"from_rgb_{r}")(
            pooled[r])
        return _lrelu(f"from_rgb_{r}_lrelu")(x)

    x = from_rgb(4 * 2 ** stages)
    for k in range(stages, 0, -1):
        r = 4 * 2 ** k
        x = EqualizedConv2D(_filters(r, fmap_base, max_filters), 3, name=f"b{r}_conv0")(x)
        x = _lrelu(f"b{r}_lrelu0")(x)
        x = EqualizedConv2D(_filters(r // 2, fmap_base, max_filters), 3, name=f"b{r}_conv1")(x)
        x = _lrelu(f"b{r}_lrelu1")(x)
        x = keras.layers.AveragePooling2D(2, name=f"b{r}_down")(x)
        x = FadeIn(offset=k - 1, name=f"fade_{r}")([from_rgb(r // 2), x])
    f = _filters(4, fmap_base, max_filters)
    x = MinibatchStdDev(group_size, name="b4_mbstd")(x)
    x = _lrelu("b4_lrelu0")(EqualizedConv2D(f, 3, name="b4_conv")(x))
    x = _lrelu("b4_lrelu1")(EqualizedConv2D(f, 4, padding="valid", name="b4_conv_4x4")(x))
    x = keras.layers.Flatten(name="flatten")(x)
    logits = EqualizedDense(1, gain=1.0, name="logits")(x)
    return keras.Model(images, logits, name=name)
