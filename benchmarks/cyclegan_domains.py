"""CycleGAN (issue 8): how often are translated images classified as their target domain?

1. A domain classifier, a small CNN, learns to tell X from Y on a seeded 80% of the real
   images of both folders; its accuracy is measured on the other 20%.
2. The CycleGAN (a preset name, preset folder or ``.keras`` file) translates those held-out
   images: X -> Y with G, Y -> X with F.
3. Reported: the share of G(x) the classifier calls Y, the share of F(y) it calls X, and,
   for reference, the share of the untranslated held-out images it puts in the other
   domain (its own error), each as the mean over classifier seeds.

The held-out images are held out from the classifier only: the CycleGAN recipes train on
every image of both folders.

    python benchmarks/cyclegan_domains.py --x runs/data/daisy --y runs/data/sunflower \\
        --model cyclegan-daisy2sunflower --classifier-seeds 0 1 2

``OUT/preset_metrics.json`` holds the result in the form ``tools/make_preset.py build
--metrics`` takes.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # noqa: E402

import keras_gans as kg  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--x", required=True, help="image folder of domain X")
    p.add_argument("--y", required=True, help="image folder of domain Y")
    p.add_argument("--model", required=True, help="CycleGAN preset name, folder or .keras file")
    p.add_argument("--image-size", type=int, default=64)
    p.add_argument("--held-out", type=float, default=0.2)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--classifier-seeds", type=int, nargs="+", default=[0])
    p.add_argument("--split-seed", type=int, default=0)
    p.add_argument("--out", default="runs/benchmarks/cyclegan_domains")
    return p.parse_args(argv)


def load_folder(path, size):
    ds = kg.data.load(path, batch_size=256, image_size=size, shuffle=False)
    return np.concatenate([np.asarray(b) for b in ds])


def split(n, fraction, rng):
    order = rng.permutation(n)
    cut = int(round(n * fraction))
    return order[cut:], order[:cut]


def domain_classifier(shape, seed):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input(shape),
        keras.layers.RandomFlip("horizontal"),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(128, 3, activation="relu"), keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dropout(0.3), keras.layers.Dense(1),
    ])


def is_y(classifier, images):
    return classifier.predict(images, batch_size=256, verbose=0)[:, 0] > 0


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    start = time.time()
    x, y = load_folder(args.x, args.image_size), load_folder(args.y, args.image_size)
    rng = np.random.default_rng(args.split_seed)
    x_train, x_test = split(len(x), args.held_out, rng)
    y_train, y_test = split(len(y), args.held_out, rng)
    x_test, y_test = x[x_test], y[y_test]
    train_images = np.concatenate([x[x_train], y[y_train]])
    train_labels = np.concatenate([np.zeros(len(x_train)), np.ones(len(y_train))])

    model = kg.load(args.model)
    fake_y = model.translate(x_test, "x2y")
    fake_x = model.translate(y_test, "y2x")

    runs = []
    for seed in args.classifier_seeds:
        clf = domain_classifier(x.shape[1:], seed)
        clf.compile(keras.optimizers.Adam(1e-3),
                    keras.losses.BinaryCrossentropy(from_logits=True))
        clf.fit(train_images, train_labels.astype("float32"), batch_size=32,
                epochs=args.epochs, shuffle=True, verbose=0)
        x_as_y, y_as_y = is_y(clf, x_test), is_y(clf, y_test)
        runs.append({
            "seed": seed,
            "classifier_accuracy": float((np.sum(~x_as_y) + np.sum(y_as_y))
                                         / (len(x_test) + len(y_test))),
            "x2y_classified_as_y": float(np.mean(is_y(clf, fake_y))),
            "y2x_classified_as_x": float(np.mean(~is_y(clf, fake_x))),
            "untranslated_x_classified_as_y": float(np.mean(x_as_y)),
            "untranslated_y_classified_as_x": float(np.mean(~y_as_y)),
        })
        print(json.dumps(runs[-1]), flush=True)

    def mean(key):
        return round(float(np.mean([r[key] for r in runs])), 4)

    def std(key):
        return round(float(np.std([r[key] for r in runs], ddof=1)), 4) if len(runs) > 1 else None

    keys = [k for k in runs[0] if k != "seed"]
    results = {"runs": runs, **{k: mean(k) for k in keys}, **{k + "_std": std(k) for k in keys},
               "held_out": {"x": len(x_test), "y": len(y_test)},
               "seconds": round(time.time() - start, 1), "config": vars(args)}
    print(json.dumps({k: v for k, v in results.items() if k != "runs"}, indent=2), flush=True)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    protocol = (f"a small CNN (conv 32-64-128 with max pooling, global average pooling, "
                f"dropout 0.3, one logit; horizontal flips; Adam(1e-3), batch 32, {args.epochs} "
                f"epochs) trained to tell {args.x} (X) from {args.y} (Y) on a seeded "
                f"{100 - 100 * args.held_out:.0f}% of each at {args.image_size}x"
                f"{args.image_size}; the other {len(x_test)} X and {len(y_test)} Y images are "
                f"translated and classified; means (sample std) over classifier seeds "
                f"{args.classifier_seeds}; the CycleGAN trained on all images; "
                f"benchmarks/cyclegan_domains.py")
    metrics = {"target_domain_rate": {
        "x2y_classified_as_y": mean("x2y_classified_as_y"),
        "y2x_classified_as_x": mean("y2x_classified_as_x"),
        "untranslated_x_classified_as_y": mean("untranslated_x_classified_as_y"),
        "untranslated_y_classified_as_x": mean("untranslated_y_classified_as_x"),
        "classifier_accuracy": mean("classifier_accuracy"),
        "protocol": protocol}}
    with open(os.path.join(args.out, "preset_metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)


if __name__ == "__main__":
    main()
