"""benchmarks/image_folder_quality.py: one run scores a generator in several evaluators'
features and files each under the key `keras-gans zoo build --metrics` shows."""

import json
import os
import sys

import numpy as np
from PIL import Image

import keras_gans as kg

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
import image_folder_quality  # noqa: E402


def test_scores_in_each_extractor_under_its_own_key(tmp_path):
    faces = tmp_path / "faces"
    faces.mkdir()
    pixels = np.random.default_rng(0).integers(0, 256, (24, 32, 32, 3), dtype=np.uint8)
    for i, image in enumerate(pixels):
        Image.fromarray(image).save(faces / f"{i:03d}.png")
    model = kg.models.DCGAN(data_shape=(32, 32, 3), latent_dim=8)
    model.generate(1, seed=0)
    model.save(str(tmp_path / "model.keras"))
    out = tmp_path / "out"
    image_folder_quality.main(["--data", str(faces), "--model", str(tmp_path / "model.keras"),
                               "--num-samples", "24", "--extractor", "cifar10", "anime",
                               "--out", str(out)])
    metrics = json.loads((out / "preset_metrics.json").read_text())
    assert set(metrics) == {"scores", "scores in the anime evaluator"}
    assert metrics["scores"]["protocol"].startswith("cifar10 evaluator features")
    assert metrics["scores in the anime evaluator"]["protocol"].startswith(
        "anime evaluator features")
    # Different features give different distances for the same samples.
    assert metrics["scores"]["fid"] != metrics["scores in the anime evaluator"]["fid"]
    report = json.loads((out / "results.json").read_text())
    assert set(report["extractors"]) == {"cifar10", "anime"}
    for name in ("cifar10", "anime"):
        assert {"floor", "scores"} <= set(report["extractors"][name])
    assert set(report["colour_noise"]) == {"real", "model"}


def test_colour_noise_sees_colour_speckle_not_grey_detail():
    rng = np.random.default_rng(0)
    grey = np.repeat(rng.uniform(-1, 1, (4, 16, 16, 1)), 3, axis=-1)  # sharp, colourless
    assert image_folder_quality.colour_noise(grey) == 0.0
    smooth = np.broadcast_to(np.linspace(-1, 1, 3), (4, 16, 16, 3))  # colour, no speckle
    assert image_folder_quality.colour_noise(smooth) == 0.0
    speckled = smooth + rng.normal(0, 0.1, smooth.shape)
    assert image_folder_quality.colour_noise(speckled) > 0.1


def test_truncation_keys():
    assert image_folder_quality.metrics_key(0, "cifar10", None) == "scores"
    assert image_folder_quality.metrics_key(0, "cifar10", 0.7) == "scores_truncation_0.7"
    assert image_folder_quality.metrics_key(1, "anime", 0.7) == (
        "scores in the anime evaluator, truncation 0.7")
