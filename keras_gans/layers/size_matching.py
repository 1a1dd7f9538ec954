"""Padding an image to a multiple of a size, and cropping back: lets a network that
halves its input ``k`` times and doubles it back accept any height and width (odd ones
included) and return exactly the input's size."""

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401


@keras.saving.register_keras_serializable(package="keras_gans")
class PadToMultiple(keras.layers.Layer):
    """Pads height and width at the bottom and right, by reflection, up to the next
    multiple of ``multiple`` (an image smaller than the padding falls back to edge copies)."""

    def __init__(self, multiple=4, **kwargs):
        super().__init__(**kwargs)
        if int(multiple) < 1:
            raise ValueError(f"`multiple` must be a positive integer; received {multiple!r}.")
        self.multiple = int(multiple)

    def call(self, x):
        shape = tf.shape(x)
        pad_h = (-shape[1]) % self.multiple
        pad_w = (-shape[2]) % self.multiple
        paddings = [[0, 0], [0, pad_h], [0, pad_w], [0, 0]]
        # REFLECT needs the padding to be smaller than the image; SYMMETRIC allows equal.
        return tf.pad(x, paddings, mode="SYMMETRIC")

    def compute_output_shape(self, input_shape):
        m = self.multiple
        batch, h, w, c = input_shape
        return (batch, None if h is None else -(-h // m) * m,
                None if w is None else -(-w // m) * m, c)

    def get_config(self):
        return {**super().get_config(), "multiple": self.multiple}


@keras.saving.register_keras_serializable(package="keras_gans")
class CropToMatch(keras.layers.Layer):
    """``CropToMatch()([x, reference])``: the top-left part of ``x`` with the height and width
    of ``reference`` (undoes ``PadToMultiple``)."""

    def call(self, inputs):
        x, reference = inputs
        shape = tf.shape(reference)
        return x[:, :shape[1], :shape[2], :]

    def compute_output_shape(self, input_shapes):
        x_shape, ref_shape = input_shapes
        return (x_shape[0], ref_shape[1], ref_shape[2], x_shape[3])
