"""Minibatch discrimination (Salimans et al. 2016, "Improved Techniques for Training GANs",
section 3.2).

Each example's features f(x_i) (A numbers) are projected by a learned tensor T into B rows
of C numbers, M_i = f(x_i) T. For every row b, the closeness of two examples is
c_b(x_i, x_j) = exp(-||M_i,b - M_j,b||_1), and example i gets
o(x_i)_b = sum over the other examples j of c_b(x_i, x_j). The B numbers o(x_i) are
concatenated to f(x_i): a discriminator that sees them can tell a batch of near-identical
fakes from a varied real batch, which penalises a collapsing generator.
"""

import keras
from keras import ops

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute


@keras.saving.register_keras_serializable(package="keras_gans")
class MinibatchDiscrimination(keras.layers.Layer):
    """Appends ``num_kernels`` minibatch features to flat features ``(batch, A)``.

    Args:
        num_kernels: B, the rows of M (features appended); the paper's MNIST model uses 100.
        kernel_dim: C, the length of each row; the paper uses 5.
        kernel_initializer: initializer of T, shape (A, B * C).

    Put it after the discriminator's last hidden layer (flatten image features first). The
    sum skips the example itself, so a batch of one gets zeros. Memory grows with
    batch^2 * B * C. Under ``tf.distribute`` every example is compared with the whole
    global batch (gathered from the replicas), as on one device.
    """

    def __init__(self, num_kernels=100, kernel_dim=5, kernel_initializer="glorot_normal",
                 **kwargs):
        super().__init__(**kwargs)
        for name, value in (("num_kernels", num_kernels), ("kernel_dim", kernel_dim)):
            if int(value) < 1:
                raise ValueError(f"`{name}` must be a positive integer; received {value!r}.")
        self.num_kernels = int(num_kernels)
        self.kernel_dim = int(kernel_dim)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                f"MinibatchDiscrimination takes flat features (batch, features) with a known "
                f"feature size; received shape {tuple(input_shape)}. Put a Flatten layer "
                f"before it.")
        self.kernel = self.add_weight(
            name="kernel", shape=(input_shape[-1], self.num_kernels * self.kernel_dim),
            initializer=self.kernel_initializer)
        super().build(input_shape)

    def call(self, x):
        m = ops.matmul(x, ops.cast(self.kernel, x.dtype))
        m = ops.cast(ops.reshape(m, (-1, self.num_kernels, self.kernel_dim)), "float32")
        others = distribute.gather_global_batch(m)                       # (global, B, C)
        # (batch, 1, B, C) - (1, global, B, C): L1 distance of every pair, row by row.
        distances = ops.sum(ops.abs(m[:, None] - others[None, :]), axis=-1)
        # exp(0) = 1 is each example's closeness to itself: removed from the sum.
        features = ops.sum(ops.exp(-distances), axis=1) - 1.0            # (batch, B)
        return ops.concatenate([x, ops.cast(features, x.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1] + self.num_kernels)

    def get_config(self):
        return {**super().get_config(), "num_kernels": self.num_kernels,
                "kernel_dim": self.kernel_dim,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer)}
