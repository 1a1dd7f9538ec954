"""Class labels through the shared loop: what every class-conditional variant (CGAN,
AC-GAN, BigGAN) does the same way.

Batches are ``(examples, integer labels)``; the labels are checked once when the step is
traced (dtype, rank) and when it runs (range; XLA drops these run-time assertions). The
shared loop generates each step's fakes for the real batch's labels, so both players see
the same label distribution. ``generate`` draws the classes asked for.
"""

import keras
import numpy as np
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans.counts import positive_count


class ClassConditional:
    """Mixin for ``GAN`` subclasses whose players take ``[z, labels]`` and ``[x, labels]``.

    The class sets ``num_classes`` before ``GAN.__init__``, and ``label_shape``: the shape
    of one label as its networks take it, ``(1,)`` or ``()``.
    """

    label_shape = (1,)

    @property
    def label_classes(self):
        return self.num_classes

    def network_labels(self, labels):
        """Integer labels (batch,) as the networks take them."""
        return labels[:, None] if self.label_shape == (1,) else labels

    # -- the shared loop's conditioning hooks -----------------------------------------

    def unpack_batch(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError(
                f"{type(self).__name__} is class-conditional: it trains on (examples, integer "
                f"labels) batches; received examples without labels. Load the data with "
                f"kg.data.load(..., labels=True), or call fit(x, y) with integer labels y.")
        real = self._check_batch(data[0])
        return real, self.network_labels(self.check_label_tensor(data[1], real))

    def check_label_tensor(self, labels, real):
        """One int32 label per example, shape (batch,)."""
        labels = tf.convert_to_tensor(labels)
        if not labels.dtype.is_integer:
            raise TypeError(f"Labels must be integers (integer class labels in [0, "
                            f"{self.num_classes})); received dtype {labels.dtype.name}. Cast "
                            f"them, e.g. y.astype('int32').")
        if labels.shape.rank == 2 and labels.shape[-1] == 1:
            labels = labels[:, 0]
        if labels.shape.rank != 1:
            raise ValueError(f"Labels must be one integer per example, shape (batch,); "
                             f"received shape {tuple(labels.shape)}. One-hot labels? Pass "
                             f"their argmax(axis=-1).")
        labels = tf.cast(labels, tf.int32)
        tf.debugging.assert_equal(tf.shape(labels)[0], tf.shape(real)[0],
                                  message="a batch needs as many labels as examples")
        message = (f"labels must lie in [0, {self.num_classes}) (num_classes="
                   f"{self.num_classes}); build the model with the data set's number of "
                   f"classes")
        tf.debugging.assert_non_negative(labels, message=message)
        tf.debugging.assert_less(labels, self.num_classes, message=message)
        return labels

    def generate_fake(self, z, condition, training=True):
        return self.generator([z, condition], training=training)

    def critic(self, x, condition=None, training=True):
        x = self.discriminator_input(x, training)
        return tf.cast(self.discriminator([x, condition], training=training), tf.float32)

    # -- sampling -------------------------------------------------------------------

    def sample_labels(self, n=None, labels=None):
        """Labels for ``generate`` as int32 of shape (n,): an int (all ``n`` of one class),
        a sequence of ints (example i gets ``labels[i]``), or None (the classes in turn,
        0, 1, ..., K-1, 0, ...)."""
        if labels is None:
            return np.arange(positive_count(n), dtype="int32") % self.num_classes
        array = np.asarray(labels)
        if array.ndim == 0:
            array = np.full(positive_count(n, context=" when `labels` is one class"), array)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim != 1:
            raise ValueError(f"`labels` must be an int or a 1-D sequence of ints, one class per "
                             f"example; received shape {array.shape}. One-hot labels? Pass "
                             f"their argmax.")
        if n is not None and len(array) != int(n):
            raise ValueError(f"{len(array)} labels were given for n={n} examples; pass one "
                             f"label per example, a single int, or leave out n.")
        if len(array) == 0:
            raise ValueError("`labels` is empty; pass at least one label.")
        if not np.issubdtype(array.dtype, np.integer):
            raise TypeError(f"`labels` must be integers; received dtype {array.dtype}.")
        if array.min() < 0 or array.max() >= self.num_classes:
            raise ValueError(f"`labels` must lie in [0, {self.num_classes}); received values "
                             f"from {array.min()} to {array.max()}.")
        return array.astype("int32")

    def generate(self, n=None, seed=None, batch_size=256, z=None, ema=True, labels=None,
                 **latent_options):
        """``n`` examples of the classes ``labels`` (see ``sample_labels``) as float32 numpy.

        The same ``seed`` and labels give the same examples; pass ``z`` to choose the latent
        vectors (then ``n`` may be left out). ``latent_options`` go to ``latent_vectors``.
        """
        if z is not None:
            z = np.asarray(z, dtype="float32")
            n = len(z) if n is None else n
        elif n is None and labels is not None and np.ndim(labels) >= 1:
            n = len(labels)
        labels = self.sample_labels(n, labels)
        if z is None:
            z = self.latent_vectors(len(labels), seed, **latent_options)
        if z.ndim != 2 or z.shape[1] != self.latent_dim or len(z) != len(labels):
            raise ValueError(f"`z` must have shape ({len(labels)}, {self.latent_dim}); "
                             f"received {z.shape}.")
        labels = self.network_labels(labels)
        net = self.ema_generator if ema and self.has_ema else self.generator
        chunks = [keras.ops.convert_to_numpy(
            net([z[i:i + batch_size], labels[i:i + batch_size]], training=False))
            for i in range(0, len(z), batch_size)]
        return self.finish_samples(np.concatenate(chunks))
