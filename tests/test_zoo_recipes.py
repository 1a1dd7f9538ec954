"""Every recipe of zoo/recipes trains with `keras-gans train --recipe`: each one passes the
schema and builds its model, and the table recipes train a few steps, through the command
line, on a small Adult-like table written here (offline: no recipe reads its real data)."""

import csv
import glob
import gzip
import json
import os

import numpy as np
import pytest

import keras_gans as kg
from keras_gans import cli, recipes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECIPES = sorted(glob.glob(os.path.join(ROOT, "zoo", "recipes", "*.yaml")))
TABLE_RECIPES = [p for p in RECIPES if "table" in recipes.load(p)["data"]]

# The shape of one example of each data set the image recipes name, before resizing (the
# data itself is not read: MNIST and the anime faces need a download or the shared data).
SHAPES = {"mnist": (28, 28, 1), "fashion_mnist": (28, 28, 1), "cifar10": (32, 32, 3),
          "stacked_mnist": (28, 28, 3), "digits": (8, 8, 1), "ring8": (2,), "grid25": (2,),
          "runs/data/anime-faces-64": (64, 64, 3)}


def _example_shape(data):
    if "super_resolution" in data:
        return None  # SRGAN's patch shape is the model's own
    if "unpaired" in data:  # flower folders resized, or (synthetic) digits of MNIST's size
        return (data["image_size"], data["image_size"], 3) if "image_size" in data else (28, 28, 1)
    shape = SHAPES[data["name"]]
    if data.get("image_size") and len(shape) == 3:
        shape = (data["image_size"], data["image_size"], shape[2])
    return shape


def test_the_zoo_has_its_table_recipes():
    assert len(RECIPES) >= 19
    assert sorted(os.path.basename(p) for p in TABLE_RECIPES) == [
        "radialgan-adult.yaml", "tabular-gan-adult.yaml"]


@pytest.mark.parametrize("path", [p for p in RECIPES if p not in TABLE_RECIPES],
                         ids=os.path.basename)
def test_image_recipe_builds_its_model(path):
    recipe = recipes.load(path)
    shape = _example_shape(recipe["data"])
    model = recipes.build_model(recipe, shape)
    assert isinstance(model, kg.models.get(recipe["model"]["variant"]))
    if shape is not None:
        assert tuple(model.example_shape) == shape
    assert model.compiled


def _write_adult_like_table(path, rows=150, seed=0):
    """A gzipped CSV with Adult's header, spacing and the columns the recipes use."""
    rng = np.random.default_rng(seed)
    races = rng.choice(["White", "Black", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other"],
                       rows, p=[0.45, 0.3, 0.15, 0.05, 0.05])
    columns = {
        "age": rng.integers(17, 80, rows), "workclass": rng.choice(["Private", "State-gov"], rows),
        "education-num": rng.integers(1, 17, rows),
        "marital-status": rng.choice(["Never-married", "Married-civ-spouse"], rows),
        "occupation": rng.choice(["Adm-clerical", "Exec-managerial", "Sales"], rows),
        "relationship": rng.choice(["Husband", "Not-in-family"], rows), "race": races,
        "sex": rng.choice(["Male", "Female"], rows), "capital-gain": rng.integers(0, 3000, rows),
        "capital-loss": rng.integers(0, 500, rows), "hours-per-week": rng.integers(10, 60, rows),
        "Salary": rng.choice(["<=50K", ">50K"], rows, p=[0.7, 0.3])}
    with gzip.open(path, "wt", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([f" {name}" if i else name for i, name in enumerate(columns)])
        for row in zip(*columns.values()):
            writer.writerow([f" {v}" if i else v for i, v in enumerate(row)])


@pytest.fixture
def adult_like(tmp_path, monkeypatch):
    _write_adult_like_table(tmp_path / "adult.csv.gz")
    monkeypatch.setenv("KERAS_GANS_DATA", str(tmp_path))
    return tmp_path


# Two steps of batch 16, run eagerly (tracing RadialGAN's step takes longer than the steps
# themselves); RadialGAN's target keeps 10 of the small table's rows.
SHORT = ["--set", "schedule.epochs=1", "--set", "schedule.steps_per_epoch=2",
         "--set", "data.batch_size=16", "--set", "optimizers.run_eagerly=true",
         "--set", "data.domains.other.train_rows=10", "--verbose", "0"]


@pytest.mark.parametrize("path", TABLE_RECIPES, ids=os.path.basename)
def test_table_recipe_trains_and_resumes_from_the_command_line(path, adult_like, capsys):
    out = adult_like / "run"
    short = SHORT if "radialgan" in path else SHORT[:-4] + SHORT[-2:]
    assert cli.main(["train", "--recipe", path, "--out", str(out), *short]) == 0
    model = kg.presets.load(str(out / "model.keras"))
    recipe = recipes.load(path)
    if "domains" in recipe["data"]:
        assert model.domains == list(recipe["data"]["domains"])
        rows = model.sample(5, seed=0, domain="black", as_frame=False)
        assert set(rows) == {*recipe["data"]["domains"]["black"]["columns"], "Salary"}
    else:
        rows = model.sample(5, seed=0, as_frame=False)
        assert len(rows) == 12 and len(rows["age"]) == 5   # every column of the table
        assert set(rows["Salary"]) <= {"<=50K", ">50K"}
    # The same command with one more epoch continues from the checkpoint.
    assert cli.main(["train", "--recipe", path, "--out", str(out), *short,
                     "--set", "schedule.epochs=2"]) == 0
    assert "Resuming from" in capsys.readouterr().out
    with open(out / "history.json") as f:
        assert [row["step"] for row in json.load(f)["epochs"]] == [2, 4]


def test_a_table_without_its_local_copy_says_where_it_comes_from(tmp_path, monkeypatch,
                                                                  capsys):
    monkeypatch.delenv("KERAS_GANS_DATA", raising=False)
    path = os.path.join(ROOT, "zoo", "recipes", "tabular-gan-adult.yaml")
    assert cli.main(["train", "--recipe", path, "--out", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "$KERAS_GANS_DATA/adult.csv.gz" in error and "data.table: PATH" in error


@pytest.mark.parametrize("change,message", [
    ({"data": {"table": "adult", "test_size": 0.2}}, r"add `data.label"),
    ({"data": {"table": "adult", "label": "Salary", "rows": 3}}, r"Unknown field\(s\) data.rows"),
    ({"data": {"table": "adult", "label": "Salary", "split_column": "race", "target": "x",
               "domains": {"a": {"values": [1], "columns": []},
                           "b": {"values": [2], "columns": []}}}}, r"not one of the domains"),
    ({"data": {"name": "digits"}}, r"tabular-gan trains on table rows"),
    ({"model": {"variant": "dcgan"}}, r"`data.table` holds table rows"),
])
def test_bad_table_recipes_are_explained(change, message):
    recipe = {"model": {"variant": "tabular-gan"}, "data": {"table": "adult"}, **change}
    with pytest.raises(ValueError, match=message):
        recipes.resolve(recipe)
