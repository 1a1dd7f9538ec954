"""Every variant's ``discriminator_objective`` and ``generator_objective`` return the same
named structures (``keras_gans.models.objectives``), whatever they measure, and update no
tracker themselves: the loop tracks what they return, under the metrics' names."""

import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans.models.objectives import DiscriminatorObjective, GeneratorObjective
from keras_gans.penalties import R1


def _images(n, seed, shape=(8, 8, 1)):
    return tf.constant(np.random.default_rng(seed).uniform(-1, 1, (n, *shape)), tf.float32)


def _gan_r1():
    model = kg.models.GAN(data_shape=(3,), latent_dim=2)
    model.compile(penalties=[R1(1.0)])
    x = tf.constant(np.random.default_rng(0).normal(size=(4, 3)), tf.float32)
    return model, x, model.generator(model.latent_vectors(4, seed=1)), None, {"r1"}, set()


def _acgan():
    model = kg.models.ACGAN(data_shape=(2,), latent_dim=4, num_classes=3)
    model.compile()
    labels = tf.constant([[0], [1], [2], [1]], tf.int32)
    x = tf.constant(np.random.default_rng(0).normal(size=(4, 2)), tf.float32)
    fake = model.generate_fake(tf.constant(model.latent_vectors(4, seed=1)), labels,
                              training=False)
    return model, x, fake, labels, {"d_class_loss", "class_accuracy"}, {"g_class_loss"}


def _sgan():
    disc = kg.networks.classifier_discriminator((8, 8, 1), 10, hidden_units=(8,))
    model = kg.models.SGAN(data_shape=(8, 8, 1), latent_dim=4, num_classes=10,
                           discriminator=disc)
    model.compile()
    real = _images(4, 0)
    condition = {"labels": tf.constant([3, -1, 7, -1]), "real": real}
    return (model, real, _images(4, 1), condition, {"d_supervised_loss", "class_accuracy"},
            set())


def _biggan():
    model = kg.models.BigGAN(data_shape=(16, 16, 1), num_classes=3, latent_dim=12, ch=2,
                             shared_dim=4)
    model.compile(run_eagerly=True)
    labels = tf.constant([[0], [2]], tf.int32)
    fake = model.generate_fake(tf.constant(model.latent_vectors(2, seed=1)), labels,
                              training=False)
    return (model, _images(2, 0, (16, 16, 1)), fake, labels, set(),
            {model.orthogonal_regularization.name})


CASES = {"gan-r1": _gan_r1, "acgan": _acgan, "sgan": _sgan, "biggan": _biggan}


@pytest.mark.parametrize("name", sorted(CASES))
def test_objectives_return_named_structures_and_track_nothing(name):
    model, real, fake, condition, d_extras, g_extras = CASES[name]()
    d = model.discriminator_objective(real, fake, condition, training=False)
    g = model.generator_objective(fake, condition, training=False)
    assert type(d) is DiscriminatorObjective and type(g) is GeneratorObjective
    assert set(d.extras) == d_extras and set(g.extras) == g_extras
    assert d.real_scores.shape[0] == real.shape[0] == d.fake_scores.shape[0]
    assert np.isfinite(float(d.loss)) and np.isfinite(float(g.loss))
    # Computing an objective measures; it does not add to any tracker.
    assert all(float(m.count) == 0 for m in model.metrics if hasattr(m, "count"))
    # What they measured is named after one of the model's metrics, which the loop updates.
    names = {m.name for m in model.metrics}
    assert d_extras | g_extras <= names
    labels = condition["labels"] if isinstance(condition, dict) else condition
    model.test_step(real if labels is None else (real, labels))
    trackers = {m.name: m for m in model.metrics}
    for key in {"d_loss", "g_loss", *d_extras, *g_extras}:
        assert float(trackers[key].count) == 1, key
