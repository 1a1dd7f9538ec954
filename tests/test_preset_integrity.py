"""Presets cannot be swapped under the user: a bare name never loads a folder of the working
directory, a folder loaded by path is checked against its SHA256SUMS or its zoo's index,
a failed download leaves nothing in the cache, and unsafe preset names are refused."""

import os
import pathlib
import shutil

import numpy as np
import pytest
import yaml

import keras_gans as kg
from keras_gans import cli, presets
from tests.test_presets import _remote, _Server, _set_url, tiny_zoo  # noqa: F401


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_folder_in_the_working_directory_never_shadows_a_preset(tiny_zoo, tmp_path,
                                                                  monkeypatch):
    zoo, index, model = tiny_zoo
    work = tmp_path / "work"
    shutil.copytree(zoo / "tiny-toy", work / "tiny-toy")
    os.remove(work / "tiny-toy" / presets.MANIFEST_NAME)  # a folder nobody vouches for
    impostor = presets.load_folder(str(work / "tiny-toy"))
    impostor.set_weights([w * 0.5 + 0.1 for w in impostor.get_weights()])
    impostor.save_weights(str(work / "tiny-toy" / presets.WEIGHTS_NAME))
    monkeypatch.chdir(work)
    expected = model.generate(4, seed=0)
    # The name loads the verified preset of the index, not ./tiny-toy.
    np.testing.assert_allclose(kg.load("tiny-toy", index=index).generate(4, seed=0), expected)
    # A path loads the folder, as asked (a pathlib.Path is always a path).
    assert not np.allclose(kg.load("./tiny-toy").generate(4, seed=0), expected)
    assert not np.allclose(kg.load(pathlib.Path("tiny-toy")).generate(4, seed=0), expected)


def test_a_bare_name_that_is_no_preset_points_at_the_folder_path(tiny_zoo, tmp_path,
                                                                 monkeypatch, capsys):
    zoo, index, _ = tiny_zoo
    shutil.copytree(zoo / "tiny-toy", tmp_path / "my-gan")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(presets.PresetError, match=r"Unknown preset 'my-gan'.*pass './my-gan'"):
        kg.load("my-gan", index=index)
    assert cli.main(["sample", "my-gan", "-o", str(tmp_path / "s.png")]) == 2
    assert "pass './my-gan'" in capsys.readouterr().err


def test_a_folder_loaded_by_path_is_checked_against_its_manifest_or_its_index(tiny_zoo,
                                                                            tmp_path):
    zoo, index, _ = tiny_zoo
    copy = tmp_path / "copy" / "tiny-toy"
    shutil.copytree(zoo / "tiny-toy", copy)
    _flip_a_byte(copy / presets.WEIGHTS_NAME)
    with pytest.raises(presets.PresetError,
                       match=r"model.weights.h5' fails its integrity check.*by its SHA256SUMS"):
        kg.load(str(copy))
    # A zoo folder without a manifest is checked against the index beside it.
    os.remove(zoo / "tiny-toy" / presets.MANIFEST_NAME)
    _flip_a_byte(zoo / "tiny-toy" / presets.CONFIG_NAME)
    with pytest.raises(presets.PresetError, match=r"config.json' .*by the index"):
        kg.load(str(zoo / "tiny-toy"))


def test_a_download_that_fails_its_hash_is_deleted_and_fetched_again(tiny_zoo, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    served, index, model = _remote(tiny_zoo, tmp_path)
    weights = served / presets.WEIGHTS_NAME
    good = weights.read_bytes()
    _flip_a_byte(weights)
    cache = tmp_path / "cache"
    with _Server(served) as server:
        _set_url(index, server.url)
        with pytest.raises(presets.PresetError, match="failed its integrity check and was "
                                                      "deleted"):
            kg.load("tiny", index=index, cache=str(cache))
        assert presets.WEIGHTS_NAME not in os.listdir(cache / "tiny-toy")
        assert not [f for f in os.listdir(cache / "tiny-toy") if ".part" in f]
        weights.write_bytes(good)  # the server is fixed: the next load fetches again
        loaded = kg.load("tiny", index=index, cache=str(cache))
        np.testing.assert_allclose(loaded.generate(3, seed=0), model.generate(3, seed=0))
        # A cached copy damaged later is fetched again rather than stopping every load.
        _flip_a_byte(cache / "tiny-toy" / presets.WEIGHTS_NAME)
        before = len(server.requests)
        kg.load("tiny", index=index, cache=str(cache))
        assert server.requests[before:] == [f"/{presets.WEIGHTS_NAME}"]


@pytest.mark.parametrize("name", ["../outside", "a/../../b", ".hidden", "x..y"])
def test_an_index_with_an_unsafe_preset_name_is_refused(tiny_zoo, tmp_path, name):
    zoo, index, _ = tiny_zoo
    with open(index) as f:
        data = yaml.safe_load(f)
    data["presets"][name] = dict(data["presets"]["tiny-toy"], url="http://127.0.0.1:9/")
    with open(index, "w") as f:
        yaml.safe_dump(data, f)
    with pytest.raises(presets.PresetError, match="unsafe preset names"):
        kg.load("tiny", index=index, cache=str(tmp_path / "cache"))
    assert not (tmp_path / "outside").exists() and not (tmp_path / "cache").exists()
