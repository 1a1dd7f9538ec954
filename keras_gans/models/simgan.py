"""SimGAN (Shrivastava, Pfister, Tuzel, Susskind, Wang & Webb 2017): learning from
simulated and unsupervised images through adversarial training.

A refiner R turns a synthetic image x into a refined one R(x) of the same size. A local
discriminator classifies every patch of an image as real or refined; R is trained to fool
it while a self-regularisation L1 loss ``lambda * |R(x) - x|`` keeps R(x) close to x, so the
synthetic image's annotation (here: its digit label) still holds. Half of each batch of
refined images the discriminator sees comes from a history buffer of earlier refinements.
"""

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute
from keras_gans import losses as losses_lib
from keras_gans.layers import ImagePool
from keras_gans.models import data_shape as shape_keywords
from keras_gans.models import registry
from keras_gans.models.adversarial import parameter_count
from keras_gans.models.image_to_image import (ImageToImageGAN, check_image_batch,
                                              check_numpy_images)
from keras_gans.networks import simgan as simgan_networks


@registry.register("simgan")
@keras.saving.register_keras_serializable(package="keras_gans")
class SimGAN(ImageToImageGAN):
    """SimGAN of Shrivastava, Pfister, Tuzel, Susskind, Wang & Webb (2017), "Learning from
    Simulated and Unsupervised Images through Adversarial Training": ResNet refiner, local
    (per-patch) adversarial loss, self-regularisation.

    What differs from the shared loop: the generator's input is a synthetic image, not
    noise; the discriminator's cross-entropy is averaged over its grid of patch logits; the
    refiner's loss adds ``self_regularization * mean |R(x) - x|``; and the discriminator's
    refined half-batch is drawn from an ``ImagePool`` buffer (``return_probability=1``:
    once the buffer is full, the second half of each refined batch is swapped for stored
    images, which the new ones replace). Batches are ``(synthetic, real)`` pairs of
    unpaired images (``kg.data.load_unpaired``).

    Args:
        data_shape: (height, width, channels) of the training images.
        filters, num_blocks: the refiner's width (64) and ResNet blocks (4).
        discriminator_filters: the local discriminator's four widths.
        buffer_size: refined images kept in the history buffer (0 disables it).
        refiner, discriminator: networks to use instead of the defaults.
        image_shape: the deprecated spelling of ``data_shape``.
    """

    def __init__(self, data_shape=None, filters=64, num_blocks=4,
                 discriminator_filters=(96, 64, 32, 32), buffer_size=512, refiner=None,
                 discriminator=None, seed=None, image_shape=None, **kwargs):
        super().__init__(**kwargs)
        data_shape = shape_keywords.merge("SimGAN", data_shape, image_shape, ("image_shape",))
        image_shape = tuple(int(d) for d in (data_shape or (28, 28, 1)))
        if len(image_shape) != 3:
            raise ValueError(f"`data_shape` must be (height, width, channels); received "
                             f"{image_shape}.")
        self.image_shape = image_shape
        self.channels = image_shape[-1]
        self.filters = int(filters)
        self.num_blocks = int(num_blocks)
        self.discriminator_filters = tuple(int(f) for f in discriminator_filters)
        self.buffer_size = int(buffer_size)
        self.seed = seed
        self.refiner = refiner or simgan_networks.simgan_refiner(
            (None, None, self.channels), self.filters, self.num_blocks, name="refiner")
        self.discriminator = discriminator or simgan_networks.simgan_local_discriminator(
            image_shape, self.discriminator_filters, name="discriminator")
        self.buffer = ImagePool(self.buffer_size, return_probability=1.0, seed=seed,
                                name="history_buffer")
        self.buffer.build((None, *image_shape))
        names = ("r_loss", "adversarial", "self_regularization", "d_loss", "d_real", "d_fake")
        self.trackers = {n: keras.metrics.Mean(name=n) for n in names}
        self.built = True

    # What the model does with an image (keras_gans.tasks): refine(images).
    task = "refine"
    players = {"r_optimizer": ("refiner",), "d_optimizer": ("discriminator",)}
    # The history buffer only serves training: a preset ships the networks without it.
    training_only = {"buffer_size": 0}

    @property
    def input_image_shape(self):
        return self.image_shape

    def call(self, synthetic, training=False):
        return self.refiner(synthetic, training=training)

    # -- compile --------------------------------------------------------------------

    def default_compile_args(self):
        """Cross-entropy adversarial loss as in the paper (its refiner term -log(1 - D_refined)
        is the non-saturating loss), self-regularisation weight 1 on the *mean* absolute
        difference (the paper writes its L1 term as a sum, so its lambda is not comparable),
        and Adam(2e-4, beta_1=0.5) for both players: the DCGAN setting, which trains the
        small digit refiner reliably (the paper used plain SGD)."""
        return {"r_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5),
                "d_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5),
                "loss": "non_saturating", "self_regularization": 1.0}

    def compile(self, r_optimizer=None, d_optimizer=None, loss=None, self_regularization=None,
                **kwargs):
        """Args: the refiner's and the discriminator's optimizers, the adversarial loss,
        the self-regularisation weight lambda; ``**kwargs`` go to ``keras.Model.compile``."""
        defaults = self.default_compile_args()
        self.loss_fn = losses_lib.get(loss if loss is not None else defaults["loss"])
        weight = defaults["self_regularization"] if self_regularization is None \
            else self_regularization
        if float(weight) < 0:
            raise ValueError(f"`self_regularization` must be >= 0; received {weight!r}.")
        self.self_regularization = float(weight)
        self.compile_players({"r_optimizer": r_optimizer or defaults["r_optimizer"],
                              "d_optimizer": d_optimizer or defaults["d_optimizer"]}, **kwargs)

    def compile_settings(self):
        return {"loss": keras.saving.serialize_keras_object(self.loss_fn),
                "self_regularization": self.self_regularization}

    # -- the game -------------------------------------------------------------------

    def _check_pair(self, data):
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError("SimGAN trains on (synthetic, real) pairs of unpaired image "
                             "batches; build them with kg.data.load_unpaired(synthetic, real).")
        synthetic = check_image_batch(data[0], self.channels, "synthetic images",
                                      self.image_shape)
        real = check_image_batch(data[1], self.channels, "real images", self.image_shape)
        return synthetic, real

    def self_regularization_loss(self, synthetic, refined):
        """``mean |R(x) - x|``: the L1 distance that keeps the refined image's annotation."""
        return tf.reduce_mean(tf.abs(tf.cast(refined, tf.float32) - synthetic))

    def _discriminator_step(self, real, refined):
        # Half of D's refined examples come from the history buffer: the second half of the
        # global batch, as on one device, whatever the replicas (each keeps its share).
        everything = distribute.gather_global_batch(refined)
        half = tf.shape(everything)[0] // 2
        shown = tf.concat([everything[:half], self.buffer.pool_step(everything[half:])], 0)
        shown = distribute.replica_share(shown, tf.shape(refined)[0])
        with tf.GradientTape() as tape:
            real_logits = tf.cast(self.discriminator(real, training=True), tf.float32)
            fake_logits = tf.cast(self.discriminator(shown, training=True), tf.float32)
            # Cross-entropy of every patch's logit, averaged over patches and examples.
            d_loss = self.loss_fn.discriminator_loss(real_logits, fake_logits)
            scaled = self._scaled(self.d_optimizer, d_loss)
        self._apply(self.d_optimizer, tape, scaled, [self.discriminator])
        return d_loss, real_logits, fake_logits

    def train_step(self, data):
        synthetic, real = self._check_pair(data)
        with tf.GradientTape() as r_tape:
            refined = tf.cast(self.refiner(synthetic, training=True), tf.float32)
            with r_tape.stop_recording():
                d_loss, real_logits, fake_logits = self._discriminator_step(
                    real, tf.stop_gradient(refined))
            adversarial = self.loss_fn.generator_loss(
                tf.cast(self.discriminator(refined, training=True), tf.float32))
            regularization = self.self_regularization_loss(synthetic, refined)
            r_loss = adversarial + self.self_regularization * regularization
            scaled = self._scaled(self.r_optimizer, r_loss)
        self._apply(self.r_optimizer, r_tape, scaled, [self.refiner])
        values = {"r_loss": r_loss, "adversarial": adversarial,
                  "self_regularization": regularization, "d_loss": d_loss,
                  "d_real": tf.reduce_mean(self.loss_fn.score(real_logits)),
                  "d_fake": tf.reduce_mean(self.loss_fn.score(fake_logits))}
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return self._logs()

    def pretrain(self, dataset, refiner_steps=1000, discriminator_steps=200):
        """The paper's warm start before adversarial training (Shrivastava et al. 2017,
        section 3.1: R for 1,000 steps, D for 200): ``refiner_steps`` updates of R on the
        self-regularisation loss alone, so that adversarial training starts from a refiner
        that passes the synthetic image through; then ``discriminator_steps`` updates of D on
        real images against those refinements (through the history buffer, as in ``fit``).
        Call after ``compile``, on the ``(synthetic, real)`` batches ``fit`` takes. Returns
        ``{"self_regularization": last R loss, "d_loss": last D loss}`` (None for 0 steps)."""
        if not hasattr(self, "r_optimizer"):
            raise ValueError("Call compile() before pretrain(): it uses the players' "
                             "optimizers.")
        for name, steps in (("refiner_steps", refiner_steps),
                            ("discriminator_steps", discriminator_steps)):
            if int(steps) < 0:
                raise ValueError(f"`{name}` must be >= 0; received {steps!r}.")
        self.r_optimizer.build(self.refiner.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)

        @tf.function
        def refiner_step(data):
            synthetic, _ = self._check_pair(data)
            with tf.GradientTape() as tape:
                refined = tf.cast(self.refiner(synthetic, training=True), tf.float32)
                loss = self.self_regularization_loss(synthetic, refined)
                scaled = self._scaled(self.r_optimizer, loss)
            self._apply(self.r_optimizer, tape, scaled, [self.refiner])
            return loss

        @tf.function
        def discriminator_step(data):
            synthetic, real = self._check_pair(data)
            refined = tf.cast(self.refiner(synthetic, training=False), tf.float32)
            return self._discriminator_step(real, refined)[0]

        batches = iter(dataset.repeat())
        last = {"self_regularization": None, "d_loss": None}
        for _ in range(int(refiner_steps)):
            last["self_regularization"] = float(refiner_step(next(batches)))
        for _ in range(int(discriminator_steps)):
            last["d_loss"] = float(discriminator_step(next(batches)))
        return last

    # -- refining -------------------------------------------------------------------

    def refine(self, images, batch_size=256):
        """Refine float synthetic images in [-1, 1] (any size); returns float32 numpy."""
        images = check_numpy_images(images, self.channels)
        return self._run(self.refiner, images, batch_size)

    # -- serialization --------------------------------------------------------------

    def get_config(self):
        ser = keras.saving.serialize_keras_object
        return {"name": self.name, "data_shape": list(self.image_shape),
                "filters": self.filters, "num_blocks": self.num_blocks,
                "discriminator_filters": list(self.discriminator_filters),
                "buffer_size": self.buffer_size, "seed": self.seed,
                "refiner": ser(self.refiner), "discriminator": ser(self.discriminator)}

    @classmethod
    def from_config(cls, config):
        config = shape_keywords.saved_config(config)
        for key in ("refiner", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    def summary_line(self):
        return (f"SimGAN: R {parameter_count(self.refiner):,} parameters, "
                f"D {parameter_count(self.discriminator):,} parameters")
