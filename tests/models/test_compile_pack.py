"""The shared loop's ``compile(pack=m)`` (PacGAN): D judges packs of m consecutive
examples, real and generated alike, and every example gets its pack's score."""

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.layers import PackSamples


def packed_toy_gan(pack=2):
    """A 2-D GAN whose discriminator reads ``pack`` points concatenated (2 * pack numbers)."""
    d = kg.networks.mlp_discriminator((2 * pack,), hidden_units=(8,))
    g = kg.networks.mlp_generator(3, (2,), hidden_units=(8,), output_activation=None)
    return kg.models.GAN(data_shape=(2,), generator=g, discriminator=d)


def test_the_critic_scores_packs_of_consecutive_examples():
    d = kg.networks.dcgan_discriminator((8, 8, 2 * 3), base_filters=4, normalization=None)
    gan = kg.models.DCGAN(data_shape=(8, 8, 3), latent_dim=4, discriminator=d)
    gan.compile(pack=2)
    x = np.random.default_rng(0).uniform(-1, 1, (6, 8, 8, 3)).astype("float32")
    scores = keras.ops.convert_to_numpy(gan.critic(x, training=False))[:, 0]
    per_pack = keras.ops.convert_to_numpy(d(PackSamples(2)(x), training=False))[:, 0]
    np.testing.assert_allclose(scores, np.repeat(per_pack, 2), rtol=1e-6)
    # The loss is the non-saturating loss over packs, on the real and the generated side.
    fake = keras.ops.convert_to_numpy(gan.generator(gan.latent_vectors(6, seed=1)))
    total = gan.discriminator_objective(x, fake, training=False).loss
    fake_packs = keras.ops.convert_to_numpy(d(PackSamples(2)(fake), training=False))[:, 0]
    softplus = lambda t: np.log1p(np.exp(t))   # noqa: E731
    np.testing.assert_allclose(float(total), np.mean(softplus(-per_pack))
                               + np.mean(softplus(fake_packs)), rtol=1e-5)


def test_a_packed_gan_trains_saves_and_reloads_with_its_pack(tmp_path):
    gan = packed_toy_gan(pack=3)
    gan.compile(pack=3)
    before = [w.copy() for w in gan.discriminator.get_weights()]
    data = np.random.default_rng(0).normal(size=(12, 2)).astype("float32")
    history = gan.fit(data, batch_size=6, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])
    assert any(not np.allclose(a, b) for a, b in zip(before, gan.discriminator.get_weights()))
    path = str(tmp_path / "packed.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.pack == 3
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded.critic(data, training=False)),
                               keras.ops.convert_to_numpy(gan.critic(data, training=False)),
                               rtol=1e-6)


def test_unpacked_models_keep_their_compile_config():
    gan = kg.models.GAN(data_shape=(2,))
    gan.compile()
    assert gan.pack == 1 and "pack" not in gan.get_compile_config()


def test_pack_mismatches_get_clear_errors():
    gan = packed_toy_gan(pack=2)
    with pytest.raises(ValueError, match=r"takes input \(4,\): compile with pack=2"):
        gan.compile()
    with pytest.raises(ValueError, match="compile with pack=2"):
        gan.compile(pack=4)
    with pytest.raises(ValueError, match="positive integer"):
        gan.compile(pack=0)
    plain = kg.models.GAN(data_shape=(2,))
    with pytest.raises(ValueError, match=r"build it for shape \(\.\.\., 2 \* 2\)"):
        plain.compile(pack=2)
    cgan = kg.models.CGAN(data_shape=(2,), num_classes=3)
    with pytest.raises(ValueError, match="CGAN feeds its discriminator more than the examples"):
        cgan.compile(pack=2)
    with pytest.raises(ValueError, match="Shapes disagree"):
        kg.models.GAN(data_shape=(2,), discriminator=kg.networks.mlp_discriminator((3,)))
