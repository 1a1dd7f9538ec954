import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.networks import conditional


def test_generator_takes_z_and_labels():
    for shape in [(8, 8, 1), (2,)]:
        g = conditional.conditional_generator(6, shape, num_classes=3, base_filters=4,
                                              hidden_units=(8,))
        z = np.zeros((5, 6), "float32")
        out = g([z, np.array([[0], [1], [2], [1], [0]], "int32")])
        assert tuple(out.shape) == (5, *shape)
        # The label changes the output for the same z.
        a = keras.ops.convert_to_numpy(g([z[:1], np.array([[0]])]))
        b = keras.ops.convert_to_numpy(g([z[:1], np.array([[2]])]))
        assert not np.allclose(a, b)


@pytest.mark.parametrize("conditioning", ["concat", "projection"])
@pytest.mark.parametrize("shape", [(8, 8, 1), (2,)])
def test_discriminator_gives_one_logit_that_depends_on_the_label(conditioning, shape):
    d = conditional.conditional_discriminator(shape, 4, conditioning=conditioning,
                                              base_filters=4, hidden_units=(8,),
                                              normalization=None)
    x = np.random.default_rng(0).normal(size=(3, *shape)).astype("float32")
    a = keras.ops.convert_to_numpy(d([x, np.zeros((3, 1), "int32")]))
    b = keras.ops.convert_to_numpy(d([x, np.full((3, 1), 3, "int32")]))
    assert a.shape == (3, 1) and not np.allclose(a, b)


def test_projection_head_is_psi_plus_the_inner_product():
    d = conditional.conditional_discriminator((2,), 3, conditioning="projection",
                                              hidden_units=(5,))
    x = np.random.default_rng(1).normal(size=(4, 2)).astype("float32")
    y = np.array([[0], [1], [2], [1]], "int32")
    phi = keras.ops.convert_to_numpy(d.get_layer("features")(x))
    w, b = d.get_layer("psi").get_weights()
    embed = d.get_layer("label_embedding").get_weights()[0]
    expected = phi @ w + b + np.sum(embed[y[:, 0]] * phi, axis=1, keepdims=True)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(d([x, y])), expected, rtol=1e-5,
                               atol=1e-6)


def test_auxiliary_classifier_has_two_heads():
    d = kg.networks.auxiliary_classifier_discriminator((8, 8, 1), 5, base_filters=4)
    adv, cls = d(np.zeros((2, 8, 8, 1), "float32"))
    assert tuple(adv.shape) == (2, 1) and tuple(cls.shape) == (2, 5)


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="num_classes"):
        conditional.conditional_generator(4, (2,), num_classes=1)
    with pytest.raises(ValueError, match="conditioning"):
        conditional.conditional_discriminator((2,), 3, conditioning="film")
