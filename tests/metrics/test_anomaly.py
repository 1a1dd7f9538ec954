import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg


def _line_gan():
    """A GAN whose generator maps a 1-D z onto a line of the plane."""
    gen = kg.networks.mlp_generator(1, (2,), hidden_units=(), output_activation=None)
    gen.set_weights([np.array([[1.0, 2.0]], "float32"), np.array([0.5, -0.5], "float32")])
    disc = kg.networks.mlp_discriminator((2,), hidden_units=(8,))
    return kg.models.GAN(generator=gen, discriminator=disc)


def test_auroc_closed_form_and_errors():
    assert kg.metrics.auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    assert kg.metrics.auroc([3, 2, 1, 0], [1, 1, 0, 0]) == 1.0
    with pytest.raises(ValueError, match="both normal and anomalous"):
        kg.metrics.auroc([0.1, 0.2], [0, 0])
    with pytest.raises(ValueError, match="one label per score"):
        kg.metrics.auroc([0.1, 0.2], [0, 1, 1])


def test_residual_is_small_on_the_generators_range_and_large_off_it():
    gan = _line_gan()
    scorer = kg.metrics.AnomalyScorer(gan, steps=300, learning_rate=0.05)
    on_line = np.array([[0.5 + t, -0.5 + 2 * t] for t in (-1.0, 0.3, 1.2)], "float32")
    off_line = on_line + np.array([2.0, -1.0], "float32")   # (2, -1) is normal to (1, 2)
    scores, z = scorer.residual_score(np.concatenate([on_line, off_line]),
                                      return_latents=True)
    assert scores.shape == (6,)
    assert scores[:3].max() < 0.05
    # Off the line, the L1 residual is at least the distance to the line, sqrt(5).
    assert scores[3:].min() > 0.9 * 2.0
    np.testing.assert_allclose(z[:3, 0], [-1.0, 0.3, 1.2], atol=0.05)
    assert kg.metrics.auroc(scores, [0, 0, 0, 1, 1, 1]) == 1.0
    # Deterministic for a seed.
    np.testing.assert_allclose(scorer.score(on_line), scores[:3], rtol=1e-5, atol=1e-6)


def test_discriminator_score_is_minus_the_logit_and_the_energy_for_ebgan():
    gan = _line_gan()
    x = np.random.default_rng(0).normal(size=(5, 2)).astype("float32")
    scorer = kg.metrics.AnomalyScorer(gan)
    expected = -gan.discriminator(x, training=False).numpy()[:, 0]
    np.testing.assert_allclose(scorer.score(x, method="discriminator"), expected, rtol=1e-5)
    ebgan = kg.models.EBGAN(data_shape=(2,), latent_dim=2, code_dim=2)
    energy = ebgan.critic(tf.constant(x), training=False).numpy()[:, 0]
    np.testing.assert_allclose(kg.metrics.AnomalyScorer(ebgan).discriminator_score(x), energy,
                               rtol=1e-5)
    # The sign follows the loss, which says what D's output means: a plain GAN trained
    # with EBGAN's energy loss scores by its raw output.
    gan.compile(loss="energy_margin")
    np.testing.assert_allclose(scorer.discriminator_score(x), -expected, rtol=1e-5)


def test_bad_input_is_rejected():
    cgan = kg.models.CGAN(data_shape=(2,), latent_dim=2, num_classes=3)
    with pytest.raises(ValueError, match="unconditional"):
        kg.metrics.AnomalyScorer(cgan)
    scorer = kg.metrics.AnomalyScorer(_line_gan(), steps=2)
    with pytest.raises(ValueError, match=r"Expected examples of shape \(2,\)"):
        scorer.score(np.zeros((3, 3), "float32"))
    with pytest.raises(ValueError, match="method"):
        scorer.score(np.zeros((3, 2), "float32"), method="knn")
    with pytest.raises(ValueError, match="lam"):
        kg.metrics.AnomalyScorer(_line_gan(), lam=2.0)
