"""Fully connected generator and discriminator (Goodfellow et al. 2014), for flat data
such as the 2-D toy mixtures, or for images flattened on the way in and reshaped on the
way out."""

import math

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.layers.replica_noise import ReplicaDropout
from keras_gans.layers.weight_norm import WeightNormDense


def mlp_generator(latent_dim, output_shape, hidden_units=(256, 256), output_activation="tanh",
                  activation="relu", batch_norm=False, weight_norm=False, batch_norm_scale=True,
                  name="generator"):
    """z -> dense layers -> ``output_shape``.

    Use ``output_activation="tanh"`` for images in [-1, 1] and ``None`` for unbounded data
    (the toy mixtures live in [-4, 4]). ``batch_norm`` normalises each hidden layer before
    its ``activation`` (with a learned scale unless ``batch_norm_scale=False``: then only a
    learned shift); ``weight_norm`` makes the output layer a ``WeightNormDense`` (True, or
    a dict of its arguments, e.g. ``{"data_init": False, "init_scale": 0.5}``). The
    Improved-GAN MNIST generator (Salimans et al. 2016) is ``hidden_units=(500, 500),
    activation="softplus", batch_norm=True, batch_norm_scale=False,
    weight_norm={"data_init": False}``; its sigmoid output for pixels in [0, 1] is
    ``2 * sigmoid(a) - 1 = tanh(a / 2)`` for pixels in [-1, 1], which ``init_scale: 0.5``
    matches at the start.
    """
    output_shape = tuple(output_shape)
    z = keras.Input((latent_dim,), name="z")
    x = z
    for i, units in enumerate(hidden_units):
        if batch_norm:
            x = keras.layers.Dense(units, use_bias=False, name=f"dense_{i}")(x)
            x = keras.layers.BatchNormalization(scale=batch_norm_scale, name=f"bn_{i}")(x)
            x = keras.layers.Activation(activation, name=f"{activation}_{i}")(x)
        else:
            x = keras.layers.Dense(units, activation=activation, name=f"dense_{i}")(x)
    if weight_norm:
        options = weight_norm if isinstance(weight_norm, dict) else {}
        output = WeightNormDense(math.prod(output_shape), activation=output_activation,
                                 name="output", **options)
    else:
        output = keras.layers.Dense(math.prod(output_shape), activation=output_activation,
                                    name="output")
    x = output(x)
    if len(output_shape) > 1:
        x = keras.layers.Reshape(output_shape, name="to_image")(x)
    return keras.Model(z, x, name=name)


def mlp_discriminator(input_shape, hidden_units=(256, 256), dropout=0.0, name="discriminator"):
    """x -> (flatten) -> dense layers with LeakyReLU(0.2) -> one raw output (a logit)."""
    inputs = keras.Input(tuple(input_shape), name="x")
    x = keras.layers.Flatten(name="flatten")(inputs) if len(input_shape) > 1 else inputs
    for i, units in enumerate(hidden_units):
        x = keras.layers.Dense(units, name=f"dense_{i}")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"lrelu_{i}")(x)
        if dropout:
            x = ReplicaDropout(dropout, name=f"dropout_{i}")(x)
    logits = keras.layers.Dense(1, name="logits")(x)
    return keras.Model(inputs, logits, name=name)
