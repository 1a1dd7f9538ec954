"""Stacked MNIST mode coverage (issue 19): DCGAN, its minibatch features and PacGAN packing.

The protocol of VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018, Table 3):
each training image stacks three MNIST training digits, drawn independently and uniformly,
as its R, G and B channels, so the data has 10^3 = 1,000 equally likely modes. The
training set holds ``--train-size`` such images (the papers: 128,000). After training,
26,000 samples are generated, every channel is read by the project's ``mnist`` evaluator
(``kg.metrics.classify_stacked_mnist``), and two numbers are reported
(``kg.metrics.stacked_mnist_modes``): the modes with at least one sample (out of 1,000) and
KL(generated mode histogram || uniform over the 1,000 modes), in nats. Since a half-formed
digit is read as some digit too, the share of channels the evaluator reads with probability
>= 0.9, and the modes covered by the samples whose three channels are all so read, are
reported beside them (not part of the papers' protocol).

Within one ``--networks`` setting (below) every configuration shares the generator, the
optimizers, the batch size, the number of steps and the seed; only the discriminator
differs:

* ``dcgan``: ``kg.networks.dcgan_discriminator``;
* ``dcgan-mbd``: the same with minibatch discrimination (Salimans et al. 2016);
* ``dcgan-stddev``: the same with a minibatch standard deviation feature (Karras et al.);
* ``pacgan2`` / ``pacgan3``: the plain discriminator built for 2 (3) samples concatenated
  along the channel axis, via the shared loop's ``compile(pack=m)``: the batch (real and
  generated alike) is cut into packs of m consecutive samples, so D judges batch / m packs
  (the batch is rounded down to a multiple of m: 63 for m = 3).

``--networks`` picks the two networks and their game:

* ``dcgan`` (default): the library's DCGAN networks (``--base-filters`` wide) and game
  (Adam 2e-4, beta_1 0.5, latent 100);
* ``unrolled-d1/4`` and ``unrolled-d1/2``: the small networks of the Unrolled GAN paper's
  Stacked MNIST experiment (Metz et al. 2017; PacGAN repeats it with packing),
  in which a plain DCGAN collapses: G maps a 256-d normal latent through a 4x4x64 dense
  projection and 3x3 transposed convolutions to 7x7x32, 14x14x16, 28x28x8, then a 3x3
  convolution to 3 channels; D has three 3x3 stride-2 convolutions of 2, 4, 8 (D = 1/4)
  or 4, 8, 16 (D = 1/2) maps, each batch-normalised with leaky ReLU 0.3, and one dense
  logit. Adam with D at 2e-4 and G at 1e-4, betas (0.5, 0.99), batch 128 (pass
  ``--batch-size 128``).

Results go to ``--out`` (default ``runs/benchmarks/stacked_mnist``): ``results.json``
(one row per configuration and seed, written as each finishes; a rerun skips the rows
already there) and ``<config>/seed<k>/model.keras``. A markdown table goes to stdout.
``--rescore`` adds the confidence columns to rows written without them, from their saved
models and the same samples.

    python benchmarks/stacked_mnist.py --data ../shared/data/mnist.npz --steps 3000 \\
        --configs dcgan dcgan-mbd dcgan-stddev pacgan2 --seeds 0 1
"""

import argparse
import json
import os
import platform
import time

import keras
import numpy as np
import tensorflow as tf

import keras_gans as kg

CONFIGS = ("dcgan", "dcgan-mbd", "dcgan-stddev", "pacgan2", "pacgan3")
LABELS = {"dcgan": "DCGAN", "dcgan-mbd": "DCGAN + minibatch discrimination",
          "dcgan-stddev": "DCGAN + minibatch stddev", "pacgan2": "PacGAN2 (DCGAN, pack 2)",
          "pacgan3": "PacGAN3 (DCGAN, pack 3)"}
SHAPE = (28, 28, 3)
NETWORKS = ("dcgan", "unrolled-d1/4", "unrolled-d1/2")
UNROLLED_LATENT = 256


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--data",
                   help="MNIST as an .npz with x_train (60000, 28, 28) uint8, e.g. "
                        "../shared/data/mnist.npz")
    p.add_argument("--configs", nargs="+", choices=CONFIGS,
                   default=["dcgan", "dcgan-mbd", "dcgan-stddev", "pacgan2"])
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--steps", type=int, default=3000, help="generator steps per run")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--networks", choices=NETWORKS, default="dcgan",
                   help="the networks and game: the library's DCGAN, or the Unrolled GAN "
                        "paper's small G with D at 1/4 or 1/2 of its size")
    p.add_argument("--base-filters", type=int, default=64,
                   help="width of G's last and D's first convolution stage (--networks dcgan)")
    p.add_argument("--train-size", type=int, default=128_000,
                   help="stacked training images (VEEGAN and PacGAN use 128,000)")
    p.add_argument("--num-samples", type=int, default=26_000,
                   help="generated samples scored (VEEGAN and PacGAN use 26,000)")
    p.add_argument("--eval-every", type=int, default=0, metavar="STEPS",
                   help="also score the samples every STEPS generator steps during training "
                        "(the row's `curve`); 0: only at the end")
    p.add_argument("--evaluator", default="mnist",
                   help="the grey-digit classifier reading each channel")
    p.add_argument("--out", default="runs/benchmarks/stacked_mnist")
    p.add_argument("--score", metavar="MODEL",
                   help="score one trained model (a .keras file, e.g. a recipe run's "
                        "model.keras) with the protocol above, write its metrics as "
                        "`keras-gans zoo build --metrics` reads them to OUT/metrics.json, "
                        "then stop")
    p.add_argument("--rescore", action="store_true",
                   help="add the confidence columns to rows of results.json that lack them "
                        "(from their saved models), then stop")
    return p.parse_args(argv)


def load_mnist_digits(path):
    """The MNIST training digits (60000, 28, 28) uint8 of an .npz file."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"No MNIST file at {path}. Pass --data with the path of an "
                                f".npz holding x_train, e.g. ../shared/data/mnist.npz.")
    with np.load(path) as f:
        if "x_train" not in f:
            raise ValueError(f"{path} has no 'x_train' array (it holds {sorted(f.files)}); "
                             f"pass the MNIST .npz with x_train (60000, 28, 28) uint8.")
        digits = f["x_train"]
    if digits.ndim == 4 and digits.shape[-1] == 1:
        digits = digits[..., 0]
    if digits.ndim != 3:
        raise ValueError(f"Expected grey digits (n, 28, 28); {path} holds {digits.shape}.")
    return digits


def stacked_dataset(digits, train_size, batch_size, seed):
    """An endless shuffled data set of ``train_size`` stacked images in [-1, 1], drawn as
    ``kg.metrics.make_stacked_mnist`` draws them and gathered per batch."""
    return kg.data.stacked_mnist.from_digits(digits, num=train_size, batch_size=batch_size,
                                             seed=seed, drop_remainder=True, repeat=True)


def pack_of(config):
    return int(config[len("pacgan"):]) if config.startswith("pacgan") else 1


def batch_size_of(config, args):
    """``--batch-size``, rounded down to a multiple of the pack size (63 for pack 3)."""
    return args.batch_size - args.batch_size % pack_of(config)


def build_model(config, args):
    pack = pack_of(config)
    minibatch = {"dcgan-mbd": "discrimination", "dcgan-stddev": "stddev"}.get(config)
    d_shape = (*SHAPE[:-1], SHAPE[-1] * pack)
    if args.networks == "dcgan":
        generator = kg.networks.dcgan_generator(100, SHAPE, base_filters=args.base_filters)
        discriminator = kg.networks.dcgan_discriminator(
            d_shape, base_filters=args.base_filters, minibatch=minibatch)
        model = kg.models.DCGAN(data_shape=SHAPE, generator=generator,
                                discriminator=discriminator)
        model.compile(pack=pack)
        return model
    if minibatch:
        raise SystemExit(f"--networks {args.networks} has no minibatch-feature variant; "
                         f"use the configs dcgan, pacgan2 or pacgan3 with it.")
    d_width = 2 if args.networks == "unrolled-d1/4" else 4
    model = kg.models.DCGAN(data_shape=SHAPE, latent_dim=UNROLLED_LATENT,
                            generator=unrolled_generator(),
                            discriminator=unrolled_discriminator(d_shape, d_width))
    model.compile(pack=pack,
                  d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.99),
                  g_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.99))
    return model


def unrolled_generator():
    """The Unrolled GAN experiment's small generator (see the module docstring)."""
    layers = keras.layers
    conv_init = keras.initializers.TruncatedNormal(stddev=0.02)
    model = keras.Sequential([keras.Input((UNROLLED_LATENT,)),
                              layers.Dense(4 * 4 * 64), layers.Reshape((4, 4, 64)),
                              layers.BatchNormalization(), layers.ReLU()],
                             name="unrolled_generator")
    # "same" padding with these output paddings gives 4 -> 7 -> 14 -> 28.
    for filters, extra in ((32, 0), (16, 1), (8, 1)):
        model.add(layers.Conv2DTranspose(filters, 3, strides=2, padding="same",
                                         output_padding=extra, kernel_initializer=conv_init))
        model.add(layers.BatchNormalization())
        model.add(layers.ReLU())
    model.add(layers.Conv2D(SHAPE[-1], 3, padding="same", activation="tanh",
                            kernel_initializer=conv_init))
    return model


def unrolled_discriminator(image_shape, width):
    """The Unrolled GAN experiment's small discriminator, ``width`` maps in its first layer
    (2: D = 1/4 of G, 4: D = 1/2 of G)."""
    layers = keras.layers
    model = keras.Sequential([keras.Input(image_shape)], name="unrolled_discriminator")
    for filters in (width, 2 * width, 4 * width):
        model.add(layers.Conv2D(filters, 3, strides=2, padding="same",
                                kernel_initializer=keras.initializers.TruncatedNormal(
                                    stddev=0.02)))
        model.add(layers.BatchNormalization())
        model.add(layers.LeakyReLU(0.3))
    model.add(layers.Flatten())
    model.add(layers.Dense(1))
    return model


# Modes, KL to uniform and how surely each channel was read, in one classifier pass.
mode_statistics = kg.metrics.stacked_mnist_coverage


def summarise(rows):
    """Mean and standard deviation (over seeds) of each configuration's modes and KL."""
    table = {}
    for row in rows:
        table.setdefault(row["config"], []).append(row)
    summary = {}
    for config, runs in table.items():
        modes = np.array([r["modes_covered"] for r in runs], "float64")
        kl = np.array([r["kl_to_uniform"] for r in runs], "float64")
        summary[config] = {"seeds": sorted(r["seed"] for r in runs),
                           "modes_mean": float(modes.mean()), "modes_std": float(modes.std()),
                           "kl_mean": float(kl.mean()), "kl_std": float(kl.std()),
                           **confidence_summary(runs),
                           "kimg": runs[0]["kimg"],
                           "wall_min_mean": float(np.mean([r["wall_s"] for r in runs]) / 60)}
    return summary


def confidence_summary(runs):
    if not all("confident_channels" in r for r in runs):
        return {}
    return {"confident_channels_mean": float(np.mean([r["confident_channels"] for r in runs])),
            "confident_samples_mean": float(np.mean([r["confident_samples"] for r in runs])),
            "modes_confident_mean": float(np.mean([r["modes_confident"] for r in runs])),
            "modes_confident_std": float(np.std([r["modes_confident"] for r in runs]))}


def markdown(summary):
    lines = ["| Configuration | Seeds | Modes (of 1,000) | KL to uniform | Channels read "
             "with p >= 0.9 | Modes of fully confident samples | kimg | Wall time per run |",
             "|---|---|---|---|---|---|---|---|"]
    for config, s in summary.items():
        sure = (f"{100 * s['confident_channels_mean']:.0f}% | {s['modes_confident_mean']:.1f} "
                f"± {s['modes_confident_std']:.1f}" if "confident_channels_mean" in s else
                "- | -")
        lines.append(f"| {LABELS[config]} | {len(s['seeds'])} | {s['modes_mean']:.1f} ± "
                     f"{s['modes_std']:.1f} | {s['kl_mean']:.2f} ± {s['kl_std']:.2f} | {sure} | "
                     f"{s['kimg']:.0f} | {s['wall_min_mean']:.1f} min |")
    return "\n".join(lines)


def load_results(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return json.load(f)["rows"]


def save_results(path, rows, args):
    with open(path + ".tmp", "w") as f:
        json.dump({"config": vars(args), "machine": platform.machine(),
                   "tensorflow": tf.__version__, "keras": keras.__version__,
                   "rows": rows, "summary": summarise(rows)}, f, indent=1)
    os.replace(path + ".tmp", path)


def run(config, seed, digits, classifier, args):
    keras.utils.set_random_seed(seed)
    model = build_model(config, args)
    batch_size = batch_size_of(config, args)
    ds = stacked_dataset(digits, args.train_size, batch_size, seed)
    curve = ModeCurve(classifier, args.eval_every, args.num_samples, seed + 12345)
    t0 = time.perf_counter()
    model.fit(ds, epochs=1, steps_per_epoch=args.steps, verbose=0,
              callbacks=[curve] if args.eval_every else [])
    wall = time.perf_counter() - t0 - curve.seconds
    folder = os.path.join(args.out, config, f"seed{seed}")
    os.makedirs(folder, exist_ok=True)
    model.save(os.path.join(folder, "model.keras"))
    images = model.generate(args.num_samples, seed=seed + 12345)
    stats = mode_statistics(images, classifier)
    return {"config": config, "networks": args.networks, "seed": seed, "steps": args.steps,
            "batch_size": batch_size,
            "kimg": args.steps * batch_size / 1000, "wall_s": round(wall, 1),
            **row_statistics(stats), **({"curve": curve.points} if args.eval_every else {})}


class ModeCurve(keras.callbacks.Callback):
    """Modes covered and KL to uniform every ``every`` steps of training, from the same
    samples (``num_samples`` of ``seed``) as the final score; the time it takes is kept in
    ``seconds`` so that the row's wall time stays training only."""

    def __init__(self, classifier, every, num_samples, seed):
        super().__init__()
        self.classifier, self.every = classifier, every
        self.num_samples, self.seed = num_samples, seed
        self.points, self.seconds = [], 0.0

    def on_train_batch_end(self, batch, logs=None):
        step = batch + 1
        if not self.every or step % self.every:
            return
        t0 = time.perf_counter()
        stats = mode_statistics(self.model.generate(self.num_samples, seed=self.seed),
                                self.classifier)
        self.points.append({"step": step, "modes_covered": stats["modes_covered"],
                            "kl_to_uniform": round(stats["kl_to_uniform"], 4),
                            "confident_channels": round(stats["confident_channels"], 4)})
        print(json.dumps(self.points[-1]), flush=True)
        self.seconds += time.perf_counter() - t0


def row_statistics(stats):
    keys = ("modes_covered", "kl_to_uniform", "num_samples", "confident_channels",
            "confident_samples", "modes_confident", "counts")
    return {k: stats[k] for k in keys}


def rescore(rows, classifier, args):
    """Rows written before the confidence columns existed, scored again from their saved
    models with the same samples (``generate`` with the row's seed); the modes and KL must
    come out as stored."""
    for row in rows:
        if "confident_channels" in row:
            continue
        folder = os.path.join(args.out, row["config"], f"seed{row['seed']}")
        model = keras.models.load_model(os.path.join(folder, "model.keras"))
        stats = mode_statistics(model.generate(row["num_samples"], seed=row["seed"] + 12345),
                                classifier)
        if (stats["modes_covered"], stats["counts"]) != (row["modes_covered"], row["counts"]):
            raise RuntimeError(f"{folder}: the saved model's samples no longer give the "
                               f"stored mode histogram; rerun the row instead.")
        row.update(row_statistics(stats))
        yield row


def score_model(path, classifier, args, seed=0):
    """The protocol's numbers for one saved model, as ``{"stacked_mnist_modes": {...,
    "protocol": text}}`` (the metrics file of ``keras-gans zoo build --metrics``)."""
    kg.models   # noqa: B018  (registers the model classes for load_model)
    model = keras.models.load_model(path)
    stats = row_statistics(mode_statistics(model.generate(args.num_samples, seed=seed),
                                           classifier))
    stats.pop("counts")
    stats = {k: round(v, 4) if isinstance(v, float) else v for k, v in stats.items()}
    stats["protocol"] = (
        f"generate({args.num_samples}, seed={seed})"
        f"{' with the EMA generator' if model.has_ema else ''}; each channel read by the "
        f"`{args.evaluator}` evaluator (zoo/evaluators/{args.evaluator}); modes covered = modes "
        f"100 R + 10 G + B with >= 1 sample, KL(mode histogram || uniform over 1,000) in "
        f"nats; confident = read with probability >= 0.9 (benchmarks/stacked_mnist.py --score)")
    return {"stacked_mnist_modes": stats}


def main(argv=None):
    args = parse_args(argv)
    if not args.score and not args.data:
        raise SystemExit("Pass --data with the MNIST .npz to train on (or --score MODEL).")
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "results.json")
    classifier = kg.metrics.load_evaluator(args.evaluator)
    if args.score:
        metrics = score_model(args.score, classifier, args)
        with open(os.path.join(args.out, "metrics.json"), "w") as f:
            json.dump(metrics, f, indent=1)
        print(json.dumps(metrics, indent=1))
        return
    rows = load_results(path)
    digits = load_mnist_digits(args.data)
    if args.rescore:
        kg.models   # noqa: B018  (registers the model classes for load_model)
        for row in rescore(rows, classifier, args):
            save_results(path, rows, args)
            print(json.dumps({k: v for k, v in row.items() if k != "counts"}), flush=True)
        print(markdown(summarise(rows)))
        return
    for seed in args.seeds:
        for config in args.configs:
            if any(r["config"] == config and r["seed"] == seed and r["steps"] == args.steps
                   and r.get("networks", "dcgan") == args.networks for r in rows):
                continue
            row = run(config, seed, digits, classifier, args)
            rows.append(row)
            save_results(path, rows, args)
            print(json.dumps({k: v for k, v in row.items() if k != "counts"}), flush=True)
    print(markdown(summarise([r for r in rows if r["steps"] == args.steps
                              and r.get("networks", "dcgan") == args.networks])))


if __name__ == "__main__":
    main()
