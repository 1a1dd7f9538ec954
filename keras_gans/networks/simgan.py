"""SimGAN's refiner and local discriminator (Shrivastava et al. 2017).

Refiner: a 3x3 convolution to ``filters`` feature maps, ``num_blocks`` ResNet blocks (two
3x3 convolutions each, ReLU, added to the input) and a 1x1 convolution back to the image's
channels with tanh. No pooling or striding: the refined image has the synthetic image's
size, pixel for pixel, which is what lets its annotations carry over.

Local discriminator: a small convolutional network whose receptive field is a patch of
the image, with a 1x1 convolution to one logit per patch: (batch, h', w', 1). Judging
patches separately stops the refiner from producing artefacts that a global D would fix
on, and gives D many samples per image.
"""

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.networks.resnet import check_image_shape


def simgan_refiner(image_shape=(None, None, 1), filters=64, num_blocks=4,
                   name="simgan_refiner"):
    """Synthetic images -> refined images of the same shape (tanh, in [-1, 1])."""
    image_shape = check_image_shape(image_shape, "simgan_refiner")
    images = keras.Input(image_shape, name="synthetic")
    x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name="head")(images)
    for i in range(num_blocks):
        y = keras.layers.Conv2D(filters, 3, padding="same", activation="relu",
                                name=f"res_{i}_conv_a")(x)
        y = keras.layers.Conv2D(filters, 3, padding="same", name=f"res_{i}_conv_b")(y)
        x = keras.layers.Add(name=f"res_{i}_add")([x, y])
        x = keras.layers.ReLU(name=f"res_{i}_relu")(x)
    refined = keras.layers.Conv2D(image_shape[-1], 1, activation="tanh", name="to_image")(x)
    return keras.Model(images, refined, name=name)


def simgan_local_discriminator(image_shape=(None, None, 1), filters=(96, 64, 32, 32),
                               name="simgan_local_discriminator"):
    """Images -> (batch, h', w', 1) logits, one per local patch.

    The paper's eye-gaze discriminator: 3x3 conv stride 2 (96), 3x3 conv stride 2 (64),
    3x3 max pool stride 1, 3x3 conv (32), 1x1 conv (32), 1x1 conv to the logit (the paper
    uses two softmax outputs; one logit is the same classifier).
    """
    image_shape = check_image_shape(image_shape, "simgan_local_discriminator")
    if len(filters) != 4:
        raise ValueError(f"`filters` must list four widths; received {filters!r}.")
    images = keras.Input(image_shape, name="images")
    x = keras.layers.Conv2D(filters[0], 3, strides=2, padding="same", activation="relu",
                            name="c0")(images)
    x = keras.layers.Conv2D(filters[1], 3, strides=2, padding="same", activation="relu",
                            name="c1")(x)
    x = keras.layers.MaxPooling2D(3, strides=1, padding="same", name="pool")(x)
    x = keras.layers.Conv2D(filters[2], 3, padding="same", activation="relu", name="c2")(x)
    x = keras.layers.Conv2D(filters[3], 1, activation="relu", name="c3")(x)
    logits = keras.layers.Conv2D(1, 1, name="logits")(x)
    return keras.Model(images, logits, name=name)
