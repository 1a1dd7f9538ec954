"""Architectures: functions that build generator and discriminator ``keras.Model``s.

A network knows nothing of the game it plays; the objectives live in ``keras_gans.models``.
"""

from keras_gans.networks.dcgan import dcgan_discriminator, dcgan_generator
from keras_gans.networks.mlp import mlp_discriminator, mlp_generator
from keras_gans.networks.tabular import tabular_discriminator, tabular_generator

__all__ = ["dcgan_discriminator", "dcgan_generator", "mlp_discriminator", "mlp_generator",
           "tabular_discriminator", "tabular_generator"]
