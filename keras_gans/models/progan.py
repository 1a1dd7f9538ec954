"""Progressive growing of GANs (Karras, Aila, Laine & Lehtinen 2018)."""

import keras
import tensorflow as tf
from keras import ops

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute
from keras_gans.layers import FadeIn
from keras_gans.models import data_shape as shape_keywords
from keras_gans.models import registry
from keras_gans.models.base import GAN
from keras_gans.networks import progan
from keras_gans.penalties import Drift, GradientPenalty


def _upsample(x):
    return ops.repeat(ops.repeat(x, 2, axis=1), 2, axis=2)


class _StageNetworks:
    """One stage's generator and discriminator (shared layers), kept in a plain object so
    that Keras does not track them as parts of the model (its saved weights stay those of
    the whole networks)."""

    def __init__(self, generator, discriminator):
        self.generator = generator
        self.discriminator = discriminator


class _RetraceOnGrowth(keras.callbacks.Callback):
    """Before each batch, a new traced step when the stage has changed (growth, or a
    checkpoint restored at another stage): each stage's step runs only its own blocks."""

    def on_train_batch_begin(self, batch, logs=None):
        self.model.make_train_function()


@registry.register("progan")
@keras.saving.register_keras_serializable(package="keras_gans")
class ProGAN(GAN):
    """Progressive GAN of Karras, Aila, Laine & Lehtinen (2018), "Progressive Growing of
    GANs for Improved Quality, Stability, and Variation".

    What differs from ``GAN``: both networks grow from 4x4 to the target resolution, each
    new block faded in smoothly, trained with WGAN-GP (lambda 10) plus the drift term 0.001
    E[D(x)^2], Adam(1e-3, beta_1=0, beta_2=0.99, epsilon=1e-8) and one critic step per
    generator step (section A.1 of the paper). The networks (``keras_gans.networks.progan``)
    use equalized learning rate, pixel norm and minibatch standard deviation.

    The growth schedule lives in saved, non-trainable variables updated inside
    ``train_step``: ``stage`` (0 is 4x4), ``alpha`` (the weight of the newest block) and
    ``phase_step`` (steps spent in this stage). Stage 0 trains for ``stable_steps`` steps;
    every later stage fades its block in over ``fade_steps`` steps (alpha 0 -> 1), then
    trains it for ``stable_steps`` more, until the target resolution. Saving mid-fade and
    loading resumes exactly there. ``set_growth(stage, alpha)`` jumps anywhere.

    Real images are shown at the current resolution: average-pooled to it and, during a
    fade, blended with their half-resolution version at ``alpha`` as the paper does.
    Training runs only the active stage: each stage's step is traced with the networks'
    layers wired for its resolution (``networks.progan.generator_at_stage`` and
    ``discriminator_at_stage``, shared weights), so early stages are as cheap as the paper
    intends, and the gradient penalty is taken at the stage's resolution, as in the paper.
    ``fit`` traces a new step when the stage changes (between steps; with
    ``steps_per_execution`` > 1, between executions). ``generate`` always draws full-size
    images (the current stage's upsampled). Networks not built by
    ``keras_gans.networks.progan`` train whole at every stage, on images upsampled to the
    full size.

    Args:
        data_shape: ``(r, r, channels)``, r a power of two.
        resolution, channels: the deprecated spelling of ``data_shape=(r, r, channels)``.
        fade_steps, stable_steps: the schedule, in generator steps (the paper: 800k images
            each).
        fmap_base, max_filters: network width, ``min(max_filters, fmap_base // r)``
            feature maps at resolution r (the paper: 8192 and 512).
        group_size: minibatch standard deviation group size (4).
    """

    default_latent_dim = 512
    sample_range = (-1.0, 1.0)

    def __init__(self, data_shape=None, latent_dim=None, generator=None, discriminator=None,
                 image_shape=None, resolution=None, channels=None, fade_steps=1000,
                 stable_steps=1000, fmap_base=8192, max_filters=512, group_size=4, **kwargs):
        data_shape = shape_keywords.merge_resolution(type(self).__name__, data_shape,
                                                     image_shape, resolution, channels)
        for key, value in (("fade_steps", fade_steps), ("stable_steps", stable_steps)):
            if int(value) < 0:
                raise ValueError(f"`{key}` must be a non-negative number of steps; received "
                                 f"{value!r}.")
        self._network_args = {"fmap_base": int(fmap_base), "max_filters": int(max_filters)}
        self._group_size = int(group_size)
        super().__init__(data_shape, latent_dim, generator, discriminator, image_shape,
                         **kwargs)
        self.num_stages = progan.num_growth_stages(self.data_shape)
        self.fade_steps = int(fade_steps)
        self.stable_steps = int(stable_steps)
        # Saved with the model's weights; only_first_replica: every replica computes the
        # same schedule, the first one's assignment is kept.
        state = {"trainable": False, "aggregation": "only_first_replica"}
        self.stage = self.add_weight(shape=(), dtype="int32", initializer="zeros",
                                     name="stage", **state)
        self.alpha = self.add_weight(shape=(), initializer="ones", name="alpha", **state)
        self.phase_step = self.add_weight(shape=(), dtype="int32", initializer="zeros",
                                          name="phase_step", **state)
        self._traced_stage = None       # the stage the current train function runs
        self._active = None             # that stage's networks while a step is traced
        self._stage_cache = _StageNetworks(None, None)
        self._stage_cache.by_stage = {}

    def build_generator(self):
        return progan.progan_generator(self.latent_dim, self.data_shape, **self._network_args)

    def build_discriminator(self):
        return progan.progan_discriminator(self.data_shape, group_size=self._group_size,
                                           **self._network_args)

    def default_compile_args(self):
        return {
            "d_optimizer": keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8),
            "g_optimizer": keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8),
            "loss": "wasserstein",
            "penalties": [GradientPenalty(10.0), Drift(0.001)],
            "d_steps": 1,
        }

    # -- growth ---------------------------------------------------------------------

    @property
    def resolution(self):
        """The resolution the networks currently work at."""
        return 4 * 2 ** int(self.stage.numpy())

    def level(self):
        """``stage - 1 + alpha``: the one number every ``FadeIn`` layer reads."""
        return ops.cast(self.stage, "float32") - 1.0 + ops.cast(self.alpha, "float32")

    def _fade_layers(self):
        nets = [self.generator, self.discriminator]
        if self.has_ema:
            nets.append(self.ema_generator)
        return [layer for net in nets for layer in net.layers if isinstance(layer, FadeIn)]

    def _set_level(self):
        level = self.level()
        for layer in self._fade_layers():
            layer.level.assign(level)

    def set_growth(self, stage, alpha=1.0):
        """Jump to ``stage`` (0 = 4x4) with the newest block at weight ``alpha``."""
        if not 0 <= int(stage) <= self.num_stages:
            raise ValueError(f"`stage` must be in [0, {self.num_stages}] for "
                             f"{self.data_shape[0]}x{self.data_shape[1]} images; received "
                             f"{stage!r}.")
        if not 0.0 <= float(alpha) <= 1.0:
            raise ValueError(f"`alpha` must be in [0, 1]; received {alpha!r}.")
        if int(stage) == 0:
            alpha = 1.0
        self.stage.assign(int(stage))
        self.alpha.assign(float(alpha))
        self.phase_step.assign(int(round(float(alpha) * self.fade_steps)) if stage else 0)
        self._set_level()

    def enable_ema(self):
        ema = super().enable_ema()
        self._set_level()
        return ema

    def _advance_growth(self):
        """One step further along the schedule (graph-safe: variables only)."""
        stage, phase = self.stage.value, self.phase_step.value + 1
        length = tf.where(stage > 0, self.fade_steps, 0) + self.stable_steps
        grow = tf.logical_and(stage < self.num_stages, phase >= length)
        stage = tf.where(grow, stage + 1, stage)
        phase = tf.where(grow, 0, phase)
        if self.fade_steps:
            fade = tf.minimum(tf.cast(phase, tf.float32) / float(self.fade_steps), 1.0)
        else:
            fade = tf.constant(1.0)
        self.stage.assign(stage)
        self.phase_step.assign(phase)
        self.alpha.assign(tf.where(stage > 0, fade, 1.0))
        self._set_level()

    def real_at_current_resolution(self, real):
        """Real images as the networks see them now: pooled to the current resolution,
        blended with their half-resolution version at ``alpha`` during a fade, and
        upsampled back to the full size by nearest neighbour."""
        pyramid = [real]
        for _ in range(self.num_stages):
            pyramid.append(ops.average_pool(pyramid[-1], 2, 2))
        pyramid = pyramid[::-1]                                 # 4x4 first
        level = self.level()
        image = pyramid[0]
        for k in range(1, self.num_stages + 1):
            t = ops.clip(level - (k - 1), 0.0, 1.0)
            old = _upsample(image)
            image = old + t * (pyramid[k] - old)
        return image

    def real_at_stage(self, real, stage):
        """Real images at the resolution of ``stage`` (4 * 2**stage), blended with their
        half-resolution version (upsampled) at ``alpha`` during that stage's fade."""
        image = real
        for _ in range(self.num_stages - stage):
            image = ops.average_pool(image, 2, 2)
        if stage == 0:
            return image
        old = _upsample(ops.average_pool(image, 2, 2))
        t = ops.clip(self.level() - (stage - 1), 0.0, 1.0)
        return old + t * (image - old)

    # -- the game -------------------------------------------------------------------

    def stage_networks(self, stage):
        """The generator and discriminator of ``stage`` at its own resolution (shared
        layers), or None when the networks were not built by ``networks.progan``."""
        cache = self._stage_cache.by_stage
        if stage not in cache:
            g = progan.generator_at_stage(self.generator, stage)
            d = progan.discriminator_at_stage(self.discriminator, stage)
            cache[stage] = _StageNetworks(g, d) if g is not None and d is not None else None
        return cache[stage]

    def make_train_function(self, force=False):
        stage = int(self.stage.numpy())
        if stage != self._traced_stage:
            self._traced_stage = stage
            force = True
        return super().make_train_function(force)

    def fit(self, *args, callbacks=None, **kwargs):
        return super().fit(*args, callbacks=[*(callbacks or []), _RetraceOnGrowth()],
                           **kwargs)

    def unpack_batch(self, data):
        # train_step checked the full-size batch before showing it at the stage's size.
        return (data, None) if self._active else super().unpack_batch(data)

    def generate_fake(self, z, condition, training=True):
        generator = self._active.generator if self._active else self.generator
        return generator(z, training=training)

    def critic(self, x, condition=None, training=True):
        discriminator = self._active.discriminator if self._active else self.discriminator
        x = self.discriminator_input(x, training)
        return tf.cast(discriminator(x, training=training), tf.float32)

    def networks_in_training(self):
        networks = self.stage_networks(int(self.stage.numpy()))
        if networks is None:   # custom networks train whole, every stage
            return super().networks_in_training()
        return networks.generator, networks.discriminator

    def player_variables(self, role):
        if self._active:
            return getattr(self._active, role).trainable_variables
        return super().player_variables(role)

    def _growth_logs(self):
        return distribute.logs_for_keras({"stage": ops.cast(self.stage, "float32"),
                                          "alpha": ops.convert_to_tensor(self.alpha)})

    def train_step(self, data):
        # The shared loop on the traced stage's networks and real images at its resolution;
        # then the schedule moves one step (the logged stage and alpha are those of the
        # next step).
        real = self._check_batch(data)
        stage = self._traced_stage
        networks = self.stage_networks(stage) if stage is not None else None
        if networks is None:   # custom networks, or a step called outside fit
            logs = super().train_step(self.real_at_current_resolution(real))
        else:
            self._active = networks
            try:
                logs = super().train_step(self.real_at_stage(real, stage))
            finally:
                self._active = None
        self._advance_growth()
        return {**logs, **self._growth_logs()}

    def test_step(self, data):
        logs = super().test_step(self.real_at_current_resolution(self._check_batch(data)))
        return {**logs, **self._growth_logs()}

    # -- serialization --------------------------------------------------------------

    def get_config(self):
        return {**super().get_config(), "fade_steps": self.fade_steps,
                "stable_steps": self.stable_steps, "group_size": self._group_size,
                **self._network_args}
