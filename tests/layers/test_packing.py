"""PacGAN packing: consecutive samples concatenated along channels, one score per pack
given to each of its samples, a packed discriminator in the shared loop."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans.layers import PackSamples, RepeatPacked
from tests.layers._roundtrip import assert_round_trips


def test_pack_samples_concatenates_consecutive_examples_along_channels():
    x = np.random.default_rng(0).normal(size=(6, 2, 3, 2)).astype("float32")
    out = keras.ops.convert_to_numpy(PackSamples(3)(x))
    assert out.shape == (2, 2, 3, 6)
    for j in range(2):
        np.testing.assert_array_equal(out[j], np.concatenate(list(x[3 * j:3 * j + 3]), -1))
    flat = np.arange(8, dtype="float32").reshape(4, 2)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(PackSamples(2)(flat)),
                                  [[0, 1, 2, 3], [4, 5, 6, 7]])


def test_repeat_packed_gives_each_sample_its_pack_s_row():
    scores = np.array([[1.0], [2.0]], "float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(RepeatPacked(3)(scores)),
                                  [[1], [1], [1], [2], [2], [2]])


def test_bad_pack_sizes_and_batches_get_clear_errors():
    with pytest.raises(ValueError, match="positive whole number"):
        PackSamples(0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="divisible by 2"):
        PackSamples(2)(np.zeros((3, 4, 4, 1), "float32"))
    inner = kg.networks.dcgan_discriminator((8, 8, 3))
    with pytest.raises(ValueError, match=r"multiple of 2.*dcgan_discriminator"):
        kg.networks.packed_discriminator(inner, 2)


def test_a_packed_discriminator_scores_packs_and_round_trips(tmp_path):
    inner = kg.networks.dcgan_discriminator((8, 8, 2 * 3), base_filters=4)
    d = kg.networks.packed_discriminator(inner, 2)
    assert d.input_shape == (None, 8, 8, 3)
    x = np.random.default_rng(1).uniform(-1, 1, (4, 8, 8, 3)).astype("float32")
    out = keras.ops.convert_to_numpy(d(x, training=False))
    assert out.shape == (4, 1)
    assert out[0, 0] == out[1, 0] and out[2, 0] == out[3, 0] and out[0, 0] != out[2, 0]
    inner_out = keras.ops.convert_to_numpy(inner(PackSamples(2)(x), training=False))
    np.testing.assert_allclose(out[::2], inner_out, rtol=1e-6)
    # Changing one sample changes its own pack's score only.
    y = x.copy()
    y[3] = -y[3]
    changed = keras.ops.convert_to_numpy(d(y, training=False))
    assert changed[0, 0] == out[0, 0] and changed[3, 0] != out[3, 0]
    assert_round_trips(d, x, tmp_path)


def test_the_shared_loop_trains_on_pack_scores():
    """D's loss with packs of 2 is the non-saturating loss averaged over packs."""
    inner = kg.networks.dcgan_discriminator((8, 8, 2), base_filters=4, normalization=None)
    d = kg.networks.packed_discriminator(inner, 2)
    gan = kg.models.DCGAN(data_shape=(8, 8, 1), latent_dim=4, discriminator=d)
    gan.compile(run_eagerly=True)
    real = np.random.default_rng(2).uniform(-1, 1, (4, 8, 8, 1)).astype("float32")
    fake = gan.generator(gan.latent_vectors(4, seed=0), training=False)
    total = gan.discriminator_objective(real, fake, training=False).loss
    pack_real = keras.ops.convert_to_numpy(inner(PackSamples(2)(real), training=False))[:, 0]
    pack_fake = keras.ops.convert_to_numpy(inner(PackSamples(2)(fake), training=False))[:, 0]
    softplus = lambda t: np.log1p(np.exp(t))   # noqa: E731
    expected = np.mean(softplus(-pack_real)) + np.mean(softplus(pack_fake))
    np.testing.assert_allclose(float(total), expected, rtol=1e-5)
    history = gan.fit(real, batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])
