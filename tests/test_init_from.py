"""Recipes start from a trained model's weights (init_from), to continue a preset's
training or fine-tune it; training.initialize_from copies networks, EMA and model state."""

import json
import os

import numpy as np
import pytest

import keras_gans as kg
from keras_gans import recipes


def _recipe(**changes):
    recipe = {
        "model": {"variant": "stylegan", "latent_dim": 8,
                  "style": "modulated", "mapping_layers": 1, "fmap_base": 32,
                  "max_filters": 8},
        "data": {"name": "digits", "image_size": 8, "batch_size": 16, "channels": 1},
        "optimizers": {"d_optimizer": {"name": "adam", "learning_rate": 1e-3},
                       "g_optimizer": {"name": "adam", "learning_rate": 1e-3}},
        "callbacks": {"sample_grid": None, "ema": {"decay": 0.5, "start_step": 0}},
        "schedule": {"epochs": 1, "steps_per_epoch": 2},
    }
    recipe.update(changes)
    return recipes.resolve(recipe)


# The tests of what init_from records, not of what it copies, train this instead: a
# StyleGAN step takes seconds to trace, a DCGAN step a fraction of that.
SMALL_DCGAN = {"variant": "dcgan", "latent_dim": 8}


def _weights(net):
    return [np.array(w) for w in net.get_weights()]


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """The source run of the tests below (they only read it): (model, its model.keras)."""
    out = tmp_path_factory.mktemp("first")
    return recipes.run(_recipe(), str(out), verbose=0), str(out / "model.keras")


def test_a_recipe_run_starts_from_the_weights_it_names(tmp_path, first):
    source, source_file = first
    assert source.has_ema and np.abs(np.asarray(source.w_avg)).sum() > 0
    # Learning rates far too small to move a float32 weight: what the second run ends with
    # is what it started from.
    frozen = {"d_optimizer": {"name": "sgd", "learning_rate": 1e-30},
              "g_optimizer": {"name": "sgd", "learning_rate": 1e-30}}
    recipe = _recipe(init_from=source_file, optimizers=frozen,
                     callbacks={"sample_grid": None, "ema": None})
    model = recipes.run(recipe, str(tmp_path / "second"), verbose=0)
    for net in ("generator", "discriminator", "ema_generator"):
        for got, want in zip(_weights(getattr(model, net)), _weights(getattr(source, net))):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(model.generate(4, seed=0), source.generate(4, seed=0))


def test_counting_the_training_of_a_source_that_does_not_record_it_is_refused(tmp_path,
                                                                             first):
    # A run's model.keras carries no metadata: counting its steps would count none, and the
    # average would restart from the raw generator. Refused before anything trains.
    _, source_file = first
    ema = {"decay": 0.999, "start_step": 1000, "count_source_steps": True}
    recipe = _recipe(init_from=source_file, callbacks={"sample_grid": None, "ema": ema})
    with pytest.raises(ValueError, match=r"count_source_steps.*start_step: 0"):
        recipes.run(recipe, str(tmp_path / "second"), verbose=0)
    assert not os.path.exists(tmp_path / "second" / "checkpoints")
    # Without a start step or ramp-up there is nothing to count, so nothing to refuse.
    recipe["callbacks"]["ema"] = {"decay": 0.999, "start_step": 0, "count_source_steps": True}
    recipes._check_source_training_is_countable(recipe)


def test_a_resumed_run_keeps_its_own_checkpoint_not_the_source(tmp_path):
    source = recipes.run(_recipe(model=SMALL_DCGAN), str(tmp_path / "first"), verbose=0)
    recipe = _recipe(model=SMALL_DCGAN, init_from=str(tmp_path / "first" / "model.keras"))
    out = str(tmp_path / "second")
    trained = recipes.run(recipe, out, verbose=0)
    recipe["schedule"]["epochs"] = 2
    resumed = recipes.run(recipe, out, verbose=0)
    # The resumed run started from its own epoch-1 weights, so it ends elsewhere than a
    # run freshly initialised from the source would: compare with the first run's weights.
    assert not np.allclose(_weights(resumed.generator)[0], _weights(source.generator)[0])
    assert not np.allclose(_weights(resumed.generator)[0], _weights(trained.generator)[0])


def test_initialize_copies_the_model_state_outside_the_networks():
    source = kg.models.StyleGAN(data_shape=(8, 8, 1), latent_dim=8, style="modulated",
                                mapping_layers=1, fmap_base=32, max_filters=8)
    source.w_avg.assign(np.arange(source.w_dim, dtype="float32"))
    source.enable_ema()
    target = kg.models.StyleGAN(data_shape=(8, 8, 1), latent_dim=8, style="modulated",
                                mapping_layers=1, fmap_base=32, max_filters=8)
    kg.training.initialize_from(target, source)
    assert target.has_ema
    np.testing.assert_array_equal(np.asarray(target.w_avg), np.arange(source.w_dim))
    np.testing.assert_allclose(target.generate(2, seed=0, truncation_psi=0.5),
                               source.generate(2, seed=0, truncation_psi=0.5))


def test_a_source_of_another_architecture_is_refused_by_name():
    wide = kg.models.StyleGAN(data_shape=(8, 8, 1), latent_dim=8, style="modulated",
                              mapping_layers=1, fmap_base=64, max_filters=16)
    narrow = kg.models.StyleGAN(data_shape=(8, 8, 1), latent_dim=8, style="modulated",
                                mapping_layers=1, fmap_base=32, max_filters=8)
    with pytest.raises(ValueError, match="generator of the source does not fit"):
        kg.training.initialize_from(narrow, wide)


def test_a_preset_built_from_a_continued_run_counts_the_training_behind_it(tmp_path):
    from keras_gans import preset_builder, presets

    zoo = str(tmp_path / "zoo")
    data = {"name": "digits", "image_size": 8, "batch_size": 64, "channels": 1}
    # The source preset: 2 steps of 64 (0.1 kimg), published with 7 s of compute.
    source_run = tmp_path / "source_run"
    recipes.run(_recipe(model=SMALL_DCGAN, data=data), str(source_run), verbose=0)
    (source_run / "compute.json").write_text('{"wall_time_s": 7}')
    source = preset_builder.build_preset(str(source_run), "tiny-dcgan", "zoo/recipes/x.yaml",
                                         "digits", zoo=zoo)
    assert presets.read_metadata(source)["training"]["kimg"] == 0.1
    # A run continuing it, 2 steps more, then republished under the same name.
    out = tmp_path / "continued"
    recipes.run(_recipe(model=SMALL_DCGAN, data=data, init_from=source), str(out), verbose=0)
    recorded = presets.read_json(str(out / "init_from.json"))
    assert recorded["name"] == "tiny-dcgan" and recorded["training"]["steps"] == 2
    assert recorded["weights_sha256"] == presets.sha256(os.path.join(source, "model.weights.h5"))
    (out / "compute.json").write_text('{"wall_time_s": 5}')
    folder = preset_builder.build_preset(str(out), "tiny-dcgan", "zoo/recipes/x.yaml",
                                         "digits", zoo=zoo)
    meta = presets.read_metadata(folder)
    assert meta["training"]["continued_from"]["preset"] == "tiny-dcgan"
    assert meta["training"]["total_kimg"] == 0.2
    assert meta["compute"]["total_wall_time_s"] == 12
    card = open(os.path.join(folder, "README.md")).read()
    assert "started from the weights of `tiny-dcgan`" in card and "12 s of training" in card
    # Building the same run again does not count the source twice.
    preset_builder.build_preset(str(out), "tiny-dcgan", "zoo/recipes/x.yaml", "digits", zoo=zoo)
    assert presets.read_metadata(folder)["compute"]["total_wall_time_s"] == 12


def test_a_runs_best_model_counts_the_training_its_run_recorded(tmp_path):
    import shutil

    from keras_gans import preset_builder, presets

    data = {"name": "digits", "image_size": 8, "batch_size": 64, "channels": 1}
    source_run = tmp_path / "source_run"
    recipes.run(_recipe(model=SMALL_DCGAN, data=data), str(source_run), verbose=0)
    # What callbacks.evaluation.keep_best leaves in a run: best/model.keras and best.json
    # with the kept step and the training clock's segments up to it.
    (source_run / "best").mkdir()
    best = str(source_run / "best" / "model.keras")
    shutil.copy(source_run / "model.keras", best)
    segments = [{"from_step": 0, "to_step": 1, "wall_s": 4.0, "cpu_s": 7.0},
                {"from_step": 1, "to_step": 2, "wall_s": 3.0, "cpu_s": 5.0}]
    (source_run / "best" / "best.json").write_text(
        json.dumps({"monitor": "fid", "value": 9.0, "step": 2, "compute": segments}))
    assert recipes.source_metadata(best)["training"] == {"steps": 2, "kimg": 0.128}
    assert recipes.source_metadata(str(source_run / "model.keras")) is None
    # Its training can be counted by the average, and is counted by a preset built later.
    ema = {"decay": 0.999, "start_step": 1000, "count_source_steps": True}
    out = tmp_path / "continued"
    recipes.run(_recipe(model=SMALL_DCGAN, data=data, init_from=best,
                        callbacks={"sample_grid": None, "ema": ema}), str(out), verbose=0)
    assert recipes.source_steps(str(out), 64) == pytest.approx(2)
    (out / "compute.json").write_text('{"wall_time_s": 5}')
    folder = preset_builder.build_preset(str(out), "tiny-dcgan", "zoo/recipes/x.yaml",
                                         "digits", zoo=str(tmp_path / "zoo"))
    meta = presets.read_metadata(folder)
    assert meta["training"]["continued_from"]["run_step"] == 2
    assert meta["training"]["total_kimg"] == 0.2   # 0.128 + this run's kimg to 0.1: 0.1
    assert meta["compute"]["total_wall_time_s"] == 12
    card = open(os.path.join(folder, "README.md")).read()
    assert "(the best model its run kept, at step 2)" in card and "as then published" not in card
    # A run continued from that run's best model counts both runs.
    (out / "best").mkdir()
    shutil.copy(out / "model.keras", out / "best" / "model.keras")
    (out / "best" / "best.json").write_text(json.dumps({"step": 2, "compute": segments}))
    chained = recipes.source_metadata(str(out / "best" / "model.keras"))
    assert chained["training"]["total_kimg"] == 0.256
    assert chained["compute"]["total_wall_time_s"] == 14
