import numpy as np
import pytest

import keras_gans as kg
from keras_gans.data import toy


def test_samples_from_the_true_mixture_cover_every_mode():
    points, _ = toy.get("grid25").sample(2500, seed=0)
    result = kg.metrics.mode_coverage(points, "grid25")
    assert result["modes_covered"] == 25
    # P(|N(0, s^2 I_2)| <= 3s) = 1 - exp(-9/2) = 0.9889
    assert abs(result["high_quality"] - 0.9889) < 0.01
    assert result["reverse_kl"] < 0.02


def test_collapse_to_one_mode_is_measured():
    centre = toy.get("ring8").centers[3]
    result = kg.metrics.mode_coverage(np.tile(centre, (100, 1)), "ring8")
    assert result["modes_covered"] == 1 and result["counts"][3] == 100
    np.testing.assert_allclose(result["reverse_kl"], np.log(8))


def test_points_far_from_every_mode_are_low_quality():
    result = kg.metrics.mode_coverage(np.full((10, 2), 1.0), "grid25")  # between modes
    assert result["high_quality"] == 0 and result["modes_covered"] == 0
    assert result["reverse_kl"] == float("inf")


def test_min_count():
    points, _ = toy.get("ring8").sample(80, seed=1)
    assert kg.metrics.mode_coverage(points, "ring8", min_count=1000)["modes_covered"] == 0


def test_bad_samples():
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        kg.metrics.mode_coverage(np.zeros((3, 3)), "ring8")
    with pytest.raises(ValueError, match="NaN"):
        kg.metrics.mode_coverage(np.full((3, 2), np.nan), "ring8")
