"""Trains the domain evaluators (issue 4) and writes them to zoo/evaluators/<name>/.

    taskset -c 1 python benchmarks/train_evaluators.py mnist [--epochs N] [--data-dir DIR]
    nice -n 10 python benchmarks/train_evaluators.py anime --data-dir ../shared/data

The ``anime`` evaluator has no labels to learn: it learns to tell real faces from faces
degraded in seven ways (``keras_gans.metrics.degradations``), drawn anew for every batch, and
its test accuracy is measured on every held-out face under every one of the eight classes.

Resumable: progress is backed up every epoch under runs/evaluators/<name>/ (git-ignored);
rerunning the same command continues from the last finished epoch.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from keras_gans.metrics import degradations  # noqa: E402
from keras_gans.metrics import evaluators as ev  # noqa: E402

# Recipes: MNIST-like sets use Adam with cosine decay; CIFAR-10 uses SGD with Nesterov
# momentum, a one-cycle (warm-up then linear decay) learning rate, label smoothing, and
# random crop (4-pixel reflect padding) + horizontal flip augmentation. The epoch counts
# are what one free CPU core affords in about an hour; each card records the run it was.
RECIPES = {
    "mnist": dict(epochs=4, batch_size=128, optimizer="adam", lr=2e-3, weight_decay=0.0,
                  label_smoothing=0.0, augment="shift"),
    "fashion_mnist": dict(epochs=6, batch_size=128, optimizer="adam", lr=2e-3,
                          weight_decay=0.0, label_smoothing=0.0, augment="flip"),
    "cifar10": dict(epochs=20, batch_size=256, optimizer="sgd", lr=0.2, weight_decay=5e-4,
                    label_smoothing=0.1, augment="crop_flip"),
    # Self-supervised (real or one of seven degradations); sized to ~25 minutes of the
    # shared 2-core CPU. Flips only (a mirrored face is still a real face); no crops, so the
    # faces stay framed as the data and the anime presets frame them.
    "anime": dict(epochs=12, batch_size=128, optimizer="adam", lr=2e-3, weight_decay=0.0,
                  label_smoothing=0.0, augment="flip", task="degradations"),
}


def degradation_batch(x, y):
    """Real faces -> (faces each turned into a random one of the task's classes, labels)."""
    n = tf.shape(x)[0]
    labels = tf.random.uniform((n,), 0, len(degradations.DEGRADATIONS), dtype="int32")
    seed = tf.random.uniform((2,), 0, 2**31 - 1, dtype="int32")
    return degradations.degrade(x, labels, seed), labels


def degradation_test_set(x_test, seed=0):
    """Every held-out face under every class: (images, labels), class-major."""
    xs, ys = [], []
    for k in range(len(degradations.DEGRADATIONS)):
        labels = np.full(len(x_test), k, "int32")
        xs.append(degradations.degrade(x_test, labels, [seed, k]).numpy())
        ys.append(labels)
    return np.concatenate(xs), np.concatenate(ys)


def augment_batch(kind, shape):
    """Batched augmentation (one call per batch; per-example maps are slow on one core)."""
    h, w, _ = shape
    pad = 2 if kind == "shift" else 4

    def fn(x, y):
        if kind in ("flip", "crop_flip"):
            flip = tf.random.uniform((tf.shape(x)[0], 1, 1, 1)) < 0.5
            x = tf.where(flip, tf.reverse(x, axis=[2]), x)
        if kind in ("shift", "crop_flip"):
            # MNIST-like digits shift over a black (-1) border; photos use reflect padding.
            mode = "CONSTANT" if kind == "shift" else "REFLECT"
            x = tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]], mode=mode,
                       constant_values=-1.0 if mode == "CONSTANT" else 0.0)
            n = tf.shape(x)[0]
            dy = tf.random.uniform((n, 1), 0, 2 * pad + 1, dtype="int32")
            dx = tf.random.uniform((n, 1), 0, 2 * pad + 1, dtype="int32")
            x = tf.gather(x, dy + tf.range(h)[None], axis=1, batch_dims=1)
            x = tf.gather(x, dx + tf.range(w)[None], axis=2, batch_dims=1)
        return x, y

    return fn


def make_optimizer(recipe, steps):
    if recipe["optimizer"] == "adam":
        schedule = keras.optimizers.schedules.CosineDecay(recipe["lr"], steps)
        return keras.optimizers.Adam(schedule)
    warm = max(1, int(0.2 * steps))

    class OneCycle(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            step = tf.cast(step, "float32")
            up = step / warm
            down = (steps - step) / (steps - warm)
            return recipe["lr"] * tf.maximum(0.0, tf.minimum(up, down))

        def get_config(self):
            return {}

    return keras.optimizers.SGD(OneCycle(), momentum=0.9, nesterov=True,
                                weight_decay=recipe["weight_decay"])


def weights_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


ARCHITECTURES = {
    "small_cnn": "conv3x3(w)-BN-ReLU x2, maxpool, conv3x3(2w)-BN-ReLU x2, maxpool, "
                 "conv3x3(4w)-BN-ReLU, global average pool, dropout 0.3, dense 128 ReLU "
                 "(`features`), dropout 0.3, dense {classes} (`logits`); w = {width}",
    "resnet_cnn": "stem conv3x3(w1)-BN-ReLU; per stage w in {width}: conv3x3(w), maxpool, "
                  "BN-ReLU, then a residual block of two conv3x3(w)-BN-ReLU; global max "
                  "pool (`features`), dense {classes} (`logits`)",
}


ANIME_TASK = """the {train:,} training faces of `anime-faces-64.tar.gz` (`../shared/data`),
  shrunk to 32x32 as the anime presets see them; {test:,} faces (one file in ten, by a hash of
  its name) held out. No labels: the network learns to tell a real face from the same face
  blurred, noised, with two 8x8 patches swapped, with its colour channels permuted, blended
  with another face, with a square cut out, or rotated (`keras_gans.metrics.degradations`;
  one class drawn per face per batch, eight classes in all, so chance is 12.5%). Its
  `logits` are these eight classes, not kinds of faces: the Inception-Score analogue and
  class counts mean nothing here.
- **Limits**: trained on about 20,000 faces of one web scrape at 32x32, self-supervised:
  its features see the faults the degradations imitate (blur, grain, misplaced parts, off
  colours, ghosting, holes, layout) and whatever else separates the classes, not human
  judgement of a face. FIDs in its 128-d features are on another scale from Inception FIDs
  and from the `cifar10` evaluator's: compare them only between models scored with the
  same weights (the `extractor_sha256` of their protocol records), never with published
  FIDs. Slight grain costs far more FID in these features than the faults of the
  `stylegan2-anime-32` preset (`benchmarks/README.md`, "The `anime` evaluator")."""


def write_card(name):
    """README.md for zoo/evaluators/<name>/ from its metadata.json."""
    folder = ev.evaluator_dir(name)
    with open(os.path.join(folder, "metadata.json")) as f:
        m = json.load(f)
    kind = "resnet_cnn" if name in ("cifar10", "anime") else "small_cnn"
    r = m["recipe"]
    aug = {"shift": "random shifts of up to 2 pixels over a black border",
           "flip": "random horizontal flips",
           "crop_flip": "random 32x32 crops of the 4-pixel reflect-padded image and random "
                        "horizontal flips"}[r["augment"]]
    opt = (f"Adam, learning rate {r['lr']} with cosine decay to 0" if r["optimizer"] == "adam"
           else f"SGD with Nesterov momentum 0.9, one-cycle learning rate (linear warm-up to "
                f"{r['lr']} over 20% of the steps, then linear decay to 0), decoupled weight "
                f"decay {r['weight_decay']}")
    finetune = ""
    if "finetune" in r:
        f = r["finetune"]
        finetune = (f"\n  Then {f['epochs']} more epoch(s) from the saved model: Adam from "
                    f"{f['lr']} with cosine decay to 0, same loss and augmentation.")
    data = f"the {name} train split from `../shared/data` (see its README)."
    tested = f"{m['test_examples']:,} test images."
    if r.get("task") == "degradations":
        data = ANIME_TASK.format(train=m["train_examples"], test=m["test_files"])
        tested = (f"{m['test_examples']:,} held-out examples (each of the {m['test_files']:,} "
                  f"held-out faces under each class); per class: " + ", ".join(
            f"{k} {100 * a:.1f}%" for k, a in m["test_accuracy_per_class"].items()) + ".")
    text = f"""# {name} evaluator

A classifier trained by keras-gans to score generated {name} images: its `features` layer
({m['feature_dim']}-d) feeds FID, KID, precision/recall and density/coverage, its `logits`
layer the Inception-Score analogue and class (or stacked-MNIST) mode counts.

```python
import keras_gans as kg
model = kg.metrics.load_evaluator("{name}")            # keras.Model, logits out
fid = kg.metrics.FID(extractor="{name}")               # features from the `features` layer
```

- **Input**: float images in [-1, 1], shape {tuple(m['input_shape'])}.
- **Architecture** (`{m['architecture']}`, {m['params']:,} parameters):
  {ARCHITECTURES[kind].format(width=ev.EVALUATORS[name]['width'],
                               classes=m['num_classes'])}.
- **Training data**: {data}
- **Recipe**: {r['epochs']} epochs, batch {r['batch_size']}, {opt}; cross-entropy with label
  smoothing {r['label_smoothing']}; augmentation: {aug}; seed {m['seed']}.{finetune}
- **Compute**: {m['training_seconds'] / 60:.1f} minutes on {m['hardware']} (shared with
  other jobs, so wall time is an upper bound).
- **Test accuracy**: {100 * m['test_accuracy']:.2f}% on the {tested}
- **File**: `model.keras`, {m['model_bytes'] / 1e6:.2f} MB, sha256 `{m['model_sha256']}`
  (no optimizer state).
- **Reproduce**: `{m['command']}` from the repository root ({m['date']}).
"""
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(text)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("name", choices=list(ev.EVALUATORS))
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--work-dir", default="runs/evaluators")
    p.add_argument("--benchmark-steps", type=int, default=0,
                   help="only time this many training steps and exit")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--finetune", type=int, default=0, metavar="EPOCHS",
                   help="continue training the saved evaluator for EPOCHS more epochs with "
                        "a fresh cosine schedule from --finetune-lr (recorded in the card)")
    p.add_argument("--finetune-lr", type=float, default=3e-4)
    p.add_argument("--card-only", action="store_true",
                   help="rewrite README.md from an existing metadata.json and exit")
    args = p.parse_args()
    if args.card_only:
        write_card(args.name)
        return

    recipe = dict(RECIPES[args.name])
    if args.epochs:
        recipe["epochs"] = args.epochs
    keras.utils.set_random_seed(args.seed)
    spec = ev.EVALUATORS[args.name]
    x_train, y_train = ev.load_reference_arrays(args.name, "train", args.data_dir)
    x_test, y_test = ev.load_reference_arrays(args.name, "test", args.data_dir)
    x_train, x_test = ev.to_unit_range(x_train), ev.to_unit_range(x_test)
    self_supervised = recipe.get("task") == "degradations"
    extra = {}
    if self_supervised:
        extra = {"classes": list(degradations.DEGRADATIONS), "train_examples": len(x_train),
                 "test_files": len(x_test)}
        x_test, y_test = degradation_test_set(x_test, seed=args.seed)

    bs = recipe["batch_size"]
    steps_per_epoch = len(x_train) // bs
    train = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
             .shuffle(len(x_train), seed=args.seed)
             .batch(bs, drop_remainder=True)
             .map(augment_batch(recipe["augment"], spec["input_shape"])))
    if self_supervised:
        train = train.map(degradation_batch)
    train = train.prefetch(2)
    test = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(1000)

    previous = None
    if args.finetune:
        previous = ev.evaluator_metadata(args.name)
        model = ev.load_evaluator(args.name)
        stage = dict(recipe, epochs=args.finetune, lr=args.finetune_lr, optimizer="adam")
    else:
        model = ev.build_evaluator(args.name)
        stage = recipe
    model.compile(
        optimizer=make_optimizer(stage, stage["epochs"] * steps_per_epoch),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True,
                                                  label_smoothing=recipe["label_smoothing"]),
        metrics=["accuracy"], jit_compile=False)  # XLA is slower on one CPU core
    # Sparse labels -> one-hot so that label smoothing applies.
    train = train.map(lambda x, y: (x, tf.one_hot(y, spec["num_classes"])))
    test_oh = test.map(lambda x, y: (x, tf.one_hot(y, spec["num_classes"])))
    print(f"{args.name}: {model.count_params():,} parameters, recipe {recipe}", flush=True)

    if args.benchmark_steps:
        model.fit(train.take(3), verbose=0)
        t = time.time()
        model.fit(train.take(args.benchmark_steps), verbose=0)
        per_step = (time.time() - t) / args.benchmark_steps
        print(f"{per_step * 1000:.0f} ms/step -> {per_step * steps_per_epoch:.0f} s/epoch",
              flush=True)
        return

    work = os.path.join(args.work_dir, args.name + ("_finetune" if args.finetune else ""))
    os.makedirs(work, exist_ok=True)
    timing_path = os.path.join(work, "timing.json")
    elapsed = json.load(open(timing_path))["seconds"] if os.path.exists(timing_path) else 0.0

    class Timing(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t = time.time()

        def on_epoch_end(self, epoch, logs=None):
            nonlocal elapsed
            elapsed += time.time() - self.t
            with open(timing_path, "w") as f:
                json.dump({"seconds": elapsed, "epoch": epoch + 1}, f)

    model.fit(train, epochs=stage["epochs"], validation_data=test_oh, verbose=2,
              callbacks=[Timing(),
                         keras.callbacks.BackupAndRestore(os.path.join(work, "backup"))])

    logits = model.predict(x_test, batch_size=1000, verbose=0)
    accuracy = float(np.mean(logits.argmax(-1) == y_test))
    if self_supervised:
        extra["test_accuracy_per_class"] = {
            k: round(float(np.mean(logits.argmax(-1)[y_test == i] == i)), 4)
            for i, k in enumerate(degradations.DEGRADATIONS)}
        print(f"per class: {extra['test_accuracy_per_class']}", flush=True)
    print(f"{args.name}: test accuracy {accuracy:.4f}, training time {elapsed:.0f} s",
          flush=True)

    command = f"taskset -c 1 python benchmarks/train_evaluators.py {args.name}" + (
        f" --epochs {args.epochs}" if args.epochs else "")
    if self_supervised:
        command = (f"nice -n 10 python benchmarks/train_evaluators.py {args.name} --data-dir "
                   f"../shared/data" + (f" --epochs {args.epochs}" if args.epochs else ""))
    if previous:
        if accuracy <= previous["test_accuracy"]:
            print(f"Fine-tuning did not improve on {previous['test_accuracy']:.4f}; the "
                  f"saved evaluator is kept.", flush=True)
            return
        recipe = dict(previous["recipe"], finetune={
            "epochs": args.finetune, "optimizer": "adam", "lr": args.finetune_lr,
            "schedule": "cosine decay to 0", "augment": recipe["augment"]})
        elapsed += previous["training_seconds"]
        command = (f"{previous['command']} && taskset -c 1 python "
                   f"benchmarks/train_evaluators.py {args.name} --finetune {args.finetune} "
                   f"--finetune-lr {args.finetune_lr}")
    cores = len(os.sched_getaffinity(0))
    out = ev.evaluator_dir(args.name)
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "model.keras")
    # Save without the optimizer state: reloading uncompiled and saving again drops it.
    model.save(path)
    keras.models.load_model(path, compile=False).save(path)
    metadata = {
        "name": args.name,
        "architecture": model.name,
        "input_shape": list(spec["input_shape"]),
        "input_range": [-1.0, 1.0],
        "num_classes": spec["num_classes"],
        "feature_layer": "features",
        "feature_dim": int(model.get_layer("features").output.shape[-1]),
        "params": int(model.count_params()),
        "test_accuracy": accuracy,
        "test_examples": int(len(y_test)),
        **extra,
        "recipe": recipe,
        "seed": args.seed,
        "training_seconds": round(elapsed, 1),
        "hardware": f"{cores} CPU core{'s' if cores > 1 else ''} "
                    f"({platform.processor() or platform.machine()}), "
                    f"TensorFlow {tf.__version__}, Keras {keras.__version__}",
        "command": command,
        "date": datetime.date.today().isoformat(),
        "model_sha256": weights_sha256(path),
        "model_bytes": os.path.getsize(path),
    }
    with open(os.path.join(out, "metadata.json"), "w") as f:
        json.dump(metadata, f, indent=2)
    write_card(args.name)
    print(json.dumps(metadata, indent=2), flush=True)


if __name__ == "__main__":
    main()
