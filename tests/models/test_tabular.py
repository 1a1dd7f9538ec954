"""TabularGAN: the conditional WGAN-GP of CTGAN on the shared loop."""

import keras
import numpy as np
import pandas as pd
import pytest

import keras_gans as kg
from keras_gans.data import tabular
from keras_gans.networks import tabular_discriminator, tabular_generator


def toy_table(n=200, seed=0):
    rng = np.random.default_rng(seed)
    return {"x": rng.normal(2.0, 1.5, n), "n": rng.integers(0, 100, n),
            "c": rng.choice(["a", "b", "c"], n, p=[0.7, 0.2, 0.1]),
            "y": rng.integers(0, 2, n)}


@pytest.fixture(scope="module")
def trained():
    t = toy_table()
    tr = tabular.TabularTransformer().fit(pd.DataFrame(t))
    gan = kg.models.TabularGAN(
        tr, latent_dim=8,
        generator=tabular_generator(8, tr.spans, 5, hidden_units=(16,)),
        discriminator=tabular_discriminator(tr.output_dim + 5, hidden_units=(16,)))
    gan.compile()
    before = [w.copy() for w in gan.generator.get_weights()]
    history = gan.fit(pd.DataFrame(t), epochs=1, batch_size=50, steps_per_epoch=3, verbose=0)
    return gan, t, history, before


def test_training_updates_and_logs_finite_losses(trained):
    gan, _, history, before = trained
    for key in ("d_loss", "g_loss", "gp", "condition_loss"):
        assert np.isfinite(history.history[key][-1]), key
    assert any(not np.allclose(a, b) for a, b in zip(before, gan.generator.get_weights()))
    assert gan.condition_dim == 5 and gan.latent_dim == 13 and gan.noise_dim == 8


def test_sample_respects_the_schema(trained):
    gan, t, _, _ = trained
    s = gan.sample(300, seed=0)
    assert isinstance(s, pd.DataFrame) and list(s.columns) == list(t)
    assert set(s["c"]) <= {"a", "b", "c"} and set(s["y"]) <= {0, 1}
    assert s["n"].dtype == np.int64 and s["n"].between(t["n"].min(), t["n"].max()).all()
    assert s["x"].dtype == np.float64 and np.isfinite(s["x"]).all()
    assert s["x"].between(t["x"].min(), t["x"].max()).all()
    pd.testing.assert_frame_equal(s, gan.sample(300, seed=0))
    assert isinstance(gan.sample(5, seed=0, as_frame=False), dict)
    x = gan.generate(7, seed=1)
    assert x.shape == (7, gan.transformer.output_dim) and x.dtype == np.float32


def test_save_load_round_trip(trained, tmp_path):
    gan, _, _, _ = trained
    gan.save(tmp_path / "t.keras")
    loaded = keras.models.load_model(tmp_path / "t.keras")
    np.testing.assert_allclose(loaded.generate(9, seed=2), gan.generate(9, seed=2), rtol=1e-5)
    pd.testing.assert_frame_equal(loaded.sample(20, seed=2), gan.sample(20, seed=2))
    assert loaded.compiled and loaded.d_steps == 1


def test_errors_name_the_fix():
    with pytest.raises(ValueError, match="needs the table's transformer"):
        kg.models.TabularGAN()
    gan = kg.models.TabularGAN(toy_table(), latent_dim=4)
    gan.compile()
    with pytest.raises(ValueError, match="pass the table itself"):
        gan.fit(np.zeros((10, gan.transformer.output_dim), "float32"))


def test_without_categorical_columns_it_is_plain_wgan_gp():
    rng = np.random.default_rng(0)
    tr = tabular.TabularTransformer().fit({"u": rng.normal(size=64), "v": rng.normal(size=64)})
    gan = kg.models.TabularGAN(tr, latent_dim=4, conditional=True,
                               generator=tabular_generator(4, tr.spans, hidden_units=(8,)),
                               discriminator=tabular_discriminator(tr.output_dim, (8,)))
    assert not gan.conditional and gan.condition_dim == 0
    gan.compile()
    history = gan.fit({"u": rng.normal(size=64), "v": rng.normal(size=64)}, epochs=1,
                      batch_size=32, steps_per_epoch=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])
    assert set(gan.sample(5, seed=0)) == {"u", "v"}
