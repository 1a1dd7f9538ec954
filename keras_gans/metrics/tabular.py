"""Evaluation of synthetic tables: utility (TSTR, augmentation gain) and fidelity (per-column
marginal distances, pairwise correlation differences).

* TSTR, train on synthetic, test on real (Esteban et al. 2017; CTGAN's "machine learning
  efficacy"): a scikit-learn classifier is trained on the synthetic table and scored on a
  held-out real table, next to the same classifier trained on the real training table.
* Augmentation gain: the score of a classifier trained on real + extra rows minus the score
  of one trained on the real rows alone, both tested on held-out real rows.
* Marginals: the 1-D Wasserstein distance for numeric columns (after scaling by the real
  column's standard deviation, so columns are comparable), total variation distance
  ``0.5 * sum |p - q|`` for categorical ones.
* Correlations: the mean absolute difference of the pairwise Pearson correlations of the
  numeric and one-hot-encoded columns, real against synthetic.

Tables are what ``kg.data.tabular.read_table`` accepts (DataFrame, dict of columns, CSV).
"""

import numpy as np

from keras_gans.data import tabular as tabular_data

CLASSIFIERS = ("logistic_regression", "random_forest", "gradient_boosting")


def _classifier(name, seed):
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    if name == "logistic_regression":
        return LogisticRegression(max_iter=1000)
    if name == "random_forest":
        return RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=1)
    if name == "gradient_boosting":
        return HistGradientBoostingClassifier(random_state=seed)
    raise ValueError(f"Unknown classifier {name!r}; choose one of {CLASSIFIERS}.")


class _Features:
    """One-hot categories and standardised numbers of every column but ``label`` (all of
    them when ``label`` is None), fitted on the real training table."""

    def __init__(self, columns, label, schema):
        self.numeric = [c for c in columns if c != label and schema[c] != "categorical"]
        self.categories = {c: sorted({str(v) for v in columns[c]}) for c in columns
                           if c != label and schema[c] == "categorical"}
        rows = len(next(iter(columns.values())))
        x = np.stack([columns[c].astype(np.float64) for c in self.numeric], 1) if \
            self.numeric else np.zeros((rows, 0))
        self.mean, self.std = x.mean(0), x.std(0) + 1e-12

    def __call__(self, columns):
        parts = []
        if self.numeric:
            x = np.stack([columns[c].astype(np.float64) for c in self.numeric], 1)
            parts.append((x - self.mean) / self.std)
        for c, cats in self.categories.items():
            values = np.asarray([str(v) for v in columns[c]])
            parts.append((values[:, None] == np.asarray(cats)[None]).astype(np.float64))
        return np.concatenate(parts, 1)


def _read(table, label=None):
    columns, _ = tabular_data.read_table(table)
    if label is not None and label not in columns:
        raise ValueError(f"The label column {label!r} is not in the table (columns: "
                         f"{list(columns)}).")
    return columns


def _scores(model, x, y, classes):
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

    predicted = model.predict(x)
    out = {"accuracy": float(accuracy_score(y, predicted)),
           "f1": float(f1_score(y, predicted, average="binary" if len(classes) == 2
                                else "macro", pos_label=classes[-1] if len(classes) == 2
                                else 1))}
    if len(model.classes_) < len(classes):
        out["auroc"] = float("nan")         # a class never seen in training: no AUROC
        return out
    proba = model.predict_proba(x)
    if len(classes) == 2:
        out["auroc"] = float(roc_auc_score(y == classes[-1], proba[:, 1]))
    else:
        out["auroc"] = float(roc_auc_score(y, proba, multi_class="ovr", labels=model.classes_))
    return out


def _fit_score(train_columns, test_columns, label, features, classifier, seed, classes,
               sample_weight=None):
    y = np.asarray([str(v) for v in train_columns[label]])
    if len(np.unique(y)) < 2:
        raise ValueError(f"The training table has a single label ({y[0]!r}); a classifier "
                         f"needs at least two classes.")
    model = _classifier(classifier, seed).fit(features(train_columns), y,
                                              sample_weight=sample_weight)
    return _scores(model, features(test_columns),
                   np.asarray([str(v) for v in test_columns[label]]), classes)


def tstr(synthetic, real_train, real_test, label, classifier="gradient_boosting", seed=0,
         schema=None):
    """Train-on-synthetic-test-on-real next to train-on-real-test-on-real.

    Returns ``{"synthetic": {accuracy, f1, auroc}, "real": {...}, "protocol": str}``. F1 is
    binary (positive class: the last in sorted order) for two classes, else macro; AUROC is
    one-vs-rest for more. The features are fitted on ``real_train`` (one-hot categories,
    standardised numbers).
    """
    train, test, syn = (_read(t, label) for t in (real_train, real_test, synthetic))
    schema = schema or tabular_data.infer_schema(train)
    features = _Features(train, label, schema)
    classes = sorted({str(v) for v in train[label]})
    return {
        "synthetic": _fit_score(syn, test, label, features, classifier, seed, classes),
        "real": _fit_score(train, test, label, features, classifier, seed, classes),
        "protocol": (f"sklearn {classifier} (seed {seed}) trained on {len(syn[label])} "
                     f"synthetic vs {len(train[label])} real rows, tested on "
                     f"{len(test[label])} held-out real rows; F1 "
                     f"{'binary' if len(classes) == 2 else 'macro'}, AUROC "
                     f"{'binary' if len(classes) == 2 else 'one-vs-rest'}"),
    }


def augmentation_gain(extra, real_train, real_test, label, classifier="gradient_boosting",
                      seed=0, schema=None, extra_weight=None):
    """Scores of a classifier trained on ``real_train`` alone and on ``real_train`` + ``extra``
    (rows with the same columns), tested on ``real_test``; ``gain`` is their difference.

    ``extra_weight``, a number ``>= 0`` or one per extra row, is the sample weight of the
    extra rows in the augmented classifier's fit (the real rows weigh 1); default 1, as
    ``RadialGAN.augment(..., weight=w)`` would give."""
    train, test, more = (_read(t, label) for t in (real_train, real_test, extra))
    n_train, n_extra = len(train[label]), len(more[label])
    weights = None
    if extra_weight is not None:
        extra_weight = np.asarray(extra_weight, dtype=np.float64)
        if extra_weight.ndim == 0:
            extra_weight = np.full(n_extra, extra_weight)
        if extra_weight.shape != (n_extra,) or not np.all(np.isfinite(extra_weight)) or \
                np.any(extra_weight < 0):
            raise ValueError(f"`extra_weight` is a number >= 0 or one finite number >= 0 per "
                             f"extra row ({n_extra}); received shape "
                             f"{np.shape(extra_weight)}.")
        weights = np.concatenate([np.ones(n_train), extra_weight])
    schema = schema or tabular_data.infer_schema(train)
    features = _Features(train, label, schema)
    classes = sorted({str(v) for v in train[label]})
    pooled = {c: np.concatenate([np.asarray(train[c], dtype=object),
                                 np.asarray(more[c], dtype=object)]) for c in train}
    for c in features.numeric:
        pooled[c] = pooled[c].astype(np.float64)
    own = _fit_score(train, test, label, features, classifier, seed, classes)
    augmented = _fit_score(pooled, test, label, features, classifier, seed, classes, weights)
    return {"real": own, "augmented": augmented,
            "gain": {k: augmented[k] - own[k] for k in own}}


def marginal_distances(real, synthetic, schema=None):
    """``{column: distance}``: Wasserstein-1 (in units of the real column's std) for numeric
    columns, total variation distance for categorical ones; 0 means identical marginals."""
    from scipy.stats import wasserstein_distance

    a, b = _read(real), _read(synthetic)
    schema = schema or tabular_data.infer_schema(a)
    out = {}
    for c in a:
        if c not in b:
            raise ValueError(f"The synthetic table lacks column {c!r}.")
        if schema[c] == "categorical":
            x, y = np.asarray([str(v) for v in a[c]]), np.asarray([str(v) for v in b[c]])
            cats = np.union1d(x, y)
            p = (x[:, None] == cats).mean(0)
            q = (y[:, None] == cats).mean(0)
            out[c] = float(0.5 * np.abs(p - q).sum())
        else:
            x, y = a[c].astype(np.float64), b[c].astype(np.float64)
            out[c] = float(wasserstein_distance(x, y) / (x.std() + 1e-12))
    return out


def correlation_difference(real, synthetic, schema=None):
    """Mean absolute difference between the real and synthetic pairwise Pearson correlation
    matrices of the numeric and one-hot categorical columns (0: same correlations). Pairs
    of a column with itself, or constant in either table, are left out."""
    a, b = _read(real), _read(synthetic)
    schema = schema or tabular_data.infer_schema(a)
    features = _Features(a, None, schema)
    fa, fb = features(a), features(b)
    keep = (fa.std(0) > 0) & (fb.std(0) > 0)
    ca = np.corrcoef(fa[:, keep], rowvar=False)
    cb = np.corrcoef(fb[:, keep], rowvar=False)
    upper = np.triu_indices_from(ca, k=1)
    return float(np.mean(np.abs(ca[upper] - cb[upper])))
