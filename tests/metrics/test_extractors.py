import hashlib
import os

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.metrics import evaluators


@pytest.fixture(scope="module")
def inception():
    return kg.metrics.InceptionV3Extractor(weights=None)  # never download in tests


def test_inception_pipeline_resizes_to_299_and_repeats_grey_to_rgb(inception):
    grey = np.linspace(-1, 1, 2 * 28 * 28, dtype="float32").reshape(2, 28, 28, 1)
    x = inception.preprocess(grey).numpy()
    assert x.shape == (2, 299, 299, 3)
    np.testing.assert_array_equal(x[..., 0], x[..., 1])
    np.testing.assert_array_equal(x[..., 0], x[..., 2])
    assert x.min() >= -1.0 and x.max() <= 1.0
    assert x.min() < -0.9 and x.max() > 0.9  # values stay in [-1, 1], not rescaled
    # Bilinear: the resized image's mean is the source's mean.
    np.testing.assert_allclose(x[0].mean(), grey[0].mean(), atol=0.01)


def test_inception_gives_2048_features_and_1000_logits(inception):
    out = inception(np.zeros((3, 32, 32, 3), "float32"), batch_size=2)
    assert out["features"].shape == (3, 2048) and out["logits"].shape == (3, 1000)
    assert out["features"].dtype == np.float32
    fields = inception.protocol_fields()
    assert fields["extractor"] == "inception_v3(None)" and fields["image_size"] == (299, 299)
    assert "bilinear" in fields["resize_rule"] and len(fields["extractor_sha256"]) == 64


def test_extractors_refuse_images_outside_minus_one_one(inception):
    with pytest.raises(ValueError, match=r"Expected images in \[-1, 1\]"):
        inception(np.full((1, 8, 8, 3), 255.0, "float32"))
    with pytest.raises(ValueError, match="NaN"):
        inception(np.full((1, 8, 8, 3), np.nan, "float32"))
    with pytest.raises(TypeError, match="x / 127.5 - 1"):
        inception(np.zeros((1, 8, 8, 3), "uint8"))
    with pytest.raises(ValueError, match=r"\(n, height, width, channels\)"):
        inception(np.zeros((8, 8, 3), "float32"))


@pytest.fixture(scope="module")
def tiny_classifier():
    return evaluators.build_small_cnn((16, 16, 1), 10, width=4, feature_dim=12)


def test_classifier_extractor_gives_penultimate_features_and_logits(tiny_classifier):
    ext = kg.metrics.ClassifierExtractor(tiny_classifier)
    out = ext(np.zeros((5, 8, 8, 1), "float32"))  # resized to 16x16
    assert out["features"].shape == (5, 12) and out["logits"].shape == (5, 10)
    expected = tiny_classifier.predict(np.zeros((5, 16, 16, 1)), verbose=0)
    np.testing.assert_allclose(out["logits"], expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="expects 1-channel images"):
        ext(np.zeros((1, 16, 16, 3), "float32"))


def test_classifier_without_named_layers_is_refused():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    with pytest.raises(ValueError, match="no layer named 'features' or 'logits'"):
        kg.metrics.ClassifierExtractor(model)


def test_fid_on_images_through_an_extractor(tiny_classifier):
    x = np.random.default_rng(0).uniform(-1, 1, (40, 16, 16, 1)).astype("float32")
    fid = kg.metrics.FID(extractor=kg.metrics.ClassifierExtractor(tiny_classifier))
    fid.update_state(x, x)
    assert abs(fid.result()["fid"]) < 1e-4
    assert fid.protocol().image_size == (16, 16)


# Each evaluator meets the test accuracy target of issue 4 (99.3%, 92%, 85%); the anime
# evaluator's (issue 18) is on its self-supervised task, eight classes (chance 12.5%).
@pytest.mark.parametrize("name,shape,accuracy", [("mnist", (28, 28, 1), 0.993),
                                                  ("fashion_mnist", (28, 28, 1), 0.92),
                                                  ("cifar10", (32, 32, 3), 0.85),
                                                  ("anime", (32, 32, 3), 0.90)])
def test_trained_evaluators_load_with_their_card(name, shape, accuracy):
    folder = evaluators.evaluator_dir(name)
    meta = evaluators.evaluator_metadata(name)
    if not meta:
        pytest.skip(f"the {name} evaluator is not trained in this checkout")
    model = kg.metrics.load_evaluator(name)
    assert tuple(model.input_shape[1:]) == shape
    assert meta["test_accuracy"] >= accuracy
    with open(os.path.join(folder, "model.keras"), "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == meta["model_sha256"]
    assert os.path.getsize(os.path.join(folder, "model.keras")) < 5e6
    out = kg.metrics.ClassifierExtractor(name)(np.zeros((2,) + shape, "float32"))
    assert out["features"].shape == (2, meta["feature_dim"])
    assert out["logits"].shape == (2, meta["num_classes"])


def test_unknown_evaluator():
    with pytest.raises(FileNotFoundError, match="Pass one of mnist, fashion_mnist, cifar10"):
        kg.metrics.load_evaluator("svhn")


def test_a_metric_with_a_saved_classifier_round_trips_its_config(tiny_classifier, tmp_path):
    path = str(tmp_path / "tiny.keras")
    tiny_classifier.save(path)
    fid = kg.metrics.FID(extractor=path)
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(fid))
    assert isinstance(clone.extractor, kg.metrics.ClassifierExtractor)
    assert clone.extractor.weights_sha256 == fid.extractor.weights_sha256
    with pytest.raises(NotImplementedError, match="pass its path instead"):
        kg.metrics.FID(extractor=kg.metrics.ClassifierExtractor(tiny_classifier)).get_config()


def test_the_mnist_evaluator_reads_the_embedded_digits():
    if not evaluators.evaluator_metadata("mnist"):
        pytest.skip("the mnist evaluator is not trained in this checkout")
    # scikit-learn's 8x8 digits drawn the MNIST way: a 20x20 digit centred in 28x28.
    x, y = kg.data.load_digits_arrays(20)
    x = np.pad(x, ((0, 0), (4, 4), (4, 4), (0, 0)), constant_values=-1.0)
    predicted = kg.metrics.load_evaluator("mnist").predict(x, verbose=0).argmax(axis=1)
    assert np.mean(predicted == y) > 0.75  # 0.85 measured; a different domain, so not 0.99
