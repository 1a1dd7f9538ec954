"""CycleGAN (Zhu, Park, Isola & Efros 2017): unpaired image-to-image translation.

Two generators, G: X -> Y and F: Y -> X, and two discriminators, D_Y (real Y vs G(x)) and
D_X (real X vs F(y)). Besides fooling its discriminator, each generator must undo the
other: F(G(x)) ~ x and G(F(y)) ~ y (cycle consistency, L1, weight lambda = 10). An
identity term G(y) ~ y, F(x) ~ x (weight 0.5 lambda) keeps colours when the domains share
them. The discriminators see generated images through a history pool of 50.
"""

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans import losses as losses_lib
from keras_gans.layers import ImagePool
from keras_gans.models import data_shape as shape_keywords
from keras_gans.models import registry
from keras_gans.models.adversarial import parameter_count
from keras_gans.models.image_to_image import (ImageToImageGAN, check_image_batch,
                                              check_numpy_images)
from keras_gans.networks import patchgan, resnet
from keras_gans.schedules import LinearDecay

DIRECTIONS = ("x2y", "y2x")


def _l1(a, b):
    return tf.reduce_mean(tf.abs(tf.cast(a, tf.float32) - tf.cast(b, tf.float32)))


@registry.register("cyclegan")
@keras.saving.register_keras_serializable(package="keras_gans")
class CycleGAN(ImageToImageGAN):
    """CycleGAN of Zhu, Park, Isola & Efros (2017), "Unpaired Image-to-Image Translation
    using Cycle-Consistent Adversarial Networks": two ResNet generators, two 70x70
    PatchGANs, least-squares game, cycle-consistency and identity losses.

    What differs from the shared loop: there is no noise; each step updates both generators
    together (adversarial + cycle + identity terms), then both discriminators on the
    generators' images drawn through their ``ImagePool``s. Batches are ``(x, y)`` pairs of
    *unpaired* images (``kg.data.load_unpaired``).

    Args:
        data_shape: (height, width, channels) of the training images of X (the pools
            store images of this size; ``translate`` takes any size). ``image_shape`` is
            its deprecated spelling.
        y_channels: channels of Y (default: X's). The identity loss needs equal channels.
        filters: width of the networks' first layers (64 in the paper).
        num_blocks: the generators' residual blocks (default: 6 up to 128 pixels, 9 above).
        discriminator_layers: the PatchGANs' stride-2 layers (3: the 70x70 PatchGAN).
        pool_size: images in each discriminator's history pool (50; 0 disables it).
        generator_xy, generator_yx, discriminator_x, discriminator_y: networks to use
            instead of the defaults (the discriminators must return logits).
    """

    def __init__(self, data_shape=None, y_channels=None, filters=64, num_blocks=None,
                 discriminator_layers=3, pool_size=50, generator_xy=None, generator_yx=None,
                 discriminator_x=None, discriminator_y=None, seed=None, image_shape=None,
                 **kwargs):
        super().__init__(**kwargs)
        data_shape = shape_keywords.merge("CycleGAN", data_shape, image_shape, ("image_shape",))
        image_shape = tuple(int(d) for d in (data_shape or (128, 128, 3)))
        if len(image_shape) != 3:
            raise ValueError(f"`data_shape` must be (height, width, channels); received "
                             f"{image_shape}.")
        self.image_shape = image_shape
        self.x_channels = image_shape[-1]
        self.y_channels = int(y_channels or self.x_channels)
        self.filters = int(filters)
        if num_blocks is None:
            num_blocks = 6 if max(image_shape[:2]) <= 128 else 9
        self.num_blocks = int(num_blocks)
        self.discriminator_layers = int(discriminator_layers)
        self.pool_size = int(pool_size)
        self.seed = seed
        free = (None, None)
        self.generator_xy = generator_xy or resnet.resnet_generator(
            (*free, self.x_channels), self.filters, self.num_blocks,
            output_channels=self.y_channels, name="generator_xy")
        self.generator_yx = generator_yx or resnet.resnet_generator(
            (*free, self.y_channels), self.filters, self.num_blocks,
            output_channels=self.x_channels, name="generator_yx")
        self.discriminator_x = discriminator_x or patchgan.patchgan_discriminator(
            (*image_shape[:2], self.x_channels), self.filters, self.discriminator_layers,
            name="discriminator_x")
        self.discriminator_y = discriminator_y or patchgan.patchgan_discriminator(
            (*image_shape[:2], self.y_channels), self.filters, self.discriminator_layers,
            name="discriminator_y")
        for role, net in (("generator_xy", self.generator_xy),
                          ("generator_yx", self.generator_yx),
                          ("discriminator_x", self.discriminator_x),
                          ("discriminator_y", self.discriminator_y)):
            if not isinstance(net, keras.Model):
                raise TypeError(f"`{role}` must be a keras.Model; received "
                                f"{type(net).__name__}.")
        self.pool_x = ImagePool(self.pool_size, seed=seed, name="pool_x")
        self.pool_y = ImagePool(self.pool_size, seed=None if seed is None else seed + 1,
                                name="pool_y")
        self.pool_x.build((None, *image_shape[:2], self.x_channels))
        self.pool_y.build((None, *image_shape[:2], self.y_channels))
        names = ("g_loss", "adversarial", "cycle", "identity", "d_x_loss", "d_y_loss")
        self.trackers = {n: keras.metrics.Mean(name=n) for n in names}
        self.built = True

    # What the model does with an image (keras_gans.tasks): translate(images), X to Y.
    task = "translate"
    players = {"g_optimizer": ("generator_xy", "generator_yx"),
               "d_optimizer": ("discriminator_x", "discriminator_y")}
    # The history pools only serve training: a preset ships the networks without them.
    training_only = {"pool_size": 0}

    @property
    def input_image_shape(self):
        return self.image_shape

    def call(self, x, training=False):
        return self.generator_xy(x, training=training)

    # -- compile --------------------------------------------------------------------

    def default_compile_args(self):
        """Adam(2e-4, beta_1=0.5) for both pairs of players, least-squares GAN loss, lambda
        = 10 and identity 0.5 lambda, as in the paper."""
        return {"g_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5),
                "d_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5),
                "loss": "least_squares", "cycle_weight": 10.0, "identity_weight": 0.5}

    def compile(self, g_optimizer=None, d_optimizer=None, loss=None, cycle_weight=None,
                identity_weight=None, adversarial_weight=None, total_steps=None, **kwargs):
        """Configure the game; every argument left as ``None`` takes the paper's value.

        Args:
            g_optimizer: one optimizer for both generators; d_optimizer: for both
                discriminators.
            loss: the adversarial loss (least squares in the paper).
            cycle_weight: lambda of the cycle-consistency L1 terms (10).
            identity_weight: the identity L1 terms' weight as a fraction of lambda (0.5,
                i.e. 5); 0 turns them off (needed when X and Y differ in channels).
            adversarial_weight: weight of the generators' adversarial terms. By default 2
                with the least-squares loss, whose 1/2 factor (from the LSGAN paper)
                CycleGAN's objective does not have, and 1 with other losses.
            total_steps: with the default optimizers, the training run's length in steps:
                the rate then stays 2e-4 for the first half and decays linearly to zero
                over the second (``kg.schedules.LinearDecay``).
        """
        defaults = self.default_compile_args()
        if total_steps is not None:
            for key in ("g_optimizer", "d_optimizer"):
                defaults[key] = keras.optimizers.Adam(LinearDecay(2e-4, total_steps),
                                                      beta_1=0.5)
        self.loss_fn = losses_lib.get(loss if loss is not None else defaults["loss"])
        self.cycle_weight = float(defaults["cycle_weight"] if cycle_weight is None
                                  else cycle_weight)
        self.identity_weight = float(defaults["identity_weight"] if identity_weight is None
                                     else identity_weight)
        if adversarial_weight is None:
            adversarial_weight = 2.0 if isinstance(self.loss_fn, losses_lib.LeastSquares) else 1.0
        self.adversarial_weight = float(adversarial_weight)
        if self.identity_weight and self.x_channels != self.y_channels:
            raise ValueError(f"The identity loss compares G(y) with y, which needs X and Y to "
                             f"have the same channels ({self.x_channels} vs {self.y_channels}); "
                             f"pass identity_weight=0.")
        self.total_steps = total_steps
        self.compile_players({"g_optimizer": g_optimizer or defaults["g_optimizer"],
                              "d_optimizer": d_optimizer or defaults["d_optimizer"]}, **kwargs)

    def compile_settings(self):
        return {"loss": keras.saving.serialize_keras_object(self.loss_fn),
                "cycle_weight": self.cycle_weight, "identity_weight": self.identity_weight,
                "adversarial_weight": self.adversarial_weight}

    # -- the game -------------------------------------------------------------------

    def _check_pair(self, data):
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError("CycleGAN trains on (x, y) pairs of unpaired image batches, one "
                             "from each domain; build them with kg.data.load_unpaired(x, y).")
        x = check_image_batch(data[0], self.x_channels, "images of X", self.image_shape)
        y = check_image_batch(data[1], self.y_channels, "images of Y", self.image_shape)
        return x, y

    def cycle_losses(self, x, y, training=False):
        """The generators' terms on a batch: a dict of the translations and the cycle and
        identity L1 losses (unweighted, summed over both directions)."""
        fake_y = self.generator_xy(x, training=training)
        fake_x = self.generator_yx(y, training=training)
        cycle = (_l1(self.generator_yx(fake_y, training=training), x)
                 + _l1(self.generator_xy(fake_x, training=training), y))
        identity = tf.constant(0.0)
        if self.identity_weight:
            identity = (_l1(self.generator_xy(y, training=training), y)
                        + _l1(self.generator_yx(x, training=training), x))
        return {"fake_x": fake_x, "fake_y": fake_y, "cycle": cycle, "identity": identity}

    def _generator_objective(self, x, y, training):
        terms = self.cycle_losses(x, y, training)
        d_y = tf.cast(self.discriminator_y(terms["fake_y"], training=training), tf.float32)
        d_x = tf.cast(self.discriminator_x(terms["fake_x"], training=training), tf.float32)
        adversarial = self.loss_fn.generator_loss(d_y) + self.loss_fn.generator_loss(d_x)
        total = (self.adversarial_weight * adversarial + self.cycle_weight * terms["cycle"]
                 + self.cycle_weight * self.identity_weight * terms["identity"])
        return total, adversarial, terms

    def _discriminator_losses(self, x, y, fake_x, fake_y, training):
        def loss(disc, real, fake):
            return self.loss_fn.discriminator_loss(
                tf.cast(disc(real, training=training), tf.float32),
                tf.cast(disc(fake, training=training), tf.float32))
        return loss(self.discriminator_x, x, fake_x), loss(self.discriminator_y, y, fake_y)

    def train_step(self, data):
        x, y = self._check_pair(data)
        generators = [self.generator_xy, self.generator_yx]
        with tf.GradientTape() as g_tape:
            g_loss, adversarial, terms = self._generator_objective(x, y, training=True)
            scaled = self._scaled(self.g_optimizer, g_loss)
        self._apply(self.g_optimizer, g_tape, scaled, generators)

        # The discriminators judge the history pools' answers, not only the latest images.
        fake_x = self.pool_x(tf.stop_gradient(terms["fake_x"]))
        fake_y = self.pool_y(tf.stop_gradient(terms["fake_y"]))
        with tf.GradientTape() as d_tape:
            d_x_loss, d_y_loss = self._discriminator_losses(x, y, fake_x, fake_y, True)
            scaled = self._scaled(self.d_optimizer, d_x_loss + d_y_loss)
        self._apply(self.d_optimizer, d_tape, scaled, [self.discriminator_x, self.discriminator_y])
        self._track(g_loss, adversarial, terms, d_x_loss, d_y_loss)
        return self._logs()

    def test_step(self, data):
        x, y = self._check_pair(data)
        g_loss, adversarial, terms = self._generator_objective(x, y, training=False)
        d_x_loss, d_y_loss = self._discriminator_losses(x, y, terms["fake_x"], terms["fake_y"],
                                                        False)
        self._track(g_loss, adversarial, terms, d_x_loss, d_y_loss)
        return self._logs()

    def _track(self, g_loss, adversarial, terms, d_x_loss, d_y_loss):
        values = {"g_loss": g_loss, "adversarial": adversarial, "cycle": terms["cycle"],
                  "identity": terms["identity"], "d_x_loss": d_x_loss, "d_y_loss": d_y_loss}
        for name, value in values.items():
            self.trackers[name].update_state(value)

    # -- translation ----------------------------------------------------------------

    def translate(self, images, direction="x2y", batch_size=16):
        """Translate float images in [-1, 1] of any size: ``"x2y"`` with G, ``"y2x"`` with
        F. Returns float32 numpy images of the same height and width."""
        if direction not in DIRECTIONS:
            raise ValueError(f"`direction` must be 'x2y' or 'y2x'; received {direction!r}.")
        net = self.generator_xy if direction == "x2y" else self.generator_yx
        channels = self.x_channels if direction == "x2y" else self.y_channels
        images = check_numpy_images(images, channels)
        return self._run(net, images, batch_size)

    # -- serialization --------------------------------------------------------------

    _NETWORKS = ("generator_xy", "generator_yx", "discriminator_x", "discriminator_y")

    def get_config(self):
        ser = keras.saving.serialize_keras_object
        return {"name": self.name, "data_shape": list(self.image_shape),
                "y_channels": self.y_channels, "filters": self.filters,
                "num_blocks": self.num_blocks, "discriminator_layers": self.discriminator_layers,
                "pool_size": self.pool_size, "seed": self.seed,
                **{key: ser(getattr(self, key)) for key in self._NETWORKS}}

    @classmethod
    def from_config(cls, config):
        config = shape_keywords.saved_config(config)
        for key in cls._NETWORKS:
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    def summary_line(self):
        count = {k: parameter_count(getattr(self, k)) for k in self._NETWORKS}
        return (f"CycleGAN: G {count['generator_xy']:,} + F {count['generator_yx']:,}, "
                f"D_X {count['discriminator_x']:,} + D_Y {count['discriminator_y']:,} parameters")
