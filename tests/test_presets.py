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

MB = 10 ** 6   # the budgets are decimal megabytes: the stricter reading


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
    assert kg.tasks.task_of(model) == entry.get("task", "generate")
    if kg.tasks.is_image_to_image(model):
        # Refine / translate / upscale: apply the task to inputs of the declared shape.
        inputs = np.random.default_rng(0).uniform(-1, 1, (4, *entry["input_shape"]))
        y = kg.tasks.apply(model, inputs.astype("float32"))
        assert y.shape == (4, *entry["output_shape"]) and y.dtype == np.float32
        assert np.all(np.isfinite(y)) and y.min() >= -1.0 and y.max() <= 1.0
        np.testing.assert_array_equal(y, kg.tasks.apply(model, inputs.astype("float32")))
        for alias in entry.get("aliases") or []:
            assert presets.resolve(alias) == name
        return
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
        # Every file that ships is hashed: the standard ones and any extra picture.
        assert set(presets.PRESET_FILES) <= set(entry["files"]), name
        assert set(entry["files"]) == set(os.listdir(os.path.join(zoo, name))), name
        for filename, record in entry["files"].items():
            path = os.path.join(zoo, name, filename)
            assert presets.file_record(path) == record, (
                f"{path} changed: run keras-gans zoo index")
            total += record["size"]
        assert sum(r["size"] for r in entry["files"].values()) < 25 * MB, name
        with open(os.path.join(zoo, "recipes", f"{name}.yaml")):  # every preset has a recipe
            pass
    assert total < 150 * MB
    # The whole zoo folder (evaluators, recipes and index included) holds the same budget.
    everything = sum(os.path.getsize(os.path.join(d, f))
                     for d, _, files in os.walk(zoo) for f in files)
    assert everything < 150 * MB


def test_unknown_name_suggests_close_matches():
    with pytest.raises(presets.PresetError, match="Did you mean 'dcgan-mnist'"):
        kg.load("dcgan-mnst")
    with pytest.raises(presets.PresetError, match="Unknown preset 'nothing-like-it'"):
        kg.load("nothing-like-it")


def test_a_variant_name_points_to_its_class_and_its_presets():
    with pytest.raises(presets.PresetError) as error:
        kg.load("srresnet")   # SRGAN's first phase: no preset of its own
    message = str(error.value)
    assert "variant that has no trained preset" in message and "kg.models.SRResNet" in message
    assert "Did you mean" not in message
    assert type(kg.load("biggan")).__name__ == "BigGAN"   # the alias of biggan-cifar10
    assert type(kg.load("wgan")).__name__ == "WGAN"  # the alias of wgan-mnist, not wgan-gp-*
    with pytest.raises(presets.PresetError, match="kg.models.RadialGAN; its preset: "
                                                  "'radialgan-adult'"):
        kg.load("radial_gan")


def test_stylegan_is_the_trained_preset_the_project_is_known_by():
    gan = kg.load("stylegan")
    assert type(gan).__name__ == "StyleGAN" and gan.data_shape == (32, 32, 3)
    assert presets.resolve("stylegan2") == "stylegan2-anime-32"
    average = gan.generate(4, seed=0, truncation_psi=0.0)
    np.testing.assert_allclose(average, np.repeat(average[:1], 4, axis=0), atol=1e-6)
    faces = gan.generate(4, seed=0, truncation_psi=0.7)
    assert faces.shape == (4, 32, 32, 3) and faces.std(axis=0).mean() > 0.05


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


def _datasets(weights_path):
    import h5py

    found = {}
    with h5py.File(weights_path, "r") as f:
        f.visititems(lambda name, item: found.update({name: item.compression})
                     if isinstance(item, h5py.Dataset) else None)
    return found


def test_a_preset_stores_its_weights_compressed_and_loads_them_exactly(tmp_path):
    model = kg.models.GAN(
        generator=mlp_generator(2, (2,), hidden_units=(256, 256), output_activation=None),
        discriminator=mlp_discriminator((2,), hidden_units=(256, 256)))
    folder = presets.save_preset(model, str(tmp_path / "toy"))
    weights = os.path.join(folder, presets.WEIGHTS_NAME)
    compression = _datasets(weights)
    assert "gzip" in compression.values()
    loaded = presets.load_folder(folder)
    for saved, back in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(saved, back)
    # Arrays too small to gain stay as they were; a file that would grow is left alone.
    tiny = kg.models.GAN(
        generator=mlp_generator(2, (2,), hidden_units=(12, 12), output_activation=None),
        discriminator=mlp_discriminator((2,), hidden_units=(12, 12)))
    folder = presets.save_preset(tiny, str(tmp_path / "tiny"))
    assert set(_datasets(os.path.join(folder, presets.WEIGHTS_NAME)).values()) == {None}


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
    # Loaded by path, the folder is checked against its own SHA256SUMS.
    with pytest.raises(presets.PresetError, match="fails its integrity check.*by its SHA256SUMS"):
        kg.load(str(zoo / "tiny-toy"))
    # Without one (nor an index beside it), the reader names the file.
    os.remove(zoo / "tiny-toy" / presets.MANIFEST_NAME)
    os.remove(index)
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


def test_a_presets_sampling_state_is_shipped_checked_and_downloaded_with_its_weights(
        tmp_path, monkeypatch):
    # BigGAN's standing statistics: measured at build time, so the loaded preset's first
    # generate does not measure them again (seconds on the real preset).
    from keras_gans.models import standing_statistics as standing

    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    model = kg.models.BigGAN(data_shape=(16, 16, 1), num_classes=3, latent_dim=12, ch=2,
                             shared_dim=4)
    zoo = tmp_path / "zoo"
    folder = presets.save_preset(model, str(zoo / "tiny-toy"), {"aliases": ["tiny"]})
    assert presets.SAMPLING_STATE_NAME in presets.read_manifest(folder)
    index = presets.write_index(str(zoo))
    expected = model.generate(4, seed=0)

    def measure(network, batches):
        raise AssertionError("measured although the preset ships the state")

    monkeypatch.setattr(standing, "measure", measure)
    np.testing.assert_array_equal(kg.load(folder).generate(4, seed=0), expected)
    served = tmp_path / "served" / "tiny-toy"
    shutil.move(folder, str(served))
    with _Server(served) as server:
        _set_url(index, server.url + "/")
        loaded = kg.load("tiny", index=index, cache=str(tmp_path / "cache"))
        np.testing.assert_array_equal(loaded.generate(4, seed=0), expected)
        assert sorted(server.requests) == sorted(
            f"/{f}" for f in presets.LOAD_FILES + (presets.SAMPLING_STATE_NAME,))
    state = served / presets.SAMPLING_STATE_NAME
    state.write_bytes(state.read_bytes()[:-1] + b"x")
    with pytest.raises(presets.PresetError, match="sampling_state.npz.*sha256"):
        kg.load(str(served))


# -- image-to-image presets (refine, translate, upscale) --------------------------------

def _tiny_simgan():
    return kg.models.SimGAN((8, 8, 1), filters=2, num_blocks=1,
                            discriminator_filters=(2, 2, 2, 2), buffer_size=4, seed=0)


@pytest.fixture
def tiny_refiner_zoo(tmp_path):
    """A zoo with one tiny SimGAN preset, 'tiny-refiner', whose picture inputs are 8x8
    synthetic digits."""
    model = _tiny_simgan()
    zoo = tmp_path / "zoo"
    presets.save_preset(model, str(zoo / "tiny-refiner"),
                        {"variant": "simgan", "dataset": "digits",
                         "inputs": {"synthetic_digits": {"image_size": 8}}})
    return zoo, presets.write_index(str(zoo)), model


def test_an_image_to_image_preset_records_its_task_and_shapes(tiny_refiner_zoo, tmp_path):
    zoo, index, model = tiny_refiner_zoo
    entry = presets.read_index(index)["tiny-refiner"]
    assert (entry["task"], entry["input_shape"], entry["output_shape"]) == \
        ("refine", [8, 8, 1], [8, 8, 1])
    assert "latent_dim" not in entry and "data_shape" not in entry
    loaded = kg.load("tiny-refiner", index=index, cache=str(tmp_path / "cache"))
    x, _ = kg.data.synthetic_digits(3, image_size=8, seed=0)
    np.testing.assert_allclose(loaded.refine(x), model.refine(x), atol=1e-6)
    assert presets.read_metadata(str(zoo / "tiny-refiner"))["inputs"] == \
        {"synthetic_digits": {"image_size": 8}}


def test_cli_sample_writes_inputs_beside_outputs(tiny_refiner_zoo, tmp_path, capsys):
    zoo, _, model = tiny_refiner_zoo
    out = tmp_path / "pairs.png"
    assert cli.main(["sample", str(zoo / "tiny-refiner"), "-n", "3", "-o", str(out)]) == 0
    picture = tf.io.decode_png(tf.io.read_file(str(out))).numpy()
    assert picture.shape == (12, 2 + 6 * 10, 1)      # 3 inputs, each beside its output
    x, _ = kg.data.synthetic_digits(3, image_size=8, seed=0)   # the recorded source, seed 0
    first = np.round((x[0] + 1) * 127.5).astype("uint8")
    np.testing.assert_array_equal(picture[2:10, 2:10], first)
    refined = np.round((np.clip(model.refine(x[:1])[0], -1, 1) + 1) * 127.5).astype("uint8")
    np.testing.assert_allclose(picture[2:10, 12:20], refined, atol=1)
    # A .keras file records no source: say how to give one, then take it from --inputs.
    model.save(str(tmp_path / "r.keras"))
    assert cli.main(["sample", str(tmp_path / "r.keras"), "-o", str(tmp_path / "b.png")]) == 2
    assert "pass --inputs SOURCE" in capsys.readouterr().err
    assert cli.main(["sample", str(tmp_path / "r.keras"), "-n", "2", "--inputs", "digits",
                     "-o", str(tmp_path / "b.png")]) == 0
    assert tf.io.decode_png(tf.io.read_file(str(tmp_path / "b.png"))).shape == (12, 42, 1)


def _make_preset_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_preset", os.path.join(os.path.dirname(os.path.dirname(__file__)), "tools",
                                    "make_preset.py"))
    make_preset = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_preset)
    return make_preset


def test_a_cyclegan_preset_ships_its_networks_without_the_history_pools(tmp_path):
    import h5py

    model = kg.models.CycleGAN(data_shape=(16, 16, 3), filters=2, num_blocks=1,
                               discriminator_layers=1, pool_size=4)
    model.compile()
    x = np.random.default_rng(0).uniform(-1, 1, (4, 16, 16, 3)).astype("float32")
    pairs = tf.data.Dataset.from_tensor_slices((x, x[::-1])).batch(2)
    model.fit(pairs, epochs=1, verbose=0)                         # fills the pools
    shipped = _make_preset_tool().without_history_pools(model)
    assert shipped.pool_size == 0 and model.pool_size == 4
    for name, m in (("trained", model), ("shipped", shipped)):
        m.save_weights(str(tmp_path / f"{name}.weights.h5"))
    pooled = {}
    for name in ("trained", "shipped"):
        sizes = []
        with h5py.File(tmp_path / f"{name}.weights.h5") as f:
            f["layers"].visititems(lambda key, item: sizes.append(item.size)
                                   if isinstance(item, h5py.Dataset) else None)
        pooled[name] = sum(sizes)
    # Two pools of 4 images (plus counters) when trained; a one-image placeholder each
    # when shipped.
    assert pooled["trained"] == 2 * (4 * 16 * 16 * 3 + 1)
    assert pooled["shipped"] == 2 * (16 * 16 * 3 + 1)
    for direction in ("x2y", "y2x"):
        np.testing.assert_array_equal(shipped.translate(x, direction),
                                      model.translate(x, direction))


def test_make_preset_builds_an_image_to_image_preset_from_a_recipe_run(tmp_path):
    make_preset = _make_preset_tool()
    recipe = kg.recipes.resolve({
        "model": {"variant": "simgan", "filters": 2, "num_blocks": 1,
                  "discriminator_filters": [2, 2, 2, 2], "buffer_size": 4},
        "data": {"unpaired": [{"synthetic_digits": {"num": 16, "seed": 5, "image_size": 8}},
                              "digits"], "batch_size": 4},
        "callbacks": {"sample_grid": None}, "schedule": {"epochs": 1, "steps_per_epoch": 1}})
    run = tmp_path / "run"
    model = kg.recipes.run(recipe, str(run), verbose=0)
    metrics = {"accuracy": {"raw": 0.5, "refined": 0.6, "protocol": "a test"}}
    folder = make_preset.build_preset(str(run), "tiny-simgan", "zoo/recipes/x.yaml", "digits",
                                      zoo=str(tmp_path / "zoo"), metrics=metrics,
                                      notes="Looked at.")
    meta = presets.read_metadata(folder)
    assert meta["task"] == "refine" and meta["input_shape"] == [8, 8, 1]
    # The picture's inputs: synthetic_digits(32, seed=0) with the recipe's image size.
    assert meta["inputs"] == {"synthetic_digits": {"image_size": 8}}
    assert meta["metrics"] == metrics and meta["training"]["steps"] == 1
    assert set(meta["parameters"]) == {"refiner", "discriminator"}
    picture = tf.io.decode_png(tf.io.read_file(os.path.join(folder, "samples.png")))
    assert picture.shape == (2 + 4 * 10, 2 + 16 * 10, 1)   # 32 pairs, 8 pairs per row
    card = open(os.path.join(folder, "README.md")).read()
    assert "model.refine(x)" in card and "refined 0.6" in card and "Looked at." in card
    assert "![training history](history.png)" in card  # drawn from the run's history.json
    assert os.path.isfile(os.path.join(folder, "history.png"))
    loaded = kg.load(folder)
    x, _ = kg.data.synthetic_digits(2, image_size=8, seed=0)
    np.testing.assert_allclose(loaded.refine(x), model.refine(x), atol=1e-6)


def test_make_preset_builds_a_super_resolution_preset_from_a_two_phase_run(tmp_path):
    make_preset = _make_preset_tool()
    photos = tmp_path / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        tf.io.write_file(str(photos / f"p{i}.png"),
                         tf.io.encode_png(rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)))
    recipe = kg.recipes.resolve({
        "model": {"variant": "srgan", "data_shape": [8, 8, 3], "filters": 2, "num_blocks": 1,
                  "discriminator_filters": 2, "content_loss": "pixel"},
        "data": {"super_resolution": str(photos), "batch_size": 2},
        "optimizers": {"jit_compile": False},
        "callbacks": {"sample_grid": None},
        "schedule": {"pretrain_epochs": 2, "epochs": 1, "steps_per_epoch": 1}})
    run = tmp_path / "run"
    model = kg.recipes.run(recipe, str(run), verbose=0)
    folder = make_preset.build_preset(str(run), "tiny-sr", "zoo/recipes/x.yaml", "flowers",
                                      zoo=str(tmp_path / "zoo"), notes="Looked at.")
    meta = presets.read_metadata(folder)
    assert meta["task"] == "upscale" and meta["input_shape"] == [2, 2, 3]
    assert meta["output_shape"] == [8, 8, 3]
    assert meta["data"]["recipe_source"] == {"super_resolution": str(photos)}
    assert meta["training"]["steps"] == 1 and meta["training"]["pretrain_steps"] == 2
    card = open(os.path.join(folder, "README.md")).read()
    assert "2 steps of the generator alone (pixel MSE, `pretrain`), then 1 adversarial" in card
    assert "model.upscale(low)" in card
    low = np.random.default_rng(1).uniform(-1, 1, (2, 3, 5, 3)).astype("float32")
    np.testing.assert_allclose(kg.load(folder).upscale(low), model.upscale(low), atol=1e-6)


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


def test_a_grown_run_gives_its_card_one_sample_grid_per_stage_reached(tmp_path):
    make_preset = _make_preset_tool()
    run, folder = tmp_path / "run", tmp_path / "preset"
    (run / "samples").mkdir(parents=True)
    folder.mkdir()
    # ProGAN's log at 2 epochs per phase: stage 0 stable, stage 1 fading then stable, and
    # the epoch that starts stage 2's fade (alpha 0: still stage 1's images).
    log = [(1, 0, 1.0), (2, 1, 0.0), (3, 1, 0.5), (4, 1, 1.0), (5, 1, 1.0), (6, 2, 0.0)]
    rows = [{"epoch": e, "step": 100 * e, "stage": float(s), "alpha": a} for e, s, a in log]
    (run / "history.json").write_text(json.dumps({"epochs": rows}))
    for e, _, _ in log:
        (run / "samples" / f"epoch_{e:03d}.png").write_bytes(f"grid {e}".encode())
    text = make_preset.growth_grids(str(run), str(folder))
    assert sorted(os.listdir(folder)) == ["stage_0_4x4.png", "stage_1_8x8.png"]
    assert (folder / "stage_0_4x4.png").read_bytes() == b"grid 2"
    assert (folder / "stage_1_8x8.png").read_bytes() == b"grid 6"
    assert "![stage_1_8x8.png](stage_1_8x8.png)" in text and "step 600" in text
    # A model whose full size is 8x8: its last stage is samples.png, not a second copy.
    full = tmp_path / "full"
    full.mkdir()
    text = make_preset.growth_grids(str(run), str(full), final_side=8)
    assert os.listdir(full) == ["stage_0_4x4.png"]
    assert "Growth stage 1 (8x8), the full size: samples.png above" in text
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "history.json").write_text(json.dumps({"epochs": [{"epoch": 1, "step": 1}]}))
    assert make_preset.growth_grids(str(plain), str(folder)) == ""


def test_a_run_that_continued_a_grown_preset_shows_the_sources_stage_grids(tmp_path):
    from keras_gans import preset_builder, recipes

    source, run, folder = tmp_path / "source", tmp_path / "run", tmp_path / "preset"
    for path in (source, run, folder):
        path.mkdir()
    for name in ("stage_0_4x4.png", "stage_1_8x8.png", "samples.png"):
        (source / name).write_bytes(name.encode())
    (source / "metadata.json").write_text(json.dumps({"name": "grown", "training": {}}))
    recipes.record_initialization(str(run), str(source))
    assert sorted(os.listdir(run / recipes.INHERITED_GRIDS)) == [
        "stage_0_4x4.png", "stage_1_8x8.png"]
    # The continuation trained at full size (16x16, stage 2) only; it drew its own grids.
    (run / "samples").mkdir()
    (run / "samples" / "epoch_001.png").write_bytes(b"own")
    (run / "history.json").write_text(json.dumps(
        {"epochs": [{"epoch": 1, "step": 10, "stage": 2.0, "alpha": 1.0}]}))
    text = preset_builder.growth_grids(str(run), str(folder), final_side=16)
    assert sorted(os.listdir(folder)) == ["stage_0_4x4.png", "stage_1_8x8.png"]
    assert (folder / "stage_1_8x8.png").read_bytes() == b"stage_1_8x8.png"
    assert f"from `{source}` as this run found it" in text
    assert text.index("stage_0_4x4") < text.index("stage_1_8x8") < text.index("the full size: samples.png")
    # A snapshot of the run keeps them for the build.
    (tmp_path / "snap").mkdir()
    preset_builder._copy_run_files(str(run), str(tmp_path / "snap"))
    assert (tmp_path / "snap" / recipes.INHERITED_GRIDS / "stage_0_4x4.png").exists()


def test_regenerating_the_index_keeps_a_folders_own_manifest_true(tiny_zoo):
    """`zoo measure` rewrites metadata.json; the index step must rewrite SHA256SUMS too, or
    loading the folder by path fails its integrity check."""
    zoo, _, _ = tiny_zoo
    folder = str(zoo / "tiny-toy")
    presets.write_manifest(folder)
    metadata = presets.read_json(os.path.join(folder, presets.METADATA_NAME))
    metadata["metrics"] = {"measured": {"value": 1.0}}
    with open(os.path.join(folder, presets.METADATA_NAME), "w") as f:
        json.dump(metadata, f)
    with pytest.raises(presets.PresetError, match="fails its integrity check"):
        presets.verify_folder(folder)
    presets.write_index(str(zoo))
    presets.verify_folder(folder)
