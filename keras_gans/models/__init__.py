"""The objectives: one keras.Model subclass per GAN variant."""

from keras_gans.models.base import GAN
from keras_gans.models.cgan import ACGAN, CGAN
from keras_gans.models.dcgan import DCGAN
from keras_gans.models.ebgan import EBGAN
from keras_gans.models.sgan import SGAN
from keras_gans.models.wgan import WGAN, WGANGP

# Names used by the command line and recipes.
VARIANTS = {"gan": GAN, "dcgan": DCGAN, "wgan": WGAN, "wgan-gp": WGANGP, "cgan": CGAN,
            "acgan": ACGAN, "ebgan": EBGAN, "sgan": SGAN}

__all__ = ["GAN", "DCGAN", "WGAN", "WGANGP", "CGAN", "ACGAN", "EBGAN", "SGAN", "VARIANTS", "get"]


def get(name):
    key = name.lower().replace("_", "-")
    if key == "wgangp":
        key = "wgan-gp"
    if key not in VARIANTS:
        raise ValueError(f"Unknown GAN variant '{name}'. Known variants: "
                         f"{', '.join(sorted(VARIANTS))}.")
    return VARIANTS[key]
