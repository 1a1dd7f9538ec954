"""StyleGAN: truncation, style mixing, training with its regularisers, save/load."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg

SMALL = dict(latent_dim=8, fmap_base=32, max_filters=8, mapping_layers=2)


def _model(style="adain", **kwargs):
    return kg.models.StyleGAN(data_shape=(8, 8, 1), style=style, **{**SMALL, **kwargs})


def _data():
    x = np.random.default_rng(0).uniform(-1, 1, (8, 8, 8, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(4, drop_remainder=True).repeat()


def _weights(net):
    return [w.numpy().copy() for w in net.trainable_weights]


def _changed(before, net):
    return any(not np.allclose(a, b.numpy()) for a, b in zip(before, net.trainable_weights))


@pytest.mark.parametrize("style", ["adain", "modulated"])
def test_trains_a_few_steps_and_round_trips(style, tmp_path):
    model = _model(style)
    # Eager: faster than tracing for two steps. Graph-mode training (lazy R1's tf.cond
    # inside the tapes) runs in README's StyleGAN example (tests/test_readme.py).
    model.compile(path_length=style == "modulated", run_eagerly=True)
    befores = [_weights(n) for n in (model.mapping, model.synthesis, model.discriminator)]
    history = model.fit(_data(), epochs=1, steps_per_epoch=2, verbose=0,
                        callbacks=[kg.callbacks.EMA(0.9)])
    for name in ("d_loss", "g_loss", "r1") + (("pl",) if style == "modulated" else ()):
        assert np.isfinite(history.history[name][-1]), name
    for before, net in zip(befores, (model.mapping, model.synthesis, model.discriminator)):
        assert _changed(before, net), net.name
    assert np.abs(model.w_avg.numpy()).max() > 0                 # the average w is tracked
    if style == "modulated":
        assert float(model.pl_mean.numpy()) > 0

    path = str(tmp_path / "stylegan.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, kg.models.StyleGAN) and loaded.has_ema
    np.testing.assert_array_equal(loaded.w_avg.numpy(), model.w_avg.numpy())
    kwargs = dict(seed=3, truncation_psi=0.7, style_mix=(4, 2))
    np.testing.assert_array_equal(loaded.generate(3, **kwargs), model.generate(3, **kwargs))
    np.testing.assert_array_equal(loaded.generate(3, seed=3, ema=False),
                                  model.generate(3, seed=3, ema=False))
    assert (loaded.path_length is not None) == (style == "modulated")
    assert loaded.gradient_penalties[0].interval == 16


def test_truncation_psi_zero_gives_the_image_of_the_average_w():
    model = _model()
    w_avg = np.random.default_rng(0).normal(size=model.w_dim).astype("float32")
    model.w_avg.assign(w_avg)
    images = model.generate(4, seed=0, truncation_psi=0.0)
    expected = np.clip(keras.ops.convert_to_numpy(   # generate clips to [-1, 1]
        model.synthesis(np.tile(w_avg, (1, model.num_ws, 1)))), -1, 1)
    for image in images:
        np.testing.assert_allclose(image, expected[0], rtol=1e-5, atol=1e-6)
    assert not np.allclose(model.generate(4, seed=0)[0], model.generate(4, seed=0)[1])
    # psi = 1 is off; a cutoff truncates only the coarse layers.
    z = model.latent_vectors(2, seed=1)
    plain = model.styles(z)
    cut = model.styles(z, truncation_psi=0.0, truncation_cutoff=2)
    np.testing.assert_allclose(cut[:, :2], np.broadcast_to(w_avg, cut[:, :2].shape))
    np.testing.assert_array_equal(cut[:, 2:], plain[:, 2:])
    np.testing.assert_array_equal(model.styles(z, truncation_psi=1.0), plain)


def test_style_mixing_switches_styles_at_the_chosen_layer():
    model = _model()
    assert model.num_ws == 4                                     # 4x4: styles 0-1, 8x8: 2-3
    z_a, z_b, z_c = (model.latent_vectors(2, seed=s) for s in (0, 1, 2))
    a, b = model.styles(z_a), model.styles(z_b)
    mixed = model.styles(z_a, style_mix=(z_b, 2))
    np.testing.assert_array_equal(mixed[:, :2], a[:, :2])
    np.testing.assert_array_equal(mixed[:, 2:], b[:, 2:])
    # The 4x4 block sees only style A: changing B's z leaves it unchanged, the image not.
    coarse = keras.Model(model.synthesis.input, model.synthesis.get_layer("b4_adain1").output)
    mixed_c = model.styles(z_a, style_mix=(z_c, 2))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(coarse(mixed)),
                                  keras.ops.convert_to_numpy(coarse(mixed_c)))
    assert not np.allclose(model.generate(2, z=z_a, style_mix=(z_b, 2)),
                           model.generate(2, z=z_a, style_mix=(z_c, 2)))
    np.testing.assert_array_equal(model.generate(2, z=z_a, style_mix=(z_b, 4)),
                                  model.generate(2, z=z_a))
    # An int seed works as B's latent.
    np.testing.assert_array_equal(model.generate(2, seed=0, style_mix=(1, 2)),
                                  model.generate(2, z=z_a, style_mix=(z_b, 2)))


def test_training_styles_mix_two_ws_from_one_crossover_and_move_w_avg():
    model = _model(mixing_prob=1.0)
    ws = keras.ops.convert_to_numpy(model.training_styles(4))
    assert ws.shape == (4, 4, 8)
    changes = [i for i in range(1, 4) if not np.allclose(ws[:, i], ws[:, i - 1])]
    assert len(changes) == 1                                   # one crossover, at layer >= 1
    assert np.abs(model.w_avg.numpy()).max() > 0
    unmixed = keras.ops.convert_to_numpy(_model(mixing_prob=0.0).training_styles(4))
    np.testing.assert_array_equal(unmixed, np.repeat(unmixed[:, :1], 4, axis=1))


def test_paper_defaults_and_bad_arguments():
    model = _model()
    model.compile()
    assert isinstance(model.loss_fn, kg.losses.NonSaturating)
    r1 = model.gradient_penalties[0]
    assert (type(r1).__name__, r1.weight, r1.interval) == ("R1", 5.0, 16)
    assert float(model.g_optimizer.beta_1) == 0.0 and model.path_length is None
    lr_mults = {layer.lr_multiplier for layer in model.mapping.layers
                if isinstance(layer, kg.layers.EqualizedDense)}
    assert lr_mults == {0.01}
    assert kg.models.get("stylegan") is kg.models.StyleGAN
    with pytest.raises(ValueError, match="style"):
        _model(style="adaptive")
    with pytest.raises(ValueError, match="style mixing layer"):
        model.generate(2, seed=0, style_mix=(1, 9))
    with pytest.raises(ValueError, match="truncation_cutoff"):
        model.generate(2, seed=0, truncation_psi=0.5, truncation_cutoff=7)
    with pytest.raises(ValueError, match=r"z_b` must have shape \(n, 8\)"):
        model.generate(2, seed=0, style_mix=(np.zeros((2, 3)), 1))
    with pytest.raises(ValueError, match="d_steps"):
        model.compile(d_steps=5)
    with pytest.raises(ValueError, match="power of two"):
        kg.models.StyleGAN(data_shape=(24, 24, 3))
    with pytest.raises(ValueError, match="'mapping'"):
        kg.models.StyleGAN(data_shape=(8, 8, 1), latent_dim=8,
                           generator=kg.networks.dcgan_generator(8, (8, 8, 1)))


def test_card_pictures_truncation_strip_and_style_mixing_grid():
    model = _model()
    model.w_avg.assign(np.random.default_rng(1).normal(size=model.w_dim).astype("float32"))
    psis = (0.0, 0.5, 1.0)
    strip = model.truncation_strip(seeds=[3, 4], psis=psis).reshape(2, 3, *model.data_shape)
    np.testing.assert_allclose(strip[0, 0], strip[1, 0], atol=1e-6)        # psi 0: the average
    np.testing.assert_allclose(strip[1, 2], model.generate(1, seed=4)[0], atol=1e-5)
    assert not np.allclose(strip[0, 1], strip[0, 2])

    rows, cols = [0, 1], [7, 8, 9]
    grid = model.style_mixing_grid(rows, cols, layer=model.num_ws)  # nothing from columns
    grid = grid.reshape(3, 4, *model.data_shape)
    assert np.all(grid[0, 0] == 1)                                          # white corner
    np.testing.assert_allclose(grid[0, 1:], np.concatenate(
        [model.generate(1, seed=s) for s in cols]), atol=1e-5)
    for i, s in enumerate(rows):
        np.testing.assert_allclose(grid[i + 1, 0], model.generate(1, seed=s)[0], atol=1e-5)
        np.testing.assert_allclose(grid[i + 1, 1:], np.repeat(grid[i + 1, :1], 3, 0), atol=1e-5)
    everything = model.style_mixing_grid(rows, cols, layer=0).reshape(3, 4, *model.data_shape)
    np.testing.assert_allclose(everything[1, 1:], everything[0, 1:], atol=1e-5)  # all column
    names = [p[0] for p in model.card_pictures()]
    assert names == ["truncation.png", "style_mixing.png"]
    assert kg.models.DCGAN(data_shape=(16, 16, 1)).card_pictures() == []
