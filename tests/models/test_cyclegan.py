"""CycleGAN: the cycle loss, the pools inside training, the learning-rate schedule,
translation of odd sizes, save/load, the unpaired loader and bad input."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg

SHAPE = (16, 16, 3)


def _tiny(**kwargs):
    kwargs = {"data_shape": SHAPE, "filters": 4, "num_blocks": 1, "discriminator_layers": 1,
              "pool_size": 3, "seed": 0, **kwargs}
    return kg.models.CycleGAN(**kwargs)


def _images(n, shape=SHAPE, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype("float32")


@pytest.fixture(scope="module")
def unpaired():
    return kg.data.load_unpaired(_images(8, seed=1), _images(6, seed=2), batch_size=2, seed=0)


def _identity_net(channels):
    images = keras.Input((None, None, channels))
    return keras.Model(images, keras.layers.Identity()(images))


def test_cycle_and_identity_losses_are_zero_for_identity_generators():
    model = _tiny(generator_xy=_identity_net(3), generator_yx=_identity_net(3))
    model.compile()
    terms = model.cycle_losses(_images(2, seed=3), _images(2, seed=4))
    assert float(terms["cycle"]) == 0.0 and float(terms["identity"]) == 0.0
    # A generator that is not the identity gives a positive cycle loss.
    model = _tiny()
    model.compile()
    assert float(model.cycle_losses(_images(2), _images(2, seed=5))["cycle"]) > 0


def test_cycle_loss_closed_form():
    # G adds 0.25 and F subtracts 0.25: F(G(x)) = x, so only identity loss remains:
    # |G(y) - y| = 0.25 and |F(x) - x| = 0.25.
    def shift(delta):
        images = keras.Input((None, None, 3))
        return keras.Model(images, keras.layers.Rescaling(1.0, offset=delta)(images))

    model = _tiny(generator_xy=shift(0.25), generator_yx=shift(-0.25))
    model.compile()
    terms = model.cycle_losses(_images(2) * 0.5, _images(2, seed=1) * 0.5)
    assert abs(float(terms["cycle"])) < 1e-6
    np.testing.assert_allclose(float(terms["identity"]), 0.5, atol=1e-6)


def test_paper_defaults():
    model = kg.models.CycleGAN(data_shape=(128, 128, 3), filters=4)
    model.compile()
    assert model.num_blocks == 6 and model.pool_size == 50
    assert kg.models.CycleGAN(data_shape=(256, 256, 3), filters=4).num_blocks == 9
    assert isinstance(model.loss_fn, kg.losses.LeastSquares)
    assert model.cycle_weight == 10.0 and model.identity_weight == 0.5
    assert np.isclose(float(model.g_optimizer.learning_rate), 2e-4)
    assert tuple(model.discriminator_y.output.shape) == (None, 14, 14, 1)


@pytest.fixture(scope="module")
def trained(unpaired):
    """One tiny model trained for an epoch (graph mode without XLA: quicker to trace)."""
    model = _tiny()
    model.compile(cycle_weight=7.0, jit_compile=False)
    nets = [model.generator_xy, model.generator_yx, model.discriminator_x, model.discriminator_y]
    before = [[w.numpy().copy() for w in n.trainable_weights] for n in nets]
    history = model.fit(unpaired, epochs=1, verbose=0)
    return model, nets, before, history


def test_a_few_train_steps_update_everything_and_fill_the_pools(trained, unpaired):
    model, nets, before, history = trained
    for name in ("g_loss", "adversarial", "cycle", "identity", "d_x_loss", "d_y_loss"):
        assert np.isfinite(history.history[name][-1]), name
    for b, net in zip(before, nets):
        assert any(not np.allclose(x, w.numpy()) for x, w in zip(b, net.trainable_weights))
    # 8 X images and 6 Y images in batches of 2: 4 steps, one per optimizer per step.
    assert int(model.g_optimizer.iterations) == 4 == int(model.d_optimizer.iterations)
    assert int(model.pool_x.count.numpy()) == 3 and int(model.pool_y.count.numpy()) == 3
    assert np.abs(model.pool_y.images.numpy()).sum() > 0
    logs = model.evaluate(unpaired.take(1), return_dict=True, verbose=0)
    assert np.isfinite(logs["cycle"])


def test_linear_decay_schedule():
    schedule = kg.schedules.LinearDecay(2e-4, total_steps=100)
    values = [float(schedule(s)) for s in (0, 49, 50, 75, 100, 150)]
    np.testing.assert_allclose(values, [2e-4, 2e-4, 2e-4, 1e-4, 0.0, 0.0], atol=1e-10)
    restored = kg.schedules.LinearDecay.from_config(schedule.get_config())
    assert float(restored(75)) == float(schedule(75))
    model = _tiny()
    model.compile(total_steps=10)
    assert isinstance(model.g_optimizer._learning_rate, kg.schedules.LinearDecay)
    with pytest.raises(ValueError, match="decay_start"):
        kg.schedules.LinearDecay(1e-3, 10, decay_start=10)


@pytest.mark.parametrize("size", [(16, 16), (13, 21)])
def test_translate_keeps_any_size(size):
    model = _tiny()
    for direction in ("x2y", "y2x"):
        out = model.translate(_images(3, (*size, 3)), direction=direction, batch_size=2)
        assert out.shape == (3, *size, 3) and out.dtype == np.float32


def test_save_and_load_round_trip(trained, tmp_path):
    model = trained[0]
    path = str(tmp_path / "cyclegan.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is kg.models.CycleGAN and loaded.cycle_weight == 7.0
    x = _images(2, seed=9)
    for direction in ("x2y", "y2x"):
        np.testing.assert_array_equal(loaded.translate(x, direction), model.translate(x, direction))
    # The pools' history and the optimizers' state come back, so training resumes.
    np.testing.assert_array_equal(loaded.pool_x.images.numpy(), model.pool_x.images.numpy())
    assert int(loaded.pool_y.count.numpy()) == 3
    assert int(loaded.d_optimizer.iterations) == int(model.d_optimizer.iterations)
    for a, b in zip(model.discriminator_y.weights, loaded.discriminator_y.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_load_unpaired_zips_and_repeats_the_smaller_side(tmp_path):
    ds = kg.data.load_unpaired(_images(10), _images(4, seed=1), batch_size=2, seed=0)
    batches = list(ds.as_numpy_iterator())
    assert len(batches) == 5
    assert all(x.shape == (2, *SHAPE) and y.shape == (2, *SHAPE) for x, y in batches)
    with pytest.raises(ValueError, match="two sources"):
        kg.data.load_unpaired(_images(4))


def test_bad_input_is_rejected(unpaired):
    model = _tiny()
    model.compile(jit_compile=False)
    with pytest.raises(ValueError, match=r"\(x, y\) pairs"):
        model.fit(unpaired.map(lambda x, y: x), epochs=1, verbose=0)
    wrong = unpaired.map(lambda x, y: (x, tf.image.resize(y, (8, 8))))
    with pytest.raises(ValueError, match="Expected images of Y of size"):
        model.fit(wrong, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="direction"):
        model.translate(_images(1), direction="forward")
    with pytest.raises(TypeError, match="float images"):
        model.translate((_images(1) * 127 + 128).astype("uint8"))
    with pytest.raises(ValueError, match=r"lie in \[-1, 1\]"):
        model.translate(_images(1) * 100)
    with pytest.raises(ValueError, match="identity_weight=0"):
        _tiny(y_channels=1).compile()


def test_the_command_line_points_image_to_image_variants_to_python(capsys):
    from keras_gans import cli

    code = cli.main(["train", "cyclegan", "--dataset", "digits", "--out", "unused"])
    assert code != 0
    assert "takes images as input" in capsys.readouterr().err
