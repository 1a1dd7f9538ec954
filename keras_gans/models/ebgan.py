"""EBGAN (Zhao, Mathieu & LeCun 2017): the discriminator is an autoencoder and its
reconstruction error is an energy, low on real data."""

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute
from keras_gans.losses import EnergyMargin
from keras_gans.models import custom_networks
from keras_gans.models import registry
from keras_gans.models.dcgan import DCGAN
from keras_gans.models.objectives import GeneratorObjective
from keras_gans.networks import autoencoder


def pulling_away_term(codes):
    """EBGAN's PT: the mean squared cosine similarity of every pair of distinct codes,
    (1 / (N (N - 1))) sum_{i != j} (s_i . s_j)^2 with s = code / |code|. Small when the
    batch's codes point in different directions, so G is pushed away from one mode.

    It is a term of the generator's loss on D's codes, not a penalty on D, so it lives here
    rather than in ``penalties.py``.
    """
    codes = tf.cast(tf.reshape(codes, [tf.shape(codes)[0], -1]), tf.float32)
    s = tf.math.l2_normalize(codes, axis=1)
    n = tf.cast(tf.shape(s)[0], tf.float32)
    similarity = tf.square(tf.matmul(s, s, transpose_b=True))
    # The diagonal holds n ones (each code with itself): removed.
    return (tf.reduce_sum(similarity) - n) / tf.maximum(n * (n - 1.0), 1.0)


@registry.register("ebgan")
@keras.saving.register_keras_serializable(package="keras_gans")
class EBGAN(DCGAN):
    """Energy-based GAN of Zhao, Mathieu & LeCun (2017), "Energy-based Generative
    Adversarial Network".

    What differs from ``DCGAN``: D(x) = [reconstruction, code] is an autoencoder and the
    energy of x is its per-example mean squared reconstruction error. The loss is
    ``kg.losses.EnergyMargin`` (L_D = D(x) + max(0, m - D(G(z))), L_G = D(G(z))), so
    ``d_real`` and ``d_fake`` log the mean energies.

    Args:
        pulling_away: weight of the pulling-away term on the encoder codes of the fakes,
            added to G's loss (the paper's EBGAN-PT uses 0.1; 0 turns it off, the default).
        code_dim: size of the autoencoder's code (default networks only).
        Other arguments as ``GAN``; a custom discriminator returns ``[reconstruction,
        code]`` (``kg.networks.autoencoder_discriminator``).

    Defaults: DCGAN's networks and Adam(2e-4, 0.5); margin 0.1 for the per-pixel mean
    energy of images in [-1, 1] (the paper chose m per data set by grid search, for its own
    energy scale). The margin should be a few times the energy the autoencoder reaches on
    real data: on MNIST that falls to about 0.05, and m = 0.1 drew digits within 1,000
    steps where m = 0.3 drew blurred strokes and m = 1.0 only noise after 3,500 (the
    ebgan-mnist recipe).
    """

    critic_returns_logits = False

    @classmethod
    def discriminator_spec(cls, **arguments):
        return None  # D is an autoencoder whose energy is its reconstruction error

    def __init__(self, data_shape=None, latent_dim=None, generator=None, discriminator=None,
                 pulling_away=0.0, code_dim=32, image_shape=None, **kwargs):
        if float(pulling_away) < 0:
            raise ValueError(f"`pulling_away` must be >= 0; received {pulling_away!r}.")
        self.pulling_away = float(pulling_away)
        self.code_dim = int(code_dim)
        super().__init__(data_shape, latent_dim, generator, discriminator, image_shape,
                         **kwargs)

    def build_discriminator(self):
        return autoencoder.autoencoder_discriminator(self.data_shape, code_dim=self.code_dim)

    def _check_networks(self, generator, discriminator):
        super()._check_networks(generator, discriminator)
        outputs = custom_networks.output_shapes(discriminator, "discriminator")
        if len(outputs) != 2:
            raise ValueError(
                f"The EBGAN discriminator is an autoencoder returning [reconstruction, code]; "
                f"this one has {len(outputs)} output(s). Build it with "
                f"kg.networks.autoencoder_discriminator.")
        out = outputs[0]
        if out != self.data_shape:
            raise ValueError(f"The autoencoder reconstructs shape {out}, not the data's "
                             f"{self.data_shape}.")

    def default_compile_args(self):
        return {**super().default_compile_args(), "loss": EnergyMargin(0.1)}

    def energy_and_code(self, x, training=True):
        """Per-example energy (batch, 1), the mean squared reconstruction error, and code."""
        x = self.discriminator_input(x, training)   # D reconstructs what it is shown
        reconstruction, code = self.discriminator(x, training=training)
        error = tf.square(tf.cast(reconstruction, tf.float32) - tf.cast(x, tf.float32))
        energy = tf.reduce_mean(tf.reshape(error, [tf.shape(error)[0], -1]), axis=1,
                                keepdims=True)
        return energy, code

    def critic(self, x, condition=None, training=True):
        return self.energy_and_code(x, training)[0]

    def generator_objective(self, fake, condition=None, training=True):
        energy, code = self.energy_and_code(fake, training)
        loss = self.loss_fn.generator_loss(energy)
        if self.pulling_away:
            # A term over pairs of the batch: computed on the global batch's codes, so
            # that every replica adds the value one device would.
            codes = distribute.gather_global_batch(code)
            loss = loss + self.pulling_away * pulling_away_term(codes)
        return GeneratorObjective(loss)

    def get_config(self):
        return {**super().get_config(), "pulling_away": self.pulling_away,
                "code_dim": self.code_dim}
