"""ProGAN's smooth fade-in of a new resolution (Karras et al. 2018, section 3, figure 2).

``FadeIn`` blends the old path and the new block, ``old + t (new - old)``, with
``t = clip(level - offset, 0, 1)``. ``level`` is a saved, non-trainable variable: the
model's growth schedule sets it to ``stage - 1 + alpha`` (0 at the first, 4x4 stage), so
that one number places every blend of a network: blocks below the growing one are fully
in (t = 1), the growing one is at ``alpha`` and those above it are still out (t = 0).
"""

import keras
from keras import ops

from keras_gans import _backend  # noqa: F401


@keras.saving.register_keras_serializable(package="keras_gans")
class FadeIn(keras.layers.Layer):
    """Inputs ``[old, new]`` of equal shape; output ``old + clip(level - offset, 0, 1) *
    (new - old)``."""

    def __init__(self, offset, **kwargs):
        super().__init__(**kwargs)
        self.offset = float(offset)

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2:
            raise ValueError(f"FadeIn takes two inputs [old, new]; received {input_shape!r}.")
        if tuple(input_shape[0]) != tuple(input_shape[1]):
            raise ValueError(f"FadeIn's inputs must have the same shape; received "
                             f"{tuple(input_shape[0])} and {tuple(input_shape[1])}.")
        self.level = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                     name="level", aggregation="only_first_replica")

    @property
    def weight_of_new(self):
        return ops.clip(self.level - self.offset, 0.0, 1.0)

    def call(self, inputs):
        old, new = inputs
        t = ops.cast(self.weight_of_new, old.dtype)
        return old + t * (new - old)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        return {**super().get_config(), "offset": self.offset}
