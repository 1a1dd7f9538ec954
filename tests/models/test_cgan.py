"""CGAN (concat and projection D) and AC-GAN on the embedded digits and a labelled toy."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg

CASES = [(kg.models.CGAN, "concat"), (kg.models.CGAN, "projection"), (kg.models.ACGAN, None)]


def _ids(case):
    return case[0].__name__ + (f"-{case[1]}" if case[1] else "")


def _model(case, shape=(8, 8, 1), latent_dim=8, num_classes=10):
    cls, conditioning = case
    kwargs = {"conditioning": conditioning} if conditioning else {}
    return cls(data_shape=shape, latent_dim=latent_dim, num_classes=num_classes, **kwargs)


@pytest.fixture(scope="module")
def digits():
    return kg.data.load("digits", batch_size=32, seed=0, labels=True)


def _changed(before, net):
    return any(not np.allclose(a, b.numpy()) for a, b in zip(before, net.trainable_weights))


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_trains_a_few_steps_on_labelled_digits(case, digits):
    model = _model(case)
    model.compile()
    g_before = [w.numpy().copy() for w in model.generator.trainable_weights]
    d_before = [w.numpy().copy() for w in model.discriminator.trainable_weights]
    history = model.fit(digits, epochs=1, steps_per_epoch=3, verbose=0)
    names = {"d_loss", "g_loss", "d_real", "d_fake"}
    if case[0] is kg.models.ACGAN:
        names |= {"d_class_loss", "g_class_loss", "class_accuracy"}
    assert names <= set(history.history)
    assert all(np.isfinite(history.history[n][-1]) for n in names)
    assert _changed(g_before, model.generator) and _changed(d_before, model.discriminator)
    assert model.generate(4, labels=3, seed=0).shape == (4, 8, 8, 1)


def test_flat_data_uses_mlp_players():
    x = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = kg.models.CGAN(data_shape=(2,), latent_dim=4, num_classes=2,
                           conditioning="projection")
    model.compile()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    assert "Dense" in {type(layer).__name__ for layer in model.generator.get_layer("body").layers}
    assert model.generate(3, labels=[0, 1, 1], seed=1).shape == (3, 2)


def test_generator_is_conditioned_on_the_requested_labels():
    model = _model(CASES[0])
    z = model.latent_vectors(3, seed=0)
    a = model.generate(labels=[0, 1, 2], z=z)
    b = model.generate(labels=[2, 1, 0], z=z)
    np.testing.assert_allclose(a[1], b[1], atol=1e-6)       # same z, same label
    assert not np.allclose(a[0], b[0])                       # same z, other label
    # Defaults: the classes in turn; an int repeats one class; the seed reproduces.
    np.testing.assert_array_equal(model.sample_labels(12), np.arange(12) % 10)
    np.testing.assert_array_equal(model.generate(4, seed=5, labels=7),
                                  model.generate(4, seed=5, labels=[7] * 4))


def test_acgan_losses_add_the_class_cross_entropy():
    model = _model(CASES[2], shape=(2,), num_classes=3)
    model.compile()
    real = tf.constant(np.random.default_rng(1).normal(size=(6, 2)).astype("float32"))
    fake = tf.constant(np.random.default_rng(2).normal(size=(6, 2)).astype("float32"))
    labels = tf.constant([[0], [1], [2], [0], [1], [2]], "int32")
    objective = model.discriminator_objective(real, fake, labels, training=False)
    total = objective.loss
    adv = model.loss_fn.discriminator_loss(objective.real_scores, objective.fake_scores)
    _, real_cls = model.heads(real, training=False)
    _, fake_cls = model.heads(fake, training=False)

    def ce(logits):
        logits = logits.numpy()
        logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return -logp[np.arange(6), labels.numpy()[:, 0]].mean()

    np.testing.assert_allclose(float(total), float(adv) + ce(real_cls) + ce(fake_cls),
                               rtol=1e-5)
    g = model.generator_objective(fake, labels, training=False)
    fake_adv, _ = model.heads(fake, training=False)
    np.testing.assert_allclose(float(g.loss), float(model.loss_fn.generator_loss(fake_adv)) +
                               ce(fake_cls), rtol=1e-5)
    # What G measured comes back to the loop rather than updating a tracker on the way.
    np.testing.assert_allclose(float(g.extras["g_class_loss"]), ce(fake_cls), rtol=1e-5)
    assert float(model.g_class_tracker.count) == 0


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_save_and_load_round_trip(case, tmp_path):
    model = _model(case, shape=(2,), num_classes=3)
    model.compile()
    model.enable_ema()
    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    y = np.arange(16, dtype="int32") % 3
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is case[0] and loaded.num_classes == 3
    assert loaded.conditioning == model.conditioning
    labels = [0, 2, 1, 2]
    for ema in (True, False):
        np.testing.assert_array_equal(loaded.generate(4, labels=labels, seed=3, ema=ema),
                                      model.generate(4, labels=labels, seed=3, ema=ema))
    for a, b in zip(model.discriminator.weights, loaded.discriminator.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert int(loaded.d_optimizer.iterations) == 1
    if case[0] is kg.models.ACGAN:      # the game comes back too: training resumes
        loaded.fit(x, y, batch_size=16, epochs=1, verbose=0)
        assert int(loaded.g_optimizer.iterations) == 2


# -- bad input --------------------------------------------------------------------------

def test_missing_num_classes_and_bad_conditioning():
    with pytest.raises(ValueError, match="needs `num_classes`"):
        kg.models.CGAN(data_shape=(8, 8, 1))
    with pytest.raises(ValueError, match="conditioning"):
        kg.models.CGAN(data_shape=(8, 8, 1), num_classes=3, conditioning="film")


def test_unlabelled_batches_are_rejected():
    model = _model(CASES[0])
    model.compile()
    with pytest.raises(ValueError, match="labels=True"):
        model.fit(kg.data.load("digits", batch_size=32), epochs=1, steps_per_epoch=1, verbose=0)


def test_float_and_out_of_range_labels_are_rejected():
    model = _model(CASES[1], shape=(2,), num_classes=3)
    model.compile(run_eagerly=True)
    x = np.zeros((8, 2), "float32")
    with pytest.raises(TypeError, match="Labels must be integers"):
        model.fit(x, np.zeros(8, "float32"), batch_size=8, verbose=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"labels must lie in \[0, 3\)"):
        model.fit(x, np.full(8, 3, "int32"), batch_size=8, verbose=0)


def test_generate_rejects_bad_labels():
    model = _model(CASES[0], num_classes=4)
    with pytest.raises(ValueError, match=r"must lie in \[0, 4\)"):
        model.generate(2, labels=[0, 4])
    with pytest.raises(ValueError, match="3 labels were given for n=2"):
        model.generate(2, labels=[0, 1, 2])
    with pytest.raises(TypeError, match="must be integers"):
        model.generate(2, labels=[0.5, 1.0])
    with pytest.raises(ValueError, match="1-D"):
        model.generate(2, labels=[[0, 1]])


def test_unconditional_networks_are_rejected():
    gen = kg.networks.mlp_generator(4, (2,))
    with pytest.raises(ValueError, match="takes two inputs"):
        kg.models.CGAN(generator=gen, num_classes=3)
    disc = kg.networks.mlp_discriminator((2,))
    cgen = kg.networks.conditional_generator(4, (2,), 3)
    with pytest.raises(ValueError, match="conditional_discriminator"):
        kg.models.CGAN(generator=cgen, discriminator=disc, num_classes=3)
    with pytest.raises(ValueError, match="auxiliary_classifier_discriminator"):
        kg.models.ACGAN(generator=cgen, discriminator=disc, num_classes=3)


def test_a_recipe_trains_a_cgan_on_labelled_data(tmp_path):
    from keras_gans import recipes

    recipe = recipes.resolve({
        "model": {"variant": "cgan", "num_classes": 10, "latent_dim": 8,
                  "conditioning": "projection",
                  "generator": {"network": "conditional_generator", "base_filters": 4},
                  "discriminator": {"network": "conditional_discriminator", "base_filters": 4,
                                    "conditioning": "projection"}},
        "data": {"name": "digits", "batch_size": 16, "labels": True},
        "schedule": {"epochs": 1, "steps_per_epoch": 2}})
    model = recipes.run(recipe, str(tmp_path), verbose=0)
    assert isinstance(model, kg.models.CGAN) and int(model.g_optimizer.iterations) == 2
    assert model.generator.get_layer("body").get_layer("to_image").filters == 1
    assert (tmp_path / "model.keras").exists() and os.listdir(tmp_path / "samples")
