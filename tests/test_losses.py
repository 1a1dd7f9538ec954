import numpy as np
import pytest
import tensorflow as tf

from keras_gans import losses

REAL = np.array([[2.0], [-1.0], [0.5], [30.0]], dtype="float32")
FAKE = np.array([[-3.0], [0.0], [1.5], [-40.0]], dtype="float32")


def sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t.astype("float64")))


def test_minimax_matches_closed_form():
    loss = losses.get("minimax")
    d_ref = -np.mean(np.log(sigmoid(REAL))) - np.mean(np.log(1 - sigmoid(FAKE)))
    g_ref = np.mean(np.log(1 - sigmoid(FAKE)))
    np.testing.assert_allclose(loss.discriminator_loss(REAL, FAKE), d_ref, rtol=1e-5)
    np.testing.assert_allclose(loss.generator_loss(FAKE), g_ref, rtol=1e-5)


def test_non_saturating_generator_loss_is_minus_log_d():
    loss = losses.get("non_saturating")
    np.testing.assert_allclose(loss.generator_loss(FAKE), -np.mean(np.log(sigmoid(FAKE))),
                               rtol=1e-5)
    # Same discriminator objective as the minimax game.
    np.testing.assert_allclose(loss.discriminator_loss(REAL, FAKE),
                               losses.get("minimax").discriminator_loss(REAL, FAKE))


def test_sigmoid_losses_are_finite_at_extreme_logits():
    big = np.array([[1e4], [-1e4]], dtype="float32")
    for name in ("minimax", "non_saturating"):
        loss = losses.get(name)
        assert np.isfinite(loss.discriminator_loss(big, big))
        assert np.isfinite(loss.generator_loss(big))


def test_wasserstein_matches_closed_form():
    loss = losses.get("wasserstein")
    np.testing.assert_allclose(loss.discriminator_loss(REAL, FAKE), FAKE.mean() - REAL.mean(),
                               rtol=1e-6)
    np.testing.assert_allclose(loss.generator_loss(FAKE), -FAKE.mean(), rtol=1e-6)


def test_hinge_matches_closed_form():
    loss = losses.get("hinge")
    ref = np.mean(np.maximum(0, 1 - REAL)) + np.mean(np.maximum(0, 1 + FAKE))
    np.testing.assert_allclose(loss.discriminator_loss(REAL, FAKE), ref, rtol=1e-6)
    np.testing.assert_allclose(loss.generator_loss(FAKE), -FAKE.mean(), rtol=1e-6)


def test_least_squares_matches_closed_form():
    loss = losses.get("least_squares")
    ref = 0.5 * np.mean((REAL - 1) ** 2) + 0.5 * np.mean(FAKE ** 2)
    np.testing.assert_allclose(loss.discriminator_loss(REAL, FAKE), ref, rtol=1e-6)
    np.testing.assert_allclose(loss.generator_loss(FAKE), 0.5 * np.mean((FAKE - 1) ** 2),
                               rtol=1e-6)


def test_losses_average_over_patch_outputs():
    loss = losses.get("wasserstein")
    patches = np.arange(2 * 3 * 3, dtype="float32").reshape(2, 3, 3, 1)
    np.testing.assert_allclose(loss.generator_loss(patches), -patches.mean())


def test_score_is_probability_only_for_sigmoid_losses():
    np.testing.assert_allclose(losses.get("minimax").score(np.float32(0.0)), 0.5)
    np.testing.assert_allclose(losses.get("wasserstein").score(np.float32(3.0)), 3.0)


def test_unknown_loss_name_suggests_a_close_match():
    with pytest.raises(ValueError, match="Unknown adversarial loss 'wasserstien'.*wasserstein"):
        losses.get("wasserstien")
    with pytest.raises(TypeError, match="loss name or an AdversarialLoss"):
        losses.get(3)


def test_aliases_resolve():
    assert isinstance(losses.get("lsgan"), losses.LeastSquares)
    assert isinstance(losses.get("non-saturating"), losses.NonSaturating)


def test_recipe_style_dict_passes_arguments():
    loss = losses.get({"name": "energy_margin", "margin": 0.3})
    assert isinstance(loss, losses.EnergyMargin) and loss.margin == 0.3
    with pytest.raises(ValueError, match="Bad arguments .*EnergyMargin"):
        losses.get({"name": "energy_margin", "margn": 0.3})
    with pytest.raises(ValueError, match="Did you mean 'energy_margin'"):
        losses.get({"name": "energy_margn"})


@pytest.mark.parametrize("name", ["minimax", "non_saturating", "wasserstein", "hinge",
                                  "least_squares", "energy_margin"])
def test_real_weights_weigh_the_real_terms_examples(name):
    loss = losses.get(name)
    real = tf.constant([[0.3], [-1.2], [2.0], [0.7]])
    fake = tf.constant([[-0.4], [1.1], [0.2], [-2.0]])
    plain = float(loss.discriminator_loss(real, fake))
    ones = float(loss.discriminator_loss(real, fake, real_weights=tf.ones(4)))
    np.testing.assert_allclose(ones, plain, rtol=1e-6)
    # Weights 2, 0, 2, 0 (mean 1): the same as the real term over examples 0 and 2 alone.
    kept = float(loss.discriminator_loss(tf.gather(real, [0, 2]), fake,
                                         real_weights=None))
    weighted = float(loss.discriminator_loss(real, fake,
                                             real_weights=tf.constant([2.0, 0.0, 2.0, 0.0])))
    np.testing.assert_allclose(weighted, kept, rtol=1e-6)
