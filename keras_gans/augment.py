"""Differentiable augmentation of the discriminator's inputs, for training on little data.

A discriminator trained on a few thousand images memorises them, and the generator's
feedback collapses. Zhao, Liu, Lin, Zhu & Han (2020), "Differentiable Augmentation for
Data-Efficient GAN Training" (DiffAugment), augment *every* image the discriminator sees,
real and generated, in both players' steps, with transforms that gradients pass through,
so the generator still learns from the augmented view and never learns to draw the
augmentations. Karras, Aittala, Hellsten, Laine, Lehtinen & Aila (2020), "Training
Generative Adversarial Networks with Limited Data" (ADA), apply each transform with a
probability ``p`` that adapts to an overfitting heuristic, ``r_t = E[sign(D(x_real))]``,
held near a target (0.6).

Use with any image variant of the shared loop::

    gan.compile(augment="diffaugment")                            # color, translation, cutout
    gan.compile(augment=kg.augment.AdaptiveAugment(target=0.6))   # ADA's adaptive p

Each image of a batch draws its own transform parameters, real and generated images
alike (the papers' code augments each image independently); the policy is the same for
both. Images are float NHWC in [-1, 1].

(To augment a classifier's training data with a trained conditional GAN's samples, see
``kg.data.augment_with_generator``.)
"""

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute

TRANSFORMS = ("color", "translation", "cutout")


def _uniform(n, seed, shape=()):
    return keras.random.uniform((n, *shape), seed=seed)


def adjust_color(x, seed):
    """DiffAugment's color: brightness +U(-0.5, 0.5), saturation x U(0, 2) around the pixel's
    channel mean, contrast x U(0.5, 1.5) around the image mean, per image."""
    n = tf.shape(x)[0]
    x = x + (_uniform(n, seed, (1, 1, 1)) - 0.5)
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    x = (x - mean) * (_uniform(n, seed, (1, 1, 1)) * 2.0) + mean
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - mean) * (_uniform(n, seed, (1, 1, 1)) + 0.5) + mean


def translate(x, seed, ratio=0.125):
    """Shift each image by up to ``ratio`` of its size in each direction (whole pixels),
    filling with zeros (mid-grey in [-1, 1])."""
    n, height, width = tf.shape(x)[0], x.shape[1], x.shape[2]
    pad_h, pad_w = int(height * ratio + 0.5), int(width * ratio + 0.5)
    shift_h = tf.cast(tf.floor(_uniform(n, seed) * (2 * pad_h + 1)), tf.int32)
    shift_w = tf.cast(tf.floor(_uniform(n, seed) * (2 * pad_w + 1)), tf.int32)
    padded = tf.pad(x, [[0, 0], [pad_h, pad_h], [pad_w, pad_w], [0, 0]])
    rows = tf.range(height)[None, :] + shift_h[:, None]   # (n, height) into the padded rows
    cols = tf.range(width)[None, :] + shift_w[:, None]
    x = tf.gather(padded, rows, axis=1, batch_dims=1)
    return tf.gather(x, cols, axis=2, batch_dims=1)


def cutout(x, seed, ratio=0.5):
    """Zero a square of ``ratio`` of the image size at a random centre of each image (the
    square is clipped at the borders)."""
    n, height, width = tf.shape(x)[0], x.shape[1], x.shape[2]
    size_h, size_w = int(height * ratio + 0.5), int(width * ratio + 0.5)
    top = tf.cast(tf.floor(_uniform(n, seed) * (height + 1 - size_h % 2)), tf.int32) - size_h // 2
    left = tf.cast(tf.floor(_uniform(n, seed) * (width + 1 - size_w % 2)), tf.int32) - size_w // 2
    rows = tf.range(height)[None, :] - top[:, None]
    cols = tf.range(width)[None, :] - left[:, None]
    inside_rows = (rows >= 0) & (rows < size_h)
    inside_cols = (cols >= 0) & (cols < size_w)
    inside = inside_rows[:, :, None] & inside_cols[:, None, :]
    return x * tf.cast(~inside, x.dtype)[:, :, :, None]


_FUNCTIONS = {"color": adjust_color, "translation": translate, "cutout": cutout}


def _check_policy(policy):
    if isinstance(policy, str):
        policy = [p.strip() for p in policy.split(",") if p.strip()]
    policy = tuple(policy)
    unknown = [p for p in policy if p not in TRANSFORMS]
    if unknown or not policy:
        raise ValueError(f"An augmentation policy is a non-empty list of {TRANSFORMS}; "
                         f"received {policy!r}.")
    return policy


@keras.saving.register_keras_serializable(package="keras_gans")
class DiffAugment(keras.layers.Layer):
    """DiffAugment (Zhao et al. 2020): every transform of ``policy`` applied to every image
    (``probability=1``), or to each image with ``probability``.

    Args:
        policy: transforms in order, from ``"color"``, ``"translation"``, ``"cutout"``
            (a list or a comma-separated string); the paper's default is all three.
        probability: chance that an image gets each transform.
        seed: seed of the layer's ``SeedGenerator``.

    ``training=False`` returns the images unchanged.
    """

    def __init__(self, policy=TRANSFORMS, probability=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.policy = _check_policy(policy)
        if not 0.0 <= float(probability) <= 1.0:
            raise ValueError(f"`probability` must be in [0, 1]; received {probability!r}.")
        self.initial_probability = float(probability)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="seed_generator")
        # Every image gets every transform: no per-image draw against the probability.
        self.always_applied = self.initial_probability == 1.0
        self.trackers = []
        self.built = True

    def current_probability(self):
        return tf.constant(self.initial_probability)

    def call(self, images, training=True):
        if not training:
            return images
        p = tf.cast(self.current_probability(), tf.float32)
        x = tf.cast(images, tf.float32)
        n = tf.shape(x)[0]
        for name in self.policy:
            transformed = _FUNCTIONS[name](x, self.seed_generator)
            if self.always_applied:
                x = transformed
            else:
                chosen = _uniform(n, self.seed_generator) < p
                x = tf.where(chosen[:, None, None, None], transformed, x)
        return tf.cast(x, images.dtype)

    def observe(self, real_logits, training=True):
        """Told D's raw outputs on the real images of each discriminator step; a fixed
        policy ignores them. ``trackers`` are the metrics the model logs for it."""

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "policy": list(self.policy),
                "probability": self.initial_probability, "seed": self.seed}


@keras.saving.register_keras_serializable(package="keras_gans")
class AdaptiveAugment(DiffAugment):
    """ADA's adaptive augmentation probability (Karras et al. 2020) over DiffAugment's
    transforms: every ``interval`` discriminator steps, ``r_t = E[sign(D(x_real))]`` over
    those steps is compared with ``target``, and ``p`` moves by ``sign(r_t - target)``
    times the images seen since the last adjustment divided by ``speed_images`` (500,000:
    p can go from 0 to 1 in 500k images), clipped to [0, 1].

    ``p`` is a weight of the layer (saved with the model and its checkpoints), so a resumed
    run continues with the probability it had. ``p`` and ``r_t`` are logged as the model's
    ``augment_p`` and ``augment_rt`` metrics.
    """

    def __init__(self, policy=TRANSFORMS, probability=0.0, target=0.6, interval=4,
                 speed_images=500_000, seed=None, **kwargs):
        super().__init__(policy, probability, seed, **kwargs)
        self.always_applied = False
        if not -1.0 <= float(target) <= 1.0:
            raise ValueError(f"`target` is a value of E[sign(D(x_real))] in [-1, 1]; "
                             f"received {target!r}.")
        if int(interval) < 1 or float(speed_images) <= 0:
            raise ValueError(f"`interval` must be a positive integer and `speed_images` "
                             f"positive; received {interval!r} and {speed_images!r}.")
        self.target = float(target)
        self.interval = int(interval)
        self.speed_images = float(speed_images)
        state = {"trainable": False, "aggregation": "only_first_replica"}
        self.p = self.add_weight(shape=(), name="p", **state,
                                 initializer=keras.initializers.Constant(probability))
        self.sign_sum = self.add_weight(shape=(), name="sign_sum", initializer="zeros", **state)
        self.count = self.add_weight(shape=(), name="count", initializer="zeros", **state)
        self.steps = self.add_weight(shape=(), name="steps", initializer="zeros", **state)
        self.last_rt = self.add_weight(shape=(), name="rt", initializer="zeros", **state)
        self.trackers = [keras.metrics.Mean(name="augment_p"), keras.metrics.Mean(name="augment_rt")]

    def current_probability(self):
        return self.p

    def observe(self, real_logits, training=True):
        if not training:
            return
        logits = tf.cast(tf.reshape(real_logits, [-1]), tf.float32)
        local = tf.cast(tf.size(logits), tf.float32)
        # Sums over the global batch: every replica adjusts p the same way.
        sign_sum = self.sign_sum + distribute.global_sum(tf.reduce_sum(tf.sign(logits)))
        count = self.count + distribute.global_sum(local)
        steps = self.steps + 1.0
        adjust = steps >= float(self.interval)
        rt = sign_sum / tf.maximum(count, 1.0)
        step = tf.sign(rt - self.target) * count / self.speed_images
        self.p.assign(tf.where(adjust, tf.clip_by_value(self.p + step, 0.0, 1.0), self.p))
        self.last_rt.assign(tf.where(adjust, rt, self.last_rt))
        self.sign_sum.assign(tf.where(adjust, 0.0, sign_sum))
        self.count.assign(tf.where(adjust, 0.0, count))
        self.steps.assign(tf.where(adjust, 0.0, steps))
        self.trackers[0].update_state(self.p)
        self.trackers[1].update_state(self.last_rt)

    def get_config(self):
        return {**super().get_config(), "target": self.target, "interval": self.interval,
                "speed_images": self.speed_images}


NAMES = {"diffaugment": DiffAugment, "ada": AdaptiveAugment}


def get(identifier):
    """An augmentation from a name (``"diffaugment"``, ``"ada"``), a config dict
    (``{"name": "ada", "target": 0.6}`` or a serialized layer), a layer, or None."""
    if identifier is None or isinstance(identifier, DiffAugment):
        return identifier
    if isinstance(identifier, str):
        if identifier not in NAMES:
            raise ValueError(f"Unknown augmentation {identifier!r}; known: {', '.join(NAMES)}.")
        return NAMES[identifier]()
    if isinstance(identifier, dict):
        if "class_name" in identifier:
            return keras.saving.deserialize_keras_object(identifier)
        options = dict(identifier)
        name = options.pop("name", None)
        if name not in NAMES:
            raise ValueError(f"An augmentation dict needs `name`, one of {', '.join(NAMES)}; "
                             f"received {identifier!r}.")
        try:
            return NAMES[name](**options)
        except TypeError as error:
            raise ValueError(f"Bad arguments for augmentation {name!r}: {error}.") from None
    raise TypeError(f"`augment` must be None, a name ({', '.join(NAMES)}), a dict or a "
                    f"keras_gans.augment layer; received {type(identifier).__name__}.")
