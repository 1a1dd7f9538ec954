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
    (run / "model.keras").write_text("")   # the run has finished: one pass, then return
    sgan_mnist.watch(str(run), x, y, poll_seconds=0)
    scores = json.loads((run / "test_error.json").read_text())
    assert [r["step"] for r in scores] == [100, 200]
    assert scores[0]["test_error"] == 0.5
    expected = sgan_mnist.test_error(model, x, y)
    assert scores[1]["test_error"] == expected and 0.0 <= expected <= 1.0
