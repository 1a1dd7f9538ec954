"""benchmarks/biggan_truncation.py: one row per threshold and batch-norm setting, scored
against features of the reference computed once."""

import os
import sys

import numpy as np

import keras_gans as kg

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
import biggan_truncation  # noqa: E402


def test_rows_score_the_requested_classes_and_the_fade_without_standing_statistics():
    model = kg.models.BigGAN(data_shape=(32, 32, 3), num_classes=10, latent_dim=16, ch=2,
                             shared_dim=4)
    model.standing_batches, model.standing_batch_size = 2, 32
    extractor = kg.metrics.extractors.get("cifar10")
    real = np.random.default_rng(0).uniform(-1, 1, (40, 32, 32, 3)).astype("float32")
    out = extractor(real)
    reference = (out["features"], out["logits"], "random images")
    rows = {(t, s): biggan_truncation.score(model, extractor, reference, t, s, 30,
                                            batch_size=15)
            for t in (None, 0.25) for s in (True, False)}
    for row in rows.values():
        assert 0.0 <= row["label_accuracy"] <= 1.0 and row["fid"] > 0
    # The extractor's argmax of the same samples, against the classes generate cycles.
    x = np.concatenate([model.generate(15, seed=s, truncation=0.25) for s in (1, 2)])
    guess = np.argmax(extractor(x)["logits"], axis=1)
    assert rows[(0.25, True)]["label_accuracy"] == round(
        float(np.mean(guess == np.arange(30) % 15 % 10)), 4)
    assert rows[(0.25, True)]["rarest_class_share"] == round(
        float(np.bincount(guess, minlength=10).min() / 30), 4)
    # Narrow latents keep their contrast only with standing statistics.
    assert rows[(0.25, False)]["pixel_sd"] < rows[(None, False)]["pixel_sd"]
    assert (abs(rows[(0.25, True)]["pixel_sd"] - rows[(None, True)]["pixel_sd"])
            < abs(rows[(0.25, False)]["pixel_sd"] - rows[(None, False)]["pixel_sd"]))
