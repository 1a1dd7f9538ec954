"""The PatchGAN discriminator of pix2pix and CycleGAN (Isola et al. 2017; Zhu et al. 2017).

C64-C128-C256-C512 (4x4 convolutions; stride 2 except the last; instance norm except on
the first; LeakyReLU 0.2), then a 4x4 convolution to one channel. Each output is the logit
of "real" for one overlapping patch: with three stride-2 layers every output sees a 70x70
patch of the input. A 256x256 image gives a 30x30 grid, 128x128 a 14x14 grid.
Convolutions pad by one pixel on each side, as the paper's implementation does.
"""

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.layers import InstanceNormalization
from keras_gans.networks.resnet import check_image_shape

_NORMALIZATIONS = ("instance", "batch", None)


def patchgan_output_size(size, num_layers=3):
    """The output grid's side for an input side ``size``: each stride-2 layer maps n to
    floor(n / 2), each stride-1 4x4 layer (there are two) maps n to n - 1."""
    for _ in range(num_layers):
        size //= 2
    return size - 2


def patchgan_receptive_field(num_layers=3):
    """The side of the input patch each output sees (70 for the default three layers)."""
    field = 1
    for stride in reversed([2] * num_layers + [1, 1]):
        field = (field - 1) * stride + 4
    return field


def _normalization(kind, name):
    if kind == "instance":
        return InstanceNormalization(name=name)
    if kind == "batch":
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=True,
                                               name=name)
    return None


def patchgan_discriminator(image_shape=(None, None, 3), filters=64, num_layers=3,
                           normalization="instance", name="patchgan_discriminator"):
    """images -> (batch, n, n, 1) logits, one per overlapping patch.

    Args:
        image_shape: (height, width, channels); height and width may be None.
        filters: width of the first layer (64); each further layer doubles it, up to 8x.
        num_layers: stride-2 layers (3 gives the 70x70 PatchGAN; fewer for small images).
        normalization: ``"instance"`` (CycleGAN), ``"batch"`` (pix2pix) or ``None``.
    """
    image_shape = check_image_shape(image_shape, "patchgan_discriminator")
    if normalization not in _NORMALIZATIONS:
        raise ValueError(f"`normalization` must be one of {_NORMALIZATIONS}; received "
                         f"{normalization!r}.")
    if int(num_layers) < 1:
        raise ValueError(f"`num_layers` must be a positive integer; received {num_layers!r}.")
    for side in image_shape[:2]:
        if side is not None and patchgan_output_size(side, num_layers) < 1:
            raise ValueError(f"Images of shape {image_shape} are too small for a PatchGAN with "
                             f"num_layers={num_layers} (no output patch is left); pass fewer "
                             f"layers or larger images.")
    images = keras.Input(image_shape, name="images")
    x = images
    strides = [2] * num_layers + [1]
    for i, stride in enumerate(strides):
        width = filters * min(2 ** i, 8)
        x = keras.layers.ZeroPadding2D(1, name=f"c{i}_pad")(x)
        x = keras.layers.Conv2D(width, 4, strides=stride, use_bias=i == 0 or not normalization,
                                name=f"c{i}_conv")(x)
        norm = _normalization(normalization, f"c{i}_norm") if i > 0 else None
        x = norm(x) if norm else x
        x = keras.layers.LeakyReLU(0.2, name=f"c{i}_lrelu")(x)
    x = keras.layers.ZeroPadding2D(1, name="logits_pad")(x)
    logits = keras.layers.Conv2D(1, 4, name="logits")(x)
    return keras.Model(images, logits, name=name)
