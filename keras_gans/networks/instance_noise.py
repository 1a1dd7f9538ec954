"""A discriminator behind Gaussian instance noise (Sonderby et al. 2017, "Amortised MAP
Inference for Image Super-resolution", appendix): the noise, added to real and generated
images alike in training only, blurs what the discriminator can tell them apart by, so that
it cannot memorise a small training set."""

import keras

from keras_gans.layers.replica_noise import ReplicaGaussianNoise  # same noise on N replicas


def with_instance_noise(network, stddev, name="discriminator"):
    """``network`` behind Gaussian noise of std ``stddev`` on its inputs (layer
    ``instance_noise``); ``stddev`` 0 gives the network alone."""
    if not stddev:
        return network
    if float(stddev) < 0:
        raise ValueError(f"instance_noise is the std of Gaussian noise, >= 0; received "
                         f"{stddev!r}.")
    images = keras.Input(network.input_shape[1:], name="images")
    noisy = ReplicaGaussianNoise(float(stddev), name="instance_noise")(images)
    return keras.Model(images, network(noisy), name=name)
