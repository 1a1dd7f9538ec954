import numpy as np
import pytest

import keras_gans as kg
from keras_gans.metrics.kid import mmd2_biased, mmd2_unbiased


def test_unbiased_mmd_averages_to_zero_where_the_biased_one_does_not():
    # Two independent sets from the same distribution: E[unbiased MMD^2] = 0 exactly, while
    # the V-statistic carries a positive O(1/m) bias.
    rng = np.random.default_rng(0)
    unbiased, biased = [], []
    for _ in range(300):
        x, y = rng.normal(size=(2, 20, 8))
        unbiased.append(mmd2_unbiased(x, y))
        biased.append(mmd2_biased(x, y))
    unbiased, biased = np.array(unbiased), np.array(biased)
    se = unbiased.std() / np.sqrt(len(unbiased))
    assert abs(unbiased.mean()) < 3 * se
    assert biased.mean() > 10 * se


def test_kid_of_a_set_with_itself_is_about_zero_and_a_shift_is_positive():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 16))
    kid = kg.metrics.KID(subset_size=100, num_subsets=20)
    kid.update_state(x, x)
    same = kid.result()
    assert abs(same["kid"]) < 0.05 and same["kid_std"] >= 0
    kid.reset_state()
    kid.update_state(x, rng.normal(size=(400, 16)) + 1.0)
    shifted = kid.result()
    assert shifted["kid"] > 10 * max(abs(same["kid"]), shifted["kid_std"] / 5)


def test_kid_streaming_equals_one_shot_and_reports_the_subset_protocol():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(300, 8)), rng.normal(size=(300, 8)) + 0.3
    a = kg.metrics.KID(subset_size=50, num_subsets=10)
    a.update_state(x, y)
    b = kg.metrics.KID(subset_size=50, num_subsets=10)
    for i in range(0, 300, 70):
        b.update_state(x[i:i + 70], y[i:i + 70])
    assert a.result() == b.result()
    p = a.report()["protocol"]
    assert p["metric"]["subset_size"] == 50 and p["num_real"] == 300


def test_max_samples_keeps_an_even_subset_of_a_sorted_stream():
    # A class-sorted stream: the reservoir keeps every class in proportion.
    x = np.repeat(np.arange(10.0), 1000)[:, None] * np.ones((1, 2))
    kid = kg.metrics.KID(max_samples=500)
    with pytest.warns(UserWarning, match="a uniform random subset of 500 is kept"):
        for i in range(0, len(x), 250):
            kid.update_state(real=x[i:i + 250])
    kept = kid.features("real")[:, 0]
    assert kept.shape == (500,)
    counts = np.bincount(kept.astype(int), minlength=10)
    assert counts.min() > 25 and counts.max() < 80
    assert kid.protocol().num_real == 500


def test_kid_of_a_tiny_example_equals_the_hand_computed_value():
    """x = (0,0), (1,1), (2,0); y = (1,0), (0,2); d = 2, k(a, b) = (a.b / 2 + 1)^3.
    Within x, the distinct pairs give 1, 1 and (2/2 + 1)^3 = 8: mean over ordered pairs
    2 (1 + 1 + 8) / 6 = 10/3. Within y: 1. Across: 1, 1, (1/2 + 1)^3 = 3.375, 8, 8, 1, mean
    22.375 / 6. Unbiased MMD^2 = 10/3 + 1 - 2 x 22.375 / 6 = -3.125.
    Catches: a degree-2 kernel (-1.4167), a missing / d (-11), the biased estimator that
    keeps the diagonal, and a subset draw that loses examples."""
    from keras_gans.metrics import kid

    x = np.array([[0, 0], [1, 1], [2, 0]], "float32")
    y = np.array([[1, 0], [0, 2]], "float32")
    np.testing.assert_allclose(kid.mmd2_unbiased(x, y), -3.125, rtol=1e-12)
    mean, std, m = kid.kernel_distance(x, y, subset_size=10, num_subsets=3, seed=0)
    assert m == 2
    # Subsets of two from each side: the same estimator on every draw, checked by hand.
    rng = np.random.default_rng(0)
    values = []
    for _ in range(3):
        xs, ys = x[rng.choice(3, 2, replace=False)], y[rng.choice(2, 2, replace=False)]

        def k(p, q):
            return (float(p @ q) / 2 + 1) ** 3

        values.append(k(xs[0], xs[1]) + k(ys[0], ys[1])
                      - 2 * np.mean([k(p, q) for p in xs for q in ys]))
    np.testing.assert_allclose([mean, std], [np.mean(values), np.std(values)], rtol=1e-10)
