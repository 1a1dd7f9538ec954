import numpy as np
import pytest
import scipy.linalg

import keras_gans as kg
from keras_gans.metrics.fid import frechet_distance


def _rotation(d, seed):
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))
    return q


def test_frechet_distance_matches_the_closed_form_for_commuting_covariances():
    # Same eigenvectors: tr((S1 S2)^1/2) = sum sqrt(a_i b_i), so the distance is
    # |mu1 - mu2|^2 + sum (sqrt(a_i) - sqrt(b_i))^2.
    d = 6
    q = _rotation(d, 0)
    a, b = np.arange(1.0, d + 1), np.linspace(0.5, 4.0, d)
    mu1, mu2 = np.zeros(d), np.full(d, 0.5)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    got = frechet_distance(mu1, q @ np.diag(a) @ q.T, mu2, q @ np.diag(b) @ q.T)
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_frechet_distance_agrees_with_scipy_sqrtm_on_general_covariances():
    rng = np.random.default_rng(1)
    d = 20
    s1 = np.cov(rng.normal(size=(100, d)), rowvar=False)
    s2 = np.cov(rng.normal(size=(100, d)) @ rng.normal(size=(d, d)), rowvar=False)
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * covmean)
    np.testing.assert_allclose(frechet_distance(mu1, s1, mu2, s2), expected, rtol=1e-6)


def test_fid_of_two_gaussian_sample_sets_approaches_the_closed_form():
    rng = np.random.default_rng(2)
    d, n = 4, 200_000
    a, b = np.array([1.0, 2.0, 3.0, 0.5]), np.array([2.0, 2.0, 1.0, 0.5])
    real = rng.normal(size=(n, d)) * np.sqrt(a)
    fake = rng.normal(size=(n, d)) * np.sqrt(b) + 1.0
    expected = d * 1.0 + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    fid = kg.metrics.FID()
    fid.update_state(real, fake)
    value = fid.result()["fid"]
    assert abs(value - expected) < 0.03 * expected
    # Exactly the Fréchet distance of the sample mean and (unbiased) covariance.
    exact = frechet_distance(real.mean(0), np.cov(real, rowvar=False), fake.mean(0),
                             np.cov(fake, rowvar=False))
    np.testing.assert_allclose(value, exact, rtol=1e-6)


def test_fid_of_a_set_with_itself_is_zero_and_streaming_equals_one_shot():
    x = np.random.default_rng(3).normal(size=(500, 32)).astype("float32")
    y = x[::-1] * 1.5 + 0.2
    one_shot = kg.metrics.FID()
    one_shot.update_state(x, x)
    assert abs(one_shot.result()["fid"]) < 1e-6

    one_shot.reset_state()
    one_shot.update_state(x, y)
    streamed = kg.metrics.FID()
    for i in range(0, 500, 64):
        streamed.update_state(real=x[i:i + 64])
    for i in range(0, 500, 100):
        streamed.update_state(fake=y[i:i + 100])
    np.testing.assert_allclose(streamed.result()["fid"], one_shot.result()["fid"], rtol=1e-9)
    assert one_shot.result()["fid"] > 1.0


def test_report_carries_the_protocol_and_config_round_trips():
    fid = kg.metrics.FID(reference="mnist:train", truncation=0.7, ema=True)
    fid.update_state(np.eye(3), np.eye(3)[::-1])
    report = fid.report()
    assert set(report) == {"fid", "protocol"}
    p = report["protocol"]
    assert p["num_real"] == 3 and p["num_fake"] == 3 and p["reference"] == "mnist:train"
    assert p["truncation"] == 0.7 and p["ema"] is True and p["metric"]["name"] == "fid"
    clone = kg.metrics.FID.from_config(fid.get_config())
    assert clone.reference == "mnist:train" and clone.truncation == 0.7


def test_errors_name_the_problem():
    fid = kg.metrics.FID()
    with pytest.raises(ValueError, match="at least 2 reference samples"):
        fid.result()
    with pytest.raises(ValueError, match=r"expects features of shape \(n, d\)"):
        fid.update_state(np.zeros((2, 4, 4, 1)))
    with pytest.raises(ValueError, match="both were None"):
        fid.update_state()
    with pytest.raises(ValueError, match="NaN"):
        fid.update_state(np.full((2, 3), np.nan))
