"""Tabular benchmarks: the tabular GAN's TSTR and RadialGAN's augmentation of a small domain.

    # TSTR: train on synthetic, test on real, next to train on real
    python benchmarks/tabular.py tstr --recipe zoo/recipes/tabular-gan-adult.yaml
    python benchmarks/tabular.py tstr --dataset breast_cancer --epochs 300
    python benchmarks/tabular.py tstr --dataset wine --epochs 600
    # RadialGAN on Adult split into domains by race, each recording other columns
    python benchmarks/tabular.py radialgan --recipe zoo/recipes/radialgan-adult.yaml \
        --seeds 0 1 2
    # the grid: target rows x method (own rows, naive pooling, RadialGAN weighted or not),
    # Adult split by race and by workclass; resumes from runs/tabular/radialgan-grid/
    python benchmarks/tabular.py radialgan-grid --splits race workclass \
        --target-rows 50 200 1000 --seeds 0 1 2 3 4

Results go to runs/tabular/ (JSON, the trained models as .keras, compute.json) and are
printed; benchmarks/README.md records the measured ones. Adult is read from
``../shared/data/adult.csv.gz`` (``--adult PATH`` to change it); breast_cancer and wine
come with scikit-learn.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADULT = os.path.join(os.path.dirname(ROOT), "shared", "data", "adult.csv.gz")
OUT = os.path.join(ROOT, "runs", "tabular")


def load_table(name, adult=ADULT):
    """``(columns dict, label)`` of a benchmark table."""
    from keras_gans.data import tables

    if name == "adult":
        return tables.read(adult), "Salary"
    from sklearn import datasets

    loader = {"breast_cancer": datasets.load_breast_cancer, "wine": datasets.load_wine}[name]
    bunch = loader()
    columns = {str(f): bunch.data[:, i].astype(np.float64)
               for i, f in enumerate(bunch.feature_names)}
    columns["target"] = np.asarray(bunch.target_names)[bunch.target].astype(object)
    return columns, "target"


def read_recipe(path):
    """A table recipe (``keras-gans train --recipe`` runs it too), checked."""
    from keras_gans import recipes

    return recipes.load(path)


def _name(recipe_path, default):
    return os.path.splitext(os.path.basename(recipe_path))[0] if recipe_path else default


def _threads():
    import tensorflow as tf

    return (f"intra {tf.config.threading.get_intra_op_parallelism_threads()}, "
            f"inter {tf.config.threading.get_inter_op_parallelism_threads()}")


# -- TSTR -----------------------------------------------------------------------------

def run_tstr(args):
    import keras

    import keras_gans as kg

    from keras_gans.data import tables

    cfg = read_recipe(args.recipe) if args.recipe else {}
    data = cfg.get("data", {})
    dataset = data.get("table", args.dataset)
    model_cfg = {k: v for k, v in cfg.get("model", {"latent_dim": 128}).items()
                 if k != "variant"}
    epochs = args.epochs or (cfg["schedule"]["epochs"] if cfg else 100)
    batch = args.batch_size or data.get("batch_size", 500)
    seed = cfg.get("seed", args.seed)
    test_size = data.get("test_size", 0.2 if dataset == "adult" else 0.3)
    columns, label = load_table(dataset, args.adult)
    train, test = tables.split(columns, label, test_size, seed)
    batch = min(batch, len(train[label]) // 2)

    keras.utils.set_random_seed(seed)
    start = time.time()
    transformer = kg.data.tabular.TabularTransformer(seed=seed).fit(train)
    gan = kg.models.TabularGAN(transformer, **model_cfg)
    gan.compile()
    fit_start = time.time()
    history = gan.fit(train, epochs=epochs, batch_size=batch, seed=seed, verbose=args.verbose)
    fit_time = time.time() - fit_start
    steps = int(gan.g_optimizer.iterations.numpy())
    synthetic = gan.sample(len(train[label]), seed=seed)
    result = {"dataset": dataset, "rows": {"train": len(train[label]), "test": len(test[label])},
              "epochs": epochs, "batch_size": batch, "generator_steps": steps, "seed": seed,
              "wall_time_s": {"total": round(time.time() - start, 1), "fit": round(fit_time, 1)},
              "threads": _threads(),
              "final_logs": {k: float(v[-1]) for k, v in history.history.items()}}
    for clf in ("gradient_boosting", "logistic_regression"):
        result[f"tstr_{clf}"] = kg.metrics.tstr(synthetic, train, test, label, clf, seed=seed,
                                                schema=transformer.kinds)
    result["marginal_distances"] = kg.metrics.marginal_distances(test, synthetic,
                                                                 transformer.kinds)
    result["marginal_distances_real_train"] = kg.metrics.marginal_distances(
        test, train, transformer.kinds)
    result["correlation_difference"] = kg.metrics.correlation_difference(
        test, synthetic, transformer.kinds)
    result["correlation_difference_real_train"] = kg.metrics.correlation_difference(
        test, train, transformer.kinds)
    name = _name(args.recipe, f"tabular-gan-{dataset}")
    run = os.path.join(OUT, name)
    os.makedirs(run, exist_ok=True)
    gan.save(os.path.join(run, "model.keras"))
    with open(os.path.join(run, "compute.json"), "w") as f:
        json.dump({"wall_time_s": result["wall_time_s"]["fit"]}, f)
    with open(os.path.join(run, "result.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1), flush=True)


# -- RadialGAN ------------------------------------------------------------------------

def naive_pool(tables, target, label):
    """The target's rows plus every other domain's rows on the target's columns; a column a
    source does not record is filled with the target's mean (numbers) or most frequent
    value (categories)."""
    own = tables[target]
    out = {c: [v] for c, v in own.items()}
    for name, table in tables.items():
        if name == target:
            continue
        n = len(table[label])
        for c, v in own.items():
            if c in table:
                out[c].append(table[c])
            elif v.dtype.kind == "O":
                values, counts = np.unique(v, return_counts=True)
                out[c].append(np.full(n, values[counts.argmax()], dtype=object))
            else:
                out[c].append(np.full(n, v.mean(), dtype=np.float64))
    return {c: np.concatenate([np.asarray(p, dtype=object if own[c].dtype.kind == "O"
                                          else np.float64) for p in parts])
            for c, parts in out.items()}


def train_radialgan(cfg, tables, seed, epochs=None, verbose=0):
    """A RadialGAN as the recipe says, trained on ``{domain: table}``; ``(gan, history,
    fit seconds)``."""
    import keras

    import keras_gans as kg

    keras.utils.set_random_seed(seed)
    start = time.time()
    transformers = {d: kg.data.tabular.TabularTransformer(seed=seed).fit(t)
                    for d, t in tables.items()}
    gan = kg.models.RadialGAN(transformers, **{k: v for k, v in cfg["model"].items()
                                               if k != "variant"})
    gan.compile(**cfg["optimizers"])
    history = gan.fit(tables, epochs=epochs or cfg["schedule"]["epochs"],
                      batch_size=cfg["data"]["batch_size"], seed=seed, verbose=verbose)
    return gan, history, time.time() - start


def _extra(table, own_rows):
    """The rows an augmented table adds after the target's own ``own_rows``."""
    return {c: v[own_rows:] for c, v in table.items()}


def run_radialgan(args):
    import keras_gans as kg

    cfg = read_recipe(args.recipe)
    data = cfg["data"]
    columns, _ = load_table("adult", args.adult)
    target, label, clf = data["target"], data["label"], args.classifier
    per_seed = []
    for seed in args.seeds:
        tables, test = kg.data.tables.split_domains(columns, data, seed)
        gan, history, fit_time = train_radialgan(cfg, tables, seed, args.epochs, args.verbose)
        schema = gan.transformers[target].kinds
        own = tables[target]
        n_own = len(own[label])
        extra = _extra(gan.augment(target, tables, seed=seed), n_own)
        pool_extra = _extra(naive_pool(tables, target, label), n_own)
        result = {"seed": seed, "fit_s": round(fit_time, 1),
                  "rows": {d: len(t[label]) for d, t in tables.items()},
                  "test_rows": len(test[label]),
                  "final_logs": {k: float(v[-1]) for k, v in history.history.items()}}
        radial = kg.metrics.augmentation_gain(extra, own, test, label, clf, seed, schema)
        naive = kg.metrics.augmentation_gain(pool_extra, own, test, label, clf, seed, schema)
        result["auroc"] = {"own_only": radial["real"]["auroc"],
                           "naive_pooling": naive["augmented"]["auroc"],
                           "radialgan": radial["augmented"]["auroc"]}
        result["accuracy"] = {"own_only": radial["real"]["accuracy"],
                              "naive_pooling": naive["augmented"]["accuracy"],
                              "radialgan": radial["augmented"]["accuracy"]}
        per_seed.append(result)
        print(json.dumps(result), flush=True)
        if seed == args.seeds[0]:
            run = os.path.join(OUT, _name(args.recipe, "radialgan-adult"))
            os.makedirs(run, exist_ok=True)
            gan.save(os.path.join(run, "model.keras"))
            with open(os.path.join(run, "compute.json"), "w") as f:
                json.dump({"wall_time_s": round(fit_time, 1)}, f)
    summary = {}
    for key in ("own_only", "naive_pooling", "radialgan"):
        values = np.array([r["auroc"][key] for r in per_seed])
        summary[key] = {"mean": float(values.mean()), "std": float(values.std(ddof=1))
                        if len(values) > 1 else 0.0, "values": values.round(4).tolist()}
    out = {"classifier": clf, "target": target, "seeds": list(args.seeds),
           "threads": _threads(), "auroc": summary, "per_seed": per_seed}
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "radialgan-adult-result.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps({"auroc": summary}, indent=1), flush=True)


# -- RadialGAN grid: target size x method, several domain splits ----------------------

# Domain splits of Adult besides the recipe's own (by race). Each replaces the recipe's
# split_column, target and domains; the target keeps --target-rows training rows and the
# rest of its rows are its test set. Like the race split, every domain records age,
# education-num, hours-per-week, sex and the label, and each records some other columns.
SPLITS = {
    "workclass": {
        "split_column": "workclass",
        "target": "self-employed",
        "domains": {
            "self-employed": {
                "values": ["Self-emp-not-inc", "Self-emp-inc"], "train_rows": 200,
                "columns": ["age", "education-num", "hours-per-week", "sex", "marital-status",
                            "relationship", "occupation", "capital-gain"]},
            "private": {
                "values": ["Private"], "max_rows": 4000,
                "columns": ["age", "education-num", "hours-per-week", "sex", "marital-status",
                            "occupation", "capital-gain"]},
            "government": {
                "values": ["Federal-gov", "Local-gov", "State-gov"], "max_rows": 3000,
                "columns": ["age", "education-num", "hours-per-week", "sex", "relationship",
                            "race", "capital-loss"]}}},
}

# The methods of the grid, in table order, beside "own rows": the classifier is trained on
# the target's own rows plus extra rows, naive pooling's or RadialGAN's translations
# (``augment``'s ``weight`` and ``max_rows``), each extra row weighing ``weight``
# ("balanced": all of them together weigh as much as the own rows).
METHODS = {
    "naive pooling": {"rows": "pool", "weight": 1.0},
    "naive pooling, balanced": {"rows": "pool", "weight": "balanced"},
    "RadialGAN, weight 1": {"rows": "radial", "weight": 1.0},
    "RadialGAN, balanced": {"rows": "radial", "weight": "balanced"},
    "RadialGAN, weight 0.1": {"rows": "radial", "weight": 0.1},
    "RadialGAN, as many rows as own": {"rows": "radial", "weight": 1.0, "max_rows": "own"},
    "RadialGAN, source labels, weight 1": {"rows": "radial", "weight": 1.0, "keep": "label"},
    "RadialGAN, source labels, balanced": {"rows": "radial", "weight": "balanced",
                                           "keep": "label"},
}


def split_spec(data, split, target_rows):
    """The recipe's table data with the domains of ``split`` (``"race"`` or a key of
    ``SPLITS``: the recipe's own split when it splits by it) and ``target_rows`` rows."""
    spec = json.loads(json.dumps(data))
    if split != spec["split_column"]:
        if split not in SPLITS:
            raise SystemExit(f"Unknown split {split!r}; choose {spec['split_column']} (the "
                             f"recipe's) or one of {', '.join(SPLITS)}.")
        spec.update(json.loads(json.dumps(SPLITS[split])))
    spec["domains"][spec["target"]]["train_rows"] = int(target_rows)
    return spec


def grid_cell(cfg, columns, split, target_rows, seed, clf, epochs=None, verbose=0):
    """One trained RadialGAN for (split, target rows, seed), every method scored with it."""
    import keras_gans as kg

    spec = split_spec(cfg["data"], split, target_rows)
    target, label = spec["target"], spec["label"]
    tables, test = kg.data.tables.split_domains(columns, spec, seed)
    gan, history, fit_time = train_radialgan({**cfg, "data": spec}, tables, seed, epochs,
                                             verbose)
    schema = gan.transformers[target].kinds
    own = tables[target]
    n_own = len(own[label])
    pool = _extra(naive_pool(tables, target, label), n_own)
    auroc, accuracy = {}, {}
    for method, arm in METHODS.items():
        if arm["rows"] == "pool":
            extra = pool
            weight = n_own / len(pool[label]) if arm["weight"] == "balanced" else arm["weight"]
        else:
            cap = n_own if arm.get("max_rows") == "own" else None
            table, weights = gan.augment(target, tables, seed=seed, weight=arm["weight"],
                                         max_rows=cap, keep=label if arm.get("keep") else None)
            extra, weight = _extra(table, n_own), weights[n_own:]
        out = kg.metrics.augmentation_gain(extra, own, test, label, clf, seed, schema,
                                           extra_weight=weight)
        auroc.setdefault("own rows", out["real"]["auroc"])
        accuracy.setdefault("own rows", out["real"]["accuracy"])
        auroc[method], accuracy[method] = out["augmented"]["auroc"], out["augmented"]["accuracy"]
    radial = _extra(gan.augment(target, tables, seed=seed), n_own)
    # augment translates every source in turn, row by row: does a row keep its label?
    source_labels = np.concatenate([tables[d][label] for d in gan.domains if d != target])
    label_kept = float(np.mean(radial[label].astype(str) == source_labels.astype(str)))
    marginals = kg.metrics.marginal_distances(test, radial, schema)
    return {"split": split, "target": target, "target_rows": n_own, "seed": seed,
            "classifier": clf, "fit_s": round(fit_time, 1),
            "rows": {d: len(t[label]) for d, t in tables.items()},
            "test_rows": len(test[label]),
            "final_logs": {k: float(v[-1]) for k, v in history.history.items()},
            "auroc": auroc, "accuracy": accuracy,
            "translated_marginal_distances": marginals, "translated_label_kept": label_kept,
            "own_marginal_distances": kg.metrics.marginal_distances(test, own, schema)}


def grid_tables(cells):
    """Markdown, one table per split: target rows x method, AUROC mean ± std over seeds."""
    lines = []
    for split in sorted({c["split"] for c in cells}):
        mine = [c for c in cells if c["split"] == split]
        sizes = sorted({c["target_rows"] for c in mine})
        lines += ["", f"split by {split}, target `{mine[0]['target']}` (test AUROC, mean ± std "
                  f"over seeds)", "", "| method | " + " | ".join(
                      f"{n} rows ({len([c for c in mine if c['target_rows'] == n])} seeds)"
                      for n in sizes) + " |", "|---" * (len(sizes) + 1) + "|"]
        for method in ["own rows", *METHODS]:
            row = []
            for n in sizes:
                values = np.array([c["auroc"][method] for c in mine
                                   if c["target_rows"] == n and method in c["auroc"]])
                std = values.std(ddof=1) if len(values) > 1 else 0.0
                row.append("not run" if not len(values) else f"{values.mean():.3f} ± {std:.3f}"
                           + ("" if len(values) == len([c for c in mine
                                                        if c["target_rows"] == n])
                              else f" ({len(values)} seeds)"))
            lines.append(f"| {method} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def run_radialgan_grid(args):
    cfg = read_recipe(args.recipe)
    columns, _ = load_table("adult", args.adult)
    folder = os.path.join(OUT, "radialgan-grid")
    os.makedirs(folder, exist_ok=True)
    start = time.time()
    for split in args.splits:
        for rows in args.target_rows:
            for seed in args.seeds:
                path = os.path.join(folder, f"{split}-{rows}-seed{seed}.json")
                if os.path.exists(path):     # done by an earlier run: the grid resumes
                    continue
                cell = grid_cell(cfg, columns, split, rows, seed, args.classifier,
                                 args.epochs, args.verbose)
                cell["threads"] = _threads()
                with open(path, "w") as f:
                    json.dump(cell, f, indent=1)
                print(json.dumps({k: cell[k] for k in ("split", "target_rows", "seed",
                                                         "fit_s", "auroc")}), flush=True)
    cells = []
    for split in args.splits:
        for rows in args.target_rows:
            for seed in args.seeds:
                with open(os.path.join(folder, f"{split}-{rows}-seed{seed}.json")) as f:
                    cells.append(json.load(f))
    text = grid_tables(cells)
    with open(os.path.join(folder, "summary.md"), "w") as f:
        f.write(text + "\n")
    print(text, f"\n\n{time.time() - start:.0f} s in this run; training "
          f"{sum(c['fit_s'] for c in cells):.0f} s over the {len(cells)} cells", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("tstr")
    t.add_argument("--recipe")
    t.add_argument("--dataset", default="adult", choices=["adult", "breast_cancer", "wine"])
    t.add_argument("--epochs", type=int)
    t.add_argument("--batch-size", type=int)
    t.add_argument("--seed", type=int, default=0)
    r = sub.add_parser("radialgan")
    r.add_argument("--recipe", default=os.path.join(ROOT, "zoo", "recipes",
                                                    "radialgan-adult.yaml"))
    r.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    r.add_argument("--epochs", type=int)
    r.add_argument("--classifier", default="logistic_regression",
                   help="the target's classifier, as kg.metrics.augmentation_gain takes it")
    g = sub.add_parser("radialgan-grid", help="target size x method over domain splits, one "
                       "RadialGAN per (split, size, seed) shared by every method")
    g.add_argument("--recipe", default=os.path.join(ROOT, "zoo", "recipes",
                                                    "radialgan-adult.yaml"))
    g.add_argument("--splits", nargs="+", default=["race", "workclass"],
                   help=f"race (the recipe's) and/or {', '.join(SPLITS)}")
    g.add_argument("--target-rows", type=int, nargs="+", default=[50, 200, 1000])
    g.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    g.add_argument("--epochs", type=int)
    g.add_argument("--classifier", default="logistic_regression")
    for p in (t, r, g):
        p.add_argument("--out", default=OUT, help="results folder (default runs/tabular)")
        p.add_argument("--adult", default=ADULT)
        p.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args(argv)
    globals()["OUT"] = args.out
    {"tstr": run_tstr, "radialgan": run_radialgan,
     "radialgan-grid": run_radialgan_grid}[args.command](args)


if __name__ == "__main__":
    main()
