"""PacGAN's packed discriminator around any discriminator network (see
``keras_gans.layers.packing``)."""

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.layers.packing import PackSamples, RepeatPacked


def packed_discriminator(network, pack, name="discriminator"):
    """Wrap ``network``, a discriminator built for ``pack`` samples stacked along the
    channel axis (input ``(..., pack * c)``, output ``(n, k)``), into one that takes single
    samples ``(..., c)`` and gives each the score of its pack. Drop it in wherever a
    discriminator goes; the batch size must be divisible by ``pack``::

        inner = kg.networks.dcgan_discriminator((28, 28, 3 * 2))
        gan = kg.models.DCGAN(data_shape=(28, 28, 3),
                              discriminator=kg.networks.packed_discriminator(inner, 2))

    Use it with the shared loop's plain losses, as PacGAN does. A gradient penalty
    (WGAN-GP, R1) differentiates each example's score, which is a copy of its pack's: it
    sees ``pack`` times the pack score's gradient, so its target means something else.
    """
    pack = int(pack)
    inner_shape = tuple(network.input_shape[1:])
    if inner_shape[-1] is None or inner_shape[-1] % pack:
        raise ValueError(
            f"A discriminator packing {pack} samples takes {pack} x the data's channels; "
            f"this network's input has {inner_shape[-1]} channels, not a multiple of {pack}. "
            f"Build it for shape (..., {pack} * channels), e.g. "
            f"dcgan_discriminator((28, 28, {pack} * 3)).")
    samples = keras.Input((*inner_shape[:-1], inner_shape[-1] // pack), name="samples")
    scores = network(PackSamples(pack, name="pack")(samples))
    return keras.Model(samples, RepeatPacked(pack, name="repeat_per_sample")(scores),
                       name=name)
