"""Tabular metrics: TSTR, augmentation gain, marginal distances, correlation differences."""

import numpy as np
import pytest

import keras_gans as kg


def problem(n, seed, flip=False):
    """y depends on x1 and on the category c; flip=True inverts the labels."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    c = rng.choice(["p", "q"], n)
    y = ((x1 + (c == "p") * 1.0 + 0.3 * rng.normal(size=n)) > 0.5).astype(int)
    if flip:
        y = 1 - y
    return {"x1": x1, "x2": x2, "c": c, "y": y}


def test_tstr_on_a_toy_problem():
    train, test = problem(400, 0), problem(400, 1)
    good = kg.metrics.tstr(problem(400, 2), train, test, "y", "logistic_regression")
    bad = kg.metrics.tstr(problem(400, 3, flip=True), train, test, "y", "logistic_regression")
    assert good["real"]["auroc"] > 0.9 and good["synthetic"]["auroc"] > 0.9
    assert bad["synthetic"]["auroc"] < 0.1 and bad["real"] == good["real"]
    assert set(good["real"]) == {"accuracy", "f1", "auroc"} and "400 synthetic" in good["protocol"]
    with pytest.raises(ValueError, match="label column 'z'"):
        kg.metrics.tstr(train, train, test, "z")


def test_augmentation_gain_of_more_real_rows_is_positive():
    small, test = {k: v[:30] for k, v in problem(400, 0).items()}, problem(1000, 1)
    out = kg.metrics.augmentation_gain(problem(600, 2), small, test, "y", "logistic_regression")
    assert out["gain"]["auroc"] > 0 or out["augmented"]["auroc"] > 0.93
    np.testing.assert_allclose(out["gain"]["accuracy"],
                               out["augmented"]["accuracy"] - out["real"]["accuracy"])


def test_augmentation_gain_weights_the_extra_rows():
    small, test = {k: v[:60] for k, v in problem(400, 0).items()}, problem(1000, 1)
    wrong = problem(600, 2, flip=True)         # extra rows with inverted labels
    full = kg.metrics.augmentation_gain(wrong, small, test, "y", "logistic_regression")
    light = kg.metrics.augmentation_gain(wrong, small, test, "y", "logistic_regression",
                                         extra_weight=0.01)
    none = kg.metrics.augmentation_gain(wrong, small, test, "y", "logistic_regression",
                                        extra_weight=np.zeros(600))
    assert full["augmented"]["auroc"] < 0.5 < light["augmented"]["auroc"]
    np.testing.assert_allclose(none["augmented"]["auroc"], none["real"]["auroc"], atol=1e-3)
    assert light["real"] == full["real"]
    for bad in (-1.0, np.ones(5), float("inf")):
        with pytest.raises(ValueError, match="extra_weight"):
            kg.metrics.augmentation_gain(wrong, small, test, "y", "logistic_regression",
                                         extra_weight=bad)


def test_marginal_distances_closed_form():
    a = {"v": np.array([0.0, 1.0, 2.0, 3.0]), "c": np.array(["x", "x", "y", "y"])}
    b = {"v": np.array([1.0, 2.0, 3.0, 4.0]), "c": np.array(["x", "y", "y", "y"])}
    d = kg.metrics.marginal_distances(a, b, schema={"v": "continuous", "c": "categorical"})
    np.testing.assert_allclose(d["v"], 1.0 / np.std([0, 1, 2, 3]))   # shift by 1, in stds
    np.testing.assert_allclose(d["c"], 0.25)                          # 0.5 (|.5-.25|+|.5-.75|)
    assert kg.metrics.marginal_distances(a, a)["c"] == 0


def test_correlation_difference():
    rng = np.random.default_rng(0)
    x = rng.normal(size=500)
    same = {"a": x, "b": x + 0.1 * rng.normal(size=500)}
    indep = {"a": rng.normal(size=500), "b": rng.normal(size=500)}
    assert kg.metrics.correlation_difference(same, same) == pytest.approx(0.0, abs=1e-12)
    assert kg.metrics.correlation_difference(same, indep) > 0.9
