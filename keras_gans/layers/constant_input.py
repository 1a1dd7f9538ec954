"""The learned constant input of StyleGAN's synthesis network (Karras et al. 2019): the
generator starts from a learned 4x4 tensor instead of from the latent code."""

import keras
from keras import ops

from keras_gans import _backend  # noqa: F401


@keras.saving.register_keras_serializable(package="keras_gans")
class ConstantInput(keras.layers.Layer):
    """Returns the learned tensor of ``shape`` repeated for each example of its input (the
    input's values are not used, only its batch size)."""

    def __init__(self, shape, **kwargs):
        super().__init__(**kwargs)
        self.shape_ = tuple(int(s) for s in shape)

    def build(self, input_shape):
        self.constant = self.add_weight(shape=(1, *self.shape_), name="constant",
                                        initializer=keras.initializers.RandomNormal(0.0, 1.0))

    def call(self, reference):
        batch = ops.shape(reference)[0]
        return ops.tile(ops.cast(self.constant, self.compute_dtype),
                        (batch,) + (1,) * len(self.shape_))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *self.shape_)

    def get_config(self):
        return {**super().get_config(), "shape": list(self.shape_)}
