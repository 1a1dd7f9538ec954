"""DCGAN (Radford, Metz & Chintala 2016): the shared loop with convolutional players."""

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.models import registry
from keras_gans.models.base import GAN
from keras_gans.networks import dcgan


@registry.register("dcgan")
@keras.saving.register_keras_serializable(package="keras_gans")
class DCGAN(GAN):
    """Deep convolutional GAN of Radford, Metz & Chintala (2016), "Unsupervised
    Representation Learning with Deep Convolutional Generative Adversarial Networks".

    What differs from ``GAN``: only the players. The original game (non-saturating loss, one
    D step) is played by the all-convolutional networks of ``keras_gans.networks.dcgan``,
    trained with Adam(lr=2e-4, beta_1=0.5) as in the paper.

    For flat data (``data_shape=(2,)``) the MLP networks are used instead.
    """

    # The critic of WGAN/WGAN-GP shares this layout with a different normalization.
    discriminator_normalization = "batch"

    @classmethod
    def discriminator_spec(cls, **arguments):
        return {"network": "dcgan_discriminator", "normalization": cls.discriminator_normalization,
                **arguments}

    def build_generator(self):
        if len(self.data_shape) == 1:
            return super().build_generator()
        return dcgan.dcgan_generator(self.latent_dim, self.data_shape)

    def build_discriminator(self):
        if len(self.data_shape) == 1:
            return super().build_discriminator()
        return dcgan.dcgan_discriminator(self.data_shape,
                                         normalization=self.discriminator_normalization)
