"""Callbacks for ``GAN.fit``."""

import os

import keras

from keras_gans import utils


class SampleGrid(keras.callbacks.Callback):
    """Write ``epoch_NNN.png`` with samples from fixed latent vectors after each epoch, so
    successive pictures show the same z and progress is comparable.

    Images become a grid; 2-D points become a scatter plot.
    """

    def __init__(self, directory, num_samples=64, seed=0, every=1):
        super().__init__()
        self.directory = directory
        self.num_samples = num_samples
        self.seed = seed
        self.every = every
        self._z = None
        self.paths = []

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        if self._z is None:
            self._z = self.model.latent_vectors(self.num_samples, self.seed)
        samples = self.model.generate(len(self._z), z=self._z)
        path = os.path.join(self.directory, f"epoch_{epoch + 1:03d}.png")
        self.paths.append(utils.save_samples(samples, path))
