"""Reusable layers that networks of several variants share. Each is registered for
``.keras`` saving under the ``keras_gans`` package."""

from keras_gans.layers.adain import AdaIN
from keras_gans.layers.conditional_batch_norm import ConditionalBatchNormalization
from keras_gans.layers.constant_input import ConstantInput
from keras_gans.layers.equalized import EqualizedConv2D, EqualizedDense
from keras_gans.layers.fade_in import FadeIn
from keras_gans.layers.image_pool import ImagePool
from keras_gans.layers.instance_norm import InstanceNormalization
from keras_gans.layers.minibatch_discrimination import MinibatchDiscrimination
from keras_gans.layers.minibatch_stddev import MinibatchStdDev
from keras_gans.layers.modulated_conv import ModulatedConv2D
from keras_gans.layers.noise_injection import NoiseInjection
from keras_gans.layers.packing import PackSamples, RepeatPacked
from keras_gans.layers.pixel_norm import PixelNorm
from keras_gans.layers.pixel_shuffle import PixelShuffle
from keras_gans.layers.reflection_padding import ReflectionPadding2D
from keras_gans.layers.replica_noise import ReplicaDropout, ReplicaGaussianNoise
from keras_gans.layers.self_attention import SelfAttention
from keras_gans.layers.size_matching import CropToMatch, PadToMultiple
from keras_gans.layers.span_activation import SpanActivation
from keras_gans.layers.spectral_normalization import SpectralNormalization
from keras_gans.layers.weight_norm import WeightNormDense

__all__ = ["AdaIN", "ConditionalBatchNormalization", "ConstantInput", "EqualizedConv2D",
           "EqualizedDense", "FadeIn", "MinibatchStdDev", "ModulatedConv2D", "NoiseInjection",
           "PixelNorm", "SelfAttention", "CropToMatch", "ImagePool", "InstanceNormalization",
           "PadToMultiple", "PixelShuffle", "ReflectionPadding2D", "SpanActivation",
           "SpectralNormalization",
           "MinibatchDiscrimination", "ReplicaDropout", "ReplicaGaussianNoise", "PackSamples",
           "RepeatPacked", "WeightNormDense"]
