"""Helpers for the one-step objective tests: tiny players whose weights the tests set, fixed
noise, and plain SGD written out.

Every expected update in those tests is computed by code that does not call the model's own
loss, penalty or step code: the players' forward passes are written out here with the
weights as plain tensors, the objectives are written out in each test, and the gradients
come from a separate ``tf.GradientTape`` over that written-out objective. The model under
test only runs its ``train_step``; the test compares every weight afterwards.
"""

import keras
import numpy as np
import tensorflow as tf

LR = 1.0          # plain SGD with learning rate 1: the change of a weight is -gradient
ATOL = 2e-5


def sgd():
    return keras.optimizers.SGD(learning_rate=LR)


def dense(inputs, units, name, use_bias=True, activation=None):
    return keras.layers.Dense(units, use_bias=use_bias, activation=activation, name=name)(inputs)


def linear_model(in_dim, out_dim, name, use_bias=True):
    x = keras.Input((in_dim,))
    return keras.Model(x, dense(x, out_dim, f"{name}_dense", use_bias), name=name)


def set_weights(model, arrays):
    model.set_weights([np.asarray(a, "float32") for a in arrays])
    return [np.asarray(a, "float32").copy() for a in arrays]


def rng_array(rng, shape, scale=0.5):
    return (scale * rng.standard_normal(shape)).astype("float32")


def rng_images(rng, shape, scale=0.5, shift=0.0):
    """A batch of random images: ``rng_array`` shifted and clipped to [-1, 1], the range
    that training checks real images against."""
    return np.clip(rng_array(rng, shape, scale) + shift, -1.0, 1.0).astype("float32")


def scaled_to_norm(w, norm):
    """``w`` rescaled to Frobenius norm ``norm`` (to place a gradient norm below or above 1)."""
    w = np.asarray(w, "float64")
    return (w * norm / np.linalg.norm(w)).astype("float32")


def gradients(objective, params):
    """The gradient of ``objective(*params)`` with respect to each array of ``params``,
    from its own tape (nested tapes inside ``objective`` give double backpropagation)."""
    params = [tf.constant(p, tf.float32) for p in params]
    with tf.GradientTape() as tape:
        for p in params:
            tape.watch(p)
        value = objective(*params)
    return [tf.convert_to_tensor(g).numpy() if g is not None  # gathers give IndexedSlices
            else np.zeros(p.shape, "float32")
            for g, p in zip(tape.gradient(value, params), params)]


def descend(params, objective):
    """One SGD step of the written-out objective: params - LR * gradient."""
    return [p - LR * g for p, g in zip(params, gradients(objective, params))]


def fixed_noise(model, batches):
    """Make ``model.sample_latent`` hand out ``batches`` in order (and fail loudly if the
    step asks for more or fewer than the test expects)."""
    queue = [tf.constant(z, tf.float32) for z in batches]
    calls = []

    def sample_latent(n):
        calls.append(int(n))
        assert queue, "the step drew more noise batches than the test expected"
        z = queue.pop(0)
        assert z.shape[0] == int(n), (z.shape, n)
        return z

    model.sample_latent = sample_latent
    return queue


def assert_weights(model, expected, what):
    """Every trainable weight of ``model`` equals ``expected`` (in the model's order)."""
    actual = [w.numpy() for w in model.weights if w.trainable]
    assert len(actual) == len(expected), (what, len(actual), len(expected))
    for i, (a, e) in enumerate(zip(actual, expected)):
        np.testing.assert_allclose(a, e, rtol=1e-4, atol=ATOL,
                                   err_msg=f"{what}: weight {i} differs from the hand-computed "
                                           f"update")


def moved(before, after):
    return any(not np.allclose(a, b) for a, b in zip(before, after))


# -- written-out losses (from their papers' formulas, not from keras_gans.losses) -----------

def log_sigmoid(t):
    return tf.math.log_sigmoid(t)


def d_loss(name, real, fake):
    """What D minimises, written from each paper's formula."""
    if name == "minimax" or name == "non_saturating":
        # -E[log D(x)] - E[log(1 - D(G(z)))], D = sigmoid(logit)
        return -tf.reduce_mean(log_sigmoid(real)) - tf.reduce_mean(log_sigmoid(-fake))
    if name == "wasserstein":
        return tf.reduce_mean(fake) - tf.reduce_mean(real)
    if name == "hinge":
        return (tf.reduce_mean(tf.maximum(0.0, 1.0 - real))
                + tf.reduce_mean(tf.maximum(0.0, 1.0 + fake)))
    if name == "least_squares":
        return 0.5 * tf.reduce_mean((real - 1.0) ** 2) + 0.5 * tf.reduce_mean(fake ** 2)
    raise KeyError(name)


def g_loss(name, fake):
    """What G minimises."""
    if name == "minimax":
        return tf.reduce_mean(log_sigmoid(-fake))          # E[log(1 - D(G(z)))]
    if name == "non_saturating":
        return -tf.reduce_mean(log_sigmoid(fake))          # -E[log D(G(z))]
    if name in ("wasserstein", "hinge"):
        return -tf.reduce_mean(fake)
    if name == "least_squares":
        return 0.5 * tf.reduce_mean((fake - 1.0) ** 2)
    raise KeyError(name)
