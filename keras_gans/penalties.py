"""Regularisers: gradient penalties and weight projections of the discriminator, and
weight regularisers of the generator.

Three kinds live here:

* ``Penalty``: a term added to the discriminator's loss, computed with its own
  ``tf.GradientTape``. The outer tape in the training loop differentiates through it
  (double backpropagation). ``__call__`` returns the unweighted value; the loop adds
  ``weight * value`` and logs the value under ``name``.
* ``Projection``: applied to the discriminator's weights after each of its optimizer
  steps (WGAN's weight clipping).
* ``GeneratorRegularizer``: a term of the generator's weights added to its loss, applied by
  the model's ``generator_objective`` (BigGAN's orthogonal regularisation).
"""

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute


def _per_example_gradient_norm_sq(critic, inputs, gradient_scale=1.0):
    """||dD/dx||^2 per example. Under float16 the backward pass runs at ``gradient_scale``
    (the loss scale) and is unscaled in float32, so small gradients do not underflow."""
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        outputs = tf.cast(critic(inputs), tf.float32) * gradient_scale
    grads = tf.cast(tape.gradient(outputs, inputs), tf.float32) / gradient_scale
    return tf.reduce_sum(tf.square(grads), axis=list(range(1, len(inputs.shape))))


class Penalty:
    name = "penalty"

    def __init__(self, weight):
        self.weight = float(weight)

    def __call__(self, critic, real, fake, seed, gradient_scale=1.0):
        """``critic`` maps a batch to raw outputs; ``seed`` is a keras SeedGenerator;
        ``gradient_scale`` is the loss scale of mixed-precision training (1 otherwise)."""
        raise NotImplementedError

    def get_config(self):
        return {"weight": self.weight}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}(weight={self.weight})"


@keras.saving.register_keras_serializable(package="keras_gans")
class GradientPenalty(Penalty):
    """WGAN-GP (Gulrajani et al. 2017): ``E[(||grad D(x_hat)||_2 - 1)^2]`` on random
    interpolates ``x_hat = x + alpha (G(z) - x)``, one uniform alpha per example.

    Two-sided, weight (lambda) 10 as in the paper.
    """

    name = "gp"

    def __init__(self, weight=10.0):
        super().__init__(weight)

    def __call__(self, critic, real, fake, seed, gradient_scale=1.0):
        real = tf.cast(real, tf.float32)
        fake = tf.cast(fake, tf.float32)
        ones = [1] * (len(real.shape) - 1)
        alpha = distribute.replica_random(
            lambda n: keras.random.uniform([n, *ones], seed=seed), tf.shape(real)[0])
        interpolates = real + alpha * (fake - real)
        # The epsilon keeps sqrt differentiable where the gradient vanishes.
        norm_sq = _per_example_gradient_norm_sq(critic, interpolates, gradient_scale)
        norm = tf.sqrt(norm_sq + 1e-12)
        return tf.reduce_mean(tf.square(norm - 1.0))


@keras.saving.register_keras_serializable(package="keras_gans")
class R1(Penalty):
    """R1 (Mescheder et al. 2018): ``(gamma / 2) E[||grad D(x)||^2]`` on real data only.

    ``weight`` is gamma / 2; the default gamma = 10 gives weight 5.
    """

    name = "r1"

    def __init__(self, weight=5.0):
        super().__init__(weight)

    def __call__(self, critic, real, fake, seed, gradient_scale=1.0):
        real = tf.cast(real, tf.float32)
        return tf.reduce_mean(_per_example_gradient_norm_sq(critic, real, gradient_scale))


class Projection:
    name = "projection"

    def project(self, variables):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_gans")
class WeightClipping(Projection):
    """WGAN (Arjovsky et al. 2017): clamp every critic parameter to [-c, c] after each
    critic update, a crude way to keep the critic K-Lipschitz. c = 0.01 as in the paper."""

    name = "clip"

    def __init__(self, clip_value=0.01):
        if clip_value <= 0:
            raise ValueError(f"`clip_value` must be positive; received {clip_value}.")
        self.clip_value = float(clip_value)

    def project(self, variables):
        for v in variables:
            v.assign(tf.clip_by_value(v, -self.clip_value, self.clip_value))

    def get_config(self):
        return {"clip_value": self.clip_value}

    def __repr__(self):
        return f"WeightClipping(clip_value={self.clip_value})"


class GeneratorRegularizer:
    """A function of weights; the model adds ``weight * value`` to the generator's loss."""

    name = "generator_regularizer"

    def __init__(self, weight):
        self.weight = float(weight)

    def __call__(self, variables):
        raise NotImplementedError

    def get_config(self):
        return {"weight": self.weight}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}(weight={self.weight})"


@keras.saving.register_keras_serializable(package="keras_gans")
class OrthogonalRegularization(GeneratorRegularizer):
    """BigGAN's orthogonal regularisation (Brock et al. 2019, section 3.1): the sum over
    weight matrices W of ``||W^T W * (1 - I)||_F^2``, with ``weight`` beta = 1e-4.

    Unlike Saxe-style ``||W^T W - I||^2`` it leaves the filters' norms free and only pushes
    distinct filters towards orthogonality, which the paper found makes G amenable to the
    truncation trick. A kernel of any rank is read as a matrix with one column per output
    unit (``(-1, units)``), so ``W^T W`` compares filters; weights of rank below 2 (biases,
    gains) are skipped.
    """

    name = "ortho"

    def __init__(self, weight=1e-4):
        if float(weight) < 0:
            raise ValueError(f"`weight` must be non-negative; received {weight!r}.")
        super().__init__(weight)

    def __call__(self, variables):
        total = tf.constant(0.0, tf.float32)
        for variable in variables:
            if len(variable.shape) < 2:
                continue
            units = variable.shape[-1]
            w = tf.reshape(tf.cast(variable, tf.float32), [-1, units])
            gram = tf.matmul(w, w, transpose_a=True)
            total += tf.reduce_sum(tf.square(gram * (1.0 - tf.eye(units))))
        return total


_REGISTRY = {"gp": GradientPenalty, "gradient_penalty": GradientPenalty, "r1": R1,
             "clip": WeightClipping, "weight_clipping": WeightClipping}


def get(identifier):
    """A Penalty or Projection from an instance, a name (``"gp"``, ``"r1"``, ``"clip"``)
    or a serialized config."""
    if isinstance(identifier, (Penalty, Projection)):
        return identifier
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    if isinstance(identifier, str) and identifier.lower() in _REGISTRY:
        return _REGISTRY[identifier.lower()]()
    raise ValueError(
        f"Unknown penalty {identifier!r}. Pass a Penalty or Projection instance, "
        f"or one of the names: {', '.join(sorted(_REGISTRY))}."
    )
