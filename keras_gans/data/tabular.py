"""Tables for GANs: a schema, reversible transforms, and training-by-sampling batches.

A table is a pandas ``DataFrame``, a dict of equal-length column arrays, or the path of a
CSV file (``.csv`` or ``.csv.gz``); pandas is optional (``pip install keras-gans[tabular]``).
``TabularTransformer`` turns it into float32 rows a network can read and back:

* continuous (and integer) columns: mode-specific normalisation of CTGAN (Xu et al. 2019).
  A variational (Bayesian) Gaussian mixture of up to 10 modes is fitted to the column; modes
  of weight below 0.005 are dropped. A value ``x`` is encoded as the one-hot of a mode ``k``
  drawn from its posterior, and the scalar ``(x - mu_k) / (4 sigma_k)`` clipped to [-1, 1];
* categorical columns: one-hot.

``inverse_transform`` returns a table with the original column names, types and category
values. The fitted transformer is plain numbers and strings (``get_config``), so it is saved
with a model and travels in a zoo preset.
"""

import csv
import gzip
import json
import math
import os
import warnings

import numpy as np

CONTINUOUS = "continuous"
INTEGER = "integer"
CATEGORICAL = "categorical"
KINDS = (CONTINUOUS, INTEGER, CATEGORICAL)
MISSING_POLICIES = ("error", "drop")


def _pandas():
    try:
        import pandas
    except ImportError:
        return None
    return pandas


def is_dataframe(data):
    pd = _pandas()
    return pd is not None and isinstance(data, pd.DataFrame)


def is_table(data):
    """True for the things ``read_table`` accepts."""
    return (is_dataframe(data) or isinstance(data, dict)
            or (isinstance(data, (str, os.PathLike))
                and os.fspath(data).lower().endswith((".csv", ".csv.gz"))))


# -- reading --------------------------------------------------------------------------

def _parse_column(values):
    """CSV strings to int64, float64 (empty fields become NaN) or an object array."""
    present = [v for v in values if v != ""]
    try:
        numbers = [float(v) for v in present]
    except ValueError:
        return np.array([None if v == "" else v for v in values], dtype=object)
    if len(present) == len(values) and all(float(n).is_integer() for n in numbers):
        return np.array([int(float(v)) for v in values], dtype=np.int64)
    return np.array([float(v) if v != "" else np.nan for v in values], dtype=np.float64)


def _read_csv(path):
    pd = _pandas()
    if pd is not None:
        return pd.read_csv(path, skipinitialspace=True)
    opener = gzip.open if path.lower().endswith(".gz") else open
    with opener(path, "rt", newline="") as f:
        rows = [[v.strip() for v in row] for row in csv.reader(f) if row]
    if not rows:
        raise ValueError(f"The CSV file '{path}' is empty; it needs a header row and data rows.")
    header, body = rows[0], rows[1:]
    bad = [i + 2 for i, r in enumerate(body) if len(r) != len(header)]
    if bad:
        raise ValueError(f"The CSV file '{path}' has rows with another number of fields than "
                         f"its header ({len(header)}): lines {bad[:5]}. Fix those lines.")
    return {name: _parse_column([r[i] for r in body]) for i, name in enumerate(header)}


def read_table(data):
    """``(columns, frame)``: a dict of numpy arrays in column order, and whether ``data``
    was a pandas DataFrame (or a CSV read by pandas)."""
    frame = False
    if isinstance(data, (str, os.PathLike)):
        path = os.fspath(data)
        if not os.path.isfile(path):
            raise ValueError(f"No such file: '{path}'. Pass a CSV file, a pandas DataFrame or "
                             f"a dict of column arrays.")
        data = _read_csv(path)
    if is_dataframe(data):
        frame = True
        data = {str(c): data[c].to_numpy() for c in data.columns}
    if not isinstance(data, dict):
        raise TypeError(f"A table must be a pandas DataFrame, a dict of column arrays or the "
                        f"path of a CSV file; received {type(data).__name__}.")
    if not data:
        raise ValueError("The table has no columns.")
    columns = {}
    for name, values in data.items():
        values = np.asarray(values)
        if values.ndim != 1:
            raise ValueError(f"Column '{name}' has shape {values.shape}; every column must be "
                             f"one-dimensional (one value per row).")
        columns[str(name)] = values
    lengths = {name: len(v) for name, v in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"The columns have different lengths: {lengths}. Every column needs "
                         f"one value per row.")
    if not next(iter(lengths.values())):
        raise ValueError("The table has no rows.")
    return columns, frame


def missing_mask(values):
    """True where a value is missing: NaN, None, or an empty string."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind in "OUS":
        return np.array([v is None or (isinstance(v, float) and math.isnan(v))
                         or (isinstance(v, str) and v.strip() == "") for v in values])
    return np.zeros(len(values), bool)


def infer_schema(data, categorical_threshold=10):
    """``{column: kind}``: strings and booleans are categorical; integers are categorical
    with at most ``categorical_threshold`` distinct values, else integer; floats are
    continuous."""
    columns = data if isinstance(data, dict) and all(
        isinstance(v, np.ndarray) for v in data.values()) else read_table(data)[0]
    schema = {}
    for name, values in columns.items():
        kind = values.dtype.kind
        if kind in "OUSb":
            schema[name] = CATEGORICAL
        elif kind in "iu":
            schema[name] = (CATEGORICAL if len(np.unique(values)) <= categorical_threshold
                            else INTEGER)
        elif kind == "f":
            schema[name] = CONTINUOUS
        else:
            raise TypeError(f"Column '{name}' has dtype {values.dtype}, which has no tabular "
                            f"kind; convert it to numbers or strings, or drop it.")
    return schema


def _python(value):
    return value.item() if isinstance(value, np.generic) else value


# -- the transformer ------------------------------------------------------------------

class TabularTransformer:
    """Reversible encoding of a table into float32 rows (CTGAN's, see the module doc).

    Args:
        schema: ``{column: "continuous" | "integer" | "categorical"}`` for some or all
            columns; the rest are inferred (``infer_schema``).
        max_modes: components of each column's variational Gaussian mixture (CTGAN: 10).
        weight_threshold: modes lighter than this are dropped (CTGAN: 0.005).
        missing: ``"error"`` (default) or ``"drop"`` (rows with a missing value are left out
            of ``fit`` and ``transform``).
        seed: seeds the mixtures and the mode draws of ``transform``.

    After ``fit``: ``output_dim``, ``spans`` (``[size, "tanh" | "softmax", column]`` in row
    order) and ``categorical_spans`` (``[column, start, size]``, the columns of CTGAN's
    conditional vector).
    """

    def __init__(self, schema=None, max_modes=10, weight_threshold=0.005, missing="error",
                 seed=0, categorical_threshold=10):
        if missing not in MISSING_POLICIES:
            raise ValueError(f"`missing` must be one of {MISSING_POLICIES}; received {missing!r}.")
        for name, kind in (schema or {}).items():
            if kind not in KINDS:
                raise ValueError(f"Column '{name}' has kind {kind!r}; kinds are {KINDS}.")
        self.schema = dict(schema or {})
        self.max_modes = int(max_modes)
        self.weight_threshold = float(weight_threshold)
        self.missing = missing
        self.seed = seed
        self.categorical_threshold = int(categorical_threshold)
        self.columns = None
        self.frame = False

    @property
    def fitted(self):
        return self.columns is not None

    def _check_fitted(self):
        if not self.fitted:
            raise ValueError("The TabularTransformer is not fitted; call fit(table) first.")

    def _read(self, data, names=None):
        """Columns of ``data`` (in ``names`` order) with missing rows handled."""
        columns, frame = read_table(data)
        if names is not None:
            absent = [n for n in names if n not in columns]
            if absent:
                raise ValueError(f"The table lacks the columns {absent} that the transformer "
                                 f"was fitted on (it has {list(columns)}).")
            columns = {n: columns[n] for n in names}
        missing = {n: missing_mask(v) for n, v in columns.items()}
        counts = {n: int(m.sum()) for n, m in missing.items() if m.any()}
        if counts:
            if self.missing == "error":
                raise ValueError(f"Missing values (NaN, None or empty) in columns {counts}. "
                                 f"Fill them in, or pass missing='drop' to leave those rows "
                                 f"out.")
            keep = ~np.any(np.stack(list(missing.values())), axis=0)
            columns = {n: v[keep] for n, v in columns.items()}
            if not keep.any():
                raise ValueError("Every row has a missing value; nothing is left to use.")
        return columns, frame

    def fit(self, data):
        """Fit the schema, the categories and the mixtures to a table; returns ``self``."""
        columns, frame = self._read(data)
        unknown = [n for n in self.schema if n not in columns]
        if unknown:
            raise ValueError(f"The schema names columns {unknown} that the table lacks "
                             f"(it has {list(columns)}).")
        inferred = infer_schema(columns, self.categorical_threshold)
        self.kinds = {n: self.schema.get(n, inferred[n]) for n in columns}
        self.frame = frame
        self.dtypes, self.categories, self.frequencies, self.modes = {}, {}, {}, {}
        for name, values in columns.items():
            kind = self.kinds[name]
            self.dtypes[name] = "object" if values.dtype.kind in "OUS" else values.dtype.str
            if kind == CATEGORICAL:
                cats, counts = np.unique(values.astype(str) if values.dtype.kind == "O"
                                         else values, return_counts=True)
                if len(cats) < 2:
                    raise ValueError(f"Column '{name}' is constant ({_python(cats[0])!r} in "
                                     f"every row): it carries no information. Drop it.")
                self.categories[name] = [_python(c) for c in cats]
                self.frequencies[name] = [int(c) for c in counts]
            else:
                if values.dtype.kind not in "iuf":
                    raise TypeError(f"Column '{name}' is declared {kind} but holds "
                                    f"{values.dtype} values; declare it categorical.")
                self.modes[name] = self._fit_modes(name, values.astype(np.float64))
        self.columns = list(columns)
        return self

    def _fit_modes(self, name, x):
        lo, hi = float(x.min()), float(x.max())
        if lo == hi:
            raise ValueError(f"Column '{name}' is constant ({lo} in every row): it carries no "
                             f"information. Drop it.")
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.mixture import BayesianGaussianMixture

        gmm = BayesianGaussianMixture(
            n_components=min(self.max_modes, len(np.unique(x))),
            weight_concentration_prior_type="dirichlet_process",
            weight_concentration_prior=0.001, n_init=1, max_iter=100,
            random_state=self.seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gmm.fit(x.reshape(-1, 1))
        keep = gmm.weights_ > self.weight_threshold
        weights = gmm.weights_[keep]
        return {"weights": (weights / weights.sum()).tolist(),
                "means": gmm.means_[keep, 0].tolist(),
                "stds": np.sqrt(gmm.covariances_[keep].reshape(-1)).tolist(),
                "min": lo, "max": hi}

    # -- layout -------------------------------------------------------------------------

    @property
    def spans(self):
        self._check_fitted()
        out = []
        for name in self.columns:
            if self.kinds[name] == CATEGORICAL:
                out.append([len(self.categories[name]), "softmax", name])
            else:
                out.append([1, "tanh", name])
                out.append([len(self.modes[name]["weights"]), "softmax", name])
        return out

    @property
    def output_dim(self):
        return sum(size for size, _, _ in self.spans)

    @property
    def categorical_spans(self):
        """``[column, start, size]`` of every categorical column's one-hot in a row."""
        out, start = [], 0
        for size, kind, name in self.spans:
            if kind == "softmax" and self.kinds[name] == CATEGORICAL:
                out.append([name, start, size])
            start += size
        return out

    # -- encode and decode ----------------------------------------------------------------

    @staticmethod
    def _posterior(x, modes):
        means, stds = np.asarray(modes["means"]), np.maximum(np.asarray(modes["stds"]), 1e-12)
        log_p = (np.log(np.asarray(modes["weights"]))[None] - np.log(stds)[None]
                 - 0.5 * ((x[:, None] - means[None]) / stds[None]) ** 2)
        log_p -= log_p.max(axis=1, keepdims=True)
        p = np.exp(log_p)
        return p / p.sum(axis=1, keepdims=True)

    def transform(self, data, seed=None):
        """Float32 rows of shape ``(n, output_dim)``. Modes are drawn from their posterior
        with ``seed`` (default: the transformer's seed), so the encoding is reproducible."""
        self._check_fitted()
        columns, _ = self._read(data, self.columns)
        rng = np.random.default_rng(self.seed if seed is None else seed)
        parts = []
        for name in self.columns:
            values = columns[name]
            if self.kinds[name] == CATEGORICAL:
                index = {c: i for i, c in enumerate(self.categories[name])}
                keys = values.astype(str) if values.dtype.kind == "O" else values
                codes = np.array([index.get(_python(v), -1) for v in keys])
                if (codes < 0).any():
                    unknown = sorted({str(v) for v in keys[codes < 0]})
                    raise ValueError(
                        f"Column '{name}' has categories the transformer never saw: "
                        f"{unknown[:10]}. Known: {self.categories[name][:20]}. Refit the "
                        f"transformer on data that includes them, or map them to known ones.")
                parts.append(np.eye(len(index), dtype=np.float32)[codes])
            else:
                x = values.astype(np.float64)
                modes = self.modes[name]
                p = self._posterior(x, modes)
                k = (p.cumsum(axis=1) > rng.random((len(x), 1))).argmax(axis=1)
                alpha = (x - np.asarray(modes["means"])[k]) / (4 * np.asarray(modes["stds"])[k])
                parts.append(np.clip(alpha, -1, 1).astype(np.float32)[:, None])
                parts.append(np.eye(len(modes["weights"]), dtype=np.float32)[k])
        return np.concatenate(parts, axis=1)

    def _choose(self, block, rng):
        """Index per row of a one-hot (or probability) block: argmax, or a draw with ``rng``."""
        if rng is None:
            return block.argmax(axis=1)
        p = np.clip(block.astype(np.float64), 0, None) + 1e-12
        p /= p.sum(axis=1, keepdims=True)
        return (p.cumsum(axis=1) > rng.random((len(p), 1))).argmax(axis=1)

    def inverse_transform(self, rows, seed=None, as_frame=None):
        """The table encoded by ``rows``: a DataFrame when the transformer was fitted on one
        and pandas is installed, or with ``as_frame=True``; else a dict of numpy columns.

        Categories and modes are the argmax of each one-hot block; with ``seed`` they are
        drawn from the block read as probabilities (what a generator outputs at inference),
        reproducibly. Continuous and integer values are clipped to the fitted range;
        integers are rounded.
        """
        self._check_fitted()
        rows = np.asarray(rows, dtype=np.float32)
        if rows.ndim != 2 or rows.shape[1] != self.output_dim:
            raise ValueError(f"Expected rows of shape (n, {self.output_dim}); received "
                             f"{rows.shape}.")
        rng = None if seed is None else np.random.default_rng(seed)
        out, start = {}, 0
        for name in self.columns:
            if self.kinds[name] == CATEGORICAL:
                size = len(self.categories[name])
                codes = self._choose(rows[:, start:start + size], rng)
                start += size
                cats = self.categories[name]
                values = np.array([cats[c] for c in codes], dtype=object)
                dtype = self.dtypes[name]
                out[name] = values if dtype == "object" else values.astype(np.dtype(dtype))
            else:
                modes = self.modes[name]
                size = len(modes["weights"])
                alpha = np.clip(rows[:, start].astype(np.float64), -1, 1)
                k = self._choose(rows[:, start + 1:start + 1 + size], rng)
                start += 1 + size
                x = alpha * 4 * np.asarray(modes["stds"])[k] + np.asarray(modes["means"])[k]
                x = np.clip(x, modes["min"], modes["max"])
                if self.kinds[name] == INTEGER or np.dtype(self.dtypes[name]).kind in "iu":
                    x = np.rint(x)
                out[name] = x.astype(np.dtype(self.dtypes[name]))
        pd = _pandas()
        as_frame = (self.frame and pd is not None) if as_frame is None else as_frame
        if as_frame:
            if pd is None:
                raise ImportError("as_frame=True needs pandas: pip install keras-gans[tabular].")
            return pd.DataFrame(out)
        return out

    # -- serialization --------------------------------------------------------------------

    def get_config(self):
        config = {"schema": self.schema, "max_modes": self.max_modes,
                  "weight_threshold": self.weight_threshold, "missing": self.missing,
                  "seed": self.seed, "categorical_threshold": self.categorical_threshold}
        if self.fitted:
            config["fitted"] = {"columns": self.columns, "kinds": self.kinds,
                                "dtypes": self.dtypes, "categories": self.categories,
                                "frequencies": self.frequencies, "modes": self.modes,
                                "frame": self.frame}
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        fitted = config.pop("fitted", None)
        transformer = cls(**config)
        if fitted:
            for key, value in fitted.items():
                setattr(transformer, key, value)
        return transformer

    def to_json(self):
        return json.dumps(self.get_config())

    @classmethod
    def from_json(cls, text):
        return cls.from_config(json.loads(text))


def get(transformer_or_table, **kwargs):
    """A fitted transformer from a transformer, its config, or a table (fitted here)."""
    if isinstance(transformer_or_table, TabularTransformer):
        transformer_or_table._check_fitted()
        return transformer_or_table
    if isinstance(transformer_or_table, dict) and "fitted" in transformer_or_table:
        return TabularTransformer.from_config(transformer_or_table)
    return TabularTransformer(**kwargs).fit(transformer_or_table)


# -- training-by-sampling -------------------------------------------------------------

def condition_probabilities(transformer, log_frequency=True):
    """Probability of each position of CTGAN's conditional vector: a categorical column is
    chosen uniformly, then one of its categories with probability proportional to the log of
    its frequency (training) or to its frequency (sampling)."""
    spans = transformer.categorical_spans
    probs = []
    for name, _, _ in spans:
        freq = np.asarray(transformer.frequencies[name], dtype=np.float64)
        weight = np.log1p(freq) if log_frequency else freq
        probs.append(weight / weight.sum() / len(spans))
    return np.concatenate(probs) if probs else np.zeros(0)


def training_dataset(rows, transformer, batch_size=500, seed=0, steps_per_epoch=None,
                     conditional=True):
    """A ``tf.data.Dataset`` of batches ``[row, condition]`` for CTGAN's training-by-sampling.

    Each example draws a condition (a categorical column and one of its categories, with
    ``condition_probabilities``), then a real row that has that category, so rare categories
    are seen as often as their log-frequency says. With no categorical column the rows are
    shuffled plainly. One epoch is ``steps_per_epoch`` batches (default: rows / batch_size);
    every epoch draws afresh. ``conditional=False`` gives plain shuffled rows.
    """
    import tensorflow as tf

    rows = np.asarray(rows, np.float32)
    steps = steps_per_epoch or max(1, len(rows) // batch_size)
    spans = transformer.categorical_spans if conditional else []
    if not spans:
        ds = tf.data.Dataset.from_tensor_slices(rows).shuffle(
            min(len(rows), 50_000), seed=seed, reshuffle_each_iteration=True).repeat()
        return ds.batch(batch_size, drop_remainder=True).take(steps).prefetch(2)
    members, counts = [], []
    for _, start, size in spans:
        codes = rows[:, start:start + size].argmax(axis=1)
        for k in range(size):
            index = np.flatnonzero(codes == k)
            members.append(index)
            counts.append(len(index))
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    flat = tf.constant(np.concatenate(members).astype(np.int64))
    counts_t = tf.constant(np.asarray(counts, np.int64))
    offsets_t = tf.constant(offsets)
    probs = condition_probabilities(transformer)
    logits = tf.constant(np.where(probs > 0, np.log(np.maximum(probs, 1e-300)), -1e9)[None],
                         tf.float32)
    table = tf.constant(rows)
    cond_dim = len(probs)

    def batch(r):
        s1 = tf.stack([r, tf.constant(1, tf.int64)])
        s2 = tf.stack([r, tf.constant(2, tf.int64)])
        option = tf.random.stateless_categorical(logits, batch_size, s1)[0]
        u = tf.random.stateless_uniform([batch_size], s2, dtype=tf.float64)
        count = tf.gather(counts_t, option)
        pick = tf.minimum(tf.cast(tf.floor(u * tf.cast(count, tf.float64)), tf.int64),
                          count - 1)
        index = tf.gather(flat, tf.gather(offsets_t, option) + pick)
        cond = tf.one_hot(option, cond_dim, dtype=tf.float32)
        return tf.concat([tf.gather(table, index), cond], axis=1)

    ds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(steps)
    return ds.map(batch, num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)
