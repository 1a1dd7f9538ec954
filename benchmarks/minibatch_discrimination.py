"""Minibatch discrimination on and off: modes covered on the 25-Gaussian grid (issue 6).

The vanilla GAN (non-saturating loss, library defaults) with the MLP players of
``toy_convergence.py`` (latent 2, 3 x 256 units), trained twice with the same seed: once
with the plain discriminator, once with ``kg.layers.MinibatchDiscrimination`` (B kernels of
C numbers) between its last hidden layer and its logit. Evaluated with the protocol of
``toy_convergence.py`` (``kg.metrics.mode_coverage`` on 2,500 samples, seed 12345) every
``--checkpoint-every`` generator steps.

    python benchmarks/minibatch_discrimination.py --steps 10000 --out runs/benchmarks/mbd
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
    p.add_argument("--steps", type=int, default=10_000)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--num-kernels", type=int, default=100)
    p.add_argument("--kernel-dim", type=int, default=5)
    p.add_argument("--checkpoint-every", type=int, default=2500)
    p.add_argument("--modes", nargs="+", choices=("off", "on"), default=["off", "on"])
    p.add_argument("--out", default="runs/benchmarks/mbd")
    return p.parse_args(argv)


def discriminator(args, minibatch):
    x = inputs = keras.Input((2,), name="x")
    for i in range(3):
        x = keras.layers.LeakyReLU(0.2)(keras.layers.Dense(256, name=f"dense_{i}")(x))
    if minibatch:
        x = kg.layers.MinibatchDiscrimination(args.num_kernels, args.kernel_dim)(x)
    return keras.Model(inputs, keras.layers.Dense(1, name="logits")(x), name="discriminator")


def evaluate(model, seed):
    samples = model.generate(2500, seed=seed + 12345)
    if not np.all(np.isfinite(samples)):
        return {"modes_covered": 0, "modes_covered_strict": 0, "high_quality": 0.0,
                "reverse_kl": float("inf")}
    loose = kg.metrics.mode_coverage(samples, "grid25", min_count=1)
    strict = kg.metrics.mode_coverage(samples, "grid25", min_count=20)
    return {"modes_covered": loose["modes_covered"],
            "modes_covered_strict": strict["modes_covered"],
            "high_quality": loose["high_quality"], "reverse_kl": loose["reverse_kl"]}


def run(mode, args):
    keras.utils.set_random_seed(args.seed)
    gen = kg.networks.mlp_generator(2, (2,), hidden_units=(256, 256, 256),
                                    output_activation=None)
    model = kg.models.GAN(generator=gen, discriminator=discriminator(args, mode == "on"))
    model.compile(jit_compile=True)
    ds = kg.data.load("grid25", batch_size=args.batch_size, seed=args.seed,
                      drop_remainder=True).repeat()
    history, done, wall = [], 0, 0.0
    while done < args.steps:
        chunk = min(args.checkpoint_every, args.steps - done)
        t0 = time.perf_counter()
        model.fit(ds, epochs=1, steps_per_epoch=chunk, verbose=0)
        wall += time.perf_counter() - t0
        done += chunk
        entry = {"mode": mode, "step": done, "wall_s": round(wall, 1),
                 **evaluate(model, args.seed)}
        history.append(entry)
        print(json.dumps(entry), flush=True)
        folder = os.path.join(args.out, mode)
        os.makedirs(folder, exist_ok=True)
        model.save(os.path.join(folder, "model.keras"))
    return history


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    results = {mode: run(mode, args) for mode in args.modes}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"config": vars(args), "results": results}, f, indent=1)
    print("| Minibatch discrimination | G steps | Modes (>= 1) | Modes (>= 20) | High quality "
          "| Reverse KL | Wall time |\n|---|---|---|---|---|---|---|")
    for mode, hist in results.items():
        for e in hist:
            print(f"| {mode} | {e['step']:,} | {e['modes_covered']} / 25 | "
                  f"{e['modes_covered_strict']} / 25 | {100 * e['high_quality']:.1f}% | "
                  f"{e['reverse_kl']:.3f} | {e['wall_s'] / 60:.1f} min |")


if __name__ == "__main__":
    main()
