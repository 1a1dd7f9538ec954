"""Select and check the Keras backend before anything imports Keras.

keras-gans is written against TensorFlow (tf.GradientTape, tf.distribute, tf.data), so it
sets ``KERAS_BACKEND=tensorflow`` when the user has not chosen a backend, and refuses to run
on another one rather than failing later inside a training step.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402


def check_backend():
    active = keras.backend.backend()
    if active != "tensorflow":
        raise ImportError(
            f"keras-gans needs the TensorFlow backend of Keras, but the active backend is "
            f"'{active}'. Set the environment variable KERAS_BACKEND=tensorflow before "
            f"importing keras (or remove the 'backend' entry from ~/.keras/keras.json)."
        )


check_backend()
