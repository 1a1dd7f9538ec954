"""ProGAN: fade-in continuity, growth across stages, exact resume mid-fade."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg

SMALL = dict(latent_dim=8, fmap_base=64, max_filters=8)


def _model(resolution=16, **kwargs):
    return kg.models.ProGAN(data_shape=(resolution, resolution, 1), **{**SMALL, **kwargs})


def _images(n=8, size=16, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, 1)).astype("float32")


def _data(n=8, size=16):
    ds = tf.data.Dataset.from_tensor_slices(_images(n, size))
    return ds.batch(4, drop_remainder=True).repeat()


def _g(model, z):
    return keras.ops.convert_to_numpy(model.generator(z))


def _d(model, x):
    return keras.ops.convert_to_numpy(model.discriminator(x))


def test_fade_in_starts_where_the_previous_stage_ended():
    model = _model()
    z = model.latent_vectors(4, seed=0)
    x = _images(4)
    for stage in (1, 2):
        model.set_growth(stage - 1, 1.0)
        g_old, d_old = _g(model, z), _d(model, x)
        model.set_growth(stage, 0.0)
        np.testing.assert_allclose(_g(model, z), g_old, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(_d(model, x), d_old, rtol=1e-6, atol=1e-6)
        # The old output is the previous resolution's image upsampled: constant blocks.
        block = 16 // (4 * 2 ** (stage - 1))
        np.testing.assert_array_equal(g_old, np.repeat(np.repeat(
            g_old[:, ::block, ::block], block, axis=1), block, axis=2))
        # Halfway through the fade the output lies halfway between the old and the new one.
        model.set_growth(stage, 1.0)
        g_new = _g(model, z)
        assert not np.allclose(g_new, g_old)
        model.set_growth(stage, 0.5)
        np.testing.assert_allclose(_g(model, z), (g_old + g_new) / 2, rtol=1e-5, atol=1e-5)


def test_real_images_are_shown_at_the_current_resolution():
    model = _model()
    x = _images(2)
    pool = x.reshape(2, 8, 2, 8, 2, 1).mean(axis=(2, 4))                  # 8x8
    pool4 = pool.reshape(2, 4, 2, 4, 2, 1).mean(axis=(2, 4))              # 4x4

    def up(a, f):
        return np.repeat(np.repeat(a, f, axis=1), f, axis=2)

    model.set_growth(0)
    np.testing.assert_allclose(model.real_at_current_resolution(x), up(pool4, 4), atol=1e-6)
    model.set_growth(2, 1.0)
    np.testing.assert_allclose(model.real_at_current_resolution(x), x, atol=1e-6)
    model.set_growth(2, 0.25)   # fading in 16x16: blended with the 8x8 version
    np.testing.assert_allclose(model.real_at_current_resolution(x),
                               0.75 * up(pool, 2) + 0.25 * x, atol=1e-6)


def test_grows_from_4_to_16_in_a_few_steps_and_trains_only_live_blocks():
    model = _model(fade_steps=2, stable_steps=1)
    model.compile(jit_compile=False)
    assert model.num_stages == 2 and model.resolution == 4
    top = model.generator.get_layer("to_rgb_16").kernel
    top_before = top.numpy().copy()
    history = model.fit(_data(), epochs=1, steps_per_epoch=2, verbose=0)
    # Step 1 ends stage 0; step 2 is the first of the 8x8 fade.
    assert history.history["stage"][-1] == 1.0 and history.history["alpha"][-1] == 0.5
    np.testing.assert_array_equal(top.numpy(), top_before)  # 16x16 block not live yet: unchanged
    history = model.fit(_data(), epochs=1, steps_per_epoch=4, verbose=0)
    # Steps 3-6: 8x8 fully in, then 16x16 enters and fades to alpha 1 (the sixth step
    # trained at alpha 0.5: the new block learns).
    assert model.resolution == 16 and float(model.alpha.numpy()) == 1.0
    assert not np.allclose(top.numpy(), top_before)
    for name in ("d_loss", "g_loss", "gp", "drift"):
        assert np.isfinite(history.history[name][-1]), name
    assert int(model.g_optimizer.iterations) == 6
    levels = {float(layer.level.numpy()) for layer in model._fade_layers()}
    assert levels == {2.0}                                   # both networks on one schedule
    assert model.generate(3, seed=0).shape == (3, 16, 16, 1)


def test_save_and_load_mid_fade_resumes_exactly(tmp_path):
    model = _model(resolution=8, fade_steps=4, stable_steps=1)
    model.compile(run_eagerly=True)       # the growth test above traces the graph
    model.enable_ema()
    model.fit(_data(size=8), epochs=1, steps_per_epoch=3, verbose=0)
    assert (model.resolution, float(model.alpha.numpy())) == (8, 0.5)   # mid-fade
    path = str(tmp_path / "progan.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, kg.models.ProGAN) and loaded.has_ema
    assert (loaded.resolution, float(loaded.alpha.numpy()), int(loaded.phase_step.numpy())) \
        == (8, 0.5, 2)
    assert {float(layer.level.numpy()) for layer in loaded._fade_layers()} == {0.5}
    np.testing.assert_array_equal(loaded.generate(4, seed=1), model.generate(4, seed=1))
    assert loaded.fade_steps == 4 and loaded.d_steps == 1
    assert [p.name for p in loaded.gradient_penalties] == ["gp", "drift"]
    # Training on continues the fade where it stopped.
    loaded.run_eagerly = True
    loaded.fit(_data(size=8), epochs=1, steps_per_epoch=1, verbose=0)
    assert float(loaded.alpha.numpy()) == 0.75


def test_paper_defaults_and_bad_arguments():
    model = _model()
    model.compile()
    assert isinstance(model.loss_fn, kg.losses.Wasserstein) and model.d_steps == 1
    assert [(type(p).__name__, p.weight) for p in model.gradient_penalties] == \
        [("GradientPenalty", 10.0), ("Drift", 0.001)]
    assert float(model.d_optimizer.beta_1) == 0.0 and float(model.d_optimizer.beta_2) == 0.99
    assert kg.models.get("progan") is kg.models.ProGAN
    with pytest.raises(ValueError, match="power of two"):
        kg.models.ProGAN(data_shape=(12, 12, 3))
    with pytest.raises(ValueError, match="stage"):
        model.set_growth(3)
    with pytest.raises(ValueError, match="not `resolution` and `image_shape`"):
        kg.models.ProGAN(resolution=8, image_shape=(8, 8, 3))


def test_stage_networks_compute_what_the_whole_networks_compute_at_that_stage():
    model = _model()
    z = model.latent_vectors(4, seed=2)
    for stage, alpha in ((0, 1.0), (1, 0.3), (2, 0.6)):
        model.set_growth(stage, alpha)
        nets = model.stage_networks(stage)
        size = 4 * 2 ** stage
        small = keras.ops.convert_to_numpy(nets.generator(z))
        assert small.shape == (4, size, size, 1)
        block = 16 // size
        np.testing.assert_allclose(np.repeat(np.repeat(small, block, 1), block, 2),
                                   _g(model, z), rtol=1e-5, atol=1e-5)
        x = _images(4, size, seed=stage)
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(nets.discriminator(x)),
            _d(model, np.repeat(np.repeat(x, block, 1), block, 2)), rtol=1e-4, atol=1e-5)
        # The real images at the stage's size are those of the whole path, pooled back.
        full = keras.ops.convert_to_numpy(model.real_at_current_resolution(_images(2)))
        staged = keras.ops.convert_to_numpy(model.real_at_stage(_images(2), stage))
        np.testing.assert_allclose(staged, full[:, ::block, ::block], atol=1e-6)


def test_a_stage_runs_and_updates_only_its_own_blocks():
    import os
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
    import flops

    model = _model(fade_steps=100, stable_steps=100)
    model.compile(jit_compile=False)
    g0, d0 = model.stage_networks(0).generator, model.stage_networks(0).discriminator
    # 4x4 is far cheaper than the whole 16x16 networks, which the step no longer runs.
    assert flops.forward_macs(g0) * 4 < flops.forward_macs(model.generator)
    assert flops.forward_macs(d0) * 4 < flops.forward_macs(model.discriminator)
    # What throughput.py counts is what the step runs: the stage's networks.
    assert model.networks_in_training() == (g0, d0)
    names = {v.path.split("/")[-2] for v in model.player_variables("generator")}
    assert "b8_conv0" in names                       # outside a step: the whole network
    before = {v.path: v.numpy().copy() for v in model.generator.trainable_variables}
    model.fit(_data(), epochs=1, steps_per_epoch=2, verbose=0)
    assert model._traced_stage == 0
    moved = {path for v in model.generator.trainable_variables
             for path in [v.path] if not np.array_equal(v.numpy(), before[path])}
    assert moved and all("b8" not in p and "b16" not in p and "to_rgb_8" not in p
                         for p in moved)
    # Restored at another stage (a checkpoint, a jump), fit traces that stage's step.
    model.set_growth(2, 0.5)
    assert model.networks_in_training()[0] is model.stage_networks(2).generator
    model.fit(_data(), epochs=1, steps_per_epoch=1, verbose=0)
    assert model._traced_stage == 2
