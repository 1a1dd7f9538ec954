import numpy as np
import pytest

from keras_gans.networks import dcgan


@pytest.mark.parametrize("shape,stages", [((28, 28, 1), 2), ((32, 32, 3), 3), ((64, 64, 3), 4),
                                          ((8, 8, 1), 1)])
def test_networks_scale_to_the_image_shape(shape, stages):
    assert dcgan.num_stages(shape)[0] == stages
    gen = dcgan.dcgan_generator(16, shape, base_filters=8)
    disc = dcgan.dcgan_discriminator(shape, base_filters=8)
    images = gen(np.zeros((2, 16), "float32"))
    assert tuple(images.shape) == (2, *shape)
    assert tuple(disc(images).shape) == (2, 1)


def test_paper_rules_hold():
    gen = dcgan.dcgan_generator(16, (32, 32, 3), base_filters=8)
    disc = dcgan.dcgan_discriminator((32, 32, 3), base_filters=8)
    kinds = lambda m: [type(layer).__name__ for layer in m.layers]  # noqa: E731
    # No pooling, and no hidden dense layers: only G's projection and D's logit.
    for net in (gen, disc):
        assert not any("Pooling" in k for k in kinds(net))
        assert kinds(net).count("Dense") == 1
    assert gen.layers[-1].activation.__name__ == "tanh"
    # D's input layer has no batch norm; its later ones do.
    assert "BatchNormalization" in kinds(disc)
    assert disc.get_layer("down_0").output is not None
    with pytest.raises(ValueError):
        disc.get_layer("down_0_norm")


def test_layer_norm_and_no_norm_options():
    for norm, absent in (("layer", "BatchNormalization"), (None, "Normalization")):
        disc = dcgan.dcgan_discriminator((16, 16, 1), base_filters=4, normalization=norm)
        assert not any(absent in type(layer).__name__ for layer in disc.layers)
    with pytest.raises(ValueError, match="normalization"):
        dcgan.dcgan_discriminator((16, 16, 1), normalization="instance")


def test_shapes_that_do_not_fit_are_explained():
    with pytest.raises(ValueError, match="Resize the images"):
        dcgan.dcgan_generator(8, (5, 5, 1))
    with pytest.raises(ValueError, match="MLP networks"):
        dcgan.dcgan_discriminator((2,))


def test_minibatch_options_let_the_discriminator_see_a_batch_s_variety():
    import keras

    import keras_gans as kg

    x = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
    plain = kg.networks.dcgan_discriminator((16, 16, 1), base_filters=4)
    for option, layer in (("stddev", "minibatch_stddev"),
                          ("discrimination", "minibatch_discrimination")):
        d = kg.networks.dcgan_discriminator((16, 16, 1), base_filters=4, minibatch=option)
        assert d.get_layer(layer) is not None
        # An example's logit depends on the rest of its batch (it would not without them).
        alone = keras.ops.convert_to_numpy(d(x[:4], training=False))[0]
        other = x.copy()
        other[1:4] = x[0]
        together = keras.ops.convert_to_numpy(d(other[:4], training=False))[0]
        assert not np.allclose(alone, together), option
    same = np.repeat(x[:1], 4, axis=0)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(plain(x[:4], training=False))[0],
                               keras.ops.convert_to_numpy(
                                   plain(np.concatenate([x[:1], same[1:]]),
                                         training=False))[0], rtol=1e-5)
    with pytest.raises(ValueError, match="'stddev' or 'discrimination'"):
        kg.networks.dcgan_discriminator((16, 16, 1), minibatch="batch")
