"""The recipe schema: every zoo recipe passes; every field is checked for its name, type
and range before anything runs, and all problems come in one error with their paths."""

import glob
import os

import pytest
import yaml

from keras_gans import cli, recipe_schema, recipes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZOO_RECIPES = sorted(glob.glob(os.path.join(ROOT, "zoo", "recipes", "*.yaml")))


def _recipe(**sections):
    base = {"model": {"variant": "dcgan"}, "data": {"name": "digits"}}
    base.update(sections)
    return base


def test_every_zoo_recipe_passes_the_schema_unchanged():
    assert len(ZOO_RECIPES) >= 15
    for path in ZOO_RECIPES:
        with open(path) as f:
            written = yaml.safe_load(f)
        resolved = recipes.load(path)
        for section in ("schedule", "data", "optimizers", "model"):
            for key, value in (written.get(section) or {}).items():
                assert resolved[section][key] == value, (path, section, key)


@pytest.mark.parametrize("sections,message", [
    ({"schedule": {"epoch": 3}}, r"schedule\.epoch: unknown field \(did you mean 'epochs'\?\)"),
    ({"schedule": {"epochs": -3}}, r"schedule\.epochs: must be >= 1; received -3"),
    ({"schedule": {"epochs": "three"}}, r"schedule\.epochs: must be a whole number; "
                                        r"received 'three'"),
    ({"schedule": {"epochs": True}}, r"schedule\.epochs: must be a whole number"),
    ({"schedule": {"steps_per_epoch": -5}}, r"schedule\.steps_per_epoch: must be >= 1"),
    ({"schedule": {"steps_per_epoch": 0}}, r"schedule\.steps_per_epoch: must be >= 1"),
    ({"callbacks": {"checkpoint": {"keep": -1}}}, r"callbacks\.checkpoint\.keep: must be >= 1"),
    ({"callbacks": {"checkpoint": {"keep": 0}}}, r"callbacks\.checkpoint\.keep: must be >= 1"),
    ({"callbacks": {"checkpoint": {"every": "epochs"}}}, r"callbacks\.checkpoint\.every: must "
                                                         r"be a whole number"),
    ({"callbacks": {"ema": {"decay": 1.5}}}, r"callbacks\.ema\.decay: must be < 1.0"),
    ({"callbacks": {"sample_grid": {"evry": 2}}}, r"callbacks\.sample_grid\.evry: unknown"),
    ({"callbacks": {"divergence_guard": {"max_abs": -1}}}, r"max_abs: must be > 0"),
    ({"model": {"variant": "dcgan", "latnt_dim": 3}}, r"model\.latnt_dim: unknown field "
                                                      r"\(did you mean 'latent_dim'\?\)"),
    ({"model": {"variant": "dcgan", "generator": {"network": "dcgan_generator",
                                                  "filters": 3}}},
     r"model\.generator\.filters: unknown field"),
    ({"model": {"variant": "dcgn"}}, r"model\.variant: Unknown GAN variant 'dcgn'"),
    ({"data": {"name": "digits", "batch_size": 0}}, r"data\.batch_size: must be >= 1"),
    ({"data": {"name": "digits", "imagesize": 8}}, r"data\.imagesize: unknown field"),
    ({"optimizers": {"los": "hinge"}}, r"optimizers\.los: unknown field"),
    ({"optimizers": {"d_optimizer": {"learning_rate": 1e-4}}},
     r"optimizers\.d_optimizer: names no optimizer"),
    ({"optimizers": {"d_optimizer": {"name": "adam", "learning_rate": -1}}},
     r"optimizers\.d_optimizer\.learning_rate: must be a number > 0"),
    ({"seed": -1}, r"seed: must be >= 0"),
    ({"deterministic": "yes please"}, r"deterministic: must be true or false"),
])
def test_bad_fields_are_named_with_their_yaml_path(sections, message):
    with pytest.raises(recipe_schema.RecipeError, match=message):
        recipes.resolve(_recipe(**sections))


def test_every_problem_comes_in_one_error_naming_the_file(tmp_path):
    path = tmp_path / "careless.yaml"
    path.write_text(yaml.safe_dump(_recipe(schedule={"epoch": 3, "steps_per_epoch": -5},
                                           callbacks={"checkpoint": {"keep": 0}})))
    with pytest.raises(recipe_schema.RecipeError) as error:
        recipes.load(str(path))
    text = str(error.value)
    assert text.startswith(f"The recipe '{path}' has 3 problems")
    for field in ("schedule.epoch:", "schedule.steps_per_epoch:", "callbacks.checkpoint.keep:"):
        assert field in text
    # The command line reports it and trains nothing.
    assert cli.main(["train", "--recipe", str(path), "--out", str(tmp_path / "run")]) == 2
    assert not (tmp_path / "run").exists()


def test_defaults_are_filled_in_and_null_turns_a_callback_off():
    recipe = recipes.resolve(_recipe(callbacks={"sample_grid": None, "ema": {"decay": 0.9}}))
    assert recipe["schedule"] == {"epochs": 1, "steps_per_epoch": None}
    assert recipe["callbacks"]["sample_grid"] is None
    assert recipe["callbacks"]["ema"] == {"decay": 0.9}
    assert recipe["callbacks"]["checkpoint"] == {"every": "epoch", "keep": 2}
    assert recipe["data"]["batch_size"] == 64 and recipe["seed"] == 0


def test_a_new_field_is_one_line(monkeypatch):
    monkeypatch.setitem(recipe_schema.FIELDS, "init_from",
                        (None, recipe_schema.optional(recipe_schema.text)))
    assert recipes.resolve(_recipe(init_from="dcgan-mnist"))["init_from"] == "dcgan-mnist"
    with pytest.raises(recipe_schema.RecipeError, match="init_from: must be a non-empty text"):
        recipes.resolve(_recipe(init_from=3))
