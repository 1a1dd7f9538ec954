"""Select and check the Keras backend before anything imports Keras.

keras-gans is written against TensorFlow (tf.GradientTape, tf.distribute, tf.data), so it
sets ``KERAS_BACKEND=tensorflow`` when the user has not chosen a backend, and refuses to run
on another one rather than failing later inside a training step.
"""

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _configured_backend():
    """The backend Keras will pick: $KERAS_BACKEND, else keras.json's, else TensorFlow."""
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"], "the environment variable KERAS_BACKEND"
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    path = os.path.join(home, "keras.json")
    try:
        with open(path) as f:
            backend = json.load(f).get("backend")
    except (OSError, ValueError):
        backend = None
    return (backend, f"the 'backend' entry of {path}") if backend else ("tensorflow", None)


def _refuse(backend, where):
    raise ImportError(
        f"keras-gans needs the TensorFlow backend of Keras, but {where} selects '{backend}'. "
        f"Set the environment variable KERAS_BACKEND=tensorflow before importing keras "
        f"(or change the 'backend' entry of ~/.keras/keras.json)."
    )


_backend, _where = _configured_backend()
if _backend != "tensorflow":
    _refuse(_backend, _where)
os.environ["KERAS_BACKEND"] = "tensorflow"

import keras  # noqa: E402

if keras.backend.backend() != "tensorflow":  # keras was imported earlier with another backend
    _refuse(keras.backend.backend(), "an earlier import of keras")
