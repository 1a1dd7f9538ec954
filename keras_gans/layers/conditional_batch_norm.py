"""Conditional batch normalization (de Vries et al. 2017; Dumoulin et al. 2017), the form
BigGAN uses (Brock et al. 2019, section 3 and appendix B).

Batch norm without its own scale and offset; instead, each example's per-channel gain and
bias are linear functions of a conditioning vector. In BigGAN that vector is a shared class
embedding concatenated with the example's chunk of the hierarchical latent, so that the
class and the noise steer every block of the generator.
"""

import keras
from keras import ops

from keras_gans import _backend  # noqa: F401
from keras_gans.layers.spectral_normalization import SpectralNormalization


@keras.saving.register_keras_serializable(package="keras_gans")
class ConditionalBatchNormalization(keras.layers.Layer):
    """``y = (1 + gain(c)) * BN(x) + bias(c)`` for features ``x`` and condition ``c``.

    Call it on ``[x, c]``: ``x`` of shape ``(batch, ..., channels)`` (images or flat
    features), ``c`` of shape ``(batch, condition_dim)``. ``gain`` and ``bias`` are Dense
    layers from ``c`` to ``channels`` values; the gain is applied as ``1 + gain(c)`` so that
    it starts around 1 (exactly 1, and the layer equals plain batch norm, when the
    projections are zero-initialised).

    Args:
        momentum, epsilon: of the batch statistics' moving averages, as in
            ``keras.layers.BatchNormalization``.
        synchronized: statistics of the global batch under tf.distribute (default True).
        spectral_norm: wrap the two projections in ``kg.layers.SpectralNormalization``,
            as BigGAN's generator does.
        projection_initializer: kernel initializer of the projections (BigGAN: orthogonal).
    """

    def __init__(self, momentum=0.9, epsilon=1e-5, synchronized=True, spectral_norm=False,
                 projection_initializer="orthogonal", **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= float(momentum) < 1.0:
            raise ValueError(f"`momentum` must be in [0, 1); received {momentum!r}.")
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.synchronized = bool(synchronized)
        self.spectral_norm = bool(spectral_norm)
        self.projection_initializer = keras.initializers.get(projection_initializer)
        self.norm = keras.layers.BatchNormalization(
            momentum=self.momentum, epsilon=self.epsilon, center=False, scale=False,
            synchronized=self.synchronized, dtype=self.dtype_policy, name="norm")

    def _projection(self, units, name):
        dense = keras.layers.Dense(units, kernel_initializer=self.projection_initializer,
                                   dtype=self.dtype_policy, name=name)
        if self.spectral_norm:
            return SpectralNormalization(dense, name=f"{name}_sn")
        return dense

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or not all(
                isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError("ConditionalBatchNormalization is called on [features, "
                             f"condition]; received an input of shape {input_shape}.")
        x_shape, c_shape = (tuple(s) for s in input_shape)
        if len(c_shape) != 2:
            raise ValueError(f"The condition must have shape (batch, condition_dim); received "
                             f"{c_shape}.")
        if len(x_shape) < 2 or x_shape[-1] is None:
            raise ValueError(f"The features need a known channel axis; received {x_shape}.")
        channels = x_shape[-1]
        self.norm.build(x_shape)
        self.gain = self._projection(channels, "gain")
        self.bias = self._projection(channels, "bias")
        self.gain.build(c_shape)
        self.bias.build(c_shape)
        self.built = True

    def call(self, inputs, training=False):
        x, condition = inputs
        normalized = self.norm(x, training=training)
        condition = ops.cast(condition, normalized.dtype)
        # (batch, channels) -> (batch, 1, ..., 1, channels) to broadcast over space.
        expand = (slice(None),) + (None,) * (len(x.shape) - 2) + (slice(None),)
        gain = self.gain(condition, training=training)[expand]
        bias = self.bias(condition, training=training)[expand]
        return normalized * (1.0 + gain) + bias

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "epsilon": self.epsilon,
                "synchronized": self.synchronized, "spectral_norm": self.spectral_norm,
                "projection_initializer": keras.initializers.serialize(
                    self.projection_initializer)}
