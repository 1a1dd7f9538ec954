"""DCGAN networks (Radford et al. 2016), scaled to the requested image shape.

The paper's rules: strided convolutions in D and transposed convolutions in G instead of
pooling, batch norm in both (except G's output and D's input layers), no hidden dense
layers (only G's projection of z and D's final flattened logit), ReLU in G with a tanh
output, LeakyReLU(0.2) in D.

The number of 2x stages is chosen so that the smallest feature map is at least 3 pixels:
28x28 uses 7 -> 14 -> 28, 32x32 uses 4 -> 8 -> 16 -> 32, 64x64 uses 4 -> ... -> 64.
"""

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.layers.minibatch_discrimination import MinibatchDiscrimination
from keras_gans.layers.minibatch_stddev import MinibatchStdDev

_NORMALIZATIONS = (None, "batch", "layer")


def num_stages(image_shape):
    """How many 2x up/down-sampling stages fit the image's height and width."""
    height, width = image_shape[0], image_shape[1]
    stages = 0
    while height % 2 == 0 and width % 2 == 0 and min(height, width) // 2 >= 3 and stages < 5:
        height, width, stages = height // 2, width // 2, stages + 1
    if stages == 0:
        raise ValueError(
            f"DCGAN networks need an image height and width divisible by 2 at least once "
            f"with a result of 3 pixels or more; received image_shape={tuple(image_shape)}. "
            f"Resize the images (e.g. to 28x28, 32x32 or 64x64) or pass your own networks."
        )
    return stages, (height, width)


def _check_image_shape(image_shape):
    if len(image_shape) != 3:
        raise ValueError(
            f"DCGAN networks take an image shape (height, width, channels); received "
            f"{tuple(image_shape)}. For flat data use the MLP networks."
        )


def _normalization(kind, name):
    if kind not in _NORMALIZATIONS:
        raise ValueError(f"`normalization` must be one of {_NORMALIZATIONS}; received {kind!r}.")
    if kind == "batch":
        # synchronized: under tf.distribute the statistics are those of the global batch.
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=True,
                                               name=name)
    if kind == "layer":
        return keras.layers.LayerNormalization(axis=[1, 2, 3], epsilon=1e-5, name=name)
    return None


def dcgan_generator(latent_dim, image_shape, base_filters=64, kernel_size=4,
                    normalization="batch", name="generator"):
    """z -> project and reshape -> transposed convolutions doubling the size -> tanh image.

    ``base_filters`` is the width of the last hidden stage; each earlier stage doubles it.
    """
    image_shape = tuple(image_shape)
    _check_image_shape(image_shape)
    stages, (h0, w0) = num_stages(image_shape)
    filters = base_filters * 2 ** (stages - 1)
    z = keras.Input((latent_dim,), name="z")
    x = keras.layers.Dense(h0 * w0 * filters, use_bias=normalization is None,
                           name="project")(z)
    x = keras.layers.Reshape((h0, w0, filters), name="reshape")(x)
    norm = _normalization(normalization, "project_norm")
    x = norm(x) if norm else x
    x = keras.layers.ReLU(name="project_relu")(x)
    for i in range(stages - 1):
        filters //= 2
        x = keras.layers.Conv2DTranspose(filters, kernel_size, strides=2, padding="same",
                                         use_bias=normalization is None, name=f"up_{i}")(x)
        norm = _normalization(normalization, f"up_{i}_norm")
        x = norm(x) if norm else x
        x = keras.layers.ReLU(name=f"up_{i}_relu")(x)
    images = keras.layers.Conv2DTranspose(image_shape[-1], kernel_size, strides=2,
                                          padding="same", activation="tanh",
                                          name="to_image")(x)
    return keras.Model(z, images, name=name)


def dcgan_discriminator(image_shape, base_filters=64, kernel_size=4, normalization="batch",
                        minibatch=None, name="discriminator"):
    """image -> strided convolutions halving the size -> flatten -> one logit.

    ``normalization``: ``"batch"`` (DCGAN, WGAN), ``"layer"`` (the WGAN-GP paper's
    recommendation, since batch norm makes the gradient penalty per-example invalid) or
    ``None``.

    ``minibatch``: a feature that lets D see a batch's variety, against mode collapse:
    ``"stddev"`` appends ``MinibatchStdDev`` (groups of 4) to the last feature maps;
    ``"discrimination"`` appends ``MinibatchDiscrimination`` (100 kernels of 5, the paper's
    MNIST sizes) to the flattened features. ``None`` (default): neither.
    """
    if minibatch not in (None, "stddev", "discrimination"):
        raise ValueError(f"`minibatch` must be None, 'stddev' or 'discrimination'; received "
                         f"{minibatch!r}.")
    image_shape = tuple(image_shape)
    _check_image_shape(image_shape)
    stages, _ = num_stages(image_shape)
    images = keras.Input(image_shape, name="images")
    x = images
    filters = base_filters
    for i in range(stages):
        x = keras.layers.Conv2D(filters, kernel_size, strides=2, padding="same",
                                use_bias=normalization is None or i == 0, name=f"down_{i}")(x)
        norm = _normalization(normalization, f"down_{i}_norm") if i > 0 else None
        x = norm(x) if norm else x
        x = keras.layers.LeakyReLU(0.2, name=f"down_{i}_lrelu")(x)
        filters *= 2
    if minibatch == "stddev":
        x = MinibatchStdDev(group_size=4, name="minibatch_stddev")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    if minibatch == "discrimination":
        x = MinibatchDiscrimination(100, 5, name="minibatch_discrimination")(x)
    logits = keras.layers.Dense(1, name="logits")(x)
    return keras.Model(images, logits, name=name)
