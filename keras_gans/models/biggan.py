"""BigGAN (Brock, Donahue & Simonyan 2019): the shared loop, class-conditional, with hinge
loss, two discriminator steps, orthogonal regularisation of G and the truncation trick."""

import keras
import numpy as np

from keras_gans import _backend  # noqa: F401
from keras_gans import penalties as penalties_lib
from keras_gans.models import custom_networks
from keras_gans.models import registry
from keras_gans.models import standing_statistics as standing
from keras_gans.models.base import GAN
from keras_gans.models.class_conditional import ClassConditional
from keras_gans.models.objectives import GeneratorObjective
from keras_gans.networks import biggan


@registry.register("biggan")
@keras.saving.register_keras_serializable(package="keras_gans")
class BigGAN(ClassConditional, GAN):
    """BigGAN, the large-scale class-conditional GAN of Brock, Donahue & Simonyan (2019),
    "Large Scale GAN Training for High Fidelity Natural Image Synthesis".

    The game is the shared loop of ``GAN`` played with class labels: batches are
    ``(images, integer labels)``; G receives ``[z, labels]`` and D scores ``[images,
    labels]`` (a projection discriminator). What the paper changes, and this class sets:

    * networks (``keras_gans.networks.biggan``): a hierarchical latent feeding
      class-conditional batch norm through a shared class embedding, residual blocks,
      self-attention, spectral normalisation in both G and D;
    * the hinge loss, 2 D steps per G step, Adam with beta_1 = 0, beta_2 = 0.999 and
      learning rates 5e-5 (G) and 2e-4 (D);
    * orthogonal regularisation of G's weights (beta = 1e-4, the paper's off-diagonal form
      ``||W^T W * (1 - I)||_F^2``), added to G's loss by ``generator_objective``;
    * the truncation trick: ``generate(..., truncation=t)`` resamples every latent value
      whose magnitude exceeds ``t`` (smaller ``t``: more typical, less varied images).

    The paper samples from an exponential moving average of G's weights: train with
    ``callbacks=[kg.callbacks.EMA(decay=0.9999, start_step=20000)]`` (its settings) and
    ``generate`` uses the average.

    Args:
        data_shape: ``(r, r, channels)``, r in 16, 32, 64, 128 for the default networks
            (``image_shape``: its deprecated spelling).
        num_classes: the number of classes; labels are integers in ``[0, num_classes)``.
        latent_dim: size of z (default 128), cut into one chunk per G block plus one.
        ch: channel multiplier of the default networks (the paper: 64 at 32x32, 96 at 128).
        shared_dim: size of G's shared class embedding (the paper: 128).
        attention_resolution: where self-attention runs in both networks (default half the
            image side; None for none).
        generator, discriminator: networks taking ``[z, labels]`` and ``[images, labels]``.
    """

    default_latent_dim = 128
    label_shape = ()

    def __init__(self, data_shape=None, num_classes=None, latent_dim=None, generator=None,
                 discriminator=None, ch=64, shared_dim=128, attention_resolution="default",
                 image_shape=None, **kwargs):
        if num_classes is None or int(num_classes) < 1:
            raise ValueError(f"BigGAN is class-conditional: pass `num_classes`, the number of "
                             f"classes of the labels (e.g. 10 for CIFAR-10); received "
                             f"{num_classes!r}.")
        self.num_classes = int(num_classes)
        self.ch = int(ch)
        self.shared_dim = int(shared_dim)
        self.attention_resolution = attention_resolution
        super().__init__(data_shape=data_shape, latent_dim=latent_dim, generator=generator,
                         discriminator=discriminator, image_shape=image_shape, **kwargs)
        self.orthogonal_regularization = None
        self.ortho_tracker = None

    # -- networks -------------------------------------------------------------------

    def build_generator(self):
        return biggan.biggan_generator(self.latent_dim, self.data_shape, self.num_classes,
                                       ch=self.ch, shared_dim=self.shared_dim,
                                       attention_resolution=self.attention_resolution)

    def build_discriminator(self):
        return biggan.biggan_discriminator(self.data_shape, self.num_classes, ch=self.ch,
                                           attention_resolution=self.attention_resolution)

    def _check_networks(self, generator, discriminator):
        for role, net, first in (("generator", generator, (self.latent_dim,)),
                                 ("discriminator", discriminator, self.data_shape)):
            shapes = custom_networks.input_shapes(net, role)
            if len(shapes) != 2 or shapes[0] != first or shapes[1] not in ((), (1,)):
                data = "z" if role == "generator" else "images"
                raise ValueError(
                    f"BigGAN's {role} must take two inputs, [{data} of shape {first}, integer "
                    f"labels of shape ()]; it takes inputs of shapes {shapes}. Build it with "
                    f"keras_gans.networks.biggan_{role}.")
        g_out = custom_networks.output_shapes(generator, "generator")[0]
        if g_out != self.data_shape:
            raise ValueError(f"The generator outputs {g_out}, but data_shape={self.data_shape}.")
        custom_networks.check_returns_logits(discriminator)

    def call(self, inputs, training=False):
        """``inputs`` = ``[z, labels]``."""
        return self.generator(inputs, training=training)

    # -- compile --------------------------------------------------------------------

    def default_compile_args(self):
        """Section 4 and appendix C of the paper (its ImageNet setting, also used on CIFAR)."""
        return {
            "d_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.0, beta_2=0.999),
            "g_optimizer": keras.optimizers.Adam(5e-5, beta_1=0.0, beta_2=0.999),
            "loss": "hinge",
            "penalties": [],
            "d_steps": 2,
            "orthogonal_regularization": penalties_lib.OrthogonalRegularization(1e-4),
        }

    def compile(self, d_optimizer=None, g_optimizer=None, loss=None, penalties=None,
                d_steps=None, split_real_batch=False, orthogonal_regularization="default",
                **kwargs):
        """``GAN.compile``, plus ``orthogonal_regularization``: the paper's
        ``OrthogonalRegularization(1e-4)`` by default, a weight (beta), a
        ``GeneratorRegularizer``, or None / 0 to switch it off."""
        super().compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer, loss=loss,
                        penalties=penalties, d_steps=d_steps,
                        split_real_batch=split_real_batch, **kwargs)
        self._set_orthogonal_regularization(orthogonal_regularization)

    def _set_orthogonal_regularization(self, value):
        if isinstance(value, str) and value == "default":
            value = self.default_compile_args()["orthogonal_regularization"]
        elif isinstance(value, dict):
            value = keras.saving.deserialize_keras_object(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            value = penalties_lib.OrthogonalRegularization(value) if value else None
        if value is not None and not isinstance(value, penalties_lib.GeneratorRegularizer):
            raise TypeError(f"`orthogonal_regularization` must be a weight, a "
                            f"GeneratorRegularizer or None; received {value!r}.")
        self.orthogonal_regularization = value
        self.ortho_tracker = keras.metrics.Mean(name=value.name) if value is not None else None

    def get_compile_config(self):
        config = super().get_compile_config()
        if config is not None:
            reg = self.orthogonal_regularization
            config["orthogonal_regularization"] = (
                None if reg is None else keras.saving.serialize_keras_object(reg))
        return config

    def compile_from_config(self, config):
        super().compile_from_config(config)
        self._set_orthogonal_regularization(config.get("orthogonal_regularization"))

    @property
    def metrics(self):
        return super().metrics + ([self.ortho_tracker] if self.ortho_tracker else [])

    # -- the game: the shared loop's conditioning hooks ------------------------------

    def orthogonal_variables(self):
        """The weights orthogonal regularisation applies to: G's trainable kernels, but not
        the shared class embedding (as in the authors' code)."""
        return [v for v in self.generator.trainable_variables
                if len(v.shape) >= 2 and "shared_embedding" not in v.path]

    def generator_objective(self, fake, condition=None, training=True):
        objective = super().generator_objective(fake, condition, training)
        reg = self.orthogonal_regularization
        if reg is None:
            return objective
        value = reg(self.orthogonal_variables())
        return GeneratorObjective(objective.loss + reg.weight * value,
                                  {**objective.extras, reg.name: value})

    # -- sampling -------------------------------------------------------------------

    truncation_option = "truncation"

    def latent_vectors(self, n, seed=None, truncation=None):
        """``n`` latent vectors from numpy's PCG64; with ``truncation`` every value of
        magnitude above it is redrawn until none is (the truncation trick)."""
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((n, self.latent_dim)).astype("float32")
        if truncation is not None:
            if not float(truncation) > 0:
                raise ValueError(f"`truncation` must be a positive threshold (the paper uses "
                                 f"values in (0, 2]); received {truncation!r}.")
            outside = np.abs(z) > truncation
            while outside.any():
                z[outside] = rng.standard_normal(int(outside.sum())).astype("float32")
                outside = np.abs(z) > truncation
        return z

    # Standing statistics: batches of latents (of the distribution being sampled, classes
    # in turn) whose batch-norm moments are averaged. BigGAN-PyTorch accumulates 16; on
    # biggan-cifar10, 2 to 16 batches of 256 gave the same label accuracy at truncation
    # 0.5 (61.5-62.2% of 2,000 samples), and each costs a training-mode forward pass.
    standing_batches = 8
    standing_batch_size = 256

    def generate(self, n=None, seed=None, batch_size=256, z=None, ema=True, labels=None,
                 truncation=None, standing_statistics=True):
        """Generate images of the given classes as a float32 numpy array in [-1, 1].

        ``labels``: one integer class per image (image i shows class ``labels[i]``), a
        single class for all, or None to cycle through the classes. ``truncation``: the
        truncation trick's threshold. The same ``seed`` gives the same images.

        G's batch norm normalises with *standing statistics* (the paper's appendix):
        moments measured on the sampling generator for the latent distribution of this
        call (``truncation`` included; with ``z`` given, untruncated latents'), once per
        truncation and set of weights (``keras_gans.models.standing_statistics``). Without
        them (``False``: the moving averages of training) truncated samples fade toward a
        grey average.
        """
        if z is not None and truncation is not None:
            raise ValueError("`truncation` applies to the latent vectors generate draws; "
                             "pass either `z` or `truncation`, not both.")
        net = self.ema_generator if ema and self.has_ema else self.generator
        if not standing_statistics or not standing.batch_norm_layers(net):
            return super().generate(n, seed, batch_size, z, ema, labels, truncation=truncation)
        with standing.applied(net, self.standing_statistics_for(net, truncation)):
            return super().generate(n, seed, batch_size, z, ema, labels, truncation=truncation)

    def standing_statistics_for(self, network, truncation=None):
        """The standing statistics of ``network`` (G or its EMA copy) for latents under
        ``truncation``; measured from fixed seeds, so repeated calls agree, and kept until
        the weights change."""
        key, cache = self._standing_key(network, truncation), self._cached_standing()
        if key not in cache:
            classes = np.arange(self.standing_batch_size) % self.num_classes
            labels = self.network_labels(classes.astype("int32"))
            batches = ([self.latent_vectors(self.standing_batch_size, seed=2**20 + i,
                                            truncation=truncation), labels]
                       for i in range(self.standing_batches))
            if len(cache) >= 8:
                cache.pop(next(iter(cache)))
            cache[key] = standing.measure(network, batches)
        return cache[key]

    def _cached_standing(self):
        return self.__dict__.setdefault("_standing_cache", {})

    def _standing_key(self, network, truncation, fingerprint=None):
        return (id(network), truncation, fingerprint or standing.fingerprint(network))

    def _sampling_network(self):
        return self.ema_generator if self.has_ema else self.generator

    def sampling_state(self):
        """The standing statistics of untruncated latents for the network ``generate``
        samples with, and the fingerprint of the weights they belong to: a preset ships
        them, so that its first ``generate`` does not spend seconds measuring them."""
        net = self._sampling_network()
        if not standing.batch_norm_layers(net):
            return {}
        state = {"standing_fingerprint": np.array(standing.fingerprint(net))}
        for i, (mean, variance) in enumerate(self.standing_statistics_for(net, None)):
            state[f"standing_mean_{i}"] = np.asarray(mean, "float32")
            state[f"standing_variance_{i}"] = np.asarray(variance, "float32")
        return state

    def restore_sampling_state(self, state):
        net = self._sampling_network()
        fingerprint = standing.fingerprint(net)
        count = len(standing.batch_norm_layers(net))
        names = [f"standing_{m}_{i}" for i in range(count) for m in ("mean", "variance")]
        if str(state.get("standing_fingerprint")) != fingerprint or \
                any(name not in state for name in names):
            return
        self._cached_standing()[self._standing_key(net, None, fingerprint)] = [
            (state[f"standing_mean_{i}"], state[f"standing_variance_{i}"]) for i in range(count)]

    def latent_network(self):
        """As ``GAN``'s, in a copy whose batch norm holds the standing statistics of
        untruncated latents, so that the exported network draws what ``generate`` draws;
        the model's own generator keeps its moving averages."""
        net, latent_dim = super().latent_network()
        if not standing.batch_norm_layers(net):
            return net, latent_dim
        statistics = self.standing_statistics_for(net, None)
        copy = keras.models.clone_model(net)
        copy.set_weights(net.get_weights())
        standing.assign(copy, statistics)
        return copy, latent_dim

    def truncation_strip(self, classes=None, thresholds=(2.0, 1.0, 0.5, 0.25), seed=0):
        """One row per class (default: all), one column per truncation threshold (left to
        right): ``len(classes) * len(thresholds)`` images. Every column draws the same
        latent vectors from ``seed``; truncation redraws only the values beyond its
        threshold, so a row shows one image growing more typical as the threshold falls."""
        labels = np.asarray(list(range(self.num_classes) if classes is None else classes),
                            "int32")
        columns = [self.generate(len(labels), seed=seed, labels=labels, truncation=float(t))
                   for t in thresholds]
        return np.stack(columns, axis=1).reshape(-1, *columns[0].shape[1:])

    def card_pictures(self, seed=0):
        thresholds = (2.0, 1.0, 0.5, 0.25)
        return [("truncation.png", self.truncation_strip(None, thresholds, seed),
                 len(thresholds),
                 f"the truncation trick, `generate(..., labels=c, truncation=t)` for t = "
                 f"{', '.join(map(str, thresholds))} (left to right), one row per class c "
                 f"from 0 at the top, latent vectors of seed {seed}")]

    # -- serialization --------------------------------------------------------------

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "ch": self.ch,
                "shared_dim": self.shared_dim,
                "attention_resolution": self.attention_resolution}
