"""The protocol every model of the package follows, and the plumbing all of them share.

Noise-to-data GANs (``GAN`` and its variants), image-to-image models (CycleGAN, SRGAN,
SimGAN) and RadialGAN's multi-domain tables all derive from ``AdversarialModel``. It
declares, once per class:

* ``players``: each optimizer attribute and the attributes of the networks it trains;
  ``compile`` goes through ``compile_players``, which builds the optimizers, refuses a
  shared optimizer object, adds loss scaling under float16 and builds each optimizer for
  its own networks; ``get_compile_config``/``compile_from_config`` save and restore them
  with the variant's ``compile_settings``;
* ``task``: what the model takes and returns (``"generate"`` from noise, or the name of
  the method that maps images to images, see ``keras_gans.tasks``), ``apply`` and
  ``save_preview``, the picture that cards, sample grids and the CLI show;
* ``makes_tables`` and ``table_options``: whether its samples are table rows;
* ``training_only``: constructor arguments that turn off state only training needs
  (CycleGAN's image pools), so that a preset can ship ``without_training_state()``;
* ``supports_ema``, ``latent_network``, ``label_classes``: what averaging and export can
  use (a class-conditional generator takes integer labels beside z);
* ``discriminator_spec``: the recipe network spec of an image discriminator whose width a
  recipe may set (``keras-gans train VARIANT --d-filters``), where the variant has one.

Recipes, the CLI, presets, export and callbacks talk to this protocol and never ask which
class they hold.
"""

import math

import keras
import numpy as np
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute
from keras_gans.layers import weight_norm
from keras_gans.tasks import GENERATE


def parameter_count(*networks):
    """Weights (trainable or not) of ``networks``, counted once each."""
    return sum(math.prod(v.shape) for net in networks for v in net.weights)


def _deserialized(value):
    """A compile setting as ``get_compile_config`` stored it, back as the object it was."""
    if isinstance(value, dict) and "class_name" in value:
        return keras.saving.deserialize_keras_object(value)
    if isinstance(value, list):
        return [_deserialized(v) for v in value]
    return value


# ``folded_averages``' note for the EMA generator (cards say it their own way).
EMA_FOLD_NOTE = "the generator holds the EMA generator's weights, without the raw generator"


class AdversarialModel(keras.Model):
    """Base of every model of the package. Not a model on its own."""

    # Each optimizer attribute -> the attributes of the networks it trains (an attribute
    # may hold a list of networks), in the order ``compile`` builds the optimizers.
    players = {}
    # The optimizer handed to ``keras.Model.compile``; its iterations count training steps.
    step_optimizer = None
    task = GENERATE
    # Whether samples are rows of a table (written as CSV) rather than images or points.
    makes_tables = False
    # Constructor arguments that turn off training-only state, e.g. {"pool_size": 0}.
    training_only = {}

    # -- players --------------------------------------------------------------------

    def player_networks(self, optimizer_name):
        """The networks that the optimizer ``optimizer_name`` trains."""
        networks = []
        for attribute in self.players[optimizer_name]:
            value = getattr(self, attribute)
            networks.extend(value if isinstance(value, (list, tuple)) else [value])
        return networks

    def networks(self):
        """Every player's networks, each once, in declaration order."""
        found = []
        for name in self.players:
            found.extend(n for n in self.player_networks(name)
                         if all(n is not f for f in found))
        return found

    @property
    def step_counter(self):
        """The variable that counts training steps (checkpoints and histories use it)."""
        return getattr(self, self.step_optimizer or next(iter(self.players))).iterations

    def uses_float16(self):
        return any(net.dtype_policy.compute_dtype == "float16" for net in self.networks())

    @staticmethod
    def with_loss_scaling(optimizer):
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            return optimizer
        return keras.optimizers.LossScaleOptimizer(optimizer)

    # -- compile --------------------------------------------------------------------

    def compile_players(self, optimizers, **kwargs):
        """Set each player's optimizer (``{optimizer attribute: optimizer or name}``) and
        compile the keras.Model; ``kwargs`` go to ``keras.Model.compile``."""
        for key in ("optimizer", "metrics", "loss_weights"):
            if key in kwargs:
                *others, last = self.players
                names = f"{', '.join(others)} and {last}" if others else last
                raise ValueError(f"`{key}` is not an argument of {type(self).__name__}."
                                 f"compile(); pass the players' optimizers as {names}.")
        built = {}
        for name in self.players:
            optimizer = keras.optimizers.get(optimizers[name])
            same = next((other for other, o in built.items() if o is optimizer), None)
            if same is not None:
                raise ValueError(f"{same} and {name} must be two different optimizer objects: "
                                 f"each keeps state for its own network's weights.")
            built[name] = optimizer
        if self.uses_float16():
            # Dynamic loss scaling keeps small float16 gradients from flushing to zero.
            built = {name: self.with_loss_scaling(o) for name, o in built.items()}
        kwargs.setdefault("jit_compile", "auto")
        super().compile(optimizer=built[self.step_optimizer or next(iter(built))], **kwargs)
        for name, optimizer in built.items():
            setattr(self, name, optimizer)
        self.build_optimizers()

    def build_optimizers(self):
        """Build each optimizer for its own networks' weights now: left to fit(), Keras
        would build the compiled ``optimizer`` for every weight of every network, and under
        tf.distribute an optimizer must not create its variables inside the step."""
        for name in self.players:
            optimizer = getattr(self, name, None)
            if optimizer is not None and not optimizer.built:
                optimizer.build([v for net in self.player_networks(name)
                                 for v in net.trainable_variables])

    def compile_settings(self):
        """The compile arguments besides the optimizers, as ``get_compile_config`` saves
        them (objects serialized)."""
        return {}

    def get_compile_config(self):
        if not self.compiled:
            return None
        ser = keras.saving.serialize_keras_object
        return {**{name: ser(getattr(self, name)) for name in self.players},
                **self.compile_settings()}

    def compile_from_config(self, config):
        self.compile(**{key: _deserialized(value) for key, value in config.items()})

    # -- training -------------------------------------------------------------------

    @property
    def metrics(self):
        """The loss trackers a subclass keeps in ``self.trackers`` (name -> Mean)."""
        return list(self.trackers.values())

    def _logs(self):
        return distribute.logs_for_keras({m.name: m.result() for m in self.metrics})

    @staticmethod
    def _scaled(optimizer, loss):
        """The loss whose gradient an optimizer applies: averaged per replica, then scaled
        for the replicas and (float16) for the loss scale."""
        return optimizer.scale_loss(distribute.scale_loss_for_replicas(loss))

    @staticmethod
    def _apply(optimizer, tape, scaled_loss, networks):
        variables = [v for net in networks for v in net.trainable_variables]
        optimizer.apply(tape.gradient(scaled_loss, variables), variables)

    def fit(self, x=None, *args, **kwargs):
        check_not_empty(x)
        if isinstance(x, tf.data.Dataset):
            # A tf.data pipeline shuffles itself; this keeps Keras from warning about it.
            kwargs.setdefault("shuffle", False)
        if any(weight_norm.pending_layers(net) for net in self.networks()):
            self.initialize_from_data(first_batch(x, kwargs.get("batch_size")))
        try:
            return super().fit(x, *args, **kwargs)
        except tf.errors.InvalidArgumentError as e:
            from keras_gans.data import images

            clear = images.unreadable_image_error(e)
            if clear is None:
                raise
            raise clear from None

    def initialize_from_data(self, batch):
        """Data-dependent initialisation (``kg.layers.WeightNormDense``) of the players'
        layers that wait for it, from one training ``batch``; ``fit`` calls it before the
        first step when a network has such layers. Variants whose game can feed them
        override this."""
        raise ValueError(f"{type(self).__name__} cannot initialise its networks' "
                         f"data-dependent layers (WeightNormDense) from a batch; initialise "
                         f"them yourself with layer.initialize(inputs) before fit.")

    def pretraining_objective(self):
        """The model that trains some of this model's players alone before its own game
        (SRGAN: an SRResNet on its generator), compiled and sharing their networks; None
        where the model has no such phase."""
        return None

    # -- what the model does --------------------------------------------------------

    @property
    def needs_inputs(self):
        """Whether the model maps input images to images (else it generates from noise)."""
        return self.task != GENERATE

    @property
    def example_shape(self):
        """The shape of one example the model takes (image-to-image) or makes."""
        return tuple(self.input_image_shape if self.needs_inputs else self.data_shape)

    def apply(self, inputs):
        """Run the model's task on a batch of float images in [-1, 1]."""
        if not self.needs_inputs:
            raise ValueError(f"{type(self).__name__} generates from noise; call "
                             f"model.generate(n, seed=...) instead of passing input images.")
        return getattr(self, self.task)(inputs)

    def describe_task(self):
        """What a preset's metadata records of the model's inputs and outputs."""
        if self.needs_inputs:
            shape = tuple(int(d) for d in self.input_image_shape)
            one = self.apply(np.zeros((1, *shape), "float32"))
            return {"task": self.task, "input_shape": list(shape),
                    "output_shape": list(one.shape[1:])}
        return {"data_shape": list(self.data_shape), "latent_dim": int(self.latent_dim)}

    def save_preview(self, path, n=64, seed=0, inputs=None, z=None, centres=None, **options):
        """Write the picture of what the model makes and return its path: each of
        ``inputs`` beside its output for an image-to-image model; else ``n`` samples (or
        those of the latent vectors ``z``) drawn with ``seed`` and ``options`` (see
        ``sampling_options``), as a grid of images or a scatter plot of 2-D points."""
        from keras_gans import plots, tasks

        if self.needs_inputs:
            if inputs is None:
                raise ValueError(f"{type(self).__name__} {self.task}s images: pass `inputs` "
                                 f"to picture what it makes of them.")
            return tasks.save_pairs(inputs, self.apply(inputs), path)
        if self.makes_tables:
            raise ValueError(f"{type(self).__name__} makes table rows, not pictures; use "
                             f"model.sample(n) for a table.")
        samples = (self.generate(len(z), z=z, **options) if z is not None
                   else self.generate(n, seed=seed, **options))
        return plots.save_samples(samples, path, centres=centres)

    def table_options(self, domain=None):
        """Keyword arguments of ``sample`` for the options the CLI passes to any table
        model, refused with a clear error where this model has no such option."""
        if domain is not None:
            raise ValueError(f"{type(self).__name__} has one table; `domain` is a RadialGAN "
                             f"option.")
        return {}

    # -- exponential moving average, export ----------------------------------------

    # Whether ``enable_ema`` can keep an averaged copy of a player (the generator).
    supports_ema = False

    @property
    def has_ema(self):
        return False

    # Set on a model whose generator holds an EMA generator's weights (``kg.training.
    # fold_ema``): it keeps no separate EMA copy, but what it samples is averaged weights.
    ema_folded = False

    @property
    def samples_from_ema(self):
        """Whether ``generate`` draws from averaged weights: a separate EMA copy, or EMA
        weights folded into the generator. Protocols and cards record this."""
        return self.has_ema or self.ema_folded

    def folded_averages(self):
        """``(model, notes)``: this model, or a copy that samples (and classifies) the same,
        whose networks hold the moving averages this model keeps beside them, with no
        separate averaged copies: what a preset ships when size matters. ``notes`` says, one
        phrase per average, what was folded (empty: nothing was). Here the EMA generator
        (``kg.training.fold_ema``); a variant with averages of its own adds them."""
        if not self.has_ema:
            return self, []
        from keras_gans import training

        return training.fold_ema(self), [EMA_FOLD_NOTE]

    def sampling_state(self):
        """``{name: numpy array}``: what sampling computes from the weights and keeps, that
        a preset ships (``sampling_state.npz``) so that a loaded model need not compute it
        again, e.g. BigGAN's standing statistics. Empty here: nothing of the kind."""
        return {}

    def restore_sampling_state(self, state):
        """Take back what ``sampling_state`` returned. State computed for other weights
        than these is ignored: it is computed again when sampling needs it."""

    def enable_ema(self):
        raise TypeError(f"{type(self).__name__} has no generator of noise whose weights an "
                        f"EMA could average; train without the EMA callback.")

    def latent_network(self):
        """``(network, latent_dim)``: the network that maps standard normal latent vectors
        to samples, for export; a ValueError saying why where there is none."""
        raise ValueError(f"{type(self).__name__} does not map standard normal latent "
                         f"vectors to samples; only noise-to-image GANs export.")

    # The number of classes whose integer label the latent network takes beside z (it is
    # then called on ``[z, network_labels(labels)]``); None where it takes z alone.
    label_classes = None

    @classmethod
    def discriminator_spec(cls, **arguments):
        """The recipe spec (``{network: BUILDER, ...}``, ``keras_gans.recipes``) of a
        discriminator of images that this variant plays with as it is, with ``arguments``
        (e.g. ``base_filters``) given to the builder; None where the variant's
        discriminator is its own (it takes labels, returns an energy, reads tables...)."""
        return None

    # -- training-only state --------------------------------------------------------

    def without_training_state(self):
        """This model, or a copy of it with the same networks' weights, without the state
        that only training needs (``training_only``): what a preset ships."""
        config = self.get_config()
        if all(config.get(key) == off for key, off in self.training_only.items()):
            return self
        clone = type(self).from_config({**config, **self.training_only})
        for mine, theirs in zip(self.networks(), clone.networks()):
            theirs.set_weights(mine.get_weights())
        return clone

    def summary_line(self):
        counts = ", ".join(f"{net.name} {parameter_count(net):,}" for net in self.networks())
        return f"{type(self).__name__}: {counts} parameters"


def first_batch(x, batch_size=None):
    """The first batch ``fit`` would train on: of a ``tf.data.Dataset``, or the first
    ``batch_size`` (Keras's default 32) rows of arrays."""
    if isinstance(x, tf.data.Dataset):
        return next(iter(x.take(1)))
    n = int(batch_size or 32)
    if isinstance(x, (tuple, list)):
        return type(x)(a[:n] for a in x)
    return x[:n]


def check_not_empty(x):
    """A clear error for training data that yields nothing."""
    if x is None:
        raise ValueError("fit() needs data: a tf.data.Dataset or an array of examples.")
    if isinstance(x, tf.data.Dataset):
        if int(x.cardinality()) == 0:
            raise ValueError("The training data set is empty (it yields no batches). Check "
                             "the source files, filters and that batch_size <= the number "
                             "of examples when drop_remainder=True.")
    elif hasattr(x, "shape") and len(x.shape) > 0 and x.shape[0] == 0:
        raise ValueError("The training array is empty (0 examples).")
