"""keras-gans: the GAN model zoo for Keras 3 on TensorFlow.

The sub-packages are imported on first use (``kg.models``, ``kg.data``, ...), so that
``import keras_gans`` and the ``keras-gans`` command's light sub-commands do not pay for
importing TensorFlow. As soon as Keras is imported too, before or after keras-gans, all of
them are, which registers the classes that ``keras.models.load_model`` needs
(``_keras_registration``).
"""

import importlib
import sys

from keras_gans import _backend  # noqa: F401  (sets and checks KERAS_BACKEND first)
from keras_gans import _keras_registration
from keras_gans.version import __version__

SUBMODULES = ("augment", "callbacks", "critic_schedule", "data", "distribute", "layers",
              "losses", "metrics", "models", "networks", "penalties", "plots", "presets",
              "recipes", "schedules", "tasks", "training", "utils")

PRESET_FUNCTIONS = ("load", "list_models")

__all__ = [*PRESET_FUNCTIONS, *SUBMODULES, "__version__"]


def __getattr__(name):
    if name in SUBMODULES or name in PRESET_FUNCTIONS:
        module = importlib.import_module(
            f"keras_gans.{'presets' if name in PRESET_FUNCTIONS else name}")
        if "keras" in sys.modules:
            _keras_registration.import_all(SUBMODULES)
        return getattr(module, name) if name in PRESET_FUNCTIONS else module
    raise AttributeError(f"module 'keras_gans' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


_keras_registration.register_when_keras_arrives(SUBMODULES)
