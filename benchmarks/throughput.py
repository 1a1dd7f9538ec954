"""Training throughput of each variant, with XLA (jit_compile) on and off.

One training step is what ``train_step`` does for one batch: ``d_steps`` discriminator
updates and one generator update. Images per second counts the real images consumed:
``batch_size * steps / seconds``. The data are random images held in memory, so the
input pipeline costs nothing and the figure is the model's own.

    python benchmarks/throughput.py --variants gan dcgan wgan wgan-gp --batch-size 64 \
        --image-shape 28 28 1 --steps 50 --repeats 3

Each (variant, XLA) pair is compiled and warmed up once, then timed ``--repeats`` times
over ``--steps`` steps inside ``fit``'s training loop; the median is reported (the rates of
the whole ``fit`` calls, which can include an idle stall at their end, are recorded too).
Sampling throughput (``generate``) is reported too.

Class-conditional variants (those whose constructor takes ``num_classes``, e.g. BigGAN)
train on ``(images, labels)`` batches with random labels of ``--num-classes`` classes;
``--model-kwargs`` passes further constructor arguments as JSON, e.g. a small BigGAN::

    python benchmarks/throughput.py --variants biggan --image-shape 32 32 3 --batch-size 32 \
        --model-kwargs '{"ch": 16}' --steps 10 --repeats 2

The same flag (alias ``--model-args``) sets the width of the ProGAN and StyleGAN networks
(512 feature maps wide by default)::

    python benchmarks/throughput.py --variants stylegan --image-shape 32 32 3 \
        --latent-dim 64 --model-args '{"fmap_base": 512, "max_filters": 64}'

``--growth-stage S`` times ProGAN at growth stage S (0 is 4x4) mid-fade; each stage's step
runs only that stage's blocks, so the early stages are cheaper::

    python benchmarks/throughput.py --variants progan --image-shape 32 32 3 --batch-size 32 \
        --latent-dim 256 --model-args '{"fmap_base": 2048, "max_filters": 256}' \
        --jit off --growth-stage 0

``--replicas N`` trains under ``MirroredStrategy`` over N devices (on a CPU-only machine,
N logical CPU devices that share the same cores: this checks the distributed path's
overhead, not a speed-up). ``--precision`` sets the Keras dtype policy (``mixed_bfloat16``:
the peak is then measured in bfloat16 too).

Beside img/s it reports the step's useful arithmetic (``flops.py``: the convolutions' and
dense layers' multiply-accumulates from the layers' shapes) as GFLOP/s, and that as a share
of this machine's measured 3x3-convolution peak (measured at the start of every run).

``--clock cpu`` times with the process's CPU seconds (``time.process_time``, all its
threads) instead of the wall clock, for the peak as for the steps: "img/s" then means
images per CPU-second. On a machine shared with other jobs wall-clock rates say more about
the other jobs than about the model, while CPU time still measures the work; run it
single-threaded so that no thread's waiting counts as work::

    TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 python benchmarks/throughput.py \
        --variants stylegan --image-shape 64 64 3 --batch-size 32 --latent-dim 256 \
        --model-args '{"style": "modulated", "mapping_layers": 2, "fmap_base": 2048, \
        "max_filters": 128}' --jit off --clock cpu --steps 8 --repeats 3

An idle machine with ``n`` cores then gives at most ``n`` times those rates in wall-clock
time, less whatever the threads lose to each other.
"""

import argparse
import inspect
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flops as flops_lib  # noqa: E402


def machine_description():
    import tensorflow as tf

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    gpus = tf.config.list_physical_devices("GPU")
    return {"cpu": cpu, "cores": os.cpu_count(), "gpus": [g.name for g in gpus],
            "tensorflow": tf.__version__, "python": sys.version.split()[0]}


def setup_devices(replicas):
    import tensorflow as tf

    if replicas <= 1:
        return tf.distribute.get_strategy()
    gpus = tf.config.list_physical_devices("GPU")
    if len(gpus) >= replicas:
        return tf.distribute.MirroredStrategy([f"/gpu:{i}" for i in range(replicas)])
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * replicas)
    return tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(replicas)])


def is_conditional(variant):
    """Whether a variant is class-conditional (its constructor takes ``num_classes``)."""
    return "num_classes" in inspect.signature(variant.__init__).parameters


def compiled_model_and_data(variant_name, jit, batch_size, image_shape, latent_dim, strategy,
                            num_classes=10, model_kwargs=None, growth_stage=None):
    """The model a measurement trains, compiled, and an endless dataset of random batches
    held in memory (with random labels for class-conditional variants)."""
    import keras
    import tensorflow as tf

    import keras_gans as kg

    keras.utils.set_random_seed(0)
    variant = kg.models.get(variant_name)
    kwargs = dict(model_kwargs or {})
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (batch_size * 4, *image_shape)).astype("float32")
    if is_conditional(variant):
        kwargs["num_classes"] = num_classes
        labels = rng.integers(0, num_classes, batch_size * 4).astype("int32")
        ds = tf.data.Dataset.from_tensor_slices((images, labels))
    else:
        ds = tf.data.Dataset.from_tensor_slices(images)
    ds = ds.batch(batch_size, drop_remainder=True).repeat().prefetch(tf.data.AUTOTUNE)

    with strategy.scope():
        model = variant(data_shape=image_shape, latent_dim=latent_dim, **kwargs)
        model.compile(jit_compile=jit)
    if growth_stage is not None:
        if not hasattr(model, "set_growth"):
            raise SystemExit(f"--growth-stage: {variant_name} does not grow (ProGAN does).")
        # Mid-fade, the stage's costliest point (both resolutions' paths are live).
        model.set_growth(growth_stage, 0.5 if growth_stage else 1.0)
    return model, ds


def training_loop_timer(clock):
    """A callback that times ``fit``'s training loop, from the first batch to the end of
    training (its ``seconds``), leaving out what ``fit`` does around it. Deleting a
    ``tf.data`` iterator whose pipeline is autotuned waits for the autotuning thread's next
    wake-up, which comes 10 ms, 20 ms, 40 ms, ... (doubling up to 60 s) after the last: a
    ``fit`` call can return up to as long again as its loop took, with the cores idle
    (benchmarks/README.md, "The idle stall at the end of fit"). Timing whole short ``fit``
    calls measured that stall, not the model."""
    import keras

    class TrainingLoopTimer(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == 0:
                self.start = clock()

        def on_train_end(self, logs=None):
            self.seconds = clock() - self.start

    return TrainingLoopTimer()


def measure(variant_name, jit, batch_size, image_shape, steps, repeats, latent_dim, strategy,
            num_classes=10, model_kwargs=None, growth_stage=None, clock=time.perf_counter):
    model, ds = compiled_model_and_data(variant_name, jit, batch_size, image_shape, latent_dim,
                                        strategy, num_classes, model_kwargs, growth_stage)
    start = clock()
    model.fit(ds, epochs=1, steps_per_epoch=3, verbose=0)  # trace and compile
    compile_seconds = clock() - start

    rates, fit_rates = [], []
    timer = training_loop_timer(clock)
    for _ in range(repeats):
        start = clock()
        model.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[timer])
        fit_rates.append(batch_size * steps / (clock() - start))
        rates.append(batch_size * steps / timer.seconds)

    generator, discriminator = model.networks_in_training()   # ProGAN: its stage's
    flops = flops_lib.step_flops(flops_lib.forward_macs(generator),
                                 flops_lib.forward_macs(discriminator), model.d_steps)
    model.generate(256, seed=0)  # warm up
    start = clock()
    model.generate(1024, seed=1, batch_size=256)
    sample_rate = 1024 / (clock() - start)
    return {
        "variant": variant_name, "jit_compile": jit, "d_steps": model.d_steps,
        "train_images_per_s": statistics.median(rates), "train_rates": rates,
        "whole_fit_rates": fit_rates,
        "step_gflop_per_image": flops / 1e9,
        "train_gflop_per_s": statistics.median(rates) * flops / 1e9,
        "sample_images_per_s": sample_rate, "first_fit_seconds": compile_seconds,
    }


def add_model_arguments(parser):
    """The options that choose the model and batch a measurement trains (shared with
    ``step_profile.py``)."""
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--image-shape", type=int, nargs=3, default=[28, 28, 1])
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--num-classes", type=int, default=10,
                        help="classes of the random labels of conditional variants")
    parser.add_argument("--model-kwargs", "--model-args", dest="model_kwargs",
                        type=json.loads, default={},
                        help='constructor arguments as JSON, e.g. \'{"ch": 16}\'')
    parser.add_argument("--growth-stage", type=int, default=None,
                        help="ProGAN: time this growth stage (0 = 4x4), mid-fade")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", nargs="+", default=["gan", "dcgan", "wgan", "wgan-gp"])
    add_model_arguments(parser)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jit", choices=["both", "on", "off"], default="both")
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--precision", default="float32",
                        choices=["float32", "mixed_float16", "mixed_bfloat16"])
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="wall-clock seconds, or this process's CPU seconds (rates per "
                             "CPU-second, for a machine shared with other jobs)")
    parser.add_argument("--out", default="runs/benchmarks/throughput.json")
    args = parser.parse_args(argv)

    jits = {"both": [False, True], "on": [True], "off": [False]}[args.jit]
    strategy = setup_devices(args.replicas)
    import keras

    keras.mixed_precision.set_global_policy(args.precision)
    machine = machine_description()
    machine.update(replicas=strategy.num_replicas_in_sync, precision=args.precision)
    clock = CLOCKS[args.clock]
    machine.update(clock=args.clock, intra_op_threads=os.environ.get("TF_NUM_INTRAOP_THREADS"))
    # The peak in the policy's arithmetic: a mixed_bfloat16 step against bfloat16's peak.
    compute_dtype = keras.mixed_precision.global_policy().compute_dtype
    machine["conv3x3_peak_dtype"] = compute_dtype
    machine["conv3x3_peak_gflop_per_s"] = flops_lib.conv_peak(clock=clock, dtype=compute_dtype)
    print(f"# {machine}", flush=True)
    results = []
    for name in args.variants:
        for jit in jits:
            r = measure(name, jit, args.batch_size, tuple(args.image_shape), args.steps,
                        args.repeats, args.latent_dim, strategy, args.num_classes,
                        args.model_kwargs, args.growth_stage, clock)
            results.append(r)
            print(f"{name:8s} jit={str(jit):5s} train {r['train_images_per_s']:8.1f} img/s "
                  f"(runs {', '.join(f'{x:.0f}' for x in r['train_rates'])}; whole fit "
                  f"calls {', '.join(f'{x:.0f}' for x in r['whole_fit_rates'])}; d_steps "
                  f"{r['d_steps']}), {r['train_gflop_per_s']:.0f} GFLOP/s "
                  f"({r['train_gflop_per_s'] / machine['conv3x3_peak_gflop_per_s']:.0%} of "
                  f"the 3x3 peak), sample {r['sample_images_per_s']:8.0f} img/s, "
                  f"first fit {r['first_fit_seconds']:.1f} s", flush=True)

    peak = machine["conv3x3_peak_gflop_per_s"]
    if args.clock == "cpu":
        print("\nRates per CPU-second of this process (--clock cpu), not per wall-clock second.")
    print(f"\n3x3 convolution peak: {peak:.0f} GFLOP/s")
    print("| variant | d_steps | XLA | train img/s | GFLOP/image | GFLOP/s | of peak | "
          "sample img/s | first fit (s) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['variant']} | {r['d_steps']} | {'on' if r['jit_compile'] else 'off'} | "
              f"{r['train_images_per_s']:.1f} | {r['step_gflop_per_image']:.2f} | "
              f"{r['train_gflop_per_s']:.0f} | {r['train_gflop_per_s'] / peak:.0%} | "
              f"{r['sample_images_per_s']:.0f} | {r['first_fit_seconds']:.1f} |")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"machine": machine, "args": vars(args), "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
