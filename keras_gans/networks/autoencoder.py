"""Autoencoder discriminator of EBGAN (Zhao et al. 2017): x -> [reconstruction, code].

The encoder is the unconditional DCGAN (images) or MLP (flat data) discriminator body
followed by a dense code layer; the decoder is the matching DCGAN / MLP generator, fed the
code instead of z. The model does not compute the energy: that is the game's business
(``models/ebgan.py``).
"""

import keras

from keras_gans import _backend  # noqa: F401
from keras_gans.networks import dcgan, mlp


def autoencoder_discriminator(data_shape, code_dim=32, base_filters=64, normalization="batch",
                              hidden_units=(256,), name="discriminator"):
    """x -> encoder -> code (``code_dim``) -> decoder -> reconstruction of x's shape.

    Images are reconstructed through a tanh (they lie in [-1, 1]); flat data linearly.
    """
    data_shape = tuple(data_shape)
    if int(code_dim) < 1:
        raise ValueError(f"`code_dim` must be a positive integer; received {code_dim!r}.")
    x = keras.Input(data_shape, name="x")
    if len(data_shape) > 1:
        body = dcgan.dcgan_discriminator(data_shape, base_filters=base_filters,
                                         normalization=normalization, name="encoder_body")
        features = keras.Model(body.input, body.get_layer("flatten").output, name="encoder")
        decoder = dcgan.dcgan_generator(code_dim, data_shape, base_filters=base_filters,
                                        normalization=normalization, name="decoder")
    else:
        body = mlp.mlp_discriminator(data_shape, hidden_units=hidden_units,
                                     name="encoder_body")
        features = keras.Model(body.input, body.layers[-2].output, name="encoder")
        decoder = mlp.mlp_generator(code_dim, data_shape, hidden_units=hidden_units[::-1],
                                    output_activation=None, name="decoder")
    code = keras.layers.Dense(code_dim, name="code")(features(x))
    return keras.Model(x, [decoder(code), code], name=name)
