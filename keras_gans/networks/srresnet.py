"""SRResNet and the SRGAN discriminator (Ledig et al. 2017).

Generator (SRResNet): a 9x9 convolution with PReLU, ``num_blocks`` residual blocks (16 in
the paper: 3x3 conv, batch norm, PReLU, 3x3 conv, batch norm, skip), a 3x3 conv with batch
norm and a skip over all blocks, then one sub-pixel stage per factor of two (3x3 conv to
256 channels, PixelShuffle(2), PReLU; two stages for x4), and a 9x9 convolution to the
image's channels (tanh: images lie in [-1, 1]). Fully convolutional: it enlarges images of
any size.

Discriminator: eight 3x3 convolutions (64, 64, 128, 128, 256, 256, 512, 512 filters,
stride 2 at every second one) with LeakyReLU(0.2) and batch norm (not after the first),
then Dense(1024), LeakyReLU and Dense(1): one logit per image, for a fixed patch size.
"""

import math

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.layers import PixelShuffle
from keras_gans.networks.resnet import check_image_shape


def _batch_norm(name):
    # synchronized: under tf.distribute the statistics are those of the global batch.
    return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=True,
                                           name=name)


def _prelu(name):
    # One slope per channel shared over space, so any image size works.
    return keras.layers.PReLU(shared_axes=[1, 2], alpha_initializer=keras.initializers.Constant(0.25),
                              name=name)


def srresnet_generator(channels=3, scale=4, filters=64, num_blocks=16, name="srresnet"):
    """Low-resolution images (batch, h, w, channels) -> (batch, scale*h, scale*w, channels).

    ``scale`` must be a power of two (2, 4, 8): one PixelShuffle(2) stage per factor of two.
    """
    stages = math.log2(scale) if scale >= 2 else 0.5
    if stages != int(stages):
        raise ValueError(f"`scale` must be a power of two (2, 4, 8); received {scale!r}.")
    if int(num_blocks) < 0:
        raise ValueError(f"`num_blocks` must be >= 0; received {num_blocks!r}.")
    images = keras.Input((None, None, channels), name="low_res")
    x = keras.layers.Conv2D(filters, 9, padding="same", name="head_conv")(images)
    head = x = _prelu("head_prelu")(x)
    for i in range(num_blocks):
        y = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False,
                                name=f"res_{i}_conv_a")(x)
        y = _batch_norm(f"res_{i}_bn_a")(y)
        y = _prelu(f"res_{i}_prelu")(y)
        y = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False,
                                name=f"res_{i}_conv_b")(y)
        y = _batch_norm(f"res_{i}_bn_b")(y)
        x = keras.layers.Add(name=f"res_{i}_add")([x, y])
    x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name="body_conv")(x)
    x = _batch_norm("body_bn")(x)
    x = keras.layers.Add(name="body_skip")([head, x])
    for i in range(int(stages)):
        x = keras.layers.Conv2D(filters * 4, 3, padding="same", name=f"up_{i}_conv")(x)
        x = PixelShuffle(2, name=f"up_{i}_shuffle")(x)
        x = _prelu(f"up_{i}_prelu")(x)
    outputs = keras.layers.Conv2D(channels, 9, padding="same", activation="tanh",
                                  name="to_image")(x)
    return keras.Model(images, outputs, name=name)


def srgan_discriminator(image_shape=(96, 96, 3), filters=64, dense_units=1024,
                        name="srgan_discriminator"):
    """High-resolution images of a fixed size -> one logit each."""
    image_shape = check_image_shape(image_shape, "srgan_discriminator")
    if None in image_shape:
        raise ValueError(f"The SRGAN discriminator ends in dense layers and needs a fixed "
                         f"image size; received {image_shape}. Pass the HR patch size, e.g. "
                         f"(96, 96, 3).")
    images = keras.Input(image_shape, name="images")
    x = images
    for i in range(8):
        width = filters * 2 ** (i // 2)
        x = keras.layers.Conv2D(width, 3, strides=1 + i % 2, padding="same",
                                use_bias=i == 0, name=f"c{i}_conv")(x)
        if i > 0:
            x = _batch_norm(f"c{i}_bn")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"c{i}_lrelu")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(dense_units, name="dense")(x)
    x = keras.layers.LeakyReLU(0.2, name="dense_lrelu")(x)
    logits = keras.layers.Dense(1, name="logits")(x)
    return keras.Model(images, logits, name=name)
