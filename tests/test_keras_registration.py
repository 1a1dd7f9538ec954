"""A model saved by keras-gans loads with plain ``keras.models.load_model`` whichever of
keras and keras_gans a fresh interpreter imports first."""

import subprocess
import sys

import keras_gans as kg


def test_load_model_finds_the_classes_when_keras_is_imported_after_keras_gans(tmp_path):
    gan = kg.models.GAN(data_shape=(2,), latent_dim=2)
    gan.compile(loss="minimax", penalties=[kg.penalties.WeightClipping(0.05)])
    path = tmp_path / "gan.keras"
    gan.save(path)
    script = (
        "import sys\n"
        "import keras_gans\n"
        "assert 'tensorflow' not in sys.modules, 'import keras_gans imported TensorFlow'\n"
        "import keras\n"
        f"model = keras.models.load_model({str(path)!r})\n"
        "print(type(model).__name__, type(model.loss_fn).__name__,\n"
        "      [type(p).__name__ for p in model.projections])\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["GAN", "Minimax", "['WeightClipping']"]
