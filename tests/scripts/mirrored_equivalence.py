"""Train N steps on one device and under MirroredStrategy over two logical CPUs, from the
same weights, seed and global batches; print the largest weight difference per variant.

Run as a script (logical devices must be set before TensorFlow initialises):
    python tests/scripts/mirrored_equivalence.py dcgan wgan-gp
    python tests/scripts/mirrored_equivalence.py all
    python tests/scripts/mirrored_equivalence.py all 0/2    # every other case, from the first

``all K/N`` runs share K of N of the cases (every N-th, in the order of CASES), so that N
processes together check them all; tests/test_distribute.py runs two at once (tracing the
steps is single-threaded Python, and a 2-core machine has a second core for the other).

Every case below trains a tiny configuration for STEPS steps of GLOBAL_BATCH examples and
compares *all* of the model's weights (trainable, batch-norm statistics, optimizer-free
state such as ProGAN's schedule, StyleGAN's w_avg and pl_mean, the image pools, RadialGAN's
latent statistics) and the logged metrics of the last epoch. The checked cases:

    gan, gan-minibatch-discrimination (a D comparing every example with its batch), dcgan,
    wgan, wgan-gp, cgan (concat), cgan-projection, acgan,
    ebgan (pulling-away term 0.1), sgan (labelled + unlabelled, input and hidden noise,
    feature matching), sgan-unlabelled (its unsupervised terms over the unlabelled
    examples, uneven per replica), progan (mid-fade, minibatch stddev), stylegan (style mixing on
    every batch, lazy R1 and path length both firing on the first step), stylegan2
    (modulated, residual D), biggan (conditional BN synchronised, orthogonal reg,
    d_steps 2; no self-attention, which works within each example), cyclegan (image
    pools that fill and then swap), srgan (pixel content loss), srresnet (pixel MSE
    alone), simgan (history buffer that fills and then swaps),
    tabular-gan (Gumbel-softmax, discriminator dropout, training-by-sampling batches),
    radialgan (three domains, Gumbel-softmax decoders, gradient penalty).

What had to change for them to match (issue 11), all now replica-invariant by
construction:

* random draws inside layers (Gumbel noise of ``SpanActivation``, dropout, Gaussian noise)
  drew each replica's share from the same seed; they now go through
  ``distribute.replica_random`` (``layers.ReplicaDropout``, ``ReplicaGaussianNoise``);
* ``MinibatchStdDev`` grouped example i with i + batch/group, so its groups depended on
  the replica batch; groups are now consecutive examples;
* statistics kept in variables (StyleGAN's ``w_avg`` and path-length mean, RadialGAN's
  latent mean and variance) were the first replica's batch statistics; they are now
  means over the global batch (``distribute.global_mean``);
* ``ImagePool`` (CycleGAN, SimGAN) kept one pool per replica written from each replica's
  share; it now gathers the global batch, runs the same pool update on every replica and
  returns this replica's share, so the pool holds exactly what one device's pool holds;
* SimGAN sends the second half of the *global* refined batch through its buffer;
* ``MinibatchDiscrimination`` compares each example with the gathered global batch;
* SGAN's supervised loss and accuracy divide by the global count of labelled examples,
  its feature matching compares global-batch mean features, and EBGAN's pulling-away
  term is computed over the global batch of codes;
* RadialGAN's gradient penalty pairs domain i's real rows with each other domain's
  translations in turn (it tiled and concatenated replica shares, so the per-example
  draws fell on other pairs than on one device);
* StyleGAN's lazy path length computes the lengths inside its ``tf.cond`` and the
  cross-replica mean after it (an all-reduce cannot run inside a cond);
* the tabular generator's Dense layers before batch norm lost their bias, whose exact
  gradient is zero (Adam moved it by the learning rate on rounding noise).

The one-device reference runs eagerly (``run_eagerly``): the mirrored step is traced, as
users run it, and is checked against the step executed op by op, which is not traced at all.
That also cuts the reference's time by about 40% (tracing is most of it at these sizes: 26 s
against 43 s for eight of the cases on the Intel Xeon VM).

Tolerance: weights within 1e-5 (absolute), logged metrics within 1e-5 (relative). BigGAN,
TabularGAN and RadialGAN are checked with SGD instead of their papers' Adam: see ``_sgd``.
"""

import json
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
# Grappler's graph rewrites cost more time than these tiny steps; both runs skip them.
tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gans as kg  # noqa: E402

STEPS, GLOBAL_BATCH = 3, 16
VERBOSE = False
SHAPE = (8, 8, 1)


def _digits(size=None):
    x, y = kg.data.load_digits_arrays(size)
    n = GLOBAL_BATCH * STEPS
    return x[:n], y[:n].astype("int32")


def _batches(*arrays):
    arrays = arrays[0] if len(arrays) == 1 else tuple(arrays)
    ds = tf.data.Dataset.from_tensor_slices(arrays)
    return ds.batch(GLOBAL_BATCH, drop_remainder=True)


def _table(seed):
    rng = np.random.default_rng(seed)
    n = 200
    return {"x": rng.normal(size=n).astype("float32"),
            "y": rng.choice(["a", "b", "c"], size=n, p=[0.6, 0.3, 0.1]),
            "z": rng.choice(["u", "v"], size=n)}


def _sgd(learning_rate):
    """Plain SGD for the cases whose objective leaves some weights with an exact gradient
    of zero: BigGAN's and the tabular generators' biases feeding batch norm, and Wasserstein
    critic biases whose real and fake terms cancel while a LeakyReLU unit stays in one
    linear piece, and StyleGAN's noise strengths, which start at zero (on an Intel Xeon the
    stylegan2 case under Adam differed by 1e-4, in those strengths and the kernels they
    feed, where an AMD EPYC's kernels had rounded alike). Adam divides each gradient by
    its own magnitude, so there it moves such a weight by a full +-learning rate according
    to the sign of rounding noise, which differs between one device and two (the sums run
    in another order). SGD compares the gradients at their real scale; every other part of
    the step (losses, penalties, random draws, statistics, state) is the same."""
    return {"d_optimizer": keras.optimizers.SGD(learning_rate),
            "g_optimizer": keras.optimizers.SGD(learning_rate)}


# Each case: a builder of the compiled model (inside the strategy's scope), and the data.
def _image_gan(variant, compile_args=None, **kwargs):
    def build():
        model = kg.models.get(variant)(data_shape=SHAPE, latent_dim=8, **kwargs)
        model.compile(**(compile_args() if compile_args else {}))
        return model
    return build, lambda: _batches(_digits()[0])


def _conditional(cls, **kwargs):
    def build():
        model = cls(data_shape=SHAPE, latent_dim=8, num_classes=10, **kwargs)
        model.compile()
        return model
    return build, lambda: _batches(*_digits())


def _minibatch_discrimination():
    def build():
        inputs = keras.Input(SHAPE)
        h = keras.layers.Dense(16, activation="tanh")(keras.layers.Flatten()(inputs))
        h = kg.layers.MinibatchDiscrimination(num_kernels=4, kernel_dim=3)(h)
        model = kg.models.GAN(data_shape=SHAPE, latent_dim=8,
                              discriminator=keras.Model(inputs, keras.layers.Dense(1)(h)))
        model.compile(d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
                      g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))
        return model
    return build, lambda: _batches(_digits()[0])


def _sgan(**kwargs):
    def build():
        model = kg.models.SGAN(data_shape=SHAPE, latent_dim=8, num_classes=10, **kwargs)
        # A larger learning rate than the default 2e-4, so that 3 steps move the weights.
        model.compile(d_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
                      g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5))
        return model

    def data():
        x, y = _digits()
        y = np.where(np.arange(len(y)) % 3 == 0, y, -1).astype("int32")  # uneven per replica
        y[:5] = -1
        return _batches(x, y)
    return build, data


def _progan():
    def build():
        model = kg.models.ProGAN(data_shape=SHAPE, latent_dim=8, fmap_base=64, max_filters=8,
                                 fade_steps=4, stable_steps=2)
        model.compile()
        model.set_growth(1, 0.25)                    # mid-fade, alpha moves every step
        return model
    return build, lambda: _batches(_digits()[0])


def _stylegan(style):
    def build():
        model = kg.models.StyleGAN(data_shape=SHAPE, latent_dim=8, style=style,
                                   mapping_layers=2, fmap_base=64, max_filters=8,
                                   mixing_prob=1.0)
        # R1 lazy every 2 D steps and path length every 2 G steps: both fire on steps 0, 2.
        model.compile(penalties=[kg.penalties.R1(5.0, interval=2)],
                      path_length=kg.penalties.PathLength(interval=2), **_sgd(0.05))
        return model
    return build, lambda: _batches(_digits()[0])


def _biggan():
    def build():
        # No self-attention: it keeps no state across the batch, and it cost about a quarter
        # of this case's time (19.7 s with it, 14.4 s without, one-device plus mirrored).
        model = kg.models.BigGAN(data_shape=(16, 16, 1), num_classes=10, latent_dim=8, ch=2,
                                 shared_dim=4, attention_resolution=None)
        model.compile(**_sgd(0.05))
        return model
    return build, lambda: _batches(*_digits(16))


def _cyclegan():
    def build():
        model = kg.models.CycleGAN(data_shape=SHAPE, filters=4, num_blocks=1,
                                   discriminator_layers=1, pool_size=12, seed=3)
        model.compile()
        return model

    def data():
        x, _ = _digits()
        return _batches(x, -x[::-1])
    return build, data


def _srgan():
    def build():
        model = kg.models.SRGAN(scale=2, data_shape=(8, 8, 1), filters=4, num_blocks=1,
                                discriminator_filters=4, content_loss="pixel")
        model.compile()
        return model

    def data():
        x, _ = _digits()
        low = tf.nn.avg_pool2d(x, 2, 2, "VALID").numpy()
        return _batches(low, x)
    return build, data


def _srresnet():
    def build():
        model = kg.models.SRResNet(scale=2, data_shape=(8, 8, 1), filters=4,
                                   num_blocks=1)
        model.compile(g_optimizer=keras.optimizers.Adam(1e-3))
        return model

    return build, _srgan()[1]


def _simgan():
    def build():
        model = kg.models.SimGAN(data_shape=SHAPE, filters=4, num_blocks=1,
                                 discriminator_filters=(4, 4, 4, 4), buffer_size=12, seed=3)
        model.compile()
        return model

    def data():
        x, _ = _digits()
        return _batches(x[::-1].copy(), x)
    return build, data


TABLE_TRANSFORMER = {}


def _transformer(seed):
    if seed not in TABLE_TRANSFORMER:
        TABLE_TRANSFORMER[seed] = kg.data.tabular.TabularTransformer().fit(_table(seed))
    return TABLE_TRANSFORMER[seed]


def _tabular():
    def build():
        model = kg.models.TabularGAN(_transformer(0), latent_dim=8)
        model.compile(**_sgd(0.05))
        return model

    def data(model):
        # training-by-sampling batches, drawn once so both runs see the same ones
        ds = model.make_dataset(_table(0), batch_size=GLOBAL_BATCH, seed=0,
                                steps_per_epoch=STEPS)
        rows = np.concatenate([b.numpy() for b in ds])
        return _batches(rows)
    return build, data


def _radialgan():
    domains = {"a": 0, "b": 1, "c": 2}

    def build():
        model = kg.models.RadialGAN({d: _transformer(s) for d, s in domains.items()},
                                    latent_dim=4, hidden_units=(8,))
        model.compile(**_sgd(0.05))
        return model

    def data(model):
        ds = model.make_dataset({d: _table(s) for d, s in domains.items()},
                                batch_size=GLOBAL_BATCH, seed=0, steps_per_epoch=STEPS)
        parts = [np.concatenate(p) for p in zip(*[[t.numpy() for t in b] for b in ds])]
        return _batches(*parts)
    return build, data


CASES = {
    # Adam(1e-3) rather than 2e-4: three steps of the MLPs must move the weights.
    "gan": _image_gan("gan", lambda: {"d_optimizer": keras.optimizers.Adam(1e-3, beta_1=0.5),
                                      "g_optimizer": keras.optimizers.Adam(1e-3, beta_1=0.5)}),
    "gan-minibatch-discrimination": _minibatch_discrimination(),
    "dcgan": _image_gan("dcgan"),
    "wgan": _image_gan("wgan"),
    "wgan-gp": _image_gan("wgan-gp"),
    "cgan": _conditional(kg.models.CGAN),
    "cgan-projection": _conditional(kg.models.CGAN, conditioning="projection"),
    "acgan": _conditional(kg.models.ACGAN),
    "ebgan": _image_gan("ebgan", pulling_away=0.1),
    "sgan": _sgan(),
    "sgan-unlabelled": _sgan(unsupervised_examples="unlabelled"),
    "progan": _progan(),
    "stylegan": _stylegan("adain"),
    "stylegan2": _stylegan("modulated"),
    "biggan": _biggan(),
    "cyclegan": _cyclegan(),
    "srgan": _srgan(),
    "srresnet": _srresnet(),
    "simgan": _simgan(),
    "tabular-gan": _tabular(),
    "radialgan": _radialgan(),
}


def _seed_generators(model):
    """Every SeedGenerator of the model (its own, its layers'), in a stable order."""
    found = []

    def visit(obj, seen):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, keras.random.SeedGenerator):
            found.append(obj)
            return
        if isinstance(obj, keras.layers.Layer):
            for value in vars(obj).values():
                for item in (value if isinstance(value, (list, tuple)) else [value]):
                    if isinstance(item, (keras.layers.Layer, keras.random.SeedGenerator)):
                        visit(item, seen)
    visit(model, set())
    return found


def _networks(model):
    """The model's players: each keras.Model it holds as an attribute, or in a list or dict
    of them (RadialGAN's per-domain networks), by attribute name. The EMA copy is left out:
    the training step does not move it, the EMA callback does."""
    found = {}
    for name, value in vars(model).items():
        if name.startswith("_") or name == "ema_generator":
            continue
        items = (value.items() if isinstance(value, dict) else
                 enumerate(value) if isinstance(value, (list, tuple)) else [(None, value)])
        for key, item in items:
            if isinstance(item, keras.Model):
                found[name if key is None else f"{name}[{key}]"] = item
    return found


def _network_changes(model, before):
    """The largest change of each network's trainable weights since ``before``."""
    return {name: _max_diff([w.numpy() for w in net.trainable_weights], before[name])
            for name, net in _networks(model).items()}


def train(case, strategy, initial, eagerly=False):
    build, data = CASES[case]
    with strategy.scope():
        model = build()
        model.run_eagerly = eagerly
        if initial is not None:
            model.set_weights(initial["weights"])
            for generator, state in zip(_seed_generators(model), initial["seeds"]):
                generator.state.assign(state)
    start = {"weights": model.get_weights(),
             "seeds": [g.state.numpy() for g in _seed_generators(model)],
             "networks": {name: [w.numpy() for w in net.trainable_weights]
                          for name, net in _networks(model).items()}}
    ds = data(model) if data.__code__.co_argcount else data()
    history = model.fit(ds, epochs=1, verbose=0)
    logs = {k: float(v[-1]) for k, v in history.history.items()}
    return model, start, logs


def _max_diff(a, b):
    return max((float(np.max(np.abs(x - y))) if x.size else 0.0 for x, y in zip(a, b)),
               default=0.0)


def main(cases):
    if cases[:1] == ["all"]:
        shard, count = map(int, (cases[1] if len(cases) > 1 else "0/1").split("/"))
        cases = list(CASES)[shard::count]
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert mirrored.num_replicas_in_sync == 2
    report = {}
    for case in cases:
        keras.utils.set_random_seed(0)
        single, start, single_logs = train(case, tf.distribute.get_strategy(), None,
                                           eagerly=True)
        multi, _, multi_logs = train(case, mirrored, start)
        single_w, multi_w = single.get_weights(), multi.get_weights()
        if VERBOSE:
            names = [v.path for v in single.weights]
            worst = sorted(zip([_max_diff([a], [b]) for a, b in zip(single_w, multi_w)],
                               names), reverse=True)[:5]
            print(case, worst, file=sys.stderr)
        report[case] = {
            "max_abs_diff": _max_diff(single_w, multi_w),
            "max_weight_change": _max_diff(single_w, start["weights"]),
            # Per network: a player that never moves is not hidden by the others.
            "network_changes": _network_changes(single, start["networks"]),
            "mirrored_network_changes": _network_changes(multi, start["networks"]),
            "num_weights": len(single_w),
            "player_networks": len(single.networks()),
            "logs": single_logs,
            "mirrored_logs": multi_logs,
            "seed_generators": len(start["seeds"]),
        }
        print(case, json.dumps(report[case]), file=sys.stderr, flush=True)
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1:])
