"""ResNet generator, PatchGAN, SRResNet, SRGAN discriminator, SimGAN refiner and local
discriminator: output shapes (odd sizes included), grid sizes and round trips."""

import keras
import numpy as np
import pytest

from keras_gans import networks


def _images(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")


@pytest.mark.parametrize("size", [(8, 8), (13, 9), (7, 16)])
def test_resnet_generator_keeps_any_size(size):
    gen = networks.resnet_generator((None, None, 3), filters=4, num_blocks=1)
    out = gen(_images((2, *size, 3)))
    assert tuple(out.shape) == (2, *size, 3)
    assert float(np.abs(out).max()) <= 1.0


def test_resnet_generator_layout_and_round_trip(tmp_path):
    gen = networks.resnet_generator((16, 16, 1), filters=4, num_blocks=2, output_channels=3)
    names = [layer.name for layer in gen.layers]
    assert sum(n.endswith("_add") for n in names) == 2
    assert sum(n.startswith("down_") and n.endswith("_conv") for n in names) == 2
    assert any(type(layer).__name__ == "InstanceNormalization" for layer in gen.layers)
    assert any(type(layer).__name__ == "ReflectionPadding2D" for layer in gen.layers)
    x = _images((2, 16, 16, 1))
    assert tuple(gen(x).shape) == (2, 16, 16, 3)
    gen.save(tmp_path / "g.keras")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "g.keras")(x), gen(x),
                               atol=1e-6)


@pytest.mark.parametrize("size,layers,grid", [(256, 3, 30), (128, 3, 14), (70, 3, 6),
                                               (32, 2, 6), (17, 1, 6)])
def test_patchgan_output_grid(size, layers, grid):
    assert networks.patchgan_output_size(size, layers) == grid
    if size <= 70:
        disc = networks.patchgan_discriminator((None, None, 3), filters=2, num_layers=layers)
        assert tuple(disc(_images((1, size, size, 3))).shape) == (1, grid, grid, 1)


def test_patchgan_receptive_field_is_70_and_size_checks():
    assert networks.patchgan_receptive_field(3) == 70
    disc = networks.patchgan_discriminator((256, 256, 3))
    assert tuple(disc.output.shape) == (None, 30, 30, 1)
    assert disc.get_layer("c3_conv").filters == 512
    with pytest.raises(ValueError, match="too small"):
        networks.patchgan_discriminator((16, 16, 3), num_layers=3)
    with pytest.raises(ValueError, match="normalization"):
        networks.patchgan_discriminator((64, 64, 3), normalization="group")


def test_srresnet_enlarges_any_size_by_its_scale(tmp_path):
    gen = networks.srresnet_generator(channels=3, scale=4, filters=8, num_blocks=2)
    for size in [(5, 7), (8, 8)]:
        assert tuple(gen(_images((1, *size, 3))).shape) == (1, 4 * size[0], 4 * size[1], 3)
    assert sum(type(layer).__name__ == "PixelShuffle" for layer in gen.layers) == 2
    assert len(networks.srresnet_generator(num_blocks=16).layers) > 16 * 6  # the paper's 16
    x = _images((1, 6, 5, 3))
    gen.save(tmp_path / "g.keras")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "g.keras")(x), gen(x),
                               atol=1e-5)
    with pytest.raises(ValueError, match="power of two"):
        networks.srresnet_generator(scale=3)


def test_srgan_discriminator_gives_one_logit_per_image():
    disc = networks.srgan_discriminator((32, 32, 3), filters=4, dense_units=8)
    assert tuple(disc(_images((2, 32, 32, 3))).shape) == (2, 1)
    assert [disc.get_layer(f"c{i}_conv").strides[0] for i in range(8)] == [1, 2] * 4
    with pytest.raises(ValueError, match="fixed image size"):
        networks.srgan_discriminator((None, None, 3))


def test_simgan_refiner_keeps_the_size_and_local_discriminator_is_per_patch():
    refiner = networks.simgan_refiner((None, None, 1), filters=4, num_blocks=2)
    for size in [(28, 28), (9, 13)]:
        assert tuple(refiner(_images((2, *size, 1))).shape) == (2, *size, 1)
    disc = networks.simgan_local_discriminator((28, 28, 1), filters=(4, 4, 4, 4))
    assert tuple(disc(_images((2, 28, 28, 1))).shape) == (2, 7, 7, 1)


def test_bad_image_shapes_are_rejected():
    with pytest.raises(ValueError, match="height, width, channels"):
        networks.resnet_generator((16, 16))
    with pytest.raises(ValueError, match="known channel count"):
        networks.simgan_refiner((None, None, None))
