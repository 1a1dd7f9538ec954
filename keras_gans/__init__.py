"""keras-gans: the GAN model zoo for Keras 3 on TensorFlow."""

from keras_gans import _backend  # noqa: F401  (sets and checks KERAS_BACKEND first)
from keras_gans import (callbacks, data, distribute, losses, metrics, models, networks,
                        penalties, recipes, training, utils)
from keras_gans.version import __version__

__all__ = ["callbacks", "data", "distribute", "losses", "metrics", "models", "networks",
           "penalties", "recipes", "training", "utils", "__version__"]
