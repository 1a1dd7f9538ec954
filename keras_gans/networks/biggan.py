"""BigGAN networks (Brock et al. 2019, appendix B), scaled by a channel multiplier ``ch``.

Generator: the latent z is cut into one chunk for the first projection and one chunk per
residual block (the hierarchical latent); each block's class-conditional batch norms read
``[shared class embedding, its z chunk]``. Residual up-blocks (BN-ReLU-upsample-conv-BN-
ReLU-conv, plus an upsampled 1x1 shortcut), self-attention at one resolution, then BN-ReLU-
conv and tanh. Discriminator: residual down-blocks (pre-activation except the first),
self-attention, ReLU, global *sum* pooling, a linear output plus the projection term
``<embed(y), h>`` of Miyato & Koyama (2018). Every convolution, dense layer and D's class
embedding is spectrally normalised (``kg.layers.SpectralNormalization``), in both
networks, and weights start orthogonal, as in the paper. Note that the layer, like Keras's,
divides the kernel variable itself by its estimated spectral norm on every training call
(one power iteration), rather than reparametrising it as Miyato et al. (2018) do: the
gradient does not flow through the norm, but the weights used are the same normalised ones.

The channel plans follow the paper's tables: at 32x32 (CIFAR) every block has ``4 * ch``
channels; at 64x64 and 128x128 G halves from ``16 * ch`` and D doubles from ``ch``. The
paper uses ch = 96 at 128x128 (ch = 64 is the common 32x32 setting); a few channels suffice
for tests.
"""

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.layers.conditional_batch_norm import ConditionalBatchNormalization
from keras_gans.layers.self_attention import SelfAttention
from keras_gans.layers.spectral_normalization import SpectralNormalization

# resolution -> (G: channels at 4x4, each up-block's output channels), as multiples of ch.
_G_PLANS = {
    16: (4, (4, 4)),
    32: (4, (4, 4, 4)),
    64: (16, (16, 8, 4, 2)),
    128: (16, (16, 8, 4, 2, 1)),
}
# resolution -> D: (output channels, halves the resolution?) of each down-block.
_D_PLANS = {
    16: ((4, True), (4, True), (4, False)),
    32: ((4, True), (4, True), (4, False), (4, False)),
    64: ((1, True), (2, True), (4, True), (8, True), (16, False)),
    128: ((1, True), (2, True), (4, True), (8, True), (16, True), (16, False)),
}
_INIT = "orthogonal"


def _check(image_shape, num_classes, ch):
    image_shape = tuple(int(s) for s in image_shape)
    if len(image_shape) != 3 or image_shape[0] != image_shape[1] or \
            image_shape[0] not in _G_PLANS:
        raise ValueError(
            f"BigGAN networks take square images of side {', '.join(map(str, _G_PLANS))} "
            f"(height, width, channels); received image_shape={image_shape}. Resize the "
            f"images, e.g. kg.data.load(..., image_size=32).")
    if int(num_classes) < 1:
        raise ValueError(f"`num_classes` must be a positive integer; received {num_classes!r}.")
    if int(ch) < 1:
        raise ValueError(f"`ch` must be a positive integer; received {ch!r}.")
    return image_shape


def _attention_at(attention_resolution, resolution, block_resolutions, role):
    if attention_resolution == "default":
        attention_resolution = resolution // 2
    if attention_resolution is None:
        return None
    if attention_resolution not in block_resolutions:
        raise ValueError(
            f"The {role} has no block at resolution {attention_resolution} for "
            f"{resolution}x{resolution} images; choose attention_resolution from "
            f"{sorted(set(block_resolutions))} or None for no self-attention.")
    return int(attention_resolution)


def _sn(layer):
    return SpectralNormalization(layer, name=f"{layer.name}_sn")


def _conv(filters, kernel_size, name):
    return _sn(keras.layers.Conv2D(filters, kernel_size, padding="same",
                                   kernel_initializer=_INIT, name=name))


def latent_chunks(latent_dim, num_blocks):
    """Sizes of the hierarchical latent's chunks: one for the first projection and one per
    block, as equal as possible (the first chunks take the remainder)."""
    parts = num_blocks + 1
    if latent_dim < parts:
        raise ValueError(f"The hierarchical latent needs at least one dimension for the "
                         f"projection and each of the {num_blocks} blocks: latent_dim >= "
                         f"{parts}; received {latent_dim}.")
    base, extra = divmod(latent_dim, parts)
    return [base + (i < extra) for i in range(parts)]


def biggan_generator(latent_dim, image_shape, num_classes, ch=64, shared_dim=128,
                     attention_resolution="default", name="generator"):
    """``[z, labels] -> images`` in [-1, 1].

    Args:
        latent_dim: size of z, cut into ``blocks + 1`` chunks.
        image_shape: ``(r, r, channels)`` with r in 16, 32, 64, 128.
        num_classes: number of classes; labels are integers in ``[0, num_classes)``.
        ch: channel multiplier.
        shared_dim: size of the shared class embedding.
        attention_resolution: resolution after whose block self-attention runs
            (default: half the image side), or None.
    """
    image_shape = _check(image_shape, num_classes, ch)
    resolution = image_shape[0]
    start, plan = _G_PLANS[resolution]
    block_resolutions = [8 * 2 ** i for i in range(len(plan))]
    attention = _attention_at(attention_resolution, resolution, block_resolutions, "generator")
    chunks = latent_chunks(int(latent_dim), len(plan))

    z = keras.Input((latent_dim,), name="z")
    labels = keras.Input((), dtype="int32", name="labels")
    shared = keras.layers.Embedding(num_classes, shared_dim, name="shared_embedding")(labels)
    bounds = [sum(chunks[:i]) for i in range(len(chunks) + 1)]
    z_parts = [z[:, bounds[i]:bounds[i + 1]] for i in range(len(chunks))]

    x = _sn(keras.layers.Dense(4 * 4 * start * ch, kernel_initializer=_INIT,
                               name="project"))(z_parts[0])
    x = keras.layers.Reshape((4, 4, start * ch), name="reshape")(x)
    for i, (mult, res) in enumerate(zip(plan, block_resolutions)):
        cond = keras.layers.Concatenate(name=f"block{i}_condition")([shared, z_parts[i + 1]])
        prefix = f"block{i}"
        h = ConditionalBatchNormalization(spectral_norm=True, name=f"{prefix}_cbn1")([x, cond])
        h = keras.layers.ReLU(name=f"{prefix}_relu1")(h)
        h = keras.layers.UpSampling2D(2, name=f"{prefix}_up")(h)
        h = _conv(mult * ch, 3, f"{prefix}_conv1")(h)
        h = ConditionalBatchNormalization(spectral_norm=True, name=f"{prefix}_cbn2")([h, cond])
        h = keras.layers.ReLU(name=f"{prefix}_relu2")(h)
        h = _conv(mult * ch, 3, f"{prefix}_conv2")(h)
        shortcut = keras.layers.UpSampling2D(2, name=f"{prefix}_shortcut_up")(x)
        shortcut = _conv(mult * ch, 1, f"{prefix}_shortcut")(shortcut)
        x = keras.layers.Add(name=f"{prefix}_add")([h, shortcut])
        if res == attention:
            x = SelfAttention(name=f"attention_{res}")(x)
    x = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=True,
                                        name="output_bn")(x)
    x = keras.layers.ReLU(name="output_relu")(x)
    x = _conv(image_shape[-1], 3, "to_image")(x)
    images = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
    return keras.Model([z, labels], images, name=name)


def biggan_discriminator(image_shape, num_classes, ch=64, attention_resolution="default",
                         name="discriminator"):
    """``[images, labels] -> (batch, 1)`` raw scores: ``linear(h) + <embed(labels), h>``
    with ``h`` the sum-pooled features (the projection discriminator)."""
    image_shape = _check(image_shape, num_classes, ch)
    resolution = image_shape[0]
    plan = _D_PLANS[resolution]
    block_resolutions, res = [], resolution
    for _, down in plan:
        res = res // 2 if down else res
        block_resolutions.append(res)
    attention = _attention_at(attention_resolution, resolution, block_resolutions,
                              "discriminator")

    images = keras.Input(image_shape, name="images")
    labels = keras.Input((), dtype="int32", name="labels")
    x = images
    for i, ((mult, down), res) in enumerate(zip(plan, block_resolutions)):
        prefix = f"block{i}"
        filters = mult * ch
        # Pre-activation everywhere but on the image itself.
        h = keras.layers.ReLU(name=f"{prefix}_relu0")(x) if i > 0 else x
        h = _conv(filters, 3, f"{prefix}_conv1")(h)
        h = keras.layers.ReLU(name=f"{prefix}_relu1")(h)
        h = _conv(filters, 3, f"{prefix}_conv2")(h)
        shortcut = x
        if down:
            h = keras.layers.AveragePooling2D(2, name=f"{prefix}_pool")(h)
        if down or x.shape[-1] != filters:
            if i == 0 and down:   # pool first: the 1x1 conv then runs on a quarter of pixels
                shortcut = keras.layers.AveragePooling2D(2, name=f"{prefix}_shortcut_pool")(x)
                shortcut = _conv(filters, 1, f"{prefix}_shortcut")(shortcut)
            else:
                shortcut = _conv(filters, 1, f"{prefix}_shortcut")(shortcut)
                if down:
                    shortcut = keras.layers.AveragePooling2D(
                        2, name=f"{prefix}_shortcut_pool")(shortcut)
        x = keras.layers.Add(name=f"{prefix}_add")([h, shortcut])
        if res == attention:
            x = SelfAttention(name=f"attention_{res}")(x)
    x = keras.layers.ReLU(name="features_relu")(x)
    side = block_resolutions[-1]
    # Global sum pooling = average pooling times the number of positions.
    h = keras.layers.GlobalAveragePooling2D(name="average_pool")(x)
    h = keras.layers.Rescaling(float(side * side), name="sum_pool")(h)
    linear = _sn(keras.layers.Dense(1, kernel_initializer=_INIT, name="linear"))(h)
    # The class embedding as a bias-free dense layer on one-hot labels (the same matrix):
    # SpectralNormalization casts its output to the input's dtype, which
    # turns an Embedding's output on integer labels into integers.
    one_hot = keras.layers.CategoryEncoding(num_classes, output_mode="one_hot",
                                            name="one_hot")(labels)
    embedded = _sn(keras.layers.Dense(h.shape[-1], use_bias=False,
                                      name="class_embedding"))(one_hot)
    projection = keras.layers.Dot(axes=1, name="projection")([embedded, h])
    logits = keras.layers.Add(dtype="float32", name="logits")([linear, projection])
    return keras.Model([images, labels], logits, name=name)
