"""Truncation and style mixing reach generate from every tool that offers them: the CLI's
sample and eval, and kg.metrics.evaluate, whose protocol records the truncation it used."""

import numpy as np
import pytest
from PIL import Image

import keras_gans as kg
from keras_gans import cli
from keras_gans.metrics import evaluators


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sampling")
    style = kg.models.StyleGAN(data_shape=(8, 8, 1), latent_dim=8, style="modulated",
                               mapping_layers=1, fmap_base=32, max_filters=8)
    # A w_avg away from zero, as training leaves it, so that psi = 0 is a real image.
    style.w_avg.assign(np.linspace(-1, 1, style.w_dim).astype("float32"))
    style.save(folder / "style.keras")
    kg.models.DCGAN(data_shape=(16, 16, 1), latent_dim=8).save(folder / "dcgan.keras")
    evaluators.build_small_cnn((8, 8, 1), 10, width=4, feature_dim=8).save(folder / "tiny.keras")
    return folder


def _grid(path):
    return np.asarray(Image.open(path), dtype="float32")


def test_cli_sample_truncation_zero_draws_the_average_image_for_every_seed(saved, tmp_path):
    for seed in (0, 1):
        assert cli.main(["sample", str(saved / "style.keras"), "-n", "4", "--seed", str(seed),
                         "--truncation", "0", "-o", str(tmp_path / f"t{seed}.png")]) == 0
        assert cli.main(["sample", str(saved / "style.keras"), "-n", "4", "--seed", str(seed),
                         "-o", str(tmp_path / f"f{seed}.png")]) == 0
    assert np.array_equal(_grid(tmp_path / "t0.png"), _grid(tmp_path / "t1.png"))
    assert not np.array_equal(_grid(tmp_path / "f0.png"), _grid(tmp_path / "f1.png"))


def test_cli_sample_style_mix_changes_only_what_the_later_layers_draw(saved, tmp_path):
    model = kg.load(str(saved / "style.keras"))
    out = tmp_path / "mix.png"
    assert cli.main(["sample", str(saved / "style.keras"), "-n", "2", "--style-mix", "5:0",
                     "-o", str(out)]) == 0
    # Mixing from layer 0 takes every style from seed 5's latents: the images of seed 5.
    expected = model.generate(2, seed=5)
    assert np.allclose(model.generate(2, seed=0, style_mix=(5, 0)), expected)
    assert cli.main(["sample", str(saved / "style.keras"), "--style-mix", "five"]) == 2


def test_options_a_model_lacks_are_refused_with_the_reason(saved, capsys):
    assert cli.main(["sample", str(saved / "dcgan.keras"), "--truncation", "0.7"]) == 2
    assert "DCGAN has no truncation trick" in capsys.readouterr().err
    assert cli.main(["sample", str(saved / "dcgan.keras"), "--style-mix", "1:2"]) == 2
    assert "style_mix" in capsys.readouterr().err
    with pytest.raises(ValueError, match="truncation"):
        kg.models.DCGAN(data_shape=(16, 16, 1)).sampling_options(truncation=0.5)


def test_evaluate_samples_with_the_truncation_its_protocol_records(saved, monkeypatch):
    model = kg.load(str(saved / "style.keras"))
    drawn = []
    generate = model.generate

    def recording(*args, **kwargs):
        drawn.append(generate(*args, **kwargs))
        return drawn[-1]

    monkeypatch.setattr(model, "generate", recording)
    common = dict(metrics=["fid"], reference="digits", num_samples=60, num_reference=60,
                  extractor=str(saved / "tiny.keras"), batch_size=20)
    report = kg.metrics.evaluate(model, truncation=0.0, **common)["fid"]
    assert report["protocol"]["truncation"] == 0.0
    fakes = np.concatenate(drawn[1:])      # drawn[0] only reads the image size
    assert len(fakes) == 60 and np.allclose(fakes, fakes[:1], atol=1e-6)   # psi 0: one image
    drawn.clear()
    report = kg.metrics.evaluate(model, **common)["fid"]
    assert report["protocol"]["truncation"] is None
    fakes = np.concatenate(drawn[1:])
    assert not np.allclose(fakes, fakes[:1], atol=1e-3)


def test_biggan_truncation_reaches_its_latent_resampling():
    model = kg.models.BigGAN(data_shape=(32, 32, 3), num_classes=2, ch=4, latent_dim=8)
    options = model.sampling_options(truncation=0.5)
    assert options == {"truncation": 0.5}
    z = model.latent_vectors(64, seed=0, **options)
    assert np.abs(z).max() <= 0.5


def test_linear_output_generators_sample_within_the_data_range(saved):
    model = kg.load(str(saved / "style.keras"))
    raw = model.synthesis(model.styles(model.latent_vectors(16, 0)), training=False)
    assert np.abs(np.asarray(raw)).max() > 1          # the untrained network overshoots
    x = model.generate(16, seed=0)
    assert x.min() >= -1 and x.max() <= 1
    assert np.allclose(x, np.clip(np.asarray(raw), -1, 1), atol=1e-6)
    progan = kg.models.ProGAN(data_shape=(8, 8, 1), latent_dim=8, fmap_base=32,
                              max_filters=8)
    assert progan.generate(8, seed=0).max() <= 1
