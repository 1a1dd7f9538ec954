"""Reusable layers that networks of several variants share. Each is registered for
``.keras`` saving under the ``keras_gans`` package."""

from keras_gans.layers.conditional_batch_norm import ConditionalBatchNormalization
from keras_gans.layers.minibatch_stddev import MinibatchStdDev
from keras_gans.layers.self_attention import SelfAttention

__all__ = ["ConditionalBatchNormalization", "MinibatchStdDev", "SelfAttention"]
