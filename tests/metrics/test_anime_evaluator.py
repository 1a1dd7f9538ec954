"""The `anime` domain evaluator (issue 18): it loads from the zoo, maps 32x32 colour faces to
its documented features, scores FID in them, and the anime faces serve as a reference."""

import io
import json
import tarfile
import tempfile

import numpy as np
import pytest
from PIL import Image

import keras_gans as kg
from keras_gans import cli
from keras_gans.metrics import degradations, evaluators

META = evaluators.evaluator_metadata("anime")
trained = pytest.mark.skipif(not META, reason="the anime evaluator is not trained in this "
                                              "checkout")


def _smooth_images(n, seed):
    """Colour images of smooth blobs: a stand-in for faces that needs no data."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(-0.9, 0.9, (n, 4, 4, 3)).astype("float32")
    return kg.metrics.degradations.gaussian_blur(
        np.repeat(np.repeat(coarse, 8, axis=1), 8, axis=2)).numpy()


@pytest.fixture(scope="module")
def extractor():
    return kg.metrics.ClassifierExtractor("anime")


@trained
def test_the_card_documents_the_task_and_its_held_out_accuracy():
    assert META["input_shape"] == [32, 32, 3] and META["input_range"] == [-1.0, 1.0]
    assert META["classes"] == list(degradations.DEGRADATIONS)
    per_class = META["test_accuracy_per_class"]
    assert list(per_class) == list(degradations.DEGRADATIONS)
    # each held-out face under each class: the overall accuracy is their mean
    assert META["test_examples"] == META["test_files"] * len(per_class)
    assert META["test_accuracy"] == pytest.approx(np.mean(list(per_class.values())), abs=1e-3)


@trained
def test_a_batch_of_faces_maps_to_the_documented_feature_width(extractor):
    out = extractor(_smooth_images(5, 0), batch_size=2)
    assert out["features"].shape == (5, META["feature_dim"]) == (5, 128)
    assert out["logits"].shape == (5, len(degradations.DEGRADATIONS))
    assert np.all(np.isfinite(out["features"])) and out["features"].std() > 0
    assert extractor.protocol_fields()["extractor"] == "classifier(anime)"


@trained
def test_fid_of_a_set_with_itself_is_zero_and_with_noise_large():
    faces = _smooth_images(200, 1)
    noise = np.random.default_rng(2).uniform(-1, 1, faces.shape).astype("float32")
    fid = kg.metrics.FID(extractor="anime")
    fid.update_state(faces, faces)
    same = fid.result()["fid"]
    fid.reset_state()
    fid.update_state(faces, noise)
    assert abs(same) < 1e-3 and fid.result()["fid"] > 100 * max(abs(same), 1e-2)


@trained
def test_wrong_inputs_are_refused_with_the_fix(extractor):
    with pytest.raises(ValueError, match="expects 3-channel images"):
        extractor(np.zeros((2, 32, 32, 4), "float32"))
    with pytest.raises(ValueError, match=r"\(n, height, width, channels\)"):
        extractor(np.zeros((32, 32, 3), "float32"))
    with pytest.raises(ValueError, match=r"Expected images in \[-1, 1\]"):
        extractor(np.full((2, 32, 32, 3), 255.0, "float32"))


def _fake_archive(folder, n=40):
    """An anime-faces-64.tar.gz of n coloured 64x64 JPEGs, laid out as the real one."""
    rng = np.random.default_rng(0)
    with tarfile.open(folder / evaluators.ANIME_ARCHIVE, "w:gz") as tar:
        for i in range(n):
            buf = io.BytesIO()
            Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype="uint8")).save(buf, "JPEG")
            info = tarfile.TarInfo(f"images/{i}_2000.jpg")
            info.size = buf.tell()
            buf.seek(0)
            tar.addfile(info, buf)


def test_the_anime_faces_split_by_file_name(tmp_path):
    _fake_archive(tmp_path)
    x_train, y = evaluators.load_reference_arrays("anime", "train", str(tmp_path),
                                                  cache_dir=str(tmp_path / "cache"))
    x_test, _ = evaluators.load_reference_arrays("anime", "test", str(tmp_path),
                                                 cache_dir=str(tmp_path / "cache"))
    held_out = sum(evaluators.anime_test_file(f"{i}_2000.jpg") for i in range(40))
    assert len(x_test) == held_out and len(x_train) == 40 - held_out and held_out > 0
    assert x_train.shape[1:] == (32, 32, 3) and x_train.dtype == np.uint8
    assert not np.any(y)  # unlabelled: every face is the evaluator's `real` class
    with pytest.raises(FileNotFoundError, match="anime-faces-64.tar.gz"):
        evaluators.load_reference_arrays("anime", "train", str(tmp_path / "cache"))


@trained
def test_cli_eval_scores_a_preset_against_the_anime_faces(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the decoded cache goes here
    _fake_archive(tmp_path)
    out = tmp_path / "scores.json"
    code = cli.main(["eval", "stylegan2-anime-32", "--reference", "anime", "--data-dir",
                     str(tmp_path), "--extractor", "anime", "--num-samples", "50",
                     "--json", str(out)])
    assert code == 0, capsys.readouterr().err
    protocol = json.loads(out.read_text())["results"]["fid"]["protocol"]
    assert protocol["extractor"] == "classifier(anime)" and protocol["num_fake"] == 50
    assert protocol["reference"] == "anime:train" and protocol["image_size"] == [32, 32]
    assert list((tmp_path / "keras_gans").glob("anime32-*.npz"))
