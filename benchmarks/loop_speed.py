"""The shared training loop against the straightforward loop of the Keras examples, and
against PyTorch, on identical networks and batches.

    python benchmarks/loop_speed.py --steps 40 --repeats 5                  # DCGAN
    python benchmarks/loop_speed.py --networks mlp --steps 200 --repeats 5  # gan-mnist's MLPs

Networks: ``dcgan``, the DCGAN networks for 28x28x1 with latent 100; ``mlp``, the original
GAN's fully connected networks as the gan-mnist preset has them (G 256-512 ReLU units with a
tanh output, D 512-256 LeakyReLU(0.2) units with dropout 0.3; latent 64), where a step is
so cheap that per-step overhead matters. Contestants (all: batch 64, non-saturating loss,
Adam(2e-4, 0.5), one D update then one G update per step):

* ``keras-example``: the loop written as the keras.io examples write it: the D tape runs
  a fresh generator forward pass, the G tape runs another; one step per call. The
  baseline is XLA off, as ``compile()``'s default ``jit_compile="auto"`` leaves it on a
  machine without a GPU; the same loop with XLA on is timed too, to tell the loop's share
  of a gain from XLA's.
* ``keras-gans``: ``kg.models.DCGAN`` (``kg.models.GAN`` for the MLPs) with
  ``steps_per_execution`` 1 and 16, XLA off and on. It reuses the D step's generator
  forward pass for the G step.
* ``pytorch``: the same architecture in PyTorch (``nn.Linear``/``ConvTranspose2d``/
  ``Conv2d``, k=4, s=2, p=1), trained as PyTorch's DCGAN example does (``fake.detach()``
  for D, the same ``fake`` for G). Needs ``pip install torch`` (not a dependency).

Each contestant is warmed up, then all are timed in turn, round after round, so that
background load falls on all alike; the median over rounds is reported in images/s.
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

IMAGE_SHAPE, BATCH = (28, 28, 1), 64
LATENT = {"dcgan": 100, "mlp": 64}


def keras_networks(kind):
    import keras_gans as kg

    if kind == "dcgan":
        return (kg.networks.dcgan_generator(LATENT[kind], IMAGE_SHAPE),
                kg.networks.dcgan_discriminator(IMAGE_SHAPE))
    return (kg.networks.mlp_generator(LATENT[kind], IMAGE_SHAPE, hidden_units=(256, 512)),
            kg.networks.mlp_discriminator(IMAGE_SHAPE, hidden_units=(512, 256), dropout=0.3))


def keras_contestants(steps, networks):
    import keras
    import tensorflow as tf

    import keras_gans as kg

    class KerasExampleGAN(keras.Model):
        """The loop of the keras.io GAN examples: a fresh G forward pass in each tape."""

        def __init__(self, generator, discriminator):
            super().__init__()
            self.generator, self.discriminator = generator, discriminator
            self.built = True

        def call(self, z):
            return self.generator(z)

        def compile(self, d_optimizer, g_optimizer, **kwargs):
            super().compile(**kwargs)
            self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
            self.d_optimizer.build(self.discriminator.trainable_variables)
            self.g_optimizer.build(self.generator.trainable_variables)

        def train_step(self, real):
            batch = tf.shape(real)[0]
            z = tf.random.normal((batch, self.generator.input_shape[-1]))
            with tf.GradientTape() as tape:
                fake = self.generator(z, training=True)
                real_logits = self.discriminator(real, training=True)
                fake_logits = self.discriminator(fake, training=True)
                d_loss = (tf.reduce_mean(tf.nn.softplus(-real_logits))
                          + tf.reduce_mean(tf.nn.softplus(fake_logits)))
            grads = tape.gradient(d_loss, self.discriminator.trainable_variables)
            self.d_optimizer.apply(grads, self.discriminator.trainable_variables)
            z = tf.random.normal((batch, self.generator.input_shape[-1]))
            with tf.GradientTape() as tape:
                fake = self.generator(z, training=True)
                g_loss = tf.reduce_mean(tf.nn.softplus(-self.discriminator(fake, training=True)))
            grads = tape.gradient(g_loss, self.generator.trainable_variables)
            self.g_optimizer.apply(grads, self.generator.trainable_variables)
            return {"d_loss": d_loss, "g_loss": g_loss}

    images = np.random.default_rng(0).uniform(-1, 1, (BATCH * 8, *IMAGE_SHAPE))
    ds = tf.data.Dataset.from_tensor_slices(images.astype("float32"))
    ds = ds.batch(BATCH, drop_remainder=True).repeat().prefetch(tf.data.AUTOTUNE)

    def adam():
        return keras.optimizers.Adam(2e-4, beta_1=0.5)

    def make(kind, spe, jit):
        keras.utils.set_random_seed(0)
        gen, disc = keras_networks(networks)
        if kind == "keras-example":
            model = KerasExampleGAN(gen, disc)
            model.compile(adam(), adam(), steps_per_execution=spe, jit_compile=jit)
        else:
            variant = kg.models.DCGAN if networks == "dcgan" else kg.models.GAN
            model = variant(generator=gen, discriminator=disc)
            model.compile(d_optimizer=adam(), g_optimizer=adam(), steps_per_execution=spe,
                          jit_compile=jit)
        model.fit(ds, epochs=1, steps_per_epoch=2 * spe, verbose=0)  # trace, compile, warm

        def run():
            start = time.perf_counter()
            model.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
            return BATCH * steps / (time.perf_counter() - start)

        return run

    name = "DCGAN" if networks == "dcgan" else "GAN"
    return {
        "keras-example (spe 1, XLA off)": make("keras-example", 1, False),
        "keras-example (spe 1, XLA on)": make("keras-example", 1, True),
        f"keras-gans {name} (spe 1, XLA off)": make("keras-gans", 1, False),
        f"keras-gans {name} (spe 1, XLA on)": make("keras-gans", 1, True),
        f"keras-gans {name} (spe 16, XLA off)": make("keras-gans", 16, False),
        f"keras-gans {name} (spe 16, XLA on)": make("keras-gans", 16, True),
    }


def torch_networks(kind):
    from torch import nn

    latent = LATENT[kind]
    if kind == "dcgan":
        generator = nn.Sequential(
            nn.Linear(latent, 7 * 7 * 128, bias=False), nn.Unflatten(1, (128, 7, 7)),
            nn.BatchNorm2d(128, momentum=0.1, eps=1e-5), nn.ReLU(),
            nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
            nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
        discriminator = nn.Sequential(
            nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(128 * 7 * 7, 1))
        return generator, discriminator
    generator = nn.Sequential(
        nn.Linear(latent, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU(),
        nn.Linear(512, 28 * 28), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))
    discriminator = nn.Sequential(
        nn.Flatten(), nn.Linear(28 * 28, 512), nn.LeakyReLU(0.2), nn.Dropout(0.3),
        nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Dropout(0.3), nn.Linear(256, 1))
    return generator, discriminator


def pytorch_contestant(steps, networks):
    import torch
    from torch import nn

    torch.manual_seed(0)
    generator, discriminator = torch_networks(networks)
    latent = LATENT[networks]
    d_opt = torch.optim.Adam(discriminator.parameters(), 2e-4, betas=(0.5, 0.999))
    g_opt = torch.optim.Adam(generator.parameters(), 2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    real = torch.rand(BATCH, 1, 28, 28) * 2 - 1
    ones, zeros = torch.ones(BATCH, 1), torch.zeros(BATCH, 1)

    def step():
        fake = generator(torch.randn(BATCH, latent))
        d_opt.zero_grad(set_to_none=True)
        d_loss = bce(discriminator(real), ones) + bce(discriminator(fake.detach()), zeros)
        d_loss.backward()
        d_opt.step()
        g_opt.zero_grad(set_to_none=True)
        g_loss = bce(discriminator(fake), ones)
        g_loss.backward()
        g_opt.step()

    for _ in range(3):
        step()

    def run():
        start = time.perf_counter()
        for _ in range(steps):
            step()
        return BATCH * steps / (time.perf_counter() - start)

    return {f"pytorch {torch.__version__} (eager, {torch.get_num_threads()} threads)": run}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--networks", choices=sorted(LATENT), default="dcgan")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--out", default=None,
                        help="default: runs/benchmarks/loop_speed_<networks>.json")
    args = parser.parse_args(argv)

    contestants = {}
    if not args.no_torch:
        try:
            contestants.update(pytorch_contestant(args.steps, args.networks))
        except ImportError:
            print("# PyTorch is not installed: pip install torch to compare with it")
    contestants.update(keras_contestants(args.steps, args.networks))
    rates = {name: [] for name in contestants}
    for round_ in range(args.repeats):
        for name, run in contestants.items():
            rates[name].append(run())
        print(f"# round {round_ + 1}: " + ", ".join(f"{n.split(' (')[0]} {r[-1]:.0f}"
                                                  for n, r in rates.items()), flush=True)
    baseline = statistics.median(rates["keras-example (spe 1, XLA off)"])
    print(f"\n| loop | images/s (median of {args.repeats}) | vs keras-example |")
    print("|---|---|---|")
    for name, r in rates.items():
        print(f"| {name} | {statistics.median(r):.0f} | {statistics.median(r) / baseline:.2f}x |")
    args.out = args.out or f"runs/benchmarks/loop_speed_{args.networks}.json"
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"args": vars(args), "rates": rates}, f, indent=2)


if __name__ == "__main__":
    main()
