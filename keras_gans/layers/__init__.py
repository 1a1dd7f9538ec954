"""Reusable layers that networks of several variants share. Each is registered for
``.keras`` saving under the ``keras_gans`` package."""

from keras_gans.layers.image_pool import ImagePool
from keras_gans.layers.instance_norm import InstanceNormalization
from keras_gans.layers.minibatch_stddev import MinibatchStdDev
from keras_gans.layers.pixel_shuffle import PixelShuffle
from keras_gans.layers.reflection_padding import ReflectionPadding2D
from keras_gans.layers.size_matching import CropToMatch, PadToMultiple

__all__ = ["CropToMatch", "ImagePool", "InstanceNormalization", "MinibatchStdDev",
           "PadToMultiple", "PixelShuffle", "ReflectionPadding2D"]
