"""Standing statistics of a generator's batch normalisation (Brock, Donahue & Simonyan 2019,
"Large Scale GAN Training for High Fidelity Natural Image Synthesis", appendix).

A batch-norm generator samples in inference mode with the moving averages of the batch
moments it saw in training. Two things make those wrong for sampling:

* the truncation trick draws latents from a narrower distribution than training did, so
  every layer's activations have smaller moments than the stored ones, and normalising
  with the stored ones shrinks the images toward an average grey (measured on
  ``biggan-cifar10`` at truncation 0.5: pixel standard deviation 0.29 against 0.52);
* an exponential moving average of the weights (``kg.callbacks.EMA``) copies the raw
  generator's batch-norm moments, which belong to other weights.

The remedy is to measure the moments of the network that samples, on the latent
distribution it samples from: run it in training mode over a number of batches and
average each layer's batch mean and variance. ``measure`` does that without changing the
network's weights; ``applied`` puts the measured moments in place for a while.
"""

import contextlib
import hashlib

import keras
import numpy as np

from keras_gans import _backend  # noqa: F401


def batch_norm_layers(network):
    """Every ``keras.layers.BatchNormalization`` in ``network``, nested ones included."""
    return [layer for layer in network._flatten_layers(include_self=False, recursive=True)
            if isinstance(layer, keras.layers.BatchNormalization)]


def fingerprint(network):
    """A digest of the network's weights: measured moments are valid for these only."""
    digest = hashlib.sha1()
    for weight in network.weights:
        digest.update(np.ascontiguousarray(keras.ops.convert_to_numpy(weight)).tobytes())
    return digest.hexdigest()


def measure(network, batches):
    """``[(mean, variance)]`` per batch-norm layer of ``network``: the average over
    ``batches`` (an iterable of the network's inputs) of the layer's batch moments in
    training mode. The network's weights are as before afterwards: the training-mode calls
    also move the layers' moving averages and, in spectrally normalised layers, the power
    iteration and the kernel it writes back; all are restored."""
    layers = batch_norm_layers(network)
    if not layers:
        return []
    saved = [np.array(keras.ops.convert_to_numpy(w)) for w in network.weights]
    settings = [(layer.momentum, layer.trainable) for layer in layers]
    totals = [[0.0, 0.0] for _ in layers]
    count = 0
    try:
        for layer in layers:
            layer.momentum = 0.0        # the moving average becomes the batch's moments
            # A frozen batch norm (an EMA copy is frozen) ignores training=True.
            layer.trainable = True
        for batch in batches:
            network(batch, training=True)
            count += 1
            for total, layer in zip(totals, layers):
                total[0] = total[0] + keras.ops.convert_to_numpy(layer.moving_mean)
                total[1] = total[1] + keras.ops.convert_to_numpy(layer.moving_variance)
    finally:
        for layer, (momentum, trainable) in zip(layers, settings):
            layer.momentum, layer.trainable = momentum, trainable
        for weight, value in zip(network.weights, saved):
            weight.assign(value)
    if count == 0:
        raise ValueError("Standing statistics need at least one batch; `batches` was empty.")
    return [(mean / count, variance / count) for mean, variance in totals]


def assign(network, statistics):
    """Set ``network``'s batch-norm moving averages to ``statistics`` (from ``measure``)."""
    layers = batch_norm_layers(network)
    if len(statistics) != len(layers):
        raise ValueError(f"{len(statistics)} standing statistics for {len(layers)} "
                         f"batch-norm layers; measure them on this network.")
    for layer, (mean, variance) in zip(layers, statistics):
        layer.moving_mean.assign(mean)
        layer.moving_variance.assign(variance)


@contextlib.contextmanager
def applied(network, statistics):
    """Within the block, ``network``'s batch-norm layers normalise with ``statistics``
    (from ``measure``) in inference mode; their own moving averages come back after it."""
    saved = [(keras.ops.convert_to_numpy(layer.moving_mean),
              keras.ops.convert_to_numpy(layer.moving_variance))
             for layer in batch_norm_layers(network)]
    assign(network, statistics)
    try:
        yield
    finally:
        assign(network, saved)
