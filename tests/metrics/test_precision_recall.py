import numpy as np
import pytest

import keras_gans as kg


@pytest.fixture(scope="module")
def cloud():
    return np.random.default_rng(0).normal(size=(300, 5))


def test_identical_sets_have_full_precision_recall_and_coverage(cloud):
    pr = kg.metrics.PrecisionRecall()
    pr.update_state(cloud, cloud)
    assert pr.result() == {"precision": 1.0, "recall": 1.0}
    dc = kg.metrics.DensityCoverage()
    dc.update_state(cloud, cloud)
    result = dc.result()
    assert result["coverage"] == 1.0
    assert 0.8 < result["density"] < 1.5


def test_disjoint_sets_have_zero_precision_recall_density_and_coverage(cloud):
    pr = kg.metrics.PrecisionRecall()
    pr.update_state(cloud, cloud + 100.0)
    assert pr.result() == {"precision": 0.0, "recall": 0.0}
    dc = kg.metrics.DensityCoverage()
    dc.update_state(cloud, cloud + 100.0)
    assert dc.result() == {"density": 0.0, "coverage": 0.0}


def test_collapse_keeps_precision_and_loses_recall(cloud):
    # All generated samples on one real point: inside the real manifold, covering little.
    pr = kg.metrics.PrecisionRecall(k=3)
    pr.update_state(cloud, np.repeat(cloud[:1], 300, axis=0) + 1e-3)
    result = pr.result()
    assert result["precision"] == 1.0 and result["recall"] < 0.1
    dc = kg.metrics.DensityCoverage(k=5)
    dc.update_state(cloud, np.repeat(cloud[:1], 300, axis=0))
    assert dc.result()["coverage"] < 0.1


def test_same_distribution_scores_high_but_below_one():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(2, 1000, 4))
    pr = kg.metrics.PrecisionRecall()
    for i in range(0, 1000, 300):
        pr.update_state(x[i:i + 300], y[i:i + 300])
    result = pr.result()
    assert 0.8 < result["precision"] < 1.0 and 0.8 < result["recall"] < 1.0
    assert pr.report()["protocol"]["metric"]["k"] == 3


def test_too_few_samples_for_k():
    pr = kg.metrics.PrecisionRecall(k=3)
    pr.update_state(np.zeros((3, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="at least 4 reference samples"):
        pr.result()


@pytest.mark.parametrize("cls,kwargs", [
    (kg.metrics.FID, {}), (kg.metrics.KID, {"subset_size": 7, "num_subsets": 3}),
    (kg.metrics.InceptionScore, {"splits": 4}), (kg.metrics.PrecisionRecall, {"k": 2}),
    (kg.metrics.DensityCoverage, {"k": 4, "max_samples": 99})])
def test_every_metric_round_trips_its_config(cls, kwargs):
    import keras

    metric = cls(reference="digits:all", **kwargs)
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert type(clone) is cls and clone.get_config() == metric.get_config()
    for key, value in kwargs.items():
        assert getattr(clone, key) == value
