"""Minibatch standard deviation (Karras et al. 2018, ProGAN section 3).

The discriminator sees, for every example, how much the examples of its group vary: the
standard deviation of each feature over a group of examples, averaged to one number per
group (or per channel slice), is appended as an extra feature map. A generator that
collapses to a few outputs makes that number small, which the discriminator can punish.
"""

import keras
from keras import ops

from keras_gans import _backend  # noqa: F401


@keras.saving.register_keras_serializable(package="keras_gans")
class MinibatchStdDev(keras.layers.Layer):
    """Appends ``num_features`` channels holding the group's average feature std.

    Args:
        group_size: examples per group (the paper uses 4). The batch is cut into groups of
            ``min(group_size, batch)`` consecutive examples, so the batch size must be
            divisible by it; a group of 1 has no spread and is refused. Consecutive (not
            strided, as the official code) so that, under ``tf.distribute`` with replica
            batches divisible by the group size, every replica forms the groups one device
            forms from the global batch.
        num_features: how many channel slices get their own statistic (StyleGAN2 uses 1).
        epsilon: added to the variance before the square root.

    Works on images ``(batch, h, w, c)`` and on flat features ``(batch, c)``.
    """

    def __init__(self, group_size=4, num_features=1, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        if int(group_size) < 2:
            raise ValueError(f"`group_size` must be at least 2 (a group of one example has "
                             f"no spread); received {group_size!r}.")
        if int(num_features) < 1:
            raise ValueError(f"`num_features` must be a positive integer; received "
                             f"{num_features!r}.")
        self.group_size = int(group_size)
        self.num_features = int(num_features)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        if len(input_shape) not in (2, 4):
            raise ValueError(f"MinibatchStdDev takes (batch, features) or (batch, h, w, c) "
                             f"inputs; received shape {tuple(input_shape)}.")
        channels = input_shape[-1]
        if channels is not None and channels % self.num_features:
            raise ValueError(f"The input's {channels} channels do not split into "
                             f"num_features={self.num_features} equal slices.")
        super().build(input_shape)

    def call(self, x):
        flat = len(x.shape) == 2
        if flat:
            x = x[:, None, None, :]
        shape = ops.shape(x)
        batch, height, width, channels = shape[0], shape[1], shape[2], shape[3]
        group = ops.minimum(self.group_size, batch)
        # (batch/group, group, h, w, slices, channels/slices): statistics over axis 1.
        y = ops.reshape(x, (-1, group, height, width, self.num_features,
                            channels // self.num_features))
        y = ops.cast(y, "float32")
        y = y - ops.mean(y, axis=1, keepdims=True)
        y = ops.sqrt(ops.mean(ops.square(y), axis=1) + self.epsilon)
        y = ops.mean(y, axis=(1, 2, 4))                        # (batch/group, slices)
        y = ops.cast(y, x.dtype)
        # Example i reads group i // group. broadcast + reshape rather than tile: the gradient
        # of a tile with a dynamic multiple fails to compile with XLA inside a tf.cond (lazy
        # R1).
        y = ops.reshape(ops.broadcast_to(y[:, None], (batch // group, group, self.num_features)),
                        (batch, self.num_features))
        y = ops.broadcast_to(y[:, None, None, :], (batch, height, width, self.num_features))
        out = ops.concatenate([x, y], axis=-1)
        return out[:, 0, 0, :] if flat else out

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1],
                None if input_shape[-1] is None else input_shape[-1] + self.num_features)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size,
                "num_features": self.num_features, "epsilon": self.epsilon}
