"""SimGAN's evaluation in the style of the paper: does refining synthetic data help a
classifier that never sees a real labelled example?

1. Render labelled synthetic digits from fonts (``kg.data.synthetic_digits``).
2. Train a SimGAN to refine them towards the (unlabelled) real MNIST training images.
3. Train the same small CNN twice, from the same initial weights: once on the raw synthetic
   digits, once on their refinements (same labels), and report both accuracies on the
   10,000 real MNIST test digits.
4. Say why, with three measures of raw and refined digits: label preservation (the share
   the project's MNIST evaluator, trained on real digits, reads as their synthetic label),
   realism (the held-out accuracy of a fresh real-vs-synthetic domain classifier: 50 % means
   indistinguishable from MNIST) and ink (mean pixel brightness, a stroke-width proxy).

Usage (CPU; training stops after --max-minutes, then two classifiers train):
    nice -n 10 env TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 \
        python benchmarks/simgan_digits.py --out runs/simgan_digits

Or measure a trained refiner instead of training one (step 2 skipped): a preset name, a
preset folder or a ``.keras`` file, e.g. ``--refiner simgan-digits``. With several
``--classifier-seeds`` each classifier is trained once per seed (its initial weights and
data order), and the mean and sample std are reported. ``OUT/preset_metrics.json`` holds
the result in the form ``tools/make_preset.py build --metrics`` takes. ``--raw-results
EARLIER/results.json`` reuses an earlier run's raw-digit accuracies and measures (they do not
depend on the refiner) when its synthetic data and classifier settings are the same.
"""

import argparse
import hashlib
import json
import os
import time

import keras
import numpy as np

import keras_gans as kg


def classifier(seed, classes=10):
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
        keras.layers.Dense(classes),
    ])


def test_accuracy(x_train, y_train, x_test, y_test, seed, epochs, classes=10):
    model = classifier(seed, classes)
    model.compile(keras.optimizers.Adam(1e-3), keras.losses.SparseCategoricalCrossentropy(
        from_logits=True), metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=64, epochs=epochs, verbose=0, shuffle=True)
    return float(model.evaluate(x_test, y_test, verbose=0)[1])


def measures(digits, labels, real, evaluator, seed, held_out=0.25, epochs=2):
    """Label preservation, realism and ink of synthetic ``digits`` (raw or refined).

    Realism: a fresh domain classifier (the same CNN, two classes, ``epochs`` epochs) learns
    real MNIST training images against the first 75 % of ``digits`` and is scored on the
    other 25 % against as many other real images; its accuracy falls towards 50 % as the
    digits become indistinguishable from real ones."""
    predicted = evaluator.predict(digits, batch_size=500, verbose=0).argmax(axis=1)
    n = len(digits)
    cut = int(n * (1 - held_out))
    real = real[np.random.default_rng(seed).permutation(len(real))[:n]]
    x_train = np.concatenate([real[:cut], digits[:cut]])
    x_test = np.concatenate([real[cut:], digits[cut:]])
    y_train = np.repeat(np.int32([1, 0]), [cut, cut])
    y_test = np.repeat(np.int32([1, 0]), [n - cut, n - cut])
    return {"label_preservation": float(np.mean(predicted == labels)),
            "domain_classifier_accuracy": test_accuracy(x_train, y_train, x_test, y_test,
                                                        seed, epochs, classes=2),
            "mean_ink": float(np.mean((digits + 1) / 2))}


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


def earlier_raw_results(path, args, seeds, digest):
    """The raw-digit accuracies and measures of an earlier run with the same synthetic
    digits (the same pixels: the fonts found decide them too), classifier epochs and seeds."""
    with open(path) as f:
        earlier = json.load(f)
    different = [k for k in ("classifier_epochs", "mnist")
                 if earlier["config"][k] != getattr(args, k)]
    if earlier.get("synthetic_sha256") != digest:
        different.append("synthetic digits")
    if different or earlier["classifier_seeds"] != seeds:
        raise ValueError(f"{path} was measured with other settings "
                         f"({different or 'classifier_seeds'}); its raw results do not apply.")
    return earlier["raw_synthetic_accuracies"], earlier["raw_measures"]


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
    parser.add_argument("--pretrain-refiner-steps", type=int, default=0,
                        help="the paper's warm start: R on self-regularisation alone (1000)")
    parser.add_argument("--pretrain-discriminator-steps", type=int, default=0,
                        help="then D alone against those refinements (the paper: 200)")
    parser.add_argument("--classifier-epochs", type=int, default=3)
    parser.add_argument("--max-minutes", type=float, default=12.0,
                        help="stop SimGAN training after this long (the steps done are recorded)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--refiner", default=None,
                        help="measure this trained SimGAN (preset name, preset folder or "
                             ".keras file) instead of training one")
    parser.add_argument("--classifier-seeds", type=int, nargs="+", default=None,
                        help="train each classifier once per seed (default: --seed only)")
    parser.add_argument("--raw-results", default=None,
                        help="reuse the raw-digit accuracies and measures of this earlier "
                             "results.json (same synthetic data and classifier settings)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    start = time.time()

    synthetic, labels = kg.data.synthetic_digits(args.num_synthetic, seed=args.seed)
    digest = hashlib.sha256(synthetic.tobytes() + labels.tobytes()).hexdigest()
    with np.load(args.mnist) as f:
        real = (f["x_train"][..., None] / 127.5 - 1).astype("float32")
        x_test = (f["x_test"][..., None] / 127.5 - 1).astype("float32")
        y_test = f["y_test"].astype("int32")
    print(f"data ready in {time.time() - start:.0f} s", flush=True)

    t0 = time.time()
    if args.refiner:
        gan = kg.load(args.refiner)
        steps_done, train_s, pretrained = None, None, None
    else:
        keras.utils.set_random_seed(args.seed)
        ds = kg.data.load_unpaired(synthetic, real, batch_size=args.batch_size, seed=args.seed)
        gan = kg.models.SimGAN(data_shape=(28, 28, 1), filters=args.filters,
                               num_blocks=args.blocks, seed=args.seed)
        gan.compile(self_regularization=args.self_regularization)
        pretrained = gan.pretrain(ds, args.pretrain_refiner_steps,
                                  args.pretrain_discriminator_steps)
        print(f"pretrained in {time.time() - t0:.0f} s: {pretrained}", flush=True)
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
    evaluator = kg.metrics.load_evaluator("mnist")
    real_measures = {"mean_ink": float(np.mean((real + 1) / 2))}
    if args.raw_results:
        raw, raw_measures = earlier_raw_results(args.raw_results, args, seeds, digest)
    else:
        raw = [test_accuracy(synthetic, labels, x_test, y_test, s, args.classifier_epochs)
               for s in seeds]
        raw_measures = measures(synthetic, labels, real, evaluator, args.seed)
    fine = [test_accuracy(refined, labels, x_test, y_test, s, args.classifier_epochs)
            for s in seeds]
    results = {
        "raw_synthetic_accuracy": float(np.mean(raw)),
        "refined_accuracy": float(np.mean(fine)),
        "raw_synthetic_accuracies": raw, "refined_accuracies": fine,
        "classifier_seeds": seeds,
        "synthetic_sha256": digest,
        "mean_abs_refinement": float(np.abs(refined - synthetic).mean()),
        "raw_measures": raw_measures,
        "refined_measures": measures(refined, labels, real, evaluator, args.seed),
        "real_measures": real_measures,
        "raw_results_from": args.raw_results,
        "refiner": args.refiner,
        "pretrained": pretrained,
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
