"""Conditional generation on MNIST (issue 6): does a CGAN draw the digits it is asked for?

Trains ``kg.models.CGAN`` (half-width DCGAN-style players: ``base_filters=32``) on the
60,000 MNIST training images with their labels, for a bounded wall time, saving
``model.keras`` every ``--checkpoint-every`` steps (``--resume`` continues from it). Then
generates ``--per-class`` digits of each class (seed 0) and classifies them with the
project's MNIST evaluator (``kg.metrics.load_evaluator("mnist")``): the accuracy is the
share of generated digits the evaluator assigns to the requested label.

    python benchmarks/cgan_mnist.py --data ../shared/data/mnist.npz --minutes 22 \\
        --out runs/benchmarks/cgan_mnist
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
    p.add_argument("--data", default="../shared/data/mnist.npz")
    p.add_argument("--minutes", type=float, default=22.0, help="training wall-time budget")
    p.add_argument("--max-steps", type=int, default=100_000)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--latent-dim", type=int, default=100)
    p.add_argument("--base-filters", type=int, default=32)
    p.add_argument("--conditioning", default="concat", choices=("concat", "projection"))
    p.add_argument("--ema", type=float, default=0.999, help="EMA decay of G (0: none)")
    p.add_argument("--checkpoint-every", type=int, default=500)
    p.add_argument("--per-class", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--eval-only", action="store_true")
    p.add_argument("--out", default="runs/benchmarks/cgan_mnist")
    return p.parse_args(argv)


def build(args):
    shape = (28, 28, 1)
    gen = kg.networks.conditional_generator(args.latent_dim, shape, 10,
                                            base_filters=args.base_filters)
    disc = kg.networks.conditional_discriminator(shape, 10, conditioning=args.conditioning,
                                                 base_filters=args.base_filters)
    model = kg.models.CGAN(num_classes=10, conditioning=args.conditioning, generator=gen,
                           discriminator=disc)
    model.compile()
    if args.ema:
        model.enable_ema()
    return model


def conditional_accuracy(model, per_class, seed=0):
    """The share of samples the mnist evaluator reads as the requested digit: the protocol
    of ``keras-gans zoo measure`` (``preset_builder.label_accuracy``)."""
    from keras_gans import preset_builder

    result = preset_builder.label_accuracy(model, kg.metrics.load_evaluator("mnist"), "mnist",
                                           per_class=per_class, seed=seed)
    return {**result, "num_samples": int(per_class * model.label_classes)}


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    ckpt, state_path = os.path.join(args.out, "model.keras"), os.path.join(args.out, "state.json")
    keras.utils.set_random_seed(args.seed)
    done, wall = 0, 0.0
    if (args.resume or args.eval_only) and os.path.exists(ckpt):
        model = keras.models.load_model(ckpt)
        with open(state_path) as f:
            state = json.load(f)
        done, wall = state["steps"], state["wall_s"]
        keras.utils.set_random_seed(args.seed + done)
    else:
        model = build(args)
    print(model.summary_line(), flush=True)
    callbacks = [kg.callbacks.EMA(args.ema)] if args.ema else []
    ds = kg.data.load(args.data, batch_size=args.batch_size, labels=True, seed=args.seed,
                      drop_remainder=True).repeat()
    while not args.eval_only and wall < args.minutes * 60 and done < args.max_steps:
        chunk = min(args.checkpoint_every, args.max_steps - done)
        t0 = time.perf_counter()
        hist = model.fit(ds, epochs=1, steps_per_epoch=chunk, verbose=0, callbacks=callbacks)
        wall += time.perf_counter() - t0
        done += chunk
        model.save(ckpt)
        with open(state_path, "w") as f:
            json.dump({"steps": done, "wall_s": wall}, f)
        logs = {k: round(float(v[-1]), 3) for k, v in hist.history.items()}
        print(json.dumps({"step": done, "wall_s": round(wall), **logs}), flush=True)
    t0 = time.perf_counter()
    result = conditional_accuracy(model, args.per_class, seed=args.seed)
    result.update({"steps": done, "train_wall_s": round(wall, 1),
                   "eval_wall_s": round(time.perf_counter() - t0, 1), "config": vars(args)})
    kg.utils.save_grid(model.generate(100, labels=np.repeat(np.arange(10), 10), seed=0),
                       os.path.join(args.out, "samples.png"), ncols=10)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps({k: v for k, v in result.items() if k != "config"}), flush=True)


if __name__ == "__main__":
    main()
