"""Packing (PacGAN, Lin, Khetan, Fanti & Oh 2018): the discriminator judges ``pack``
samples at once, all real or all generated, concatenated along the channel axis. A
generator that drops modes makes packs whose members look alike, which one sample alone
does not show.

``PackSamples`` turns a batch of ``n`` examples into ``n / pack`` packs of consecutive
examples; ``RepeatPacked`` gives every example of a pack the pack's score, so the shared
loop's per-example losses average to the average over packs. Consecutive examples (not
strided) so that, under ``tf.distribute`` with per-replica batches divisible by ``pack``,
every replica forms the packs one device forms from the global batch.
"""

import keras
import tensorflow as tf
from keras import ops

from keras_gans import _backend  # noqa: F401


def _check_pack(pack):
    if int(pack) != pack or int(pack) < 1:
        raise ValueError(f"`pack` must be a positive whole number of samples per "
                         f"discriminator input (PacGAN uses 2-4); received {pack!r}.")
    return int(pack)


def pack_samples(x, pack):
    """``(n, ..., c) -> (n / pack, ..., pack * c)``, the function behind ``PackSamples`` (and
    the shared loop's ``compile(pack=...)``)."""
    batch = ops.shape(x)[0]
    tf.debugging.assert_equal(
        batch % pack, 0,
        message=f"PacGAN packs {pack} samples per discriminator input: the batch "
                f"size must be divisible by {pack}. Use a batch size that is a "
                f"multiple of it (and drop_remainder=True in the data pipeline).")
    rest = tuple(x.shape[1:-1])
    channels = x.shape[-1]
    x = ops.reshape(x, (-1, pack, *rest, channels))
    order = (0, *range(2, len(rest) + 2), 1, len(rest) + 2)   # pack axis before channels
    x = ops.transpose(x, order)
    return ops.reshape(x, (-1, *rest, pack * channels))


def repeat_packed(scores, pack):
    """``(n / pack, k) -> (n, k)``, the function behind ``RepeatPacked``."""
    return ops.repeat(scores, pack, axis=0)


@keras.saving.register_keras_serializable(package="keras_gans")
class PackSamples(keras.layers.Layer):
    """``(n, ..., c) -> (n / pack, ..., pack * c)``: example ``i`` of pack ``j`` (example
    ``j * pack + i`` of the batch) fills channels ``i * c`` to ``(i + 1) * c - 1``."""

    def __init__(self, pack, **kwargs):
        super().__init__(**kwargs)
        self.pack = _check_pack(pack)

    def call(self, x):
        return pack_samples(x, self.pack)

    def compute_output_shape(self, input_shape):
        batch = None if input_shape[0] is None else input_shape[0] // self.pack
        return (batch, *input_shape[1:-1], input_shape[-1] * self.pack)

    def get_config(self):
        return {**super().get_config(), "pack": self.pack}


@keras.saving.register_keras_serializable(package="keras_gans")
class RepeatPacked(keras.layers.Layer):
    """``(n / pack, k) -> (n, k)``: each pack's output repeated for its ``pack`` examples."""

    def __init__(self, pack, **kwargs):
        super().__init__(**kwargs)
        self.pack = _check_pack(pack)

    def call(self, x):
        return repeat_packed(x, self.pack)

    def compute_output_shape(self, input_shape):
        batch = None if input_shape[0] is None else input_shape[0] * self.pack
        return (batch, *input_shape[1:])

    def get_config(self):
        return {**super().get_config(), "pack": self.pack}
