"""benchmarks/sgan_mnist.py --watch: the test error of a run's checkpoints as they come,
kept across restarts of the watcher."""

import json
import os
import sys

import numpy as np
import yaml

import keras_gans as kg

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
import sgan_mnist  # noqa: E402

RECIPE = {"model": {"variant": "sgan", "num_classes": 10, "latent_dim": 4,
                    "generator": {"network": "mlp_generator", "hidden_units": [8]},
                    "discriminator": {"network": "classifier_discriminator",
                                      "hidden_units": [8]}},
          "data": {"name": "digits", "labels_per_class": 2, "batch_size": 20}}


def test_a_restarted_watcher_keeps_the_scores_of_checkpoints_since_removed(tmp_path):
    run = tmp_path / "run"
    (run / "checkpoints" / "ckpt-00000200").mkdir(parents=True)
    (run / "recipe.yaml").write_text(yaml.safe_dump(RECIPE))
    x = np.random.default_rng(0).uniform(-1, 1, (30, 8, 8, 1)).astype("float32")
    y = np.arange(30) % 10
    model = kg.recipes.build_model(kg.recipes.resolve(RECIPE), (8, 8, 1))
    model.save_weights(str(run / "checkpoints" / "ckpt-00000200" / "model.weights.h5"))
    (run / "checkpoints" / "ckpt-00000200" / "state.json").write_text("{}")
    # An earlier watcher scored step 100, whose checkpoint the run has since rotated away.
    (run / "test_error.json").write_text(json.dumps([{"step": 100, "test_error": 0.5}]))
    # The run has finished at the step of its last checkpoint: one pass, then return.
    model.step_counter.assign(200)
    model.save(str(run / "model.keras"))
    sgan_mnist.watch(str(run), x, y, poll_seconds=0)
    scores = json.loads((run / "test_error.json").read_text())
    assert [r["step"] for r in scores] == [100, 200]
    assert scores[0]["test_error"] == 0.5
    expected = sgan_mnist.test_error(model, x, y)
    assert scores[1]["test_error"] == expected and 0.0 <= expected <= 1.0


def test_the_final_model_is_scored_at_its_step_when_no_checkpoint_holds_it(tmp_path):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "recipe.yaml").write_text(yaml.safe_dump(RECIPE))
    x = np.random.default_rng(1).uniform(-1, 1, (30, 8, 8, 1)).astype("float32")
    y = np.arange(30) % 10
    model = kg.recipes.build_model(kg.recipes.resolve(RECIPE), (8, 8, 1))
    model.step_counter.assign(250)
    model.save(str(run / "model.keras"))
    sgan_mnist.watch(str(run), x, y, poll_seconds=0)
    scores = json.loads((run / "test_error.json").read_text())
    assert scores == [{"step": 250, "test_error": sgan_mnist.test_error(model, x, y)}]


def test_summarize_reports_mean_and_sample_std_at_the_steps_every_run_reached(tmp_path, capsys):
    runs = []
    for seed, errors in enumerate([{3000: 0.10, 6000: 0.04}, {3000: 0.12, 6000: 0.02, 9000: 0.01},
                                   {3000: 0.14, 6000: 0.03}]):
        run = tmp_path / f"s{seed}"
        run.mkdir()
        (run / "test_error.json").write_text(json.dumps(
            [{"step": step, "test_error": e} for step, e in errors.items()]))
        runs.append(str(run))
    rows = sgan_mnist.summarize(runs)
    assert [r[0] for r in rows] == [3000, 6000]   # 9,000 only one run reached
    np.testing.assert_allclose(rows[0][1], [0.10, 0.12, 0.14])
    np.testing.assert_allclose([rows[0][2], rows[0][3]], [0.12, 0.02])
    np.testing.assert_allclose([rows[1][2], rows[1][3]], [0.03, 0.01])
    sgan_mnist.main(["--summarize", *runs])
    assert "| 6,000 | 4.00% | 2.00% | 3.00% | 3.00% | 1.00% |" in capsys.readouterr().out
