"""benchmarks/anomaly_baselines.py: each baseline separates an easy synthetic one-class
problem with "higher = more anomalous" scores, and the script's per-class results file is
written, resumed and guarded."""

import json
import os
import sys

import numpy as np
import pytest

pytest.importorskip("sklearn")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
import anomaly_baselines  # noqa: E402

from keras_gans.metrics import auroc  # noqa: E402


def digit_images():
    """scikit-learn's 8x8 digits, each pixel repeated 3x3 and padded to 28x28, as uint8
    (0-255) with their labels: a tiny offline stand-in for MNIST."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = np.pad(digits.images.repeat(3, axis=1).repeat(3, axis=2), ((0, 0), (2, 2), (2, 2)))
    return np.rint(images * 255 / 16).astype("uint8"), digits.target


@pytest.fixture(scope="module")
def problem():
    """Normal: zeros (120 to train on, 40 in the test set); anomalies: 40 other digits."""
    images, labels = digit_images()
    images = anomaly_baselines.to_unit_range(images)
    zeros, others = images[labels == 0], images[labels != 0]
    test = np.concatenate([zeros[120:160], others[:40]])
    return zeros[:120], test, np.repeat([0, 1], 40)


def test_every_baseline_scores_the_anomalies_higher(problem):
    train, test, anomalous = problem
    train_f, test_f = anomaly_baselines.pca_features(train, test, n_components=10)
    assert train_f.shape == (120, 10) and test_f.shape == (80, 10)
    scores = {"ocsvm": anomaly_baselines.ocsvm_scores(train_f, test_f, max_train=100),
              "iforest": anomaly_baselines.iforest_scores(train_f, test_f),
              "knn": anomaly_baselines.knn_scores(train_f, test_f),
              "autoencoder": anomaly_baselines.autoencoder_scores(train, test, epochs=15)}
    for method, s in scores.items():
        assert s.shape == (80,) and np.all(np.isfinite(s)), method
        # Orientation: a score that is higher for normal images would give an AUROC near 0.
        assert auroc(s, anomalous) > 0.9, (method, auroc(s, anomalous))


def test_knn_score_is_the_mean_distance_to_the_k_nearest_training_points():
    train = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [10.0, 10.0]])
    scores = anomaly_baselines.knn_scores(train, np.array([[0.0, 0.0], [0.0, 5.0]]), k=2)
    np.testing.assert_allclose(scores, [0.5, (3.0 + 5.0) / 2])


def test_the_test_subset_is_anomaly_mnists_and_images_are_scaled_like_the_gans():
    np.testing.assert_array_equal(anomaly_baselines.test_subset(10000, 1000, 0),
                                  np.random.default_rng(0).choice(10000, 1000, replace=False))
    scaled = anomaly_baselines.to_unit_range(np.array([[[0, 255]]], "uint8"))
    assert scaled.shape == (1, 1, 2, 1) and scaled.ravel().tolist() == [-1.0, 1.0]


def test_main_writes_per_class_results_and_a_rerun_skips_them(tmp_path, monkeypatch, capsys):
    images, labels = digit_images()
    zeros, ones = images[labels == 0], images[labels == 1]
    x_train, y_train = np.concatenate([zeros[:60], ones[:60]]), np.repeat([0, 1], 60)
    x_test = np.concatenate([zeros[60:110], ones[60:110]])
    y_test = np.repeat([0, 1], 50)
    data = tmp_path / "bars.npz"
    np.savez(data, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    out = tmp_path / "out" / "results.json"
    argv = ["--data", str(data), "--classes", "0", "1", "--num-test", "60", "--epochs", "1",
            "--pca-components", "5", "--subset-seeds", "0", "1", "--out", str(out)]
    results = anomaly_baselines.main(argv)
    saved = json.loads(out.read_text())
    assert [r["class"] for r in saved["results"]] == [0, 1] == [r["class"] for r in results]
    for r in saved["results"]:
        assert r["num_train"] == 60
        assert set(r["auroc"]) == set(anomaly_baselines.METHODS) == set(r["wall_s"]) - {"pca"}
        assert all(set(v) == {"0", "1"} for v in r["auroc"].values())
        assert r["auroc"]["knn"]["0"] > 0.9
    table = capsys.readouterr().out
    assert "| Normal digit | 0 | 1 | mean |" in table and "± " in table

    def no_refit(*args):
        raise AssertionError("a finished class was fitted again")

    monkeypatch.setattr(anomaly_baselines, "score_class", no_refit)
    assert anomaly_baselines.main(argv) == saved["results"]
    with pytest.raises(ValueError, match="another --out"):
        anomaly_baselines.main(argv[:-5] + ["--subset-seeds", "0", "--out", str(out)])
