"""One-class anomaly detection on MNIST or Fashion-MNIST (issues 6, 20): train a GAN on one
class, score the test set.

For each class d (a digit, or a Fashion-MNIST garment with ``--dataset fashion_mnist``):
a small DCGAN (``--base-filters`` wide, latent 32) is trained on the training images of d
alone for ``--steps`` generator steps (batch 64). Then a fixed random subset of the test set
(``--num-test`` images, seed 0, all classes) is scored with
``kg.metrics.AnomalyScorer``: the discriminator score and the AnoGAN residual (lambda 0.1,
``--inversion-steps`` Adam steps on z). Test images of d are normal, all others anomalies;
the AUROC of each score is reported per class and averaged. The test subset is the one
``anomaly_baselines.py`` scores for the same seed, so the tables sit side by side.

    python benchmarks/anomaly_mnist.py --data ../shared/data/mnist.npz --out runs/benchmarks/anomaly
    python benchmarks/anomaly_mnist.py --dataset fashion_mnist --out runs/benchmarks/anomaly-fashion
"""

import argparse
import json
import os
import time

import keras
import numpy as np

import keras_gans as kg


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", choices=("mnist", "fashion_mnist"), default="mnist",
                   help="names the default --data file; the protocol is the same")
    p.add_argument("--data", default=None,
                   help="keras.datasets-layout npz (default ../shared/data/<dataset>.npz)")
    p.add_argument("--digits", type=int, nargs="+", default=list(range(10)))
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--base-filters", type=int, default=16)
    p.add_argument("--latent-dim", type=int, default=32)
    p.add_argument("--num-test", type=int, default=2000)
    p.add_argument("--inversion-steps", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="runs/benchmarks/anomaly")
    args = p.parse_args(argv)
    args.data = args.data or os.path.join("..", "shared", "data", f"{args.dataset}.npz")
    return args


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    data = np.load(args.data)
    x_train, y_train = data["x_train"], data["y_train"]
    rng = np.random.default_rng(args.seed)
    pick = rng.choice(len(data["x_test"]), args.num_test, replace=False)
    x_test = data["x_test"][pick].astype("float32")[..., None] / 127.5 - 1.0
    y_test = data["y_test"][pick]
    results_path = os.path.join(args.out, "results.json")
    results = []
    for digit in args.digits:
        keras.utils.set_random_seed(args.seed)
        t0 = time.perf_counter()
        shape = (28, 28, 1)
        model = kg.models.DCGAN(
            generator=kg.networks.dcgan_generator(args.latent_dim, shape,
                                                  base_filters=args.base_filters),
            discriminator=kg.networks.dcgan_discriminator(shape,
                                                          base_filters=args.base_filters))
        model.compile()
        ds = kg.data.from_arrays(x_train[y_train == digit][..., None], 64, seed=args.seed,
                                 drop_remainder=True).repeat()
        hist = model.fit(ds, epochs=1, steps_per_epoch=args.steps, verbose=0)
        train_s = time.perf_counter() - t0
        scorer = kg.metrics.AnomalyScorer(model, steps=args.inversion_steps, seed=args.seed)
        t1 = time.perf_counter()
        anomalous = (y_test != digit).astype(int)
        d_score = scorer.score(x_test, method="discriminator", batch_size=500)
        r_score = scorer.score(x_test, method="residual", batch_size=500)
        entry = {"digit": digit, "auroc_discriminator": kg.metrics.auroc(d_score, anomalous),
                 "auroc_residual": kg.metrics.auroc(r_score, anomalous),
                 "train_s": round(train_s, 1), "score_s": round(time.perf_counter() - t1, 1),
                 "d_loss": float(hist.history["d_loss"][-1]),
                 "g_loss": float(hist.history["g_loss"][-1])}
        results.append(entry)
        print(json.dumps(entry), flush=True)
        kg.utils.save_grid(model.generate(16, seed=0),
                           os.path.join(args.out, f"samples_{digit}.png"))
        with open(results_path, "w") as f:
            json.dump({"config": vars(args), "results": results}, f, indent=1)
    mean_d = float(np.mean([r["auroc_discriminator"] for r in results]))
    mean_r = float(np.mean([r["auroc_residual"] for r in results]))
    print("| Digit | AUROC (discriminator) | AUROC (AnoGAN residual) |\n|---|---|---|")
    for r in results:
        print(f"| {r['digit']} | {r['auroc_discriminator']:.3f} | {r['auroc_residual']:.3f} |")
    print(f"| mean | {mean_d:.3f} | {mean_r:.3f} |")


if __name__ == "__main__":
    main()
