"""Architectures: functions that build generator and discriminator ``keras.Model``s.

A network knows nothing of the game it plays; the objectives live in ``keras_gans.models``.
"""

from keras_gans.networks.autoencoder import autoencoder_discriminator
from keras_gans.networks.biggan import biggan_discriminator, biggan_generator
from keras_gans.networks.classifier import classifier_discriminator
from keras_gans.networks.conditional import (auxiliary_classifier_discriminator,
                                             conditional_discriminator, conditional_generator)
from keras_gans.networks.dcgan import dcgan_discriminator, dcgan_generator
from keras_gans.networks.mlp import mlp_discriminator, mlp_generator
from keras_gans.networks.packing import packed_discriminator
from keras_gans.networks.patchgan import (patchgan_discriminator, patchgan_output_size,
                                          patchgan_receptive_field)
from keras_gans.networks.progan import progan_discriminator, progan_generator
from keras_gans.networks.resnet import resnet_generator
from keras_gans.networks.simgan import simgan_local_discriminator, simgan_refiner
from keras_gans.networks.srresnet import srgan_discriminator, srresnet_generator
from keras_gans.networks.stylegan import (mapping_network, stylegan_discriminator,
                                          stylegan_generator, synthesis_network)
from keras_gans.networks.tabular import tabular_discriminator, tabular_generator

__all__ = ["biggan_discriminator", "biggan_generator", "dcgan_discriminator", "dcgan_generator",
           "mlp_discriminator", "mlp_generator", "progan_discriminator", "progan_generator",
           "mapping_network", "stylegan_discriminator", "stylegan_generator", "synthesis_network",
           "patchgan_discriminator", "patchgan_output_size", "patchgan_receptive_field",
           "resnet_generator", "simgan_local_discriminator", "simgan_refiner",
           "srgan_discriminator", "srresnet_generator", "tabular_discriminator",
           "tabular_generator", "autoencoder_discriminator", "auxiliary_classifier_discriminator",
           "classifier_discriminator", "conditional_discriminator", "conditional_generator",
           "packed_discriminator"]
