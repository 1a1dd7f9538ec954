"""Networks built as keras.io builds them (keras.Sequential) or as subclasses of
keras.Model train in every noise-to-data variant; a discriminator ending in a sigmoid is
refused."""

import keras
import numpy as np
import pytest
from keras import layers

import keras_gans as kg

LATENT, SHAPE, CLASSES = 4, (6,), 3


def sequential_generator():
    return keras.Sequential([keras.Input(shape=(LATENT,)), layers.Dense(8, activation="relu"),
                             layers.Dense(SHAPE[0])], name="generator")


def sequential_discriminator(final_activation=None):
    return keras.Sequential([keras.Input(shape=SHAPE), layers.Dense(8, activation="relu"),
                             layers.Dense(1, activation=final_activation)], name="discriminator")


class TwoLayers(keras.Model):
    """A subclassed network; with ``inputs=2`` it concatenates [x, labels] (labels one-hot
    encoded), with ``outputs`` several heads it returns a list."""

    def __init__(self, units, inputs=1, num_classes=CLASSES, **kwargs):
        super().__init__(**kwargs)
        self.two_inputs, self.num_classes = inputs == 2, num_classes
        self.hidden = layers.Dense(8, activation="relu")
        self.heads = [layers.Dense(u) for u in units]

    def call(self, x):
        if self.two_inputs:
            x, labels = x
            labels = keras.ops.one_hot(keras.ops.reshape(keras.ops.cast(labels, "int32"), (-1,)),
                                       self.num_classes)
            x = keras.ops.concatenate([x, labels], axis=-1)
        h = self.hidden(x)
        outputs = [head(h) for head in self.heads]
        return outputs[0] if len(outputs) == 1 else outputs


def subclassed(units, input_shape, inputs=1, label_shape=(1,)):
    """A subclassed network built the usual way, by calling it once on a batch."""
    net = TwoLayers(units, inputs)
    x = np.zeros((2, *input_shape), "float32")
    net([x, np.zeros((2, *label_shape), "int32")] if inputs == 2 else x)
    return net


def _labelled(n=16):
    rng = np.random.default_rng(0)
    return (rng.normal(size=(n, *SHAPE)).astype("float32"),
            rng.integers(0, CLASSES, size=(n,)).astype("int32"))


# variant -> (constructor arguments, generator, discriminator, batch)
CASES = {
    "gan-sequential": (kg.models.GAN, {}, sequential_generator, sequential_discriminator, False),
    "wgan-gp-sequential": (kg.models.WGANGP, {}, sequential_generator,
                           sequential_discriminator, False),
    "wgan-sequential": (kg.models.WGAN, {}, sequential_generator, sequential_discriminator,
                        False),
    "dcgan-subclassed": (kg.models.DCGAN, {}, lambda: subclassed([SHAPE[0]], (LATENT,)),
                         lambda: subclassed([1], SHAPE), False),
    "wgan-gp-subclassed": (kg.models.WGANGP, {}, lambda: subclassed([SHAPE[0]], (LATENT,)),
                           lambda: subclassed([1], SHAPE), False),
    "ebgan-sequential-and-subclassed": (kg.models.EBGAN, {}, sequential_generator,
                                        lambda: subclassed([SHAPE[0], 3], SHAPE), False),
    "cgan-subclassed": (kg.models.CGAN, {"num_classes": CLASSES},
                        lambda: subclassed([SHAPE[0]], (LATENT,), inputs=2),
                        lambda: subclassed([1], SHAPE, inputs=2), True),
    "acgan-subclassed": (kg.models.ACGAN, {"num_classes": CLASSES},
                         lambda: subclassed([SHAPE[0]], (LATENT,), inputs=2),
                         lambda: subclassed([1, CLASSES], SHAPE), True),
    "sgan-sequential-and-subclassed": (kg.models.SGAN, {"num_classes": CLASSES},
                                       sequential_generator,
                                       lambda: subclassed([CLASSES, 8], SHAPE), True),
    "biggan-subclassed": (kg.models.BigGAN, {"num_classes": CLASSES},
                          lambda: subclassed([SHAPE[0]], (LATENT,), inputs=2,
                                             label_shape=()),
                          lambda: subclassed([1], SHAPE, inputs=2, label_shape=()), True),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_custom_networks_of_any_kind_train_and_generate(case):
    variant, kwargs, generator, discriminator, labelled = CASES[case]
    model = variant(generator=generator(), discriminator=discriminator(), **kwargs)
    assert model.data_shape == SHAPE and model.latent_dim == LATENT
    model.compile()
    x, y = _labelled()
    model.fit(x, y if labelled else None, batch_size=8, epochs=1, steps_per_epoch=1, verbose=0)
    sampled = (model.generate(5, labels=np.arange(5) % CLASSES, seed=0)
               if labelled and variant is not kg.models.SGAN else model.generate(5, seed=0))
    assert sampled.shape == (5, *SHAPE) and np.all(np.isfinite(sampled))


def test_an_unbuilt_network_is_refused_with_the_fix():
    unbuilt = keras.Sequential([layers.Dense(8), layers.Dense(SHAPE[0])], name="generator")
    with pytest.raises(ValueError, match="has not been built.*keras.Input"):
        kg.models.GAN(generator=unbuilt, discriminator=sequential_discriminator())


@pytest.mark.parametrize("activation", ["sigmoid", "softmax"])
def test_a_discriminator_that_returns_probabilities_is_refused(activation):
    with pytest.raises(ValueError, match=f"ends in a {activation}.*logits"):
        kg.models.DCGAN(generator=sequential_generator(),
                        discriminator=sequential_discriminator(activation))
    # The same through a separate Activation layer, in a functional model.
    x = keras.Input(shape=SHAPE)
    d = keras.Model(x, layers.Activation(activation)(layers.Dense(1)(x)))
    with pytest.raises(ValueError, match=f"ends in a {activation}"):
        kg.models.GAN(generator=sequential_generator(), discriminator=d)


IMAGE = (8, 8, 1)


def _image_discriminator():
    return keras.Sequential([keras.Input(IMAGE), layers.Flatten(), layers.Dense(1)],
                            name="discriminator")


def _progan():
    generator = keras.Sequential([keras.Input((LATENT,)), layers.Dense(64),
                                  layers.Reshape(IMAGE)], name="generator")
    return kg.models.ProGAN(generator=generator, discriminator=_image_discriminator(),
                            fade_steps=1, stable_steps=1)


def _stylegan():
    # The nested models StyleGAN needs, named 'mapping' (z -> w) and 'synthesis'
    # (one w per layer -> image), in a Sequential generator.
    mapping = keras.Sequential([keras.Input((LATENT,)), layers.Dense(4)], name="mapping")
    synthesis = keras.Sequential([keras.Input((2, 4)), layers.Flatten(), layers.Dense(64),
                                  layers.Reshape(IMAGE)], name="synthesis")
    generator = keras.Sequential([keras.Input((LATENT,)), mapping, layers.RepeatVector(2),
                                  synthesis], name="generator")
    return kg.models.StyleGAN(generator=generator, discriminator=_image_discriminator())


def _tabular():
    import pandas as pd

    from keras_gans.data import tabular
    from keras_gans.networks import tabular_generator

    rng = np.random.default_rng(0)
    table = pd.DataFrame({"x": rng.normal(size=64), "c": rng.choice(["a", "b"], 64)})
    transformer = tabular.TabularTransformer().fit(table)
    conditions = sum(size for _, _, size in transformer.categorical_spans)
    discriminator = keras.Sequential([keras.Input((transformer.output_dim + conditions,)),
                                      layers.Dense(8, activation="relu"), layers.Dense(1)])
    return kg.models.TabularGAN(
        transformer, latent_dim=LATENT, discriminator=discriminator,
        generator=tabular_generator(LATENT, transformer.spans, conditions, hidden_units=(8,))
    ), table


@pytest.mark.parametrize("build", [_progan, _stylegan])
def test_sequential_networks_train_in_the_progressive_and_style_variants(build):
    model = build()
    model.compile()
    model.fit(np.zeros((8, *IMAGE), "float32"), batch_size=4, epochs=1, steps_per_epoch=1,
              verbose=0)
    assert model.generate(2, seed=0).shape == (2, *IMAGE)


def test_a_sequential_discriminator_trains_in_the_tabular_gan():
    model, table = _tabular()
    model.compile()
    model.fit(table, batch_size=16, epochs=1, steps_per_epoch=1, verbose=0)
    assert len(model.generate(3, seed=0)) == 3


def test_ema_of_a_subclassed_generator_without_get_config_says_what_it_needs():
    gan = kg.models.GAN(generator=subclassed([SHAPE[0]], (LATENT,)),
                        discriminator=sequential_discriminator())
    with pytest.raises(TypeError, match="TwoLayers has none. Implement get_config"):
        gan.enable_ema()
