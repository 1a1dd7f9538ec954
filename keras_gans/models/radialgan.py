"""RadialGAN (Yoon, Jordon & van der Schaar 2018): several tables, one shared latent space."""

import keras
import numpy as np
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute
from keras_gans import losses as losses_lib
from keras_gans import penalties as penalties_lib
from keras_gans.counts import positive_count
from keras_gans.data import tabular as tabular_data
from keras_gans.models import registry
from keras_gans.models.adversarial import AdversarialModel
from keras_gans.networks import tabular as tabular_nets


@registry.register("radialgan")
@keras.saving.register_keras_serializable(package="keras_gans")
class RadialGAN(AdversarialModel):
    """RadialGAN of Yoon, Jordon & van der Schaar (2018), "RadialGAN: Leveraging multiple
    datasets to improve target-specific predictive models using Generative Adversarial
    Networks" (ICML 2018).

    Each domain (a table with its own population and its own columns; the label is one of
    them) has an encoder ``F_i`` into a latent space shared by all domains, a decoder
    (generator) ``G_i`` back to its own columns, and a discriminator ``D_i``. A row of
    domain j becomes a row of domain i as ``G_i(F_j(x))``; ``D_i`` tells those from real
    rows of i. The cycle-consistency loss asks that translating there and back,
    ``G_j(F_i(G_i(F_j(x))))``, returns ``x`` (squared error). All players train together;
    ``augment`` then enlarges a target domain's table with the others' rows, translated.

    The game differs from the shared loop (K discriminators, fakes made from real rows of
    other domains, the cycle term), so this class has its own ``train_step``, built from
    ``losses.py``, ``penalties.py`` and the distribute helpers. By default it plays
    WGAN-GP with the tabular GAN's networks (decoder outputs: tanh scalars and
    Gumbel-softmax blocks); ``compile(loss=...)`` plays another adversarial loss.

    Beyond the paper, the encoders' codes are tracked (moving mean and variance) so that
    ``generate``/``sample`` can also draw new rows of a domain from a Gaussian fitted to
    the shared latent space, without input rows.

    Args:
        transformers: ``{domain: transformer or table}`` (fitted ``TabularTransformer``s,
            their configs, or tables to fit one on), one per domain, at least two.
        latent_dim: size of the shared latent space.
        hidden_units: hidden layers of every encoder, decoder and discriminator.
        encoders, decoders, discriminators: ``{domain: keras.Model}`` to use instead.
    """

    players = {"d_optimizer": ("discriminators",), "g_optimizer": ("encoders", "decoders")}
    step_optimizer = "g_optimizer"
    makes_tables = True

    def __init__(self, transformers=None, latent_dim=32, hidden_units=(128, 128),
                 encoders=None, decoders=None, discriminators=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(transformers, dict) or len(transformers) < 2:
            got = (f"{len(transformers)} domain(s)" if isinstance(transformers, dict)
                   else type(transformers).__name__)
            raise ValueError("RadialGAN needs at least two domains: pass transformers="
                             "{'domain_a': table_or_transformer, 'domain_b': ...}; received "
                             f"{got}.")
        self.domains = [str(d) for d in transformers]
        self.transformers = {str(d): tabular_data.get(t) for d, t in transformers.items()}
        self.latent_dim = int(latent_dim)
        self.hidden_units = tuple(int(u) for u in hidden_units)
        encoders, decoders, discriminators = encoders or {}, decoders or {}, discriminators or {}
        self.encoders, self.decoders, self.discriminators = [], [], []
        for d in self.domains:
            t = self.transformers[d]
            self.encoders.append(encoders.get(d) or tabular_nets.tabular_encoder(
                t.output_dim, self.latent_dim, self.hidden_units, name=f"encoder_{d}"))
            self.decoders.append(decoders.get(d) or tabular_nets.tabular_generator(
                self.latent_dim, t.spans, 0, self.hidden_units, name=f"decoder_{d}"))
            self.discriminators.append(discriminators.get(d) or tabular_nets.tabular_discriminator(
                t.output_dim, self.hidden_units, dropout=0.0, name=f"discriminator_{d}"))
        for d, enc, dec, disc in zip(self.domains, self.encoders, self.decoders,
                                     self.discriminators):
            dim = self.transformers[d].output_dim
            shapes = (enc.input.shape[-1], enc.output.shape[-1], dec.input.shape[-1],
                      dec.output.shape[-1], disc.input.shape[-1])
            if shapes != (dim, self.latent_dim, self.latent_dim, dim, dim):
                raise ValueError(
                    f"The networks of domain '{d}' do not fit: its rows have {dim} values and "
                    f"the latent space {self.latent_dim}; the encoder maps {shapes[0]} -> "
                    f"{shapes[1]}, the decoder {shapes[2]} -> {shapes[3]}, the discriminator "
                    f"reads {shapes[4]}.")
        # Global-batch statistics, the same on every replica: the first one's is kept.
        state = {"trainable": False, "aggregation": "only_first_replica"}
        self.latent_mean = self.add_weight(shape=(self.latent_dim,), initializer="zeros",
                                           name="latent_mean", **state)
        self.latent_var = self.add_weight(shape=(self.latent_dim,), initializer="ones",
                                          name="latent_var", **state)
        self.seed_generator = keras.random.SeedGenerator(None, name="seed_generator")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.cycle_tracker = keras.metrics.Mean(name="cycle_loss")
        self.penalty_trackers = []
        self.built = True

    def domain_index(self, domain):
        if str(domain) not in self.domains:
            raise ValueError(f"Unknown domain {domain!r}; the domains are {self.domains}.")
        return self.domains.index(str(domain))

    # -- compile ------------------------------------------------------------------------

    def compile(self, d_optimizer=None, g_optimizer=None, loss="wasserstein", penalties=None,
                cycle_weight=10.0, latent_momentum=0.99, **kwargs):
        """Adam(1e-4, 0.5, 0.9) for the discriminators and for the encoders and decoders
        together, the Wasserstein loss with a gradient penalty (10) on each discriminator,
        and the cycle term weighted by ``cycle_weight``."""
        self.compile_players(
            {"d_optimizer": d_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
             "g_optimizer": g_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)},
            **kwargs)
        self.loss_fn = losses_lib.get(loss)
        penalties = [penalties_lib.GradientPenalty(10.0)] if penalties is None else penalties
        penalties = [penalties_lib.get(p) for p in penalties]
        self.gradient_penalties = [p for p in penalties if isinstance(p, penalties_lib.Penalty)]
        self.projections = [p for p in penalties if isinstance(p, penalties_lib.Projection)]
        self.penalty_trackers = [keras.metrics.Mean(name=p.name) for p in self.gradient_penalties]
        self.cycle_weight = float(cycle_weight)
        self.latent_momentum = float(latent_momentum)

    def _g_variables(self):
        return [v for m in self.encoders + self.decoders for v in m.trainable_variables]

    def compile_settings(self):
        ser = keras.saving.serialize_keras_object
        return {"loss": ser(self.loss_fn),
                "penalties": [ser(p) for p in self.gradient_penalties + self.projections],
                "cycle_weight": self.cycle_weight, "latent_momentum": self.latent_momentum}

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.cycle_tracker,
                *self.penalty_trackers]

    # -- the game -----------------------------------------------------------------------

    def translate_rows(self, x, source, target, training=False):
        """Rows of domain index ``source`` as rows of domain index ``target``."""
        return tf.cast(self.decoders[target](self.encoders[source](x, training=training),
                                             training=training), tf.float32)

    def _check_batch(self, data):
        if isinstance(data, dict):
            data = [data[d] for d in self.domains]
        if not isinstance(data, (tuple, list)) or len(data) != len(self.domains):
            raise ValueError(f"RadialGAN trains on one batch per domain ({len(self.domains)}: "
                             f"{self.domains}); build them with gan.make_dataset(tables) or "
                             f"pass the dict of tables to fit().")
        out = []
        for d, x in zip(self.domains, data):
            dim = self.transformers[d].output_dim
            if x.shape[-1] != dim:
                raise ValueError(f"Domain '{d}' rows have {dim} values; its batch has shape "
                                 f"{tuple(x.shape)}.")
            out.append(tf.cast(x, tf.float32))
        return out

    def train_step(self, data):
        reals = self._check_batch(data)
        k = len(reals)
        codes = [enc(x, training=True) for enc, x in zip(self.encoders, reals)]
        # Discriminators: real rows of i against rows of every other domain translated to i.
        d_vars = [v for m in self.discriminators for v in m.trainable_variables]
        with tf.GradientTape() as tape:
            d_loss, penalty_values = 0.0, [0.0] * len(self.gradient_penalties)
            for i in range(k):
                fakes = [tf.stop_gradient(tf.cast(self.decoders[i](codes[j], training=True),
                                                  tf.float32)) for j in range(k) if j != i]
                critic = self._critic(i)
                loss = self.loss_fn.discriminator_loss(critic(reals[i]),
                                                       critic(tf.concat(fakes, axis=0)))
                for p, penalty in enumerate(self.gradient_penalties):
                    # Real rows of i paired with each other domain's translations in turn:
                    # a penalty's per-example draws then follow the examples whatever the
                    # replica split (a concatenation of replica shares would not).
                    value = 0.0
                    for fake in fakes:
                        size = tf.minimum(tf.shape(reals[i])[0], tf.shape(fake)[0])
                        value += penalty(critic, reals[i][:size], fake[:size],
                                         self.seed_generator) / (k - 1)
                    penalty_values[p] += value / k
                    loss = loss + penalty.weight * value
                d_loss += loss
            scaled = self._scaled(self.d_optimizer, d_loss)
        self.d_optimizer.apply(tape.gradient(scaled, d_vars), d_vars)
        for projection in self.projections:
            for disc in self.discriminators:
                projection.project(disc.trainable_variables)
        # Encoders and decoders: fool every D_i, and come back along the cycle j -> i -> j.
        g_vars = self._g_variables()
        with tf.GradientTape() as tape:
            codes = [enc(x, training=True) for enc, x in zip(self.encoders, reals)]
            adversarial, cycle = 0.0, 0.0
            for i in range(k):
                there = {j: tf.cast(self.decoders[i](codes[j], training=True), tf.float32)
                         for j in range(k) if j != i}
                fake = tf.concat(list(there.values()), axis=0)
                adversarial += self.loss_fn.generator_loss(self._critic(i)(fake))
                for j, x in there.items():
                    back = self.translate_rows(x, i, j, training=True)
                    cycle += tf.reduce_mean(tf.square(back - reals[j]))
            cycle = cycle / (k * (k - 1))
            g_loss = adversarial + self.cycle_weight * cycle
            scaled = self._scaled(self.g_optimizer, g_loss)
        self.g_optimizer.apply(tape.gradient(scaled, g_vars), g_vars)
        self._track_latent(codes)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(adversarial)
        self.cycle_tracker.update_state(cycle)
        for tracker, value in zip(self.penalty_trackers, penalty_values):
            tracker.update_state(value)
        return self._logs()

    def _critic(self, i):
        def critic(x):
            return tf.cast(self.discriminators[i](x, training=True), tf.float32)
        return critic

    def _track_latent(self, codes):
        """Moving mean and variance of the shared codes (for ``generate``)."""
        codes = tf.cast(tf.stop_gradient(tf.concat(codes, axis=0)), tf.float32)
        m = self.latent_momentum
        # Statistics of the global batch: every replica computes and stores the same ones.
        mean = distribute.global_mean(tf.reduce_mean(codes, axis=0))
        var = distribute.global_mean(tf.reduce_mean(tf.square(codes - mean), axis=0))
        self.latent_mean.assign(m * self.latent_mean + (1 - m) * mean)
        self.latent_var.assign(m * self.latent_var + (1 - m) * var)

    # -- data ---------------------------------------------------------------------------

    def make_dataset(self, tables, batch_size=128, seed=0, steps_per_epoch=None):
        """One shuffled batch per domain per step, from ``{domain: table}``; an epoch is the
        largest domain's rows / batch_size steps (smaller domains repeat)."""
        missing = [d for d in self.domains if d not in tables]
        if missing:
            raise ValueError(f"No table for domains {missing}; pass {{domain: table}} for "
                             f"every domain of {self.domains}.")
        rows = [self.transformers[d].transform(tables[d], seed=seed) for d in self.domains]
        steps = steps_per_epoch or max(1, max(len(r) for r in rows) // batch_size)
        parts = [tf.data.Dataset.from_tensor_slices(r).shuffle(
            len(r), seed=seed + i, reshuffle_each_iteration=True).repeat().batch(
            batch_size, drop_remainder=True) for i, r in enumerate(rows)]
        return tf.data.Dataset.zip(tuple(parts)).take(steps).prefetch(2)

    def fit(self, x=None, *args, batch_size=None, **kwargs):
        """Takes ``{domain: table}`` (batched by ``make_dataset``) or a dataset of it."""
        if isinstance(x, dict):
            x = self.make_dataset(x, batch_size or 128, seed=kwargs.pop("seed", 0))
            batch_size = None
        return super().fit(x, *args, batch_size=batch_size, **kwargs)

    # -- translation and augmentation ---------------------------------------------------

    def translate(self, table, source, target, seed=None, as_frame=None):
        """A table of domain ``source`` as rows of domain ``target`` (its columns)."""
        i, j = self.domain_index(source), self.domain_index(target)
        rows = self.transformers[str(source)].transform(table, seed=seed)
        out = keras.ops.convert_to_numpy(self.translate_rows(rows, i, j))
        return self.transformers[str(target)].inverse_transform(
            out, seed=np.random.default_rng(seed).integers(2**31), as_frame=as_frame)

    def augment(self, target_domain, tables, from_domains=None, seed=0, weight=None,
                max_rows=None, keep=None):
        """The target domain's table enlarged with the other domains' rows translated into
        its columns: ``tables`` is ``{domain: table}`` and must hold the target's table and
        those of ``from_domains`` (default: every other domain). The target's own rows come
        first, then each source's translated rows in ``from_domains`` order.

        Translated rows are not real rows of the target; when there are many more of them
        than of its own rows they can swamp a classifier trained on the result (see
        "When RadialGAN augmentation helps" in the README). Two knobs limit their say:

        Args:
            weight: ``None`` (default) returns the table alone. A number ``>= 0`` or
                ``"balanced"`` returns ``(table, sample_weight)`` instead, where
                ``sample_weight`` is a float64 array with one entry per row: 1 for the
                target's own rows, ``weight`` for the translated ones (``"balanced"``: own
                rows / translated rows, so that the translated rows weigh as much in total
                as the own rows). Pass it to a classifier's ``fit(..., sample_weight=...)``.
            max_rows: at most this many translated rows in all (default: every source row),
                drawn at random with ``seed`` and without replacement from the pooled source
                rows, so each source keeps about its share.
            keep: a column (or list of columns) that the target and every source record,
                typically the label a classifier will predict: translated rows keep their
                source row's value of it instead of the decoder's. Beyond the paper: nothing
                in the game ties a translated label to its source row (the cycle term is
                also met by a translation that permutes labels and permutes them back).
            seed: seeds the draw of ``max_rows`` and the translation; the same seed gives
                the same table.

        Returns a table like the target's (a DataFrame when its transformer was fitted on
        one), or ``(table, sample_weight)`` when ``weight`` is given."""
        target = str(target_domain)
        self.domain_index(target)
        sources = [str(d) for d in (from_domains if from_domains is not None else
                                    [d for d in self.domains if d != target])]
        if target in sources:
            raise ValueError(f"`from_domains` lists the target domain {target!r} itself.")
        if target not in tables:
            raise ValueError(f"`tables` lacks the target domain's table ({target!r}).")
        _check_weight(weight)
        if max_rows is not None and (isinstance(max_rows, bool) or not isinstance(
                max_rows, (int, np.integer)) or max_rows < 0):
            raise ValueError(f"`max_rows` is the most translated rows to add, an integer >= 0 "
                             f"(or None for all); received {max_rows!r}.")
        own, _ = tabular_data.read_table(tables[target])
        columns = self.transformers[target].columns
        keep = [] if keep is None else [keep] if isinstance(keep, str) else list(keep)
        for c in keep:
            if c not in columns:
                raise ValueError(f"`keep` names {c!r}, which the target domain {target!r} does "
                                 f"not record; its columns: {', '.join(columns)}.")
        source_tables = {}
        for d in sources:
            self.domain_index(d)
            if d not in tables:
                raise ValueError(f"`tables` lacks the table of source domain {d!r}.")
            source_tables[d] = tabular_data.read_table(tables[d])[0]
            missing = [c for c in keep if c not in source_tables[d]]
            if missing:
                raise ValueError(f"`keep` names {missing}, which source domain {d!r} does not "
                                 f"record: its rows have no value to keep.")
        if max_rows is not None:
            source_tables = _draw_rows(source_tables, int(max_rows), seed)
        parts = [{c: own[c] for c in columns}]
        for n, d in enumerate(sources):
            if d in source_tables:
                moved = self.translate(source_tables[d], d, target, seed=seed + n,
                                       as_frame=False)
                for c in keep:
                    moved[c] = np.asarray(source_tables[d][c]).astype(moved[c].dtype)
                parts.append(moved)
        out = {c: np.concatenate([np.asarray(p[c], dtype=parts[1][c].dtype if len(parts) > 1
                                             else None) for p in parts]) for c in columns}
        if self.transformers[target].frame:
            out = tabular_data._pandas().DataFrame(out)
        if weight is None:
            return out
        n_own = len(next(iter(own.values())))
        n_translated = sum(len(next(iter(p.values()))) for p in parts[1:])
        if isinstance(weight, str):
            weight = n_own / n_translated if n_translated else 1.0
        sample_weight = np.concatenate([np.ones(n_own), np.full(n_translated, float(weight))])
        return out, sample_weight

    # -- sampling from the shared latent space ------------------------------------------

    def latent_vectors(self, n, seed=None):
        """Codes from a Gaussian with the tracked mean and variance of the shared space."""
        z = np.random.default_rng(seed).standard_normal((n, self.latent_dim))
        mean = keras.ops.convert_to_numpy(self.latent_mean)
        std = np.sqrt(np.maximum(keras.ops.convert_to_numpy(self.latent_var), 0))
        return (mean + std * z).astype("float32")

    def generate(self, n, seed=None, domain=None, batch_size=256):
        """``n`` transformed rows of ``domain`` (default: the first) decoded from latent codes
        drawn by ``latent_vectors``; float32 numpy, the same seed gives the same rows."""
        n = positive_count(n)
        i = self.domain_index(self.domains[0] if domain is None else domain)
        z = self.latent_vectors(n, seed)
        return np.concatenate([keras.ops.convert_to_numpy(self.decoders[i](
            z[s:s + batch_size], training=False)) for s in range(0, len(z), batch_size)]
        ).astype("float32")

    def table_options(self, domain=None):
        """``sample``'s ``domain`` (default: the first), checked."""
        domain = self.domains[0] if domain is None else str(domain)
        if domain not in self.domains:
            raise ValueError(f"{type(self).__name__} has no domain {domain!r}; its domains: "
                             f"{', '.join(self.domains)}.")
        return {"domain": domain}

    def describe_task(self):
        return {"latent_dim": self.latent_dim}

    @property
    def example_shape(self):
        """The shape of one transformed row of the first domain."""
        return (self.transformers[self.domains[0]].output_dim,)

    def sample(self, n, seed=None, domain=None, as_frame=None):
        """``n`` rows of ``domain`` as a table (see ``generate``)."""
        d = self.domains[0] if domain is None else str(domain)
        return self.transformers[d].inverse_transform(
            self.generate(n, seed=seed, domain=d),
            seed=np.random.default_rng(seed).integers(2**31), as_frame=as_frame)

    # -- serialization ------------------------------------------------------------------

    def get_config(self):
        ser = keras.saving.serialize_keras_object
        return {"name": self.name,
                "transformers": {d: self.transformers[d].get_config() for d in self.domains},
                "latent_dim": self.latent_dim, "hidden_units": list(self.hidden_units),
                **{key: {d: ser(m) for d, m in zip(self.domains, nets)} for key, nets in (
                    ("encoders", self.encoders), ("decoders", self.decoders),
                    ("discriminators", self.discriminators))}}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("encoders", "decoders", "discriminators"):
            if config.get(key):
                config[key] = {d: keras.saving.deserialize_keras_object(m)
                               for d, m in config[key].items()}
        return cls(**config)

    def summary_line(self):
        count = sum(int(np.prod(v.shape)) for v in self.weights)
        return f"RadialGAN: {len(self.domains)} domains, {count:,} parameters"


def _check_weight(weight):
    """A ValueError unless ``weight`` is None, ``"balanced"`` or a finite number >= 0."""
    if weight is None or (isinstance(weight, str) and weight == "balanced"):
        return
    if isinstance(weight, (bool, str)) or not isinstance(weight, (int, float, np.number)) \
            or not np.isfinite(weight) or weight < 0:
        raise ValueError(f"`weight` is the sample weight of each translated row: a finite "
                         f"number >= 0 or 'balanced' (translated rows weigh as much in total "
                         f"as the target's own rows); received {weight!r}.")


def _draw_rows(tables, max_rows, seed):
    """``{domain: table}`` with at most ``max_rows`` rows in all, drawn uniformly without
    replacement from the pooled rows; domains left with no rows are dropped."""
    sizes = [len(next(iter(t.values()))) for t in tables.values()]
    if max_rows >= sum(sizes):
        return tables
    picked = np.sort(np.random.default_rng(seed).choice(sum(sizes), max_rows, replace=False))
    out, start = {}, 0
    for (d, table), size in zip(tables.items(), sizes):
        rows = picked[(picked >= start) & (picked < start + size)] - start
        start += size
        if len(rows):
            out[d] = {c: v[rows] for c, v in table.items()}
    return out
