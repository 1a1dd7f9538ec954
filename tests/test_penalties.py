import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import penalties

W = np.array([[3.0], [4.0]], dtype="float32")  # ||w|| = 5


def linear_critic(weight):
    return lambda x: tf.matmul(x, weight) + 7.0


def test_gradient_penalty_of_linear_critic_is_hand_computed_value():
    # For D(x) = w.x + b the gradient is w everywhere: penalty = (||w|| - 1)^2 = 16,
    # whatever the interpolation coefficients are.
    real = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
    fake = np.random.default_rng(1).normal(size=(8, 2)).astype("float32")
    value = penalties.GradientPenalty()(linear_critic(tf.constant(W)), real, fake,
                                        keras.random.SeedGenerator(0))
    np.testing.assert_allclose(value, 16.0, rtol=1e-5)


def test_gradient_penalty_differentiates_through_its_inner_tape():
    # d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w|| = 2 * 4 * [0.6, 0.8]
    w = tf.Variable(W)
    real = np.ones((4, 2), "float32")
    with tf.GradientTape() as tape:
        value = penalties.GradientPenalty()(linear_critic(w), real, -real,
                                            keras.random.SeedGenerator(0))
    np.testing.assert_allclose(tape.gradient(value, w).numpy().ravel(), [4.8, 6.4], rtol=1e-5)


def test_gradient_penalty_interpolates_per_example_on_images():
    # A critic whose gradient norm depends on the position: D(x) = sum(x^2) / 2 has
    # gradient x, so the penalty is zero only if every interpolate has unit norm.
    seen = []

    def critic(x):
        seen.append(x)
        return 0.5 * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])

    real = np.zeros((16, 4, 4, 1), "float32")
    fake = np.ones((16, 4, 4, 1), "float32")
    penalties.GradientPenalty()(critic, real, fake, keras.random.SeedGenerator(3))
    x_hat = seen[0].numpy()
    alphas = x_hat.reshape(16, -1)
    # One alpha per example, the same over all pixels, different between examples.
    assert np.allclose(alphas, alphas[:, :1])
    assert len(np.unique(np.round(alphas[:, 0], 6))) > 1
    assert np.all((alphas >= 0) & (alphas <= 1))


def test_r1_of_linear_critic_is_squared_weight_norm():
    real = np.ones((4, 2), "float32")
    value = penalties.R1()(linear_critic(tf.constant(W)), real, None, None)
    np.testing.assert_allclose(value, 25.0, rtol=1e-6)
    assert penalties.R1().weight == 5.0  # gamma = 10


def test_weight_clipping_projects_into_the_box():
    v = tf.Variable([[-1.0, 0.005], [0.5, -0.002]])
    penalties.WeightClipping(0.01).project([v])
    np.testing.assert_allclose(v.numpy(), [[-0.01, 0.005], [0.01, -0.002]])


def test_get_by_name_and_errors():
    assert isinstance(penalties.get("gp"), penalties.GradientPenalty)
    assert isinstance(penalties.get("clip"), penalties.WeightClipping)
    with pytest.raises(ValueError, match="Unknown penalty 'gradient'"):
        penalties.get("gradient")
    with pytest.raises(ValueError, match="clip_value"):
        penalties.WeightClipping(0)


def test_get_by_name_with_arguments_as_recipes_write_it():
    gp = penalties.get({"name": "gp", "weight": 0.1})
    assert isinstance(gp, penalties.GradientPenalty) and gp.weight == 0.1
    with pytest.raises(ValueError, match="Unknown penalty 'gradient'"):
        penalties.get({"name": "gradient", "weight": 0.1})


def test_drift_is_the_mean_squared_critic_output_on_real_data():
    real = tf.constant([[1.0], [-3.0]])
    value = penalties.Drift()(lambda x: 2.0 * x, real, real * 0.0, None)
    assert float(value) == pytest.approx((4.0 + 36.0) / 2)
    assert penalties.get("drift").weight == 0.001


def test_lazy_penalty_is_computed_every_n_steps_and_scaled_by_n():
    r1 = penalties.R1(5.0, interval=4)
    calls = []

    def compute():
        calls.append(1)
        return tf.constant(2.0)

    values = [float(r1.value_at(tf.constant(step), compute)) for step in range(8)]
    assert values == [8.0, 0, 0, 0, 8.0, 0, 0, 0]      # mean 2: the same expected value
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(r1))
    assert (again.weight, again.interval) == (5.0, 4)
    with pytest.raises(ValueError, match="interval"):
        penalties.R1(interval=0)


def test_path_length_penalty_and_running_mean():
    pl = penalties.PathLength(weight=2.0, decay=0.5)
    seed = keras.random.SeedGenerator(0)
    ws = tf.random.normal((4, 3, 5))

    def synthesis(w):        # images linear in w: lengths are the same for every example
        return tf.reshape(tf.reduce_sum(w, axis=1) @ tf.ones((5, 8 * 8)), (-1, 8, 8, 1))

    value, mean = pl(synthesis, ws, tf.constant(0.0), seed)
    assert np.isfinite(float(value)) and float(mean) > 0
    # With decay 0 the running mean stays put and the penalty is E[(length - a)^2].
    frozen = penalties.PathLength(decay=0.0)
    far, same = frozen(synthesis, ws, tf.constant(100.0), seed)
    assert float(same) == 100.0 and float(far) > 90.0 ** 2
    again = penalties.PathLength.from_config(pl.get_config())
    assert (again.weight, again.decay, again.interval) == (2.0, 0.5, 4)


def _replayed_uniform(seed_state, shape):
    """The draw a SeedGenerator in ``seed_state`` makes next (read with a copy of it)."""
    probe = keras.random.SeedGenerator(0)
    probe.state.assign(seed_state)
    return keras.random.uniform(shape, seed=probe).numpy()


def test_gradient_penalty_is_two_sided_below_norm_one_on_the_interpolates():
    """A critic D(x) = sum(a * x^2) / 2 has gradient a * x, so each interpolate has its own
    gradient norm, some below 1 and some above. Against the definition E[(||grad D(x_hat)||
    - 1)^2] at x_hat = x + alpha (G(z) - x), with the alphas the seed draws. Catches: a
    one-sided penalty max(0, ||g|| - 1)^2 (zero for the norms below 1), the squared norm
    used for the norm, interpolates taken from the wrong end (alpha and 1 - alpha
    swapped), or a penalty on the real or fake points alone."""
    a = np.array([0.2, 0.9, 1.6], "float32")

    def critic(x):
        return 0.5 * tf.reduce_sum(a * tf.square(x), axis=1)

    rng = np.random.default_rng(5)
    real = rng.uniform(0.0, 1.0, (6, 3)).astype("float32")
    fake = rng.uniform(0.5, 1.5, (6, 3)).astype("float32")
    seed = keras.random.SeedGenerator(7)
    alpha = _replayed_uniform(seed.state.value, (6, 1))
    value = float(penalties.GradientPenalty()(critic, real, fake, seed))

    x_hat = real + alpha * (fake - real)
    norms = np.sqrt(((a * x_hat) ** 2).sum(axis=1))
    assert (norms < 1).any() and (norms > 1).any()
    np.testing.assert_allclose(value, np.mean((norms - 1.0) ** 2), rtol=1e-5)


def test_gradient_penalty_below_norm_one_pulls_the_critic_norm_up():
    """Linear critic with ||w|| = 0.5: penalty (0.5 - 1)^2 = 0.25 and gradient
    2 (||w|| - 1) w / ||w|| = -2 w, pointing to larger norms. A one-sided penalty gives 0
    and no gradient; a penalty of the squared norm (||w||^2 - 1)^2 gives 0.5625."""
    w = tf.Variable(np.array([[0.3], [0.4]], "float32"))
    real = np.ones((4, 2), "float32")
    with tf.GradientTape() as tape:
        value = penalties.GradientPenalty()(linear_critic(w), real, -real,
                                            keras.random.SeedGenerator(0))
    np.testing.assert_allclose(float(value), 0.25, rtol=1e-5)
    np.testing.assert_allclose(tape.gradient(value, w).numpy().ravel(), [-0.6, -0.8],
                               rtol=1e-5)


def test_path_length_lengths_and_penalty_follow_the_definition():
    """StyleGAN2's definition for a synthesis linear in its styles, images = sum_l w_l A_l:
    J_w^T y for example b and layer l is A_l y_b, with y Gaussian noise over the image
    scaled by 1 / sqrt(height x width) (not x channels); the length is
    sqrt(mean_l ||A_l y_b||^2); the running mean a moves by decay x (mean length - a) and
    the penalty is E[(length - a_new)^2]. The noise is read from a copy of the seed.
    Catches: a missing mean over layers (a sum instead), the noise scaled by the wrong
    pixel count, a length without the square root, the penalty against the old mean."""
    rng = np.random.default_rng(6)
    n, layers, w_dim, h, w, c = 3, 2, 4, 4, 4, 2
    a = rng.normal(size=(layers, w_dim, h * w * c)).astype("float32")
    ws = rng.normal(size=(n, layers, w_dim)).astype("float32")

    def synthesis(styles):
        return tf.reshape(tf.einsum("nld,ldp->np", styles, a), (-1, h, w, c))

    seed = keras.random.SeedGenerator(11)
    probe = keras.random.SeedGenerator(0)
    probe.state.assign(seed.state.value)
    noise = keras.random.normal((n, h, w, c), seed=probe).numpy().reshape(n, -1) / np.sqrt(h * w)
    pl = penalties.PathLength(decay=0.3)
    lengths = pl.lengths(synthesis, tf.constant(ws), seed).numpy()

    expected = np.sqrt(np.mean([[np.sum((a[l] @ noise[b]) ** 2) for l in range(layers)]
                                for b in range(n)], axis=1))
    np.testing.assert_allclose(lengths, expected, rtol=1e-5)
    value, new_mean = pl.penalty(tf.constant(expected, tf.float32), tf.constant(2.0))
    a_new = 2.0 + 0.3 * (expected.mean() - 2.0)
    np.testing.assert_allclose(float(new_mean), a_new, rtol=1e-6)
    np.testing.assert_allclose(float(value), np.mean((expected - a_new) ** 2), rtol=1e-5)
