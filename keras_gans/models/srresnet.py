"""SRResNet (Ledig et al. 2017): the super-resolution network trained alone, pixel MSE.

The paper's first objective, and SRGAN's starting point: the generator enlarges a
low-resolution image x4 and descends the mean squared error against the true image. No
discriminator, no content network. A trained SRResNet is a model in its own right
(``upscale``) and initialises SRGAN's generator (``SRGAN.from_srresnet``).
"""

import os

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans.models import data_shape as shape_keywords
from keras_gans.models import registry
from keras_gans.models.image_to_image import (ImageToImageGAN, Untracked,
                                              check_image_batch, check_numpy_images)
from keras_gans.networks import srresnet


def check_pairs(data, channels, hr_patch_size, scale, model_name):
    """A ``(low_res, high_res)`` batch checked at trace time; returns both as float32."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(f"{model_name} trains on (low_res, high_res) pairs of batches; make "
                         f"them with kg.data.super_resolution_pairs(images, hr_size=..., "
                         f"scale=...).")
    low = check_image_batch(data[0], channels, "low-resolution images")
    high = check_image_batch(data[1], channels, "high-resolution images",
                             (hr_patch_size, hr_patch_size))
    lh, lw, hh, hw = low.shape[1], low.shape[2], high.shape[1], high.shape[2]
    if None not in (lh, lw, hh, hw) and (hh != lh * scale or hw != lw * scale):
        raise ValueError(f"The high-resolution images ({hh}x{hw}) must be {scale} times the "
                         f"low-resolution ones ({lh}x{lw}).")
    return low, high


def pixel_mse(enlarged, high_res):
    """Mean squared error over every pixel and channel, in float32."""
    return tf.reduce_mean(tf.square(tf.cast(enlarged, tf.float32) - high_res))


def _holds_srgan_weights(filepath):
    """Whether ``filepath`` is a weights file of a whole SRGAN (it saves the MSE phase's
    optimizer as ``pretrain_optimizer``)."""
    if not str(filepath).endswith(".weights.h5") or not os.path.isfile(filepath):
        return False
    import h5py

    with h5py.File(filepath, "r") as f:
        return "pretrain_optimizer" in f


def patch_from_data_shape(owner, data_shape, hr_patch_size, channels, stacklevel=3):
    """``(hr_patch_size, channels)`` of the high-resolution patch ``data_shape`` (square),
    or of the deprecated keywords of ``owner``; the paper's 96x96x3 by default."""
    old = None
    if hr_patch_size is not None or channels is not None:
        size = hr_patch_size if hr_patch_size is not None else (
            data_shape[0] if data_shape is not None else 96)
        depth = channels if channels is not None else (
            data_shape[-1] if data_shape is not None else 3)
        old = (size, size, depth)
    data_shape = shape_keywords.merge(owner, data_shape, old, ("hr_patch_size", "channels"),
                                      stacklevel=stacklevel)
    data_shape = tuple(int(d) for d in (data_shape or (96, 96, 3)))
    if len(data_shape) != 3 or data_shape[0] != data_shape[1]:
        raise ValueError(f"{owner}'s data_shape is its square high-resolution patch, (size, "
                         f"size, channels), e.g. (96, 96, 3); received {data_shape}.")
    return data_shape[0], data_shape[2]


class UpscalesPatches:
    """What SRResNet and SRGAN share as models: a generator that upscales low-resolution
    patches of a high-resolution patch of ``hr_patch_size`` by ``scale``."""

    def set_patch_geometry(self, data_shape, hr_patch_size, channels, scale, filters,
                           num_blocks):
        """The high-resolution patch (``data_shape`` or the deprecated keywords), the scale
        and the generator's size, checked and kept as attributes."""
        # The deprecation warning points at the constructor's caller: 5 frames up.
        hr_patch_size, channels = patch_from_data_shape(type(self).__name__, data_shape,
                                                        hr_patch_size, channels, stacklevel=5)
        if int(hr_patch_size) % int(scale):
            raise ValueError(f"The high-resolution patch's size ({hr_patch_size}, the height "
                             f"and width of `data_shape`) must be a multiple of `scale` "
                             f"({scale}).")
        self.scale = int(scale)
        self.channels = int(channels)
        self.hr_patch_size = int(hr_patch_size)
        self.filters = int(filters)
        self.num_blocks = int(num_blocks)

    @property
    def input_image_shape(self):
        """A low-resolution training patch (any size works)."""
        side = self.hr_patch_size // self.scale
        return (side, side, self.channels)

    def call(self, low_res, training=False):
        return self.generator(low_res, training=training)


@registry.register("srresnet")
@keras.saving.register_keras_serializable(package="keras_gans")
class SRResNet(UpscalesPatches, ImageToImageGAN):
    """SRResNet of Ledig, Theis, Huszar, Caballero, Cunningham, Acosta, Aitken, Tejani, Totz,
    Wang & Shi (2017), "Photo-Realistic Single Image Super-Resolution Using a Generative
    Adversarial Network": the generator alone, trained to minimise the pixel MSE (the
    paper's SRResNet, and its initialisation of SRGAN).

    What differs from SRGAN: one player, the generator, with ``g_optimizer`` (Adam(1e-4,
    beta_1=0.9) as in the paper); no discriminator and no content network. Batches are
    ``(low_res, high_res)`` pairs (``kg.data.super_resolution_pairs``). Logged: ``mse``.

    Args:
        scale: enlargement factor (4), a power of two.
        data_shape: the high-resolution training patch, (size, size, channels): (96, 96, 3)
            in the paper; the network itself enlarges images of any size.
        filters, num_blocks: the network's width (64) and residual blocks (16).
        generator: a network to use instead of the default (e.g. SRGAN's, to train it).
        channels, hr_patch_size: the deprecated spelling of ``data_shape``.
    """

    task = "upscale"
    players = {"g_optimizer": ("generator",)}

    def __init__(self, scale=4, channels=None, hr_patch_size=None, filters=64, num_blocks=16,
                 generator=None, data_shape=None, **kwargs):
        super().__init__(**kwargs)
        self.set_patch_geometry(data_shape, hr_patch_size, channels, scale, filters, num_blocks)
        self.generator = generator or srresnet.srresnet_generator(
            self.channels, self.scale, self.filters, self.num_blocks, name="generator")
        self.trackers = {"mse": keras.metrics.Mean(name="mse")}
        # The SRGAN whose generator this model pre-trains (``SRGAN.pretraining_objective``).
        self._pretrains = Untracked()
        self.built = True

    def default_compile_args(self):
        return {"g_optimizer": keras.optimizers.Adam(1e-4, beta_1=0.9)}

    def compile(self, g_optimizer=None, **kwargs):
        """Args: the generator's optimizer; ``**kwargs`` go to ``keras.Model.compile``."""
        self.compile_players(
            {"g_optimizer": g_optimizer or self.default_compile_args()["g_optimizer"]},
            **kwargs)

    def train_step(self, data):
        low, high = check_pairs(data, self.channels, self.hr_patch_size, self.scale,
                                type(self).__name__)
        with tf.GradientTape() as tape:
            mse = pixel_mse(self.generator(low, training=True), high)
            scaled = self._scaled(self.g_optimizer, mse)
        self._apply(self.g_optimizer, tape, scaled, [self.generator])
        self.trackers["mse"].update_state(mse)
        return self._logs()

    def test_step(self, data):
        low, high = check_pairs(data, self.channels, self.hr_patch_size, self.scale,
                                type(self).__name__)
        self.trackers["mse"].update_state(pixel_mse(self.generator(low, training=False), high))
        return self._logs()

    def load_weights(self, filepath, *args, **kwargs):
        """Keras's ``load_weights``; also takes, for an SRResNet that pre-trains an SRGAN, a
        checkpoint that ``SRGAN.pretrain`` wrote when it switched the SRGAN itself into its
        MSE phase (a whole SRGAN's weights): loaded into that SRGAN, which shares this
        model's generator and optimizer, so that such an interrupted run resumes exactly."""
        if self._pretrains.model is not None and _holds_srgan_weights(filepath):
            return self._pretrains.model.load_weights(filepath, *args, **kwargs)
        return super().load_weights(filepath, *args, **kwargs)

    def upscale(self, images, batch_size=8):
        """Enlarge float images in [-1, 1] of any size by ``scale``; returns float32 numpy."""
        images = check_numpy_images(images, self.channels)
        return self._run(self.generator, images, batch_size)

    def get_config(self):
        return {"name": self.name, "scale": self.scale, "data_shape": list(self.data_shape),
                "filters": self.filters,
                "num_blocks": self.num_blocks,
                "generator": keras.saving.serialize_keras_object(self.generator)}

    @property
    def data_shape(self):
        """The high-resolution training patch, (size, size, channels)."""
        return (self.hr_patch_size, self.hr_patch_size, self.channels)

    @classmethod
    def from_config(cls, config):
        config = shape_keywords.saved_config(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        return cls(**config)
