"""Per-span output activations for tabular generators (CTGAN, Xu et al. 2019).

A transformed table row is a run of spans: a scalar in [-1, 1] for each continuous value
(tanh) and a one-hot block for each category or mode (softmax). In training the blocks go
through the Gumbel-softmax (Jang et al. 2017) at a low temperature, so the generator emits
near one-hot vectors, as the real rows are, while gradients still flow. At inference a block
is the plain softmax of its logits: the categorical distribution whose draws the training
outputs' argmax follow (the Gumbel-max trick), so ``inverse_transform(rows, seed=...)``
draws categories from it reproducibly instead of the layer drawing unseeded noise.
"""

import keras
from keras import ops

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute

KINDS = ("tanh", "softmax")


@keras.saving.register_keras_serializable(package="keras_gans")
class SpanActivation(keras.layers.Layer):
    """Applies tanh or (Gumbel-)softmax to consecutive spans of the last axis.

    Args:
        spans: a list of ``[size, kind]`` (``kind`` "tanh" or "softmax"), in order; their
            sizes must add up to the input's last axis. ``TabularTransformer.spans`` gives
            them (a third item, the column name, is allowed and ignored).
        temperature: the Gumbel-softmax temperature in training (CTGAN: 0.2).
        seed: seed of the layer's Gumbel noise.
    """

    def __init__(self, spans, temperature=0.2, seed=None, **kwargs):
        super().__init__(**kwargs)
        spans = [[int(s[0]), str(s[1])] for s in spans]
        for size, kind in spans:
            if kind not in KINDS or size < 1:
                raise ValueError(f"Each span must be [size >= 1, kind in {KINDS}]; received "
                                 f"[{size}, {kind!r}].")
        if float(temperature) <= 0:
            raise ValueError(f"`temperature` must be positive; received {temperature!r}.")
        self.spans = spans
        self.temperature = float(temperature)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        total = sum(size for size, _ in self.spans)
        if input_shape[-1] != total:
            raise ValueError(f"The spans cover {total} values but the input has "
                             f"{input_shape[-1]} on its last axis; build the layer with the "
                             f"spans of the transformer that made the data.")
        super().build(input_shape)

    def call(self, x, training=False):
        x = ops.cast(x, "float32")
        parts, start = [], 0
        for size, kind in self.spans:
            block = x[:, start:start + size]
            start += size
            if kind == "tanh":
                parts.append(ops.tanh(block))
            elif size == 1:      # a one-category (or one-mode) block is always on
                parts.append(ops.ones_like(block))
            elif training:
                # Each example's noise as one device draws it, whatever the replicas.
                u = distribute.replica_random(
                    lambda n, size=size: keras.random.uniform(
                        (n, size), 1e-10, 1.0, seed=self.seed_generator),
                    ops.shape(block)[0])
                gumbel = -ops.log(-ops.log(u))
                parts.append(ops.softmax((block + gumbel) / self.temperature, axis=-1))
            else:
                parts.append(ops.softmax(block, axis=-1))
        return ops.concatenate(parts, axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "spans": self.spans, "temperature": self.temperature,
                "seed": self.seed}
