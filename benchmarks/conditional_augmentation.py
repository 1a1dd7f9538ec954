"""Does a conditional GAN trained on a small labelled split help a classifier of that split?

For each data set (MNIST, Fashion-MNIST), labelled fraction (1 %, 5 %, 10 % of the 60,000
training images, the same number of each class) and seed:

1. draw the balanced split with ``kg.data.keep_labels`` (seeded);
2. train a conditional GAN (``kg.models.CGAN`` with a projection discriminator, or
   ``ACGAN``) on that split alone for ``--gan-steps`` steps (``--ema``: sample an EMA of
   G; off by default, see benchmarks/README.md for why);
3. score the GAN: generate 200 examples of each class and classify them with the project's
   evaluator of the data set (``kg.metrics.load_evaluator``): the share read as the class
   asked for;
4. train the small CNN of the SimGAN benchmark twice from the same initial weights for
   ``--clf-steps`` steps of batch 64: on the real split alone, and on
   ``kg.data.augment_with_generator(gan, split, ratio=--ratio, labels="match")`` (a pool
   of ``--num-generated`` examples);
5. report both classifiers' accuracy on the full 10,000-image test set.

Each (data set, fraction, seed, GAN) writes ``result.json`` under ``--out`` and is skipped
when it is there, so an interrupted run continues. ``--summary`` prints the table.

    nice -n 10 python benchmarks/conditional_augmentation.py --datasets mnist \\
        --fractions 0.01 0.05 0.1 --seeds 0 1 2 3 4 --out runs/augment

Data: the public data sets by name (``kg.data.public``: ``$KERAS_GANS_DATA`` or TensorFlow
Datasets), or ``--data mnist=PATH`` for an ``.npz`` in the ``keras.datasets`` layout.
"""

import argparse
import json
import os
import time

import keras
import numpy as np

import keras_gans as kg
from keras_gans.data import arrays, public
from simgan_digits import classifier  # the SimGAN table's CNN (benchmarks/ is on sys.path)

EVALUATORS = {"mnist": "mnist", "fashion_mnist": "fashion_mnist"}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--datasets", nargs="+", default=["mnist", "fashion_mnist"],
                   choices=sorted(EVALUATORS))
    p.add_argument("--data", nargs="*", default=[], metavar="NAME=PATH",
                   help="local .npz copies, e.g. mnist=../shared/data/mnist.npz")
    p.add_argument("--fractions", nargs="+", type=float, default=[0.01, 0.05, 0.1])
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    p.add_argument("--gans", nargs="+", default=["cgan"], choices=("cgan", "acgan"))
    p.add_argument("--gan-steps", type=int, default=3000)
    p.add_argument("--gan-filters", type=int, default=16)
    p.add_argument("--latent-dim", type=int, default=64)
    p.add_argument("--ema", type=float, default=0.0, help="EMA decay of G (0: none)")
    p.add_argument("--clf-steps", type=int, default=500)
    p.add_argument("--ratio", type=float, default=0.5)
    p.add_argument("--num-generated", type=int, default=10_000)
    p.add_argument("--out", default="runs/augment")
    p.add_argument("--summary", action="store_true", help="print the table of what ran")
    return p.parse_args(argv)


def load_arrays(name, split, paths):
    """uint8 images (n, 28, 28, 1) and int labels of a public data set's split."""
    path = paths.get(name)
    if path is None:
        kind, where = public.resolve(name)
        if kind == "tfds":
            x, y = public.tfds_arrays(where, split)
            return x.reshape(-1, 28, 28, 1), y.astype("int32")
        path = where
    x, y = arrays.load_npz(path, split, labels=True)
    return x.reshape(-1, 28, 28, 1), y.astype("int32")


def balanced_split(y, fraction, seed):
    """Indices of ``fraction`` of the examples, the same number of each class."""
    per_class = int(round(fraction * len(y) / 10))
    kept = kg.data.keep_labels(y, per_class=per_class, seed=seed)
    return np.flatnonzero(kept >= 0)


def train_gan(kind, x, y, args, seed):
    keras.utils.set_random_seed(seed)
    shape, k = (28, 28, 1), 10
    gen = kg.networks.conditional_generator(args.latent_dim, shape, k,
                                            base_filters=args.gan_filters)
    if kind == "cgan":
        disc = kg.networks.conditional_discriminator(shape, k, conditioning="projection",
                                                     base_filters=args.gan_filters)
        model = kg.models.CGAN(num_classes=k, conditioning="projection", generator=gen,
                               discriminator=disc)
    else:
        disc = kg.networks.auxiliary_classifier_discriminator(shape, k,
                                                              base_filters=args.gan_filters)
        model = kg.models.ACGAN(num_classes=k, generator=gen, discriminator=disc)
    model.compile()
    ds = kg.data.from_arrays(x, 64, y, seed=seed, drop_remainder=True).repeat()
    callbacks = [kg.callbacks.EMA(args.ema)] if args.ema else []
    hist = model.fit(ds, epochs=1, steps_per_epoch=args.gan_steps, verbose=0,
                     callbacks=callbacks)
    return model, {k: round(float(v[-1]), 3) for k, v in hist.history.items()}


def evaluator_accuracy(model, evaluator, seed, per_class=200):
    """Share of generated examples the evaluator reads as the class asked for."""
    labels = np.repeat(np.arange(10, dtype="int32"), per_class)
    images = model.generate(len(labels), labels=labels, seed=seed + 10_000)
    predicted = evaluator.predict(images, batch_size=500, verbose=0).argmax(axis=1)
    return float(np.mean(predicted == labels))


def train_classifier(ds, x_test, y_test, steps, seed):
    """Accuracy on the test set of the SimGAN benchmark's CNN after ``steps`` batches of
    ``ds``; the same ``seed`` gives the same initial weights and dropout masks."""
    model = classifier(seed)
    model.compile(keras.optimizers.Adam(1e-3),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(ds.repeat(), epochs=1, steps_per_epoch=steps, verbose=0)
    return float(model.evaluate(x_test, y_test, batch_size=500, verbose=0)[1])


def run_one(name, fraction, seed, kind, data, args, evaluators):
    x, y, x_test, y_test = data
    index = balanced_split(y, fraction, seed)
    xs, ys = x[index], y[index]
    t0 = time.perf_counter()
    gan, logs = train_gan(kind, xs, ys, args, seed)
    gan_s = time.perf_counter() - t0
    gan_acc = evaluator_accuracy(gan, evaluators[name], seed)
    real = kg.data.from_arrays(xs, 64, ys, seed=seed)
    t0 = time.perf_counter()
    acc_real = train_classifier(real, x_test, y_test, args.clf_steps, seed)
    mixed = kg.data.augment_with_generator(gan, (xs, ys), ratio=args.ratio, labels="match",
                                           num_generated=args.num_generated, seed=seed)
    acc_aug = train_classifier(mixed, x_test, y_test, args.clf_steps, seed)
    return {"dataset": name, "fraction": fraction, "seed": seed, "gan": kind,
            "train_examples": int(len(index)), "gan_steps": args.gan_steps,
            "gan_train_s": round(gan_s, 1), "gan_final_logs": logs,
            "evaluator_accuracy_on_generated": gan_acc, "test_accuracy_real": acc_real,
            "test_accuracy_augmented": acc_aug,
            "classifier_s": round(time.perf_counter() - t0, 1),
            "load_average": os.getloadavg(), "config": vars(args)}


def result_path(args, name, fraction, seed, kind):
    return os.path.join(args.out, name, kind, f"frac{fraction:g}", f"seed{seed}", "result.json")


def summary(args):
    rows = []
    for name in args.datasets:
        for kind in args.gans:
            for fraction in args.fractions:
                found = [json.load(open(p)) for p in (result_path(args, name, fraction, s, kind)
                                                     for s in args.seeds) if os.path.exists(p)]
                if not found:
                    continue

                def stat(key):
                    v = 100 * np.array([r[key] for r in found])
                    return f"{v.mean():.2f} ± {v.std(ddof=1) if len(v) > 1 else 0:.2f}"

                gain = 100 * np.array([r["test_accuracy_augmented"] - r["test_accuracy_real"]
                                       for r in found])
                rows.append(f"| {name} | {fraction:.0%} | {found[0]['train_examples']:,} | "
                            f"{kind} | {len(found)} | {stat('test_accuracy_real')} | "
                            f"{stat('test_accuracy_augmented')} | {gain.mean():+.2f} "
                            f"({int((gain > 0).sum())}/{len(gain)}) | "
                            f"{stat('evaluator_accuracy_on_generated')} | "
                            f"{np.mean([r['gan_train_s'] + r['classifier_s'] for r in found]):.0f}"
                            f" s |")
    print("| data | labelled | examples | GAN | seeds | real only (%) | real + GAN (%) | "
          "gain, points (seeds up) | evaluator on generated (%) | wall per seed |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


def main(argv=None):
    args = parse_args(argv)
    if args.summary:
        return summary(args)
    paths = dict(item.split("=", 1) for item in args.data)
    evaluators = {name: kg.metrics.load_evaluator(EVALUATORS[name]) for name in args.datasets}
    for name in args.datasets:
        x, y = load_arrays(name, "train", paths)
        x_test, y_test = load_arrays(name, "test", paths)
        x_test = x_test.astype("float32") / 127.5 - 1.0
        for fraction in args.fractions:
            for seed in args.seeds:
                for kind in args.gans:
                    path = result_path(args, name, fraction, seed, kind)
                    if os.path.exists(path):
                        continue
                    result = run_one(name, fraction, seed, kind, (x, y, x_test, y_test), args,
                                     evaluators)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "w") as f:
                        json.dump(result, f, indent=1)
                    print(json.dumps({k: v for k, v in result.items() if k != "config"}),
                          flush=True)


if __name__ == "__main__":
    main()
