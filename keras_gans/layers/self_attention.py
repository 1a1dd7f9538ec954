"""Self-attention over the positions of a feature map (SAGAN: Zhang et al. 2019), in the
form BigGAN uses (Brock et al. 2019).

Every position attends to every other, so a generator can coordinate distant parts of an
image (both eyes of a face) and a discriminator can check them together, which
convolutions alone see only through many layers.
"""

import keras
from keras import ops

from keras_gans import _backend  # noqa: F401
from keras_gans.layers.spectral_normalization import SpectralNormalization


@keras.saving.register_keras_serializable(package="keras_gans")
class SelfAttention(keras.layers.Layer):
    """``y = x + gamma * o(softmax(q(x) k(x)^T) v(x))`` over the ``h * w`` positions.

    ``q``, ``k`` are 1x1 convolutions to ``channels / 8`` channels and ``v`` to
    ``channels / 2``; ``o`` maps back to ``channels``. As in BigGAN, keys and values are
    max-pooled 2x2 (a quarter of the positions), which cuts memory four-fold. ``gamma`` is a
    learned scalar initialised to 0, so the layer starts as the identity and the network
    learns how much non-local evidence to use.

    Args:
        spectral_norm: wrap the four convolutions in ``kg.layers.SpectralNormalization``
            (SAGAN and BigGAN do, in both networks).
        pool_keys: max-pool keys and values 2x2 (BigGAN); SAGAN's original layer does not.
        kernel_initializer: of the convolutions (BigGAN: orthogonal).

    Input: ``(batch, h, w, channels)`` with ``channels`` divisible by 8 and, when pooling,
    even ``h`` and ``w``.
    """

    def __init__(self, spectral_norm=True, pool_keys=True, kernel_initializer="orthogonal",
                 **kwargs):
        super().__init__(**kwargs)
        self.spectral_norm = bool(spectral_norm)
        self.pool_keys = bool(pool_keys)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def _conv(self, filters, name):
        conv = keras.layers.Conv2D(filters, 1, use_bias=False,
                                   kernel_initializer=self.kernel_initializer,
                                   dtype=self.dtype_policy, name=name)
        if self.spectral_norm:
            return SpectralNormalization(conv, name=f"{name}_sn")
        return conv

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(f"SelfAttention takes feature maps (batch, h, w, channels); "
                             f"received shape {tuple(input_shape)}.")
        height, width, channels = input_shape[1:]
        if channels is None or channels % 8:
            raise ValueError(f"SelfAttention needs a channel count divisible by 8 (queries "
                             f"and keys have channels / 8); received {channels}.")
        if self.pool_keys and any(s is not None and s % 2 for s in (height, width)):
            raise ValueError(f"Pooled keys need an even height and width; received "
                             f"{height}x{width}. Pass pool_keys=False or move the layer.")
        self.query = self._conv(channels // 8, "query")
        self.key = self._conv(channels // 8, "key")
        self.value = self._conv(channels // 2, "value")
        self.out = self._conv(channels, "out")
        self.query.build(input_shape)
        self.key.build(input_shape)
        self.value.build(input_shape)
        self.out.build((*input_shape[:-1], channels // 2))
        self.gamma = self.add_weight(shape=(), initializer="zeros", name="gamma")
        self.built = True

    def call(self, x, training=False):
        shape = ops.shape(x)
        batch, height, width, channels = shape[0], shape[1], shape[2], x.shape[-1]
        query = ops.reshape(self.query(x, training=training), (batch, -1, channels // 8))
        key = self.key(x, training=training)
        value = self.value(x, training=training)
        if self.pool_keys:
            key = ops.max_pool(key, 2, 2)
            value = ops.max_pool(value, 2, 2)
        key = ops.reshape(key, (batch, -1, channels // 8))
        value = ops.reshape(value, (batch, -1, channels // 2))
        # (batch, positions, pooled positions): each position's weights over the others.
        attention = ops.softmax(ops.matmul(query, ops.transpose(key, (0, 2, 1))), axis=-1)
        attended = ops.reshape(ops.matmul(attention, value),
                               (batch, height, width, channels // 2))
        return x + ops.cast(self.gamma, x.dtype) * self.out(attended, training=training)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "spectral_norm": self.spectral_norm,
                "pool_keys": self.pool_keys,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer)}
