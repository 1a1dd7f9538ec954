"""Semi-supervised GAN: K logits with an implicit fake class, feature matching, classifier."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg


@pytest.fixture(scope="module")
def digits():
    x, y = kg.data.load_digits_arrays()
    return x, y


def _model(**kwargs):
    disc = kg.networks.classifier_discriminator((8, 8, 1), 10, hidden_units=(32, 16))
    return kg.models.SGAN(data_shape=(8, 8, 1), latent_dim=8, num_classes=10,
                          discriminator=disc, **kwargs)


def test_semi_supervised_batches_mix_a_labelled_pool_with_unlabelled_data(digits):
    x, y = digits
    kept = kg.data.keep_labels(y, per_class=3, seed=0)
    assert (kept >= 0).sum() == 30
    assert all((kept == c).sum() == 3 for c in range(10))
    assert np.all(kept[kept >= 0] == y[kept >= 0])
    ds = kg.data.semi_supervised(x, kept, batch_size=16, labelled_batch_size=4, seed=0)
    xb, yb = next(iter(ds))
    assert xb.shape == (16, 8, 8, 1)
    assert np.all(yb.numpy()[:4] >= 0) and np.all(yb.numpy()[4:] == -1)
    assert int(ds.cardinality()) == len(x) // 12
    with pytest.raises(ValueError, match="No labelled example"):
        kg.data.semi_supervised(x, np.full(len(x), -1), batch_size=8)


@pytest.mark.parametrize("feature_matching", [True, False])
def test_trains_a_few_steps(digits, feature_matching):
    x, y = digits
    ds = kg.data.semi_supervised(x, kg.data.keep_labels(y, 5, seed=0), batch_size=32, seed=0)
    model = _model(feature_matching=feature_matching)
    model.compile()
    before = [w.numpy().copy() for w in model.generator.trainable_weights]
    history = model.fit(ds, epochs=1, steps_per_epoch=3, verbose=0)
    for name in ("d_loss", "g_loss", "d_supervised_loss", "class_accuracy"):
        assert np.isfinite(history.history[name][-1]), name
    assert any(not np.allclose(a, b.numpy())
               for a, b in zip(before, model.generator.trainable_weights))


@pytest.mark.parametrize("weight,examples", [(None, "all"), (2.0, "all"),
                                             (None, "unlabelled")])
def test_losses_closed_form(weight, examples):
    # None: the default, the authors' code's 0.5 on the sum of the real and fake terms.
    # "unlabelled": the real side of the unsupervised term and feature matching read only
    # the examples labelled -1 (here 1 and 3), as the authors' code does.
    kwargs = {"unsupervised_examples": examples}
    model = _model(**kwargs) if weight is None else _model(unsupervised_weight=weight, **kwargs)
    model.compile()
    real = tf.constant(np.random.default_rng(0).normal(size=(4, 8, 8, 1)).astype("float32"))
    fake = tf.constant(np.random.default_rng(1).normal(size=(4, 8, 8, 1)).astype("float32"))
    labels = tf.constant([3, -1, 7, -1])
    objective = model.discriminator_objective(real, fake, {"labels": labels, "real": real},
                                              training=False)
    total = objective.loss
    real_cls, real_f = (t.numpy() for t in model.heads(real, training=False))
    fake_cls, fake_f = (t.numpy() for t in model.heads(fake, training=False))

    def lse(v):
        return np.log(np.exp(v).sum(axis=1))

    softplus = lambda t: np.log1p(np.exp(t))  # noqa: E731
    unlabelled = [1, 3] if examples == "unlabelled" else [0, 1, 2, 3]
    unsupervised = (softplus(-lse(real_cls))[unlabelled].mean()
                    + softplus(lse(fake_cls)).mean())
    logp = real_cls - lse(real_cls)[:, None]
    supervised = -(logp[0, 3] + logp[2, 7]) / 2      # only the two labelled examples
    np.testing.assert_allclose(float(total), (weight or 0.5) * unsupervised + supervised,
                               rtol=1e-5)
    np.testing.assert_allclose(float(objective.extras["d_supervised_loss"]), supervised,
                               rtol=1e-5)
    g = model.generator_objective(fake, {"labels": labels, "real": real}, training=False).loss
    np.testing.assert_allclose(
        float(g), np.mean((real_f[unlabelled].mean(0) - fake_f.mean(0)) ** 2), rtol=1e-5)


def test_features_are_the_last_hidden_layer_before_its_noise():
    disc = kg.networks.classifier_discriminator((8, 8, 1), 10, hidden_units=(32, 16))
    x = np.random.default_rng(0).normal(size=(6, 8, 8, 1)).astype("float32")
    _, features = disc(x, training=True)
    # In training the hidden noise (std 0.5) would make some features negative; the
    # ReLU output before it is never negative.
    assert float(keras.ops.min(features)) >= 0.0
    clean = keras.Model(disc.inputs[0], disc.get_layer("dense_1").output)
    np.testing.assert_allclose(disc(x, training=False)[1], clean(x), rtol=1e-6)


def test_classifier_shares_the_discriminators_weights(digits, tmp_path):
    x, y = digits
    model = _model()
    model.compile()
    clf = model.classifier()
    probabilities = clf.predict(x[:5], verbose=0)
    assert probabilities.shape == (5, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    logits, _ = model.discriminator(x[:5], training=False)
    np.testing.assert_allclose(probabilities, keras.ops.convert_to_numpy(
        keras.ops.softmax(logits)), rtol=1e-5, atol=1e-6)
    ds = kg.data.semi_supervised(x, kg.data.keep_labels(y, 5, seed=0), batch_size=32)
    model.fit(ds, epochs=1, steps_per_epoch=1, verbose=0)
    assert not np.allclose(clf.predict(x[:5], verbose=0), probabilities)   # same weights

    path = str(tmp_path / "sgan.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is kg.models.SGAN and loaded.num_classes == 10
    np.testing.assert_allclose(loaded.classifier().predict(x[:5], verbose=0),
                               clf.predict(x[:5], verbose=0), rtol=1e-5)
    np.testing.assert_array_equal(loaded.generate(3, seed=0), model.generate(3, seed=0))


def test_classifier_average_follows_its_decay_schedule_and_is_saved(digits, tmp_path):
    x, y = digits
    ds = kg.data.semi_supervised(x, kg.data.keep_labels(y, 5, seed=0), batch_size=32, seed=0)
    model = _model(classifier_average=0.15)
    model.compile(d_optimizer=keras.optimizers.Adam(0.05))   # steps that move D visibly
    weights = []
    for _ in range(3):
        model.fit(ds, epochs=1, steps_per_epoch=1, verbose=0)
        weights.append([w.numpy().copy() for w in model.discriminator.trainable_weights])
    # Decay min(0.15, t / (t + 10)) at update t = 0, 1, 2: a copy, then 1/11, then 0.15.
    expected = [(a / 11 + b * 10 / 11) * 0.15 + 0.85 * c for a, b, c in zip(*weights)]
    uncapped = [(a / 11 + b * 10 / 11) / 6 + c * 5 / 6 for a, b, c in zip(*weights)]
    for average, want in zip(model.averaged_weights, expected):
        np.testing.assert_allclose(average.numpy(), want, rtol=1e-5, atol=1e-6)
    assert not all(np.allclose(a.numpy(), u, atol=1e-5)   # the cap at 0.15 mattered
                   for a, u in zip(model.averaged_weights, uncapped))
    averaged = model.classifier().predict(x[:8], verbose=0)
    logits, _ = model.discriminator(x[:8], training=False)
    raw = keras.ops.convert_to_numpy(keras.ops.softmax(logits))
    assert not np.allclose(averaged, raw, atol=1e-6)   # the average, not D's weights
    path = str(tmp_path / "averaged.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.classifier_average == 0.15
    np.testing.assert_allclose(loaded.classifier().predict(x[:8], verbose=0), averaged,
                               rtol=1e-5, atol=1e-6)


def test_bad_input_is_rejected(digits):
    x, _ = digits
    with pytest.raises(ValueError, match="num_classes"):
        kg.models.SGAN(data_shape=(8, 8, 1))
    with pytest.raises(ValueError, match="unsupervised_weight"):
        _model(unsupervised_weight=-1)
    with pytest.raises(ValueError, match="classifier_average"):
        _model(classifier_average=1.0)
    with pytest.raises(ValueError, match="classifier_discriminator"):
        kg.models.SGAN(data_shape=(8, 8, 1), num_classes=10,
                       discriminator=kg.networks.mlp_discriminator((8, 8, 1)))
    model = _model()
    model.compile(run_eagerly=True)
    with pytest.raises(ValueError, match="semi_supervised"):
        model.fit(x[:32], epochs=1, batch_size=16, verbose=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[-1, 10\)"):
        model.fit(x[:16], np.full(16, 10, "int32"), batch_size=16, verbose=0)
