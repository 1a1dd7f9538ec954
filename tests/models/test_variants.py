"""Each variant trains on the embedded digits and on a 2-D toy; checks the game's rules."""

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans import penalties

VARIANTS = [kg.models.GAN, kg.models.DCGAN, kg.models.WGAN, kg.models.WGANGP]
STEPS = 3


def _weights(net):
    return [w.numpy().copy() for w in net.trainable_weights]


def _changed(before, net):
    return any(not np.allclose(a, b.numpy()) for a, b in zip(before, net.trainable_weights))


@pytest.fixture(scope="module")
def digits():
    return kg.data.load("digits", batch_size=32, seed=0)


@pytest.fixture(scope="module")
def ring():
    return kg.data.load("ring8", batch_size=64, seed=0, num_examples=2048)


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.__name__)
@pytest.mark.parametrize("data", ["digits", "ring"])
def test_variant_trains_a_few_steps(variant, data, request):
    ds = request.getfixturevalue(data)
    shape = (8, 8, 1) if data == "digits" else (2,)
    model = variant(data_shape=shape, latent_dim=16)
    model.compile()
    g_before, d_before = _weights(model.generator), _weights(model.discriminator)

    history = model.fit(ds, epochs=1, steps_per_epoch=STEPS, verbose=0)

    for name in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert np.isfinite(history.history[name][-1]), name
    assert _changed(g_before, model.generator)
    assert _changed(d_before, model.discriminator)
    # Algorithm 1: d_steps discriminator updates for each generator update.
    assert int(model.g_optimizer.iterations) == STEPS
    assert int(model.d_optimizer.iterations) == STEPS * model.d_steps
    assert model.generate(4, seed=0).shape == (4, *shape)


def test_paper_defaults():
    wgan = kg.models.WGAN(data_shape=(8, 8, 1), latent_dim=8)
    wgan.compile()
    assert wgan.d_steps == 5 and isinstance(wgan.loss_fn, kg.losses.Wasserstein)
    assert isinstance(wgan.d_optimizer, keras.optimizers.RMSprop)
    assert np.isclose(float(wgan.d_optimizer.learning_rate), 5e-5)
    assert wgan.projections[0].clip_value == 0.01

    gp = kg.models.WGANGP(data_shape=(8, 8, 1), latent_dim=8)
    gp.compile()
    assert gp.d_steps == 5 and gp.gradient_penalties[0].weight == 10.0
    assert isinstance(gp.d_optimizer, keras.optimizers.Adam)
    assert (float(gp.d_optimizer.beta_1), float(gp.d_optimizer.beta_2)) == (0.5, 0.9)
    assert np.isclose(float(gp.g_optimizer.learning_rate), 1e-4)
    layer_types = {type(layer).__name__ for layer in gp.discriminator.layers}
    assert "BatchNormalization" not in layer_types

    dcgan = kg.models.DCGAN(data_shape=(8, 8, 1), latent_dim=8)
    dcgan.compile()
    assert dcgan.d_steps == 1 and isinstance(dcgan.loss_fn, kg.losses.NonSaturating)
    assert np.isclose(float(dcgan.d_optimizer.learning_rate), 2e-4)


def test_wgan_critic_weights_stay_clipped(digits):
    model = kg.models.WGAN(data_shape=(8, 8, 1), latent_dim=8)
    model.compile(d_optimizer=keras.optimizers.RMSprop(0.5))  # big steps, clipping must hold
    model.fit(digits, epochs=1, steps_per_epoch=2, verbose=0)
    for w in model.discriminator.trainable_weights:
        assert np.abs(w.numpy()).max() <= 0.01 + 1e-7


def test_compile_overrides_and_minimax_loss(ring):
    model = kg.models.GAN(data_shape=(2,), latent_dim=4)
    model.compile(loss="minimax", d_steps=2, penalties=[penalties.R1(1.0)])
    history = model.fit(ring, epochs=1, steps_per_epoch=2, verbose=0)
    assert isinstance(model.loss_fn, kg.losses.Minimax)
    assert int(model.d_optimizer.iterations) == 4
    # Penalty values are tracked under their name.
    assert np.isfinite(history.history["r1"][-1])


def test_split_real_batch_gives_each_critic_update_its_own_minibatch():
    import tensorflow as tf

    model = kg.models.WGANGP(data_shape=(2,), latent_dim=4)
    model.compile(split_real_batch=True)
    seen = []
    original = model.discriminator_step

    def spy(real, fake, condition=None):
        seen.append(real)
        return original(real, fake, condition)

    model.discriminator_step = spy
    batch = tf.reshape(tf.range(22, dtype=tf.float32), (11, 2))  # 5 critic steps of 2, 1 left
    model.train_step(batch)
    assert [tuple(r.shape) for r in seen] == [(2, 2)] * 5
    firsts = [float(r[0, 0]) for r in seen]
    assert firsts == [0.0, 4.0, 8.0, 12.0, 16.0]  # consecutive, non-overlapping slices
    assert int(model.d_optimizer.iterations) == 5 and int(model.g_optimizer.iterations) == 1


@pytest.mark.parametrize("split", [False, True])
def test_a_traced_step_loops_over_the_critic_updates_and_matches_the_eager_step(split):
    # Traced without a strategy, the first d_steps - 1 critic updates run in one
    # tf.while_loop; eagerly they are a Python loop. Same weights, seed and batch: the
    # same updates. SGD, not Adam, whose first updates are the gradients' signs whatever
    # their size.
    import tensorflow as tf

    def build():
        keras.utils.set_random_seed(3)
        model = kg.models.WGANGP(data_shape=(6,), latent_dim=4)
        model.compile(split_real_batch=split, d_optimizer=keras.optimizers.SGD(1e-2),
                      g_optimizer=keras.optimizers.SGD(1e-2))
        return model

    batch = tf.constant(np.random.default_rng(0).normal(size=(10, 6)), tf.float32)
    eager, traced = build(), build()
    eager.train_step(batch)
    step = tf.function(traced.train_step)
    step(batch)
    ops = {op.type for op in step.get_concrete_function(batch).graph.get_operations()}
    assert ops & {"While", "StatelessWhile"}, sorted(ops)
    assert int(traced.d_optimizer.iterations) == 5 and int(traced.g_optimizer.iterations) == 1
    for a, b in zip(eager.generator.weights + eager.discriminator.weights,
                    traced.generator.weights + traced.discriminator.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


def test_under_xla_the_critic_updates_stay_unrolled():
    # XLA ran the looped updates some 20 times slower on a CPU (benchmarks/README.md).
    import tensorflow as tf

    model = kg.models.WGANGP(data_shape=(6,), latent_dim=4)
    model.compile(jit_compile=True)
    batch = tf.zeros((4, 6))
    step = tf.function(model.train_step)
    ops = {op.type for op in step.get_concrete_function(batch).graph.get_operations()}
    assert not ops & {"While", "StatelessWhile"}
    step(batch)
    assert int(model.d_optimizer.iterations) == 5 and int(model.g_optimizer.iterations) == 1


def test_evaluate_reports_the_same_metrics(digits):
    model = kg.models.WGANGP(data_shape=(8, 8, 1), latent_dim=8)
    model.compile()
    logs = model.evaluate(digits.take(2), return_dict=True, verbose=0)
    assert {"d_loss", "g_loss", "d_real", "d_fake", "gp"} <= set(logs)
    assert all(np.isfinite(v) for v in logs.values())


def test_evaluate_changes_no_weights_or_batch_norm_statistics(digits):
    model = kg.models.DCGAN(data_shape=(8, 8, 1), latent_dim=8)
    model.compile()
    before = [w.numpy().copy() for w in model.generator.weights + model.discriminator.weights]
    model.evaluate(digits.take(2), verbose=0)
    after = model.generator.weights + model.discriminator.weights
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(before, after))


def test_generate_is_deterministic_for_a_seed():
    model = kg.models.DCGAN(data_shape=(8, 8, 1), latent_dim=8)
    a, b = model.generate(6, seed=7), model.generate(6, seed=7)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, model.generate(6, seed=8))
    assert a.dtype == np.float32 and a.min() >= -1 and a.max() <= 1
    # Batching does not change the result.
    np.testing.assert_allclose(model.generate(6, seed=7, batch_size=4), a, atol=1e-6)


@pytest.mark.parametrize("variant", [kg.models.DCGAN, kg.models.WGANGP], ids=lambda v: v.__name__)
def test_save_and_load_round_trip(variant, digits, tmp_path):
    model = variant(data_shape=(8, 8, 1), latent_dim=8)
    model.compile()
    model.fit(digits, epochs=1, steps_per_epoch=2, verbose=0)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)

    assert type(loaded) is variant
    np.testing.assert_array_equal(loaded.generate(8, seed=3), model.generate(8, seed=3))
    for a, b in zip(model.discriminator.weights, loaded.discriminator.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # The game and the optimizers' state come back too, so training resumes.
    assert loaded.d_steps == model.d_steps
    assert type(loaded.loss_fn) is type(model.loss_fn)
    assert int(loaded.d_optimizer.iterations) == int(model.d_optimizer.iterations)
    loaded.fit(digits, epochs=1, steps_per_epoch=1, verbose=0)
    assert int(loaded.g_optimizer.iterations) == 3


def test_custom_networks_replace_the_defaults(ring):
    gen = kg.networks.mlp_generator(3, (2,), hidden_units=(16,), output_activation=None)
    disc = kg.networks.mlp_discriminator((2,), hidden_units=(16,))
    model = kg.models.WGANGP(generator=gen, discriminator=disc)
    assert model.generator is gen and model.discriminator is disc
    assert model.latent_dim == 3 and model.data_shape == (2,)
    model.compile()
    model.fit(ring, epochs=1, steps_per_epoch=1, verbose=0)


# -- bad input --------------------------------------------------------------------------

def test_wrong_rank_is_rejected(digits):
    model = kg.models.DCGAN(data_shape=(8, 8, 1), latent_dim=8)
    model.compile()
    flat = digits.map(lambda x: x[..., 0])
    with pytest.raises(ValueError, match="Expected batches of rank 4"):
        model.fit(flat, epochs=1, steps_per_epoch=1, verbose=0)


def test_wrong_image_shape_is_rejected():
    model = kg.models.DCGAN(data_shape=(8, 8, 1), latent_dim=8)
    model.compile()
    ds = kg.data.load("digits", batch_size=16, image_size=16)
    with pytest.raises(ValueError, match=r"Expected examples of shape \(8, 8, 1\); received "
                                         r"\(16, 16, 1\)"):
        model.fit(ds, epochs=1, steps_per_epoch=1, verbose=0)


def test_non_float_data_is_rejected():
    model = kg.models.GAN(data_shape=(8, 8, 1), latent_dim=8)
    model.compile()
    images = np.zeros((32, 8, 8, 1), "uint8")
    with pytest.raises(TypeError, match="Expected float examples scaled to \\[-1, 1\\]"):
        model.fit(images, batch_size=16, epochs=1, verbose=0)


def test_empty_data_is_rejected():
    import tensorflow as tf

    model = kg.models.GAN(data_shape=(2,), latent_dim=4)
    model.compile()
    empty = tf.data.Dataset.from_tensor_slices(np.zeros((0, 2), "float32")).batch(4)
    with pytest.raises(ValueError, match="empty"):
        model.fit(empty, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="empty"):
        model.fit(np.zeros((0, 2), "float32"), epochs=1, verbose=0)


def test_bad_compile_arguments_are_rejected():
    model = kg.models.GAN(data_shape=(2,), latent_dim=4)
    with pytest.raises(ValueError, match="Unknown adversarial loss 'wgan-gpp'"):
        model.compile(loss="wgan-gpp")
    with pytest.raises(ValueError, match="d_steps"):
        model.compile(d_steps=0)
    with pytest.raises(ValueError, match="d_optimizer and g_optimizer"):
        model.compile(optimizer="adam")
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two different optimizer"):
        model.compile(d_optimizer=opt, g_optimizer=opt)


def test_mismatched_networks_are_rejected():
    gen = kg.networks.mlp_generator(4, (3,))
    disc = kg.networks.mlp_discriminator((2,))
    with pytest.raises(ValueError, match="Shapes disagree"):
        kg.models.GAN(generator=gen, discriminator=disc)
    with pytest.raises(ValueError, match="latent_dim=5"):
        kg.models.GAN(generator=gen, latent_dim=5)
    with pytest.raises(ValueError, match="needs the shape of one example"):
        kg.models.GAN(latent_dim=4)
