import json
import os

import keras
import numpy as np
import pytest

import keras_gans as kg


@pytest.fixture
def policy():
    def set_policy(name):
        keras.mixed_precision.set_global_policy(name)

    yield set_policy
    keras.mixed_precision.set_global_policy("float32")


def _penalty(model, real, fake):
    value = model.gradient_penalties[0](lambda x: model.critic(x), real, fake,
                                        keras.random.SeedGenerator(11),
                                        model._penalty_gradient_scale())
    return float(value)


@pytest.mark.parametrize("variant,name", [
    (kg.models.WGANGP, "mixed_float16"), (kg.models.WGANGP, "mixed_bfloat16"),
    (kg.models.GAN, "mixed_float16"), (kg.models.DCGAN, "mixed_float16"),
    (kg.models.WGAN, "mixed_float16")], ids=lambda v: getattr(v, "__name__", v))
def test_variants_train_without_nan(policy, variant, name):
    policy(name)
    model = variant(data_shape=(8, 8, 1), latent_dim=8)
    model.compile()
    assert model.discriminator.dtype_policy.name == name
    wrapped = isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert wrapped == (name == "mixed_float16")  # loss scaling only where float16 needs it
    history = model.fit(kg.data.load("digits", 32, seed=0), epochs=1, steps_per_epoch=3,
                        verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    for w in model.generator.weights + model.discriminator.weights:
        assert np.all(np.isfinite(keras.ops.convert_to_numpy(w.value)))
    assert np.all(np.isfinite(model.generate(4, seed=0)))


def test_float16_gradient_penalty_matches_float32(policy):
    real = kg.data.load_digits_arrays()[0][:16]
    fake = np.random.default_rng(0).uniform(-1, 1, real.shape).astype("float32")
    reference = kg.models.WGANGP(data_shape=(8, 8, 1), latent_dim=8)
    reference.compile()
    expected = _penalty(reference, real, fake)

    policy("mixed_float16")
    mixed = kg.models.WGANGP(data_shape=(8, 8, 1), latent_dim=8)
    mixed.compile()
    mixed.set_weights(reference.get_weights())
    assert float(mixed._penalty_gradient_scale()) > 1  # the inner gradient is loss-scaled
    np.testing.assert_allclose(_penalty(mixed, real, fake), expected, rtol=2e-2)


def test_mixed_float16_step_equals_the_float32_hand_gradients(policy):
    """One step of the shared loop in mixed_float16 (linear players, non-saturating loss,
    gradient penalty 0.7 below norm 1, SGD with learning rate 1 under dynamic loss
    scaling) against the float32 update written out in tests/models/test_objectives.py,
    to float16's precision. Catches a loss scale left in the applied gradients (updates
    32768 times too big), a penalty whose inner gradient is scaled but not unscaled, or a
    step skipped as non-finite."""
    import tensorflow as tf

    from tests.models import _hand as H
    from tests.models.test_objectives import _players, reference_shared_loop

    policy("mixed_float16")
    rng = np.random.default_rng(0)
    g, d, gw, dw = _players(rng, d_norm=0.5)
    assert d.layers[-1].compute_dtype == "float16"
    real = H.rng_array(rng, (4, 3), 1.0) + 1.0
    z = H.rng_array(rng, (4, 2), 1.0)
    model = kg.models.GAN(generator=g, discriminator=d)
    model.compile(d_optimizer=H.sgd(), g_optimizer=H.sgd(), loss="non_saturating",
                  penalties=[kg.penalties.GradientPenalty(0.7)])
    assert isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    H.fixed_noise(model, [z])
    model.train_step(tf.constant(real))

    exp_g, exp_d = reference_shared_loop("non_saturating", gw, dw, [real], [z], gp_weight=0.7)
    for net, expected, start in ((d, exp_d, dw), (g, exp_g, gw)):
        for w, e, s in zip(net.trainable_weights, expected, start):
            assert not np.allclose(e, s)
            np.testing.assert_allclose(keras.ops.convert_to_numpy(w.value), e, rtol=1e-2,
                                       atol=5e-3, err_msg=w.path)


def _tiny_recipe(**changes):
    recipe = {"model": {"variant": "stylegan", "latent_dim": 8, "style": "modulated",
                        "mapping_layers": 1, "fmap_base": 32, "max_filters": 8},
              "data": {"name": "digits", "image_size": 8, "batch_size": 16, "channels": 1},
              "optimizers": {"d_optimizer": {"name": "adam", "learning_rate": 1e-3},
                             "g_optimizer": {"name": "adam", "learning_rate": 1e-3}},
              "callbacks": {"sample_grid": None, "ema": {"decay": 0.5, "start_step": 0}},
              "schedule": {"epochs": 1, "steps_per_epoch": 2}}
    recipe.update(changes)
    return kg.recipes.resolve(recipe)


def test_a_recipe_trains_under_its_precision_and_its_preset_computes_in_float32(
        tmp_path, monkeypatch, capsys):
    from keras_gans import bfloat16_speed, preset_builder, presets

    # As on a CPU where bfloat16 is emulated: the run says so before it trains.
    monkeypatch.setattr(bfloat16_speed, "convolution_rates",
                        lambda: {"float32": 120.0, "bfloat16": 60.0})
    out = tmp_path / "run"
    model = kg.recipes.run(_tiny_recipe(precision="mixed_bfloat16"), str(out), verbose=0)
    assert ("Warning: precision mixed_bfloat16 on this CPU: a 3x3 convolution runs at 60 "
            "GFLOP/s in bfloat16 against 120 in float32" in capsys.readouterr().out)
    assert keras.mixed_precision.global_policy().name == "float32"   # restored after the run
    policies = {layer.dtype_policy.name for layer in model.generator.layers}
    assert "mixed_bfloat16" in policies
    folder = preset_builder.build_preset(str(out), "tiny-bf16", "zoo/recipes/x.yaml", "digits",
                                         zoo=str(tmp_path / "zoo"))
    preset = presets.load_folder(folder)
    assert {layer.dtype_policy.name for layer in preset.generator.layers} == {"float32"}
    assert presets.read_metadata(folder)["training"]["precision"] == "mixed_bfloat16"
    assert "Trained under the `mixed_bfloat16` dtype policy" in open(
        os.path.join(folder, presets.CARD_NAME)).read()
    # The same weights: float32 arithmetic draws what bfloat16's did, to its precision.
    np.testing.assert_allclose(preset.generate(4, seed=0), model.generate(4, seed=0), atol=0.1)
    for mine, theirs in zip(preset.ema_generator.weights, model.ema_generator.weights):
        np.testing.assert_array_equal(np.asarray(mine), np.asarray(theirs))
    # A run may resume under another precision (the checkpoints hold float32 variables).
    recipe = _tiny_recipe(precision="float32")
    recipe["schedule"]["epochs"] = 2
    resumed = kg.recipes.run(recipe, str(out), verbose=0)
    assert {layer.dtype_policy.name for layer in resumed.generator.layers} == {"float32"}
    # The change is recorded with the step it took effect at, and the card says which
    # steps ran under which precision.
    with open(out / "history.json") as f:
        (change,) = json.load(f)["recipe_changes"]
    assert change["step"] == 2 and change["resumed_from"].endswith("ckpt-00000002")
    folder = preset_builder.build_preset(str(out), "tiny-mixed", "zoo/recipes/x.yaml",
                                         "digits", zoo=str(tmp_path / "zoo"))
    metadata = presets.read_metadata(folder)
    assert metadata["training"]["precision_phases"] == [
        {"from_step": 0, "precision": "mixed_bfloat16"},
        {"from_step": 2, "precision": "float32"}]
    # The checkpoints timed both segments of the run, and the card says so.
    assert [(s["from_step"], s["to_step"]) for s in metadata["compute"]["segments"]] == [
        (0, 2), (2, 4)]
    assert "CPU-seconds) on" in open(os.path.join(folder, presets.CARD_NAME)).read()
    assert ("dtype policies `mixed_bfloat16` for steps 0-1, then `float32` from step 2"
            in open(os.path.join(folder, presets.CARD_NAME)).read())


def test_an_unknown_precision_is_refused_with_the_choices():
    with pytest.raises(kg.recipe_schema.RecipeError, match="precision: must be one of "
                                                          "'float32', 'mixed_bfloat16'"):
        _tiny_recipe(precision="bfloat16")
