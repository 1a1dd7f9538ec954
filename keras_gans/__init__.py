"""keras-gans: the GAN model zoo for Keras 3 on TensorFlow.

The sub-packages are imported on first use (``kg.models``, ``kg.data``, ...), so that
``import keras_gans`` and the ``keras-gans`` command's light sub-commands do not pay for
importing TensorFlow. When Keras is already imported, everything is imported at once, which
also registers the classes that ``keras.models.load_model`` needs.
"""

import importlib
import sys

from keras_gans import _backend  # noqa: F401  (sets and checks KERAS_BACKEND first)
from keras_gans.version import __version__

SUBMODULES = ("augment", "callbacks", "critic_schedule", "data", "distribute", "layers",
              "losses", "metrics", "models", "networks", "penalties", "plots", "presets",
              "recipes", "schedules", "tasks", "training", "utils")

__all__ = ["load", "list_models", *SUBMODULES, "__version__"]


def __getattr__(name):
    if name in SUBMODULES:
        return importlib.import_module(f"keras_gans.{name}")
    if name in ("load", "list_models"):
        return getattr(importlib.import_module("keras_gans.presets"), name)
    raise AttributeError(f"module 'keras_gans' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


if "keras" in sys.modules:
    for _name in SUBMODULES:
        importlib.import_module(f"keras_gans.{_name}")
