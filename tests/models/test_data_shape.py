"""`data_shape` is the one spelling of the shape of one example in every constructor; the
keywords of earlier versions still work with a DeprecationWarning naming it, and saved
configs that hold them load without one."""

import warnings

import pytest

import keras_gans as kg


@pytest.mark.parametrize("build,shape,message", [
    (lambda: kg.models.GAN(image_shape=(2,), latent_dim=2), (2,),
     r"`image_shape` is deprecated; pass data_shape=\(2,\)"),
    (lambda: kg.models.ProGAN(resolution=8, channels=1, latent_dim=8, fmap_base=32,
                              max_filters=8), (8, 8, 1),
     r"`resolution` and `channels` are deprecated; pass data_shape=\(8, 8, 1\)"),
    (lambda: kg.models.SimGAN(image_shape=(8, 8, 1), filters=2, num_blocks=1,
                              discriminator_filters=(2, 2, 2, 2)), (8, 8, 1), r"data_shape"),
    (lambda: kg.models.SRGAN(hr_patch_size=8, channels=1, scale=2, filters=2, num_blocks=1,
                             discriminator_filters=2, content_loss="pixel"), (8, 8, 1),
     r"`hr_patch_size` and `channels` are deprecated; pass data_shape=\(8, 8, 1\)"),
])
def test_old_keywords_warn_and_give_the_same_shape(build, shape, message):
    with pytest.warns(DeprecationWarning, match=message):
        model = build()
    assert tuple(model.get_config()["data_shape"]) == shape


def test_every_image_constructor_takes_data_shape_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        srgan = kg.models.SRGAN(data_shape=(8, 8, 1), scale=2, filters=2, num_blocks=1,
                                discriminator_filters=2, content_loss="pixel")
        cyclegan = kg.models.CycleGAN(data_shape=(8, 8, 3), filters=2, num_blocks=1,
                                      discriminator_layers=1)
        biggan = kg.models.BigGAN(data_shape=(16, 16, 1), num_classes=2, latent_dim=4, ch=2)
    assert (srgan.hr_patch_size, srgan.channels) == (8, 1)
    assert srgan.get_config()["data_shape"] == [8, 8, 1]
    assert cyclegan.image_shape == (8, 8, 3) and biggan.data_shape == (16, 16, 1)


def test_shapes_that_disagree_are_refused():
    with pytest.raises(ValueError, match=r"`data_shape` \(8, 8, 1\) and `image_shape`"):
        kg.models.DCGAN(data_shape=(8, 8, 1), image_shape=(16, 16, 1))
    with pytest.raises(ValueError, match="square high-resolution patch"):
        kg.models.SRGAN(data_shape=(8, 6, 3), scale=2, content_loss="pixel")


def test_saved_configs_with_the_old_keywords_load_silently():
    cyclegan = kg.models.CycleGAN(data_shape=(8, 8, 3), filters=2, num_blocks=1,
                                  discriminator_layers=1)
    old = dict(cyclegan.get_config())
    old["image_shape"] = old.pop("data_shape")   # as CycleGANs saved before data_shape
    srgan = kg.models.SRGAN(data_shape=(8, 8, 1), scale=2, filters=2, num_blocks=1,
                            discriminator_filters=2, content_loss="pixel")
    old_srgan = dict(srgan.get_config())
    del old_srgan["data_shape"]
    old_srgan.update(hr_patch_size=8, channels=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        loaded = kg.models.CycleGAN.from_config(old)
        loaded_srgan = kg.models.SRGAN.from_config(old_srgan)
    assert loaded.image_shape == (8, 8, 3)
    assert (loaded_srgan.hr_patch_size, loaded_srgan.channels) == (8, 1)
