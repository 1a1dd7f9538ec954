"""Reusable layers that networks of several variants share. Each is registered for
``.keras`` saving under the ``keras_gans`` package."""

from keras_gans.layers.adain import AdaIN
from keras_gans.layers.conditional_batch_norm import ConditionalBatchNormalization
from keras_gans.layers.constant_input import ConstantInput
from keras_gans.layers.equalized import EqualizedConv2D, EqualizedDense
from keras_gans.layers.fade_in import FadeIn
from keras_gans.layers.minibatch_stddev import MinibatchStdDev
from keras_gans.layers.modulated_conv import ModulatedConv2D
from keras_gans.layers.noise_injection import NoiseInjection
from keras_gans.layers.pixel_norm import PixelNorm
from keras_gans.layers.self_attention import SelfAttention

__all__ = ["AdaIN", "ConditionalBatchNormalization", "ConstantInput", "EqualizedConv2D",
           "EqualizedDense", "FadeIn", "MinibatchStdDev", "ModulatedConv2D", "NoiseInjection",
           "PixelNorm", "SelfAttention"]
