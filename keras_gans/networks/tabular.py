"""Players for tables (CTGAN, Xu et al. 2019): a residual MLP generator whose outputs pass
through per-span activations, and an MLP critic with LeakyReLU and dropout. Both optionally
read a conditional vector appended to their input, which the generator also passes through
to its output, so the critic sees ``[row, condition]`` for real and generated rows alike."""

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.layers.replica_noise import ReplicaDropout
from keras_gans.layers.span_activation import SpanActivation


def tabular_generator(latent_dim, spans, condition_dim=0, hidden_units=(256, 256),
                      temperature=0.2, name="generator"):
    """``[z, condition]`` -> residual blocks -> rows of the transformer's ``spans``
    (+ the condition, passed through).

    Each block is Dense -> BatchNormalization -> ReLU whose output is concatenated to its
    input, as CTGAN's ``Residual``; batch norm is synchronized across replicas. The Dense
    layers feeding batch norm have no bias (CTGAN's do): its gradient is exactly zero,
    batch norm's offset does its job, and Adam would turn that zero's rounding noise into
    steps of the full learning rate.
    """
    inputs = keras.Input((latent_dim + condition_dim,), name="z")
    x = inputs
    for i, units in enumerate(hidden_units):
        h = keras.layers.Dense(units, use_bias=False, name=f"dense_{i}")(x)
        h = keras.layers.BatchNormalization(synchronized=True, name=f"bn_{i}")(h)
        h = keras.layers.ReLU(name=f"relu_{i}")(h)
        x = keras.layers.Concatenate(name=f"residual_{i}")([h, x])
    size = sum(int(s[0]) for s in spans)
    x = keras.layers.Dense(size, name="output")(x)
    x = SpanActivation(spans, temperature=temperature, name="spans")(x)
    if condition_dim:
        x = keras.layers.Concatenate(name="with_condition")([x, inputs[:, latent_dim:]])
    return keras.Model(inputs, x, name=name)


def tabular_discriminator(input_dim, hidden_units=(256, 256), dropout=0.5,
                          name="discriminator"):
    """``[row, condition]`` -> Dense -> LeakyReLU(0.2) -> Dropout blocks -> one raw output.
    No normalization: the gradient penalty is per example."""
    inputs = keras.Input((input_dim,), name="x")
    x = inputs
    for i, units in enumerate(hidden_units):
        x = keras.layers.Dense(units, name=f"dense_{i}")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"lrelu_{i}")(x)
        if dropout:
            x = ReplicaDropout(dropout, name=f"dropout_{i}")(x)
    return keras.Model(inputs, keras.layers.Dense(1, name="logits")(x), name=name)


def tabular_encoder(input_dim, latent_dim, hidden_units=(256, 256), name="encoder"):
    """A row of one domain -> Dense + ReLU blocks -> a point of the shared latent space
    (tanh-bounded, so that the domains' codes share one box). RadialGAN's encoders."""
    inputs = keras.Input((input_dim,), name="x")
    x = inputs
    for i, units in enumerate(hidden_units):
        x = keras.layers.Dense(units, activation="relu", name=f"dense_{i}")(x)
    return keras.Model(inputs, keras.layers.Dense(latent_dim, activation="tanh",
                                                  name="latent")(x), name=name)
