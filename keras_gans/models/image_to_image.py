"""What the image-to-image variants (CycleGAN, SRGAN, SimGAN) share.

Their games differ from the noise-to-image loop of ``base.GAN``: players take images, not
latent vectors, and each variant adds its own reconstruction terms. Each therefore
overrides ``train_step`` in its own file; this base holds only the plumbing they have in
common: batch checks, optimizer building and loss scaling, and running a network over
numpy images in chunks.
"""

import keras
import numpy as np
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute
from keras_gans.models.base import GAN


def check_image_batch(images, channels, role, fixed_shape=None):
    """Trace-time check of one image batch; returns it as float32."""
    shape = tuple(images.shape)
    if len(shape) != 4:
        raise ValueError(f"Expected {role} as a batch of images (batch, height, width, "
                         f"channels); received a tensor of shape {shape}.")
    if shape[-1] is not None and shape[-1] != channels:
        raise ValueError(f"Expected {role} with {channels} channel(s); received {shape[-1]}. "
                         f"Convert the images (kg.data.load(..., channels={channels})) or build "
                         f"the model for {shape[-1]} channels.")
    if fixed_shape is not None and any(s is not None and s != f
                                       for s, f in zip(shape[1:3], fixed_shape[:2])):
        raise ValueError(f"Expected {role} of size {tuple(fixed_shape[:2])}; received "
                         f"{shape[1:3]}. Resize or crop the data (image_size=...) or build the "
                         f"model with image_shape={(*shape[1:3], channels)}.")
    if not images.dtype.is_floating:
        raise TypeError(f"Expected {role} as float images scaled to [-1, 1]; received dtype "
                        f"{images.dtype.name}. Convert with x / 127.5 - 1 (kg.data does this).")
    return tf.cast(images, tf.float32)


def check_numpy_images(images, channels, role="images"):
    """``images`` as a float32 numpy batch, or a clear error."""
    images = np.asarray(images)
    if images.ndim == 3 and channels == 1 and images.shape[-1] != 1:
        images = images[..., None]
    if images.ndim != 4:
        raise ValueError(f"`{role}` must be a batch of images (n, height, width, channels); "
                         f"received an array of shape {images.shape}. Add a batch axis with "
                         f"images[None] for a single image.")
    if images.shape[-1] != channels:
        raise ValueError(f"`{role}` must have {channels} channel(s); received "
                         f"{images.shape[-1]}.")
    if not np.issubdtype(images.dtype, np.floating):
        raise TypeError(f"`{role}` must be float images scaled to [-1, 1]; received dtype "
                        f"{images.dtype}. Convert with x / 127.5 - 1.")
    if images.size and (images.min() < -1.01 or images.max() > 1.01):
        raise ValueError(f"`{role}` must lie in [-1, 1]; received values in "
                         f"[{images.min():.3g}, {images.max():.3g}]. Scale uint8 images with "
                         f"x / 127.5 - 1 and [0, 1] images with 2 * x - 1.")
    return images.astype("float32")


class ImageToImageGAN(keras.Model):
    """Base of the variants whose players map images to images. Not a model on its own."""

    def _prepare_optimizers(self, pairs, jit_compile="auto", **kwargs):
        """``pairs``: {attribute: (optimizer, networks)}. Wraps each optimizer for float16
        when needed, compiles the keras.Model, and builds each optimizer for its own
        networks' variables (see GAN.compile for why)."""
        for key in ("optimizer", "metrics", "loss_weights"):
            if key in kwargs:
                raise ValueError(f"`{key}` is not an argument of {type(self).__name__}."
                                 f"compile(); pass the players' optimizers by name "
                                 f"({', '.join(pairs)}).")
        built = {}
        for attribute, (optimizer, networks) in pairs.items():
            optimizer = keras.optimizers.get(optimizer)
            if any(optimizer is other for other in built.values()):
                raise ValueError(f"Each player needs its own optimizer object; {attribute} "
                                 f"is the same object as another one.")
            if any(net.dtype_policy.compute_dtype == "float16" for net in networks):
                optimizer = GAN._with_loss_scaling(optimizer)
            built[attribute] = optimizer
        kwargs.setdefault("jit_compile", jit_compile)
        super().compile(optimizer=next(iter(built.values())), **kwargs)
        for attribute, optimizer in built.items():
            setattr(self, attribute, optimizer)
            variables = [v for net in pairs[attribute][1] for v in net.trainable_variables]
            optimizer.build(variables)

    @staticmethod
    def _scaled(optimizer, loss):
        """The loss whose gradient an optimizer applies: averaged per replica, then scaled
        for the replicas and (float16) for the loss scale."""
        return optimizer.scale_loss(distribute.scale_loss_for_replicas(loss))

    @staticmethod
    def _apply(optimizer, tape, scaled_loss, networks):
        variables = [v for net in networks for v in net.trainable_variables]
        optimizer.apply(tape.gradient(scaled_loss, variables), variables)

    @property
    def metrics(self):
        """The loss trackers a subclass keeps in ``self.trackers`` (name -> Mean)."""
        return list(self.trackers.values())

    def _logs(self):
        return distribute.logs_for_keras({m.name: m.result() for m in self.metrics})

    def fit(self, x=None, *args, **kwargs):
        GAN._check_not_empty(self, x)
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)
        return super().fit(x, *args, **kwargs)

    @staticmethod
    def _run(net, images, batch_size):
        chunks = [keras.ops.convert_to_numpy(net(images[i:i + batch_size], training=False))
                  for i in range(0, len(images), batch_size)]
        return np.concatenate(chunks).astype("float32")
