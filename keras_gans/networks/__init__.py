"""Architectures: functions that build generator and discriminator ``keras.Model``s.

A network knows nothing of the game it plays; the objectives live in ``keras_gans.models``.
"""

from keras_gans.networks.autoencoder import autoencoder_discriminator
from keras_gans.networks.classifier import classifier_discriminator
from keras_gans.networks.conditional import (auxiliary_classifier_discriminator,
                                             conditional_discriminator, conditional_generator)
from keras_gans.networks.dcgan import dcgan_discriminator, dcgan_generator
from keras_gans.networks.mlp import mlp_discriminator, mlp_generator

__all__ = ["autoencoder_discriminator", "auxiliary_classifier_discriminator",
           "classifier_discriminator", "conditional_discriminator", "conditional_generator",
           "dcgan_discriminator", "dcgan_generator", "mlp_discriminator", "mlp_generator"]
