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

A ``Penalty`` with ``interval=N > 1`` is lazy (Karras et al. 2020, StyleGAN2 section 3.1):
it is computed on one discriminator step in N, multiplied by N, and is zero on the others.

``PathLength`` regularises the generator instead (StyleGAN2's path length regulariser);
the StyleGAN model applies it.
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

    def __init__(self, weight, interval=1):
        self.weight = float(weight)
        if int(interval) < 1:
            raise ValueError(f"`interval` must be a positive integer (1 computes the penalty "
                             f"at every step); received {interval!r}.")
        self.interval = int(interval)

    def value_at(self, step, compute):
        """``compute()`` at every step, or, when lazy, ``interval * compute()`` at the steps
        divisible by ``interval`` and zero at the others (the expected value is the same)."""
        if self.interval == 1:
            return compute()
        return tf.cond(tf.equal(tf.cast(step, tf.int64) % self.interval, 0),
                       lambda: tf.cast(compute(), tf.float32) * float(self.interval),
                       lambda: tf.zeros([], tf.float32))

    def __call__(self, critic, real, fake, seed, gradient_scale=1.0):
        """``critic`` maps a batch to raw outputs; ``seed`` is a keras SeedGenerator;
        ``gradient_scale`` is the loss scale of mixed-precision training (1 otherwise)."""
        raise NotImplementedError

    def get_config(self):
        return {"weight": self.weight, **({"interval": self.interval} if self.interval != 1
                                          else {})}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        lazy = f", interval={self.interval}" if self.interval != 1 else ""
        return f"{type(self).__name__}(weight={self.weight}{lazy})"


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

    ``weight`` is gamma / 2; the default gamma = 10 gives weight 5. ``interval=16`` makes
    it lazy as in StyleGAN2.
    """

    name = "r1"

    def __init__(self, weight=5.0, interval=1):
        super().__init__(weight, interval)

    def __call__(self, critic, real, fake, seed, gradient_scale=1.0):
        real = tf.cast(real, tf.float32)
        return tf.reduce_mean(_per_example_gradient_norm_sq(critic, real, gradient_scale))


@keras.saving.register_keras_serializable(package="keras_gans")
class Drift(Penalty):
    """ProGAN's drift term (Karras et al. 2018, appendix A.1): ``E[D(x)^2]`` on real data,
    weight (epsilon_drift) 0.001, keeps a Wasserstein critic's outputs from drifting far
    from zero."""

    name = "drift"

    def __init__(self, weight=0.001):
        super().__init__(weight)

    def __call__(self, critic, real, fake, seed, gradient_scale=1.0):
        return tf.reduce_mean(tf.square(tf.cast(critic(tf.cast(real, tf.float32)), tf.float32)))


@keras.saving.register_keras_serializable(package="keras_gans")
class PathLength:
    """StyleGAN2's path length regulariser (Karras et al. 2020, section 3.2) of the
    generator: ``E[(||J_w^T y||_2 - a)^2]``, where ``y`` is an image of Gaussian noise
    (scaled by 1 / sqrt(pixels)), ``J_w`` the Jacobian of the synthesis network with
    respect to its per-layer styles ``w``, and ``a`` a running mean of the lengths
    (``decay`` 0.01). Weight 2, lazy every 4 generator steps, as in the paper.

    ``__call__`` returns the penalty and the updated running mean; the model keeps the mean
    in a saved variable.
    """

    name = "pl"

    def __init__(self, weight=2.0, decay=0.01, interval=4):
        if int(interval) < 1:
            raise ValueError(f"`interval` must be a positive integer; received {interval!r}.")
        self.weight = float(weight)
        self.decay = float(decay)
        self.interval = int(interval)

    def __call__(self, synthesis, ws, pl_mean, seed):
        """``synthesis`` maps styles ``(batch, num_ws, w_dim)`` to images."""
        return self.penalty(self.lengths(synthesis, ws, seed), pl_mean)

    def lengths(self, synthesis, ws, seed):
        """``||J_w^T y||_2`` per example (differentiable: double backpropagation)."""
        with tf.GradientTape() as tape:
            tape.watch(ws)
            images = tf.cast(synthesis(ws), tf.float32)
            pixels = images.shape[1] * images.shape[2]
            noise = distribute.replica_random(
                lambda n: keras.random.normal([n, *images.shape[1:]], seed=seed),
                tf.shape(images)[0]) / pixels ** 0.5
            projected = tf.reduce_sum(images * noise)
        grads = tf.cast(tape.gradient(projected, ws), tf.float32)
        return tf.sqrt(tf.reduce_mean(tf.reduce_sum(tf.square(grads), axis=2), axis=1))

    def penalty(self, lengths, pl_mean):
        """The penalty on ``lengths`` and the updated running mean. The mean moves by the
        global batch's mean length, the same on every replica (this all-reduce must run
        outside any ``tf.cond``: the lazy model computes ``lengths`` in one, this after)."""
        batch_mean = distribute.global_mean(tf.reduce_mean(tf.stop_gradient(lengths)))
        new_mean = pl_mean + self.decay * (batch_mean - pl_mean)
        return tf.reduce_mean(tf.square(lengths - new_mean)), new_mean

    def get_config(self):
        return {"weight": self.weight, "decay": self.decay, "interval": self.interval}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return (f"PathLength(weight={self.weight}, decay={self.decay}, "
                f"interval={self.interval})")


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
             "drift": Drift,
             "clip": WeightClipping, "weight_clipping": WeightClipping}


def get(identifier):
    """A Penalty or Projection from an instance, a name (``"gp"``, ``"r1"``, ``"clip"``),
    a name with arguments (``{"name": "gp", "weight": 0.1}``, the form recipes use) or a
    serialized config."""
    if isinstance(identifier, (Penalty, Projection)):
        return identifier
    if isinstance(identifier, dict) and "name" in identifier and "class_name" not in identifier:
        arguments = dict(identifier)
        name = str(arguments.pop("name")).lower()
        if name not in _REGISTRY:
            raise ValueError(f"Unknown penalty {name!r}; known names: "
                             f"{', '.join(sorted(_REGISTRY))}.")
        return _REGISTRY[name](**arguments)
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    if isinstance(identifier, str) and identifier.lower() in _REGISTRY:
        return _REGISTRY[identifier.lower()]()
    raise ValueError(
        f"Unknown penalty {identifier!r}. Pass a Penalty or Projection instance, "
        f"or one of the names: {', '.join(sorted(_REGISTRY))}."
    )
