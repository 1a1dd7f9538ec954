"""Quality floor: the scores of real data against real data (test split as the "generated"
set, train split as the reference) in each domain evaluator's feature space. A generator
cannot be expected to beat these numbers with the same sample counts.

    taskset -c 1 python benchmarks/quality_floor.py mnist [--data-dir DIR]

Writes benchmarks/results/quality_floor_<name>.json (scores with their protocol).
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import keras_gans as kg  # noqa: E402
from keras_gans.metrics import evaluators  # noqa: E402
from keras_gans.metrics.evaluate import feed, get_metric, reference_images  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("name", choices=list(evaluators.EVALUATORS))
    p.add_argument("--data-dir", default=None)
    p.add_argument("--out", default="benchmarks/results")
    args = p.parse_args()

    start = time.time()
    extractor = kg.metrics.ClassifierExtractor(args.name)
    train, train_label = reference_images(args.name, "train", data_dir=args.data_dir)
    test, test_label = reference_images(args.name, "test", data_dir=args.data_dir)
    metrics = {m: get_metric(m, extractor=extractor, reference=train_label)
               for m in ("fid", "kid", "pr", "dc", "is")}
    feed(metrics.values(), extractor, train, "real", batch_size=500)
    feed(metrics.values(), extractor, test, "fake", batch_size=500)
    results = {name: m.report() for name, m in metrics.items()}
    for r in results.values():
        r["protocol"]["generated"] = f"{test_label} (real images in place of generated ones)"

    if args.name == "mnist":
        # Stacked MNIST from real test digits: 26,000 images as in PacGAN.
        x, _ = reference_images("mnist", "test", data_dir=args.data_dir)
        stacked, _ = kg.metrics.make_stacked_mnist(x, 26_000, seed=0)
        digits = kg.metrics.classify_stacked_mnist(stacked, extractor.classifier)
        modes = kg.metrics.stacked_mnist_modes(digits)
        modes.pop("counts")
        modes["protocol"] = {"classifier": extractor.name,
                             "classifier_sha256": extractor.weights_sha256,
                             "images": "26,000 stacks of 3 independent uniform draws from "
                                       "mnist:test (seed 0)"}
        results["stacked_mnist"] = modes

    results["seconds"] = round(time.time() - start, 1)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"quality_floor_{args.name}.json")
    with open(path, "w") as f:
        json.dump(results, f, indent=2)
    print(json.dumps({k: {kk: vv for kk, vv in v.items() if kk != "protocol"}
                      if isinstance(v, dict) else v for k, v in results.items()}, indent=1))


if __name__ == "__main__":
    main()
