import os
import subprocess
import sys

import tensorflow as tf

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
