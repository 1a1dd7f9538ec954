"""Labelled data from a class-conditional GAN (``kg.data.generate_labelled``,
``generated_dataset``, ``mix_datasets``, ``augment_with_generator``).

Most tests use a CGAN whose generator writes its label into the image: every pixel of an
image of class c is CODES[c] plus a small z-dependent term, so an image's class can be read
back from its mean and a generated image told from a real one (real images are constant).
A pipeline that paired images with the wrong labels fails these tests.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg

K, SHAPE, LATENT = 10, (8, 8, 1), 4
CODES = np.linspace(-0.9, 0.9, K).astype("float32")


def _coded_cgan():
    z = keras.Input((LATENT,), name="z")
    y = keras.Input((1,), dtype="int32", name="labels")
    size = int(np.prod(SHAPE))
    embed = keras.layers.Embedding(K, size)
    noise = keras.layers.Dense(size, use_bias=False)
    out = keras.layers.Reshape(SHAPE)(keras.layers.Add()([keras.layers.Flatten()(embed(y)),
                                                           noise(z)]))
    generator = keras.Model([z, y], out, name="generator")
    embed.set_weights([np.repeat(CODES[:, None], size, axis=1)])
    noise.set_weights([np.random.default_rng(0).uniform(-0.004, 0.004, (LATENT, size))
                       .astype("float32")])
    discriminator = kg.networks.conditional_discriminator(SHAPE, K, base_filters=4)
    return kg.models.CGAN(num_classes=K, generator=generator, discriminator=discriminator)


@pytest.fixture(scope="module")
def coded():
    return _coded_cgan()


def _decode(x):
    """The class each image encodes, from its mean."""
    means = np.asarray(x).reshape(len(x), -1).mean(axis=1)
    return np.abs(means[:, None] - CODES[None, :]).argmin(axis=1)


def _is_generated(x):
    return np.asarray(x).reshape(len(x), -1).std(axis=1) > 1e-6


def _real(labels):
    labels = np.asarray(labels, dtype="int32")
    return np.broadcast_to(CODES[labels][:, None, None, None], (len(labels), *SHAPE)).copy(), \
        labels


def _collect(ds):
    xs, ys = zip(*((x.numpy(), y.numpy()) for x, y in ds))
    return np.concatenate(xs), np.concatenate(ys)


# -- labels and images ---------------------------------------------------------------

def test_uniform_labels_exact_counts_and_images_of_their_label(coded):
    x, y = kg.data.generate_labelled(coded, 95, seed=0)
    assert x.shape == (95, *SHAPE) and x.dtype == np.float32 and y.dtype == np.int32
    np.testing.assert_array_equal(np.sort(np.bincount(y, minlength=K)), [9] * 5 + [10] * 5)
    np.testing.assert_array_equal(_decode(x), y)
    assert _is_generated(x).all()
    assert len(set(y[:20].tolist())) > 3  # shuffled, not class after class


def test_class_weights_are_honoured(coded):
    weights = [3, 1, 0, 0, 0, 0, 0, 0, 0, 4]
    x, y = kg.data.generate_labelled(coded, 800, labels=weights, seed=1)
    np.testing.assert_array_equal(np.bincount(y, minlength=K), [300, 100] + [0] * 7 + [400])
    np.testing.assert_array_equal(_decode(x), y)


def test_match_follows_the_real_label_frequencies(coded):
    real_labels = np.array([0] * 60 + [3] * 30 + [7] * 10)
    _, y = kg.data.generate_labelled(coded, 1000, labels="match", real_labels=real_labels,
                                     seed=2)
    np.testing.assert_array_equal(np.bincount(y, minlength=K)[[0, 3, 7]], [600, 300, 100])
    assert np.bincount(y, minlength=K).sum() == 1000


def test_generated_dataset_batches(coded):
    ds = kg.data.generated_dataset(coded, 50, batch_size=16, seed=0)
    assert ds.element_spec[0].shape.as_list() == [None, *SHAPE]
    assert ds.element_spec[0].dtype == tf.float32 and ds.element_spec[1].dtype == tf.int32
    x, y = _collect(ds)
    assert [len(b[1]) for b in ds] == [16, 16, 16, 2]
    np.testing.assert_array_equal(_decode(x), y)
    first, second = _collect(ds)[1], _collect(ds)[1]
    assert not np.array_equal(first, second)  # reshuffled each pass
    np.testing.assert_array_equal(np.sort(first), np.sort(second))


# -- mixing ----------------------------------------------------------------------------

def test_ratio_is_honoured_and_every_real_example_used_once(coded):
    real = _real(np.arange(4000) % K)
    ds = kg.data.augment_with_generator(coded, real, ratio=0.25, seed=0)
    x, y = _collect(ds)
    generated = _is_generated(x)
    assert (~generated).sum() == 4000  # one pass over the real examples
    assert abs(generated.mean() - 0.25) < 0.02
    np.testing.assert_array_equal(_decode(x), y)  # real and generated alike


@pytest.mark.parametrize("ratio", [0.0, 1.0])
def test_ratio_ends(coded, ratio):
    real = _real(np.arange(100) % K)
    ds = kg.data.augment_with_generator(coded, real, ratio=ratio, num_generated=30, seed=0)
    x, _ = _collect(ds)
    assert _is_generated(x).all() if ratio else not _is_generated(x).any()
    assert len(x) == (30 if ratio else 100)


def test_match_reads_the_labels_of_a_batched_dataset(coded):
    labels = np.array([1] * 300 + [4] * 100, dtype="int32")
    real = tf.data.Dataset.from_tensor_slices(_real(labels)).batch(32)
    x, y = _collect(kg.data.augment_with_generator(coded, real, ratio=0.5, seed=3))
    generated = _is_generated(x)
    counts = np.bincount(y[generated], minlength=K)
    assert set(np.flatnonzero(counts)) == {1, 4}
    assert abs(counts[1] / counts.sum() - 0.75) < 0.05
    np.testing.assert_array_equal(_decode(x), y)


def test_same_seed_same_data_other_seed_other_data(coded):
    real = _real(np.arange(300) % K)

    def run(seed):
        return _collect(kg.data.augment_with_generator(coded, real, ratio=0.5, seed=seed))

    (x0, y0), (x1, y1), (x2, _) = run(7), run(7), run(8)
    np.testing.assert_array_equal(x0, x1)
    np.testing.assert_array_equal(y0, y1)
    assert x0.shape != x2.shape or not np.array_equal(x0, x2)


def test_mix_datasets_of_two_datasets(coded):
    x, y = _real(np.arange(200) % K)
    real = kg.data.from_arrays(x, 10, y, seed=0)
    generated = kg.data.generated_dataset(coded, 100, seed=0)
    ds = kg.data.mix_datasets(real, generated, ratio=0.5, batch_size=25, seed=0, num_classes=K)
    x, y = _collect(ds)
    assert x.dtype == np.float32 and y.dtype == np.int32 and (~_is_generated(x)).sum() == 200
    np.testing.assert_array_equal(_decode(x), y)


# -- the package's conditional models ----------------------------------------------------

@pytest.mark.parametrize("cls", [kg.models.CGAN, kg.models.ACGAN])
def test_trained_cgan_and_acgan_on_digits(cls):
    real = kg.data.load("digits", batch_size=32, seed=0, labels=True)
    model = cls(data_shape=SHAPE, latent_dim=8, num_classes=K)
    model.compile()
    model.fit(real, epochs=1, steps_per_epoch=2, verbose=0)
    ds = kg.data.augment_with_generator(model, real, ratio=0.5, batch_size=64, seed=0)
    x, y = next(iter(ds))
    assert x.shape == (64, *SHAPE) and x.dtype == tf.float32 and y.dtype == tf.int32
    assert float(tf.reduce_max(tf.abs(x))) <= 1.0


def test_biggan_truncation():
    model = kg.models.BigGAN(data_shape=(16, 16, 1), num_classes=3, latent_dim=8, ch=2,
                             shared_dim=4)
    x, y = kg.data.generate_labelled(model, 6, truncation=0.5, seed=0)
    assert x.shape == (6, 16, 16, 1) and np.bincount(y).tolist() == [2, 2, 2]
    again, _ = kg.data.generate_labelled(model, 6, truncation=0.5, seed=0)
    np.testing.assert_array_equal(x, again)
    loose, _ = kg.data.generate_labelled(model, 6, truncation=2.0, seed=0)
    assert not np.array_equal(x, loose)


# -- errors ----------------------------------------------------------------------------

@pytest.mark.parametrize("model", [
    lambda: kg.models.DCGAN(data_shape=SHAPE, latent_dim=4),
    lambda: kg.models.SGAN(data_shape=SHAPE, latent_dim=4, num_classes=K),
], ids=["DCGAN", "SGAN"])
def test_unconditional_model_is_refused(model):
    with pytest.raises(TypeError, match="not a class-conditional generator.*CGAN"):
        kg.data.generate_labelled(model(), 10)
    with pytest.raises(TypeError, match="not a class-conditional"):
        kg.data.augment_with_generator(model(), _real([0, 1]), ratio=0.5)


@pytest.mark.parametrize("ratio, error", [(-0.1, ValueError), (1.5, ValueError),
                                          ("half", TypeError), (True, TypeError)])
def test_ratio_out_of_range(coded, ratio, error):
    with pytest.raises(error, match="ratio"):
        kg.data.augment_with_generator(coded, _real([0, 1]), ratio=ratio)


def test_real_labels_beyond_the_models_classes(coded):
    with pytest.raises(ValueError, match=r"labels from 0 to 12.*num_classes=10"):
        kg.data.augment_with_generator(coded, (_real([0, 1])[0], np.array([0, 12])))
    real = tf.data.Dataset.from_tensor_slices((_real([0, 1])[0], np.array([3, 11]))).batch(2)
    with pytest.raises(ValueError, match="num_classes=10"):
        kg.data.augment_with_generator(coded, real)
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_classes=10"):
        _collect(kg.data.mix_datasets(real, kg.data.generated_dataset(coded, 4), 0.5,
                                      num_classes=K))


@pytest.mark.parametrize("labels, match", [
    ([1, 2, 3], "one weight per class: 10 values"),
    ([0] * K, "not all zero"),
    ("balanced", "must be one of"),
    ("match", "pass `real_labels`"),
])
def test_bad_label_distribution(coded, labels, match):
    with pytest.raises(ValueError, match=match):
        kg.data.generate_labelled(coded, 10, labels=labels)


def test_other_errors(coded):
    with pytest.raises(ValueError, match="has no truncation trick"):
        kg.data.generate_labelled(coded, 10, truncation=0.5)
    with pytest.raises(ValueError, match="positive integer"):
        kg.data.generate_labelled(coded, 0)
    with pytest.raises(ValueError, match="differ in shape"):
        kg.data.augment_with_generator(coded, (np.zeros((4, 16, 16, 1), "float32"),
                                               np.arange(4)))
    with pytest.raises(ValueError, match="pass `num_generated`"):
        kg.data.augment_with_generator(coded, _real([0, 1]), ratio=1.0)
    unlabelled = tf.data.Dataset.from_tensor_slices(_real([0, 1])[0]).batch(2)
    with pytest.raises(ValueError, match="labels=True"):
        kg.data.augment_with_generator(coded, unlabelled)
