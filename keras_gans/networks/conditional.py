"""Class-conditional players: a generator and discriminators that also take an integer
class label (input ``labels`` of shape (1,), int32).

* ``conditional_generator``: z concatenated with a learned label embedding (Mirza &
  Osindero 2014), then the DCGAN generator (images) or the MLP generator (flat data).
* ``conditional_discriminator(conditioning="concat")``: the label joins the input, as a
  learned h x w label map stacked on the image channels (images) or a learned embedding
  concatenated to the features (flat data), then the DCGAN / MLP discriminator.
* ``conditional_discriminator(conditioning="projection")``: the projection discriminator of
  Miyato & Koyama (2018): logit = psi(phi(x)) + <embed(y), phi(x)>, with phi the unconditional
  body's last hidden features.
* ``auxiliary_classifier_discriminator``: AC-GAN's (Odena et al. 2017) unconditional body
  with two heads, the adversarial logit and ``num_classes`` class logits.

The bodies are the builders of ``networks/dcgan.py`` and ``networks/mlp.py``, nested.
"""

import math

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.networks import dcgan, mlp

CONDITIONINGS = ("concat", "projection")


def _check_num_classes(num_classes):
    if num_classes is None or int(num_classes) < 2:
        raise ValueError(f"`num_classes` must be an integer of at least 2; received "
                         f"{num_classes!r}.")
    return int(num_classes)


def _label_input():
    return keras.Input((1,), dtype="int32", name="labels")


def conditional_generator(latent_dim, data_shape, num_classes, embedding_dim=None,
                          base_filters=64, hidden_units=(256, 256), name="generator"):
    """(z, label) -> example. ``embedding_dim`` defaults to ``num_classes`` (as wide as a
    one-hot code, but learned)."""
    num_classes = _check_num_classes(num_classes)
    data_shape = tuple(data_shape)
    embedding_dim = int(embedding_dim or num_classes)
    if len(data_shape) > 1:
        body = dcgan.dcgan_generator(latent_dim + embedding_dim, data_shape,
                                     base_filters=base_filters, name="body")
    else:
        body = mlp.mlp_generator(latent_dim + embedding_dim, data_shape,
                                 hidden_units=hidden_units, output_activation=None, name="body")
    z = keras.Input((latent_dim,), name="z")
    labels = _label_input()
    code = keras.layers.Flatten(name="label_code")(
        keras.layers.Embedding(num_classes, embedding_dim, name="label_embedding")(labels))
    x = keras.layers.Concatenate(name="z_and_label")([z, code])
    return keras.Model([z, labels], body(x), name=name)


def _features(data_shape, base_filters, normalization, hidden_units, dropout=0.0):
    """The unconditional discriminator body without its logit: x -> flat features."""
    if len(data_shape) > 1:
        net = dcgan.dcgan_discriminator(data_shape, base_filters=base_filters,
                                        normalization=normalization, name="body")
        return keras.Model(net.input, net.get_layer("flatten").output, name="features")
    net = mlp.mlp_discriminator(data_shape, hidden_units=hidden_units, dropout=dropout,
                                name="body")
    return keras.Model(net.input, net.layers[-2].output, name="features")


def conditional_discriminator(data_shape, num_classes, conditioning="concat", base_filters=64,
                              normalization="batch", hidden_units=(256, 256),
                              embedding_dim=None, name="discriminator"):
    """(x, label) -> one raw logit, conditioned by ``"concat"`` or ``"projection"``."""
    num_classes = _check_num_classes(num_classes)
    if conditioning not in CONDITIONINGS:
        raise ValueError(f"`conditioning` must be one of {CONDITIONINGS}; received "
                         f"{conditioning!r}.")
    data_shape = tuple(data_shape)
    x = keras.Input(data_shape, name="x")
    labels = _label_input()
    if conditioning == "projection":
        features = _features(data_shape, base_filters, normalization, hidden_units)
        phi = features(x)
        width = phi.shape[-1]
        embedded = keras.layers.Flatten(name="label_code")(
            keras.layers.Embedding(num_classes, width, name="label_embedding")(labels))
        unconditional = keras.layers.Dense(1, name="psi")(phi)
        projection = keras.layers.Dot(axes=1, name="projection")([embedded, phi])
        logits = keras.layers.Add(name="logits")([unconditional, projection])
        return keras.Model([x, labels], logits, name=name)

    if len(data_shape) > 1:
        height, width_px = data_shape[0], data_shape[1]
        label_map = keras.layers.Embedding(num_classes, height * width_px,
                                           name="label_embedding")(labels)
        label_map = keras.layers.Reshape((height, width_px, 1), name="label_map")(label_map)
        joined = keras.layers.Concatenate(axis=-1, name="x_and_label")([x, label_map])
        body = dcgan.dcgan_discriminator((height, width_px, data_shape[-1] + 1),
                                         base_filters=base_filters,
                                         normalization=normalization, name="body")
    else:
        embedding_dim = int(embedding_dim or num_classes)
        code = keras.layers.Flatten(name="label_code")(
            keras.layers.Embedding(num_classes, embedding_dim, name="label_embedding")(labels))
        joined = keras.layers.Concatenate(name="x_and_label")([x, code])
        body = mlp.mlp_discriminator((math.prod(data_shape) + embedding_dim,),
                                     hidden_units=hidden_units, name="body")
    return keras.Model([x, labels], body(joined), name=name)


def auxiliary_classifier_discriminator(data_shape, num_classes, base_filters=64,
                                       normalization="batch", hidden_units=(256, 256),
                                       dropout=0.0, name="discriminator"):
    """x -> [adversarial logit (1,), class logits (num_classes,)] (AC-GAN)."""
    num_classes = _check_num_classes(num_classes)
    data_shape = tuple(data_shape)
    x = keras.Input(data_shape, name="x")
    phi = _features(data_shape, base_filters, normalization, hidden_units, dropout)(x)
    adversarial = keras.layers.Dense(1, name="logits")(phi)
    classes = keras.layers.Dense(num_classes, name="class_logits")(phi)
    return keras.Model(x, [adversarial, classes], name=name)
