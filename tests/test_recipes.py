import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
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
    # The recipe's `deterministic: true` held for its run only: op determinism is
    # process-wide, and a model built after the run still gets the XLA it asks for.
    after = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    after.compile(loss="mse", jit_compile=True)
    assert after.jit_compile is True

    # The same folder with a different recipe is refused; more epochs continue the run.
    assert cli.main(["train", "--recipe", EXAMPLE, "--out", str(out), "--epochs", "2",
                     "--steps-per-epoch", "3", "--latent-dim", "9", "--verbose", "0"]) == 2
    assert cli.main(["train", "--recipe", EXAMPLE, "--out", str(out), "--epochs", "3",
                     "--steps-per-epoch", "3", "--latent-dim", "8", "--verbose", "0",
                     "--set", "callbacks.checkpoint.every=2",
                     "--set", "callbacks.ema.decay=0.9"]) == 0
    rows = json.loads((out / "history.json").read_text())["epochs"]
    assert [r["step"] for r in rows] == [3, 6, 9]
    # keras.callbacks.TensorBoard logged each epoch's losses, the resumed one included.
    scalars = _tensorboard_scalars(out / "tensorboard" / "train")
    for tag in ("epoch_d_loss", "epoch_g_loss", "epoch_d_real", "epoch_d_fake"):
        assert sorted(step for step, _ in scalars[tag]) == [0, 1, 2], tag
    logged = dict(scalars["epoch_d_loss"])
    assert np.isclose(logged[2], rows[2]["d_loss"], rtol=1e-5)


def test_op_determinism_holds_for_a_deterministic_run_only(tmp_path, monkeypatch):
    from tensorflow.python.framework import config as op_determinism

    during = []
    monkeypatch.setattr(recipes, "_run", lambda recipe, out, verbose, clock_from: during.append(
        op_determinism.is_op_determinism_enabled()))
    for flag in (True, False):
        recipe = recipes.load(EXAMPLE)
        recipe["deterministic"] = flag
        recipes.run(recipe, str(tmp_path / str(flag)))
        assert not op_determinism.is_op_determinism_enabled(), flag
    assert during == [True, False]


def _tensorboard_scalars(folder):
    """{tag: [(step, value), ...]} from the event files in ``folder``."""
    from tensorflow.core.util import event_pb2

    scalars = {}
    for name in os.listdir(folder):
        for record in tf.data.TFRecordDataset(str(folder / name)):
            event = event_pb2.Event.FromString(record.numpy())
            for value in event.summary.value:
                number = tf.make_ndarray(value.tensor) if value.HasField("tensor") \
                    else value.simple_value
                scalars.setdefault(value.tag, []).append((event.step, float(number)))
    return scalars


def test_tensorboard_true_without_the_package_says_how_to_install_it(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "tensorboard" else real(name, *a))
    with pytest.raises(ValueError, match=r"keras-gans\[tensorboard\]"):
        recipes._wants_tensorboard(True)
    assert recipes._wants_tensorboard("auto") is False
    assert recipes._wants_tensorboard(False) is False


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
    with pytest.raises(ValueError, match="schedul: unknown field"):
        recipes.resolve({"schedul": {}, "model": {"variant": "gan"}, "data": {"name": "x"}})
    with pytest.raises(ValueError, match="callbacks.emma: unknown field"):
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


# -- image-to-image recipes: data: {unpaired: [SOURCE_X, SOURCE_Y]} ----------------------

def test_simgan_recipe_trains_on_synthetic_and_real_digits(tmp_path):
    recipe = recipes.resolve({
        "model": {"variant": "simgan", "filters": 4, "num_blocks": 1,
                  "discriminator_filters": [4, 4, 4, 4], "buffer_size": 8},
        "data": {"unpaired": [{"synthetic_digits": {"num": 48, "seed": 0, "image_size": 8}},
                              "digits"], "batch_size": 8},
        "optimizers": {"r_optimizer": {"name": "adam", "learning_rate": "1e-3"},
                       "d_optimizer": {"name": "sgd", "learning_rate": 0.01},
                       "self_regularization": 0.5},
        "callbacks": {"sample_grid": {"num_samples": 6, "seed": 0},
                      "checkpoint": {"every": 2}},
        "schedule": {"epochs": 2, "steps_per_epoch": 2},
    })
    model = recipes.run(recipe, str(tmp_path), verbose=0)
    # image_shape comes from the first source; every *_optimizer is built from its spec.
    assert type(model).__name__ == "SimGAN" and model.image_shape == (8, 8, 1)
    assert abs(float(model.r_optimizer.learning_rate) - 1e-3) < 1e-9
    assert type(model.d_optimizer).__name__ == "SGD" and model.self_regularization == 0.5
    assert int(model.r_optimizer.iterations) == 4
    # The grid shows the 6 inputs beside their 6 refinements: 12 images of 8x8 in one
    # row of 16 columns (padding 2).
    picture = tf.io.decode_png(tf.io.read_file(str(tmp_path / "samples" / "epoch_002.png")))
    assert picture.shape == (2 + 10, 2 + 12 * 10, 1)
    history = json.loads((tmp_path / "history.json").read_text())["epochs"]
    assert [r["step"] for r in history] == [2, 4] and np.isfinite(history[-1]["r_loss"])
    loaded = kg.load(str(tmp_path / "model.keras"))
    x, _ = kg.data.synthetic_digits(3, image_size=8, seed=1)
    np.testing.assert_allclose(loaded.refine(x), model.refine(x), atol=1e-6)


def test_cyclegan_recipe_trains_on_two_image_files(tmp_path):
    rng = np.random.default_rng(0)
    for name, low in (("x", 0), ("y", 128)):
        images = rng.integers(low, low + 128, (6, 8, 8, 3), dtype=np.uint8)
        np.savez(tmp_path / f"{name}.npz", x_train=images, y_train=np.zeros(6, "int64"))
    recipe = recipes.resolve({
        "model": {"variant": "cyclegan", "filters": 4, "num_blocks": 1,
                  "discriminator_layers": 1, "pool_size": 2},
        "data": {"unpaired": [str(tmp_path / "x.npz"), str(tmp_path / "y.npz")],
                 "batch_size": 2},
        "optimizers": {"g_optimizer": {"name": "adam", "learning_rate": 1.0e-3}},
        "callbacks": {"sample_grid": {"num_samples": 2}},
        "schedule": {"epochs": 1, "steps_per_epoch": 2},
    })
    model = recipes.run(recipe, str(tmp_path / "run"), verbose=0)
    assert type(model).__name__ == "CycleGAN" and model.image_shape == (8, 8, 3)
    assert abs(float(model.g_optimizer.learning_rate) - 1e-3) < 1e-9
    assert int(model.g_optimizer.iterations) == 2
    assert os.listdir(tmp_path / "run" / "samples") == ["epoch_001.png"]


def _srgan_recipe(folder, **schedule):
    rng = np.random.default_rng(0)
    for i in range(4):
        photo = rng.integers(0, 256, (12, 14, 3), dtype=np.uint8)
        tf.io.write_file(str(folder / f"photo{i}.png"), tf.io.encode_png(photo))
    return recipes.resolve({
        "model": {"variant": "srgan", "data_shape": [8, 8, 3], "filters": 4, "num_blocks": 1,
                  "discriminator_filters": 2, "content_loss": "pixel"},
        "data": {"super_resolution": str(folder), "batch_size": 2, "crops_per_image": 2},
        "optimizers": {"pretrain_optimizer": {"name": "adam", "learning_rate": 1.0e-3},
                       "jit_compile": False},
        "callbacks": {"sample_grid": {"num_samples": 2}, "checkpoint": {"every": 1}},
        "schedule": {"steps_per_epoch": 2, **schedule},
    })


def test_srgan_recipe_pretrains_then_plays_and_resumes(tmp_path):
    (tmp_path / "photos").mkdir()
    recipe = _srgan_recipe(tmp_path / "photos", pretrain_epochs=2, epochs=1)
    out = tmp_path / "run"
    model = recipes.run(recipe, str(out), verbose=0)
    assert type(model).__name__ == "SRGAN" and model.hr_patch_size == 8
    assert int(model.pretrain_optimizer.iterations) == 4
    assert int(model.g_optimizer.iterations) == 2
    # The MSE phase has its own folder: checkpoints counted in its steps, history, samples.
    pre = json.loads((out / "pretrain" / "history.json").read_text())["epochs"]
    assert [r["step"] for r in pre] == [2, 4] and "mse" in pre[0]
    assert json.loads((out / "pretrain" / "checkpoints" / "latest.json").read_text()) \
        == {"checkpoint": "ckpt-00000004"}
    assert os.listdir(out / "pretrain" / "samples") and (out / "pretrain" / "model.keras").exists()
    # The MSE phase is an SRResNet of its own, saved at the end of its phase.
    srresnet = kg.load(str(out / "pretrain" / "model.keras"))
    assert type(srresnet) is kg.models.SRResNet and srresnet.hr_patch_size == 8
    assert int(srresnet.g_optimizer.iterations) == 4
    assert srresnet.upscale(np.zeros((1, 2, 2, 3), "float32")).shape == (1, 8, 8, 3)
    rows = json.loads((out / "history.json").read_text())["epochs"]
    assert [r["step"] for r in rows] == [2] and "content_loss" in rows[0]

    # More adversarial epochs continue the run; the finished MSE phase is not repeated.
    model = recipes.run(recipes.override(recipe, {"schedule.epochs": 2}), str(out), verbose=0)
    assert int(model.pretrain_optimizer.iterations) == 4
    assert int(model.g_optimizer.iterations) == 4
    rows = json.loads((out / "history.json").read_text())["epochs"]
    assert [r["step"] for r in rows] == [2, 4]
    # A different recipe in a folder with only an MSE phase begun is refused.
    partial = tmp_path / "partial"
    (partial / "pretrain" / "checkpoints").mkdir(parents=True)
    (partial / "pretrain" / "checkpoints" / "latest.json").write_text("{}")
    (partial / "recipe.yaml").write_text(yaml.safe_dump(recipe))
    with pytest.raises(ValueError, match="different recipe"):
        recipes.run(recipes.override(recipe, {"model.filters": 5}), str(partial), verbose=0)


def test_a_recipe_trains_an_srresnet_alone(tmp_path):
    (tmp_path / "photos").mkdir()
    _srgan_recipe(tmp_path / "photos")  # writes the photos
    recipe = recipes.resolve({
        "model": {"variant": "srresnet", "data_shape": [8, 8, 3], "filters": 4, "num_blocks": 1},
        "data": {"super_resolution": str(tmp_path / "photos"), "batch_size": 2},
        "optimizers": {"g_optimizer": {"name": "adam", "learning_rate": 1.0e-3},
                       "jit_compile": False},
        "callbacks": {"sample_grid": None, "checkpoint": {"every": 1}},
        "schedule": {"epochs": 1, "steps_per_epoch": 2}})
    model = recipes.run(recipe, str(tmp_path / "run"), verbose=0)
    assert type(model) is kg.models.SRResNet and int(model.g_optimizer.iterations) == 2
    rows = json.loads((tmp_path / "run" / "history.json").read_text())["epochs"]
    assert [r["step"] for r in rows] == [2] and "mse" in rows[0]


def test_pretrain_epochs_need_a_model_that_pretrains(tmp_path):
    recipe = recipes.resolve({
        "model": {"variant": "dcgan", "latent_dim": 4},
        "data": {"name": "digits", "batch_size": 8, "image_size": 8},
        "schedule": {"pretrain_epochs": 1, "epochs": 1, "steps_per_epoch": 1}})
    with pytest.raises(ValueError, match="DCGAN has no pretrain"):
        recipes.run(recipe, str(tmp_path), verbose=0)


@pytest.mark.parametrize("data,message", [
    ({"super_resolution": "photos", "hr_size": 96}, "data.hr_size.*model.data_shape"),
    ({"super_resolution": ["a", "b"]}, "one image folder"),
    ({"super_resolution": "photos", "unpaired": ["a", "b"]}, "`unpaired` and `super_res"),
])
def test_bad_super_resolution_data_is_explained(data, message):
    with pytest.raises(ValueError, match=message):
        recipes.resolve({"model": {"variant": "srgan"}, "data": data})


def test_bad_pretrain_epochs_are_explained():
    with pytest.raises(ValueError, match="pretrain_epochs: must be >= 0"):
        recipes.resolve({"model": {"variant": "srgan"}, "data": {"super_resolution": "p"},
                         "schedule": {"pretrain_epochs": -1}})


@pytest.mark.parametrize("data,message", [
    ({"name": "digits", "unpaired": ["digits", "digits"]}, "`name` and `unpaired`"),
    ({"unpaired": ["digits"]}, "has one source"),
    ({"unpaired": ["a", "b", "c"]}, "must list two image sources"),
    ({"unpaired": [{"fonts_digits": {}}, "digits"]}, "synthetic_digits: "),
    ({"unpaired": [{"synthetic_digits": {"count": 5}}, "digits"]},
     "Unknown synthetic_digits argument.*count"),
    ({"unpaired": [3, "digits"]}, "is a data set name or path"),
    ({"unpaired": ["digits", "digits"], "labels": True}, "Unknown field.*data.labels"),
])
def test_bad_unpaired_data_is_explained(data, message):
    with pytest.raises(ValueError, match=message):
        recipes.resolve({"model": {"variant": "simgan"}, "data": data})


def test_ema_is_refused_for_image_to_image_models(tmp_path):
    recipe = recipes.resolve({
        "model": {"variant": "simgan", "filters": 2, "num_blocks": 1,
                  "discriminator_filters": [2, 2, 2, 2]},
        "data": {"unpaired": [{"synthetic_digits": {"num": 8, "image_size": 8}}, "digits"],
                 "batch_size": 4},
        "callbacks": {"ema": {"decay": 0.9}}})
    with pytest.raises(ValueError, match="ema.*SimGAN has none"):
        recipes.run(recipe, str(tmp_path), verbose=0)


def test_simgan_digits_recipe_builds_its_model():
    # Not run in tests (it needs the shared MNIST); its model and game must build as written.
    recipe = recipes.load(os.path.join(ROOT, "zoo", "recipes", "simgan-digits.yaml"))
    model = recipes.build_model(recipe, (28, 28, 1))
    assert type(model).__name__ == "SimGAN" and model.image_shape == (28, 28, 1)
    assert (model.filters, model.num_blocks, model.buffer_size) == (32, 4, 512)
    assert model.self_regularization == 10.0 and recipe["data"]["batch_size"] == 32
    assert recipe["data"]["unpaired"][0] == {"synthetic_digits": {"num": 6000, "seed": 0}}
