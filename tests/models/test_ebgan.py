"""EBGAN: autoencoder discriminator, energy margin loss, pulling-away term."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans.models.ebgan import pulling_away_term


@pytest.mark.parametrize("shape", [(8, 8, 1), (2,)])
def test_trains_a_few_steps(shape):
    if len(shape) == 3:
        ds = kg.data.load("digits", batch_size=32, seed=0)
    else:
        ds = kg.data.load("ring8", batch_size=32, seed=0, num_examples=256)
    model = kg.models.EBGAN(data_shape=shape, latent_dim=8, pulling_away=0.1, code_dim=4)
    model.compile()
    g_before = [w.numpy().copy() for w in model.generator.trainable_weights]
    history = model.fit(ds, epochs=1, steps_per_epoch=3, verbose=0)
    for name in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert np.isfinite(history.history[name][-1])
    assert history.history["d_real"][-1] >= 0          # energies are squared errors
    assert any(not np.allclose(a, b.numpy())
               for a, b in zip(g_before, model.generator.trainable_weights))
    assert isinstance(model.loss_fn, kg.losses.EnergyMargin)


def test_energy_is_the_per_example_reconstruction_mse():
    model = kg.models.EBGAN(data_shape=(3,), latent_dim=2, code_dim=2)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    reconstruction, _ = model.discriminator(x, training=False)
    expected = ((keras.ops.convert_to_numpy(reconstruction) - x) ** 2).mean(axis=1)
    energy = model.critic(tf.constant(x), training=False).numpy()
    assert energy.shape == (5, 1)
    np.testing.assert_allclose(energy[:, 0], expected, rtol=1e-5)


def test_energy_margin_loss_closed_form():
    loss = kg.losses.EnergyMargin(margin=1.0)
    real = tf.constant([[0.2], [0.4]])
    fake = tf.constant([[0.5], [1.5]])
    # mean(real) = 0.3; mean(max(0, 1 - fake)) = (0.5 + 0) / 2 = 0.25
    np.testing.assert_allclose(float(loss.discriminator_loss(real, fake)), 0.55, rtol=1e-6)
    np.testing.assert_allclose(float(loss.generator_loss(fake)), 1.0, rtol=1e-6)
    assert isinstance(kg.losses.get("energy_margin"), kg.losses.EnergyMargin)
    again = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(kg.losses.EnergyMargin(3.0)))
    assert again.margin == 3.0
    with pytest.raises(ValueError, match="margin"):
        kg.losses.EnergyMargin(0.0)


def test_pulling_away_term_closed_form():
    orthogonal = tf.eye(3)
    assert float(pulling_away_term(orthogonal)) == pytest.approx(0.0, abs=1e-7)
    same = tf.ones((4, 3)) * 2.0
    assert float(pulling_away_term(same)) == pytest.approx(1.0, rel=1e-5)
    # Two codes at 60 degrees: cos^2 = 0.25.
    pair = tf.constant([[1.0, 0.0], [0.5, np.sqrt(3) / 2]])
    assert float(pulling_away_term(pair)) == pytest.approx(0.25, rel=1e-5)


def test_pulling_away_term_enters_the_generator_loss():
    model = kg.models.EBGAN(data_shape=(2,), latent_dim=2, code_dim=3, pulling_away=0.5)
    model.compile()
    fake = tf.constant(np.random.default_rng(1).normal(size=(6, 2)).astype("float32"))
    energy, code = model.energy_and_code(fake, training=False)
    expected = float(tf.reduce_mean(energy)) + 0.5 * float(pulling_away_term(code))
    assert float(model.generator_objective(fake, training=False).loss) == pytest.approx(
        expected, rel=1e-5)


def test_save_and_load_round_trip(tmp_path):
    ds = kg.data.load("digits", batch_size=32, seed=0)
    model = kg.models.EBGAN(data_shape=(8, 8, 1), latent_dim=8, pulling_away=0.1, code_dim=4)
    model.compile(loss=kg.losses.EnergyMargin(2.0))
    model.fit(ds, epochs=1, steps_per_epoch=1, verbose=0)
    path = str(tmp_path / "ebgan.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is kg.models.EBGAN and loaded.pulling_away == 0.1
    assert loaded.loss_fn.margin == 2.0
    np.testing.assert_array_equal(loaded.generate(4, seed=2), model.generate(4, seed=2))
    x = np.random.default_rng(2).normal(size=(3, 8, 8, 1)).astype("float32")
    np.testing.assert_allclose(loaded.critic(x, training=False).numpy(),
                               model.critic(x, training=False).numpy(), rtol=1e-6)


def test_bad_networks_and_arguments_are_rejected():
    with pytest.raises(ValueError, match="pulling_away"):
        kg.models.EBGAN(data_shape=(2,), pulling_away=-1)
    with pytest.raises(ValueError, match="autoencoder_discriminator"):
        kg.models.EBGAN(data_shape=(2,), discriminator=kg.networks.mlp_discriminator((2,)))
