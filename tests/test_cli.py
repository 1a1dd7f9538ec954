import json
import os
import subprocess
import sys

import keras
import tensorflow as tf

import keras_gans as kg
from keras_gans import cli


def test_train_dcgan_on_embedded_digits_then_sample(tmp_path):
    out = tmp_path / "run"
    code = cli.main(["train", "dcgan", "--epochs", "2", "--steps-per-epoch", "2",
                     "--image-size", "16", "--latent-dim", "8", "--out", str(out),
                     "--verbose", "0"])
    assert code == 0
    grids = sorted(os.listdir(out / "samples"))
    assert grids == ["epoch_001.png", "epoch_002.png"]
    picture = tf.io.decode_png(tf.io.read_file(str(out / "samples" / grids[0]))).numpy()
    assert picture.shape == (8 * 18 + 2, 8 * 18 + 2, 1)  # 64 images of 16x16 in an 8x8 grid
    assert (out / "model.keras").exists() and (out / "history.json").exists()

    code = cli.main(["sample", str(out / "model.keras"), "-n", "9", "-o",
                     str(tmp_path / "grid.png")])
    assert code == 0 and (tmp_path / "grid.png").exists()
    # The default run: instance noise before the discriminator, an EMA generator, and the
    # training curves beside the grids.
    model = keras.models.load_model(out / "model.keras")
    convolutions = model.discriminator.get_layer("convolutions")
    assert convolutions.get_layer("down_0").filters == 64
    assert model.discriminator.get_layer("instance_noise").stddev == 0.3
    assert model.has_ema
    assert (out / "history.png").exists() and (out / "run.json").exists()


def test_train_variant_resumes_when_run_again(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "dcgan", "--steps-per-epoch", "2", "--image-size", "8", "--latent-dim",
            "8", "--d-filters", "8", "--out", str(out), "--verbose", "0"]
    assert cli.main(argv + ["--epochs", "1"]) == 0
    assert "Resuming" not in capsys.readouterr().out
    assert cli.main(argv + ["--epochs", "2"]) == 0
    assert "Resuming from" in capsys.readouterr().out
    with open(out / "history.json") as f:
        steps = [row["step"] for row in json.load(f)["epochs"]]
    assert steps == [2, 4]   # the second command went on from step 2, not from scratch
    assert sorted(os.listdir(out / "samples")) == ["epoch_001.png", "epoch_002.png"]
    # The run is the recipe its flags made; a command that changes the model is refused.
    recipe = kg.recipes.load(str(out / "recipe.yaml"))
    assert recipe["model"]["discriminator"]["base_filters"] == 8
    assert recipe["schedule"]["epochs"] == 2
    assert cli.main(argv + ["--epochs", "3", "--latent-dim", "9"]) == 2
    assert "holds a run of a different recipe" in capsys.readouterr().err


def test_train_variant_takes_recipe_settings(tmp_path):
    out = tmp_path / "run"
    assert cli.main(["train", "gan", "--epochs", "1", "--steps-per-epoch", "1", "--image-size",
                     "8", "--latent-dim", "4", "--out", str(out), "--verbose", "0",
                     "--set", "callbacks.ema=null", "--set", "callbacks.sample_grid.every=2"]) == 0
    model = keras.models.load_model(out / "model.keras")
    assert not model.has_ema and not (out / "samples").exists()


def test_discriminator_width_is_a_protocol_of_the_variant():
    assert kg.models.WGANGP.discriminator_spec(base_filters=8) == {
        "network": "dcgan_discriminator", "normalization": "layer", "base_filters": 8}
    # Their discriminators read labels or return an energy: --d-filters leaves them alone.
    for variant in (kg.models.GAN, kg.models.CGAN, kg.models.EBGAN, kg.models.StyleGAN):
        assert variant.discriminator_spec(base_filters=8) is None


def test_variant_flags_are_refused_with_a_recipe(capsys):
    assert cli.main(["train", "--recipe", "zoo/recipes/dcgan-digits.yaml", "--ema", "0.9"]) == 2
    assert "--set callbacks.ema.decay" in capsys.readouterr().err


def test_train_on_a_toy_writes_scatter_plots(tmp_path):
    code = cli.main(["train", "wgan-gp", "--dataset", "ring8", "--epochs", "1",
                     "--steps-per-epoch", "2", "--num-examples", "512", "--out", str(tmp_path),
                     "--verbose", "0"])
    assert code == 0
    picture = tf.io.decode_png(tf.io.read_file(str(tmp_path / "samples" / "epoch_001.png")))
    assert tuple(picture.shape) == (400, 400, 3)


def test_errors_are_reported_not_raised(tmp_path, capsys):
    assert cli.main(["train", "stylegan9", "--out", str(tmp_path)]) == 2
    assert "Unknown GAN variant 'stylegan9'" in capsys.readouterr().err
    assert cli.main(["sample", str(tmp_path / "missing.keras")]) == 2
    assert "no saved model" in capsys.readouterr().err


def test_console_script_is_installed():
    result = subprocess.run([os.path.join(os.path.dirname(sys.executable), "keras-gans"),
                             "--help"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "train" in result.stdout


def test_another_keras_backend_is_refused():
    env = dict(os.environ, KERAS_BACKEND="numpy")
    result = subprocess.run([sys.executable, "-c", "import keras_gans"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "needs the TensorFlow backend" in result.stderr
    assert "KERAS_BACKEND=tensorflow" in result.stderr


def test_sample_writes_a_csv_for_tabular_presets(tmp_path, capsys):
    import csv

    out = tmp_path / "rows.csv"
    assert cli.main(["sample", "tabular-gan-adult", "-n", "5", "-o", str(out)]) == 0
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "age" and rows[0][-1] == "Salary" and len(rows) == 6
    assert all(len(r) == 15 for r in rows)
    assert cli.main(["sample", "radialgan-adult", "-n", "3", "--domain", "white", "-o",
                     str(tmp_path / "white.csv")]) == 0
    assert "domain 'white'" in capsys.readouterr().out
    assert cli.main(["sample", "tabular-gan-adult", "-o", str(tmp_path / "x.png")]) == 2
    assert "pass -o NAME.csv" in capsys.readouterr().err


def test_image_to_image_presets_sample_their_shipped_examples(tmp_path, capsys):
    out = tmp_path / "sr.png"
    assert cli.main(["sample", "srgan", "-n", "4", "-o", str(out)]) == 0
    assert "examples.npz shipped with srgan" in capsys.readouterr().out
    picture = tf.io.decode_png(tf.io.read_file(str(out))).numpy()
    assert picture.shape == (64 + 4, 8 * 66 + 2, 3)  # 4 inputs (x4 enlarged) beside 4 outputs


def test_list_shows_values_and_every_shape(capsys):
    assert cli.main(["list"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[2:]}
    assert "fid 9.46" in lines["dcgan-mnist"]
    assert "16x16x3->64x64x3" in lines["srgan-x4"]
    assert "64x64x3->64x64x3" in lines["cyclegan-daisy2sunflower"]
    assert "28x28x1->28x28x1" in lines["simgan-digits"]


def test_help_and_list_do_not_import_tensorflow():
    script = ("import sys\nfrom keras_gans import cli\ncli.main(['list'])\n"
              "assert 'tensorflow' not in sys.modules, 'list imported TensorFlow'\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_tensorflow_start_up_lines_are_filtered():
    script = ("import keras_gans as kg\nkg.models.DCGAN\nimport sys\n"
              "print('kept', file=sys.stderr)\n")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    for noise in ("cuda drivers", "cuInit", "oneDNN", "absl::InitializeLog"):
        assert noise not in result.stderr
    assert result.stderr.strip() == "kept"
