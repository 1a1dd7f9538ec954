"""The tabular pipeline: reading, schema, reversible transforms, errors, sampling batches."""

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from keras_gans.data import tabular


def toy_table(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "x": np.concatenate([rng.normal(-5, 0.5, n // 2), rng.normal(3, 1.0, n - n // 2)]),
        "age": rng.integers(18, 90, n),
        "color": rng.choice(["red", "green", "blue"], n, p=[0.85, 0.1, 0.05]),
        "y": rng.integers(0, 2, n),
    }


def test_schema_is_inferred_and_can_be_given():
    t = toy_table()
    assert tabular.infer_schema(t) == {"x": "continuous", "age": "integer",
                                       "color": "categorical", "y": "categorical"}
    tr = tabular.TabularTransformer(schema={"age": "categorical"}).fit(t)
    assert tr.kinds["age"] == "categorical" and len(tr.categories["age"]) > 10


def test_round_trip_exact_for_categories_and_close_for_numbers():
    t = toy_table()
    tr = tabular.TabularTransformer(seed=0).fit(t)
    rows = tr.transform(t)
    assert rows.dtype == np.float32 and rows.shape == (300, tr.output_dim)
    # Two well separated bumps: the mixture keeps (at least) two modes for x.
    assert len(tr.modes["x"]["weights"]) >= 2
    # Scalars in [-1, 1], one-hot blocks with exactly one 1.
    start = 0
    for size, kind, _ in tr.spans:
        block = rows[:, start:start + size]
        if kind == "tanh":
            assert np.all(np.abs(block) <= 1)
        else:
            np.testing.assert_array_equal(block.sum(1), 1)
        start += size
    back = tr.inverse_transform(rows)
    np.testing.assert_array_equal(back["color"], t["color"])
    np.testing.assert_array_equal(back["y"], t["y"])
    np.testing.assert_array_equal(back["age"], t["age"])
    assert back["age"].dtype == t["age"].dtype and back["y"].dtype == t["y"].dtype
    np.testing.assert_allclose(back["x"], t["x"], atol=1e-4)


def test_dataframe_in_dataframe_out_and_csv_with_and_without_pandas(tmp_path, monkeypatch):
    df = pd.DataFrame(toy_table(100))
    tr = tabular.TabularTransformer().fit(df)
    back = tr.inverse_transform(tr.transform(df))
    assert isinstance(back, pd.DataFrame) and list(back.columns) == list(df.columns)
    assert (back["color"] == df["color"]).all()
    path = tmp_path / "t.csv.gz"
    with gzip.open(path, "wt") as f:
        f.write("a, b, c\n1.5, x, 3\n2.5, y, 4\n, x, 5\n")
    with pytest.raises(ValueError, match=r"Missing values .*'a': 1.*missing='drop'"):
        tabular.TabularTransformer().fit(str(path))
    cols, frame = tabular.read_table(str(path))
    assert frame and cols["b"].tolist() == ["x", "y", "x"]      # leading spaces skipped
    monkeypatch.setattr(tabular, "_pandas", lambda: None)     # the core works without pandas
    cols, frame = tabular.read_table(str(path))
    assert not frame and cols["b"].tolist() == ["x", "y", "x"] and cols["c"].dtype == np.int64
    assert np.isnan(cols["a"][2])
    tr = tabular.TabularTransformer(missing="drop", schema={"c": "integer"}).fit(str(path))
    assert tr.transform(str(path)).shape[0] == 2
    assert isinstance(tr.inverse_transform(tr.transform(str(path))), dict)


def test_config_round_trip_gives_the_same_encoding():
    t = toy_table()
    tr = tabular.TabularTransformer(seed=3).fit(t)
    again = tabular.TabularTransformer.from_json(json.dumps(json.loads(tr.to_json())))
    np.testing.assert_array_equal(again.transform(t), tr.transform(t))
    assert again.spans == tr.spans


def test_clear_errors():
    t = toy_table()
    tr = tabular.TabularTransformer().fit(t)
    bad = dict(t, color=np.where(np.arange(300) == 5, "purple", t["color"]))
    with pytest.raises(ValueError,
                       match=r"Column 'color' has categories .* never saw: \['purple'\]"):
        tr.transform(bad)
    with pytest.raises(ValueError, match="Column 'k' is constant.*Drop it"):
        tabular.TabularTransformer().fit(dict(t, k=np.full(300, "same")))
    with pytest.raises(ValueError, match="Column 'z' is constant"):
        tabular.TabularTransformer().fit(dict(t, z=np.ones(300)))
    with pytest.raises(ValueError, match="different lengths"):
        tabular.read_table({"a": [1, 2], "b": [1]})
    with pytest.raises(ValueError, match="lacks the columns"):
        tr.transform({k: v for k, v in t.items() if k != "age"})
    with pytest.raises(ValueError, match=r"shape \(n, "):
        tr.inverse_transform(np.zeros((2, 3)))
    with pytest.raises(TypeError, match="DataFrame, a dict of column arrays"):
        tabular.read_table([1, 2, 3])


def test_training_by_sampling_balances_rare_categories():
    t = toy_table(2000)
    tr = tabular.TabularTransformer().fit(t)
    rows = tr.transform(t)
    ds = tabular.training_dataset(rows, tr, batch_size=500, seed=0, steps_per_epoch=4)
    batches = [b.numpy() for b in ds]
    assert len(batches) == 4
    x = np.concatenate(batches)
    cond = x[:, tr.output_dim:]
    assert cond.shape[1] == 5                  # color (3) + y (2)
    np.testing.assert_array_equal(cond.sum(1), 1)
    # Each row has the category its condition names.
    offset = 0
    for _, start, size in tr.categorical_spans:
        chosen = cond[:, offset:offset + size]
        offset += size
        picked = chosen.sum(1) == 1
        np.testing.assert_array_equal(x[picked, start:start + size], chosen[picked])
    # "blue" is 5% of rows but, drawn by log-frequency, far more of the color conditions.
    color = tr.categories["color"].index("blue")
    share = cond[:, color].sum() / cond[:, :3].sum()
    assert share > 0.2
    again = np.concatenate([b.numpy() for b in ds])
    assert not np.array_equal(x, again)        # every epoch draws afresh


def test_kg_data_load_reads_a_csv_table(tmp_path):
    import keras_gans as kg

    path = tmp_path / "t.csv"
    t = toy_table(64)
    pd.DataFrame(t).to_csv(path, index=False)
    ds = kg.data.load(str(path), batch_size=16, seed=0)
    batch = next(iter(ds)).numpy()
    width = tabular.TabularTransformer(seed=0).fit(str(path)).output_dim
    assert batch.shape == (16, width) and batch.dtype == np.float32
