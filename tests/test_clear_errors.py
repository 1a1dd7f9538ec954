"""Damaged files and missing downloads end in one clear error that names the file (or
what is missing) and the fix, not in a traceback from the library underneath."""

import urllib.error

import numpy as np
import PIL.Image
import pytest

import keras_gans as kg
from keras_gans import cli, presets


def _npz(path):
    np.savez(path, x_train=np.zeros((8, 4, 4, 1), "uint8"), y_train=np.zeros(8, "int64"))
    return path


def test_a_truncated_npz_names_the_file(tmp_path):
    path = _npz(tmp_path / "data.npz")
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match=rf"Cannot read '{path}' as an .npz archive.*"
                                         r"truncated, corrupt"):
        kg.data.load(str(path), batch_size=4)


def test_an_npz_of_garbage_names_the_file_without_talk_of_pickles(tmp_path):
    path = tmp_path / "garbage.npz"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(ValueError, match=rf"Cannot read '{path}'") as error:
        kg.data.load(str(path), batch_size=4)
    assert "pickled" not in str(error.value)


def test_a_truncated_keras_file_is_named_not_called_missing(tmp_path, capsys):
    model = kg.models.GAN(data_shape=(2,), latent_dim=2)
    path = tmp_path / "gan.keras"
    model.save(str(path))
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(presets.PresetError, match=rf"'{path}' is not a readable .keras file.*"
                                                  r"truncated, corrupt"):
        kg.load(str(path))
    assert cli.main(["sample", str(path), "-o", str(tmp_path / "s.png")]) == 2
    err = capsys.readouterr().err
    assert "not a readable .keras file" in err and "not found" not in err.lower()


def test_a_cut_short_jpeg_loaded_without_validation_is_named_when_training(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(4):
        PIL.Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype="uint8")).save(
            folder / f"{i}.jpg")
    broken = folder / "2.jpg"
    broken.write_bytes(broken.read_bytes()[:200])
    ds = kg.data.load(str(folder), batch_size=2, image_size=8, channels=3, validate=False,
                      seed=0)
    gan = kg.models.DCGAN(data_shape=(8, 8, 3), latent_dim=4)
    gan.compile()
    with pytest.raises(ValueError, match=rf"Cannot decode the image file '{broken}': it is "
                                         r"cut short"):
        gan.fit(ds, epochs=1, verbose=0)


def test_the_inception_extractor_offline_says_what_it_needs(tmp_path, monkeypatch):
    from keras.src.utils import file_utils

    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(file_utils.config, "keras_home", lambda: str(tmp_path))  # no cache
    monkeypatch.setattr(file_utils, "urlretrieve", offline)
    with pytest.raises(ConnectionError, match=r"InceptionV3 .*download failed: URL fetch "
                                              r"failure.*--extractor mnist"):
        kg.metrics.extractors.InceptionV3Extractor()
