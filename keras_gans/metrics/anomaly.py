"""Anomaly detection with a trained (unconditional) GAN.

Two per-example scores, higher meaning more anomalous:

* the discriminator score: how unreal D finds x (minus its logit; for EBGAN, the energy);
* the AnoGAN residual (Schlegl et al. 2017): find the latent vector whose image is closest
  to x by gradient descent on z, then score
  ``(1 - lambda) * sum |x - G(z)| + lambda * sum |f(x) - f(G(z))|``, where f is an
  intermediate representation of D (the paper's "feature matching" discrimination loss,
  lambda = 0.1). A GAN trained on normal data can only reproduce normal examples, so an
  anomaly leaves a large residual.

``auroc`` measures how well a score separates anomalies from normal examples.
"""

import keras
import numpy as np
import tensorflow as tf

from keras_gans import _backend  # noqa: F401


def auroc(scores, is_anomaly):
    """Area under the ROC curve of ``scores`` (higher = more anomalous) for the binary
    labels ``is_anomaly`` (1 or True for anomalies): 0.5 is chance, 1.0 perfect."""
    from sklearn.metrics import roc_auc_score

    scores, is_anomaly = np.asarray(scores, "float64").ravel(), np.asarray(is_anomaly).ravel()
    if len(scores) != len(is_anomaly):
        raise ValueError(f"{len(scores)} scores but {len(is_anomaly)} labels; pass one label "
                         f"per score.")
    if len(np.unique(is_anomaly)) != 2:
        raise ValueError("AUROC needs both normal and anomalous examples among the labels.")
    return float(roc_auc_score(is_anomaly.astype(bool), scores))


class AnomalyScorer:
    """Per-example anomaly scores from a trained GAN.

    Args:
        gan: a trained unconditional model of ``keras_gans.models`` (GAN, DCGAN, WGAN,
            EBGAN, SGAN, ...).
        lam: the weight lambda of the feature residual (AnoGAN: 0.1).
        steps: gradient steps on z per batch (AnoGAN: 500).
        learning_rate: Adam's step size for z.
        feature_layer: the name of D's layer whose output is f; by default the input of
            D's last layer (single-output D) or D's last output (EBGAN's code, SGAN's
            features).
        seed: seed of the starting latent vectors.
    """

    def __init__(self, gan, lam=0.1, steps=500, learning_rate=0.05, feature_layer=None, seed=0):
        if getattr(gan, "num_classes", None) is not None and len(gan.generator.inputs) > 1:
            raise ValueError("AnomalyScorer needs an unconditional GAN (its generator takes z "
                             "alone); train one on the normal class only.")
        if not 0.0 <= float(lam) <= 1.0:
            raise ValueError(f"`lam` must lie in [0, 1]; received {lam!r}.")
        if int(steps) < 1:
            raise ValueError(f"`steps` must be a positive integer; received {steps!r}.")
        self.gan = gan
        self.lam = float(lam)
        self.steps = int(steps)
        self.learning_rate = float(learning_rate)
        self.seed = seed
        d = gan.discriminator
        if feature_layer is not None:
            output = d.get_layer(feature_layer).output
        elif len(d.outputs) > 1:
            output = d.outputs[-1]
        else:
            output = d.layers[-1].input
        self.features = keras.Model(d.inputs, output, name="anomaly_features")
        self._invert = tf.function(self._invert_batch, reduce_retracing=True)

    def _check(self, x):
        x = np.asarray(x, "float32")
        if x.shape[1:] != tuple(self.gan.data_shape):
            raise ValueError(f"Expected examples of shape {tuple(self.gan.data_shape)}; "
                             f"received {x.shape[1:]} (array of shape {x.shape}).")
        return x

    def discriminator_score(self, x, batch_size=256):
        """How unreal D finds each example: minus D's output, or D's output itself when
        the game's loss reads it as an energy (EBGAN)."""
        x = self._check(x)
        sign = -1.0 if self.gan.adversarial_loss().higher_is_real else 1.0
        scores = [sign * self.gan.critic(tf.constant(x[i:i + batch_size]), None,
                                         training=False).numpy().reshape(-1)
                  for i in range(0, len(x), batch_size)]
        return np.concatenate(scores).astype("float32")

    def _per_example(self, x, fx, z):
        g = tf.cast(self.gan.generator(z, training=False), tf.float32)
        axes = list(range(1, len(x.shape)))
        residual = tf.reduce_sum(tf.abs(x - g), axis=axes)
        fg = tf.cast(self.features(g, training=False), tf.float32)
        f_axes = list(range(1, len(fg.shape)))
        feature = tf.reduce_sum(tf.abs(fx - fg), axis=f_axes)
        return (1.0 - self.lam) * residual + self.lam * feature

    def _invert_batch(self, x, z):
        fx = tf.cast(self.features(x, training=False), tf.float32)
        m, v = tf.zeros_like(z), tf.zeros_like(z)
        b1, b2, lr = 0.9, 0.999, self.learning_rate
        for t in tf.range(1, self.steps + 1):
            with tf.GradientTape() as tape:
                tape.watch(z)
                loss = tf.reduce_sum(self._per_example(x, fx, z))
            grad = tape.gradient(loss, z)
            m = b1 * m + (1 - b1) * grad
            v = b2 * v + (1 - b2) * tf.square(grad)
            step = tf.cast(t, tf.float32)
            z = z - lr * (m / (1 - b1 ** step)) / (tf.sqrt(v / (1 - b2 ** step)) + 1e-8)
        return self._per_example(x, fx, z), z

    def residual_score(self, x, batch_size=256, return_latents=False):
        """AnoGAN's score of each example after ``steps`` Adam steps on its z."""
        x = self._check(x)
        z0 = self.gan.latent_vectors(len(x), self.seed)
        scores, latents = [], []
        for i in range(0, len(x), batch_size):
            s, z = self._invert(tf.constant(x[i:i + batch_size]),
                                tf.constant(z0[i:i + batch_size]))
            scores.append(s.numpy())
            latents.append(z.numpy())
        scores = np.concatenate(scores).astype("float32")
        return (scores, np.concatenate(latents)) if return_latents else scores

    def score(self, x, method="residual", batch_size=256):
        """``method="residual"`` (AnoGAN) or ``"discriminator"``."""
        if method == "residual":
            return self.residual_score(x, batch_size)
        if method == "discriminator":
            return self.discriminator_score(x, batch_size)
        raise ValueError(f"`method` must be 'residual' or 'discriminator'; received {method!r}.")
