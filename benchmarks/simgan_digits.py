"""SimGAN's evaluation in the style of the paper: does refining synthetic data help a
classifier that never sees a real labelled example?

1. Render labelled synthetic digits from fonts (``kg.data.synthetic_digits``).
2. Train a SimGAN to refine them towards the (unlabelled) real MNIST training images.
3. Train the same small CNN twice, from the same initial weights: once on the raw synthetic
   digits, once on their refinements (same labels), and report both accuracies on the
   10,000 real MNIST test digits.

Usage (CPU; training stops after --max-minutes, then two classifiers train):
    nice -n 10 env TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 \
        python benchmarks/simgan_digits.py --out runs/simgan_digits

Or measure a trained refiner instead of training one (step 2 skipped): a preset name, a
preset folder or a ``.keras`` file, e.g. ``--refiner simgan-digits``. With several
``--classifier-seeds`` each classifier is trained once per seed (its initial weights and
data order), and the mean and sample std are reported. ``OUT/preset_metrics.json`` holds
the result in the form ``tools/make_preset.py build --metrics`` takes.
"""

import argparse
import json
import os
import time

import keras
import numpy as np

import keras_gans as kg


def classifier(seed):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10),
    ])


def accuracy_on_mnist(x_train, y_train, x_test, y_test, args, seed=None):
    model = classifier(args.seed if seed is None else seed)
    model.compile(keras.optimizers.Adam(1e-3), keras.losses.SparseCategoricalCrossentropy(
        from_logits=True), metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=64, epochs=args.classifier_epochs, verbose=0,
              shuffle=True)
    return float(model.evaluate(x_test, y_test, verbose=0)[1])


class TimeLimit(keras.callbacks.Callback):
    """Stops training after ``minutes`` and logs progress every ``every`` steps."""

    def __init__(self, minutes, every=50):
        super().__init__()
        self.seconds, self.every, self.steps = minutes * 60, every, 0

    def on_train_begin(self, logs=None):
        self.start = time.time()

    def on_train_batch_end(self, batch, logs=None):
        self.steps = batch + 1
        if self.steps % self.every == 0:
            print(f"step {self.steps} {time.time() - self.start:.0f} s "
                  + " ".join(f"{k}={float(v):.3f}" for k, v in (logs or {}).items()), flush=True)
        if time.time() - self.start > self.seconds:
            self.model.stop_training = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="runs/simgan_digits")
    parser.add_argument("--mnist", default="/work/shared/data/mnist.npz")
    parser.add_argument("--num-synthetic", type=int, default=6000)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--filters", type=int, default=32)
    parser.add_argument("--blocks", type=int, default=4)
    parser.add_argument("--self-regularization", type=float, default=1.0)
    parser.add_argument("--classifier-epochs", type=int, default=3)
    parser.add_argument("--max-minutes", type=float, default=12.0,
                        help="stop SimGAN training after this long (the steps done are recorded)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--refiner", default=None,
                        help="measure this trained SimGAN (preset name, preset folder or "
                             ".keras file) instead of training one")
    parser.add_argument("--classifier-seeds", type=int, nargs="+", default=None,
                        help="train each classifier once per seed (default: --seed only)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    start = time.time()

    synthetic, labels = kg.data.synthetic_digits(args.num_synthetic, seed=args.seed)
    with np.load(args.mnist) as f:
        real = (f["x_train"][..., None] / 127.5 - 1).astype("float32")
        x_test = (f["x_test"][..., None] / 127.5 - 1).astype("float32")
        y_test = f["y_test"].astype("int32")
    print(f"data ready in {time.time() - start:.0f} s", flush=True)

    t0 = time.time()
    if args.refiner:
        gan = kg.load(args.refiner)
        steps_done, train_s = None, None
    else:
        keras.utils.set_random_seed(args.seed)
        ds = kg.data.load_unpaired(synthetic, real, batch_size=args.batch_size, seed=args.seed)
        gan = kg.models.SimGAN(image_shape=(28, 28, 1), filters=args.filters,
                               num_blocks=args.blocks, seed=args.seed)
        gan.compile(self_regularization=args.self_regularization)
        limit = TimeLimit(args.max_minutes)
        gan.fit(ds.repeat(), epochs=1, steps_per_epoch=args.steps, verbose=0,
                callbacks=[limit])
        steps_done, train_s = limit.steps, round(time.time() - t0, 1)
        gan.save(os.path.join(args.out, "simgan.keras"))
    refined = gan.refine(synthetic)
    kg.utils.save_grid(np.concatenate([synthetic[:32], refined[:32], real[:32]]),
                       os.path.join(args.out, "synthetic_refined_real.png"))

    t1 = time.time()
    seeds = args.classifier_seeds or [args.seed]
    raw = [accuracy_on_mnist(synthetic, labels, x_test, y_test, args, s) for s in seeds]
    fine = [accuracy_on_mnist(refined, labels, x_test, y_test, args, s) for s in seeds]
    results = {
        "raw_synthetic_accuracy": float(np.mean(raw)),
        "refined_accuracy": float(np.mean(fine)),
        "raw_synthetic_accuracies": raw, "refined_accuracies": fine,
        "classifier_seeds": seeds,
        "mean_abs_refinement": float(np.abs(refined - synthetic).mean()),
        "refiner": args.refiner,
        "simgan_steps_done": steps_done,
        "simgan_train_seconds": train_s,
        "classifier_seconds": round(time.time() - t1, 1),
        "total_seconds": round(time.time() - start, 1),
        "config": vars(args),
    }
    print(json.dumps(results, indent=2), flush=True)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    spread = (lambda a: round(float(np.std(a, ddof=1)), 4) if len(a) > 1 else None)
    protocol = (f"a small CNN (conv 32, pool, conv 64, pool, dropout 0.3, dense 128, 10 logits; "
                f"Adam(1e-3), batch 64, {args.classifier_epochs} epochs) trained only on the "
                f"{args.num_synthetic:,} labelled digits of kg.data.synthetic_digits("
                f"{args.num_synthetic}, seed={args.seed}), raw or refined (same labels, same "
                f"initial weights), scored on the 10,000 real MNIST test digits; mean (and "
                f"sample std) over classifier seeds {seeds}; benchmarks/simgan_digits.py")
    metrics = {"mnist_test_accuracy": {
        "raw_synthetic": round(results["raw_synthetic_accuracy"], 4),
        "raw_synthetic_std": spread(raw),
        "refined": round(results["refined_accuracy"], 4), "refined_std": spread(fine),
        "protocol": protocol}}
    with open(os.path.join(args.out, "preset_metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)


if __name__ == "__main__":
    main()
