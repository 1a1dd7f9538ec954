"""The zoo: every preset loads offline and generates its declared shape; integrity checks,
unknown names, newer formats, downloads with a cache, the command line and export."""

import functools
import http.server
import json
import os
import shutil
import threading

import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans import cli, presets
from keras_gans.networks import mlp_discriminator, mlp_generator

MB = 1 << 20


@pytest.fixture
def tiny_zoo(tmp_path):
    """A zoo with one tiny 2-D preset, 'tiny-toy' (alias 'tiny'), and its index."""
    model = kg.models.GAN(
        generator=mlp_generator(2, (2,), hidden_units=(8,), output_activation=None),
        discriminator=mlp_discriminator((2,), hidden_units=(8,)))
    zoo = tmp_path / "zoo"
    presets.save_preset(model, str(zoo / "tiny-toy"),
                        {"aliases": ["tiny"], "variant": "gan", "dataset": "ring8"})
    index = presets.write_index(str(zoo))
    return zoo, index, model


# -- the real zoo ---------------------------------------------------------------------

@pytest.mark.parametrize("name", kg.list_models())
def test_every_preset_loads_offline_and_generates_its_shape(name, tmp_path):
    entry = presets.read_index()[name]
    model = kg.load(name, cache=str(tmp_path / "empty-cache"))  # from the zoo, no download
    x = model.generate(4, seed=0)
    assert x.shape == (4, *entry["data_shape"]) and x.dtype == np.float32
    assert np.all(np.isfinite(x))
    np.testing.assert_array_equal(x, model.generate(4, seed=0))
    if len(entry["data_shape"]) > 1:
        assert x.min() >= -1.0 and x.max() <= 1.0
    for alias in entry.get("aliases") or []:
        assert presets.resolve(alias) == name


def test_list_models_matches_the_folders_and_the_index_is_current():
    zoo = presets.zoo_dir()
    folders = sorted(d for d in os.listdir(zoo)
                     if os.path.isfile(os.path.join(zoo, d, presets.METADATA_NAME)))
    assert kg.list_models() == folders and folders
    total = 0
    for name, entry in presets.read_index().items():
        assert set(entry["files"]) == set(presets.PRESET_FILES), name
        for filename, record in entry["files"].items():
            path = os.path.join(zoo, name, filename)
            assert presets.file_record(path) == record, (
                f"{path} changed: run python tools/make_preset.py index")
            total += record["size"]
        assert sum(r["size"] for r in entry["files"].values()) < 25 * MB, name
        with open(os.path.join(zoo, "recipes", f"{name}.yaml")):  # every preset has a recipe
            pass
    assert total < 150 * MB


def test_unknown_name_suggests_close_matches():
    with pytest.raises(presets.PresetError, match="Did you mean 'dcgan-mnist'"):
        kg.load("dcgan-mnst")
    with pytest.raises(presets.PresetError, match="Unknown preset 'nothing-like-it'"):
        kg.load("nothing-like-it")


# -- integrity and formats (a tiny zoo) -----------------------------------------------

def test_alias_folder_and_keras_file_load_the_same_model(tiny_zoo, tmp_path):
    zoo, index, model = tiny_zoo
    expected = model.generate(5, seed=3)
    for source in ("tiny", "TINY_TOY", str(zoo / "tiny-toy")):
        np.testing.assert_allclose(kg.load(source, index=index).generate(5, seed=3), expected)
    model.save(str(tmp_path / "m.keras"))
    np.testing.assert_allclose(kg.load(str(tmp_path / "m.keras")).generate(5, seed=3), expected)
    with pytest.raises(presets.PresetError, match="Did you mean 'tiny-toy'"):
        kg.load("tiny-tyo", index=index)


def test_a_loaded_preset_fine_tunes(tiny_zoo):
    zoo, index, _ = tiny_zoo
    model = kg.load("tiny", index=index)
    model.compile()
    history = model.fit(kg.data.load("ring8", batch_size=16, num_examples=32, seed=0),
                        epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])


def test_sha256_mismatch_is_rejected(tiny_zoo):
    zoo, index, _ = tiny_zoo
    weights = zoo / "tiny-toy" / presets.WEIGHTS_NAME
    data = bytearray(weights.read_bytes())
    data[-10] ^= 0xFF                                   # same size, different bytes
    weights.write_bytes(bytes(data))
    with pytest.raises(presets.PresetError, match="fails its integrity check.*Reinstall"):
        kg.load("tiny-toy", index=index)


def test_truncated_weights_are_rejected(tiny_zoo):
    zoo, index, _ = tiny_zoo
    weights = zoo / "tiny-toy" / presets.WEIGHTS_NAME
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(presets.PresetError, match="truncated"):
        kg.load("tiny-toy", index=index)
    # A folder loaded by path has no index to check against: the reader names the file.
    with pytest.raises(presets.PresetError, match="Cannot read the weights.*truncated"):
        kg.load(str(zoo / "tiny-toy"))


def test_a_newer_format_version_asks_for_an_upgrade(tiny_zoo):
    zoo, index, _ = tiny_zoo
    path = zoo / "tiny-toy" / presets.METADATA_NAME
    metadata = json.loads(path.read_text())
    metadata["format_version"] = presets.FORMAT_VERSION + 1
    path.write_text(json.dumps(metadata))
    with pytest.raises(presets.PresetError, match="format 2 .*Upgrade keras-gans"):
        kg.load(str(zoo / "tiny-toy"))


def test_missing_files_without_url_say_where_they_were_looked_for(tiny_zoo, tmp_path):
    zoo, index, _ = tiny_zoo
    shutil.rmtree(zoo / "tiny-toy")
    with pytest.raises(presets.PresetError, match="neither in the zoo .* nor in the cache"):
        kg.load("tiny", index=index, cache=str(tmp_path / "cache"))


# -- downloads ------------------------------------------------------------------------

class _Server:
    """http.server on 127.0.0.1 serving a folder in a thread, counting GET requests."""

    def __init__(self, folder):
        server = self
        self.requests = []

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _remote(tiny_zoo, tmp_path):
    """Move the preset's files to a served folder and give its index entry a url."""
    zoo, index, model = tiny_zoo
    served = tmp_path / "served" / "tiny-toy"
    shutil.move(str(zoo / "tiny-toy"), str(served))
    return served, index, model


def _set_url(index, url):
    import yaml

    with open(index) as f:
        data = yaml.safe_load(f)
    data["presets"]["tiny-toy"]["url"] = url
    with open(index, "w") as f:
        yaml.safe_dump(data, f)


def test_download_verifies_and_caches(tiny_zoo, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    served, index, model = _remote(tiny_zoo, tmp_path)
    cache = tmp_path / "cache"
    with _Server(served) as server:
        _set_url(index, server.url + "/")
        loaded = kg.load("tiny", index=index, cache=str(cache))
        np.testing.assert_allclose(loaded.generate(3, seed=1), model.generate(3, seed=1))
        assert sorted(server.requests) == sorted(f"/{f}" for f in presets.LOAD_FILES)
        assert (cache / "tiny-toy" / presets.WEIGHTS_NAME).exists()
        kg.load("tiny", index=index, cache=str(cache))     # second load: from the cache
        assert len(server.requests) == len(presets.LOAD_FILES)


def test_corrupt_download_is_rejected(tiny_zoo, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    served, index, _ = _remote(tiny_zoo, tmp_path)
    weights = served / presets.WEIGHTS_NAME
    data = bytearray(weights.read_bytes())
    data[-10] ^= 0xFF
    weights.write_bytes(bytes(data))
    with _Server(served) as server:
        _set_url(index, server.url)
        with pytest.raises(presets.PresetError, match="sha256"):
            kg.load("tiny", index=index, cache=str(tmp_path / "cache"))


# -- command line ---------------------------------------------------------------------

def test_cli_list_shows_every_preset(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    for name in kg.list_models():
        assert name in out


def test_cli_sample_takes_a_preset_name_or_a_keras_file(tiny_zoo, tmp_path, capsys):
    name = kg.list_models()[0]
    assert cli.main(["sample", name, "-n", "4", "-o", str(tmp_path / "a.png")]) == 0
    assert (tmp_path / "a.png").stat().st_size > 0
    _, _, model = tiny_zoo
    model.save(str(tmp_path / "m.keras"))
    assert cli.main(["sample", str(tmp_path / "m.keras"), "-n", "4",
                     "-o", str(tmp_path / "b.png")]) == 0
    assert cli.main(["sample", "no-such-preset", "-o", str(tmp_path / "c.png")]) == 2
    assert "Unknown preset" in capsys.readouterr().err


def test_cli_export_writes_a_savedmodel_with_seed_and_latent_signatures(tiny_zoo, tmp_path):
    zoo, _, model = tiny_zoo
    out = str(tmp_path / "export")
    assert cli.main(["export", str(zoo / "tiny-toy"), "--format", "savedmodel",
                     "--out", out]) == 0
    reloaded = tf.saved_model.load(out)
    seeds = reloaded.signatures["serving_default"](seeds=tf.constant([0, 1, 0], tf.int64))
    images = seeds["images"].numpy()
    assert images.shape == (3, 2)
    np.testing.assert_array_equal(images[0], images[2])        # same seed, same output
    assert not np.allclose(images[0], images[1])
    z = model.latent_vectors(3, seed=0)
    latent = reloaded.signatures["from_latent"](z=tf.constant(z))["images"].numpy()
    np.testing.assert_allclose(latent, model.generate(3, z=z), rtol=1e-5, atol=1e-6)
