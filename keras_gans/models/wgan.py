"""Wasserstein GANs: weight clipping (Arjovsky et al. 2017) and gradient penalty
(Gulrajani et al. 2017). Both play the shared loop with the Wasserstein loss and five
critic updates per generator update; they differ in how the critic is kept Lipschitz."""

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.models import registry
from keras_gans.models.dcgan import DCGAN
from keras_gans.penalties import GradientPenalty, WeightClipping


@registry.register("wgan")
@keras.saving.register_keras_serializable(package="keras_gans")
class WGAN(DCGAN):
    """Wasserstein GAN of Arjovsky, Chintala & Bottou (2017), "Wasserstein Generative
    Adversarial Networks" (arXiv: "Wasserstein GAN").

    What differs from ``GAN``: the Wasserstein loss and weight clipping. A critic without
    sigmoid, its weights clipped to [-0.01, 0.01] after every update, RMSProp(5e-5)
    (momentum-based optimizers made the paper's training unstable), 5 critic steps per
    generator step. DCGAN networks, with batch norm in the critic as in the paper's
    experiments.

    The paper's code also trains the critic 100 times before each of the first 25
    generator updates and every 500th: ``compile(critic_schedule="wgan")``, off by default
    (a short ``fit`` would otherwise not move the generator for its first 500 steps). Its
    Algorithm 1 draws a fresh real batch for every critic update:
    ``compile(split_real_batch=True)`` with batches of ``d_steps`` times the minibatch."""

    def default_compile_args(self):
        return {
            "d_optimizer": keras.optimizers.RMSprop(5e-5),
            "g_optimizer": keras.optimizers.RMSprop(5e-5),
            "loss": "wasserstein",
            "penalties": [WeightClipping(0.01)],
            "d_steps": 5,
        }


@registry.register("wgan-gp")
@keras.saving.register_keras_serializable(package="keras_gans")
class WGANGP(DCGAN):
    """WGAN-GP of Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville (2017), "Improved
    Training of Wasserstein GANs".

    What differs from ``WGAN``: the gradient penalty (lambda = 10) replaces clipping;
    Adam(1e-4, 0.5, 0.9), 5 critic steps. The critic uses layer normalization instead of
    batch norm, as the paper recommends: batch norm couples the examples of a batch, which
    invalidates the per-example penalty."""

    discriminator_normalization = "layer"

    def default_compile_args(self):
        return {
            "d_optimizer": keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
            "g_optimizer": keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
            "loss": "wasserstein",
            "penalties": [GradientPenalty(10.0)],
            "d_steps": 5,
        }
