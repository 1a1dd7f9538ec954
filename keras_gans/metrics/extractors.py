"""Feature extractors behind one interface: ``extractor(images)`` returns
``{"features": (n, d) float32, "logits": (n, k) float32 or None}`` for float images in
[-1, 1], and each extractor states the resize rule it applies (recorded in the protocol).
"""

import hashlib

import keras
import numpy as np


def _check_images(images):
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"Expected a batch of images (n, height, width, channels); received "
                         f"shape {images.shape}.")
    if not np.issubdtype(images.dtype, np.floating):
        raise TypeError(f"Expected float images in [-1, 1]; received dtype {images.dtype}. "
                        f"Scale uint8 images with x / 127.5 - 1.")
    if not np.all(np.isfinite(images)):
        raise ValueError("The images contain NaN or infinite values (a diverged generator?).")
    if images.size and (images.min() < -1.001 or images.max() > 1.001):
        raise ValueError(f"Expected images in [-1, 1]; received values in "
                         f"[{images.min():.3g}, {images.max():.3g}]. Scale uint8 images with "
                         f"x / 127.5 - 1 and [0, 1] images with 2 * x - 1.")
    return images.astype("float32")


def weights_sha256(model):
    """SHA-256 over a model's weights in order (float32 bytes): identifies the extractor."""
    h = hashlib.sha256()
    for w in model.weights:
        h.update(np.ascontiguousarray(keras.ops.convert_to_numpy(w), dtype="float32").tobytes())
    return h.hexdigest()


class FeatureExtractor:
    """Base class. Subclasses set ``self.model`` (a keras.Model mapping preprocessed images
    to ``[features, logits]``), ``name``, ``image_size``, ``channels`` and ``resize_rule``."""

    model = None
    name = "extractor"
    image_size = None
    channels = None
    resize_rule = None

    def preprocess(self, images):
        import tensorflow as tf

        x = tf.convert_to_tensor(images)
        c = x.shape[-1]
        if c != self.channels:
            if c == 1 and self.channels == 3:
                x = tf.repeat(x, 3, axis=-1)
            else:
                raise ValueError(f"{self.name} expects {self.channels}-channel images (grey "
                                 f"images are repeated to RGB); received {c} channels.")
        if tuple(x.shape[1:3]) != tuple(self.image_size):
            x = tf.image.resize(x, self.image_size, method="bilinear")
            x = tf.clip_by_value(x, -1.0, 1.0)
        return x

    def __call__(self, images, batch_size=64):
        images = _check_images(images)
        features, logits = [], []
        for i in range(0, len(images), batch_size):
            f, l = self.model(self.preprocess(images[i:i + batch_size]), training=False)
            features.append(keras.ops.convert_to_numpy(f))
            logits.append(keras.ops.convert_to_numpy(l))
        if not features:
            raise ValueError("Cannot extract features from an empty batch (0 images).")
        return {"features": np.concatenate(features).astype("float32"),
                "logits": np.concatenate(logits).astype("float32")}

    @property
    def weights_sha256(self):
        if getattr(self, "_sha", None) is None:
            self._sha = weights_sha256(self.model)
        return self._sha

    @property
    def feature_dim(self):
        return int(self.model.outputs[0].shape[-1])

    def protocol_fields(self):
        return {"extractor": self.name, "extractor_sha256": self.weights_sha256,
                "image_size": tuple(self.image_size), "resize_rule": self.resize_rule}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_gans")
class InceptionV3Extractor(FeatureExtractor):
    """``keras.applications.InceptionV3``: 2048-d ``avg_pool`` features (FID, KID,
    precision/recall) and the 1,000 ImageNet logits (Inception Score).

    Resize rule: images in [-1, 1] are resized bilinearly (no antialiasing) to 299x299 and
    grey images are repeated to three channels; InceptionV3 expects [-1, 1], so values pass
    unchanged. ``weights="imagenet"`` downloads Keras' weights on first use; ``weights=None``
    gives a randomly initialised network (tests, shapes).

    These are Keras' ImageNet weights, not the TF-slim graph of the original FID code, so
    scores are comparable between runs of this project, not with published FIDs.
    """

    image_size = (299, 299)
    channels = 3
    resize_rule = ("[-1,1] float; grey repeated to RGB; bilinear resize (no antialias) to "
                   "299x299; clipped to [-1,1]; fed to InceptionV3 unchanged")

    def __init__(self, weights="imagenet"):
        self.weights = weights
        try:
            base = keras.applications.InceptionV3(include_top=True, weights=weights,
                                                  classifier_activation=None)
        except Exception as e:  # keras.utils.get_file wraps the URLError in an Exception
            if weights != "imagenet" or "fetch failure" not in str(e).lower() and \
                    not isinstance(e, OSError):
                raise
            reason = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise ConnectionError(
                f"The Inception extractor needs Keras' ImageNet weights for InceptionV3 "
                f"(about 92 MB, downloaded once into ~/.keras/models/), and the download "
                f"failed: {reason}. Connect once, copy inception_v3_weights_tf_dim_ordering_"
                f"tf_kernels.h5 into ~/.keras/models/, or score offline with a domain "
                f"evaluator (--extractor mnist, fashion_mnist, cifar10 or anime).") from None
        self.model = keras.Model(base.input, [base.get_layer("avg_pool").output, base.output],
                                 name="inception_v3_features")
        self.name = f"inception_v3({weights})"

    def get_config(self):
        return {"weights": self.weights}


@keras.saving.register_keras_serializable(package="keras_gans")
class ClassifierExtractor(FeatureExtractor):
    """A domain classifier (see ``keras_gans.metrics.evaluators``): the output of its
    ``features`` layer and its ``logits`` layer.

    Args:
        evaluator: ``"mnist"``, ``"fashion_mnist"``, ``"cifar10"``, ``"anime"``, the path of
            a saved classifier, or a ``keras.Model`` with layers named ``features`` and ``logits``.

    Resize rule: bilinear resize to the classifier's input size; grey images are repeated to
    RGB for a colour classifier.
    """

    def __init__(self, evaluator="mnist"):
        from keras_gans.metrics.evaluators import load_evaluator

        self.evaluator = evaluator
        model = load_evaluator(evaluator) if isinstance(evaluator, str) else evaluator
        names = [layer.name for layer in model.layers]
        missing = [n for n in ("features", "logits") if n not in names]
        if missing:
            raise ValueError(f"The classifier '{model.name}' has no layer named "
                             f"{' or '.join(repr(m) for m in missing)}. Name its penultimate "
                             f"layer 'features' and its class-logit layer 'logits'.")
        self.classifier = model
        self.model = keras.Model(model.inputs, [model.get_layer("features").output,
                                                model.get_layer("logits").output],
                                 name=f"{model.name}_features")
        self.image_size = tuple(model.inputs[0].shape[1:3])
        self.channels = int(model.inputs[0].shape[-1])
        label = evaluator if isinstance(evaluator, str) else model.name
        self.name = f"classifier({label})"
        self.resize_rule = (f"[-1,1] float; bilinear resize to {self.image_size[0]}x"
                            f"{self.image_size[1]} if needed; grey repeated to RGB if the "
                            f"classifier is colour")

    def get_config(self):
        if not isinstance(self.evaluator, str):
            raise NotImplementedError("A ClassifierExtractor built from a keras.Model object "
                                      "cannot be serialised; save the classifier and pass "
                                      "its path instead.")
        return {"evaluator": self.evaluator}


def get(identifier):
    """An extractor from a name: ``"inception"``, an evaluator name or path, an extractor,
    or ``None`` (the metric receives features directly)."""
    if identifier is None or isinstance(identifier, FeatureExtractor):
        return identifier
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    if identifier in ("inception", "inception_v3"):
        return InceptionV3Extractor()
    if isinstance(identifier, (str, keras.Model)):
        return ClassifierExtractor(identifier)
    raise ValueError(f"Unknown feature extractor {identifier!r}. Pass 'inception', an "
                     f"evaluator name (mnist, fashion_mnist, cifar10, anime), a classifier "
                     f"path, or a FeatureExtractor.")
