import glob
import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg


@pytest.fixture(scope="module")
def data():
    return kg.data.load("digits", batch_size=32, seed=0, drop_remainder=True)


def _gan():
    gan = kg.models.GAN(data_shape=(8, 8, 1), latent_dim=4)
    gan.compile()
    return gan


def test_ema_averages_and_is_used_by_generate_and_saved(data, tmp_path):
    gan = _gan()
    before = [w.numpy() for w in gan.generator.weights]
    gan.fit(data, epochs=1, steps_per_epoch=3, verbose=0,
            callbacks=[kg.callbacks.EMA(decay=0.5)])
    assert gan.has_ema
    for e, w, w0 in zip(gan.ema_generator.weights, gan.generator.weights, before):
        assert not np.allclose(e.numpy(), w.numpy())           # lags behind the weights
        assert not np.allclose(e.numpy(), w0)                  # but has moved
    z = gan.latent_vectors(5, seed=1)
    np.testing.assert_allclose(gan.generate(5, z=z), gan.ema_generator(z).numpy(), atol=1e-6)
    assert not np.allclose(gan.generate(5, z=z), gan.generate(5, z=z, ema=False))
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.has_ema
    np.testing.assert_allclose(loaded.generate(5, z=z), gan.generate(5, z=z), atol=1e-6)


def test_ema_start_step_copies_weights_before_it(data):
    gan = _gan()
    gan.fit(data, epochs=1, steps_per_epoch=2, verbose=0,
            callbacks=[kg.callbacks.EMA(decay=0.99, start_step=10)])
    for e, w in zip(gan.ema_generator.weights, gan.generator.weights):
        np.testing.assert_array_equal(e.numpy(), w.numpy())
    with pytest.raises(ValueError, match="decay"):
        kg.callbacks.EMA(decay=1.0)


class _Poison(keras.callbacks.Callback):
    """Turns the discriminator's weights to NaN after the given step."""

    def __init__(self, step):
        super().__init__()
        self.step = step

    def on_train_batch_begin(self, batch, logs=None):
        if int(self.model.g_optimizer.iterations.numpy()) == self.step:
            for w in self.model.discriminator.trainable_weights:
                w.assign(tf.fill(w.shape, float("nan")))


def test_divergence_guard_stops_and_names_the_last_good_checkpoint(data, tmp_path):
    gan = _gan()
    checkpoint = kg.callbacks.Checkpoint(str(tmp_path / "ckpt"), save_freq=2)
    guard = kg.callbacks.DivergenceGuard(checkpoint=checkpoint)
    with pytest.raises(kg.callbacks.TrainingDiverged,
                       match=r"step 5 .*d_loss is nan.*ckpt-00000004"):
        gan.fit(data, epochs=1, steps_per_epoch=10, verbose=0,
                callbacks=[_Poison(4), guard, checkpoint])
    assert sorted(os.listdir(tmp_path / "ckpt")) == ["ckpt-00000002", "ckpt-00000004",
                                                      "latest.json"]


def test_checkpoint_never_saves_nan_weights(data, tmp_path, capsys):
    gan = _gan()
    checkpoint = kg.callbacks.Checkpoint(str(tmp_path / "ckpt"), save_freq=1)
    gan.fit(data, epochs=1, steps_per_epoch=4, verbose=0, callbacks=[_Poison(2), checkpoint])
    assert checkpoint.latest()["step"] == 2
    assert "not saving at step 3" in capsys.readouterr().out


def test_checkpoint_restores_weights_optimizers_and_random_state(data, tmp_path):
    gan = _gan()
    gan.fit(data, epochs=2, steps_per_epoch=3, verbose=0,
            callbacks=[kg.callbacks.Checkpoint(str(tmp_path / "c"))])
    fresh = _gan()
    checkpoint = kg.callbacks.Checkpoint(str(tmp_path / "c"))
    checkpoint.set_model(fresh)
    state = checkpoint.restore()
    assert state["epoch"] == 2 and state["step"] == 6
    assert int(fresh.d_optimizer.iterations.numpy()) == 6
    np.testing.assert_array_equal(fresh.seed_generator.state.numpy(),
                                  gan.seed_generator.state.numpy())
    for a, b in zip(fresh.weights, gan.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # Used in fit() it starts at the saved epoch, like keras.callbacks.BackupAndRestore.
    history = fresh.fit(data, epochs=3, steps_per_epoch=3, verbose=0,
                        callbacks=[kg.callbacks.Checkpoint(str(tmp_path / "c"))])
    assert len(history.history["d_loss"]) == 1


def test_sample_grid_writes_png_and_tensorboard_images(data, tmp_path):
    gan = _gan()
    grid = kg.callbacks.SampleGrid(str(tmp_path / "s"), num_samples=4,
                                   tensorboard_dir=str(tmp_path / "tb"))
    gan.fit(data, epochs=2, steps_per_epoch=1, verbose=0, callbacks=[grid])
    assert sorted(os.listdir(tmp_path / "s")) == ["epoch_001.png", "epoch_002.png"]
    events = glob.glob(str(tmp_path / "tb" / "events.out.tfevents*"))
    steps = [e.step for e in tf.compat.v1.train.summary_iterator(events[0])
             for v in e.summary.value if v.tag == "samples"]
    assert steps == [1, 2]


def test_history_file_and_evaluation_hook(data, tmp_path):
    gan = _gan()
    evaluation = kg.callbacks.Evaluation(lambda model: {"score": 1.5}, every=2)
    gan.fit(data, epochs=2, steps_per_epoch=1, verbose=0,
            callbacks=[evaluation, kg.callbacks.HistoryFile(str(tmp_path))])
    rows = json.loads((tmp_path / "history.json").read_text())["epochs"]
    assert [r["epoch"] for r in rows] == [1, 2] and rows[1]["score"] == 1.5
    assert "score" not in rows[0]
    assert (tmp_path / "history.csv").read_text().startswith("epoch,step,")
    picture = tf.io.decode_png(tf.io.read_file(str(tmp_path / "history.png"))).numpy()
    assert picture.shape[1] > picture.shape[0]  # losses beside discriminator outputs


def test_ema_at_decay_0_9_follows_the_formula_and_copies_batch_norm_statistics():
    """After generator update k, ema_k = 0.9 ema_{k-1} + 0.1 w_k (ema_0 = w_0) for trainable
    weights; batch-norm statistics are copied. Catches decay and 1 - decay swapped (which
    decay 0.5 cannot tell apart), an average of the wrong weights (before the update), and
    statistics averaged instead of copied."""
    z = keras.Input((4,))
    out = keras.layers.BatchNormalization()(keras.layers.Dense(8 * 8)(z))
    g = keras.Model(z, keras.layers.Reshape((8, 8, 1))(out))
    gan = kg.models.GAN(generator=g, data_shape=(8, 8, 1))
    gan.compile(d_optimizer=keras.optimizers.SGD(0.5), g_optimizer=keras.optimizers.SGD(0.5))
    x = np.random.default_rng(0).uniform(-1, 1, (3 * 8, 8, 8, 1)).astype("float32")
    w0 = [w.numpy().copy() for w in gan.generator.weights]
    seen = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda *_, **__: seen.append([w.numpy().copy()
                                                   for w in gan.generator.weights]))
    gan.fit(x, batch_size=8, epochs=1, verbose=0,
            callbacks=[record, kg.callbacks.EMA(decay=0.9)])
    assert len(seen) == 3
    expected = w0
    for weights in seen:
        expected = [0.9 * e + 0.1 * w if v.trainable else w
                    for e, w, v in zip(expected, weights, gan.generator.weights)]
    assert any(not v.trainable for v in gan.generator.weights)
    for e, want, v in zip(gan.ema_generator.weights, expected, gan.generator.weights):
        np.testing.assert_allclose(e.numpy(), want, rtol=1e-5, atol=1e-6, err_msg=v.path)


def test_ema_rampup_caps_the_half_life_at_a_fraction_of_the_steps_trained():
    ema = kg.callbacks.EMA(decay=0.999, start_step=2, rampup=0.05)
    assert ema.decay_at(2) == 0.0                              # copies until start_step
    # At step 100 the half-life is 0.05 * 100 = 5 steps: decay ** 5 == 0.5.
    assert np.isclose(ema.decay_at(100) ** 5, 0.5)
    assert np.isclose(ema.decay_at(4000) ** 200, 0.5)
    assert ema.decay_at(10 ** 6) == 0.999                      # capped by decay
    assert kg.callbacks.EMA(decay=0.99).decay_at(3) == 0.99   # no rampup: constant
    with pytest.raises(ValueError, match="rampup"):
        kg.callbacks.EMA(rampup=0.0)


def test_ema_rampup_of_a_continued_run_counts_the_training_before_it():
    # A run continuing 4,000 steps of training: at its step 100 the half-life is
    # 0.05 * 4,100 = 205 steps, not the 5 of a run starting from nothing.
    continued = kg.callbacks.EMA(decay=0.999, rampup=0.05, steps_before=4000)
    assert np.isclose(continued.decay_at(100) ** 205, 0.5)
    assert kg.callbacks.EMA(decay=0.999, rampup=0.05, steps_before=10 ** 6).decay_at(1) == 0.999
    # Nor does it copy the raw generator again for start_step steps.
    assert kg.callbacks.EMA(decay=0.998, start_step=500).decay_at(100) == 0.0
    assert kg.callbacks.EMA(decay=0.998, start_step=500, steps_before=8000).decay_at(1) == 0.998
    with pytest.raises(ValueError, match="steps_before"):
        kg.callbacks.EMA(rampup=0.05, steps_before=-1)


def test_the_ema_update_computes_its_decay_in_the_graph_as_decay_at_says():
    for ema in (kg.callbacks.EMA(decay=0.999, start_step=2, rampup=0.05, steps_before=300),
                kg.callbacks.EMA(decay=0.999, start_step=400, rampup=0.05, steps_before=300),
                kg.callbacks.EMA(decay=0.9, start_step=3)):
        for step in (0, 2, 3, 4, 100, 10 ** 6):
            assert np.isclose(float(ema.decay_tensor(tf.constant(step, tf.int64))),
                              ema.decay_at(step), rtol=1e-6, atol=0), (step, ema.rampup)


def test_a_recipe_continuing_a_source_counts_its_steps_in_the_ema_rampup_only_when_asked(
        tmp_path):
    import json

    from keras_gans import recipes

    assert recipes.source_steps(str(tmp_path), 32) == 0        # no init_from
    (tmp_path / recipes.INIT_FROM_NAME).write_text(json.dumps(
        {"source": "x", "training": {"kimg": 256.0, "total_kimg": 440.0}}))
    assert recipes.source_steps(str(tmp_path), 32) == 13750    # 440 kimg in batches of 32
    model = kg.models.GAN(data_shape=(2,), latent_dim=2)
    for asked, expected in ((True, 13750), (False, 0)):
        ema = {"decay": 0.999, "rampup": 0.05, "count_source_steps": asked}
        (callback,) = [c for c in recipes._callbacks({"ema": ema}, model, str(tmp_path), None,
                                                     (2,), source_steps=13750)
                       if isinstance(c, kg.callbacks.EMA)]
        assert callback.steps_before == expected
    # The field is checked, and may be switched on when a run is resumed.
    with pytest.raises(kg.recipe_schema.RecipeError, match="count_source_steps"):
        kg.recipes.resolve({"model": {"variant": "gan"}, "data": {"name": "ring8"},
                            "callbacks": {"ema": {"count_source_steps": "yes"}}})
    from keras_gans import resumption
    assert resumption._resumable(("callbacks", "ema", "count_source_steps"))


def test_ema_rampup_is_what_the_average_applies_during_fit():
    z = keras.Input((2,))
    g = keras.Model(z, keras.layers.Reshape((2, 2, 1))(keras.layers.Dense(4)(z)))
    gan = kg.models.GAN(generator=g, data_shape=(2, 2, 1))
    gan.compile(d_optimizer=keras.optimizers.SGD(0.5), g_optimizer=keras.optimizers.SGD(0.5))
    x = np.random.default_rng(1).uniform(-1, 1, (4 * 2, 2, 2, 1)).astype("float32")
    kernel = gan.generator.layers[1].kernel
    expected, seen = kernel.numpy().copy(), []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda *_, **__: seen.append(kernel.numpy().copy()))
    ema = kg.callbacks.EMA(decay=0.999, rampup=0.5)
    gan.fit(x, batch_size=2, epochs=1, verbose=0, callbacks=[record, ema])
    for step, w in enumerate(seen, start=1):
        decay = 0.5 ** (1 / (0.5 * step))
        expected = decay * expected + (1 - decay) * w
    np.testing.assert_allclose(gan.ema_generator.layers[1].kernel.numpy(), expected,
                               rtol=1e-5, atol=1e-6)
