"""What the image-to-image variants (CycleGAN, SRGAN, SimGAN) share.

Their games differ from the noise-to-image loop of ``base.GAN``: players take images, not
latent vectors, and each variant adds its own reconstruction terms. Each therefore
overrides ``train_step`` in its own file; what every model shares (players, compile,
trackers) is ``adversarial.AdversarialModel``'s. This file holds the batch checks of
images and running a network over numpy images in chunks.
"""

import keras
import numpy as np
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans.models import image_range
from keras_gans.models.adversarial import AdversarialModel


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
                         f"model with data_shape={(*shape[1:3], channels)}.")
    if not images.dtype.is_floating:
        raise TypeError(f"Expected {role} as float images scaled to [-1, 1]; received dtype "
                        f"{images.dtype.name}. Convert with x / 127.5 - 1 (kg.data does this).")
    return image_range.checked(tf.cast(images, tf.float32), role)


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


class Untracked:
    """Holds a model outside its owner's tracked and saved state (Keras tracks and saves
    every model set as an attribute, and those in lists): SRGAN's feature extractor, a
    fixed, downloadable network rebuilt when needed rather than stored in every .keras
    file; SRGAN's pre-training SRResNet and its way back to the SRGAN, which share the
    generator and optimizer that SRGAN saves itself."""

    def __init__(self, model=None):
        self.model = model


class ImageToImageGAN(AdversarialModel):
    """Base of the variants whose players map images to images. Not a model on its own.

    A subclass names its task method in ``task`` and the shape of one training input in
    ``input_image_shape``."""

    @staticmethod
    def _run(net, images, batch_size):
        chunks = [keras.ops.convert_to_numpy(net(images[i:i + batch_size], training=False))
                  for i in range(0, len(images), batch_size)]
        return np.concatenate(chunks).astype("float32")
