import json

import numpy as np
import pytest

import keras_gans as kg
from keras_gans import cli
from keras_gans.metrics import evaluators


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("eval")
    kg.models.DCGAN(data_shape=(16, 16, 1), latent_dim=8).save(folder / "gan.keras")
    evaluator = evaluators.build_small_cnn((16, 16, 1), 10, width=4, feature_dim=8)
    evaluator.save(folder / "tiny.keras")
    return folder


def test_cli_eval_on_embedded_digits_writes_scores_with_their_protocol(saved, capsys):
    out = saved / "scores.json"
    code = cli.main(["eval", str(saved / "gan.keras"), "--metric", "fid,kid,pr,dc,is",
                     "--reference", "digits", "--num-samples", "300",
                     "--extractor", str(saved / "tiny.keras"), "--json", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "fid: fid " in printed and "300 generated vs 1797 digits:all" in printed
    results = json.load(open(out))["results"]
    assert set(results) == {"fid", "kid", "pr", "dc", "is"}
    assert results["fid"]["fid"] > 0 and np.isfinite(results["kid"]["kid"])
    assert 0 <= results["pr"]["precision"] <= 1 and 1 <= results["is"]["is"] <= 10
    protocol = results["fid"]["protocol"]
    assert protocol["num_fake"] == 300 and protocol["num_real"] == 1797
    assert protocol["image_size"] == [16, 16] and protocol["ema"] is False
    assert protocol["extractor"].startswith("classifier(") and protocol["extractor_sha256"]


def test_cli_eval_takes_a_preset_name(capsys, tmp_path):
    out = tmp_path / "scores.json"
    code = cli.main(["eval", "dcgan-mnist", "--metric", "fid", "--reference", "digits",
                     "--extractor", "mnist", "--num-samples", "200", "--num-reference", "200",
                     "--json", str(out)])
    assert code == 0, capsys.readouterr().err
    assert "classifier(mnist)" in capsys.readouterr().out
    # dcgan-mnist ships its EMA weights folded into its generator (zoo fold-ema): it keeps
    # no separate EMA copy, but it samples from averaged weights, and the protocol says so.
    protocol = json.loads(out.read_text())["results"]["fid"]["protocol"]
    assert protocol["ema"] is True


def test_cli_eval_errors(saved, tmp_path, capsys):
    assert cli.main(["eval", str(tmp_path / "missing.keras")]) == 2
    assert "no saved model" in capsys.readouterr().err
    assert cli.main(["eval", str(saved / "gan.keras"), "--metric", "fjd",
                     "--reference", "digits", "--extractor", str(saved / "tiny.keras")]) == 2
    assert "Unknown metric 'fjd'" in capsys.readouterr().err
    assert cli.main(["eval", str(saved / "gan.keras"), "--reference", "mnist",
                     "--data-dir", str(tmp_path), "--extractor",
                     str(saved / "tiny.keras")]) == 2
    assert "Pass --data-dir" in capsys.readouterr().err


def test_evaluation_callback_logs_metrics_into_the_fit_history(saved):
    x, _ = kg.data.load_digits_arrays(16)
    gan = kg.models.DCGAN(data_shape=(16, 16, 1), latent_dim=8)
    gan.compile()
    callback = kg.metrics.EvaluationCallback(
        ["fid", "pr"], reference=x[:200], extractor=str(saved / "tiny.keras"), every=2,
        num_samples=100, reference_name="digits:first200")
    ds = kg.data.from_arrays(x, batch_size=64)
    history = gan.fit(ds, epochs=2, steps_per_epoch=2, callbacks=[callback], verbose=0)
    assert len(history.history["fid"]) == 1  # evaluated after epoch 2 only
    assert history.history["fid"][0] > 0 and 0 <= history.history["recall"][0] <= 1
    assert callback.protocols["fid"]["num_real"] == 200
    assert callback.protocols["fid"]["reference"] == "digits:first200"


def test_a_folder_of_images_is_a_reference_resized_to_the_model(tmp_path):
    from PIL import Image

    folder = tmp_path / "faces"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(20):
        Image.fromarray(rng.integers(0, 256, (20, 20, 3), dtype="uint8")).save(
            folder / f"{i:02d}.png")
    model = kg.models.DCGAN(data_shape=(16, 16, 3), latent_dim=8)
    tiny = evaluators.build_small_cnn((16, 16, 3), 10, width=4, feature_dim=8)
    path = tmp_path / "tiny.keras"
    tiny.save(path)
    report = kg.metrics.evaluate(model, ["kid"], reference=str(folder), num_samples=20,
                                 extractor=str(path), batch_size=10)["kid"]
    assert report["protocol"]["reference"] == "faces:all (20)"
    assert report["protocol"]["num_real"] == 20 and report["protocol"]["num_fake"] == 20
    with pytest.raises(ValueError, match="image folder"):
        kg.metrics.evaluate(model, ["kid"], reference=str(tmp_path / "missing"))
