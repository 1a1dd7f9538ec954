"""keras-gans: the GAN model zoo for Keras 3 on TensorFlow."""

from keras_gans import _backend  # noqa: F401  (sets and checks KERAS_BACKEND first)
from keras_gans import (augment, callbacks, data, distribute, layers, losses, metrics, models,
                        networks, penalties, presets, recipes, schedules, tasks, training, utils)
from keras_gans.presets import list_models, load
from keras_gans.version import __version__

__all__ = ["load", "list_models", "augment", "callbacks", "data", "distribute", "layers",
           "losses", "metrics", "models", "networks", "penalties", "presets", "recipes", "schedules", "tasks", "training",
           "utils",
           "__version__"]
