"""The adversarial loop that most variants share, and the original GAN built on it.

``GAN`` is both the base class of the image variants and the model of Goodfellow et al.
(2014): with no networks given it builds MLPs. A variant subclass changes only what its
paper changes: default networks, loss, optimizers, penalties and ``d_steps``, through
``default_compile_args``. A conditional variant (class labels or another side input)
overrides the hooks ``unpack_batch``, ``generate_fake``, ``critic`` and, when its losses
have extra terms, ``discriminator_objective`` / ``generator_objective``, which return a
``DiscriminatorObjective`` / ``GeneratorObjective`` (``keras_gans.models.objectives``): the
loss and what was measured, by metric name; the loop updates the trackers. Variants whose
game differs override ``train_step``.
"""

import keras
import numpy as np
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans.counts import positive_count
from keras_gans import augment as augment_lib
from keras_gans import critic_schedule as critic_schedule_lib
from keras_gans import distribute
from keras_gans import losses as losses_lib
from keras_gans import penalties as penalties_lib
from keras_gans.layers import packing, weight_norm
from keras_gans.models import custom_networks
from keras_gans.models import data_shape as shape_keywords
from keras_gans.models import image_range
from keras_gans.models import registry
from keras_gans.models.adversarial import AdversarialModel, parameter_count
from keras_gans.models.objectives import DiscriminatorObjective, GeneratorObjective
from keras_gans.networks import mlp


def resolve_shapes(data_shape, latent_dim, generator, default_latent_dim=100):
    """Fill in ``data_shape`` and ``latent_dim`` from a given generator when they are absent,
    else from the defaults."""
    if generator is not None:
        out_shape = custom_networks.output_shapes(generator, "generator")[0]
        # A conditional generator's first input is z.
        in_dim = custom_networks.input_shapes(generator, "generator")[0][-1]
        if data_shape is None:
            data_shape = out_shape
        if latent_dim is None:
            latent_dim = in_dim
    if data_shape is None:
        raise ValueError(
            "The model needs the shape of one example: pass `data_shape`, e.g. "
            "data_shape=(28, 28, 1) for MNIST or data_shape=(2,) for a 2-D toy, "
            "or pass a `generator`."
        )
    if latent_dim is None:
        latent_dim = default_latent_dim
    data_shape = tuple(int(d) for d in data_shape)
    if latent_dim is None or int(latent_dim) < 1:
        raise ValueError(f"`latent_dim` must be a positive integer; received {latent_dim!r}.")
    return data_shape, int(latent_dim)


@registry.register("gan")
@keras.saving.register_keras_serializable(package="keras_gans")
class GAN(AdversarialModel):
    """Generative adversarial network of Goodfellow, Pouget-Abadie, Mirza, Xu, Warde-Farley,
    Ozair, Courville & Bengio (2014), "Generative Adversarial Nets", and the shared loop
    that every other variant changes only where its paper does.

    Each ``train_step`` runs ``d_steps`` discriminator updates, then one generator update
    (Algorithm 1 of the paper), each under its own ``tf.GradientTape``. Every discriminator
    step draws fresh noise and reuses the step's real batch, unless
    ``compile(split_real_batch=True)``: then each batch is cut into ``d_steps`` minibatches,
    one per discriminator update, as Algorithm 1 samples them. The generator's forward pass of
    the last discriminator step is recorded once and reused by the generator update, as
    PyTorch's DCGAN example does with ``fake.detach()``: this saves one generator forward
    pass per step without changing the game.

    Args:
        data_shape: shape of one example, e.g. ``(28, 28, 1)`` or ``(2,)``.
        latent_dim: size of the standard normal noise vector z (default: the generator's
            input size, else ``default_latent_dim`` = 100).
        generator, discriminator: ``keras.Model``s to use instead of the defaults. The
            discriminator must return raw outputs (logits), never probabilities.
        image_shape: the deprecated spelling of ``data_shape``.

    With no networks given, ``GAN`` builds Goodfellow's MLPs (two hidden layers of 256
    units; LeakyReLU in D instead of the paper's maxout units).
    """

    default_latent_dim = 100
    players = {"d_optimizer": ("discriminator",), "g_optimizer": ("generator",)}
    step_optimizer = "g_optimizer"
    supports_ema = True
    # The losses read D's output as logits (EBGAN's critic is an energy instead).
    critic_returns_logits = True

    def __init__(self, data_shape=None, latent_dim=None, generator=None, discriminator=None,
                 image_shape=None, **kwargs):
        super().__init__(**kwargs)
        data_shape = shape_keywords.merge(type(self).__name__, data_shape, image_shape,
                                          ("image_shape",))
        data_shape, latent_dim = resolve_shapes(data_shape, latent_dim, generator,
                                                self.default_latent_dim)
        self.data_shape = data_shape
        self.latent_dim = latent_dim
        if generator is None:
            generator = self.build_generator()
        if discriminator is None:
            discriminator = self.build_discriminator()
        self._check_networks(generator, discriminator)
        self.generator = generator
        self.discriminator = discriminator
        self.seed_generator = keras.random.SeedGenerator(None, name="seed_generator")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        self.penalty_trackers = []
        self.augment = None
        self.pack = 1
        self.critic_schedule = None
        self.built = True

    # -- networks -------------------------------------------------------------------

    def build_generator(self):
        image = len(self.data_shape) > 1
        return mlp.mlp_generator(self.latent_dim, self.data_shape,
                                 output_activation="tanh" if image else None)

    def build_discriminator(self):
        return mlp.mlp_discriminator(self.data_shape)

    def _check_networks(self, generator, discriminator):
        g_in = custom_networks.input_shapes(generator, "generator")[0]
        if g_in != (self.latent_dim,):
            raise ValueError(
                f"The generator takes inputs of shape {g_in}, but latent_dim={self.latent_dim}. "
                f"Pass latent_dim={g_in[-1]} or a generator whose input is ({self.latent_dim},)."
            )
        g_out = custom_networks.output_shapes(generator, "generator")[0]
        d_in = custom_networks.input_shapes(discriminator, "discriminator")[0]
        if g_out == self.data_shape and self._packs_of(d_in):
            d_in = self.data_shape  # a PacGAN discriminator; compile(pack=...) checks its count
        if g_out != self.data_shape or d_in != self.data_shape:
            raise ValueError(
                f"Shapes disagree: data_shape={self.data_shape}, the generator outputs {g_out} "
                f"and the discriminator takes {d_in}. All three must be equal."
            )
        if self.critic_returns_logits:
            custom_networks.check_returns_logits(discriminator)

    def _packs_of(self, d_in):
        """How many examples a discriminator with input shape ``d_in`` takes concatenated
        along the channel axis (1: one example), or 0 when its shape is not one of those."""
        data = self.data_shape
        if len(d_in) != len(data) or d_in[:-1] != data[:-1] or not d_in[-1]:
            return 0
        return d_in[-1] // data[-1] if d_in[-1] % data[-1] == 0 else 0

    def call(self, z, training=False):
        return self.generator(z, training=training)

    # -- compile --------------------------------------------------------------------

    def default_compile_args(self):
        """The paper's training setup, used for every argument left out of ``compile``.

        Goodfellow et al. trained with SGD and momentum tuned to maxout networks; the
        defaults here are the non-saturating loss the paper recommends in practice and
        the Adam settings of DCGAN, which train the MLPs reliably.
        """
        return {
            "d_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5),
            "g_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5),
            "loss": "non_saturating",
            "penalties": [],
            "d_steps": 1,
        }

    def adversarial_loss(self):
        """The game's adversarial loss: compile's, or the paper's default before compile."""
        loss = getattr(self, "loss_fn", None)
        return loss if loss is not None else losses_lib.get(self.default_compile_args()["loss"])

    def compile(self, d_optimizer=None, g_optimizer=None, loss=None, penalties=None,
                d_steps=None, split_real_batch=False, augment=None, pack=1,
                critic_schedule=None, **kwargs):
        """Configure the game. Every argument left as ``None`` takes the paper's default.

        Args:
            d_optimizer, g_optimizer: optimizers (instances or names) of D and G.
            loss: an adversarial loss name (see ``keras_gans.losses.names()``) or object.
            penalties: a list of ``Penalty`` (added to D's loss) and ``Projection``
                (applied to D's weights after each of its updates) objects or names.
            d_steps: discriminator updates per generator update (k in Algorithm 1).
            split_real_batch: cut each batch into ``d_steps`` equal minibatches, a fresh
                one for each discriminator update (feed batches of ``d_steps`` times the
                minibatch size; a remainder of fewer than ``d_steps`` examples is unused).
                By default every update reuses the whole batch, as the keras.io examples do.
            augment: augmentation of every image D sees, real and generated, in both
                players' steps (``keras_gans.augment``): ``"diffaugment"``, ``"ada"``, a
                dict such as ``{"name": "ada", "target": 0.6}``, a layer, or None (off).
            pack: PacGAN's packing (Lin et al. 2018): D judges ``pack`` examples at once,
                all real or all generated, concatenated along the channel axis. Each batch
                is cut into packs of consecutive examples (the batch size must be divisible
                by ``pack``) and every example gets its pack's score. The discriminator must
                take ``pack`` times the data's channels, e.g.
                ``dcgan_discriminator((28, 28, 2 * 3))`` for ``pack=2`` on (28, 28, 3).
            critic_schedule: more discriminator updates before some generator updates
                (``keras_gans.critic_schedule``): ``"wgan"`` (the WGAN paper's 100 before
                each of the first 25 and every 500th), a dict of ``CriticSchedule``
                arguments, or None (``d_steps`` before every one). A step of ``fit`` still
                runs ``d_steps`` discriminator updates and updates the generator only when
                its count is reached.
            **kwargs: passed to ``keras.Model.compile`` (``jit_compile``,
                ``steps_per_execution``, ``run_eagerly``).
        """
        defaults = self.default_compile_args()
        loss = losses_lib.get(loss if loss is not None else defaults["loss"])
        penalties = [penalties_lib.get(p) for p in
                     (penalties if penalties is not None else defaults["penalties"])]
        d_steps = d_steps if d_steps is not None else defaults["d_steps"]
        if not isinstance(d_steps, (int, np.integer)) or d_steps < 1:
            raise ValueError(f"`d_steps` must be a positive integer; received {d_steps!r}.")

        self.compile_players({"d_optimizer": d_optimizer or defaults["d_optimizer"],
                              "g_optimizer": g_optimizer or defaults["g_optimizer"]}, **kwargs)
        self.loss_fn = loss
        self.d_steps = int(d_steps)
        self.split_real_batch = bool(split_real_batch)
        self.gradient_penalties = [p for p in penalties if isinstance(p, penalties_lib.Penalty)]
        self.projections = [p for p in penalties if isinstance(p, penalties_lib.Projection)]
        names = [p.name for p in self.gradient_penalties]
        if len(set(names)) != len(names):
            raise ValueError(f"Two penalties share a name: {names}. Use each penalty once.")
        self.penalty_trackers = [keras.metrics.Mean(name=n) for n in names]
        self.augment = augment_lib.get(augment)
        self.pack = self._check_pack(pack)
        self.critic_schedule = self._check_critic_schedule(critic_schedule)

    def _check_critic_schedule(self, identifier):
        schedule = critic_schedule_lib.get(identifier)
        if schedule is None:
            return None
        if type(self).train_step is not GAN.train_step:
            raise ValueError(f"{type(self).__name__} runs a training step of its own, which "
                             f"does not follow compile(critic_schedule=...); leave it None.")
        schedule.check(self.d_steps)
        self._refuse_replicas_for(schedule)
        return schedule

    @staticmethod
    def _refuse_replicas_for(schedule):
        # The skipped generator update is a tf.cond around an optimizer update, and
        # tf.distribute cannot synchronise replicas inside a cond.
        if schedule is not None and tf.distribute.get_strategy().num_replicas_in_sync > 1:
            raise ValueError("compile(critic_schedule=...) trains on one replica only: a "
                             "distribution strategy cannot skip a generator update inside "
                             "its step. Train without the strategy, or without the schedule.")

    def _check_pack(self, pack):
        if isinstance(pack, bool) or not isinstance(pack, (int, np.integer)) or pack < 1:
            raise ValueError(f"`pack` must be a positive integer (1: no packing; PacGAN uses "
                             f"2-4); received {pack!r}.")
        if type(self).critic is not GAN.critic:
            if pack > 1:
                raise ValueError(
                    f"{type(self).__name__} feeds its discriminator more than the examples "
                    f"(its own `critic`), so compile(pack=...) cannot pack them; use pack=1.")
            return 1
        d_in = custom_networks.input_shapes(self.discriminator, "discriminator")[0]
        takes = self._packs_of(d_in)
        if pack == 1 and takes < 2:
            return 1   # the model's own shape checks have run (``_check_networks``)
        if takes != pack:
            fix = (f"compile with pack={takes}, or build it" if takes else "build it")
            raise ValueError(
                f"compile(pack={pack}) needs a discriminator taking {pack} x the data's "
                f"{self.data_shape[-1]} channels; this one takes input {d_in}: {fix} for "
                f"shape (..., {pack} * {self.data_shape[-1]}).")
        return int(pack)

    def _penalty_gradient_scale(self):
        """The factor a penalty's inner gradient is computed at: D's loss scale under
        float16, so that double backpropagation is scaled as the outer gradient is."""
        if isinstance(self.d_optimizer, keras.optimizers.LossScaleOptimizer):
            return tf.cast(self.d_optimizer.dynamic_scale, tf.float32)
        return 1.0

    def compile_settings(self):
        ser = keras.saving.serialize_keras_object
        return {
            "loss": ser(self.loss_fn),
            "penalties": [ser(p) for p in self.gradient_penalties + self.projections],
            "d_steps": self.d_steps,
            "split_real_batch": self.split_real_batch,
            **({"pack": self.pack} if self.pack > 1 else {}),
            **({"critic_schedule": ser(self.critic_schedule)}
               if self.critic_schedule is not None else {}),
            **({"augment": ser(self.augment)} if self.augment is not None else {}),
        }

    @property
    def metrics(self):
        augment = self.augment.trackers if self.augment is not None else []
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker,
                self.d_fake_tracker, *self.penalty_trackers, *augment]

    # -- the game -------------------------------------------------------------------

    def sample_latent(self, batch_size):
        """Standard normal z for this replica's share of the batch."""
        return distribute.replica_random(
            lambda n: keras.random.normal((n, self.latent_dim), seed=self.seed_generator),
            batch_size)

    # The hooks below are where a conditional variant (class labels, or any other side
    # input) plugs into the shared loop. ``condition`` is None for an unconditional GAN.

    def unpack_batch(self, data):
        """A batch as ``(real examples, condition)``; checks it at trace time."""
        return self._check_batch(data), None

    def initialize_from_data(self, batch):
        """Data-dependent initialisation of pending layers: D's from the real examples of
        ``batch`` as D sees them, then G's from latent vectors."""
        if self.label_classes:
            raise ValueError(f"{type(self).__name__}'s players take labels beside their "
                             f"examples; initialise their WeightNormDense layers yourself "
                             f"with layer.initialize(inputs) before fit.")
        real, _ = self.unpack_batch(batch)
        if weight_norm.pending_layers(self.discriminator):
            inputs = self.discriminator_input(real, training=False)
            if self.pack > 1:
                inputs = packing.pack_samples(inputs, self.pack)
            weight_norm.initialize_from_batch(self.discriminator, inputs)
        if weight_norm.pending_layers(self.generator):
            z = keras.random.normal((int(tf.shape(real)[0]), self.latent_dim),
                                    seed=self.seed_generator)
            weight_norm.initialize_from_batch(self.generator, z)

    def generate_fake(self, z, condition, training=True):
        """G's output for latent vectors ``z`` (and the condition of the real batch)."""
        return self.generator(z, training=training)

    def discriminator_input(self, x, training=True):
        """What D sees of the examples ``x``: augmented in training when ``compile`` was
        given ``augment``. Every path into D goes through here."""
        if self.augment is None or not training:
            return x
        return self.augment(x, training=True)

    def critic(self, x, condition=None, training=True):
        """D's raw outputs in float32, whatever precision D computes in."""
        x = self.discriminator_input(x, training)
        if self.pack == 1:
            return tf.cast(self.discriminator(x, training=training), tf.float32)
        scores = self.discriminator(packing.pack_samples(x, self.pack), training=training)
        return tf.cast(packing.repeat_packed(scores, self.pack), tf.float32)

    def discriminator_objective(self, real, fake, condition=None, training=True):
        """D's loss with penalties, as a ``DiscriminatorObjective`` (each penalty's value
        in ``extras`` under its name). Shared by train and test steps."""
        real_logits = self.critic(real, condition, training)
        fake_logits = self.critic(fake, condition, training)
        total = self.loss_fn.discriminator_loss(real_logits, fake_logits)
        penalty_total, penalty_values = self.penalty_terms(real, fake, condition, training)
        return DiscriminatorObjective(total + penalty_total, real_logits, fake_logits,
                                      penalty_values)

    def penalty_terms(self, real, fake, condition=None, training=True):
        """The weighted sum of D's gradient penalties, and each penalty's value by its
        name (the name of its tracker)."""

        def critic(x):
            return self.critic(x, condition, training)

        total, values = 0.0, {}
        gradient_scale = self._penalty_gradient_scale()
        for penalty in self.gradient_penalties:
            # A lazy penalty (interval > 1) is computed on one discriminator step in N.
            value = penalty.value_at(
                self.d_optimizer.iterations,
                lambda p=penalty: p(critic, real, fake, self.seed_generator, gradient_scale))
            values[penalty.name] = value
            total = total + penalty.weight * value
        return total, values

    def generator_objective(self, fake, condition=None, training=True):
        """G's loss on its own output, as a ``GeneratorObjective``."""
        return GeneratorObjective(
            self.loss_fn.generator_loss(self.critic(fake, condition, training)))

    def _track(self, measured):
        """Add each value of ``measured`` (metric name -> value) to its tracker."""
        trackers = {m.name: m for m in self.metrics}
        for name, value in measured.items():
            if name not in trackers:
                raise KeyError(f"{type(self).__name__} measured {name!r} but has no tracker "
                               f"of that name in `metrics` ({', '.join(trackers)}).")
            trackers[name].update_state(value)

    def _update_d_metrics(self, objective):
        self.d_loss_tracker.update_state(objective.loss)
        self.d_real_tracker.update_state(
            tf.reduce_mean(self.loss_fn.score(objective.real_scores)))
        self.d_fake_tracker.update_state(
            tf.reduce_mean(self.loss_fn.score(objective.fake_scores)))
        self._track(objective.extras)

    def _update_g_metrics(self, objective):
        self.g_loss_tracker.update_state(objective.loss)
        self._track(objective.extras)

    def discriminator_step(self, real, fake, condition=None):
        with tf.GradientTape() as tape:
            objective = self.discriminator_objective(real, fake, condition)
            scaled = self._scaled(self.d_optimizer, objective.loss)
        variables = self.player_variables("discriminator")
        grads = tape.gradient(scaled, variables)
        self.d_optimizer.apply(grads, variables)
        for projection in self.projections:
            projection.project(variables)
        if self.augment is not None:
            self.augment.observe(objective.real_scores)
        self._update_d_metrics(objective)

    def _real_minibatch(self, real, condition, i):
        """The (real examples, condition) of the step's discriminator update ``i`` (a
        Python or tensor integer): the whole batch, or with ``split_real_batch`` its
        ``i``-th of ``d_steps`` equal pieces."""
        if not self.split_real_batch or self.d_steps == 1:
            return real, condition
        size = tf.shape(real)[0] // self.d_steps
        part = slice(i * size, (i + 1) * size)
        return real[part], (None if condition is None else
                            tf.nest.map_structure(lambda c: c[part], condition))

    def _discriminator_updates(self, real, condition, count):
        """The step's first ``count`` discriminator updates, each on fresh fakes.

        Traced without XLA and without a distribution strategy, they run in a
        ``tf.while_loop`` whose body is traced once: unrolled, WGAN-GP's graph held five
        copies of the gradient-penalty update, and tracing it (the first step of every
        ``fit``) took 1.5 to 2 times as long (benchmarks/README.md). Otherwise they stay
        unrolled: under a strategy, aggregating gradients across replicas is a
        synchronisation point (``merge_call``) that cannot run inside a loop body; under XLA
        the loop made WGAN's step some 20 times slower on a CPU (benchmarks/README.md), and
        XLA's own compilation dwarfs the tracing anyway."""
        def update(i):
            part_real, part_condition = self._real_minibatch(real, condition, i)
            fake = self.generate_fake(self.sample_latent(tf.shape(part_real)[0]),
                                      part_condition)
            self.discriminator_step(part_real, fake, part_condition)

        if (count < 2 or tf.executing_eagerly() or self.jit_compile
                or tf.distribute.has_strategy()):
            for i in range(count):
                update(i)
            return

        def body(i):
            update(i)
            return (i + 1,)

        # One update at a time: each reads the weights the previous one wrote.
        tf.while_loop(lambda i: i < count, body, (tf.constant(0),), parallel_iterations=1)

    def train_step(self, data):
        real, condition = self.unpack_batch(data)
        if self.critic_schedule is not None:
            self._refuse_replicas_for(self.critic_schedule)
            return self._scheduled_train_step(real, condition)
        self._discriminator_updates(real, condition, self.d_steps - 1)
        real, condition = self._real_minibatch(real, condition, self.d_steps - 1)
        with tf.GradientTape() as g_tape:
            fake = self.generate_fake(self.sample_latent(tf.shape(real)[0]), condition)
            with g_tape.stop_recording():
                self.discriminator_step(real, tf.stop_gradient(fake), condition)
            objective = self.generator_objective(fake, condition)
            scaled = self._scaled(self.g_optimizer, objective.loss)
        variables = self.player_variables("generator")
        self.g_optimizer.apply(g_tape.gradient(scaled, variables), variables)
        self._update_g_metrics(objective)
        return self._logs()

    def _scheduled_train_step(self, real, condition):
        """``train_step`` under a ``critic_schedule``: the step's ``d_steps``
        discriminator updates, then the generator update only where the schedule says it
        is due. The generator update draws fakes of its own: reusing the last
        discriminator update's, as the unscheduled step does, would mean recording the
        generator's forward pass on every step, most of which (during a boost) make no
        generator update."""
        self._discriminator_updates(real, condition, self.d_steps)
        real, condition = self._real_minibatch(real, condition, self.d_steps - 1)
        due = self.critic_schedule.generator_update_due(
            self.d_optimizer.iterations, self.g_optimizer.iterations, self.d_steps)

        def generator_update():
            with tf.GradientTape() as tape:
                fake = self.generate_fake(self.sample_latent(tf.shape(real)[0]), condition)
                objective = self.generator_objective(fake, condition)
                scaled = self._scaled(self.g_optimizer, objective.loss)
            variables = self.player_variables("generator")
            self.g_optimizer.apply(tape.gradient(scaled, variables), variables)
            self._update_g_metrics(objective)
            return tf.constant(True)

        tf.cond(due, generator_update, lambda: tf.constant(False))
        return self._logs()

    @property
    def step_counter(self):
        """Steps of ``fit`` so far (checkpoints, histories and the EMA count them): the
        generator's updates, one per step, unless a ``critic_schedule`` skips some; then
        the discriminator's updates over ``d_steps``."""
        if self.critic_schedule is None:
            return super().step_counter
        return self.d_optimizer.iterations // self.d_steps

    def networks_in_training(self):
        """The (generator, discriminator) that a ``train_step`` runs now: the whole networks
        here; ProGAN's those of its current stage. What counts a step's arithmetic
        (``benchmarks/flops.py``) reads this."""
        return self.generator, self.discriminator

    def player_variables(self, role):
        """The weights a ``train_step`` updates for ``role`` ("generator" or
        "discriminator"): all of that network's trainable weights here; ProGAN's only
        those of its active stage."""
        return getattr(self, role).trainable_variables

    def test_step(self, data):
        real, condition = self.unpack_batch(data)
        fake = self.generate_fake(self.sample_latent(tf.shape(real)[0]), condition,
                                  training=False)
        self._update_d_metrics(
            self.discriminator_objective(real, fake, condition, training=False))
        self._update_g_metrics(self.generator_objective(fake, condition, training=False))
        return self._logs()

    # -- input checks ---------------------------------------------------------------

    def _check_batch(self, data):
        """Validate a batch at trace time; returns the real examples as float32."""
        if isinstance(data, (tuple, list)):
            data = data[0]
        if isinstance(data, dict):
            raise ValueError("GAN batches must be a tensor of examples (or a tuple whose "
                             f"first item is); received a dict with keys {sorted(data)}.")
        shape = tuple(data.shape[1:])
        if len(shape) != len(self.data_shape):
            raise ValueError(
                f"Expected batches of rank {len(self.data_shape) + 1} (batch, "
                f"{', '.join(map(str, self.data_shape))}); received a batch of shape "
                f"{tuple(data.shape)}. Add or remove the channel axis, or build the model with "
                f"data_shape={shape}."
            )
        if any(s is not None and s != d for s, d in zip(shape, self.data_shape)):
            raise ValueError(
                f"Expected examples of shape {self.data_shape}; received {shape}. Resize the "
                f"data (kg.data.load(..., image_size=...)) or build the model with "
                f"data_shape={shape}."
            )
        if not data.dtype.is_floating:
            raise TypeError(
                f"Expected float examples scaled to [-1, 1]; received dtype {data.dtype.name}. "
                f"Convert images with x / 127.5 - 1 (kg.data.load does this for you)."
            )
        data = tf.cast(data, tf.float32)
        # Images only: 2-D toys and tabular rows lie where their data set puts them.
        return image_range.checked(data) if len(self.data_shape) == 3 else data

    # -- sampling -------------------------------------------------------------------

    def latent_vectors(self, n, seed=None):
        """``n`` latent vectors from numpy's PCG64: the same seed gives the same vectors on
        every machine and TensorFlow version."""
        return np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype("float32")

    def latents(self, n, seed=None, z=None, what="z"):
        """The given latent vectors ``z`` checked, or ``n`` drawn from ``seed``."""
        if z is None:
            z = self.latent_vectors(positive_count(n), seed)
        z = np.asarray(z, dtype="float32")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"`{what}` must have shape (n, {self.latent_dim}); received "
                             f"{z.shape}.")
        return z

    # The name of ``generate``'s truncation-trick argument, for the variants that have one.
    truncation_option = None
    # Generators with a linear output layer (ProGAN, StyleGAN, as in their papers) can
    # overshoot the data's range; their samples are clipped to it, as the authors' code
    # does when it writes images.
    sample_range = None

    def finish_samples(self, x):
        """``generate``'s output as float32, clipped to ``sample_range`` where set."""
        x = np.asarray(x, dtype="float32")
        return x if self.sample_range is None else np.clip(x, *self.sample_range)

    def sampling_options(self, truncation=None, ema=None, style_mix=None):
        """Keyword arguments of ``generate`` for the options that tools (the CLI,
        ``kg.metrics.evaluate``) pass to any model, refused with a clear error where this
        model has no such option: ``truncation`` (the variant's truncation trick),
        ``ema`` (``False``: the raw generator) and ``style_mix`` (``(seed, layer)``)."""
        options = {}
        if truncation is not None:
            if self.truncation_option is None:
                raise ValueError(f"{type(self).__name__} has no truncation trick; sample "
                                 f"without `truncation` (StyleGAN and BigGAN have one).")
            options[self.truncation_option] = float(truncation)
        if style_mix is not None:
            raise ValueError(f"{type(self).__name__} has no per-layer styles to mix; "
                             f"`style_mix` is a StyleGAN option.")
        if ema is not None:
            options["ema"] = bool(ema)
        return options

    def card_pictures(self, seed=0):
        """Pictures beyond the sample grid that a preset's card shows for this variant:
        a list of ``(file name, images, columns, caption)``. None for a plain GAN."""
        return []

    def generate(self, n, seed=None, batch_size=256, z=None, ema=True):
        """Generate ``n`` examples as a float32 numpy array (images in [-1, 1]).

        The same ``seed`` gives the same examples; pass ``z`` to choose the latent vectors.
        With an EMA generator (``enable_ema``) its averaged weights are used unless
        ``ema=False``.
        """
        z = self.latents(n, seed, z)
        net = self.ema_generator if ema and self.has_ema else self.generator
        chunks = [keras.ops.convert_to_numpy(net(z[i:i + batch_size], training=False))
                  for i in range(0, len(z), batch_size)]
        return self.finish_samples(np.concatenate(chunks))

    # -- exponential moving average of the generator -------------------------------

    @property
    def has_ema(self):
        return getattr(self, "ema_generator", None) is not None

    def enable_ema(self):
        """Create ``ema_generator``, a copy of the generator whose weights the ``EMA``
        callback averages. It is saved and loaded with the model, and ``generate`` uses it.
        Calling this again keeps the existing copy."""
        if not self.has_ema:
            try:
                ema = keras.models.clone_model(self.generator)
            except NotImplementedError:
                raise TypeError(
                    f"The EMA generator is a copy of the generator made by "
                    f"keras.models.clone_model, which rebuilds a subclassed model from its "
                    f"get_config(); {type(self.generator).__name__} has none. Implement "
                    f"get_config() (saving the model needs it too), or train without "
                    f"EMA.") from None
            ema.set_weights(self.generator.get_weights())
            ema.trainable = False
            self.ema_generator = ema
        return self.ema_generator

    # -- serialization --------------------------------------------------------------

    def get_config(self):
        return {
            "name": self.name,
            "data_shape": list(self.data_shape),
            "latent_dim": self.latent_dim,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            **({"ema": True} if self.has_ema else {}),
            **({"ema_folded": True} if self.ema_folded else {}),
        }

    @classmethod
    def from_config(cls, config):
        config = shape_keywords.saved_config(config)
        ema = config.pop("ema", False)
        ema_folded = config.pop("ema_folded", False)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        model = cls(**config)
        if ema:
            model.enable_ema()
        model.ema_folded = bool(ema_folded)
        return model

    def summary_line(self):
        return (f"{type(self).__name__}: G {parameter_count(self.generator):,} parameters, "
                f"D {parameter_count(self.discriminator):,} parameters")

    def latent_network(self):
        """The generator (its EMA copy if any) and ``latent_dim``, for export."""
        return (self.ema_generator if self.has_ema else self.generator), self.latent_dim
