import json
import os

import pytest
import yaml

import keras_gans as kg
from keras_gans import cli, recipes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "zoo", "recipes", "dcgan-digits.yaml")


def test_example_recipe_runs_offline_with_overrides(tmp_path):
    out = tmp_path / "run"
    code = cli.main(["train", "--recipe", EXAMPLE, "--out", str(out), "--epochs", "2",
                     "--steps-per-epoch", "3", "--latent-dim", "8", "--verbose", "0",
                     "--set", "callbacks.checkpoint.every=2", "--set", "callbacks.ema.decay=0.9"])
    assert code == 0
    saved = yaml.safe_load((out / "recipe.yaml").read_text())
    assert saved["schedule"] == {"epochs": 2, "steps_per_epoch": 3}
    assert saved["model"]["latent_dim"] == 8 and saved["callbacks"]["ema"]["decay"] == 0.9
    assert sorted(os.listdir(out / "samples")) == ["epoch_001.png", "epoch_002.png"]
    assert os.listdir(out / "tensorboard")
    assert (out / "model.keras").exists() and (out / "history.csv").exists()
    rows = json.loads((out / "history.json").read_text())["epochs"]
    assert [r["step"] for r in rows] == [3, 6]
    assert json.loads((out / "checkpoints" / "latest.json").read_text())["checkpoint"] \
        == "ckpt-00000006"

    # The same folder with a different recipe is refused; more epochs continue the run.
    assert cli.main(["train", "--recipe", EXAMPLE, "--out", str(out), "--epochs", "2",
                     "--steps-per-epoch", "3", "--latent-dim", "9", "--verbose", "0"]) == 2
    assert cli.main(["train", "--recipe", EXAMPLE, "--out", str(out), "--epochs", "3",
                     "--steps-per-epoch", "3", "--latent-dim", "8", "--verbose", "0",
                     "--set", "callbacks.checkpoint.every=2",
                     "--set", "callbacks.ema.decay=0.9"]) == 0
    rows = json.loads((out / "history.json").read_text())["epochs"]
    assert [r["step"] for r in rows] == [3, 6, 9]


def test_networks_and_optimizer_configs(tmp_path):
    recipe = recipes.resolve({
        "model": {"variant": "wgan-gp", "latent_dim": 4,
                  "generator": {"network": "mlp_generator", "hidden_units": [16]},
                  "discriminator": {"network": "mlp_discriminator", "hidden_units": [16]}},
        "data": {"name": "ring8", "num_examples": 64, "batch_size": 32},
        "optimizers": {"d_optimizer": {"name": "adam", "learning_rate": {
                           "name": "linear_decay", "learning_rate": "1e-4", "total_steps": 4}},
                       "g_optimizer": {"class_name": "RMSprop",
                                       "config": {"learning_rate": 0.001}},
                       "d_steps": 2},
        "callbacks": {"sample_grid": None}, "schedule": {"epochs": 1, "steps_per_epoch": 2},
    })
    model = recipes.run(recipe, str(tmp_path), verbose=0)
    assert model.generator.layers[1].units == 16 and model.d_steps == 2
    # Two steps of 2 D updates each: the 4-update linear decay from 1e-4 has reached 0.
    assert type(model.d_optimizer._learning_rate).__name__ == "LinearDecay"
    assert int(model.d_optimizer.iterations) == 4
    assert float(model.d_optimizer.learning_rate) == 0.0
    with pytest.raises(ValueError, match="Unknown learning-rate schedule 'cosine_dekay'"):
        recipes.build_optimizer({"name": "adam", "learning_rate": {"name": "cosine_dekay"}})
    assert type(model.g_optimizer).__name__ == "RMSprop"


def test_semi_supervised_recipe_keeps_a_few_labels_per_class(tmp_path):
    recipe = recipes.resolve({
        "model": {"variant": "sgan", "num_classes": 10, "latent_dim": 4,
                  "discriminator": {"network": "classifier_discriminator",
                                    "hidden_units": [16]}},
        "data": {"name": "digits", "labels_per_class": 2, "batch_size": 24,
                 "labelled_batch_size": 8},
        "callbacks": {"sample_grid": None}, "schedule": {"epochs": 1, "steps_per_epoch": 2},
    })
    model = recipes.run(recipe, str(tmp_path), verbose=0)
    assert type(model).__name__ == "SGAN" and model.data_shape == (8, 8, 1)
    history = json.loads((tmp_path / "history.json").read_text())["epochs"][-1]
    assert 0.0 <= history["class_accuracy"] <= 1.0
    ds = kg.data.load_semi_supervised("digits", 2, batch_size=24,
                                                            labelled_batch_size=8, seed=0)
    labels = [int(v) for _, y in ds for v in y.numpy()]
    assert {v for v in labels if v >= 0} <= set(range(10)) and labels.count(-1) == 16 * len(ds)
    with pytest.raises(ValueError, match="labels_per_class"):
        kg.data.load_semi_supervised("ring8", 2)


def test_bad_recipes_are_explained(tmp_path):
    with pytest.raises(ValueError, match="Unknown recipe field 'schedul'"):
        recipes.resolve({"schedul": {}, "model": {"variant": "gan"}, "data": {"name": "x"}})
    with pytest.raises(ValueError, match="Unknown recipe field 'callbacks.emma'"):
        recipes.resolve({"callbacks": {"emma": {}}, "model": {"variant": "gan"},
                         "data": {"name": "x"}})
    with pytest.raises(ValueError, match="names no model"):
        recipes.resolve({"data": {"name": "digits"}})
    path = tmp_path / "bad.yaml"
    path.write_text("model: [unclosed")
    assert cli.main(["train", "--recipe", str(path)]) == 2
    assert cli.main(["train", "--recipe", str(tmp_path / "missing.yaml")]) == 2


@pytest.mark.parametrize("name,variant", [("stylegan-anime-64", "StyleGAN"),
                                          ("progan-anime-64", "ProGAN")])
def test_issue7_recipes_build_their_models(name, variant):
    # The anime recipes are not run in tests (they need the shared data); their model and
    # game must at least build as written.
    recipe = recipes.load(os.path.join(ROOT, "zoo", "recipes", f"{name}.yaml"))
    model = recipes.build_model(recipe, (64, 64, 3))
    assert type(model).__name__ == variant and model.data_shape == (64, 64, 3)
    assert model.generate(1, seed=0).shape == (1, 64, 64, 3)
    if variant == "StyleGAN":
        assert model.path_length is not None and model.gradient_penalties[0].interval == 16
    else:
        assert [p.name for p in model.gradient_penalties] == ["gp", "drift"]
        assert (model.fade_steps, model.num_stages) == (3000, 4)
