"""SimGAN: refined shapes, the self-regularisation loss, the history buffer inside
training, save/load, bad input; and the synthetic digits it refines."""

import os

import keras
import numpy as np
import pytest

import keras_gans as kg

SHAPE = (12, 12, 1)


def _images(n, shape=SHAPE, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype("float32")


def _tiny(**kwargs):
    kwargs = {"data_shape": SHAPE, "filters": 4, "num_blocks": 1,
              "discriminator_filters": (4, 4, 4, 4), "buffer_size": 4, "seed": 0, **kwargs}
    return kg.models.SimGAN(**kwargs)


@pytest.fixture(scope="module")
def trained():
    ds = kg.data.load_unpaired(_images(12), _images(8, seed=1), batch_size=4, seed=0)
    model = _tiny()
    model.compile(self_regularization=0.5, jit_compile=False)
    before = {k: [w.numpy().copy() for w in getattr(model, k).trainable_weights]
              for k in ("refiner", "discriminator")}
    history = model.fit(ds, epochs=1, verbose=0)
    return model, before, history


def test_train_steps_update_both_players_and_fill_the_buffer(trained):
    model, before, history = trained
    for name in ("r_loss", "adversarial", "self_regularization", "d_loss", "d_real", "d_fake"):
        assert np.isfinite(history.history[name][-1]), name
    for key, weights in before.items():
        net = getattr(model, key)
        assert any(not np.allclose(a, b.numpy()) for a, b in zip(weights, net.trainable_weights))
    assert int(model.r_optimizer.iterations) == 3 == int(model.d_optimizer.iterations)
    # Three batches of 4: the second half of each (2 images) went through the buffer of 4.
    assert int(model.buffer.count.numpy()) == 4
    assert np.abs(model.buffer.images.numpy()).sum() > 0


def test_self_regularization_is_zero_for_an_identity_refiner_and_l1_otherwise():
    images = keras.Input((None, None, 1))
    identity = keras.Model(images, keras.layers.Identity()(images))
    model = _tiny(refiner=identity)
    x = _images(3)
    assert float(model.self_regularization_loss(x, model.refiner(x))) == 0.0
    np.testing.assert_allclose(float(model.self_regularization_loss(x * 0, x * 0 + 0.3)), 0.3,
                               rtol=1e-6)


def _weights(net):
    return [w.numpy().copy() for w in net.trainable_weights]


def _changed(before, net):
    return any(not np.allclose(a, b.numpy()) for a, b in zip(before, net.trainable_weights))


def test_pretrain_teaches_the_refiner_identity_first_then_only_the_discriminator():
    synthetic = _images(16)
    ds = kg.data.load_unpaired(synthetic, _images(8, seed=1), batch_size=4, seed=0)
    model = _tiny()
    model.compile(r_optimizer=keras.optimizers.Adam(1e-2), jit_compile=False)
    start = float(model.self_regularization_loss(synthetic, model.refine(synthetic)))
    d_before = _weights(model.discriminator)
    out = model.pretrain(ds, refiner_steps=60, discriminator_steps=0)
    end = float(model.self_regularization_loss(synthetic, model.refine(synthetic)))
    assert end < 0.5 * start and out["d_loss"] is None
    assert np.isclose(out["self_regularization"], end, rtol=0.5)
    assert not _changed(d_before, model.discriminator)
    assert int(model.r_optimizer.iterations) == 60 and int(model.d_optimizer.iterations) == 0

    r_before, d_before = _weights(model.refiner), _weights(model.discriminator)
    out = model.pretrain(ds, refiner_steps=0, discriminator_steps=3)
    assert np.isfinite(out["d_loss"]) and out["self_regularization"] is None
    assert not _changed(r_before, model.refiner) and _changed(d_before, model.discriminator)
    assert int(model.d_optimizer.iterations) == 3
    assert int(model.buffer.count.numpy()) == 4  # D's refined half went through the buffer


def test_pretrain_needs_compile_and_non_negative_steps():
    ds = kg.data.load_unpaired(_images(4), _images(4, seed=1), batch_size=2)
    model = _tiny()
    with pytest.raises(ValueError, match="compile"):
        model.pretrain(ds, 1, 1)
    model.compile(jit_compile=False)
    with pytest.raises(ValueError, match="refiner_steps"):
        model.pretrain(ds, refiner_steps=-1)


def test_discriminator_is_local_and_refiner_keeps_the_size():
    model = _tiny()
    assert tuple(model.discriminator.output.shape) == (None, 3, 3, 1)
    for size in [(12, 12), (9, 15)]:
        out = model.refine(_images(2, (*size, 1)))
        assert out.shape == (2, *size, 1) and out.dtype == np.float32


def test_save_and_load_round_trip(trained, tmp_path):
    model = trained[0]
    path = str(tmp_path / "simgan.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is kg.models.SimGAN and loaded.self_regularization == 0.5
    x = _images(3, seed=5)
    np.testing.assert_array_equal(loaded.refine(x), model.refine(x))
    np.testing.assert_array_equal(loaded.buffer.images.numpy(), model.buffer.images.numpy())
    assert int(loaded.d_optimizer.iterations) == 3


def test_bad_input_is_rejected():
    model = _tiny()
    model.compile(jit_compile=False)
    ds = kg.data.load_unpaired(_images(4), _images(4, (12, 12, 3)), batch_size=2)
    with pytest.raises(ValueError, match="real images with 1 channel"):
        model.fit(ds, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="self_regularization"):
        model.compile(self_regularization=-1)
    with pytest.raises(ValueError, match=r"\(n, height, width, channels\)"):
        model.refine(np.zeros((12, 12), "float32"))


def test_synthetic_digits_draw_only_fonts_with_ten_digits():
    from keras_gans.data.synthetic_digits import draws_digits, find_fonts

    fonts = find_fonts()
    assert all(draws_digits(f) for f in fonts)
    x, _ = kg.data.synthetic_digits(200, seed=0)
    assert np.all(x.reshape(200, -1).max(axis=1) > 0)  # no blank "digit"
    # matplotlib ships fonts without digit glyphs (blank) or with a placeholder for all.
    matplotlib = pytest.importorskip("matplotlib")
    folder = os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data", "fonts", "ttf")
    for name in ("STIXSizOneSymReg.ttf", "LastResortHE-Regular.ttf"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            assert not draws_digits(path) and path not in fonts
    assert draws_digits(os.path.join(folder, "DejaVuSans.ttf"))
    assert not draws_digits(os.path.join(folder, "no-such-font.ttf"))


def test_synthetic_digits():
    x, y = kg.data.synthetic_digits(60, seed=0)
    assert x.shape == (60, 28, 28, 1) and x.dtype == np.float32 and y.dtype == np.int32
    assert x.min() >= -1 and x.max() <= 1 and x.max() > 0.9  # white digits on black
    assert set(y) <= set(range(10)) and len(set(y)) >= 8
    # Background is black, the digit sits in the middle, as in MNIST.
    assert np.mean(x[:, :2] == -1) > 0.95 and x[:, 10:18, 10:18].mean() > x[:, :4, :4].mean()
    x2, y2 = kg.data.synthetic_digits(60, seed=0)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(x, kg.data.synthetic_digits(60, seed=1)[0])
    # Asked-for labels are drawn: a 1 is narrower than an 8.
    ones, _ = kg.data.synthetic_digits(20, seed=0, labels=[1] * 20)
    eights, _ = kg.data.synthetic_digits(20, seed=0, labels=[8] * 20)
    assert ((ones + 1) / 2).sum() < ((eights + 1) / 2).sum()
    with pytest.raises(ValueError, match="digits in 0-9"):
        kg.data.synthetic_digits(2, labels=[3, 12])
