"""Class-conditional GANs: CGAN (Mirza & Osindero 2014), with a concat or projection
(Miyato & Koyama 2018) discriminator, and AC-GAN (Odena et al. 2017).

Both train on batches of ``(examples, integer labels)``, as ``kg.data.load(...,
labels=True)`` yields them; the label handling they share with BigGAN lives in
``class_conditional.py``.
"""

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans.models import custom_networks
from keras_gans.models import registry
from keras_gans.models.class_conditional import ClassConditional
from keras_gans.models.dcgan import DCGAN
from keras_gans.models.objectives import DiscriminatorObjective, GeneratorObjective
from keras_gans.networks import conditional


def _class_loss(labels, logits):
    """Mean sparse softmax cross-entropy of ``logits`` (batch, K) for labels (batch, 1)."""
    return tf.reduce_mean(keras.ops.sparse_categorical_crossentropy(
        tf.reshape(labels, [-1]), logits, from_logits=True))


@registry.register("cgan")
@keras.saving.register_keras_serializable(package="keras_gans")
class CGAN(ClassConditional, DCGAN):
    """Conditional GAN of Mirza & Osindero (2014), "Conditional Generative Adversarial Nets".

    What differs from ``GAN``: both players also take the class label y, so that G learns
    p(x | y) and ``generate(n, labels=...)`` draws the classes asked for.

    The game is DCGAN's (non-saturating loss, Adam(2e-4, 0.5)); what changes is the players'
    inputs. G gets z concatenated with a learned label embedding. D is conditioned by
    ``conditioning="concat"`` (a learned label map stacked on the image channels, or an
    embedding joined to flat features, the paper's form) or ``"projection"`` (Miyato &
    Koyama 2018: logit = psi(phi(x)) + <embed(y), phi(x)>). Networks are DCGAN-style for
    images and MLPs for flat data (``kg.networks.conditional``).

    Args:
        num_classes: the number of classes K; labels are integers in [0, K).
        conditioning: ``"concat"`` or ``"projection"`` (used for the default D).
        generator, discriminator: your own players: G takes ``[z, labels]`` and D
            ``[x, labels]``, labels of shape (1,), int32.
        Other arguments as ``GAN``.
    """

    conditionings = conditional.CONDITIONINGS

    @classmethod
    def discriminator_spec(cls, **arguments):
        return None  # D also reads the labels

    def __init__(self, data_shape=None, latent_dim=None, num_classes=None, generator=None,
                 discriminator=None, conditioning="concat", image_shape=None, **kwargs):
        if num_classes is None:
            raise ValueError(f"{type(self).__name__} needs `num_classes`, the number of "
                             f"classes of the labels (e.g. num_classes=10 for MNIST).")
        if conditioning not in self.conditionings:
            raise ValueError(f"`conditioning` must be one of {self.conditionings}; received "
                             f"{conditioning!r}.")
        self.num_classes = conditional._check_num_classes(num_classes)
        self.conditioning = conditioning
        super().__init__(data_shape, latent_dim, generator, discriminator, image_shape,
                         **kwargs)

    # -- networks -------------------------------------------------------------------

    def build_generator(self):
        return conditional.conditional_generator(self.latent_dim, self.data_shape,
                                                 self.num_classes)

    def build_discriminator(self):
        return conditional.conditional_discriminator(
            self.data_shape, self.num_classes, conditioning=self.conditioning,
            normalization=self.discriminator_normalization)

    def _check_networks(self, generator, discriminator):
        g_inputs = custom_networks.input_shapes(generator, "generator")
        if len(g_inputs) != 2:
            raise ValueError(
                f"A conditional generator takes two inputs, [z, labels]; this one takes "
                f"{len(g_inputs)}. Build it with kg.networks.conditional_generator.")
        g_in = g_inputs[0]
        if g_in != (self.latent_dim,):
            raise ValueError(f"The generator takes z of shape {g_in}, but "
                             f"latent_dim={self.latent_dim}.")
        g_out = custom_networks.output_shapes(generator, "generator")[0]
        d_in = custom_networks.input_shapes(discriminator, "discriminator")[0]
        if g_out != self.data_shape or d_in != self.data_shape:
            raise ValueError(
                f"Shapes disagree: data_shape={self.data_shape}, the generator outputs {g_out} "
                f"and the discriminator takes {d_in}. All three must be equal.")
        self._check_discriminator_inputs(discriminator)
        custom_networks.check_returns_logits(discriminator)

    def _check_discriminator_inputs(self, discriminator):
        count = len(custom_networks.input_shapes(discriminator, "discriminator"))
        if count != 2:
            raise ValueError(
                f"A CGAN discriminator takes two inputs, [x, labels]; this one takes "
                f"{count}. Build it with kg.networks.conditional_discriminator.")

    def call(self, inputs, training=False):
        z, labels = inputs
        return self.generator([z, labels], training=training)

    # -- serialization --------------------------------------------------------------

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "conditioning": self.conditioning}


@registry.register("acgan")
@keras.saving.register_keras_serializable(package="keras_gans")
class ACGAN(CGAN):
    """Auxiliary-classifier GAN of Odena, Olah & Shlens (2017), "Conditional Image Synthesis
    with Auxiliary Classifier GANs".

    What differs from ``CGAN``: G is conditioned as in CGAN, but D is not: it sees only x
    and has two heads, the adversarial logit and K class logits.
    Both players add the class cross-entropy of their examples' labels to their adversarial
    loss: D on real and fake examples, G on its fakes (the paper's L_C). Logged as
    ``d_class_loss``, ``g_class_loss`` and ``class_accuracy`` (D on real examples).

    Custom discriminators take x alone and return ``[logit (1,), class logits (K,)]``
    (``kg.networks.auxiliary_classifier_discriminator``).
    """

    conditionings = ("auxiliary",)

    def __init__(self, data_shape=None, latent_dim=None, num_classes=None, generator=None,
                 discriminator=None, image_shape=None, **kwargs):
        kwargs.pop("conditioning", None)
        super().__init__(data_shape, latent_dim, num_classes, generator, discriminator,
                         conditioning="auxiliary", image_shape=image_shape, **kwargs)
        self.d_class_tracker = keras.metrics.Mean(name="d_class_loss")
        self.g_class_tracker = keras.metrics.Mean(name="g_class_loss")
        self.accuracy_tracker = keras.metrics.Mean(name="class_accuracy")

    def build_discriminator(self):
        return conditional.auxiliary_classifier_discriminator(
            self.data_shape, self.num_classes, normalization=self.discriminator_normalization)

    def _check_discriminator_inputs(self, discriminator):
        inputs = custom_networks.input_shapes(discriminator, "discriminator")
        outputs = custom_networks.output_shapes(discriminator, "discriminator")
        if len(inputs) != 1 or len(outputs) != 2:
            raise ValueError(
                f"An AC-GAN discriminator takes x alone and returns [logit, class logits]; "
                f"this one has {len(inputs)} input(s) and {len(outputs)} output(s). Build it "
                f"with kg.networks.auxiliary_classifier_discriminator.")

    def heads(self, x, training=True):
        """D's (adversarial logit, class logits), in float32."""
        adversarial, classes = self.discriminator(self.discriminator_input(x, training),
                                                  training=training)
        return tf.cast(adversarial, tf.float32), tf.cast(classes, tf.float32)

    def critic(self, x, condition=None, training=True):
        return self.heads(x, training)[0]

    def discriminator_objective(self, real, fake, condition=None, training=True):
        real_logits, real_classes = self.heads(real, training)
        fake_logits, fake_classes = self.heads(fake, training)
        class_loss = (_class_loss(condition, real_classes) +
                      _class_loss(condition, fake_classes))
        total = self.loss_fn.discriminator_loss(real_logits, fake_logits) + class_loss
        penalty_total, penalty_values = self.penalty_terms(real, fake, condition, training)
        accuracy = tf.reduce_mean(tf.cast(tf.equal(
            tf.argmax(real_classes, axis=-1, output_type=tf.int32),
            tf.reshape(condition, [-1])), tf.float32))
        return DiscriminatorObjective(
            total + penalty_total, real_logits, fake_logits,
            {**penalty_values, "d_class_loss": class_loss, "class_accuracy": accuracy})

    def generator_objective(self, fake, condition=None, training=True):
        fake_logits, fake_classes = self.heads(fake, training)
        class_loss = _class_loss(condition, fake_classes)
        return GeneratorObjective(self.loss_fn.generator_loss(fake_logits) + class_loss,
                                  {"g_class_loss": class_loss})

    @property
    def metrics(self):
        return [*super().metrics, self.d_class_tracker, self.g_class_tracker,
                self.accuracy_tracker]

    def get_config(self):
        config = super().get_config()
        config.pop("conditioning")
        return config
