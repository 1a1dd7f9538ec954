"""`keras-gans zoo` builds the presets; `python tools/make_preset.py` is the same command."""

import os
import re
import subprocess
import sys

import pytest

from keras_gans import cli, preset_builder

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERBS = ("build", "measure", "index", "snapshot", "examples", "build-tabular", "fold-averages", "fold-ema")


def test_keras_gans_zoo_lists_the_preset_builders_verbs(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["zoo", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: keras-gans zoo")
    assert all(verb in out for verb in VERBS)


def test_the_top_level_help_names_the_zoo_command(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "zoo" in capsys.readouterr().out


def test_tools_make_preset_takes_the_same_arguments(capsys):
    # People's notes run `python tools/make_preset.py snapshot RUN DEST` and
    # `... build RUN --name ... --fold-ema`: the same parser answers (the script's main
    # is the builder's: next test).
    shim = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "make_preset.py"),
                           "build", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert shim.returncode == 0, shim.stderr
    for option in ("run", "--name", "--recipe", "--dataset", "--fold-ema", "--fold-averages", "--metrics"):
        assert option in shim.stdout
    with pytest.raises(SystemExit) as stop:
        preset_builder.main(["snapshot"])
    assert stop.value.code == 2 and "run, dest" in capsys.readouterr().err


def test_the_builders_functions_stay_importable_from_the_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_preset", os.path.join(ROOT, "tools", "make_preset.py"))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.main is preset_builder.main
    assert tool.build_preset is preset_builder.build_preset
    assert tool.snapshot_run is preset_builder.snapshot_run


class _AlwaysZero:
    """A stand-in evaluator that reads every image as class 0."""

    def predict(self, images, batch_size=None, verbose=0):
        import numpy as np

        logits = np.zeros((len(images), 3), "float32")
        logits[:, 0] = 1.0
        return logits


def test_label_accuracy_counts_each_requested_class_and_names_its_protocol():
    import keras_gans as kg

    model = kg.models.CGAN(data_shape=(8, 8, 1), latent_dim=4, num_classes=3)
    result = preset_builder.label_accuracy(model, _AlwaysZero(), "mnist", per_class=5)
    assert result["per_class"] == [1.0, 0.0, 0.0]
    assert result["accuracy"] == round(1 / 3, 4)
    assert "generate(15, labels=5 of each of 0..2, seed=0)" in result["protocol"]
    assert "Label accuracy: 33.33%" in preset_builder.label_accuracy_sentence(result)


def test_fold_ema_rewrites_a_preset_with_one_generator_and_the_same_samples(tmp_path):
    import json

    import keras
    import numpy as np

    import keras_gans as kg
    from keras_gans import presets

    keras.utils.set_random_seed(0)
    model = kg.models.DCGAN(data_shape=(8, 8, 1), latent_dim=4)
    model.enable_ema()
    # An EMA generator that differs from the raw one, as after training.
    model.ema_generator.set_weights([w + 0.1 for w in model.generator.get_weights()])
    folder = tmp_path / "tiny"
    presets.save_preset(model, str(folder), {"name": "tiny", "ema": True})
    (folder / presets.CARD_NAME).write_text(
        f"- Networks: G and D, 9 parameters{preset_builder.EMA_NOTE}.\n")
    expected = presets.load_folder(str(folder)).generate(6, seed=2)

    before, after = preset_builder.fold_preset_averages("tiny", zoo=str(tmp_path))
    assert after < 0.75 * before
    folded = presets.load_folder(str(folder))   # the manifest was rewritten too
    assert not folded.has_ema and folded.samples_from_ema
    np.testing.assert_array_equal(folded.generate(6, seed=2), expected)
    assert json.loads((folder / presets.METADATA_NAME).read_text())["ema"] \
        == preset_builder.FOLDED_METADATA
    assert preset_builder.FOLDED_NOTE in (folder / presets.CARD_NAME).read_text()
    with pytest.raises(SystemExit, match="keeps no separate averages"):
        preset_builder.fold_preset_averages("tiny", zoo=str(tmp_path))


def test_a_run_says_how_it_was_computed_or_the_default_is_recorded(tmp_path):
    import json

    (tmp_path / "recipe.yaml").write_text("seed: 0\n")
    (tmp_path / "model.keras").write_text("")
    compute = preset_builder._run_compute(str(tmp_path))
    assert compute["threads"] is None and compute["machine"].endswith("shared with other jobs")
    (tmp_path / "compute.json").write_text(json.dumps(
        {"wall_time_s": 181, "threads": "default", "machine": "2-core VM, nothing else running"}))
    assert preset_builder._run_compute(str(tmp_path)) == {
        "wall_time_s": 181, "threads": "default", "machine": "2-core VM, nothing else running"}


def test_snapshot_of_a_semi_supervised_run_keeps_the_averaged_classifier(tmp_path):
    import keras
    import numpy as np

    import keras_gans as kg
    from keras_gans import recipe_schema

    recipe = recipe_schema.resolve({
        "model": {"variant": "sgan", "num_classes": 10, "latent_dim": 8,
                  "classifier_average": 0.9,
                  "generator": {"network": "mlp_generator", "hidden_units": [16]},
                  "discriminator": {"network": "classifier_discriminator",
                                    "hidden_units": [16, 8], "weight_norm": True}},
        "data": {"name": "digits", "labels_per_class": 3, "batch_size": 32,
                 "labelled_batch_size": 8},
        "schedule": {"epochs": 1, "steps_per_epoch": 4},
        "callbacks": {"sample_grid": None, "checkpoint": {"every": 4}}})
    run = tmp_path / "run"
    kg.recipes.run(recipe, str(run), verbose=0)
    assert preset_builder.snapshot_run(str(run), str(tmp_path / "snap")) == 4
    # The checkpoint timed its training; the snapshot carries that record to the build.
    timed = preset_builder._run_compute(str(tmp_path / "snap"))
    assert [(s["from_step"], s["to_step"]) for s in timed["segments"]] == [(0, 4)]
    assert timed["wall_time_s"] > 0 and timed["cpu_time_s"] > 0
    # Timed from the call of recipes.run: building the data and the model count too.
    assert 0 < timed["segments"][0]["setup_s"] < timed["wall_time_s"]
    snap = keras.saving.load_model(tmp_path / "snap" / "model.keras")
    trained = keras.saving.load_model(run / "model.keras")
    x, _ = kg.data.load_digits_arrays()
    np.testing.assert_allclose(snap.classifier().predict(x[:8], verbose=0),
                               trained.classifier().predict(x[:8], verbose=0), atol=1e-6)
    assert float(snap.average_updates.numpy()) == 4


def test_fold_averages_ships_sgans_classifier_average_as_its_discriminator(tmp_path):
    import json

    import keras
    import numpy as np

    import keras_gans as kg
    from keras_gans import presets

    keras.utils.set_random_seed(0)
    model = kg.models.SGAN(data_shape=(6,), latent_dim=3, num_classes=3,
                           classifier_average=0.9)
    # An average that differs from D's own weights, as after training.
    for average, weight in zip(model.averaged_weights, model.discriminator.trainable_variables):
        average.assign(np.asarray(weight) + 0.05)
    folder = tmp_path / "tiny"
    presets.save_preset(model, str(folder), {"name": "tiny", "ema": False})
    (folder / presets.CARD_NAME).write_text("## Model\n\n- Variant: sgan.\n- Output: 6.\n")
    x = np.random.default_rng(1).normal(size=(5, 6)).astype("float32")
    saved = presets.load_folder(str(folder))
    probabilities = saved.classifier().predict(x, verbose=0)
    raw_logits = np.asarray(saved.discriminator(x)[0])

    before, after = preset_builder.fold_preset_averages("tiny", zoo=str(tmp_path))
    assert after < 0.8 * before
    folded = presets.load_folder(str(folder))
    assert folded.classifier_average is None and not folded.averaged_weights
    np.testing.assert_allclose(folded.classifier().predict(x, verbose=0), probabilities,
                               atol=1e-6)
    # D itself is now the average, no longer the raw D.
    assert not np.allclose(np.asarray(folded.discriminator(x)[0]), raw_logits)
    np.testing.assert_array_equal(folded.generate(4, seed=0), saved.generate(4, seed=0))
    meta = json.loads((folder / presets.METADATA_NAME).read_text())
    assert "classifier_average" in meta["folded_averages"][0] and meta["ema"] is False
    assert "- Averages folded into the networks" in (folder / presets.CARD_NAME).read_text()


def test_a_wasserstein_card_draws_the_critics_estimate_against_fid(tmp_path):
    import json

    from keras_gans import losses

    run, folder = tmp_path / "run", tmp_path / "wgan-x"
    run.mkdir()
    folder.mkdir()
    rows = [{"epoch": e, "step": 50 * e, "d_loss": -1.0 / e, "d_real": 0.0,
             "d_fake": -1.0 / e, "fid": 90.0 / e} for e in range(1, 5)]
    (run / "history.json").write_text(json.dumps({"epochs": rows}))
    text = preset_builder.write_history(str(run), str(folder), losses.get("wasserstein"))
    assert (folder / preset_builder.DISTANCE_NAME).exists()
    assert "Wasserstein-1 distance" in text and "**+1.000**" in text
    assert "4 evaluations" in text
    (folder / preset_builder.DISTANCE_NAME).unlink()
    text = preset_builder.write_history(str(run), str(folder), losses.get("non_saturating"))
    assert not (folder / preset_builder.DISTANCE_NAME).exists()
    assert "Spearman" not in text


def test_measure_says_how_to_score_a_preset_of_a_data_set_without_a_reference(tmp_path):
    folder = tmp_path / "faces-32"
    folder.mkdir()
    (folder / "metadata.json").write_text('{"dataset": "anime-faces"}')
    with pytest.raises(SystemExit, match=r"'anime-faces'.*image_folder_quality\.py.*"
                                         r"--metrics OUT/preset_metrics\.json"):
        preset_builder.measure_preset("faces-32", zoo=str(tmp_path))


def _fake_preset(zoo, name, weight_bytes):
    folder = zoo / name
    folder.mkdir()
    (folder / "metadata.json").write_text("{}")
    with open(folder / "model.weights.h5", "wb") as f:
        f.truncate(weight_bytes)        # sparse: the size counts, the disk stays free
    return folder


def test_a_build_over_the_size_budget_names_the_files_and_the_fix(tmp_path, monkeypatch,
                                                                   capsys):
    from keras_gans import presets

    _fake_preset(tmp_path, "small", 1000)
    big = _fake_preset(tmp_path, "big", presets.PRESET_BUDGET_BYTES)
    assert len(presets.budget_problems(str(tmp_path))) == 1
    problem = (r"cannot ship: Preset 'big' is 25,000,\d{3} bytes, over the 25,000,000-byte "
               r"budget.*model\.weights\.h5 \(25,000,000\).*--fold-averages")
    # A scratch zoo ships nothing: a warning.
    preset_builder._write_card(str(big), "card", str(tmp_path))
    assert re.search(problem, capsys.readouterr().err)
    # The package's zoo: an error, after writing.
    monkeypatch.setattr(presets, "zoo_dir", lambda: str(tmp_path))
    with pytest.raises(presets.PresetError, match=problem):
        preset_builder._write_card(str(big), "card", None)
    assert (big / "README.md").exists() and (tmp_path / "index.yaml").exists()
    with open(big / "model.weights.h5", "wb") as f:
        f.truncate(24 * 10 ** 6)
    assert presets.budget_problems(str(tmp_path)) == []
    for i in range(6):                  # 7 presets of 24 MB: 168 MB of zoo
        _fake_preset(tmp_path, f"more-{i}", 24 * 10 ** 6)
    (problem,) = presets.budget_problems(str(tmp_path))
    assert "over its 150,000,000-byte budget" in problem
