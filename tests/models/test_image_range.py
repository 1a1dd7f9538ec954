"""Training images outside [-1, 1] stop ``fit`` with an error that says how to scale them,
instead of training silently against a generator that cannot reach their range."""

import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans.models.image_to_image import check_image_batch


def _fit(model, x):
    model.compile()
    return model.fit(tf.data.Dataset.from_tensor_slices(x).batch(4), epochs=1, verbose=0)


def test_float_images_in_0_255_are_refused_with_the_fix():
    images = np.random.default_rng(0).uniform(0, 255, (8, 8, 8, 1)).astype("float32")
    gan = kg.models.DCGAN(data_shape=(8, 8, 1), latent_dim=4)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"(?s)scaled to \[-1, 1\].*x / 127.5 - 1"):
        _fit(gan, images)
    # The same images scaled train.
    assert "d_loss" in _fit(gan, images / 127.5 - 1).history


def test_points_of_a_2d_toy_are_not_images_and_keep_their_range():
    points, _ = kg.data.toy.get("grid25").sample(16, seed=0)
    assert np.abs(points).max() > 2
    assert "d_loss" in _fit(kg.models.GAN(data_shape=(2,), latent_dim=2), points).history


def test_image_to_image_batches_are_checked_too():
    ok = check_image_batch(tf.zeros((2, 4, 4, 3)), 3, "images of X")
    assert ok.dtype == tf.float32
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expected images of X scaled"):
        check_image_batch(tf.fill((2, 4, 4, 3), 200.0), 3, "images of X")
