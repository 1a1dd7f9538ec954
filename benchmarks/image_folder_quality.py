"""Sample quality of an image generator against a folder of real images, for data sets
that have no domain evaluator of their own (the anime faces of stylegan2-anime-32).

Features come from the project's ``cifar10`` evaluator (a small CNN trained to classify
CIFAR-10 at 32x32, 86.7% test accuracy; ``zoo/evaluators/cifar10``), the same network the
CIFAR-10 scores use. It was never trained on faces: its features tell colour, layout and
texture statistics apart, not whether a face is well drawn, so read the scores as a
distance between image distributions, comparable between models and checkpoints scored
the same way, and never with published Inception FIDs.

Two measurements:

1. The floor: the real images split at random into two halves (seed 0), one against the
   other. A generator cannot be expected to score better than this.
2. The model: ``generate(N, seed=s)`` batches (``kg.metrics.evaluate``, seed 0) against
   all the real images, with and without truncation.

    python benchmarks/image_folder_quality.py --data runs/data/anime-faces-64 \
        --model runs/stylegan2-anime-32/model.keras --truncation 0.7 \
        --extractor cifar10 anime --out runs/anime-quality

Also the images' colour noise (``colour_noise``: pixel-scale colour speckle) of 2,000
real images and 2,000 samples. Each extractor named gives its own floor and scores (``anime``: a network trained to tell
real faces from degraded ones, ``zoo/evaluators/anime``). ``OUT/results.json`` holds every
score with its protocol, per extractor; ``OUT/preset_metrics.json`` the model's scores in
the form ``keras-gans zoo build --metrics`` takes: the first extractor's under ``scores``
(``scores_truncation_T``), each other's under ``scores in the NAME evaluator`` (``..., truncation
T``).
"""

import argparse
import json
import os
import time

import numpy as np

import keras_gans as kg
from keras_gans.metrics.evaluate import feed, get_metric, reference_images

METRICS = ("fid", "kid", "pr", "dc")


def headline(results):
    """The scores of one evaluation as flat numbers."""
    return {"fid": round(results["fid"]["fid"], 3), "kid": round(results["kid"]["kid"], 5),
            "precision": round(results["pr"]["precision"], 4),
            "recall": round(results["pr"]["recall"], 4),
            "density": round(results["dc"]["density"], 4),
            "coverage": round(results["dc"]["coverage"], 4)}


def colour_noise(images):
    """Root-mean-square of the 3x3 Laplacian of each pixel's colour minus its grey level:
    pixel-scale colour speckle, which the eye sees in ProGAN's hair and which neither
    evaluator's scores single out. Real anime faces: about 0.05."""
    images = np.asarray(images, "float64")
    chroma = images - images.mean(axis=-1, keepdims=True)
    laplacian = (4 * chroma[:, 1:-1, 1:-1] - chroma[:, :-2, 1:-1] - chroma[:, 2:, 1:-1]
                 - chroma[:, 1:-1, :-2] - chroma[:, 1:-1, 2:])
    return round(float(np.sqrt(np.mean(laplacian ** 2))), 4)


def floor(real, extractor, seed=0, batch_size=250):
    """The metrics of one random half of the real images against the other."""
    order = np.random.default_rng(seed).permutation(len(real))
    half = len(real) // 2
    a, b = real[order[:half]], real[order[half:2 * half]]
    metrics = [get_metric(m, extractor=extractor, reference="real half B")
               for m in METRICS]
    feed(metrics, extractor, b, "real", batch_size)
    feed(metrics, extractor, a, "fake", batch_size)
    return {name: m.report() for name, m in zip(METRICS, metrics)}


def metrics_key(extractor_index, extractor_name, truncation):
    """Where ``preset_metrics.json`` files one extractor's scores at one truncation."""
    if extractor_index == 0:
        return "scores" if truncation is None else f"scores_truncation_{truncation:g}"
    key = f"scores in the {extractor_name} evaluator"
    return key if truncation is None else f"{key}, truncation {truncation:g}"


def score_with(extractor_name, model, args, real, label, size):
    """The floor and the model's scores (one entry per truncation) in one extractor's
    features; returns (report, {truncation: headline scores with their protocol})."""
    extractor = kg.metrics.extractors.get(extractor_name)
    report = {"floor": floor(real, extractor)}
    print(f"{extractor_name} floor ({len(real) // 2:,} vs {len(real) // 2:,} real, {label}): "
          f"{headline(report['floor'])}", flush=True)
    scored = {}
    for truncation in [None, *args.truncation] if model is not None else []:
        results = kg.metrics.evaluate(model, METRICS, reference=args.data,
                                      num_samples=args.num_samples, extractor=extractor,
                                      truncation=truncation, ema=model.has_ema)
        report["scores" if truncation is None else f"scores_truncation_{truncation:g}"] = results
        scores = headline(results)
        print(f"{args.model}, {extractor_name} features, truncation {truncation}: {scores}",
              flush=True)
        protocol = results["fid"]["protocol"]
        scored[truncation] = {**scores, "protocol": (
            f"{extractor_name} evaluator features (not Inception: see "
            f"benchmarks/image_folder_quality.py); {protocol['num_fake']:,} samples of "
            f"generate(250, seed=s), s = 1, 2, ... with truncation {truncation} and the "
            f"{'EMA' if model.samples_from_ema else 'raw'} generator, against all "
            f"{protocol['num_real']:,} real images ({label}, resized to "
            f"{size[0]}x{size[1]}); metric parameters "
            f"{ {m: results[m]['protocol']['metric'] for m in METRICS} }; real-data floor "
            f"(half against half): {headline(report['floor'])}")}
    return report, scored


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="folder (or .npz) of real images")
    parser.add_argument("--model", default=None, help="a preset name, folder or .keras file")
    parser.add_argument("--num-samples", type=int, default=10_000)
    parser.add_argument("--truncation", type=float, nargs="*", default=[],
                        help="also score with these truncations (the model's trick)")
    parser.add_argument("--extractor", nargs="+", default=["cifar10"],
                        help="one or more evaluators whose features to score in")
    parser.add_argument("--out", default="runs/image-folder-quality")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    start = time.time()
    report = {"data": args.data, "extractors": {}}
    model = kg.load(args.model) if args.model else None
    size = tuple(model.data_shape[:2]) if model is not None else (32, 32)
    real, label = reference_images(args.data, image_size=size)
    sample = real[np.random.default_rng(0).permutation(len(real))[:2000]]
    report["colour_noise"] = {"real": colour_noise(sample)}
    if model is not None:
        report["colour_noise"]["model"] = colour_noise(model.generate(2000, seed=1))
    print(f"colour noise (2,000 images each): {report['colour_noise']}", flush=True)
    metrics = {}
    for index, name in enumerate(args.extractor):
        report["extractors"][name], scored = score_with(name, model, args, real, label, size)
        for truncation, scores in scored.items():
            metrics[metrics_key(index, name, truncation)] = scores
    report["seconds"] = round(time.time() - start, 1)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(report, f, indent=1, default=str)
    if metrics:
        with open(os.path.join(args.out, "preset_metrics.json"), "w") as f:
            json.dump(metrics, f, indent=1)
    print(f"Done in {report['seconds']} s: {args.out}/results.json", flush=True)


if __name__ == "__main__":
    main()
