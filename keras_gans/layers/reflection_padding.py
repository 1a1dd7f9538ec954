"""Reflection padding, as in CycleGAN's ResNet generator (Zhu et al. 2017, after Johnson et
al. 2016): borders are padded with a mirror of the image, which avoids the dark frame that
zero padding teaches a generator to draw."""

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401


@keras.saving.register_keras_serializable(package="keras_gans")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by ``padding`` pixels on each side with their reflection."""

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        if int(padding) < 0:
            raise ValueError(f"`padding` must be >= 0; received {padding!r}.")
        self.padding = int(padding)

    def call(self, x):
        p = self.padding
        return tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], mode="REFLECT")

    def compute_output_shape(self, input_shape):
        batch, h, w, c = input_shape
        p = 2 * self.padding
        return (batch, None if h is None else h + p, None if w is None else w + p, c)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}
