"""StyleGAN (Karras, Laine & Aila 2019), with the StyleGAN2 refinements (Karras et al.
2020) as options."""

import keras
import numpy as np
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute
from keras_gans import penalties as penalties_lib
from keras_gans.models import custom_networks
from keras_gans.models import data_shape as shape_keywords
from keras_gans.models import registry
from keras_gans.models.base import GAN
from keras_gans.networks import stylegan


@registry.register("stylegan")
@keras.saving.register_keras_serializable(package="keras_gans")
class StyleGAN(GAN):
    """StyleGAN of Karras, Laine & Aila (2019), "A Style-Based Generator Architecture for
    Generative Adversarial Networks", with the options of StyleGAN2: Karras, Laine,
    Aittala, Hellsten, Lehtinen & Aila (2020), "Analyzing and Improving the Image Quality
    of StyleGAN".

    Style-based generator: z is mapped to an intermediate latent w by an 8-layer MLP
    whose learning rate is 100x lower, and w steers every layer of a synthesis network that
    starts from a learned constant and adds per-layer noise (``keras_gans.networks.stylegan``).
    ``style="adain"`` injects w by AdaIN (StyleGAN), ``style="modulated"`` by modulated and
    demodulated convolutions (StyleGAN2, with its skip generator and residual
    discriminator).

    What differs from the shared loop, so this model has its own ``train_step`` (reusing
    the shared discriminator update, losses and penalties):

    * style mixing regularisation: with probability ``mixing_prob`` (0.9) a batch uses the
      w of a second z from a random layer on;
    * the average w is tracked (``w_avg``, an EMA with ``w_avg_beta`` 0.995, saved) for
      the truncation trick ``w' = w_avg + psi (w - w_avg)``;
    * non-saturating logistic loss with lazy R1 (gamma 10, every 16 D steps: ``R1(5.0,
      interval=16)``) and optional path length regularisation of the generator
      (``compile(path_length=True)`` or a ``penalties.PathLength``), lazy every 4 steps;
    * Adam(2e-3, beta_1=0, beta_2=0.99, epsilon=1e-8) as StyleGAN2-ADA's small configs.

    Add ``callbacks.EMA`` for the paper's EMA generator; ``generate`` then uses it.

    Args:
        resolution, channels: the deprecated spelling of ``data_shape=(r, r, channels)``.
        latent_dim, w_dim: sizes of z and w (512 each in the papers; w_dim defaults to
            latent_dim).
        style: ``"adain"`` or ``"modulated"``.
        mapping_layers, mapping_lr_multiplier: the mapping network (8, 0.01).
        fmap_base, max_filters: network width, ``min(max_filters, fmap_base // r)`` feature
            maps at resolution r.
        mixing_prob, w_avg_beta, group_size: as above; group_size of minibatch stddev.
    """

    default_latent_dim = 512

    def __init__(self, data_shape=None, latent_dim=None, generator=None, discriminator=None,
                 image_shape=None, resolution=None, channels=None, w_dim=None, style="adain",
                 mapping_layers=8, mapping_lr_multiplier=0.01, fmap_base=8192,
                 max_filters=512, mixing_prob=0.9, w_avg_beta=0.995, group_size=4, **kwargs):
        data_shape = shape_keywords.merge_resolution(type(self).__name__, data_shape,
                                                     image_shape, resolution, channels)
        if style not in stylegan.STYLES:
            raise ValueError(f"`style` must be one of {stylegan.STYLES}; received {style!r}.")
        if not 0.0 <= float(mixing_prob) <= 1.0:
            raise ValueError(f"`mixing_prob` must be in [0, 1]; received {mixing_prob!r}.")
        self._network_args = {"style": style, "mapping_layers": int(mapping_layers),
                              "mapping_lr_multiplier": float(mapping_lr_multiplier),
                              "fmap_base": int(fmap_base), "max_filters": int(max_filters)}
        self._w_dim = w_dim
        self._group_size = int(group_size)
        super().__init__(data_shape, latent_dim, generator, discriminator, image_shape,
                         **kwargs)
        for part in ("mapping", "synthesis"):
            if not any(layer.name == part for layer in self.generator.layers):
                raise ValueError(f"StyleGAN's generator must contain nested models named "
                                 f"'mapping' and 'synthesis' (see "
                                 f"keras_gans.networks.stylegan_generator); this one has no "
                                 f"'{part}'.")
        self.num_ws, self.w_dim = (int(d) for d in custom_networks.input_shapes(
            self.synthesis, "synthesis network")[0][:2])
        self.mixing_prob = float(mixing_prob)
        self.w_avg_beta = float(w_avg_beta)
        state = {"trainable": False, "aggregation": "only_first_replica"}
        self.w_avg = self.add_weight(shape=(self.w_dim,), initializer="zeros", name="w_avg",
                                     **state)
        self.pl_mean = self.add_weight(shape=(), initializer="zeros", name="pl_mean", **state)
        self.path_length = None
        self.pl_tracker = None

    # -- networks -------------------------------------------------------------------

    def build_generator(self):
        return stylegan.stylegan_generator(self.latent_dim, self.data_shape, w_dim=self._w_dim,
                                           **self._network_args)

    def build_discriminator(self):
        return stylegan.stylegan_discriminator(
            self.data_shape, self._network_args["fmap_base"], self._network_args["max_filters"],
            group_size=self._group_size, residual=self._network_args["style"] == "modulated")

    @property
    def mapping(self):
        return self.generator.get_layer("mapping")

    @property
    def synthesis(self):
        return self.generator.get_layer("synthesis")

    # -- compile --------------------------------------------------------------------

    def default_compile_args(self):
        return {
            "d_optimizer": keras.optimizers.Adam(2e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8),
            "g_optimizer": keras.optimizers.Adam(2e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8),
            "loss": "non_saturating",
            "penalties": [penalties_lib.R1(5.0, interval=16)],
            "d_steps": 1,
        }

    def compile(self, *args, path_length=None, **kwargs):
        """``GAN.compile`` plus ``path_length``: ``True`` for StyleGAN2's path length
        regulariser (weight 2, every 4 steps), a ``penalties.PathLength``, or ``None``/``False``
        (off)."""
        d_steps = kwargs.get("d_steps")
        if d_steps not in (None, 1):
            raise ValueError(f"StyleGAN plays one discriminator step per generator step; "
                             f"received d_steps={d_steps!r}.")
        super().compile(*args, **kwargs)
        if path_length is True:
            path_length = penalties_lib.PathLength()
        elif path_length is False:
            path_length = None
        elif isinstance(path_length, dict):
            path_length = keras.saving.deserialize_keras_object(path_length)
        if path_length is not None and not isinstance(path_length, penalties_lib.PathLength):
            raise TypeError(f"`path_length` must be True, False, None or a penalties.PathLength; "
                            f"received {path_length!r}.")
        self.path_length = path_length
        self.pl_tracker = keras.metrics.Mean(name="pl") if path_length else None

    def get_compile_config(self):
        config = super().get_compile_config()
        if config is not None and self.path_length is not None:
            config["path_length"] = keras.saving.serialize_keras_object(self.path_length)
        return config

    def compile_from_config(self, config):
        super().compile_from_config(config)
        if config.get("path_length"):
            self.path_length = keras.saving.deserialize_keras_object(config["path_length"])
            self.pl_tracker = keras.metrics.Mean(name="pl")

    @property
    def metrics(self):
        return super().metrics + ([self.pl_tracker] if self.pl_tracker is not None else [])

    # -- the game -------------------------------------------------------------------

    def training_styles(self, batch_size):
        """Per-layer styles of a training batch, with style mixing; updates ``w_avg``."""
        w = self.mapping(self.sample_latent(batch_size), training=True)
        batch_mean = distribute.global_mean(
            tf.stop_gradient(tf.reduce_mean(tf.cast(w, tf.float32), axis=0)))
        self.w_avg.assign(batch_mean + self.w_avg_beta * (self.w_avg - batch_mean))
        ws = tf.repeat(w[:, None], self.num_ws, axis=1)
        if self.mixing_prob > 0 and self.num_ws > 1:
            # One crossover layer per batch, as StyleGAN2-ADA draws it: layers from the
            # crossover on take the second z's w.
            w2 = self.mapping(self.sample_latent(batch_size), training=True)
            cutoff = keras.random.randint((), 1, self.num_ws, seed=self.seed_generator)
            mix = keras.random.uniform((), seed=self.seed_generator) < self.mixing_prob
            cutoff = tf.where(mix, cutoff, self.num_ws)
            first = tf.range(self.num_ws)[None, :, None] < cutoff
            ws = tf.where(first, ws, tf.repeat(w2[:, None], self.num_ws, axis=1))
        return ws

    def _path_length_term(self, ws):
        pl = self.path_length

        fires = tf.equal(self.g_optimizer.iterations % pl.interval, 0)
        # Lazy: the lengths (the costly double backpropagation) only on the steps that
        # fire; the penalty and the running mean after the cond, whose cross-replica mean
        # cannot run inside it.
        lengths = tf.cond(
            fires,
            lambda: pl.lengths(lambda w: self.synthesis(w, training=True), ws,
                               self.seed_generator),
            lambda: tf.zeros([tf.shape(ws)[0]], tf.float32))
        value, new_mean = pl.penalty(lengths, self.pl_mean)
        self.pl_mean.assign(tf.where(fires, new_mean, self.pl_mean))
        return tf.where(fires, value * float(pl.interval), 0.0)

    def train_step(self, data):
        real = self._check_batch(data)
        with tf.GradientTape() as g_tape:
            ws = self.training_styles(tf.shape(real)[0])
            fake = self.synthesis(ws, training=True)
            with g_tape.stop_recording():
                self.discriminator_step(real, tf.stop_gradient(fake))
            g_loss = self.loss_fn.generator_loss(self.critic(fake))
            total = g_loss
            if self.path_length is not None:
                pl_value = self._path_length_term(ws)
                self.pl_tracker.update_state(pl_value)
                total = total + self.path_length.weight * pl_value
            scaled = self.g_optimizer.scale_loss(distribute.scale_loss_for_replicas(total))
        variables = self.player_variables("generator")
        self.g_optimizer.apply(g_tape.gradient(scaled, variables), variables)
        self.g_loss_tracker.update_state(g_loss)
        return distribute.logs_for_keras({m.name: m.result() for m in self.metrics})

    # -- sampling -------------------------------------------------------------------

    truncation_option = "truncation_psi"
    sample_range = (-1.0, 1.0)

    def sampling_options(self, truncation=None, ema=None, style_mix=None):
        options = super().sampling_options(truncation, ema)
        if style_mix is not None:
            options["style_mix"] = tuple(style_mix)
        return options

    def _networks(self, ema):
        generator = self.ema_generator if ema and self.has_ema else self.generator
        return generator.get_layer("mapping"), generator.get_layer("synthesis")

    def styles(self, z, truncation_psi=1.0, truncation_cutoff=None, style_mix=None, ema=True,
               batch_size=256):
        """Per-layer styles ``(n, num_ws, w_dim)`` of latent vectors ``z``, as ``generate``
        uses them (see there)."""
        z = self.latents(None, None, z)
        mapping, _ = self._networks(ema)

        def map_all(latents):
            return np.concatenate([keras.ops.convert_to_numpy(
                mapping(latents[i:i + batch_size], training=False))
                for i in range(0, len(latents), batch_size)])

        ws = np.repeat(map_all(z)[:, None], self.num_ws, axis=1)
        if style_mix is not None:
            if not isinstance(style_mix, (tuple, list)) or len(style_mix) != 2:
                raise ValueError("`style_mix` must be a pair (z_b or seed_b, layer): the "
                                 "second latent (an array of shape (n, latent_dim), or an int "
                                 "seed) and the first layer that takes its style.")
            other, layer = style_mix
            if not isinstance(layer, (int, np.integer)) or not 0 <= layer <= self.num_ws:
                raise ValueError(f"The style mixing layer must be an integer in [0, "
                                 f"{self.num_ws}] (this generator has {self.num_ws} style "
                                 f"layers, coarse first); received {layer!r}.")
            z_b = self.latents(len(z), other, None if np.isscalar(other) or other is None
                                else other, what="style_mix's z_b")
            if len(z_b) != len(z):
                raise ValueError(f"style_mix's z_b has {len(z_b)} rows for {len(z)} samples.")
            ws[:, layer:] = map_all(z_b)[:, None]
        cutoff = self.num_ws if truncation_cutoff is None else truncation_cutoff
        if not isinstance(cutoff, (int, np.integer)) or not 0 <= cutoff <= self.num_ws:
            raise ValueError(f"`truncation_cutoff` must be None or an integer in [0, "
                             f"{self.num_ws}]; received {truncation_cutoff!r}.")
        psi = float(truncation_psi)
        if psi != 1.0:
            w_avg = keras.ops.convert_to_numpy(self.w_avg)
            ws[:, :cutoff] = w_avg + psi * (ws[:, :cutoff] - w_avg)
        return ws.astype("float32")

    def generate(self, n, seed=None, batch_size=256, z=None, ema=True, truncation_psi=1.0,
                 truncation_cutoff=None, style_mix=None):
        """Generate ``n`` images as a float32 numpy array; the same ``seed`` gives the same
        images (noise inputs use their fixed inference noise).

        Args:
            truncation_psi: the truncation trick, ``w' = w_avg + psi (w - w_avg)``: 1 is
                off, 0 gives the average image, 0.5-0.7 trades variety for quality.
            truncation_cutoff: truncate only the first ``cutoff`` (coarse) style layers;
                ``None`` truncates all.
            style_mix: ``(z_b, layer)``: layers from ``layer`` on take the styles of
                ``z_b`` (an array ``(n, latent_dim)`` or an int seed): coarse layers set
                pose and shape, fine ones colour and texture.
            ema: use the EMA generator when there is one.
        """
        z = self.latents(n, seed, z)
        ws = self.styles(z, truncation_psi, truncation_cutoff, style_mix, ema, batch_size)
        _, synthesis = self._networks(ema)
        chunks = [keras.ops.convert_to_numpy(synthesis(ws[i:i + batch_size], training=False))
                  for i in range(0, len(ws), batch_size)]
        return self.finish_samples(np.concatenate(chunks))

    def truncation_strip(self, seeds=range(6), psis=(0.0, 0.25, 0.5, 0.75, 1.0)):
        """One row per seed, one column per psi (left to right): ``len(seeds) *
        len(psis)`` images. Every row starts from the same average image at psi = 0."""
        z = np.concatenate([self.latent_vectors(1, int(s)) for s in seeds])
        columns = [self.generate(len(z), z=z, truncation_psi=float(p)) for p in psis]
        return np.stack(columns, axis=1).reshape(-1, *columns[0].shape[1:])

    def style_mixing_grid(self, row_seeds=range(4), column_seeds=range(10, 15), layer=None):
        """The style-mixing figure of the StyleGAN paper as ``(rows + 1) x (columns + 1)``
        images: the top row shows the column seeds' images, the left column the row seeds'
        (a blank, white corner); cell (i, j) takes the coarse styles (layers before ``layer``,
        default: the first half, the resolutions up to 8x8 at 32x32) from row i and the
        fine ones from column j."""
        layer = self.num_ws // 2 if layer is None else int(layer)
        rows = np.concatenate([self.latent_vectors(1, int(s)) for s in row_seeds])
        cols = np.concatenate([self.latent_vectors(1, int(s)) for s in column_seeds])
        row_images = self.generate(len(rows), z=rows)
        col_images = self.generate(len(cols), z=cols)
        blank = np.ones_like(row_images[:1])    # white
        out = [blank, col_images]
        for i in range(len(rows)):
            mixed = self.generate(len(cols), z=np.repeat(rows[i:i + 1], len(cols), axis=0),
                                  style_mix=(cols, layer))
            out += [row_images[i:i + 1], mixed]
        return np.concatenate(out)

    def card_pictures(self, seed=0):
        psis = (0.0, 0.25, 0.5, 0.75, 1.0)
        layer = self.num_ws // 2
        return [
            ("truncation.png", self.truncation_strip(range(seed, seed + 6), psis), len(psis),
             f"the truncation trick, `generate(..., truncation_psi=psi)` for psi = "
             f"{', '.join(map(str, psis))} (left to right) on seeds {seed}-{seed + 5} (one "
             f"row each): psi = 0 is the average image for every seed"),
            ("style_mixing.png", self.style_mixing_grid(range(seed, seed + 4),
                                                        range(seed + 10, seed + 15), layer),
             6, f"style mixing, `generate(..., style_mix=(z_column, {layer}))`: the top row "
                f"holds the images of seeds {seed + 10}-{seed + 14}, the left column those of "
                f"seeds {seed}-{seed + 3}; each cell takes its coarse styles (layers 0-"
                f"{layer - 1} of {self.num_ws}) from its row and the fine ones from its "
                f"column"),
        ]

    # -- serialization --------------------------------------------------------------

    def get_config(self):
        return {**super().get_config(), "w_dim": self.w_dim, "mixing_prob": self.mixing_prob,
                "w_avg_beta": self.w_avg_beta, "group_size": self._group_size,
                **self._network_args}
