"""A classifier discriminator for the semi-supervised GAN (Salimans et al. 2016):
x -> [K class logits, last hidden features].

The paper's MNIST network: Gaussian noise on the input (std 0.3) and after every hidden
layer (std 0.5), dense layers of 1000, 500, 250, 250, 250 units with ReLU, K logits. The
second output, the last hidden layer, is what feature matching compares. The paper
weight-normalises every dense layer, with its data-dependent initialisation:
``weight_norm=True`` (``kg.layers.WeightNormDense``; the default is plain dense layers). As
in the authors' code, the hidden layers' lengths ``g`` then stay where the initialisation
set them and only the output layer trains its ``g``.
"""

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.layers.replica_noise import ReplicaGaussianNoise
from keras_gans.layers.weight_norm import WeightNormDense


def classifier_discriminator(data_shape, num_classes, hidden_units=(1000, 500, 250, 250, 250),
                             input_noise=0.3, hidden_noise=0.5, weight_norm=False,
                             name="discriminator"):
    """x -> [logits (num_classes,), features (hidden_units[-1],)].

    The features are the last hidden layer's ReLU output before its noise is added, the
    layer whose batch mean Salimans et al.'s code matches in feature matching."""
    if num_classes is None or int(num_classes) < 2:
        raise ValueError(f"`num_classes` must be an integer of at least 2; received "
                         f"{num_classes!r}.")
    if not hidden_units:
        raise ValueError("`hidden_units` must name at least one hidden layer (its output is "
                         "the features that feature matching compares).")
    inputs = keras.Input(tuple(data_shape), name="x")
    x = keras.layers.Flatten(name="flatten")(inputs) if len(data_shape) > 1 else inputs
    if input_noise:
        x = ReplicaGaussianNoise(input_noise, name="input_noise")(x)

    def dense(units, hidden, **kwargs):
        if weight_norm:
            return WeightNormDense(units, train_scale=not hidden, **kwargs)
        return keras.layers.Dense(units, **kwargs)

    for i, units in enumerate(hidden_units):
        x = dense(units, True, activation="relu", name=f"dense_{i}")(x)
        features = x
        if hidden_noise:
            x = ReplicaGaussianNoise(hidden_noise, name=f"noise_{i}")(x)
    logits = dense(int(num_classes), False, name="class_logits")(x)
    return keras.Model(inputs, [logits, features], name=name)
