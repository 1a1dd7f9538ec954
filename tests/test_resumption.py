"""Resuming a run: the changes a resumption may make (learning rates, schedule length,
callbacks) are taken and recorded, others refused; checkpoints of another run are never
resumed; a diverged run exits non-zero, names the command that resumes it, and never
writes non-finite weights to model.keras."""

import json
import shlex

import keras
import numpy as np
import pytest
import yaml

import keras_gans as kg
from keras_gans import cli

RECIPE = {
    "seed": 0,
    "model": {"variant": "gan", "latent_dim": 2,
              "generator": {"network": "mlp_generator", "hidden_units": [8]},
              "discriminator": {"network": "mlp_discriminator", "hidden_units": [8]}},
    "data": {"name": "ring8", "num_examples": 64, "batch_size": 32, "drop_remainder": True},
    "optimizers": {"d_optimizer": {"name": "adam", "learning_rate": 1.0e-3},
                   "g_optimizer": {"name": "adam", "learning_rate": 1.0e-3}},
    "schedule": {"epochs": 1, "steps_per_epoch": 2},
    "callbacks": {"sample_grid": None, "checkpoint": {"every": 1, "keep": 1}},
}


def _train(tmp_path, out, *settings, recipe=RECIPE):
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe))
    args = ["train", "--recipe", str(path), "--out", str(out), "--verbose", "0"]
    for setting in settings:
        args += ["--set", setting]
    return cli.main(args)


def test_a_lower_learning_rate_and_more_epochs_resume_and_are_recorded(tmp_path, capsys):
    out = tmp_path / "run"
    assert _train(tmp_path, out) == 0
    assert _train(tmp_path, out, "schedule.epochs=2",
                  "optimizers.d_optimizer.learning_rate=1e-4") == 0
    history = json.loads((out / "history.json").read_text())
    assert [row["step"] for row in history["epochs"]] == [2, 4]
    (change,) = history["recipe_changes"]
    assert change["changes"] == {"optimizers.d_optimizer.learning_rate": [0.001, 0.0001],
                                 "schedule.epochs": [1, 2]}
    model = keras.models.load_model(out / "model.keras")
    # The resumed steps ran at the new rate, not at the checkpoint's.
    assert np.isclose(float(model.d_optimizer.learning_rate), 1e-4)
    assert np.isclose(float(model.g_optimizer.learning_rate), 1e-3)
    # A change a resumption cannot honour is refused, naming the field.
    capsys.readouterr()
    assert _train(tmp_path, out, "schedule.epochs=2", "model.latent_dim=3") == 2
    assert "model.latent_dim differ" in capsys.readouterr().err


def test_a_diverged_run_exits_non_zero_and_names_the_command_that_resumes_it(tmp_path, capsys):
    out = tmp_path / "run"
    assert _train(tmp_path, out) == 0
    healthy = (out / "model.keras").read_bytes()
    capsys.readouterr()
    # Learning rates of 1e30 send the losses to infinity in the second epoch.
    assert _train(tmp_path, out, "schedule.epochs=2",
                  "optimizers.d_optimizer.learning_rate=1e30",
                  "optimizers.g_optimizer.learning_rate=1e30") == 3
    err = capsys.readouterr().err
    assert "Training diverged at step" in err and "ckpt-00000002" in err
    assert (out / "model.keras").read_bytes() == healthy  # not overwritten
    command = err.split("ten times lower: ")[1].strip()
    assert command == (f"keras-gans train --recipe {out / 'recipe.yaml'} --out {out} "
                       f"--set optimizers.d_optimizer.learning_rate=1e+29 "
                       f"--set optimizers.g_optimizer.learning_rate=1e+29")
    # The advice is taken, not refused as another recipe (1e29 still diverges: exit 3),
    # and the change is recorded.
    assert cli.main(shlex.split(command)[1:] + ["--verbose", "0"]) == 3
    assert "different recipe" not in capsys.readouterr().err
    changes = json.loads((out / "history.json").read_text())["recipe_changes"]
    assert changes[-1]["changes"]["optimizers.d_optimizer.learning_rate"] == [1e30, 1e29]


def test_with_the_guard_off_non_finite_weights_never_reach_model_keras(tmp_path, capsys):
    out = tmp_path / "run"
    assert _train(tmp_path, out, "callbacks.divergence_guard=null",
                  "optimizers.d_optimizer.learning_rate=1e30",
                  "optimizers.g_optimizer.learning_rate=1e30") == 3
    assert "NaN or infinite" in capsys.readouterr().err
    assert not (out / "model.keras").exists()


def _tiny_gan():
    gan = kg.models.GAN(data_shape=(2,), latent_dim=2)
    gan.compile()
    return gan


def test_a_checkpoint_of_another_run_is_refused(tmp_path):
    data = np.zeros((8, 2), "float32")
    first = kg.callbacks.Checkpoint(str(tmp_path), run={"recipe": "aaaa", "seed": 0})
    _tiny_gan().fit(data, batch_size=4, epochs=1, verbose=0, callbacks=[first])
    other = kg.callbacks.Checkpoint(str(tmp_path), run={"recipe": "aaaa", "seed": 1})
    other.set_model(_tiny_gan())
    with pytest.raises(ValueError, match=r"belongs to another run \(recipe aaaa, seed 0\); "
                                         r"this run is recipe aaaa, seed 1"):
        other.restore()


def test_the_guard_counts_a_huge_loss_as_divergence_by_default():
    guard = kg.callbacks.DivergenceGuard()
    guard.set_model(_tiny_gan())
    guard.on_train_batch_end(0, {"d_loss": 1e5, "g_loss": -3.0})
    with pytest.raises(kg.callbacks.TrainingDiverged, match="d_loss is 1e\\+15"):
        guard.on_train_batch_end(1, {"d_loss": 1e15})
    unbounded = kg.callbacks.DivergenceGuard(max_abs=float("inf"))
    unbounded.set_model(_tiny_gan())
    unbounded.on_train_batch_end(0, {"d_loss": 1e15})
    with pytest.raises(ValueError, match="`keep`.*>= 1"):
        kg.callbacks.Checkpoint("unused", keep=0)


def test_the_average_s_rampup_and_tensorboard_logging_may_change_on_resume():
    from keras_gans import resumption

    before = {"callbacks": {"ema": {"decay": 0.999}}, "model": {"latent_dim": 8}}
    after = {"callbacks": {"ema": {"decay": 0.999, "rampup": 0.05}, "tensorboard": "auto"},
             "model": {"latent_dim": 8}}
    allowed, refused = resumption.changes(before, after)
    assert refused == []
    assert allowed == {"callbacks.ema.rampup": [None, 0.05],
                       "callbacks.tensorboard": [None, "auto"]}
    _, refused = resumption.changes(before, {**after, "model": {"latent_dim": 9}})
    assert refused == ["model.latent_dim"]
