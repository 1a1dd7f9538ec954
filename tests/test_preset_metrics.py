"""Re-measure each preset's recorded headline metric, as its metadata's protocol says, and
compare it with the recorded value within the stated noise (or, for deterministic
protocols, within the rounding of the recorded number).

The toy presets' mode coverage needs no data and runs with the suite. The others need the
reference data (``../shared/data`` beside the repository, or ``KERAS_GANS_DATA``) and
minutes of CPU each: they are marked ``slow`` and skipped unless ``-m slow`` or
``KERAS_GANS_SLOW=1`` asks for them (CI does not run them). Catches: a code change that
alters what a preset draws *and* how good it is, or a metadata number that the preset no
longer earns.
"""

import os

import numpy as np
import pytest

import keras_gans as kg
from keras_gans import presets

DATA_DIR = os.environ.get("KERAS_GANS_DATA") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared", "data")


def _metrics(name):
    return presets.read_metadata(name)["metrics"]


@pytest.mark.parametrize("name, distribution", [("gan-ring8", "ring8"),
                                                ("wgan-gp-grid25", "grid25")])
def test_toy_preset_mode_coverage_is_what_its_metadata_records(name, distribution):
    """Protocol: kg.metrics.mode_coverage on generate(2500, seed=0); deterministic, so the
    recorded values (rounded to 4 digits) must come back to their rounding."""
    recorded = _metrics(name)["mode_coverage"]
    samples = kg.load(name).generate(2500, seed=0)
    measured = kg.metrics.mode_coverage(samples, distribution)
    assert measured["modes_covered"] == recorded["modes_covered"]
    assert measured["num_modes"] == recorded["num_modes"]
    for key in ("high_quality", "reverse_kl"):
        assert abs(measured[key] - recorded[key]) <= 5e-5 + 1e-9, (key, measured[key])


def _data_file(dataset):
    path = os.path.join(DATA_DIR, f"{dataset}.npz")
    if not os.path.exists(path):
        pytest.skip(f"re-measuring needs the reference data {path} (set KERAS_GANS_DATA to "
                    f"the folder that holds {dataset}.npz)")
    return path


EVALUATED = [n for n in presets.list_models()
             if "evaluator_scores" in (presets.read_metadata(n).get("metrics") or {})]


@pytest.mark.slow
@pytest.mark.parametrize("name", EVALUATED)
def test_image_preset_fid_is_what_its_metadata_records(name):
    """Protocol (metadata): FID in the domain evaluator's features between the reference
    training split and 10,000 samples of generate(250, seed=s), s = 1, 2, ... (EMA
    generator when the preset has one). The protocol is seeded, so the only noise is
    floating-point order: 1% of the recorded FID, or 0.01 for the near-zero ones."""
    metadata = presets.read_metadata(name)
    scores = metadata["metrics"]["evaluator_scores"]
    protocol = scores["protocol"]
    dataset = protocol["reference"].split(":")[0]
    _data_file(dataset)
    model = kg.load(name)
    result = kg.metrics.evaluate(model, ("fid",), reference=dataset,
                                 num_samples=protocol["num_fake"], data_dir=DATA_DIR,
                                 ema=model.has_ema)
    fid = result["fid"]["fid"]
    assert result["fid"]["protocol"]["extractor_sha256"] == protocol["extractor_sha256"], \
        "the evaluator's weights changed: the recorded FID is not comparable"
    assert abs(fid - scores["fid"]) <= max(0.01 * scores["fid"], 0.01), (fid, scores["fid"])


SHARES_RECORDED = [n for n in EVALUATED
                   if "class_shares" in _metrics(n)["evaluator_scores"]]


@pytest.mark.slow
@pytest.mark.parametrize("name", SHARES_RECORDED)
def test_image_preset_class_histogram_is_what_its_metadata_records(name):
    """Protocol: the domain evaluator's argmax over generate(N, seed=0); deterministic up
    to floating-point order, so each recorded share (4 digits) must come back within a
    few samples that sit on a class boundary."""
    scores = _metrics(name)["evaluator_scores"]
    _data_file(scores["protocol"]["reference"].split(":")[0])
    model = kg.load(name)
    n = scores["protocol"]["num_fake"]
    classifier = kg.metrics.load_evaluator(presets.read_metadata(name)["dataset"])
    logits = classifier.predict(model.generate(n, seed=0), batch_size=500, verbose=0)
    counts = np.bincount(logits.argmax(axis=1), minlength=len(scores["class_shares"]))
    np.testing.assert_allclose(counts / n, scores["class_shares"], atol=5 / n + 5e-5)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in presets.list_models()
                                  if "label_accuracy" in (_metrics(n) or {})])
def test_conditional_preset_label_accuracy_is_what_its_metadata_records(name):
    """Protocol (metadata): 1,000 samples of each class, seed 0, read by the evaluator;
    deterministic up to floating-point order: within 5 samples of 10,000."""
    from keras_gans import preset_builder

    recorded = _metrics(name)["label_accuracy"]
    _data_file(presets.read_metadata(name)["dataset"])
    dataset = presets.read_metadata(name)["dataset"]
    measured = preset_builder.label_accuracy(kg.load(name), kg.metrics.load_evaluator(dataset),
                                             dataset)
    assert abs(measured["accuracy"] - recorded["accuracy"]) <= 5e-4 + 1e-9, measured


@pytest.mark.slow
def test_sgan_classifier_test_error_is_what_its_metadata_records():
    """Protocol: argmax of classifier() on all 10,000 MNIST test images; deterministic, so
    the recorded error (5 digits) must come back, within one test image."""
    from keras_gans.metrics import evaluators

    recorded = _metrics("sgan-mnist-100")["classifier_test_error"]
    _data_file("mnist")
    x, y = evaluators.load_reference_arrays("mnist", "test", DATA_DIR)
    model = kg.load("sgan-mnist-100")
    predicted = model.classifier().predict(evaluators.to_unit_range(x), batch_size=1000,
                                           verbose=0).argmax(axis=1)
    assert len(y) == recorded["num_test"]
    assert abs(float(np.mean(predicted != y)) - recorded["error"]) <= 1.0 / len(y)


NOT_REMEASURED = {
    "dcgan-stacked-mnist": "its mode count reads 78,000 channels of 26,000 samples (about a "
                           "minute): python benchmarks/stacked_mnist.py --score "
                           "MODEL.keras (the preset loaded and saved as .keras)",
    "tabular-gan-adult": "TSTR trains gradient boosting on 26,048 rows: "
                         "python benchmarks/tabular.py tstr",
    "radialgan-adult": "its AUROC is a mean over 3 seeds of a new split and a new RadialGAN "
                       "each: python benchmarks/tabular.py radialgan",
    "simgan-digits": "trains 6 classifiers on refined and raw digits: "
                     "python benchmarks/simgan_digits.py",
    "cyclegan-daisy2sunflower": "trains a domain classifier on the flowers photos: "
                                "python benchmarks/cyclegan_domains.py",
    "srgan-x4": "needs scikit-image's photos and metrics: python benchmarks/srgan_x4.py "
                "--evaluate",
    "stylegan2-anime-32": "needs the anime faces extracted to a folder (minutes of CPU): "
                          "python benchmarks/image_folder_quality.py --data FOLDER "
                          "--model stylegan2-anime-32 --truncation 0.7 "
                          "--extractor cifar10 anime",
    "progan-anime-32": "needs the anime faces extracted to a folder (minutes of CPU): "
                       "python benchmarks/image_folder_quality.py --data FOLDER "
                       "--model progan-anime-32 --extractor cifar10 anime",
}


def test_every_preset_has_a_remeasurement_or_a_stated_reason():
    """Catches a new preset whose headline metric nobody re-measures."""
    covered = {"gan-ring8", "wgan-gp-grid25", *EVALUATED, *NOT_REMEASURED}
    assert covered == set(presets.list_models())


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(NOT_REMEASURED))
def test_presets_measured_by_their_benchmarks(name):
    pytest.skip(f"{name}: not re-measured by the test suite; {NOT_REMEASURED[name]}")
