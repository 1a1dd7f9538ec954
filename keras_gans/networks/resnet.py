"""CycleGAN's ResNet generator (Zhu et al. 2017, after Johnson et al. 2016).

c7s1-64, d128, d256, N residual blocks R256, u128, u64, c7s1-3 in the paper's notation:
a 7x7 convolution, two stride-2 downsamplings, ``num_blocks`` residual blocks (6 for
128x128 images, 9 for 256x256), two stride-2 upsamplings and a 7x7 convolution to the
image's channels with tanh. Instance normalization and reflection padding throughout.

The network is fully convolutional: leave height and width as ``None`` and it translates
images of any size. Inputs whose size is not a multiple of 4 are padded (by reflection)
to one and the output is cropped back, so the output always has the input's size.
"""

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.layers import (CropToMatch, InstanceNormalization, PadToMultiple,
                               ReflectionPadding2D)


def check_image_shape(image_shape, builder):
    image_shape = tuple(image_shape)
    if len(image_shape) != 3 or image_shape[-1] is None:
        raise ValueError(f"{builder} takes an image shape (height, width, channels) with a "
                         f"known channel count (height and width may be None); received "
                         f"{image_shape}.")
    return image_shape


def _conv_norm_relu(x, filters, kernel_size, strides, name, reflect=0):
    if reflect:
        x = ReflectionPadding2D(reflect, name=f"{name}_pad")(x)
    padding = "valid" if reflect else "same"
    x = keras.layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                            use_bias=False, name=f"{name}_conv")(x)
    x = InstanceNormalization(name=f"{name}_norm")(x)
    return keras.layers.ReLU(name=f"{name}_relu")(x)


def residual_block(x, filters, name):
    """Two reflection-padded 3x3 convolutions with instance norm, added to the input."""
    y = _conv_norm_relu(x, filters, 3, 1, f"{name}_a", reflect=1)
    y = ReflectionPadding2D(1, name=f"{name}_b_pad")(y)
    y = keras.layers.Conv2D(filters, 3, use_bias=False, name=f"{name}_b_conv")(y)
    y = InstanceNormalization(name=f"{name}_b_norm")(y)
    return keras.layers.Add(name=f"{name}_add")([x, y])


def resnet_generator(image_shape=(None, None, 3), filters=64, num_blocks=9,
                     num_downsamplings=2, output_channels=None, name="resnet_generator"):
    """An image-to-image ResNet generator; returns a ``keras.Model`` images -> images.

    Args:
        image_shape: (height, width, channels) of the input; height and width may be None.
        filters: width of the first convolution (64 in the paper); each downsampling
            doubles it.
        num_blocks: residual blocks at the lowest resolution (9 for 256px, 6 for 128px).
        num_downsamplings: stride-2 stages down and back up (2 in the paper).
        output_channels: channels of the output (default: the input's).
    """
    image_shape = check_image_shape(image_shape, "resnet_generator")
    if int(num_blocks) < 0 or int(num_downsamplings) < 0 or int(filters) < 1:
        raise ValueError(f"`filters` must be positive and `num_blocks`, `num_downsamplings` "
                         f">= 0; received filters={filters}, num_blocks={num_blocks}, "
                         f"num_downsamplings={num_downsamplings}.")
    output_channels = output_channels or image_shape[-1]
    images = keras.Input(image_shape, name="images")
    x = PadToMultiple(2 ** num_downsamplings, name="pad_to_multiple")(images)
    x = _conv_norm_relu(x, filters, 7, 1, "c7s1", reflect=3)
    width = filters
    for i in range(num_downsamplings):
        width *= 2
        x = _conv_norm_relu(x, width, 3, 2, f"down_{i}")
    for i in range(num_blocks):
        x = residual_block(x, width, f"res_{i}")
    for i in range(num_downsamplings):
        width //= 2
        x = keras.layers.Conv2DTranspose(width, 3, strides=2, padding="same", use_bias=False,
                                         name=f"up_{i}_conv")(x)
        x = InstanceNormalization(name=f"up_{i}_norm")(x)
        x = keras.layers.ReLU(name=f"up_{i}_relu")(x)
    x = ReflectionPadding2D(3, name="to_image_pad")(x)
    x = keras.layers.Conv2D(output_channels, 7, activation="tanh", name="to_image")(x)
    outputs = CropToMatch(name="crop_to_input")([x, images])
    return keras.Model(images, outputs, name=name)
