"""keras_gans.tasks: what a model does with its input, inputs drawn from a source, and the
picture of inputs beside outputs."""

import numpy as np
import pytest

import keras_gans as kg
from keras_gans import tasks
from keras_gans.networks import mlp_discriminator, mlp_generator


def test_tasks_of_the_variants():
    gan = kg.models.GAN(generator=mlp_generator(2, (2,), hidden_units=(4,)),
                        discriminator=mlp_discriminator((2,), hidden_units=(4,)))
    assert tasks.task_of(gan) == "generate" and not tasks.is_image_to_image(gan)
    with pytest.raises(ValueError, match="generates from noise; call model.generate"):
        tasks.apply(gan, np.zeros((1, 2), "float32"))
    simgan = kg.models.SimGAN((8, 8, 1), filters=2, num_blocks=1,
                              discriminator_filters=(2, 2, 2, 2))
    assert tasks.task_of(simgan) == "refine" and tasks.input_shape(simgan) == (8, 8, 1)
    x = np.zeros((2, 8, 8, 1), "float32")
    np.testing.assert_array_equal(tasks.apply(simgan, x), simgan.refine(x))
    srgan = kg.models.SRGAN(scale=2, data_shape=(8, 8, 1), filters=2, num_blocks=1,
                            discriminator_filters=2, content_loss="pixel")
    assert tasks.task_of(srgan) == "upscale" and tasks.input_shape(srgan) == (4, 4, 1)
    assert tasks.apply(srgan, np.zeros((1, 4, 4, 1), "float32")).shape == (1, 8, 8, 1)
    assert kg.models.CycleGAN.task == "translate"


def test_draw_inputs_is_deterministic_and_explains_bad_sources():
    source = {"synthetic_digits": {"num": 6000, "seed": 3, "image_size": 8}}
    a = tasks.draw_inputs(source, 5, seed=0)
    assert a.shape == (5, 8, 8, 1) and a.dtype == np.float32
    # The picture's seed decides, not the training set's: synthetic_digits(5, seed=0).
    np.testing.assert_array_equal(a, kg.data.synthetic_digits(5, image_size=8, seed=0)[0])
    b = tasks.draw_inputs("digits", 4, seed=1)
    np.testing.assert_array_equal(b, tasks.draw_inputs("digits", 4, seed=1))
    assert b.shape == (4, 8, 8, 1) and b.min() >= -1 and b.max() <= 1
    with pytest.raises(ValueError, match="must be \\{synthetic_digits"):
        tasks.draw_inputs({"digits": {}}, 2)
    with pytest.raises(ValueError, match="data set name or path"):
        tasks.draw_inputs(7, 2)


def test_pairs_grid_puts_each_input_beside_its_output():
    inputs = np.stack([np.full((2, 2, 1), v, "float32") for v in (-1.0, 0.0, 1.0)])
    outputs = np.repeat(np.repeat(inputs, 2, axis=1), 2, axis=2).repeat(3, axis=3) * 0.5
    images, ncols = tasks.pairs_grid(inputs, outputs, pairs_per_row=3)
    assert ncols == 6 and images.shape == (6, 4, 4, 3)
    # Inputs are enlarged by pixel repetition and grey becomes three equal channels.
    np.testing.assert_array_equal(images[0::2, :, :, 0], images[0::2, :, :, 2])
    np.testing.assert_array_equal(images[0::2, 0, 0, 0], [-1, 0, 1])
    np.testing.assert_array_equal(images[1::2, 0, 0, 0], [-0.5, 0, 0.5])
    with pytest.raises(ValueError, match="3 inputs but 2 outputs"):
        tasks.pairs_grid(inputs, outputs[:2])
