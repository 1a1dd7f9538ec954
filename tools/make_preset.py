"""Turn a finished recipe run into a zoo preset, and regenerate the zoo index.

    python tools/make_preset.py build runs/dcgan-mnist --name dcgan-mnist \
        --recipe zoo/recipes/dcgan-mnist.yaml --dataset mnist --aliases dcgan
    python tools/make_preset.py index        # after any change to a preset folder

``build`` reads ``RUN/model.keras`` (written by ``keras-gans train --recipe``) and writes
``zoo/NAME/``: config.json, model.weights.h5, metadata.json (with the compute the run took,
from ``RUN/compute.json`` if present, else from the run's file times), samples.png, the
mode coverage on 2,500 samples for the 2-D toys, and a model card README.md from the
template below. Then it regenerates ``zoo/index.yaml``. Run it from the repository root.
"""

import argparse
import json
import os
import platform
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_gans as kg  # noqa: E402
from keras_gans import presets  # noqa: E402

DATASETS = {
    "mnist": ("MNIST handwritten digits, training split (60,000 images, 28x28 grey)",
              "CC BY-SA 3.0 (MNIST, LeCun, Cortes & Burges)"),
    "fashion_mnist": ("Fashion-MNIST, training split (60,000 images, 28x28 grey)",
                      "MIT (Zalando Research)"),
    "ring8": ("ring of 8 Gaussians, radius 1, std 0.01 (generated, embedded in keras-gans)",
              "none needed (synthetic)"),
    "grid25": ("5x5 grid of Gaussians at {-4,-2,0,2,4}^2, std 0.05 (generated, embedded in "
               "keras-gans)", "none needed (synthetic)"),
}

TOY_PROTOCOL = ("kg.metrics.mode_coverage on 2,500 samples of generate(2500, seed=0): a "
                "sample is high quality within 3 std of its nearest mode; a mode is covered "
                "with >= 1 high-quality sample; reverse KL of the mode histogram to uniform, "
                "in nats (VEEGAN / PacGAN protocol)")

CARD = """# {name}

{description}

![samples](samples.png)

*samples.png: `generate({num}, seed=0)`{sample_note}.*

```python
import keras_gans as kg
gan = kg.load("{name}")          # aliases: {aliases}
x = gan.generate(64, seed=0)     # {shape_note}
```

## Model

- Variant: `{variant}` ({class_name}); generator {g_params:,} parameters, discriminator
  {d_params:,} parameters{ema_note}.
- Output: {data_shape} per example, latent size {latent_dim}.

## Training

- Data: {data_text}. Licence: {licence}.
- Recipe: [`{recipe}`](../recipes/{recipe_file}); reproduce with
  `keras-gans train --recipe zoo/recipes/{recipe_file} --out runs/{name}` from the repository
  root{data_note}.
- Schedule: {steps:,} steps of batch {batch_size}.
- Compute: {wall:.0f} s wall time on {machine}; Keras {keras_version}, TensorFlow {tf_version}.

## Metrics

{metrics_text}

## What the samples look like

{notes}

## Limitations

{limitations}
"""


def _parameters(net):
    return int(sum(int(np.prod(v.shape)) for v in net.weights))


def _number(value):
    return "undefined (no high-quality sample)" if value is None else f"{value:.3f}"


def _wall_time(run):
    compute = os.path.join(run, "compute.json")
    if os.path.exists(compute):
        with open(compute) as f:
            return json.load(f)["wall_time_s"]
    start = os.path.getmtime(os.path.join(run, "recipe.yaml"))
    return os.path.getmtime(os.path.join(run, "model.keras")) - start


def build_preset(run, name, recipe, dataset, aliases=(), description="", notes="",
                 limitations="", zoo=None, seed=0):
    """Write the preset folder ``zoo/NAME`` from the finished run folder ``run``."""
    zoo = zoo or presets.zoo_dir()
    folder = os.path.join(zoo, name)
    os.makedirs(folder, exist_ok=True)
    model = keras.models.load_model(os.path.join(run, "model.keras"))
    resolved = kg.recipes.load(os.path.join(run, "recipe.yaml"))

    toy = len(model.data_shape) == 1 and model.data_shape[0] == 2
    num = 2500 if toy else 64
    samples = model.generate(num, seed=seed)
    metrics = {}
    if toy:
        reference = kg.data.toy.get(dataset)
        bound = float(np.abs(reference.centers).max()) * 1.3 + 0.2
        kg.utils.save_scatter(samples, os.path.join(folder, presets.SAMPLES_NAME),
                              extent=(-bound, bound), reference=reference.centers)
        coverage = kg.metrics.mode_coverage(samples, dataset)
        metrics["mode_coverage"] = {
            "modes_covered": coverage["modes_covered"], "num_modes": coverage["num_modes"],
            "high_quality": round(coverage["high_quality"], 4),
            # JSON has no infinity: null when no sample is near any mode.
            "reverse_kl": (round(coverage["reverse_kl"], 4)
                           if np.isfinite(coverage["reverse_kl"]) else None),
            "protocol": TOY_PROTOCOL}
    elif getattr(model, "num_classes", None) and hasattr(model, "sample_labels"):
        # A conditional model: one row per class, the same seed.
        per_class = 10
        labels = np.repeat(np.arange(model.num_classes), per_class)
        kg.utils.save_grid(model.generate(len(labels), labels=labels, seed=seed),
                           os.path.join(folder, presets.SAMPLES_NAME), ncols=per_class)
    else:
        kg.utils.save_grid(samples, os.path.join(folder, presets.SAMPLES_NAME))

    steps = resolved["schedule"]["epochs"] * resolved["schedule"]["steps_per_epoch"]
    data_text, licence = DATASETS.get(dataset, (dataset, "see the data set's source"))
    wall = _wall_time(run)
    machine = f"{platform.machine()} CPU, {os.cpu_count()} cores, shared with other jobs"
    g_params, d_params = _parameters(model.generator), _parameters(model.discriminator)
    metadata = {
        "name": name,
        "description": description,
        "aliases": list(aliases),
        "variant": resolved["model"]["variant"],
        "class_name": type(model).__name__,
        "dataset": dataset,
        "data": {"description": data_text, "licence": licence,
                 "recipe_source": resolved["data"]["name"]},
        "data_shape": list(model.data_shape),
        "output_range": None if toy else [-1.0, 1.0],
        "latent_dim": model.latent_dim,
        "classes": None,
        "ema": model.has_ema,
        "parameters": {"generator": g_params, "discriminator": d_params},
        "recipe": f"zoo/recipes/{os.path.basename(recipe)}",
        "training": {"steps": steps, "batch_size": resolved["data"]["batch_size"],
                     "seed": resolved["seed"]},
        "compute": {"wall_time_s": round(wall, 1), "machine": machine,
                    "threads": "TF_NUM_INTRAOP_THREADS=1, TF_NUM_INTEROP_THREADS=1, taskset -c 1"},
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__,
                     "keras_gans": kg.__version__, "python": platform.python_version()},
        "metrics": metrics,
        "samples": f"generate({num}, seed=0)",
    }
    presets.save_preset(model, folder, metadata)

    if metrics:
        m = metrics["mode_coverage"]
        metrics_text = (f"| metric | value | protocol |\n|---|---|---|\n"
                        f"| modes covered | {m['modes_covered']} / {m['num_modes']} | "
                        f"{TOY_PROTOCOL} |\n| high-quality samples | {m['high_quality']:.1%} | "
                        f"same |\n| reverse KL (nats) | {_number(m['reverse_kl'])} | same |")
    else:
        metrics_text = ("None yet: the image evaluators (FID/KID with a domain classifier) are "
                        "being built; `metadata.json` has `\"metrics\": {}` until they are "
                        "measured with a stated protocol.")
    shape = ", ".join(map(str, model.data_shape))
    card = CARD.format(
        name=name, description=description, num=num,
        sample_note=(", a scatter plot; light red dots mark the mode centres" if toy else
                     ", an 8x8 grid"),
        aliases=", ".join(aliases) or "none",
        shape_note=("float32 points, shape (64, 2)" if toy else
                    f"float32 images in [-1, 1], shape (64, {shape})"),
        variant=metadata["variant"], class_name=metadata["class_name"], g_params=g_params,
        d_params=d_params,
        ema_note="; samples come from an exponential moving average of the generator"
                 if model.has_ema else "",
        data_shape="x".join(map(str, model.data_shape)), latent_dim=model.latent_dim,
        data_text=data_text, licence=licence, recipe=metadata["recipe"],
        recipe_file=os.path.basename(recipe),
        data_note=("" if toy else ", with the shared data folder beside the checkout "
                   f"(`{resolved['data']['name']}`) or `--dataset PATH` to your own copy"),
        steps=steps, batch_size=metadata["training"]["batch_size"], wall=wall, machine=machine,
        keras_version=keras.__version__, tf_version=tf.__version__,
        metrics_text=metrics_text, notes=notes or "(to be written after looking at samples.png)",
        limitations=limitations or "(to be written)")
    with open(os.path.join(folder, presets.CARD_NAME), "w") as f:
        f.write(card)
    presets.write_index(zoo)
    return folder


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="make zoo/NAME from a finished recipe run")
    build.add_argument("run")
    build.add_argument("--name", required=True)
    build.add_argument("--recipe", required=True)
    build.add_argument("--dataset", required=True)
    build.add_argument("--aliases", nargs="*", default=[])
    build.add_argument("--description", default="")
    build.add_argument("--notes", default="", help="what the samples look like (after looking)")
    build.add_argument("--limitations", default="")
    build.add_argument("--zoo", default=None, help="the zoo folder (default: the repository's)")
    sub.add_parser("index", help="regenerate zoo/index.yaml from the preset folders")
    args = parser.parse_args(argv)
    if args.command == "index":
        print(presets.write_index())
        return 0
    print(build_preset(args.run, args.name, args.recipe, args.dataset, args.aliases,
                       args.description, args.notes, args.limitations, zoo=args.zoo))
    return 0


if __name__ == "__main__":
    sys.exit(main())
