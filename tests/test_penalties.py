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
