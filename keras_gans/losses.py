"""Adversarial losses, each computed from the discriminator's raw outputs (logits).

A loss object answers three questions for the shared loop in ``models/base.py``:
what the discriminator minimises, what the generator minimises, and how to turn a raw
output into the score that is logged as ``D(x)`` (a probability for the sigmoid losses,
the critic value otherwise). Every function returns a scalar: the mean over the batch and
over any spatial output grid (PatchGAN outputs work unchanged).

The sigmoid losses use ``softplus`` identities so that they never take ``log(0)``:
``-log(sigmoid(t)) = softplus(-t)`` and ``-log(1 - sigmoid(t)) = softplus(t)``.
"""

import difflib

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401


def _mean(x, weights=None):
    """The mean of ``x``, or of ``x * weights`` (per example) when weights are given."""
    x = tf.cast(x, tf.float32)
    if weights is not None:
        x = x * tf.reshape(tf.cast(weights, tf.float32), [-1] + [1] * (x.shape.rank - 1))
    return tf.reduce_mean(x)


class AdversarialLoss:
    """Base class. Subclasses define ``discriminator_loss`` and ``generator_loss``."""

    name = None
    # True when the discriminator's output is the logit of "this is real".
    probabilistic = False
    # True when a higher discriminator output means "more real" (False for energies).
    higher_is_real = True
    # What the critic's mean output on real minus generated examples (d_real - d_fake in a
    # run's history) estimates, for losses under which it estimates a distance between the
    # data and the generator's distribution; None where it does not.
    distance_estimate = None

    def discriminator_loss(self, real_logits, fake_logits, real_weights=None):
        """D's loss. ``real_weights``: a weight per real example in the mean of the real
        term (weights that average 1 keep its scale; 0 leaves an example out), as SGAN
        uses to keep its labelled examples out of the unsupervised term."""
        raise NotImplementedError

    def generator_loss(self, fake_logits):
        raise NotImplementedError

    def score(self, logits):
        """The value logged as D(x): a probability for sigmoid losses, else the raw output."""
        logits = tf.cast(logits, tf.float32)
        return tf.sigmoid(logits) if self.probabilistic else logits

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}()"


@keras.saving.register_keras_serializable(package="keras_gans")
class Minimax(AdversarialLoss):
    """The original game of Goodfellow et al. (2014): G minimises ``log(1 - D(G(z)))``.

    Its generator gradient vanishes when D confidently rejects fakes (early training),
    which is why the paper itself suggests the non-saturating form in practice.
    """

    name = "minimax"
    probabilistic = True

    def discriminator_loss(self, real_logits, fake_logits, real_weights=None):
        return (_mean(tf.nn.softplus(-real_logits), real_weights)
                + _mean(tf.nn.softplus(fake_logits)))

    def generator_loss(self, fake_logits):
        # log(1 - sigmoid(t)) = -softplus(t)
        return -_mean(tf.nn.softplus(fake_logits))


@keras.saving.register_keras_serializable(package="keras_gans")
class NonSaturating(Minimax):
    """The heuristic of Goodfellow et al. (2014): G minimises ``-log D(G(z))`` instead."""

    name = "non_saturating"

    def generator_loss(self, fake_logits):
        return _mean(tf.nn.softplus(-fake_logits))


@keras.saving.register_keras_serializable(package="keras_gans")
class Wasserstein(AdversarialLoss):
    """Kantorovich-Rubinstein dual of Arjovsky et al. (2017): the critic maximises
    ``E[D(x)] - E[D(G(z))]``; needs a Lipschitz constraint (clipping or a gradient penalty)."""

    name = "wasserstein"
    distance_estimate = "the Wasserstein-1 distance, up to the critic's Lipschitz constant"

    def discriminator_loss(self, real_logits, fake_logits, real_weights=None):
        return _mean(fake_logits) - _mean(real_logits, real_weights)

    def generator_loss(self, fake_logits):
        return -_mean(fake_logits)


@keras.saving.register_keras_serializable(package="keras_gans")
class Hinge(AdversarialLoss):
    """Hinge loss (Lim & Ye 2017; Miyato et al. 2018), as used by SNGAN and BigGAN."""

    name = "hinge"

    def discriminator_loss(self, real_logits, fake_logits, real_weights=None):
        return (_mean(tf.nn.relu(1.0 - real_logits), real_weights)
                + _mean(tf.nn.relu(1.0 + fake_logits)))

    def generator_loss(self, fake_logits):
        return -_mean(fake_logits)


@keras.saving.register_keras_serializable(package="keras_gans")
class LeastSquares(AdversarialLoss):
    """LSGAN (Mao et al. 2017) with targets a=0 (fake), b=1 (real), c=1 (generator)."""

    name = "least_squares"

    def discriminator_loss(self, real_logits, fake_logits, real_weights=None):
        return (0.5 * _mean(tf.square(real_logits - 1.0), real_weights)
                + 0.5 * _mean(tf.square(fake_logits)))

    def generator_loss(self, fake_logits):
        return 0.5 * _mean(tf.square(fake_logits - 1.0))


@keras.saving.register_keras_serializable(package="keras_gans")
class EnergyMargin(AdversarialLoss):
    """EBGAN (Zhao et al. 2017): the discriminator's outputs are energies, low on real data.
    D minimises ``D(x) + max(0, m - D(G(z)))`` (it pushes fakes' energy up to the margin m
    and no further); G minimises ``D(G(z))``.

    Args:
        margin: m, in the units of the energy. EBGAN's default energy is the per-pixel
            mean squared reconstruction error of images in [-1, 1], and its default margin
            0.1 (``kg.models.EBGAN`` says how it was chosen).
    """

    name = "energy_margin"
    higher_is_real = False

    def __init__(self, margin=0.1):
        if not float(margin) > 0:
            raise ValueError(f"`margin` must be positive; received {margin!r}.")
        self.margin = float(margin)

    def discriminator_loss(self, real_logits, fake_logits, real_weights=None):
        return _mean(real_logits, real_weights) + _mean(
            tf.nn.relu(self.margin - tf.cast(fake_logits, tf.float32)))

    def generator_loss(self, fake_logits):
        return _mean(fake_logits)

    def get_config(self):
        return {"margin": self.margin}

    def __repr__(self):
        return f"EnergyMargin(margin={self.margin})"


_REGISTRY = {cls.name: cls for cls in (Minimax, NonSaturating, Wasserstein, Hinge, LeastSquares,
                                       EnergyMargin)}
_ALIASES = {"saturating": "minimax", "ns": "non_saturating", "wgan": "wasserstein",
            "lsgan": "least_squares", "ls": "least_squares", "energy": "energy_margin",
            "ebgan": "energy_margin"}


def names():
    return sorted(_REGISTRY)


def get(identifier):
    """Return a loss object from a name, an ``AdversarialLoss`` instance, a serialized config,
    or ``{"name": ..., **arguments}`` as recipes write it (``{name: energy_margin,
    margin: 0.3}``)."""
    if isinstance(identifier, AdversarialLoss):
        return identifier
    if isinstance(identifier, dict) and "name" in identifier and "class_name" not in identifier:
        arguments = dict(identifier)
        loss_class = type(get(arguments.pop("name")))
        try:
            return loss_class(**arguments)
        except TypeError as error:
            raise ValueError(f"Bad arguments {arguments} for the loss {loss_class.__name__}: "
                             f"{error}.") from None
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    if isinstance(identifier, str):
        key = identifier.lower().replace("-", "_")
        key = _ALIASES.get(key, key)
        if key in _REGISTRY:
            return _REGISTRY[key]()
        close = difflib.get_close_matches(key, names(), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"Unknown adversarial loss '{identifier}'.{hint} "
            f"Known losses: {', '.join(names())}; or pass an AdversarialLoss instance."
        )
    raise TypeError(
        f"`loss` must be a loss name or an AdversarialLoss instance; received "
        f"{type(identifier).__name__}: {identifier!r}."
    )
