"""A GAN for tables: CTGAN's conditional WGAN-GP (Xu et al. 2019) on the shared loop."""

import keras
import numpy as np
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute
from keras_gans.data import tabular as tabular_data
from keras_gans.models import custom_networks
from keras_gans.models import registry
from keras_gans.models.base import GAN
from keras_gans.models.objectives import GeneratorObjective
from keras_gans.networks import tabular as tabular_nets
from keras_gans.penalties import GradientPenalty


@registry.register("tabular-gan")
@keras.saving.register_keras_serializable(package="keras_gans")
class TabularGAN(GAN):
    """Conditional tabular GAN after CTGAN (Xu, Skoularidou, Cuesta-Infante & Veeramachaneni
    2019, "Modeling Tabular Data using Conditional GAN").

    What differs from the image GANs:

    * rows are encoded by a ``TabularTransformer`` (mode-specific normalisation of
      continuous columns, one-hot categories); the generator's outputs pass through tanh for
      scalars and Gumbel-softmax for one-hot blocks (``SpanActivation``);
    * a conditional vector (one category of one categorical column) is appended to z and
      to the critic's input; ``training_dataset`` samples real rows that have the condition's
      category, with categories drawn by log-frequency (training-by-sampling), so rare
      categories are learnt; the generator is also penalised by the cross-entropy between
      its output for the chosen column and the condition (``condition_weight``);
    * the game is WGAN-GP with one critic step, Adam(2e-4, 0.5, 0.9), as CTGAN.

    The condition fits the shared loop: the generator passes it through to its output, so
    real and fake examples are both ``[row, condition]`` and the loop, the critic and the
    penalty see ordinary vectors; only ``sample_latent`` (draws the condition) and
    ``generator_objective`` (adds the cross-entropy) change. CTGAN's PacGAN packing of 10
    rows per critic input is not used.

    Args:
        transformer: a fitted ``kg.data.tabular.TabularTransformer`` (or its config), or a
            table (DataFrame, dict of columns, CSV path) to fit one on.
        latent_dim: size of the noise z (CTGAN: 128); the generator reads z and the condition.
        conditional: use the conditional vector (needs a categorical column).
        condition_weight: weight of the generator's condition cross-entropy.
        generator, discriminator: networks to use instead of ``networks.tabular``'s.

    ``sample(n, seed=...)`` returns a table; ``generate`` the transformed rows as numpy.
    """

    default_latent_dim = 128
    makes_tables = True

    def __init__(self, transformer=None, latent_dim=None, generator=None, discriminator=None,
                 conditional=True, condition_weight=1.0, **kwargs):
        if transformer is None:
            raise ValueError("TabularGAN needs the table's transformer: pass "
                             "transformer=kg.data.tabular.TabularTransformer().fit(table), or "
                             "the table itself (a DataFrame, dict of columns or CSV path).")
        self.transformer = tabular_data.get(transformer)
        self.conditional = bool(conditional) and bool(self.transformer.categorical_spans)
        self.condition_weight = float(condition_weight)
        self.row_dim = self.transformer.output_dim
        self.condition_dim = (sum(size for _, _, size in self.transformer.categorical_spans)
                              if self.conditional else 0)
        if latent_dim is None and generator is not None:
            latent_dim = (custom_networks.input_shapes(generator, "generator")[0][-1]
                          - self.condition_dim)
        self.noise_dim = int(latent_dim or self.default_latent_dim)
        for key in ("data_shape", "image_shape"):
            kwargs.pop(key, None)
        super().__init__(data_shape=(self.row_dim + self.condition_dim,),
                         latent_dim=self.noise_dim + self.condition_dim,
                         generator=generator, discriminator=discriminator, **kwargs)
        probs = tabular_data.condition_probabilities(self.transformer) if self.conditional else []
        self._train_logits = np.where(np.asarray(probs) > 0,
                                      np.log(np.maximum(probs, 1e-300)), -1e9).astype("float32")
        self._sample_probs = (tabular_data.condition_probabilities(self.transformer, False)
                              if self.conditional else np.zeros(0))
        # Where each position of the condition lies in a row: its category's one-hot slot.
        self._condition_slots = np.concatenate(
            [np.arange(start, start + size) for _, start, size in
             self.transformer.categorical_spans]).astype("int32") if self.conditional else None
        self.condition_tracker = keras.metrics.Mean(name="condition_loss")

    def build_generator(self):
        return tabular_nets.tabular_generator(self.noise_dim, self.transformer.spans,
                                              self.condition_dim)

    def build_discriminator(self):
        return tabular_nets.tabular_discriminator(self.row_dim + self.condition_dim)

    def default_compile_args(self):
        return {
            "d_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.9),
            "g_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.9),
            "loss": "wasserstein",
            "penalties": [GradientPenalty(10.0)],
            "d_steps": 1,
        }

    @property
    def metrics(self):
        return [*super().metrics, *([self.condition_tracker] if self.conditional else [])]

    # -- the condition ----------------------------------------------------------------

    def sample_latent(self, batch_size):
        """z and a condition drawn by log-frequency, for this replica's share."""
        if not self.conditional:
            return super().sample_latent(batch_size)
        logits = tf.constant(self._train_logits[None])

        def draw(n):
            z = keras.random.normal((n, self.noise_dim), seed=self.seed_generator)
            option = keras.random.categorical(logits, n, seed=self.seed_generator)[0]
            return tf.concat([z, tf.one_hot(option, self.condition_dim)], axis=1)

        return distribute.replica_random(draw, batch_size)

    def generator_objective(self, fake, condition=None, training=True):
        objective = super().generator_objective(fake, condition, training)
        if not self.conditional:
            return objective
        # The conditional vector travels through G to the end of its output rows.
        wanted = fake[:, self.row_dim:]
        chosen = tf.gather(fake[:, :self.row_dim], self._condition_slots, axis=1)
        # Cross-entropy of the chosen column's (Gumbel-)softmax block against the condition.
        cross_entropy = -tf.reduce_mean(tf.reduce_sum(
            wanted * tf.math.log(tf.cast(chosen, tf.float32) + 1e-8), axis=1))
        return GeneratorObjective(objective.loss + self.condition_weight * cross_entropy,
                                  {**objective.extras, "condition_loss": cross_entropy})

    # -- data -------------------------------------------------------------------------

    def make_dataset(self, table, batch_size=500, seed=0, steps_per_epoch=None):
        """Training batches for ``fit``: ``[row, condition]`` by training-by-sampling
        (CTGAN's default batch is 500)."""
        rows = self.transformer.transform(table, seed=seed)
        return tabular_data.training_dataset(rows, self.transformer, batch_size, seed,
                                             steps_per_epoch, conditional=self.conditional)

    def fit(self, x=None, *args, batch_size=None, **kwargs):
        """Also takes a table (DataFrame, dict of columns, CSV path): it is transformed and
        sampled by ``make_dataset(x, batch_size or 500)``."""
        if tabular_data.is_table(x):
            x = self.make_dataset(x, batch_size or 500, seed=kwargs.pop("seed", 0))
            batch_size = None
        elif isinstance(x, np.ndarray):
            raise ValueError("TabularGAN trains on [row, condition] batches: pass the table "
                             "itself (DataFrame, dict of columns or CSV path) or "
                             "gan.make_dataset(table).")
        return super().fit(x, *args, batch_size=batch_size, **kwargs)

    def _check_batch(self, data):
        if isinstance(data, (tuple, list)):
            data = data[0]
        if not isinstance(data, dict) and data.shape[-1] != self.data_shape[0]:
            raise ValueError(
                f"Expected batches of [row, condition] with {self.data_shape[0]} values "
                f"({self.row_dim} + {self.condition_dim}); received {tuple(data.shape)}. "
                f"Build them with gan.make_dataset(table) or pass the table to fit().")
        return super()._check_batch(data)

    # -- sampling ---------------------------------------------------------------------

    def latent_vectors(self, n, seed=None):
        """z and a condition drawn by frequency (as CTGAN samples), from numpy's PCG64."""
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((n, self.noise_dim)).astype("float32")
        if not self.conditional:
            return z
        option = rng.choice(self.condition_dim, size=n, p=self._sample_probs)
        return np.concatenate([z, np.eye(self.condition_dim, dtype="float32")[option]], axis=1)

    def generate(self, n, seed=None, batch_size=256, z=None, ema=True):
        """``n`` transformed rows, float32 ``(n, transformer.output_dim)``: scalars in
        [-1, 1] and probability blocks; ``sample`` turns them into a table."""
        out = super().generate(n, seed=seed, batch_size=batch_size, z=z, ema=ema)
        return out[:, :self.row_dim]

    def latent_network(self):
        raise ValueError("TabularGAN makes table rows through its fitted transformer, which "
                         "a SavedModel of its generator would not include; sample tables with "
                         "kg.load(NAME).sample(n) or `keras-gans sample NAME -o rows.csv`.")

    def sample(self, n, seed=None, as_frame=None):
        """``n`` synthetic rows as a table: a DataFrame when the model was fitted on one
        (and pandas is installed), else a dict of numpy columns. Same seed, same table."""
        rows = self.generate(n, seed=seed)
        return self.transformer.inverse_transform(
            rows, seed=np.random.default_rng(seed).integers(2**31), as_frame=as_frame)

    # -- serialization ----------------------------------------------------------------

    def get_config(self):
        config = super().get_config()
        config.pop("data_shape")
        config.update(latent_dim=self.noise_dim, transformer=self.transformer.get_config(),
                      conditional=self.conditional, condition_weight=self.condition_weight)
        return config

