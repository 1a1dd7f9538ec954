"""BigGAN: the shared loop with labels, its paper defaults, orthogonal regularisation,
truncation, label handling and saving. Training runs eagerly: tracing BigGAN's step costs
about 40 s on the test machine, longer than the steps themselves."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans.penalties import OrthogonalRegularization

SHAPE, CLASSES, LATENT = (16, 16, 1), 3, 12


def _model(**kwargs):
    return kg.models.BigGAN(data_shape=SHAPE, num_classes=CLASSES, latent_dim=LATENT, ch=2,
                            shared_dim=4, **kwargs)


def _data(n=16, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, (n, *SHAPE)).astype("float32"),
            (np.arange(n) % CLASSES).astype("int32"))


@pytest.fixture(scope="module")
def trained():
    model = _model()
    model.compile(run_eagerly=True)
    before = [w.numpy().copy() for w in model.generator.trainable_weights +
              model.discriminator.trainable_weights]
    ds = tf.data.Dataset.from_tensor_slices(_data()).batch(8)
    history = model.fit(ds, epochs=1, verbose=0, callbacks=[kg.callbacks.EMA(0.5)])
    return model, history, before


def test_trains_a_few_steps_with_the_paper_defaults(trained):
    model, history, before = trained
    for name in ("d_loss", "g_loss", "d_real", "d_fake", "ortho"):
        assert np.isfinite(history.history[name][-1]), name
    assert history.history["ortho"][-1] > 0
    after = model.generator.trainable_weights + model.discriminator.trainable_weights
    assert sum(not np.allclose(a, b.numpy()) for a, b in zip(before, after)) > len(before) // 2
    # Two D updates per G update, two batches.
    assert int(model.g_optimizer.iterations) == 2 and int(model.d_optimizer.iterations) == 4
    assert isinstance(model.loss_fn, kg.losses.Hinge) and model.d_steps == 2
    for opt, lr in ((model.g_optimizer, 5e-5), (model.d_optimizer, 2e-4)):
        assert isinstance(opt, keras.optimizers.Adam) and np.isclose(float(opt.learning_rate), lr)
        assert (float(opt.beta_1), float(opt.beta_2)) == (0.0, 0.999)
    assert model.orthogonal_regularization.weight == 1e-4
    # The shared class embedding is not regularised; every conv / dense kernel is.
    names = [v.path for v in model.orthogonal_variables()]
    assert not any("shared_embedding" in n for n in names)
    assert any("project" in n for n in names) and any("conv" in n for n in names)


def test_labels_steer_the_generator_and_generate_keeps_their_order(trained):
    model, _, _ = trained
    z = model.latent_vectors(3, seed=4)
    labels = np.array([2, 0, 1], "int32")
    a = model.generate(z=z, labels=labels, ema=False, standing_statistics=False)
    b = model.generate(z=z, labels=(labels + 1) % CLASSES, ema=False,
                       standing_statistics=False)
    assert not np.allclose(a, b, atol=1e-6)
    direct = keras.ops.convert_to_numpy(model.generator([z, labels], training=False))
    np.testing.assert_allclose(a, direct, atol=1e-6)
    # Image i shows labels[i]: the same z and label alone give the same image.
    for i in range(3):
        np.testing.assert_allclose(model.generate(z=z[i:i + 1], labels=[labels[i]], ema=False,
                                                  standing_statistics=False)[0],
                                   a[i], atol=1e-5)
    # Seeds reproduce; no labels cycles through the classes; one label fills the batch.
    np.testing.assert_array_equal(model.generate(4, seed=1), model.generate(4, seed=1))
    np.testing.assert_allclose(model.generate(4, seed=1),
                               model.generate(4, seed=1, labels=[0, 1, 2, 0]), atol=1e-6)
    np.testing.assert_allclose(model.generate(2, seed=1, labels=2),
                               model.generate(2, seed=1, labels=[2, 2]), atol=1e-6)
    out = model.generate(5, seed=0)
    assert out.shape == (5, *SHAPE) and out.dtype == np.float32 and np.abs(out).max() <= 1


def test_truncation_bounds_the_latent_vectors(trained):
    model, _, _ = trained
    z = model.latent_vectors(400, seed=0, truncation=0.5)
    assert np.abs(z).max() <= 0.5 and z.shape == (400, LATENT)
    assert np.abs(model.latent_vectors(400, seed=0)).max() > 2.0
    np.testing.assert_array_equal(z, model.latent_vectors(400, seed=0, truncation=0.5))
    # (Without standing statistics: those of given z are the untruncated latents'.)
    np.testing.assert_allclose(
        model.generate(3, seed=2, truncation=0.5, ema=False, standing_statistics=False),
        model.generate(z=model.latent_vectors(3, 2, 0.5), ema=False,
                       standing_statistics=False), atol=1e-6)
    with pytest.raises(ValueError, match="positive threshold"):
        model.generate(2, truncation=0.0)
    with pytest.raises(ValueError, match="either `z` or `truncation`"):
        model.generate(z=z[:2], truncation=1.0)


def test_orthogonal_regularization_closed_form():
    reg = OrthogonalRegularization()
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(6, 4)))
    # Orthogonal columns of any norms: no penalty (only the off-diagonal terms count).
    assert float(reg([tf.constant(q * [1.0, 2.0, 3.0, 0.5])])) < 1e-10
    w = np.random.default_rng(1).normal(size=(3, 3, 2, 4)).astype("float32")  # a conv kernel
    m = w.reshape(-1, 4)
    gram = m.T @ m
    expected = ((gram * (1 - np.eye(4))) ** 2).sum()
    value = float(reg([tf.constant(w), tf.zeros(4)]))  # the rank-1 bias is skipped
    assert value > 0 and np.isclose(value, expected, rtol=1e-4)
    assert reg.weight == 1e-4
    with pytest.raises(ValueError, match="non-negative"):
        OrthogonalRegularization(-1.0)


def test_orthogonal_regularization_can_be_switched_off_and_set():
    model = _model()
    model.compile(orthogonal_regularization=None)
    assert model.orthogonal_regularization is None
    assert "ortho" not in [m.name for m in model.metrics]
    model.compile(orthogonal_regularization=1e-3)
    assert model.orthogonal_regularization.weight == 1e-3
    with pytest.raises(TypeError, match="orthogonal_regularization"):
        model.compile(orthogonal_regularization="big")


def test_bad_labels_and_batches_say_what_to_fix(trained):
    model, _, _ = trained
    with pytest.raises(ValueError, match=r"labels` must lie in \[0, 3\)"):
        model.generate(2, labels=[0, 3])
    with pytest.raises(ValueError, match="2 labels were given for n=3"):
        model.generate(3, labels=[0, 1])
    with pytest.raises(TypeError, match="integers"):
        model.generate(2, labels=[0.0, 1.0])
    with pytest.raises(ValueError, match="argmax"):
        model.generate(2, labels=np.eye(3)[:2])
    x, y = _data(4)
    with pytest.raises(ValueError, match="class-conditional.*labels=True"):
        model.train_step(tf.constant(x))
    with pytest.raises(TypeError, match="integer class labels"):
        model.train_step((tf.constant(x), tf.constant(y, tf.float32)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_classes=3"):
        model.train_step((tf.constant(x), tf.constant([0, 1, 2, 7])))
    with pytest.raises(ValueError, match="num_classes"):
        kg.models.BigGAN(data_shape=SHAPE, ch=2)
    with pytest.raises(ValueError, match="two inputs"):
        kg.models.BigGAN(data_shape=SHAPE, num_classes=3, latent_dim=LATENT, ch=2,
                         generator=kg.networks.dcgan_generator(LATENT, SHAPE))


def test_save_and_load_round_trip(trained, tmp_path):
    model, _, _ = trained
    path = str(tmp_path / "biggan.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, kg.models.BigGAN) and loaded.has_ema
    assert (loaded.num_classes, loaded.ch, loaded.d_steps) == (CLASSES, 2, 2)
    assert loaded.orthogonal_regularization.weight == 1e-4
    for ema in (True, False):
        np.testing.assert_array_equal(loaded.generate(6, seed=3, labels=[0, 1, 2, 2, 1, 0],
                                                      ema=ema),
                                      model.generate(6, seed=3, labels=[0, 1, 2, 2, 1, 0],
                                                     ema=ema))
    assert kg.models.get("biggan") is kg.models.BigGAN


def test_truncation_resamples_to_a_truncated_normal_instead_of_clipping():
    """The truncation trick redraws every value beyond the threshold: values already
    inside stay as the untruncated draw had them, none sits on the boundary, and the
    values follow the standard normal truncated to [-t, t] (scipy's truncnorm, KS test).
    Catches clipping (about 62% of the values at exactly +-0.5), rescaling into the range
    (changes the values that were inside), or redrawing once without checking again."""
    from scipy import stats

    model = _model()
    t = 0.5
    plain = model.latent_vectors(400, seed=3)
    z = model.latent_vectors(400, seed=3, truncation=t)
    inside = np.abs(plain) <= t
    np.testing.assert_array_equal(z[inside], plain[inside])
    assert np.abs(z).max() <= t
    assert np.mean(np.abs(z) > 0.999 * t) < 0.01
    result = stats.kstest(z.ravel(), stats.truncnorm(-t, t).cdf)
    assert result.pvalue > 1e-3, result
    # The same test tells clipping apart: it would fail here.
    assert stats.kstest(np.clip(plain, -t, t).ravel(), stats.truncnorm(-t, t).cdf).pvalue < 1e-6


def test_the_truncation_strip_has_a_row_per_class_and_a_column_per_threshold(trained):
    model, _, _ = trained
    strip = model.truncation_strip(thresholds=(2.0, 0.25), seed=3)
    assert strip.shape == (CLASSES * 2, *SHAPE)
    for c in range(CLASSES):
        for j, t in enumerate((2.0, 0.25)):
            expected = model.generate(CLASSES, seed=3, labels=np.arange(CLASSES),
                                      truncation=t)[c]
            np.testing.assert_allclose(strip[2 * c + j], expected, atol=1e-6)
    [(filename, images, columns, caption)] = model.card_pictures(seed=0)
    assert filename == "truncation.png" and columns == 4
    assert images.shape == (CLASSES * 4, *SHAPE) and "one row per class" in caption


def test_standing_statistics_are_the_batch_moments_of_the_sampled_latents(trained):
    """generate normalises G's batch norm with the moments of the latent distribution it
    samples (truncation included), measured without touching the weights; narrower latents
    give the first batch norm smaller variances, which the stored moving averages do not
    follow (the truncation trick's fade to grey, when they are used instead)."""
    from keras_gans.models import standing_statistics as standing

    model, _, _ = trained
    net = model.generator
    weights = [w.numpy().copy() for w in net.weights]
    wide = model.standing_statistics_for(net, None)
    narrow = model.standing_statistics_for(net, 0.25)
    assert len(wide) == len(standing.batch_norm_layers(net)) > 0
    for w, before in zip(net.weights, weights):     # spectral norm, moving averages
        np.testing.assert_array_equal(w.numpy(), before)
    assert np.mean(narrow[0][1]) < 0.5 * np.mean(wide[0][1])
    # The first batch norm's moments are those of its input over the sampled batches.
    first = net.get_layer("block0_cbn1")
    assert standing.batch_norm_layers(net)[0] is first.norm
    probe = keras.Model(net.inputs, first.input[0])
    labels = model.network_labels(np.arange(model.standing_batch_size) % CLASSES)
    inputs = np.concatenate([keras.ops.convert_to_numpy(probe(
        [model.latent_vectors(model.standing_batch_size, seed=2**20 + i), labels]))
        for i in range(model.standing_batches)])
    axes = tuple(range(inputs.ndim - 1))
    np.testing.assert_allclose(wide[0][0], inputs.mean(axis=axes), atol=1e-4)
    per_batch = inputs.reshape(model.standing_batches, -1, inputs.shape[-1]).var(axis=1)
    np.testing.assert_allclose(wide[0][1], per_batch.mean(axis=0), rtol=1e-3, atol=1e-5)
    # generate samples with them, and the moving averages come back afterwards.
    z = model.latent_vectors(4, seed=5, truncation=0.25)
    with standing.applied(net, narrow):
        expected = keras.ops.convert_to_numpy(net([z, model.network_labels(np.array([0, 1, 2, 0], "int32"))],
                                                  training=False))
    np.testing.assert_allclose(model.generate(4, seed=5, truncation=0.25, ema=False),
                               expected, atol=1e-6)
    for w, before in zip(net.weights, weights):
        np.testing.assert_array_equal(w.numpy(), before)
    assert not np.allclose(model.generate(4, seed=5, truncation=0.25, ema=False),
                           model.generate(4, seed=5, truncation=0.25, ema=False,
                                          standing_statistics=False), atol=1e-4)


def test_standing_statistics_follow_the_weights(trained):
    model, _, _ = trained
    net = model.ema_generator
    before = model.standing_statistics_for(net, 0.5)
    assert model.standing_statistics_for(net, 0.5) is before      # kept while unchanged
    kernel = next(w for w in net.weights if "kernel" in w.path)   # G's first projection
    saved = kernel.numpy().copy()
    try:
        kernel.assign(saved + np.random.default_rng(0).normal(size=saved.shape) * saved.std())
        after = model.standing_statistics_for(net, 0.5)
        assert after is not before
        assert not all(np.allclose(a[1], b[1]) for a, b in zip(after, before))
    finally:
        kernel.assign(saved)


def test_a_copy_takes_the_sampling_state_instead_of_measuring_it(trained, monkeypatch):
    from keras_gans.models import standing_statistics as standing

    model, _, _ = trained
    state = model.sampling_state()
    assert state["standing_fingerprint"] == standing.fingerprint(model.ema_generator)
    expected = model.generate(6, seed=3)

    def copy():
        other = _model()
        other.enable_ema()
        for mine, theirs in zip(model.networks() + [model.ema_generator],
                                other.networks() + [other.ema_generator]):
            theirs.set_weights(mine.get_weights())
        return other

    def measure(network, batches):
        raise AssertionError("measured although the state was restored")

    restored = copy()
    restored.restore_sampling_state(state)
    with monkeypatch.context() as m:
        m.setattr(standing, "measure", measure)
        np.testing.assert_array_equal(restored.generate(6, seed=3), expected)
    # State of other weights is ignored: the statistics are measured for these.
    stale = copy()
    kernel = next(w for w in stale.ema_generator.weights if "kernel" in w.path)
    kernel.assign(kernel.numpy() * 1.5)
    stale.restore_sampling_state(state)
    calls, original = [], standing.measure
    monkeypatch.setattr(standing, "measure",
                        lambda network, batches: calls.append(1) or original(network, batches))
    stale.generate(2, seed=0)
    assert calls == [1]
