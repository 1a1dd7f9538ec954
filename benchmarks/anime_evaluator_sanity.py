"""Sanity check of the ``anime`` evaluator (issue 18): FID and KID in its features, beside
the ``cifar10`` evaluator's, for sets whose ranking is known in advance.

Reference: every training face (the evaluator's train split, 32x32). Scored against it:

- the held-out faces (the floor: real against real);
- the held-out faces with Gaussian noise (std 0.05 and 0.1), blurred (Gaussian, sigma 1.2),
  and shrunk to 16x16 and back (a loss of detail the evaluator was not trained on);
- ``generate(250, seed=s)`` samples (s = 1, 2, ...) of the ``stylegan2-anime-32`` preset
  (EMA generator): as many as the held-out faces, the same with truncation 0.7, and 10,000.

    python benchmarks/anime_evaluator_sanity.py --data-dir ../shared/data \\
        --out runs/anime-evaluator-sanity

``OUT/results.json`` holds every score with its protocol.
"""

import argparse
import json
import os
import time

import numpy as np
import tensorflow as tf

import keras_gans as kg
from keras_gans.metrics import degradations, evaluators
from keras_gans.metrics.evaluate import feed

EXTRACTORS = ("anime", "cifar10")


def degraded_sets(x, seed=0):
    """The held-out faces and altered copies of them, in [-1, 1]."""
    rng = np.random.default_rng(seed)
    blur = degradations.gaussian_blur(tf.constant(x)).numpy()
    small = tf.image.resize(x, (16, 16), method="bilinear", antialias=True)
    coarse = tf.clip_by_value(tf.image.resize(small, (32, 32), method="bilinear"), -1, 1)
    return {
        "real held-out (the floor)": x,
        "held-out + noise, std 0.05": np.clip(x + 0.05 * rng.standard_normal(x.shape), -1, 1),
        "held-out + noise, std 0.1": np.clip(x + 0.1 * rng.standard_normal(x.shape), -1, 1),
        "held-out, blurred (sigma 1.2)": blur,
        "held-out, 16x16 and back (not a training degradation)": coarse.numpy(),
    }


def generated(model, num, truncation=None):
    sampling = model.sampling_options(truncation=truncation, ema=model.has_ema)
    return np.concatenate([model.generate(min(250, num - i), seed=1 + i // 250, **sampling)
                           for i in range(0, num, 250)])


def score(extractor, reference_feats, images, label):
    metrics = [kg.metrics.FID(extractor=extractor, reference="anime:train"),
               kg.metrics.KID(extractor=extractor, reference="anime:train")]
    for m in metrics:
        m.update_features("real", reference_feats["features"], reference_feats["logits"])
    feed(metrics, extractor, images.astype("float32"), "fake")
    fid, kid = (m.report() for m in metrics)
    return {"set": label, "num_fake": len(images), "fid": round(fid["fid"], 4),
            "kid": round(kid["kid"], 5), "protocol": fid["protocol"]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--model", default="stylegan2-anime-32")
    parser.add_argument("--num-large", type=int, default=10_000)
    parser.add_argument("--out", default="runs/anime-evaluator-sanity")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    start = time.time()
    train, _ = evaluators.load_reference_arrays("anime", "train", args.data_dir)
    test, _ = evaluators.load_reference_arrays("anime", "test", args.data_dir)
    train, test = evaluators.to_unit_range(train), evaluators.to_unit_range(test)
    sets = degraded_sets(test)
    model = kg.load(args.model)
    n = len(test)
    sets[f"{args.model}, {n:,} samples"] = generated(model, n)
    sets[f"{args.model}, {args.num_large:,} samples"] = generated(model, args.num_large)
    sets[f"{args.model}, truncation 0.7, {n:,} samples"] = generated(model, n, truncation=0.7)
    rows = {label: {} for label in sets}
    for name in EXTRACTORS:
        extractor = kg.metrics.extractors.get(name)
        reference = extractor(train, batch_size=500)
        for label, images in sets.items():
            rows[label][name] = score(extractor, reference, images, label)
            print(f"{name:8s} {label}: FID {rows[label][name]['fid']:.4f}, "
                  f"KID {rows[label][name]['kid']:.5f}", flush=True)
    report = {"num_train": len(train), "num_test": n, "rows": rows,
              "seconds": round(time.time() - start, 1)}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(report, f, indent=1, default=str)
    print(f"| set | n | FID anime | KID anime | FID cifar10 | KID cifar10 |")
    for label, r in rows.items():
        a, c = r["anime"], r["cifar10"]
        print(f"| {label} | {a['num_fake']:,} | {a['fid']:.3f} | {a['kid']:.4f} | "
              f"{c['fid']:.3f} | {c['kid']:.4f} |")
    print(f"Done in {report['seconds']} s: {args.out}/results.json", flush=True)


if __name__ == "__main__":
    main()
