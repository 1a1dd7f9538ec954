"""Tabular benchmarks: the tabular GAN's TSTR and RadialGAN's augmentation of a small domain.

    # TSTR: train on synthetic, test on real, next to train on real
    python benchmarks/tabular.py tstr --recipe zoo/recipes/tabular-gan-adult.yaml
    python benchmarks/tabular.py tstr --dataset breast_cancer --epochs 300
    python benchmarks/tabular.py tstr --dataset wine --epochs 600
    # RadialGAN on Adult split into domains by race, each recording other columns
    python benchmarks/tabular.py radialgan --recipe zoo/recipes/radialgan-adult.yaml \
        --seeds 0 1 2

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


def run_radialgan(args):
    import keras

    import keras_gans as kg

    cfg = read_recipe(args.recipe)
    data = cfg["data"]
    columns, _ = load_table("adult", args.adult)
    target, label, clf = data["target"], data["label"], args.classifier
    per_seed = []
    for seed in args.seeds:
        keras.utils.set_random_seed(seed)
        tables, test = kg.data.tables.split_domains(columns, data, seed)
        start = time.time()
        transformers = {d: kg.data.tabular.TabularTransformer(seed=seed).fit(t)
                        for d, t in tables.items()}
        gan = kg.models.RadialGAN(transformers, **{k: v for k, v in cfg["model"].items()
                                                   if k != "variant"})
        gan.compile(**cfg["optimizers"])
        history = gan.fit(tables, epochs=args.epochs or cfg["schedule"]["epochs"],
                          batch_size=data["batch_size"], seed=seed, verbose=args.verbose)
        fit_time = time.time() - start
        schema = transformers[target].kinds
        augmented = gan.augment(target, tables, seed=seed)
        own = tables[target]
        extra = {c: v[len(own[label]):] for c, v in augmented.items()}
        pooled = naive_pool(tables, target, label)
        pool_extra = {c: v[len(own[label]):] for c, v in pooled.items()}
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
    for p in (t, r):
        p.add_argument("--out", default=OUT, help="results folder (default runs/tabular)")
        p.add_argument("--adult", default=ADULT)
        p.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args(argv)
    globals()["OUT"] = args.out
    (run_tstr if args.command == "tstr" else run_radialgan)(args)


if __name__ == "__main__":
    main()
