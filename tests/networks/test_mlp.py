import numpy as np

from keras_gans.networks import mlp


def test_mlp_generator_reshapes_to_images_and_bounds_with_tanh():
    gen = mlp.mlp_generator(4, (6, 6, 1))
    out = gen(np.random.default_rng(0).normal(size=(3, 4)).astype("float32") * 100).numpy()
    assert out.shape == (3, 6, 6, 1) and np.abs(out).max() <= 1


def test_mlp_generator_for_unbounded_points():
    gen = mlp.mlp_generator(4, (2,), output_activation=None)
    assert gen.layers[-1].activation.__name__ == "linear"


def test_mlp_discriminator_outputs_one_logit():
    disc = mlp.mlp_discriminator((6, 6, 1), hidden_units=(8,), dropout=0.5)
    assert tuple(disc(np.zeros((5, 6, 6, 1), "float32")).shape) == (5, 1)


def test_batch_norm_without_a_learned_scale():
    # The Improved-GAN generator normalises its hidden units and learns only a shift.
    gen = mlp.mlp_generator(4, (6, 6, 1), hidden_units=(8, 8), batch_norm=True,
                            batch_norm_scale=False)
    norms = [layer for layer in gen.layers if "bn_" in layer.name]
    assert len(norms) == 2
    assert all(not n.scale and n.center for n in norms)
    assert all({w.name for w in n.trainable_weights} == {"beta"} for n in norms)
    default = mlp.mlp_generator(4, (6, 6, 1), hidden_units=(8,), batch_norm=True)
    assert default.get_layer("bn_0").scale
