"""Reusable layers that networks of several variants share. Each is registered for
``.keras`` saving under the ``keras_gans`` package."""

from keras_gans.layers.minibatch_stddev import MinibatchStdDev
from keras_gans.layers.span_activation import SpanActivation

__all__ = ["MinibatchStdDev", "SpanActivation"]
