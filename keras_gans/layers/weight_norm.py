"""Weight normalisation (Salimans & Kingma 2016) of a dense layer, with its data-dependent
initialisation, as Salimans et al. (2016) use it in the Improved-GAN networks.

Each output unit's weight vector is split into a direction and a length, ``w = g v /
||v||``, so that the optimiser moves the length ``g`` and the direction ``v`` separately.
The paper's initialisation sets ``g`` and the bias from one batch of data so that every
unit's pre-activation starts with zero mean and unit variance over that batch (the job batch
normalisation does on every step, done once here): ``g = scale / std``, ``b = -mean * scale
/ std``. ``initialize_from_batch`` does that layer by layer, in order, for a whole network;
the shared training loop calls it before the first step of ``fit`` (``kg.models``), and a
layer remembers that it was initialised (saved with its weights), so a resumed run or a
loaded model keeps its weights.
"""

import keras
import numpy as np
from keras import ops

from keras_gans import _backend  # noqa: F401


@keras.saving.register_keras_serializable(package="keras_gans")
class WeightNormDense(keras.layers.Layer):
    """``activation((x @ v) * g / ||v|| + b)``, ``||v||`` the norm of each unit's column.

    Args:
        units: output units.
        activation: a Keras activation, applied after the bias.
        init_scale: the pre-activation standard deviation the data-dependent initialisation
            sets (the paper: 1); without it, the length ``g`` every weight vector starts at.
        train_scale: whether the optimiser moves ``g`` (default) or only the direction and
            the bias, ``g`` staying where the initialisation put it. The Improved-GAN MNIST
            discriminator trains ``g`` in its output layer only.
        data_init: whether ``g`` and the bias wait for the data-dependent initialisation
            (default) or start at ``init_scale`` and 0, as the Improved-GAN MNIST
            generator's output layer (their ``l2normalize``: unit length) does.
    """

    needs_data_init = True

    def __init__(self, units, activation=None, init_scale=1.0, train_scale=True, data_init=True,
                 **kwargs):
        super().__init__(**kwargs)
        if int(units) < 1:
            raise ValueError(f"`units` must be a positive integer; received {units!r}.")
        if not float(init_scale) > 0:
            raise ValueError(f"`init_scale` must be positive; received {init_scale!r}.")
        self.units = int(units)
        self.activation = keras.activations.get(activation)
        self.init_scale = float(init_scale)
        self.train_scale = bool(train_scale)
        self.data_init = bool(data_init)

    def build(self, input_shape):
        if input_shape[-1] is None:
            raise ValueError(f"WeightNormDense needs inputs with a known last dimension; "
                             f"received shape {tuple(input_shape)}.")
        self.kernel = self.add_weight(shape=(int(input_shape[-1]), self.units), name="kernel",
                                      initializer=keras.initializers.RandomNormal(0.0, 0.05))
        self.g = self.add_weight(
            shape=(self.units,), name="g", trainable=self.train_scale,
            initializer="ones" if self.data_init else keras.initializers.Constant(
                self.init_scale))
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
        self.initialized = self.add_weight(shape=(), name="initialized", trainable=False,
                                           initializer="zeros" if self.data_init else "ones")

    def direction(self, x):
        """``x`` projected on the unit-length directions, before ``g`` and the bias."""
        kernel = ops.cast(self.kernel, x.dtype)
        return ops.matmul(x, kernel) * ops.rsqrt(ops.sum(ops.square(kernel), axis=0) + 1e-12)

    def call(self, x):
        y = self.direction(x) * ops.cast(self.g, x.dtype) + ops.cast(self.bias, x.dtype)
        return self.activation(y)

    @property
    def is_initialized(self):
        return bool(ops.convert_to_numpy(self.initialized) > 0)

    def initialize(self, x):
        """Set ``g`` and the bias from the batch ``x`` of this layer's inputs."""
        t = np.asarray(ops.convert_to_numpy(self.direction(ops.convert_to_tensor(x))),
                       "float64")
        mean, std = t.mean(axis=0), t.std(axis=0)
        scale = self.init_scale / np.maximum(std, 1e-8)
        self.g.assign(scale.astype("float32"))
        self.bias.assign((-mean * scale).astype("float32"))
        self.initialized.assign(1.0)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": keras.activations.serialize(self.activation),
                "init_scale": self.init_scale, "train_scale": self.train_scale,
                "data_init": self.data_init}


def pending_layers(network):
    """The layers of ``network`` (nested models included, in call order) that still wait for
    their data-dependent initialisation."""
    found = []
    for layer in network._flatten_layers(include_self=False, recursive=True):
        if getattr(layer, "needs_data_init", False) and not layer.is_initialized:
            found.append(layer)
    return found


def initialize_from_batch(network, inputs, training=True):
    """Data-dependent initialisation of every pending layer of the functional ``network``,
    in order, each from its input when ``network`` is applied to ``inputs`` with the layers
    before it already initialised (noise layers active when ``training``). Returns the
    number of layers initialised; a network without pending layers is left as it is."""
    pending = pending_layers(network)
    for layer in pending:
        if not isinstance(network, keras.Model) or not hasattr(network, "inputs") \
                or network.inputs is None:
            raise ValueError(f"The data-dependent initialisation of {layer.name} needs a "
                             f"functional network (keras.Model built from keras.Input), "
                             f"whose layers' inputs can be read; {network.name} is not. "
                             f"Call {layer.name}.initialize(x) with its input batch yourself.")
        probe = keras.Model(network.input, layer.input)
        layer.initialize(probe(inputs, training=training))
    return len(pending)
