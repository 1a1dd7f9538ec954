"""A history of generated images for the discriminator (Shrivastava et al. 2017, used by
CycleGAN, Zhu et al. 2017).

Showing the discriminator only the generator's latest images lets the two players chase
each other in circles; mixing in images the generator made earlier keeps D from forgetting
them. The pool lives in (non-trainable) variables, so it works inside a compiled
``train_step`` and is saved with the model.

Under ``tf.distribute`` the pool is one pool, as on one device: every replica gathers the
global batch, runs the same update with the same random draws (so all replicas store the
same images) and keeps its own share of the answer.
"""

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute


@keras.saving.register_keras_serializable(package="keras_gans")
class ImagePool(keras.layers.Layer):
    """``pool(images)`` returns the images the discriminator should see, and updates the pool.

    While the pool holds fewer than ``pool_size`` images, each new image is stored and passed
    through. Once it is full, each image is, with probability ``return_probability``, swapped
    for a stored image picked at random (the new one takes its place), and otherwise passed
    through. CycleGAN uses ``pool_size=50, return_probability=0.5``; SimGAN's buffer, which
    gives half of each discriminator batch from the history, is ``return_probability=1``
    applied to half the batch.

    Args:
        pool_size: images kept; 0 disables the pool (images always pass through).
        return_probability: chance that a full pool answers with an old image.
        seed: seed of the pool's random draws.
    """

    def __init__(self, pool_size=50, return_probability=0.5, seed=None, **kwargs):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        if int(pool_size) < 0:
            raise ValueError(f"`pool_size` must be >= 0; received {pool_size!r}.")
        if not 0.0 <= float(return_probability) <= 1.0:
            raise ValueError(f"`return_probability` must lie in [0, 1]; received "
                             f"{return_probability!r}.")
        self.pool_size = int(pool_size)
        self.return_probability = float(return_probability)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="pool_seed")

    def build(self, input_shape):
        if len(input_shape) != 4 or any(d is None for d in input_shape[1:]):
            raise ValueError(f"ImagePool stores images of a fixed shape (batch, height, width, "
                             f"channels); received shape {tuple(input_shape)}. Train on "
                             f"batches of a fixed image size.")
        size = max(self.pool_size, 1)
        # Every replica writes the same values (see pool_step): the first one's are kept.
        state = {"trainable": False, "aggregation": "only_first_replica"}
        self.images = self.add_weight(shape=(size, *input_shape[1:]), initializer="zeros",
                                      name="images", dtype="float32", **state)
        self.count = self.add_weight(shape=(), initializer="zeros", name="count",
                                     dtype="int32", **state)
        super().build(input_shape)

    def call(self, images):
        images = tf.cast(images, "float32")
        if self.pool_size == 0:
            return images
        everything = distribute.gather_global_batch(images)
        return distribute.replica_share(self.pool_step(everything), tf.shape(images)[0])

    def pool_step(self, images):
        """The pool's answer for ``images`` and its update, for a batch that every replica
        holds whole (the global batch; on one device, any batch)."""
        images = tf.cast(images, "float32")
        if self.pool_size == 0:
            return images
        size = self.pool_size
        batch = tf.shape(images)[0]
        count = tf.convert_to_tensor(self.count)
        index = tf.range(batch)
        # The first `size - count` images fill the empty slots and pass through.
        filling = index < tf.maximum(size - count, 0)
        # The rest each swap, with probability p, with a random distinct slot.
        draws = keras.random.uniform((batch,), seed=self.seed_generator)
        swapping = tf.logical_and(tf.logical_not(filling), draws < self.return_probability)
        slots = keras.random.shuffle(tf.range(size), seed=self.seed_generator)
        slot = tf.where(filling, count + index, tf.gather(slots, index % size))
        old = tf.gather(tf.convert_to_tensor(self.images), tf.minimum(slot, size - 1))
        out = tf.where(swapping[:, None, None, None], old, images)
        # Stored images go to their slot; the others to a scratch row that is dropped.
        writes = tf.logical_or(filling, swapping)
        target = tf.where(writes, slot, size)[:, None]
        padded = tf.concat([tf.convert_to_tensor(self.images)[:size],
                            tf.zeros_like(images[:1])], axis=0)
        self.images.assign(tf.tensor_scatter_nd_update(padded, target, images)[:size])
        self.count.assign(tf.minimum(count + batch, size))
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size,
                "return_probability": self.return_probability, "seed": self.seed}
