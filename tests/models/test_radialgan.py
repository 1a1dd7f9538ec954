"""RadialGAN: domains with different column sets, one shared latent space."""

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.models import radialgan as radialgan_module


def domains(seed=0):
    rng = np.random.default_rng(seed)

    def table(n, shift, cols):
        full = {"a": rng.normal(shift, 1, n), "b": rng.integers(0, 60, n),
                "c": rng.choice(["u", "v", "w"], n), "y": rng.integers(0, 2, n)}
        return {k: full[k] for k in cols}

    return {"h1": table(96, 0.0, ["a", "b", "y"]), "h2": table(64, 1.0, ["a", "c", "y"]),
            "h3": table(40, 2.0, ["b", "c", "y"])}


@pytest.fixture(scope="module")
def trained():
    tables = domains()
    gan = kg.models.RadialGAN(tables, latent_dim=4, hidden_units=(8,))
    gan.compile()
    before = [w.copy() for w in gan.get_weights()]
    history = gan.fit(tables, epochs=1, batch_size=16, steps_per_epoch=2, verbose=0)
    return gan, tables, history, before


def test_shapes_follow_each_domains_columns(trained):
    gan, tables, history, before = trained
    for key in ("d_loss", "g_loss", "cycle_loss", "gp"):
        assert np.isfinite(history.history[key][-1]), key
    assert any(not np.allclose(a, b) for a, b in zip(before, gan.get_weights()))
    dims = {d: gan.transformers[d].output_dim for d in gan.domains}
    assert len(set(dims.values())) == 3
    for i, d in enumerate(gan.domains):
        assert gan.encoders[i].input.shape[-1] == dims[d]
        assert gan.decoders[i].output.shape[-1] == dims[d]
        assert gan.generate(5, seed=0, domain=d).shape == (5, dims[d])
    moved = gan.translate(tables["h1"], "h1", "h3", seed=0)
    assert set(moved) == {"b", "c", "y"} and len(moved["y"]) == 96
    assert set(moved["c"]) <= {"u", "v", "w"}


def test_augment_enlarges_the_target_table(trained):
    gan, tables, _, _ = trained
    out = gan.augment("h3", tables)
    assert set(out) == {"b", "c", "y"} and len(out["y"]) == 40 + 96 + 64
    np.testing.assert_array_equal(out["c"][:40], tables["h3"]["c"])
    assert out["b"].dtype == np.int64
    only = gan.augment("h3", tables, from_domains=["h2"])
    assert len(only["y"]) == 40 + 64
    with pytest.raises(ValueError, match="Unknown domain 'h9'"):
        gan.augment("h9", tables)
    with pytest.raises(ValueError, match="lists the target domain"):
        gan.augment("h3", tables, from_domains=["h3"])


def test_augment_weights_translated_rows(trained):
    gan, tables, _, _ = trained
    plain = gan.augment("h3", tables, seed=2)
    table, weights = gan.augment("h3", tables, seed=2, weight=0.25)
    assert weights.shape == (40 + 96 + 64,) and weights.dtype == np.float64
    np.testing.assert_array_equal(weights[:40], 1.0)
    np.testing.assert_array_equal(weights[40:], 0.25)
    for c in plain:                            # the weights change nothing in the table
        np.testing.assert_array_equal(table[c], plain[c])
    _, balanced = gan.augment("h3", tables, seed=2, weight="balanced")
    np.testing.assert_allclose(balanced[40:], 40 / 160)
    np.testing.assert_allclose(balanced[40:].sum(), balanced[:40].sum())
    _, zero = gan.augment("h3", tables, weight=0)
    assert zero[40:].sum() == 0 and zero[:40].sum() == 40


def test_augment_caps_translated_rows_and_is_deterministic(trained):
    gan, tables, _, _ = trained
    table, weights = gan.augment("h3", tables, seed=5, max_rows=30, weight="balanced")
    assert len(table["y"]) == 40 + 30 and len(weights) == 70
    np.testing.assert_allclose(weights[40:], 40 / 30)
    np.testing.assert_array_equal(table["c"][:40], tables["h3"]["c"])
    again = gan.augment("h3", tables, seed=5, max_rows=30)
    other = gan.augment("h3", tables, seed=6, max_rows=30)
    for c in table:
        np.testing.assert_array_equal(again[c], table[c])
    assert any(not np.array_equal(other[c][40:], table[c][40:]) for c in table)
    # A cap above the source rows adds them all; 0 adds none.
    assert len(gan.augment("h3", tables, max_rows=10_000)["y"]) == 40 + 96 + 64
    only_own, w = gan.augment("h3", tables, max_rows=0, weight=0.5)
    assert len(only_own["y"]) == 40 and np.array_equal(w, np.ones(40))
    np.testing.assert_array_equal(only_own["b"], tables["h3"]["b"])


def test_augment_draws_the_cap_from_every_source(trained):
    gan, tables, _, _ = trained
    picked = radialgan_module._draw_rows({"h1": tables["h1"], "h2": tables["h2"]}, 80, seed=0)
    counts = {d: len(t["y"]) for d, t in picked.items()}
    assert sum(counts.values()) == 80 and counts["h1"] > 0 and counts["h2"] > 0
    full = {d: set(map(tuple, np.stack([tables[d]["a"], tables[d]["y"]], 1).tolist()))
            for d in ("h1", "h2")}
    for d, t in picked.items():                # rows of the source, none twice
        rows = list(map(tuple, np.stack([t["a"], t["y"]], 1).tolist()))
        assert set(rows) <= full[d] and len(set(rows)) == len(rows)


@pytest.mark.parametrize("kwargs, message", [
    ({"weight": -0.5}, "finite number >= 0 or 'balanced'"),
    ({"weight": float("nan")}, "finite number >= 0"),
    ({"weight": "half"}, "'balanced'"),
    ({"weight": True}, "finite number >= 0"),
    ({"max_rows": -1}, "integer >= 0"),
    ({"max_rows": 2.5}, "integer >= 0"),
])
def test_augment_rejects_bad_weights_and_caps(trained, kwargs, message):
    gan, tables, _, _ = trained
    with pytest.raises(ValueError, match=message):
        gan.augment("h3", tables, **kwargs)


def test_save_load_round_trip(trained, tmp_path):
    gan, tables, _, _ = trained
    gan.save(tmp_path / "r.keras")
    loaded = keras.models.load_model(tmp_path / "r.keras")
    np.testing.assert_allclose(loaded.generate(6, seed=1, domain="h2"),
                               gan.generate(6, seed=1, domain="h2"), rtol=1e-5)
    a = loaded.translate(tables["h2"], "h2", "h1", seed=3)
    b = gan.translate(tables["h2"], "h2", "h1", seed=3)
    np.testing.assert_allclose(a["a"], b["a"], rtol=1e-5)


def test_needs_two_domains_and_a_batch_per_domain():
    tables = domains()
    with pytest.raises(ValueError, match="at least two domains"):
        kg.models.RadialGAN({"h1": tables["h1"]})
    gan = kg.models.RadialGAN(tables, latent_dim=4, hidden_units=(8,))
    gan.compile()
    with pytest.raises(ValueError, match="No table for domains"):
        gan.fit({"h1": tables["h1"], "h2": tables["h2"]})


def test_augment_keeps_the_source_rows_labels_when_asked(trained):
    gan, tables, _, _ = trained
    table, weights = gan.augment("h3", tables, seed=1, keep="y", max_rows=50, weight=1)
    plain = gan.augment("h3", tables, seed=1, max_rows=50)
    # Which source rows were drawn: the same seed draws the same ones.
    picked = radialgan_module._draw_rows({"h1": tables["h1"], "h2": tables["h2"]}, 50, 1)
    expected = np.concatenate([picked["h1"]["y"], picked["h2"]["y"]])
    np.testing.assert_array_equal(table["y"][40:], expected)
    assert table["y"].dtype == plain["y"].dtype and len(weights) == 90
    for c in ("b", "c"):                       # the other columns are the translation's
        np.testing.assert_array_equal(table[c], plain[c])
    with pytest.raises(ValueError, match="does not record"):
        gan.augment("h3", tables, keep="a")    # not a column of h3
    with pytest.raises(ValueError, match="source domain 'h2' does not record"):
        gan.augment("h1", tables, keep="b")    # h2 has no column b
