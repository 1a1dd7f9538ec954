"""SRGAN and SRResNet: the (LR, HR) pipeline, SRResNet (MSE pre-training) as a model of its
own, SRGAN started from it, the adversarial phase with the VGG and the pixel content losses,
the VGG failure message, upscale of any size, save/load."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans.models import srgan as srgan_lib

HR = 16


def _photos(n=4, size=(24, 30), seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (*size, 3), dtype=np.uint8) for _ in range(n)]


@pytest.fixture(scope="module")
def pairs():
    return kg.data.super_resolution_pairs(_photos(), hr_size=HR, scale=4, batch_size=2, seed=0)


def _tiny(**kwargs):
    kwargs = {"data_shape": (HR, HR, 3), "filters": 4, "num_blocks": 1, "discriminator_filters": 2,
              **kwargs}
    return kg.models.SRGAN(**kwargs)


def _weights(net):
    return [w.numpy().copy() for w in net.trainable_weights]


def _changed(before, net):
    return any(not np.allclose(a, b.numpy()) for a, b in zip(before, net.trainable_weights))


def test_pairs_are_bicubic_downsampled_crops(pairs):
    low, high = next(iter(pairs))
    assert low.shape == (2, 4, 4, 3) and high.shape == (2, HR, HR, 3)
    assert float(tf.reduce_min(high)) >= -1 and float(tf.reduce_max(high)) <= 1
    expected = tf.image.resize(high, (4, 4), method="bicubic", antialias=True)
    np.testing.assert_allclose(low, tf.clip_by_value(expected, -1, 1), atol=1e-5)
    # The crops come from the photos: each HR patch appears in one of them.
    photos = [p.astype("float32") / 127.5 - 1 for p in _photos()]
    patch = high[0].numpy()
    found = any(np.allclose(p[i:i + HR, j:j + HR], patch, atol=1e-5)
                for p in photos for i in range(24 - HR + 1) for j in range(30 - HR + 1))
    assert found
    with pytest.raises(ValueError, match="multiple of `scale`"):
        kg.data.super_resolution_pairs(_photos(), hr_size=10, scale=4)


def test_pairs_from_a_folder_have_static_channels(tmp_path):
    # Files decode with a depth known only at run time; the pairs must still say 1 or 3.
    for i, photo in enumerate(_photos(2)):
        tf.io.write_file(str(tmp_path / f"rgb{i}.png"), tf.io.encode_png(photo))
    rgb = kg.data.super_resolution_pairs(str(tmp_path), hr_size=HR, batch_size=2, seed=0)
    assert rgb.element_spec[1].shape[-1] == 3
    assert next(iter(rgb))[1].shape == (2, HR, HR, 3)
    grey = kg.data.super_resolution_pairs(str(tmp_path), hr_size=HR, batch_size=2, seed=0,
                                          channels=1)
    low, high = next(iter(grey))
    assert low.shape == (2, 4, 4, 1) and high.shape == (2, HR, HR, 1)


def test_seeded_pairs_repeat_exactly_and_crops_vary():
    def first_batches(seed):
        ds = kg.data.super_resolution_pairs(_photos(), hr_size=HR, batch_size=2, seed=seed,
                                            repeat=False, crops_per_image=2)
        return [b[1].numpy() for b in ds]

    a, b = first_batches(3), first_batches(3)
    assert len(a) == 4 and all(np.array_equal(x, y) for x, y in zip(a, b))
    assert any(not np.array_equal(x, y) for x, y in zip(a, first_batches(4)))
    # The two crops of one photo (one batch) are drawn at different places.
    assert not np.array_equal(a[0][0], a[0][1])


def test_pretrain_is_mse_on_the_generator_only(pairs):
    model = _tiny(content_loss="pixel")
    model.compile(jit_compile=False)
    g, d = _weights(model.generator), _weights(model.discriminator)
    history = model.pretrain(pairs, epochs=1, steps_per_epoch=3, verbose=0)
    assert list(history.history) == ["mse"] and np.isfinite(history.history["mse"][-1])
    assert _changed(g, model.generator) and not _changed(d, model.discriminator)
    assert int(model.pretrain_optimizer.iterations) == 3
    assert int(model.g_optimizer.iterations) == 0


def _tiny_srresnet(**kwargs):
    return kg.models.SRResNet(**{"data_shape": (HR, HR, 3), "filters": 4, "num_blocks": 1,
                                 **kwargs})


def test_srresnet_trains_its_generator_on_the_pixel_mse_alone(pairs):
    model = _tiny_srresnet()
    model.compile(g_optimizer=keras.optimizers.Adam(1e-3), jit_compile=False)
    assert model.players == {"g_optimizer": ("generator",)}
    assert model.optimizer is model.g_optimizer
    assert model.step_counter is model.g_optimizer.iterations
    low, high = next(iter(pairs))
    batch = tf.data.Dataset.from_tensors((low, high))
    before = float(model.evaluate(batch, verbose=0, return_dict=True)["mse"])
    np.testing.assert_allclose(
        before, float(np.mean((model.upscale(low.numpy()) - high.numpy()) ** 2)), rtol=1e-5)
    g = _weights(model.generator)
    history = model.fit(batch.repeat(), epochs=3, steps_per_epoch=2, verbose=0)
    assert list(history.history) == ["mse"] and len(set(history.history["mse"])) == 3
    assert _changed(g, model.generator) and int(model.g_optimizer.iterations) == 6
    # Descent on this one batch lowers its error (as trained: batch-norm's batch statistics).
    assert history.history["mse"][-1] < history.history["mse"][0]
    assert model.upscale(np.zeros((1, 5, 7, 3), "float32")).shape == (1, 20, 28, 3)


def test_srresnet_saves_and_loads(pairs, tmp_path):
    model = _tiny_srresnet()
    model.compile(jit_compile=False)
    model.fit(pairs, epochs=1, steps_per_epoch=2, verbose=0)
    model.save(str(tmp_path / "srresnet.keras"))
    loaded = keras.models.load_model(str(tmp_path / "srresnet.keras"))
    assert type(loaded) is kg.models.SRResNet and loaded.hr_patch_size == HR
    x = np.random.default_rng(0).uniform(-1, 1, (1, 6, 5, 3)).astype("float32")
    np.testing.assert_array_equal(loaded.upscale(x), model.upscale(x))
    assert int(loaded.g_optimizer.iterations) == 2
    assert kg.models.get("srresnet") is kg.models.SRResNet
    assert loaded.describe_task() == {"task": "upscale", "input_shape": [4, 4, 3],
                                      "output_shape": [16, 16, 3]}


def test_srgan_from_srresnet_starts_from_its_generator(pairs):
    pre = _tiny_srresnet()
    pre.compile(jit_compile=False)
    pre.fit(pairs, epochs=1, steps_per_epoch=2, verbose=0)
    trained = _weights(pre.generator)
    model = kg.models.SRGAN.from_srresnet(pre, discriminator_filters=2, content_loss="pixel")
    assert (model.scale, model.hr_patch_size, model.filters, model.num_blocks) == (4, HR, 4, 1)
    assert model.generator is not pre.generator
    assert not _changed(trained, model.generator)  # the same weights to start with
    x = np.random.default_rng(1).uniform(-1, 1, (2, 4, 4, 3)).astype("float32")
    np.testing.assert_array_equal(model.upscale(x), pre.upscale(x))
    model.compile(jit_compile=False)
    model.fit(pairs, epochs=1, steps_per_epoch=1, verbose=0)
    # The adversarial phase trains the SRGAN's copy; the SRResNet stays as trained.
    assert _changed(trained, model.generator) and not _changed(trained, pre.generator)
    with pytest.raises(TypeError, match="takes a kg.models.SRResNet"):
        kg.models.SRGAN.from_srresnet(model)
    with pytest.raises(ValueError, match="takes the generator from the SRResNet"):
        kg.models.SRGAN.from_srresnet(pre, generator=pre.generator)


def test_pretrain_is_an_srresnet_sharing_the_generator_and_its_optimizer(pairs, tmp_path):
    model = _tiny(content_loss="pixel")
    with pytest.raises(RuntimeError, match="compile"):
        model.pretraining_objective()
    model.compile(jit_compile=False)
    pre = model.pretraining_objective()
    assert type(pre) is kg.models.SRResNet and pre is model.pretraining_objective()
    assert pre.generator is model.generator and pre.g_optimizer is model.pretrain_optimizer
    model.pretrain(pairs, epochs=1, steps_per_epoch=2, verbose=0)
    assert int(pre.g_optimizer.iterations) == 2
    # The adversarial phase logs its own metrics only, and counts its own steps.
    history = model.fit(pairs, epochs=1, steps_per_epoch=1, verbose=0)
    assert "mse" not in history.history and int(model.step_counter) == 1
    # The pre-training optimizer is saved with the SRGAN (a run resumes it), as before.
    model.save(str(tmp_path / "srgan.keras"))
    loaded = keras.models.load_model(str(tmp_path / "srgan.keras"))
    assert int(loaded.pretrain_optimizer.iterations) == 2
    loaded.pretrain(pairs, epochs=1, steps_per_epoch=1, verbose=0)
    assert int(loaded.pretrain_optimizer.iterations) == 3
    # Compiled again with another optimizer, pre-training uses that one.
    model.compile(pretrain_optimizer=keras.optimizers.SGD(), jit_compile=False)
    assert model.pretraining_objective().g_optimizer is model.pretrain_optimizer


def test_pretraining_resumes_from_a_checkpoint_of_the_flag_era(pairs, tmp_path):
    """Before SRResNet was a model of its own, SRGAN.pretrain checkpointed the whole SRGAN
    (checkpoints are ``save_weights`` files). Resuming such a run restores the generator
    and the MSE phase's optimizer, not the adversarial one."""
    old = _tiny(content_loss="pixel")
    old.compile(jit_compile=False)
    old.pretrain(pairs, epochs=1, steps_per_epoch=3, verbose=0)
    path = str(tmp_path / "model.weights.h5")
    old.save_weights(path)  # what a checkpoint of the MSE phase held
    model = _tiny(content_loss="pixel")
    model.compile(jit_compile=False)
    pre = model.pretraining_objective()
    pre.load_weights(path)
    assert int(pre.g_optimizer.iterations) == 3 and int(model.g_optimizer.iterations) == 0
    assert not _changed(_weights(old.generator), pre.generator)
    # A standalone SRResNet's own weights files load as Keras loads them.
    alone = _tiny_srresnet()
    alone.compile(jit_compile=False)
    pre.save_weights(str(tmp_path / "srresnet.weights.h5"))
    alone.load_weights(str(tmp_path / "srresnet.weights.h5"))
    assert int(alone.g_optimizer.iterations) == 3


@pytest.fixture(scope="module")
def trained_vgg(pairs):
    """The adversarial phase with the VGG content loss path on an injected feature network
    (a stand-in for VGG19: no download in tests, and quick to trace)."""
    vgg = keras.Sequential([keras.Input((None, None, 3)),
                            keras.layers.Conv2D(4, 3, activation="relu", name="conv")],
                           name="features")
    vgg.trainable = False
    model = _tiny(vgg_layer="block2_conv2", feature_extractor=vgg)
    # Eager: two steps of tiny networks run faster than tracing them (pretrain is traced).
    model.compile(run_eagerly=True)
    g, d = _weights(model.generator), _weights(model.discriminator)
    vgg_before = [w.numpy().copy() for w in vgg.weights]
    history = model.fit(pairs, epochs=1, steps_per_epoch=2, verbose=0)
    return model, g, d, vgg, vgg_before, history


def test_vgg_feature_extractor_is_vgg19_up_to_the_layer_and_frozen():
    vgg = srgan_lib.vgg_feature_extractor("block2_conv2", weights=None)  # no download
    assert vgg.layers[-1].name == "block2_conv2" and not vgg.trainable
    assert tuple(vgg(np.zeros((1, 16, 16, 3), "float32")).shape) == (1, 8, 8, 128)


def test_adversarial_phase_with_vgg_content_loss(trained_vgg, pairs):
    model, g, d, vgg, vgg_before, history = trained_vgg
    for name in ("g_loss", "content_loss", "adversarial", "d_loss", "d_real", "d_fake"):
        assert np.isfinite(history.history[name][-1]), name
    assert _changed(g, model.generator) and _changed(d, model.discriminator)
    # VGG is frozen.
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(vgg_before, vgg.weights))
    assert int(model.g_optimizer.iterations) == 2 == int(model.d_optimizer.iterations)
    # g_loss = content + 1e-3 * adversarial (the paper's weighting).
    assert model.adversarial_weight == 1e-3
    low, high = next(iter(pairs))
    content = float(model.content_loss_value(model.generator(low), high))
    assert content > 0 and float(model.content_loss_value(high, high)) == 0.0


def test_vgg_features_are_rescaled_as_in_the_paper():
    net = keras.Sequential([keras.Input((None, None, 3)), keras.layers.Identity()])
    model = _tiny(feature_extractor=net)
    a = np.full((1, HR, HR, 3), 0.5, "float32")
    b = np.full((1, HR, HR, 3), -0.5, "float32")
    # Identity "features" of images in [0, 255]: they differ by 127.5 everywhere.
    expected = (127.5 / 12.75) ** 2
    np.testing.assert_allclose(float(model.content_loss_value(a, b)), expected, rtol=1e-5)


def test_missing_vgg_weights_raise_a_clear_error(monkeypatch):
    def offline(*args, **kwargs):
        raise Exception("URL fetch failure on https://storage.googleapis.com/...")

    monkeypatch.setattr(keras.applications, "VGG19", offline)
    model = _tiny()
    with pytest.raises(RuntimeError, match="content_loss='pixel'"):
        model.feature_extractor
    # Never a silent fallback: the model still asks for VGG.
    assert model.content_loss == "vgg"
    with pytest.raises(ValueError, match="'vgg' .* or 'pixel'"):
        _tiny(content_loss="perceptual")


def test_upscale_works_on_any_size():
    model = _tiny(content_loss="pixel")
    for size in [(5, 7), (16, 16)]:
        out = model.upscale(np.zeros((2, *size, 3), "float32"))
        assert out.shape == (2, 4 * size[0], 4 * size[1], 3) and out.dtype == np.float32


def test_save_and_load_round_trip_without_vgg_weights(trained_vgg, tmp_path):
    model = trained_vgg[0]
    path = tmp_path / "srgan.keras"
    model.save(str(path))
    assert path.stat().st_size < 2_000_000  # the frozen VGG is not stored with the model
    loaded = keras.models.load_model(str(path))  # offline: VGG is only built by fit()
    assert type(loaded) is kg.models.SRGAN and loaded.vgg_layer == "block2_conv2"
    x = np.random.default_rng(0).uniform(-1, 1, (1, 6, 5, 3)).astype("float32")
    np.testing.assert_array_equal(loaded.upscale(x), model.upscale(x))
    for a, b in zip(model.discriminator.weights, loaded.discriminator.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert int(loaded.d_optimizer.iterations) == 2
    assert loaded.adversarial_weight == model.adversarial_weight


def test_pixel_content_loss_is_the_mse():
    model = _tiny(content_loss="pixel")
    a = np.zeros((2, HR, HR, 3), "float32")
    b = np.full((2, HR, HR, 3), 0.5, "float32")
    np.testing.assert_allclose(float(model.content_loss_value(a, b)), 0.25, rtol=1e-6)
    assert model.feature_extractor is None  # no VGG is built for the pixel loss


def test_bad_input_is_rejected(pairs):
    model = _tiny(content_loss="pixel")
    model.compile(jit_compile=False)
    with pytest.raises(ValueError, match=r"\(low_res, high_res\) pairs"):
        model.fit(pairs.map(lambda lo, hi: hi), epochs=1, steps_per_epoch=1, verbose=0)
    bad = pairs.map(lambda lo, hi: (tf.image.resize(lo, (8, 8)), hi))
    with pytest.raises(ValueError, match="must be 4 times"):
        model.fit(bad, epochs=1, steps_per_epoch=1, verbose=0)
    with pytest.raises(ValueError, match="3 channel"):
        model.upscale(np.zeros((1, 4, 4, 1), "float32"))
