"""Recipes that score their generator while training (callbacks.evaluation) and keep the
model of the best score (keep_best -> RUN/best, kg.callbacks.BestModel)."""

import json
import os

import keras
import numpy as np
import pytest
import yaml

import keras_gans as kg
from keras_gans import cli, recipe_schema
from keras_gans.preset_builder import snapshot_run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "zoo", "recipes", "dcgan-digits.yaml")


def _recipe_with_evaluation(tmp_path, **evaluation):
    with open(EXAMPLE) as f:
        recipe = yaml.safe_load(f)
    recipe["callbacks"]["evaluation"] = {"extractor": "mnist", "metrics": ["fid", "pr"],
                                         "num_samples": 64, "reference_samples": 100,
                                         **evaluation}
    recipe["callbacks"]["sample_grid"]["tensorboard"] = False
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe))
    return str(path)


def test_recipe_scores_each_epoch_and_keeps_the_best_model(tmp_path):
    out = tmp_path / "run"
    recipe = _recipe_with_evaluation(tmp_path, keep_best="fid")
    assert cli.main(["train", "--recipe", recipe, "--out", str(out), "--epochs", "2",
                     "--steps-per-epoch", "3", "--latent-dim", "8", "--verbose", "0"]) == 0
    rows = json.loads((out / "history.json").read_text())["epochs"]
    assert all(np.isfinite(r["fid"]) and 0 <= r["precision"] <= 1 for r in rows)
    best = json.loads((out / "best" / "best.json").read_text())
    assert best["monitor"] == "fid" and best["mode"] == "min"
    assert best["value"] == min(r["fid"] for r in rows)
    assert best["step"] == next(r["step"] for r in rows if r["fid"] == best["value"])

    # The best model is the run's model at that epoch: snapshot --best publishes it.
    dest = tmp_path / "snap"
    assert snapshot_run(str(out), str(dest), best=True) == best["step"]
    model = keras.saving.load_model(dest / "model.keras")
    assert model.generate(4, seed=0).shape == (4, 16, 16, 1)
    assert json.loads((dest / "snapshot.json").read_text())["best"]["value"] == best["value"]
    # ... with the time its training took up to that step, from the run's clock.
    assert [(s["from_step"], s["to_step"]) for s in best["compute"]] == [(0, best["step"])]
    compute = json.loads((dest / "compute.json").read_text())
    assert compute["segments"] == best["compute"] and compute["cpu_time_s"] > 0


def test_evaluation_needs_an_extractor(tmp_path):
    recipe = kg.recipes.load(_recipe_with_evaluation(tmp_path))
    del recipe["callbacks"]["evaluation"]["extractor"]
    recipe = recipe_schema.resolve(recipe)
    with pytest.raises(ValueError, match="needs a noise-to-data model and an `extractor`"):
        kg.recipes.run(recipe, str(tmp_path / "run"), verbose=0)


@pytest.mark.parametrize("field, value, message", [
    ("metrics", [], "must be a name or a list of names"),
    ("every", 0, "must be >= 1"),
    ("keep_best", 3, "must be a non-empty text"),
])
def test_bad_evaluation_fields_are_explained(field, value, message):
    recipe = {"model": {"variant": "dcgan"}, "data": {"name": "digits"},
              "callbacks": {"evaluation": {"extractor": "mnist", field: value}}}
    with pytest.raises(recipe_schema.RecipeError, match=f"callbacks.evaluation.{field}: "
                                                        f"{message}"):
        recipe_schema.resolve(recipe)


def _tiny_gan():
    gan = kg.models.DCGAN(data_shape=(8, 8, 1), latent_dim=4, generator=keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(64, activation="tanh"),
         keras.layers.Reshape((8, 8, 1))]), discriminator=keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]))
    gan.compile()
    gan.fit(np.zeros((4, 8, 8, 1), "float32"), batch_size=4, epochs=1, verbose=0)
    return gan


@pytest.mark.parametrize("monitor, values, kept", [
    ("fid", [5.0, 3.0, 4.0, float("nan")], 3.0),        # lower is better; NaN is never best
    ("precision", [0.2, 0.5, 0.4], 0.5),                 # higher is better
])
def test_best_model_replaces_only_with_a_better_score(tmp_path, monitor, values, kept):
    gan = _tiny_gan()
    for epoch, value in enumerate(values):
        callback = kg.callbacks.BestModel(str(tmp_path), monitor)   # new each time: resumed
        callback.set_model(gan)
        callback.on_epoch_end(epoch, {monitor: value, "d_loss": 1.0})
    record = json.loads((tmp_path / "best.json").read_text())
    assert record["value"] == kept and record["epoch"] == values.index(kept) + 1
    assert (tmp_path / "model.keras").exists()
    callback.on_epoch_end(9, {"d_loss": 0.5})   # an epoch without evaluation changes nothing
    assert json.loads((tmp_path / "best.json").read_text()) == record


def test_best_model_refuses_an_unknown_mode(tmp_path):
    with pytest.raises(ValueError, match="`mode` must be 'min' or 'max'"):
        kg.callbacks.BestModel(str(tmp_path), "fid", mode="lowest")
