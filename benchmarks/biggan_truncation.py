"""BigGAN's truncation trade-off, with and without standing statistics: for each threshold,
the samples' FID and precision/recall in the ``cifar10`` evaluator's features, the share
drawn as the requested class, the rarest class's share and the pixel standard deviation.

    python benchmarks/biggan_truncation.py --model biggan-cifar10 --data-dir ../shared/data

Samples: ``generate(250, seed=s, truncation=t, standing_statistics=...)`` for s = 1, 2, ...
(labels cycling through the classes, so every class is requested equally), as
``kg.metrics.evaluate`` draws them; reference: the CIFAR-10 training split (all of it for
FID, a uniform 10,000 for precision/recall), its features computed once. The paper's
reading of the trick: smaller thresholds trade variety (recall) for typical samples
(precision, class accuracy); with the training run's moving batch-norm averages instead
of standing statistics, small thresholds also shrink every image toward grey.
"""

import argparse
import json
import os
import time

import numpy as np

import keras_gans as kg
from keras_gans.metrics.evaluate import get_metric, reference_images


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="biggan-cifar10", help="a preset, folder or .keras file")
    p.add_argument("--data-dir", default=None, help="folder holding the CIFAR-10 archive")
    p.add_argument("--num-samples", type=int, default=5000)
    p.add_argument("--thresholds", nargs="+", default=["none", "2", "1", "0.5", "0.25"],
                   help="truncation thresholds; 'none' for untruncated latents")
    p.add_argument("--out", default="runs/benchmarks/biggan_truncation")
    return p.parse_args(argv)


def real_features(extractor, data_dir, batch_size=250):
    """Features and logits of the CIFAR-10 training split, once for every setting."""
    real, label = reference_images("cifar10", "train", data_dir=data_dir)
    outs = [extractor(real[i:i + batch_size], batch_size=batch_size)
            for i in range(0, len(real), batch_size)]
    return (np.concatenate([o["features"] for o in outs]),
            np.concatenate([o["logits"] for o in outs]), label)


def score(model, extractor, real, truncation, standing, num_samples, batch_size=250):
    features, logits, _ = real
    metrics = [get_metric("fid", extractor=extractor), get_metric("pr", extractor=extractor)]
    for m in metrics:
        m.update_features("real", features, logits)
    correct, predicted, pixel_sd = 0, [], []
    for i in range(0, num_samples, batch_size):
        n = min(batch_size, num_samples - i)
        x = model.generate(n, seed=1 + i // batch_size, truncation=truncation,
                           standing_statistics=standing)
        out = extractor(x, batch_size=batch_size)
        for m in metrics:
            m.update_features("fake", out["features"], out["logits"])
        guess = np.argmax(out["logits"], axis=1)
        correct += int(np.sum(guess == np.arange(n) % model.num_classes))
        predicted.append(guess)
        pixel_sd.append(float(np.std(x)))
    shares = np.bincount(np.concatenate(predicted), minlength=model.num_classes) / num_samples
    fid, pr = (m.report() for m in metrics)
    return {"truncation": truncation, "standing_statistics": standing,
            "fid": round(fid["fid"], 3), "precision": round(pr["precision"], 4),
            "recall": round(pr["recall"], 4),
            "label_accuracy": round(correct / num_samples, 4),
            "rarest_class_share": round(float(shares.min()), 4),
            "pixel_sd": round(float(np.mean(pixel_sd)), 4)}


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    start = time.time()
    model = kg.load(args.model)
    extractor = kg.metrics.extractors.get("cifar10")
    real = real_features(extractor, args.data_dir)
    rows = []
    print("| truncation | standing statistics | FID | precision | recall | requested class "
          "| rarest class | pixel s.d. |\n|---|---|---|---|---|---|---|---|", flush=True)
    for text in args.thresholds:
        truncation = None if text.lower() == "none" else float(text)
        for standing in (True, False):
            r = score(model, extractor, real, truncation, standing, args.num_samples)
            rows.append(r)
            print(f"| {text} | {'yes' if standing else 'no'} | {r['fid']:.2f} | "
                  f"{r['precision']:.3f} | {r['recall']:.3f} | {100 * r['label_accuracy']:.1f}% "
                  f"| {100 * r['rarest_class_share']:.1f}% | {r['pixel_sd']:.3f} |", flush=True)
    report = {"model": args.model, "reference": real[2], "num_samples": args.num_samples,
              "extractor": "cifar10", "rows": rows, "seconds": round(time.time() - start, 1)}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(f"Done in {report['seconds']} s: {args.out}/results.json", flush=True)


if __name__ == "__main__":
    main()
