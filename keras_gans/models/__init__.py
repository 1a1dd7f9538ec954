"""The objectives: one keras.Model subclass per GAN variant."""

from keras_gans.models import registry
from keras_gans.models.adversarial import AdversarialModel
from keras_gans.models.base import GAN
from keras_gans.models.biggan import BigGAN
from keras_gans.models.cgan import ACGAN, CGAN
from keras_gans.models.cyclegan import CycleGAN
from keras_gans.models.dcgan import DCGAN
from keras_gans.models.ebgan import EBGAN
from keras_gans.models.progan import ProGAN
from keras_gans.models.radialgan import RadialGAN
from keras_gans.models.sgan import SGAN
from keras_gans.models.simgan import SimGAN
from keras_gans.models.srgan import SRGAN
from keras_gans.models.srresnet import SRResNet
from keras_gans.models.stylegan import StyleGAN
from keras_gans.models.tabular import TabularGAN
from keras_gans.models.registry import get
from keras_gans.models.wgan import WGAN, WGANGP

# Names used by the command line and recipes: every class registered itself on import.
VARIANTS = registry.variants()

__all__ = ["AdversarialModel", "GAN", "BigGAN", "DCGAN", "ProGAN", "StyleGAN", "WGAN", "WGANGP",
           "VARIANTS", "get", "CycleGAN", "SRGAN", "SRResNet", "SimGAN", "TabularGAN",
           "RadialGAN", "CGAN", "ACGAN", "EBGAN", "SGAN"]

