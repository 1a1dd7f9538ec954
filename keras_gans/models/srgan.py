"""SRGAN (Ledig et al. 2017): photo-realistic single-image super-resolution.

The paper trains its generator twice, with two objectives, each a model of its own here:
first alone to minimise the pixel MSE (``SRResNet``, ``keras_gans.models.srresnet``), then
adversarially (``SRGAN``, started from the SRResNet with ``SRGAN.from_srresnet``): the
generator's loss becomes a perceptual *content loss*, the squared distance between VGG19
features of the enlarged and the true image, plus 1e-3 times the non-saturating adversarial
loss of a discriminator that tells real high-resolution patches from enlarged ones.
"""

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans import losses as losses_lib
from keras_gans.models import data_shape as shape_keywords
from keras_gans.models import registry
from keras_gans.models.adversarial import parameter_count
from keras_gans.models.image_to_image import ImageToImageGAN, Untracked, check_numpy_images
from keras_gans.models.srresnet import SRResNet, UpscalesPatches, check_pairs, pixel_mse
from keras_gans.networks import srresnet

CONTENT_LOSSES = ("vgg", "pixel")
# Caffe-style VGG preprocessing (keras.applications.vgg19.preprocess_input): BGR order,
# ImageNet channel means subtracted, values in [0, 255].
_VGG_BGR_MEANS = (103.939, 116.779, 123.68)


def vgg_feature_extractor(layer="block5_conv4", weights="imagenet"):
    """VGG19 up to ``layer`` (after its ReLU), frozen: images in VGG's own input scale ->
    feature maps. ``block5_conv4`` is the paper's VGG54 (4th convolution before the 5th
    max pooling). ``weights="imagenet"`` lets Keras download the weights on first use (to
    ``~/.keras/models``); if that fails, the error says how to go on."""
    try:
        vgg = keras.applications.VGG19(include_top=False, weights=weights,
                                       input_shape=(None, None, 3))
    except Exception as e:  # Keras raises a bare Exception on a failed download
        raise RuntimeError(
            f"SRGAN's VGG content loss needs VGG19's ImageNet weights, which could not be "
            f"obtained ({type(e).__name__}: {e}). Connect to the internet once (Keras caches "
            f"vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5 in ~/.keras/models), pass "
            f"your own feature_extractor=, or train with content_loss='pixel' (pixel MSE) "
            f"instead; keras-gans never switches to it by itself."
        ) from e
    extractor = keras.Model(vgg.input, vgg.get_layer(layer).output, name=f"vgg19_{layer}")
    extractor.trainable = False
    return extractor


@registry.register("srgan")
@keras.saving.register_keras_serializable(package="keras_gans")
class SRGAN(UpscalesPatches, ImageToImageGAN):
    """SRGAN of Ledig, Theis, Huszar, Caballero, Cunningham, Acosta, Aitken, Tejani, Totz,
    Wang & Shi (2017), "Photo-Realistic Single Image Super-Resolution Using a Generative
    Adversarial Network": SRResNet generator, the paper's discriminator, VGG54 content
    loss + 1e-3 x adversarial loss.

    What differs from the shared loop: the generator's input is a low-resolution image,
    not noise, and its loss adds a content term. Batches are ``(low_res, high_res)`` pairs
    (``kg.data.super_resolution_pairs``). ``fit`` plays the adversarial game. The paper
    starts it from a generator trained alone with the pixel MSE, a ``SRResNet``: train one
    and build the SRGAN with ``SRGAN.from_srresnet(srresnet, ...)``, or call ``pretrain``,
    which trains an SRResNet that shares this model's generator.

    Args:
        scale: enlargement factor (4), a power of two.
        data_shape: the high-resolution training patch, ``(size, size, channels)``
            ((96, 96, 3) in the paper); the discriminator ends in dense layers and judges
            patches of this size.
        channels, hr_patch_size: the deprecated spelling of ``data_shape``.
        filters, num_blocks: the generator's width (64) and residual blocks (16).
        discriminator_filters: width of the discriminator's first layer (64).
        content_loss: ``"vgg"`` (the paper's VGG54 loss, features rescaled by 1/12.75) or
            ``"pixel"`` (MSE, for when VGG's weights cannot be had). Chosen explicitly.
        vgg_layer: the VGG19 layer whose features are compared.
        feature_extractor: a ``keras.Model`` to use instead of VGG19 (it receives
            Caffe-preprocessed images in [0, 255] - 3 channels, BGR, means subtracted). It is
            not saved with the model.
        generator, discriminator: networks to use instead of the defaults.

    ``compile`` also takes ``pretrain_optimizer``, the generator's optimizer for
    ``pretrain`` (saved with the model, so that a run can resume its pre-training).
    """

    def __init__(self, scale=4, channels=None, hr_patch_size=None, filters=64, num_blocks=16,
                 discriminator_filters=64, content_loss="vgg", vgg_layer="block5_conv4",
                 feature_scale=1.0 / 12.75, generator=None, discriminator=None,
                 feature_extractor=None, data_shape=None, **kwargs):
        super().__init__(**kwargs)
        if content_loss not in CONTENT_LOSSES:
            raise ValueError(f"`content_loss` must be 'vgg' (the paper's perceptual loss) or "
                             f"'pixel' (MSE); received {content_loss!r}.")
        self.set_patch_geometry(data_shape, hr_patch_size, channels, scale, filters, num_blocks)
        self.discriminator_filters = int(discriminator_filters)
        self.content_loss = content_loss
        self.vgg_layer = vgg_layer
        self.feature_scale = float(feature_scale)
        self.generator = generator or srresnet.srresnet_generator(
            self.channels, self.scale, self.filters, self.num_blocks, name="generator")
        hr_shape = (self.hr_patch_size, self.hr_patch_size, self.channels)
        self.discriminator = discriminator or srresnet.srgan_discriminator(
            hr_shape, self.discriminator_filters, name="discriminator")
        self._extractor = Untracked(feature_extractor)
        self._srresnet = Untracked()
        names = ("g_loss", "content_loss", "adversarial", "d_loss", "d_real", "d_fake")
        self.trackers = {n: keras.metrics.Mean(name=n) for n in names}
        self.built = True

    @property
    def data_shape(self):
        """The high-resolution training patch, (size, size, channels)."""
        return (self.hr_patch_size, self.hr_patch_size, self.channels)

    @classmethod
    def from_srresnet(cls, srresnet_model, **kwargs):
        """An SRGAN whose generator starts as a trained ``SRResNet``'s, as in the paper: a
        copy of its network and weights (training the SRGAN leaves the SRResNet as it is).
        ``scale``, ``data_shape``, ``filters`` and ``num_blocks`` default
        to the SRResNet's; ``kwargs`` are SRGAN's other arguments (``content_loss``,
        ``discriminator_filters``...)."""
        if not isinstance(srresnet_model, SRResNet):
            raise TypeError(f"SRGAN.from_srresnet takes a kg.models.SRResNet; received "
                            f"{type(srresnet_model).__name__}. To start from a network, "
                            f"pass it as SRGAN(generator=...).")
        if "generator" in kwargs:
            raise ValueError("SRGAN.from_srresnet takes the generator from the SRResNet; "
                             "pass `generator=` to SRGAN(...) instead.")
        generator = keras.models.clone_model(srresnet_model.generator)
        generator.set_weights(srresnet_model.generator.get_weights())
        settings = {key: getattr(srresnet_model, key)
                    for key in ("scale", "data_shape", "filters", "num_blocks")}
        return cls(generator=generator, **{**settings, **kwargs})

    # What the model does with an image (keras_gans.tasks): upscale(images).
    task = "upscale"
    players = {"g_optimizer": ("generator",), "d_optimizer": ("discriminator",),
               "pretrain_optimizer": ("generator",)}

    # -- compile --------------------------------------------------------------------

    def default_compile_args(self):
        """Adam(1e-4, beta_1=0.9) for all three optimizers, as in the paper; the
        non-saturating adversarial loss weighted 1e-3."""
        return {"g_optimizer": keras.optimizers.Adam(1e-4, beta_1=0.9),
                "d_optimizer": keras.optimizers.Adam(1e-4, beta_1=0.9),
                "pretrain_optimizer": keras.optimizers.Adam(1e-4, beta_1=0.9),
                "loss": "non_saturating", "adversarial_weight": 1e-3}

    def compile(self, g_optimizer=None, d_optimizer=None, pretrain_optimizer=None, loss=None,
                adversarial_weight=None, **kwargs):
        """Args: the generator's optimizers for the adversarial phase (``g_optimizer``) and
        for MSE pre-training (``pretrain_optimizer``), the discriminator's, the adversarial
        loss and its weight (1e-3); ``**kwargs`` go to ``keras.Model.compile``."""
        defaults = self.default_compile_args()
        self.loss_fn = losses_lib.get(loss if loss is not None else defaults["loss"])
        self.adversarial_weight = float(defaults["adversarial_weight"]
                                        if adversarial_weight is None else adversarial_weight)
        self.compile_players(
            {"g_optimizer": g_optimizer or defaults["g_optimizer"],
             "d_optimizer": d_optimizer or defaults["d_optimizer"],
             "pretrain_optimizer": pretrain_optimizer or defaults["pretrain_optimizer"]},
            **kwargs)

    def compile_settings(self):
        return {"loss": keras.saving.serialize_keras_object(self.loss_fn),
                "adversarial_weight": self.adversarial_weight}

    # -- content loss ---------------------------------------------------------------

    @property
    def feature_extractor(self):
        """The content loss's feature network (built, and VGG19's weights fetched, on first
        use)."""
        if self._extractor.model is None and self.content_loss == "vgg":
            self._extractor.model = vgg_feature_extractor(self.vgg_layer)
        return self._extractor.model

    def _vgg_input(self, images):
        images = tf.cast(images, tf.float32)
        if images.shape[-1] == 1:
            images = tf.tile(images, [1, 1, 1, 3])
        bgr = (images[..., ::-1] + 1.0) * 127.5
        return bgr - tf.constant(_VGG_BGR_MEANS, tf.float32)

    def content_loss_value(self, enlarged, high_res):
        """The paper's content loss: MSE of VGG features rescaled by ``feature_scale``
        (``"vgg"``), or the pixel MSE (``"pixel"``)."""
        enlarged = tf.cast(enlarged, tf.float32)
        if self.content_loss == "pixel":
            return pixel_mse(enlarged, high_res)
        net = self._extractor.model
        if net is None:
            raise RuntimeError("The VGG feature extractor is not built; call fit() (which "
                               "builds it) or pass feature_extractor=.")
        a = tf.cast(net(self._vgg_input(enlarged), training=False), tf.float32)
        b = tf.cast(net(self._vgg_input(high_res), training=False), tf.float32)
        return tf.reduce_mean(tf.square((a - b) * self.feature_scale))

    # -- the game -------------------------------------------------------------------

    def train_step(self, data):
        low, high = check_pairs(data, self.channels, self.hr_patch_size, self.scale,
                                type(self).__name__)
        enlarged = tf.cast(self.generator(low, training=True), tf.float32)
        with tf.GradientTape() as d_tape:
            real_logits = tf.cast(self.discriminator(high, training=True), tf.float32)
            fake_logits = tf.cast(self.discriminator(tf.stop_gradient(enlarged),
                                                     training=True), tf.float32)
            d_loss = self.loss_fn.discriminator_loss(real_logits, fake_logits)
            scaled = self._scaled(self.d_optimizer, d_loss)
        self._apply(self.d_optimizer, d_tape, scaled, [self.discriminator])

        with tf.GradientTape() as g_tape:
            enlarged = tf.cast(self.generator(low, training=True), tf.float32)
            content = self.content_loss_value(enlarged, high)
            adversarial = self.loss_fn.generator_loss(
                tf.cast(self.discriminator(enlarged, training=True), tf.float32))
            g_loss = content + self.adversarial_weight * adversarial
            scaled = self._scaled(self.g_optimizer, g_loss)
        self._apply(self.g_optimizer, g_tape, scaled, [self.generator])

        values = {"g_loss": g_loss, "content_loss": content, "adversarial": adversarial,
                  "d_loss": d_loss,
                  "d_real": tf.reduce_mean(self.loss_fn.score(real_logits)),
                  "d_fake": tf.reduce_mean(self.loss_fn.score(fake_logits))}
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return self._logs()

    def fit(self, x=None, *args, **kwargs):
        """The adversarial game. With ``content_loss="vgg"`` this builds the VGG19 feature
        extractor first (downloading its weights if needed)."""
        if self.content_loss == "vgg":
            _ = self.feature_extractor
        return super().fit(x, *args, **kwargs)

    # -- pre-training: an SRResNet on this model's generator --------------------------

    def pretraining_objective(self):
        """The ``SRResNet`` that pre-trains this model's generator: it shares the
        generator network and trains it with ``pretrain_optimizer`` (so this model's
        weights and saved optimizer state follow it), compiled as this model was."""
        if not self.compiled:
            raise RuntimeError("Call compile() before pretraining: it sets the "
                               "pretrain_optimizer.")
        model = self._srresnet.model
        if model is None or model.g_optimizer is not self.pretrain_optimizer:
            model = SRResNet(self.scale, data_shape=self.data_shape, filters=self.filters,
                             num_blocks=self.num_blocks, generator=self.generator,
                             name=f"{self.name}_srresnet")
            model.compile(g_optimizer=self.pretrain_optimizer, jit_compile=self.jit_compile,
                          run_eagerly=self.run_eagerly,
                          steps_per_execution=self.steps_per_execution)
            model._pretrains.model = self
            self._srresnet.model = model
        return model

    def pretrain(self, x, epochs=1, **kwargs):
        """Train the generator alone with the pixel MSE (the paper's SRResNet, and its
        initialisation of SRGAN's generator): kept for compatibility, it is
        ``self.pretraining_objective().fit(x, epochs=epochs, **kwargs)``. Takes ``fit``'s
        arguments; returns its History (metric ``mse``)."""
        return self.pretraining_objective().fit(x, epochs=epochs, **kwargs)

    # -- enlarging ------------------------------------------------------------------

    def upscale(self, images, batch_size=8):
        """Enlarge float images in [-1, 1] of any size by ``scale``; returns float32 numpy."""
        images = check_numpy_images(images, self.channels)
        return self._run(self.generator, images, batch_size)

    # -- serialization --------------------------------------------------------------

    def get_config(self):
        ser = keras.saving.serialize_keras_object
        return {"name": self.name, "scale": self.scale,
                "data_shape": [self.hr_patch_size, self.hr_patch_size, self.channels],
                "filters": self.filters,
                "num_blocks": self.num_blocks,
                "discriminator_filters": self.discriminator_filters,
                "content_loss": self.content_loss, "vgg_layer": self.vgg_layer,
                "feature_scale": self.feature_scale,
                "generator": ser(self.generator), "discriminator": ser(self.discriminator)}

    @classmethod
    def from_config(cls, config):
        config = shape_keywords.saved_config(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    def summary_line(self):
        return (f"SRGAN x{self.scale}: G {parameter_count(self.generator):,} parameters, "
                f"D {parameter_count(self.discriminator):,} parameters")
