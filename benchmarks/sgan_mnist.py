"""Semi-supervised MNIST with 100 labels (issue 6): test error of the SGAN classifier.

``kg.models.SGAN`` with its default networks (the paper's MNIST discriminator without
weight normalisation: Gaussian noise, 1000-500-250-250-250 ReLU units, 10 logits; an MLP
generator 500-500) and feature matching. 10 labels per class are kept
(``kg.data.keep_labels(y_train, 10, seed)``); every batch holds ``--labelled`` examples of
that pool and ``--batch-size - --labelled`` unlabelled training images. After a bounded
wall time, ``classifier()`` is evaluated on the 10,000 MNIST test images.

    python benchmarks/sgan_mnist.py --data ../shared/data/mnist.npz --minutes 15

``--watch RUN`` instead follows a recipe run (``keras-gans train --recipe
zoo/recipes/sgan-mnist-100.yaml --out RUN``, started beside it): it scores every checkpoint
that appears in ``RUN/checkpoints`` on the test images, until ``RUN/model.keras`` is written
(scored too, at its step, if no checkpoint holds it), and keeps the trajectory in
``RUN/test_error.json``.

``--summarize RUN [RUN ...]`` prints the test error of several watched runs (one per
label-subset seed) at every step they all reached, with the mean and the sample standard
deviation over the runs, as the paper reports its figure over seeds.
"""

import argparse
import json
import os
import time

import keras
import numpy as np

import keras_gans as kg
from keras_gans import recipes


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="../shared/data/mnist.npz")
    p.add_argument("--minutes", type=float, default=15.0)
    p.add_argument("--batch-size", type=int, default=200)
    p.add_argument("--labelled", type=int, default=100)
    p.add_argument("--per-class", type=int, default=10)
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--checkpoint-every", type=int, default=300)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="runs/benchmarks/sgan_mnist")
    p.add_argument("--watch", default=None, metavar="RUN",
                   help="score the checkpoints of a recipe run as they appear")
    p.add_argument("--poll-seconds", type=float, default=30.0)
    p.add_argument("--summarize", nargs="+", default=None, metavar="RUN",
                   help="mean and std of the watched runs' test errors at common steps")
    return p.parse_args(argv)


def test_error(model, x_test, y_test):
    predicted = model.classifier().predict(x_test, batch_size=1000, verbose=0).argmax(axis=1)
    return float(np.mean(predicted != y_test))


def watch(run, x_test, y_test, poll_seconds):
    """Test error of every checkpoint of a running recipe run (the checkpoints hold the
    model's weights; only the latest few are kept, so this runs beside the training). It
    waits for a run that has not written its recipe yet, and a restarted watcher keeps the
    scores already in the run's test_error.json, whose checkpoints may be gone."""
    while not os.path.exists(os.path.join(run, "recipe.yaml")):
        time.sleep(poll_seconds)
    recipe = recipes.load(os.path.join(run, "recipe.yaml"))
    model = recipes.build_model(recipe, x_test.shape[1:])
    folder, scored = os.path.join(run, "checkpoints"), {}
    if os.path.exists(os.path.join(run, "test_error.json")):
        with open(os.path.join(run, "test_error.json")) as f:
            scored = {f"ckpt-{r['step']:08d}": r for r in json.load(f)}
    final = os.path.join(run, "model.keras")

    def record(name, scored_model):
        scored[name] = {"step": int(name.split("-")[1]),
                        "test_error": test_error(scored_model, x_test, y_test)}
        print(json.dumps(scored[name]), flush=True)
        with open(os.path.join(run, "test_error.json"), "w") as f:
            json.dump(sorted(scored.values(), key=lambda r: r["step"]), f, indent=1)

    while True:
        finished = os.path.exists(final)   # written after the run's last checkpoint
        names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
        for name in names:
            done = os.path.join(folder, name, "state.json")   # written after the weights
            if name in scored or not name.startswith("ckpt-") or not os.path.exists(done):
                continue
            model.load_weights(os.path.join(folder, name, "model.weights.h5"))
            record(name, model)
        if finished:
            # Runs from before checkpoints were written at the last step end after their
            # last checkpoint: score the final model itself, at its own step.
            trained = keras.models.load_model(final)
            name = f"ckpt-{int(trained.step_counter.numpy()):08d}"
            if name not in scored:
                record(name, trained)
            return
        time.sleep(poll_seconds)


def summarize(runs):
    """Rows of (step, [error per run], mean, sample std) at the steps every run scored."""
    errors = []
    for run in runs:
        with open(os.path.join(run, "test_error.json")) as f:
            errors.append({r["step"]: r["test_error"] for r in json.load(f)})
    steps = sorted(set.intersection(*(set(e) for e in errors)))
    rows = []
    for step in steps:
        values = np.array([e[step] for e in errors])
        std = float(values.std(ddof=1)) if len(values) > 1 else float("nan")
        rows.append((step, values.tolist(), float(values.mean()), std))
    return rows


def main(argv=None):
    args = parse_args(argv)
    if args.summarize:
        print("| step | " + " | ".join(args.summarize) + " | mean | std |")
        print("|---" * (len(args.summarize) + 3) + "|")
        for step, values, mean, std in summarize(args.summarize):
            cells = " | ".join(f"{100 * v:.2f}%" for v in values)
            print(f"| {step:,} | {cells} | {100 * mean:.2f}% | {100 * std:.2f}% |")
        return None
    if args.watch:
        data = np.load(args.data)
        x_test = data["x_test"].astype("float32")[..., None] / 127.5 - 1.0
        return watch(args.watch, x_test, data["y_test"], args.poll_seconds)
    os.makedirs(args.out, exist_ok=True)
    keras.utils.set_random_seed(args.seed)
    data = np.load(args.data)
    x_train = data["x_train"][..., None]
    x_test = data["x_test"].astype("float32")[..., None] / 127.5 - 1.0
    y_test = data["y_test"]
    kept = kg.data.keep_labels(data["y_train"].astype("int32"), args.per_class, seed=args.seed)
    ds = kg.data.semi_supervised(x_train, kept, batch_size=args.batch_size,
                                 labelled_batch_size=args.labelled, seed=args.seed).repeat()
    model = kg.models.SGAN(data_shape=(28, 28, 1), num_classes=10)
    model.compile(d_optimizer=keras.optimizers.Adam(args.lr, beta_1=0.5),
                  g_optimizer=keras.optimizers.Adam(args.lr, beta_1=0.5))
    print(model.summary_line(), flush=True)
    done, wall, history = 0, 0.0, []
    while wall < args.minutes * 60:
        t0 = time.perf_counter()
        hist = model.fit(ds, epochs=1, steps_per_epoch=args.checkpoint_every, verbose=0)
        wall += time.perf_counter() - t0
        done += args.checkpoint_every
        entry = {"step": done, "wall_s": round(wall), "test_error": test_error(model, x_test,
                                                                                y_test),
                 **{k: round(float(v[-1]), 4) for k, v in hist.history.items()}}
        history.append(entry)
        print(json.dumps(entry), flush=True)
        model.save(os.path.join(args.out, "model.keras"))
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump({"config": vars(args), "history": history,
                       "labelled_examples": int((kept >= 0).sum())}, f, indent=1)


if __name__ == "__main__":
    main()
