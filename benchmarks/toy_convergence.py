"""Mode-coverage convergence benchmark on the 2-D toy mixtures (issue 2).

Trains the vanilla GAN (non-saturating loss; optionally the minimax loss) and WGAN-GP on
``grid25`` (and ``ring8``) with the same MLP architecture, then evaluates each generator
with the VEEGAN/PacGAN protocol of ``kg.metrics.mode_coverage``: 2,500 samples, a sample
is high quality when it lies within 3 standard deviations of its nearest mode, a mode is
covered when at least ``min_count`` high-quality samples fall to it.

Writes, under ``--out`` (default ``runs/benchmarks/toy``):

* ``<toy>_<model>/model.keras``: the model, saved every ``--checkpoint-every`` generator
  steps; with ``--resume`` a run continues from it (``state.json`` holds the step count);
* ``<toy>_<model>/samples.png``: scatter plot of the 2,500 samples over the mode centres;
* ``<toy>_<model>/history.json``: metrics at each checkpoint;
* ``results.json``: the final metrics of every run, and a markdown table on stdout.

Example::

    python benchmarks/toy_convergence.py --models gan wgan_gp --toys grid25 ring8 \\
        --steps 10000 --batch-size 256 --seed 0
"""

import argparse
import json
import os
import platform
import time

import numpy as np

import keras_gans as kg
import keras

MODELS = ("gan", "gan_minimax", "wgan_gp")
LABELS = {"gan": "GAN (non-saturating)", "gan_minimax": "GAN (minimax)", "wgan_gp": "WGAN-GP"}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--models", nargs="+", choices=MODELS, default=["gan", "wgan_gp"])
    p.add_argument("--toys", nargs="+", choices=("grid25", "ring8"), default=["grid25"])
    p.add_argument("--steps", type=int, default=10_000, help="generator steps per run")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--latent-dim", type=int, default=2)
    p.add_argument("--hidden", type=int, nargs="+", default=[256, 256, 256],
                   help="hidden units of both G and D (same for every model)")
    p.add_argument("--gan-lr", type=float, default=None,
                   help="Adam learning rate of both GAN players (default: the library's "
                        "paper default, Adam(2e-4, beta_1=0.5))")
    p.add_argument("--wgan-lr", type=float, default=None,
                   help="Adam learning rate of both WGAN-GP players (default: the library's "
                        "paper default, Adam(1e-4, 0.5, 0.9))")
    p.add_argument("--num-samples", type=int, default=2500)
    p.add_argument("--strict-min-count", type=int, default=20)
    p.add_argument("--checkpoint-every", type=int, default=2000,
                   help="generator steps between checkpoints / evaluations")
    p.add_argument("--jit-compile", action="store_true",
                   help="compile the train step with XLA (Keras' 'auto' does not on CPU)")
    p.add_argument("--resume", action="store_true",
                   help="continue runs from their last model.keras checkpoint")
    p.add_argument("--out", default="runs/benchmarks/toy")
    return p.parse_args(argv)


def build_model(name, args):
    hidden = tuple(args.hidden)
    generator = kg.networks.mlp.mlp_generator(args.latent_dim, (2,), hidden_units=hidden,
                                              output_activation=None)
    discriminator = kg.networks.mlp.mlp_discriminator((2,), hidden_units=hidden)
    if name == "wgan_gp":
        model = kg.models.WGANGP(data_shape=(2,), latent_dim=args.latent_dim,
                                 generator=generator, discriminator=discriminator)
        opts = {}
        if args.wgan_lr is not None:
            opts = {"d_optimizer": keras.optimizers.Adam(args.wgan_lr, 0.5, 0.9),
                    "g_optimizer": keras.optimizers.Adam(args.wgan_lr, 0.5, 0.9)}
        model.compile(jit_compile=args.jit_compile, **opts)
    else:
        model = kg.models.GAN(data_shape=(2,), latent_dim=args.latent_dim,
                              generator=generator, discriminator=discriminator)
        opts = {}
        if args.gan_lr is not None:
            opts = {"d_optimizer": keras.optimizers.Adam(args.gan_lr, beta_1=0.5),
                    "g_optimizer": keras.optimizers.Adam(args.gan_lr, beta_1=0.5)}
        loss = "minimax" if name == "gan_minimax" else "non_saturating"
        model.compile(loss=loss, jit_compile=args.jit_compile, **opts)
    return model


def evaluate(model, toy, args):
    samples = model.generate(args.num_samples, seed=args.seed + 12345)
    if not np.all(np.isfinite(samples)):
        return samples, {"modes_covered": 0, "modes_covered_strict": 0,
                         "num_modes": kg.data.toy.get(toy).num_modes, "high_quality": 0.0,
                         "reverse_kl": float("inf"), "counts": [], "nonfinite": True}
    loose = kg.metrics.mode_coverage(samples, toy, min_count=1)
    strict = kg.metrics.mode_coverage(samples, toy, min_count=args.strict_min_count)
    result = dict(loose)
    result["modes_covered_strict"] = strict["modes_covered"]
    return samples, result


def run_one(name, toy, args):
    folder = os.path.join(args.out, f"{toy}_{name}")
    os.makedirs(folder, exist_ok=True)
    ckpt = os.path.join(folder, "model.keras")
    state_path = os.path.join(folder, "state.json")
    hist_path = os.path.join(folder, "history.json")

    keras.utils.set_random_seed(args.seed)
    done, wall, history = 0, 0.0, []
    if args.resume and os.path.exists(ckpt) and os.path.exists(state_path):
        with open(state_path) as f:
            state = json.load(f)
        done, wall = state["steps"], state["wall_s"]
        with open(hist_path) as f:
            history = json.load(f)
        model = keras.saving.load_model(ckpt)
        # Reseed so that a resumed run does not replay the noise of its first steps.
        keras.utils.set_random_seed(args.seed + done)
        print(f"[{toy}/{name}] resumed at generator step {done}", flush=True)
    else:
        model = build_model(name, args)
    print(f"[{toy}/{name}] {model.summary_line()}", flush=True)

    # Data: 100,000 points of the mixture, reshuffled every pass, repeated forever.
    ds = kg.data.load(toy, batch_size=args.batch_size, seed=args.seed,
                      drop_remainder=True).repeat()

    while done < args.steps:
        chunk = min(args.checkpoint_every, args.steps - done)
        t0 = time.perf_counter()
        hist = model.fit(ds, epochs=1, steps_per_epoch=chunk, verbose=0)
        wall += time.perf_counter() - t0
        done += chunk
        _, res = evaluate(model, toy, args)
        logs = {k: float(v[-1]) for k, v in hist.history.items()}
        entry = {"step": done, "wall_s": round(wall, 1), **logs,
                 **{k: v for k, v in res.items() if k != "counts"}}
        history.append(entry)
        print(f"[{toy}/{name}] step {done}/{args.steps} ({wall:.0f}s): "
              f"modes {res['modes_covered']}/{res['num_modes']} "
              f"(>= {args.strict_min_count}: {res['modes_covered_strict']}), "
              f"hq {res['high_quality']:.3f}, rkl {res['reverse_kl']:.3f}, "
              f"d_loss {logs.get('d_loss', float('nan')):.3f}, "
              f"g_loss {logs.get('g_loss', float('nan')):.3f}", flush=True)
        model.save(ckpt)
        with open(hist_path, "w") as f:
            json.dump(history, f, indent=1)
        with open(state_path, "w") as f:
            json.dump({"steps": done, "wall_s": wall}, f)

    samples, res = evaluate(model, toy, args)
    centers = kg.data.toy.get(toy).centers
    extent = (-5, 5) if toy == "grid25" else (-1.5, 1.5)
    kg.utils.save_scatter(samples, os.path.join(folder, "samples.png"), extent=extent,
                          reference=centers)
    res.update({"model": name, "toy": toy, "steps": done, "wall_s": round(wall, 1),
                "s_per_step": round(wall / max(done, 1), 4)})
    return res


def table(results, args):
    lines = [
        f"| Toy | Model | Modes covered (>= 1) | Modes covered (>= {args.strict_min_count}) "
        f"| High quality (within 3 std) | Reverse KL (nats) | G steps | Wall time |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['toy']} | {LABELS[r['model']]} | {r['modes_covered']} / {r['num_modes']} "
            f"| {r['modes_covered_strict']} / {r['num_modes']} | {100 * r['high_quality']:.1f}% "
            f"| {r['reverse_kl']:.3f} | {r['steps']:,} | {r['wall_s'] / 60:.1f} min |")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    results_path = os.path.join(args.out, "results.json")
    results = []
    for toy in args.toys:
        for name in args.models:
            results.append(run_one(name, toy, args))
            with open(results_path, "w") as f:
                json.dump({"config": vars(args), "machine": platform.processor() or
                           platform.machine(), "results": results}, f, indent=1)
    print()
    print(table(results, args))
    print(f"\nResults: {results_path}")


if __name__ == "__main__":
    main()
