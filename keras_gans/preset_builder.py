"""Turn a finished recipe run into a zoo preset, and regenerate the zoo index: the
``keras-gans zoo`` command (``python tools/make_preset.py`` takes the same arguments).

    keras-gans zoo build runs/dcgan-mnist --name dcgan-mnist \
        --recipe zoo/recipes/dcgan-mnist.yaml --dataset mnist --aliases dcgan
    keras-gans zoo measure dcgan-mnist --data-dir DIR_WITH_MNIST_NPZ
    keras-gans zoo index        # after any change to a preset folder
    keras-gans zoo snapshot runs/stylegan2-anime-32 runs/stylegan2-anime-32-snap
                                # model.keras of a run still training
    keras-gans zoo build-tabular runs/tabular/tabular-gan-adult \
        --name tabular-gan-adult --recipe zoo/recipes/tabular-gan-adult.yaml
    keras-gans zoo examples srgan-x4 /tmp/flowers    # inputs shipped for sample

Image-to-image models (SimGAN, CycleGAN, SRGAN; ``keras_gans.tasks``) get a picture of
inputs, drawn from the recipe's first ``data.unpaired`` source, beside their outputs, and
metadata recording the task, input/output shapes and that source; ``--metrics FILE`` adds
metrics their benchmark measured. ``build`` reads ``RUN/model.keras`` (written by ``keras-gans train --recipe``) and writes
``zoo/NAME/``: config.json, model.weights.h5, metadata.json (with the compute the run took,
from ``RUN/compute.json`` if present, else from its checkpoints' training clock, else from
the run's file times), samples.png, the
mode coverage on 2,500 samples for the 2-D toys, and a model card README.md from the
template below. Then it regenerates ``zoo/index.yaml``. ``measure`` scores an image preset
in its domain evaluator (the protocol of the quality floor in benchmarks/README.md) and writes
the scores into its metadata.json, card and the index. ``build-tabular`` reads the
repository's ``benchmarks/tabular.py``: run it from the repository root.
"""

import argparse
import json
import os
import platform
import sys

import keras
import numpy as np
import tensorflow as tf

import keras_gans as kg
from keras_gans import presets, training_clock
from keras_gans.models import adversarial
from keras_gans.metrics import evaluators

DATASETS = {
    "mnist": ("MNIST handwritten digits, training split (60,000 images, 28x28 grey)",
              "CC BY-SA 3.0 (MNIST, LeCun, Cortes & Burges)"),
    "stacked_mnist": ("Stacked MNIST (VEEGAN, PacGAN): 128,000 images of 28x28x3, each "
                      "stacking three MNIST training digits drawn independently as its R, G "
                      "and B channels, 1,000 equally likely modes",
                      "CC BY-SA 3.0 (MNIST, LeCun, Cortes & Burges)"),
    "fashion_mnist": ("Fashion-MNIST, training split (60,000 images, 28x28 grey)",
                      "MIT (Zalando Research)"),
    "synthetic-digits-to-mnist": (
        "digits rendered from the machine's TrueType fonts by kg.data.synthetic_digits "
        "(6,000, seed 0; their labels unused in training) as the synthetic side, and the "
        "60,000 unlabelled MNIST training images (28x28 grey) as the real side",
        "fonts: each font's own free licence (here DejaVu: Bitstream Vera derived; STIX: "
        "SIL Open Font Licence; Computer Modern: the BaKoMa copies bundled with matplotlib); "
        "MNIST: CC BY-SA 3.0 (LeCun, Cortes & Burges)"),
    "flowers-daisy-sunflower": (
        "the daisy (764 photos, X) and sunflower (733 photos, Y) folders of the flowers "
        "recognition set (Kaggle's \"flowers recognition\" set as 128x128 copies, resized "
        "to 64x64), unpaired",
        "the \"flowers recognition\" photo set; research use"),
    "anime-faces": (
        "19,992 anime character faces (64x64 JPEGs, a public scrape used by many DCGAN "
        "tutorials) resized to 32x32 (bilinear, antialiased)",
        "research and demonstration use; the images' rights stay with their artists"),
    "flowers": (
        "the 4,317 photos of the flowers recognition set (Kaggle's \"flowers recognition\" "
        "set as 128x128 copies): random 64x64 patches, each shrunk x4 (bicubic, antialiased) to its 16x16 "
        "input",
        "the \"flowers recognition\" photo set; research use"),
    "cifar10": (
        "CIFAR-10's training split (50,000 images, 32x32 colour, 10 classes with their "
        "labels), as the JPEG copy (quality about 75) in the shared data folder",
        "no licence stated by its authors (Krizhevsky, Nair & Hinton, 2009); research use"),
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

*samples.png: {sample_caption}.*
{extra_pictures}
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
- Schedule: {steps:,} steps of batch {batch_size} ({kimg:,.0f} kimg: thousands of real images shown).{schedule_note}
- Compute: {compute_text}; Keras {keras_version}, TensorFlow {tf_version}.
- History: {history_text}

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


def _run_compute(run):
    """How a run was computed: ``{"wall_time_s", "threads", "machine"}`` and, where the
    run's checkpoints timed it, ``cpu_time_s`` and the ``segments`` it trained in. Read from
    ``RUN/compute.json`` (written by hand for runs whose checkpoints predate the clock, or
    by ``zoo snapshot``), else from the latest checkpoint's record
    (``keras_gans.training_clock``), else from the run's file times, with this machine
    shared with other jobs as the project's runs usually are."""
    shared = f"{platform.machine()} CPU, {os.cpu_count()} cores, shared with other jobs"
    compute = os.path.join(run, "compute.json")
    record = presets.read_json(compute) if os.path.exists(compute) else None
    if record is None and os.path.isdir(os.path.join(run, "checkpoints")):
        state = kg.callbacks.Checkpoint(os.path.join(run, "checkpoints")).latest()
        record = state and training_clock.summary(state.get("compute"))
    if record is None:
        start = os.path.getmtime(os.path.join(run, "recipe.yaml"))
        record = {"wall_time_s": os.path.getmtime(os.path.join(run, "model.keras")) - start}
    return {**record, "threads": record.get("threads"),
            "machine": record.get("machine") or shared}


I2I_CARD = """# {name}

{description}

![inputs beside outputs](samples.png)

*samples.png: {sample_caption}.*

```python
import keras_gans as kg
model = kg.load("{name}")        # aliases: {aliases}
{usage}
```

## Model

- Variant: `{variant}` ({class_name}); {params}.
- Task: `{task}(images)`: float32 images in [-1, 1], trained on {input_shape} inputs
  (giving {output_shape} outputs){any_size}.

## Training

- Data: {data_text}. Licence: {licence}.
- Recipe: [`{recipe}`](../recipes/{recipe_file}); reproduce with
  `keras-gans train --recipe zoo/recipes/{recipe_file} --out runs/{name}` from the repository
  root, with the shared data folder beside the checkout.
- Schedule: {schedule_text}.{schedule_note}
- Compute: {compute_text}; Keras {keras_version}, TensorFlow {tf_version}.
- History: {history_text}

## Metrics

{metrics_text}

## What the picture shows

{notes}

## Limitations

{limitations}
"""

def _run_record(run, recipe, resolved, steps, compute):
    """The metadata fields that say how a preset was trained: recipe, steps, compute and
    versions. ``compute`` is ``_run_compute``'s record; without its ``threads``, the thread
    settings the recipes' runs use by default are recorded. A run that started from
    another preset's weights (``init_from``, recorded in RUN/init_from.json) also records
    that source and the totals: ``training.total_kimg`` and ``compute.total_wall_time_s``
    count the source's training (its own totals when it continued another in turn)."""
    kimg = round(steps * resolved["data"]["batch_size"] / 1000, 1)
    record = {
        "recipe": f"zoo/recipes/{os.path.basename(recipe)}",
        "training": {"steps": steps, "batch_size": resolved["data"]["batch_size"],
                     "kimg": kimg, "seed": resolved["seed"],
                     **({} if resolved.get("precision", "float32") == "float32"
                        else {"precision": resolved["precision"]})},
        "compute": {"wall_time_s": round(compute["wall_time_s"], 1),
                    "machine": compute["machine"],
                    "threads": (compute["threads"]
                                or "TF_NUM_INTRAOP_THREADS=1, TF_NUM_INTEROP_THREADS=1"),
                    **{key: compute[key] for key in ("cpu_time_s", "segments")
                       if key in compute}},
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__,
                     "keras_gans": kg.__version__, "python": platform.python_version()},
    }
    phases = _precision_phases(run)
    if phases:
        record["training"]["precision_phases"] = phases
    source_path = os.path.join(run, kg.recipes.INIT_FROM_NAME)
    if os.path.exists(source_path):
        source = presets.read_json(source_path)
        earlier_kimg, earlier_wall = kg.recipes.training_behind(source)
        record["training"]["continued_from"] = {
            "preset": source.get("name") or source["source"],
            **({"run_step": source["run_step"]} if "run_step" in source else {}),
            "weights_sha256": source.get("weights_sha256"),
            "kimg": earlier_kimg, "wall_time_s": earlier_wall}
        if earlier_kimg is not None:
            record["training"]["total_kimg"] = round(earlier_kimg + kimg, 1)
        if earlier_wall is not None:
            record["compute"]["total_wall_time_s"] = round(
                earlier_wall + compute["wall_time_s"], 1)
    return record


def _precision_phases(run):
    """``[{"from_step", "precision"}, ...]`` for a run whose precision was changed on
    resumption (``recipe_changes`` in RUN/history.json; ``from_step`` None where the
    record predates steps being kept), or None for a run under one precision."""
    path = os.path.join(run, "history.json")
    changes = presets.read_json(path).get("recipe_changes", []) if os.path.exists(path) else []
    phases = []
    for change in changes:
        if "precision" in change["changes"]:
            before, after = change["changes"]["precision"]
            phases = phases or [{"from_step": 0, "precision": before}]
            phases.append({"from_step": change.get("step"), "precision": after})
    return phases or None


def _schedule_note(metadata):
    """The card's sentences after the schedule: the arithmetic's precision where it was not
    float32 (phase by phase where a resumption changed it), and the training a continued
    preset started from ('' if neither)."""
    training = metadata["training"]
    precision = training.get("precision", "float32")
    phases = training.get("precision_phases")
    if phases:
        parts = []
        for phase, following in zip(phases, phases[1:] + [None]):
            end = following and following["from_step"]
            span = (f"for steps {phase['from_step']:,}-{end - 1:,}" if end is not None else
                    f"from step {phase['from_step']:,}" if phase["from_step"] is not None
                    else "from a later resumption")
            parts.append(f"`{phase['precision']}` {span}")
        text = (f" Trained under the dtype policies {', then '.join(parts)} (float32 "
                f"weights throughout); the preset computes in float32.")
    else:
        text = "" if precision == "float32" else (
            f" Trained under the `{precision}` dtype policy (float32 weights); the preset "
            f"computes in float32.")
    return text + _continuation_text(metadata)


def _compute_text(metadata):
    """'12,345 s wall time (11,900 CPU-seconds) on MACHINE': the CPU time where the run's
    checkpoints measured it."""
    compute = metadata["compute"]
    cpu = compute.get("cpu_time_s")
    return (f"{compute['wall_time_s']:,.0f} s wall time"
            + (f" ({cpu:,.0f} CPU-seconds)" if cpu is not None else "")
            + f" on {compute['machine']}")


def _continuation_text(metadata):
    """The sentence on the training a continued preset started from ('' if none)."""
    earlier = metadata["training"].get("continued_from")
    if not earlier:
        return ""
    weights = earlier.get("weights_sha256")
    step = earlier.get("run_step")
    text = (f" This run started from the weights of `{earlier['preset']}`"
            + (" as then published" if step is None else
               f" (the best model its run kept, at step {step:,})")
            + (f" (model.weights.h5 sha256 {weights[:12]}...)" if weights else "")
            + " with fresh optimizers")
    total_kimg = metadata["training"].get("total_kimg")
    total_wall = metadata["compute"].get("total_wall_time_s")
    if total_kimg is not None and total_wall is not None:
        text += (f", which had {earlier['kimg']:,.0f} kimg and {earlier['wall_time_s']:,.0f} s "
                 f"behind them: **{total_kimg:,.0f} kimg and {total_wall:,.0f} s of training "
                 f"in all**")
    return text + "."


# Inputs of the card's picture of an image-to-image preset.
I2I_PAIRS = 32


HISTORY_NAME = "history.png"
NO_HISTORY = ("the training run's history was not kept, so this card has no training curves "
              "(runs made now write history.png beside history.json).")


DISTANCE_NAME = "distance.png"


def write_history(run, folder, loss=None):
    """Draw the run's training curves (``RUN/history.json``, written by
    ``kg.callbacks.HistoryFile``) into the preset folder; returns the card's History line.
    Under an adversarial ``loss`` whose critic estimates a distance (``distance_estimate``:
    WGAN's), it also draws that estimate against the run's evaluation FID."""
    path = os.path.join(run, "history.json")
    if not os.path.exists(path):
        return NO_HISTORY
    with open(path) as f:
        rows = json.load(f)["epochs"]
    recipe = os.path.join(run, "recipe.yaml")
    batch_size = (kg.recipes.load(recipe)["data"].get("batch_size")
                  if os.path.exists(recipe) else None)
    name = os.path.basename(os.path.normpath(folder))
    kg.plots.save_history(rows, os.path.join(folder, HISTORY_NAME), title=name,
                          batch_size=batch_size)
    text = (f"losses, discriminator outputs and any evaluation scores over the "
            f"{len(rows)} epochs of the run ({HISTORY_NAME}, from its history.json).\n\n"
            f"  ![training history]({HISTORY_NAME})")
    estimate = getattr(loss, "distance_estimate", None)
    if estimate and kg.plots.distance_tracking(rows) is not None:
        _, rho, evaluations = kg.plots.save_distance_tracking(
            rows, os.path.join(folder, DISTANCE_NAME), title=name)
        text += (f"\n- The critic's estimate against sample quality ({DISTANCE_NAME}): the "
                 f"critic's mean output on real minus generated images (d_real - d_fake, "
                 f"each epoch's mean over its training batches) estimates {estimate}; beside "
                 f"it, the FID of the run's evaluations. Over the {evaluations} evaluations "
                 f"their Spearman rank correlation is **{rho:+.3f}** (+1: the estimate "
                 f"falls exactly as the samples improve).\n\n"
                 f"  ![critic's estimate against FID]({DISTANCE_NAME})")
    return text


def data_note(data_name):
    """Where a reproduced run gets the data the recipe names, for the card."""
    if data_name in kg.data.public.PUBLIC:
        return (f", where `{data_name}` comes from TensorFlow Datasets (downloaded and cached "
                f"on first use; a local copy via `$KERAS_GANS_DATA` or `--dataset PATH`)")
    return (f", with the images in `{data_name}` (the recipe's header says where they come "
            f"from) or `--dataset PATH` to your own copy")


def growth_grids(run, folder, final_side=None):
    """For a run that grew (its history logs ``stage`` and ``alpha``, as ProGAN's does), copy
    into the preset folder one sample grid per stage reached: the last epoch's grid while
    that stage was fully in (alpha 1), or the epoch that ended it (the next stage at alpha 0
    still draws this stage's images, upsampled). The stage at the model's full size
    (``final_side``) is the published model's own samples.png, and is not copied twice.
    A run that continued a grown preset (``init_from``) did not grow itself: the stages it
    did not pass through are the source preset's grids, which the run kept
    (``recipes.INHERITED_GRIDS``). Returns the card's markdown, or ""."""
    import shutil

    path = os.path.join(run, "history.json")
    if not os.path.exists(path):
        return ""
    with open(path) as f:
        rows = json.load(f)["epochs"]
    if not rows or "stage" not in rows[0]:
        return ""
    chosen = {}
    for row in rows:
        stage, alpha = int(round(row["stage"])), row["alpha"]
        if alpha >= 1.0:
            chosen[stage] = row
        elif alpha <= 0.0 and stage > 0:
            chosen[stage - 1] = row
    inherited = _inherited_grids(run)
    text = ""
    for stage in sorted(set(chosen) | set(inherited)):
        side = f"{4 * 2 ** stage}x{4 * 2 ** stage}"
        if 4 * 2 ** stage == final_side:
            text += (f"\n*Growth stage {stage} ({side}), the full size: samples.png above, "
                     f"drawn by the published model.*\n")
            continue
        filename = f"stage_{stage}_{side}.png"
        if stage in chosen:
            row = chosen[stage]
            grid = os.path.join(run, "samples", f"epoch_{int(row['epoch']):03d}.png")
            if not os.path.exists(grid):
                continue
            caption = (f"growth stage {stage} ({side}, shown at the output size), the run's "
                       f"sample grid after epoch {int(row['epoch'])} (step "
                       f"{int(row['step']):,}), the same latent vectors in every stage")
        else:
            grid, source = inherited[stage]
            caption = (f"growth stage {stage} ({side}, shown at the output size), from "
                       f"`{source}` as this run found it: the grid of that preset's own "
                       f"growth, which this run continued at full size")
        shutil.copy(grid, os.path.join(folder, filename))
        text += f"\n![{filename}]({filename})\n\n*{filename}: {caption}.*\n"
    return text


def _inherited_grids(run):
    """``{stage: (grid path, source preset)}`` of the growth grids a continued run kept
    from its source preset (none for other runs)."""
    folder = os.path.join(run, kg.recipes.INHERITED_GRIDS)
    record = os.path.join(run, kg.recipes.INIT_FROM_NAME)
    if not (os.path.isdir(folder) and os.path.exists(record)):
        return {}
    source = presets.read_json(record)["source"]
    found = {}
    for filename in sorted(os.listdir(folder)):
        parts = filename.split("_")
        if filename.endswith(".png") and parts[0] == "stage" and parts[1].isdigit():
            found[int(parts[1])] = (os.path.join(folder, filename), source)
    return found


def _metrics_table(metrics):
    """A card section for metrics given as {name: {value fields..., "protocol": text}}."""
    if not metrics:
        return ("Not measured yet: pass `--metrics FILE` (a JSON of {name: {values..., "
                "protocol}}, e.g. from the variant's benchmark) to `keras-gans zoo build`.")
    lines = []
    for key, entry in metrics.items():
        values = ", ".join(f"{k} {v}" for k, v in entry.items() if k != "protocol")
        lines.append(f"- **{key.replace('_', ' ')}**: {values}.\n  Protocol: "
                     f"{entry.get('protocol', 'not recorded')}.")
    return "\n".join(lines)


def _write_card(folder, card, zoo):
    """Write the preset's card and regenerate the index; returns the folder. When the
    preset or the zoo is over its size budget, raises a ``PresetError`` for the package's
    zoo (after writing, so the folder can be looked at) and warns for any other folder
    (a scratch or private zoo, which ships nothing)."""
    with open(os.path.join(folder, presets.CARD_NAME), "w") as f:
        f.write(card)
    presets.write_index(zoo)
    problems = presets.budget_problems(zoo)
    if problems:
        message = f"Built {folder}, but it cannot ship: " + " ".join(problems)
        if os.path.realpath(zoo or presets.zoo_dir()) == os.path.realpath(presets.zoo_dir()):
            raise presets.PresetError(message)
        print(f"Warning: {message}", file=sys.stderr)
    return folder


def without_history_pools(model):
    """The model without its training-only state (``without_training_state``): CycleGAN's
    history pools (50 generated images per discriminator; at 64x64 they are 4.9 MB of a
    26 MB file) and SimGAN's buffer are not shipped. The card says how to train with pools
    again."""
    return model.without_training_state()


def build_image_to_image_preset(model, run, name, recipe, resolved, dataset, aliases=(),
                                description="", notes="", limitations="", zoo=None, seed=0,
                                metrics=None):
    """The preset of an image-to-image model (SimGAN, CycleGAN, SRGAN): its picture shows
    inputs drawn from the recipe's first source beside the model's outputs, and its
    metadata records the task, the input and output shapes and that source."""
    from keras_gans import tasks

    zoo = zoo or presets.zoo_dir()
    folder = os.path.join(zoo, name)
    os.makedirs(folder, exist_ok=True)
    task, shape = model.task, model.input_image_shape
    kind = next((k for k in ("unpaired", "super_resolution")
                 if resolved["data"].get(k) is not None), None)
    if kind is None:
        raise SystemExit(f"{type(model).__name__} is an image-to-image model, but the run's "
                         f"recipe has no data.unpaired or data.super_resolution source to "
                         f"draw picture inputs from.")
    sources = resolved["data"][kind]
    sources = sources if isinstance(sources, list) else [sources]
    source = sources[0]
    if isinstance(source, dict):  # the picture's own count and seed replace the training set's
        source = {"synthetic_digits": {k: v for k, v in source["synthetic_digits"].items()
                                       if k not in ("num", "n", "seed")}}
    model = without_history_pools(model)
    inputs = tasks.draw_inputs(source, I2I_PAIRS, seed, shape)
    model.save_preview(os.path.join(folder, presets.SAMPLES_NAME), inputs=inputs)
    drawn = (f"synthetic_digits({I2I_PAIRS}, seed={seed})" if isinstance(source, dict)
             else f"{I2I_PAIRS} images of {source} (kg.tasks.draw_inputs, seed {seed})")
    sample_caption = (f"`{task}` applied to {drawn}: each input, then its output to its "
                      f"right; 8 pairs per row")
    networks = {net.name: _parameters(net) for net in model.networks()}
    schedule = resolved["schedule"]
    steps = schedule["epochs"] * schedule["steps_per_epoch"]
    pretrain_steps = (schedule.get("pretrain_epochs") or 0) * schedule["steps_per_epoch"]
    batch = resolved["data"]["batch_size"]
    schedule_text = (f"{pretrain_steps:,} steps of the generator alone (pixel MSE, "
                     f"`pretrain`), then {steps:,} adversarial steps, of batch {batch}"
                     if pretrain_steps else f"{steps:,} steps of batch {batch}")
    data_text, licence = DATASETS.get(dataset, (dataset, "see the data set's source"))
    compute = _run_compute(run)
    metadata = {
        "name": name, "description": description, "aliases": list(aliases),
        "variant": resolved["model"]["variant"], "class_name": type(model).__name__,
        "dataset": dataset,
        "data": {"description": data_text, "licence": licence,
                 "recipe_source": {kind: sources if kind == "unpaired" else sources[0]}},
        "inputs": source, "output_range": [-1.0, 1.0], "ema": False,
        "parameters": networks,
        **_run_record(run, recipe, resolved, steps, compute),
        "metrics": metrics or {},
        "samples": f"{task}({drawn})",
    }
    if pretrain_steps:
        metadata["training"]["pretrain_steps"] = pretrain_steps
    presets.save_preset(model, folder, metadata)
    saved = presets.read_json(os.path.join(folder, presets.METADATA_NAME))
    usage = {"refine": "x, labels = kg.data.synthetic_digits(16, seed=1)   # or your own\n"
                       "refined = model.refine(x)                         # same shape, "
                       "float32",
             "translate": "y = model.translate(x, direction=\"x2y\")   # x: (n, h, w, c) "
                          "in [-1, 1]",
             "upscale": "high = model.upscale(low)   # low: (n, h, w, c) in [-1, 1]"}[task]
    card = I2I_CARD.format(
        history_text=write_history(run, folder),
        name=name, description=description, sample_caption=sample_caption,
        aliases=", ".join(aliases) or "none", usage=usage, variant=metadata["variant"],
        class_name=metadata["class_name"],
        params=", ".join(f"{k} {v:,} parameters" for k, v in networks.items()),
        task=task, input_shape="x".join(map(str, saved["input_shape"])),
        output_shape="x".join(map(str, saved["output_shape"])),
        any_size="; the networks are fully convolutional, so other sizes work too",
        data_text=data_text, licence=licence, recipe=metadata["recipe"],
        recipe_file=os.path.basename(recipe), schedule_text=schedule_text,
        schedule_note=_schedule_note(metadata), compute_text=_compute_text(metadata),
        keras_version=keras.__version__, tf_version=tf.__version__,
        metrics_text=_metrics_table(metrics),
        notes=notes or "(to be written after looking at samples.png)",
        limitations=limitations or "(to be written)")
    return _write_card(folder, card, zoo)


def build_preset(run, name, recipe, dataset, aliases=(), description="", notes="",
                 limitations="", zoo=None, seed=0, metrics=None, fold_averages=False):
    """Write the preset folder ``zoo/NAME`` from the finished run folder ``run``.
    ``metrics``: {name: {values..., "protocol": ...}} measured elsewhere (image-to-image
    presets, whose benchmarks measure them). ``fold_averages``: ship the model's
    ``folded_averages()`` (the EMA generator as the generator, ...), a smaller file."""
    zoo = zoo or presets.zoo_dir()
    folder = os.path.join(zoo, name)
    # A run trained under mixed precision: its preset computes in float32 everywhere.
    model = kg.training.with_dtype_policy(
        presets.load_keras_file(os.path.join(run, "model.keras")), "float32")
    resolved = kg.recipes.load(os.path.join(run, "recipe.yaml"))
    if model.needs_inputs:
        return build_image_to_image_preset(model, run, name, recipe, resolved, dataset, aliases,
                                           description, notes, limitations, zoo, seed, metrics)
    os.makedirs(folder, exist_ok=True)
    folded_notes = []
    if fold_averages:
        model, folded_notes = model.folded_averages()

    toy = len(model.data_shape) == 1 and model.data_shape[0] == 2
    conditional = bool(model.label_classes)
    num = 2500 if toy else 64
    samples = model.generate(num, seed=seed)
    measured, metrics = metrics or {}, {}
    if toy:
        reference = kg.data.toy.get(dataset)
        kg.plots.save_scatter(samples, os.path.join(folder, presets.SAMPLES_NAME),
                              centres=reference.centers, title=f"{name}: generate({num}, seed=0)")
        sample_caption = (f"`generate({num}, seed=0)`, a scatter plot with axes; red circles "
                          f"mark the mode centres")
        coverage = kg.metrics.mode_coverage(samples, dataset)
        metrics["mode_coverage"] = {
            "modes_covered": coverage["modes_covered"], "num_modes": coverage["num_modes"],
            "high_quality": round(coverage["high_quality"], 4),
            # JSON has no infinity: null when no sample is near any mode.
            "reverse_kl": (round(coverage["reverse_kl"], 4)
                           if np.isfinite(coverage["reverse_kl"]) else None),
            "protocol": TOY_PROTOCOL}
    elif conditional:
        # A conditional model: one row per class, the same seed.
        per_class = 10
        labels = np.repeat(np.arange(model.label_classes), per_class)
        kg.utils.save_grid(model.generate(len(labels), labels=labels, seed=seed),
                           os.path.join(folder, presets.SAMPLES_NAME), ncols=per_class)
        sample_caption = (f"`generate({len(labels)}, labels=[0]*10 + [1]*10 + ... + "
                          f"[{model.label_classes - 1}]*10, seed=0)`, one row per requested class")
    else:
        sample_caption = f"`generate({num}, seed=0)`, an 8x8 grid"
        kg.utils.save_grid(samples, os.path.join(folder, presets.SAMPLES_NAME))

    extra_pictures = ""
    for filename, images, ncols, caption in model.card_pictures(seed):
        kg.utils.save_grid(images, os.path.join(folder, filename), ncols=ncols)
        extra_pictures += f"\n![{filename}]({filename})\n\n*{filename}: {caption}.*\n"
    extra_pictures += growth_grids(run, folder, final_side=model.data_shape[0])

    metrics.update(measured)
    steps = resolved["schedule"]["epochs"] * resolved["schedule"]["steps_per_epoch"]
    if os.path.exists(os.path.join(run, "snapshot.json")):   # published mid-run
        steps = presets.read_json(os.path.join(run, "snapshot.json"))["step"]
    data_text, licence = DATASETS.get(dataset, (dataset, "see the data set's source"))
    compute = _run_compute(run)
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
        "classes": [str(c) for c in range(model.label_classes)] if conditional else None,
        "ema": model.has_ema,
        "parameters": {"generator": g_params, "discriminator": d_params},
        **_run_record(run, recipe, resolved, steps, compute),
        "metrics": metrics,
        "samples": f"generate({num}, seed=0)",
    }
    _record_folds(metadata, model, folded_notes)
    presets.save_preset(model, folder, metadata)

    if "mode_coverage" in metrics:
        m = metrics["mode_coverage"]
        metrics_text = (f"| metric | value | protocol |\n|---|---|---|\n"
                        f"| modes covered | {m['modes_covered']} / {m['num_modes']} | "
                        f"{TOY_PROTOCOL} |\n| high-quality samples | {m['high_quality']:.1%} | "
                        f"same |\n| reverse KL (nats) | {_number(m['reverse_kl'])} | same |")
    elif metrics:
        metrics_text = _metrics_table(metrics)
    else:
        metrics_text = ("Not measured yet: `keras-gans zoo measure NAME` scores "
                        "the preset in its domain evaluator and writes the scores, with their "
                        "protocol, here and into `metadata.json`.")
    shape = ", ".join(map(str, model.data_shape))
    card = CARD.format(
        history_text=write_history(run, folder, model.adversarial_loss()),
        name=name, description=description, sample_caption=sample_caption,
        extra_pictures=extra_pictures, aliases=", ".join(aliases) or "none",
        shape_note=("float32 points, shape (64, 2)" if toy else
                    f"float32 images in [-1, 1], shape (64, {shape})"),
        variant=metadata["variant"], class_name=metadata["class_name"], g_params=g_params,
        d_params=d_params,
        ema_note=(EMA_NOTE + (FOLDED_NOTE if model.ema_folded else "")
                  if model.samples_from_ema else ""),
        data_shape="x".join(map(str, model.data_shape)), latent_dim=model.latent_dim,
        data_text=data_text, licence=licence, recipe=metadata["recipe"],
        recipe_file=os.path.basename(recipe),
        data_note="" if toy else data_note(resolved["data"]["name"]),
        steps=steps, batch_size=metadata["training"]["batch_size"],
        schedule_note=_schedule_note(metadata),
        kimg=steps * metadata["training"]["batch_size"] / 1000,
        compute_text=_compute_text(metadata),
        keras_version=keras.__version__, tf_version=tf.__version__,
        metrics_text=metrics_text, notes=notes or "(to be written after looking at samples.png)",
        limitations=limitations or "(to be written)")
    return _write_card(folder, card, zoo)


IMAGE_METRICS = ("fid", "kid", "pr", "dc", "is")
EMA_NOTE = "; samples come from an exponential moving average of the generator"
FOLDED_NOTE = (" (whose weights the preset ships as its generator, without the raw one, to "
               "halve its size)")
FOLDED_METADATA = "folded: the generator holds the EMA generator's weights"


def _record_folds(metadata, model, notes):
    """Say in the metadata what ``folded_averages`` folded (``notes``)."""
    if model.ema_folded:
        metadata["ema"] = FOLDED_METADATA
    if notes:
        metadata["folded_averages"] = notes


def fold_preset_averages(name, zoo=None):
    """Rewrite the preset ``zoo/NAME`` in place as its model's ``folded_averages()``: the
    EMA generator's weights as its generator and no raw generator, and any averages of the
    variant's own folded likewise (SGAN's classifier average into D): it samples and
    classifies the same from a smaller file. The card and metadata say so; the index is
    rewritten. Returns the weights file's size before and after, in bytes."""
    zoo = zoo or presets.zoo_dir()
    folder = os.path.join(zoo, name)
    model, notes = presets.load_folder(folder).folded_averages()
    if not notes:
        raise SystemExit(f"Preset '{name}' keeps no separate averages (an EMA generator, or "
                         f"a variant's own) to fold.")
    weights = os.path.join(folder, presets.WEIGHTS_NAME)
    before = os.path.getsize(weights)
    metadata = presets.read_json(os.path.join(folder, presets.METADATA_NAME))
    _record_folds(metadata, model, notes)
    presets.save_preset(model, folder, metadata)
    card = os.path.join(folder, presets.CARD_NAME)
    with open(card) as f:
        text = f.read()
    if EMA_NOTE + "." in text:
        text = text.replace(EMA_NOTE + ".", EMA_NOTE + FOLDED_NOTE + ".", 1)
    others = [n for n in notes if n != adversarial.EMA_FOLD_NOTE]
    if others and "\n- Output:" in text:
        text = text.replace("\n- Output:", f"\n- Averages folded into the networks (a smaller file): "
                            f"{'; '.join(others)}.\n- Output:", 1)
    with open(card, "w") as f:
        f.write(text)
    presets.write_index(zoo)
    return before, os.path.getsize(weights)


def _scores_protocol(results, num_samples, class_seed):
    """One protocol for the image scores: what they share, plus each metric's parameters."""
    protocol = dict(results["fid"]["protocol"])
    protocol.pop("num_real")
    protocol["metric"] = {name: r["protocol"]["metric"] for name, r in results.items()}
    protocol["num_real"] = {name: r["protocol"]["num_real"] for name, r in results.items()}
    protocol["generated"] = (f"{num_samples:,} samples of generate(250, seed=s) for "
                             f"s = 1, 2, ... (kg.metrics.evaluate with seed 0)")
    protocol["class_coverage"] = (f"evaluator's argmax over generate({num_samples}, "
                                  f"seed={class_seed}); classes with >= 1 sample")
    return protocol


def measure_preset(name, data_dir=None, num_samples=10_000, zoo=None):
    """Scores an image preset in its data set's domain evaluator and records the scores in
    its metadata.json, model card and the index. Returns the metrics entry."""
    zoo = zoo or presets.zoo_dir()
    folder = os.path.join(zoo, name)
    metadata = presets.read_json(os.path.join(folder, presets.METADATA_NAME))
    dataset = metadata["dataset"]
    if dataset not in evaluators.EVALUATORS:
        raise SystemExit(
            f"Preset '{name}' was trained on '{dataset}', which is not one of the reference "
            f"data sets `zoo measure` scores against ({', '.join(evaluators.EVALUATORS)}). "
            f"Score it against a folder of its real images with `python "
            f"benchmarks/image_folder_quality.py --data FOLDER --model {folder} --extractor "
            f"cifar10 anime --out OUT`, then rebuild it with `keras-gans zoo build ... "
            f"--metrics OUT/preset_metrics.json`.")
    model = presets.load_folder(folder)
    results = kg.metrics.evaluate(model, IMAGE_METRICS, reference=dataset,
                                  num_samples=num_samples, data_dir=data_dir,
                                  ema=model.samples_from_ema)
    class_seed = 0
    classifier = kg.metrics.load_evaluator(dataset)
    logits = classifier.predict(model.generate(num_samples, seed=class_seed), batch_size=500,
                                verbose=0)
    classes = kg.metrics.class_coverage(logits)
    scores = {
        "fid": round(results["fid"]["fid"], 4),
        "kid": round(results["kid"]["kid"], 5), "kid_std": round(results["kid"]["kid_std"], 5),
        "precision": results["pr"]["precision"], "recall": results["pr"]["recall"],
        "density": round(results["dc"]["density"], 4), "coverage": results["dc"]["coverage"],
        "is": round(results["is"]["is"], 3), "is_std": round(results["is"]["is_std"], 3),
        "classes_covered": classes["classes_covered"], "num_classes": classes["num_classes"],
        "class_kl_to_uniform": round(classes["kl_to_uniform"], 4),
        "class_shares": [round(c / num_samples, 4) for c in classes["counts"]],
        "protocol": _scores_protocol(results, num_samples, class_seed),
    }
    metadata.setdefault("metrics", {})["evaluator_scores"] = scores
    lead = ""
    if hasattr(model, "classifier"):
        result = classifier_test_error(model, dataset, data_dir)
        metadata["metrics"]["classifier_test_error"] = result
        lead = classifier_sentence(result)
    if model.label_classes:
        result = label_accuracy(model, classifier, dataset)
        metadata["metrics"]["label_accuracy"] = result
        lead += label_accuracy_sentence(result)
    with open(os.path.join(folder, presets.METADATA_NAME), "w") as f:
        json.dump(metadata, f, indent=1)
    _write_metrics_section(os.path.join(folder, presets.CARD_NAME), scores, lead)
    presets.write_index(zoo)
    return scores


def classifier_test_error(model, dataset, data_dir=None):
    """Test error of a model whose discriminator is a classifier (SGAN's ``classifier()``)
    on the whole test split of its data set."""
    x, y = evaluators.load_reference_arrays(dataset, "test", data_dir)
    predicted = model.classifier().predict(evaluators.to_unit_range(x), batch_size=1000,
                                           verbose=0).argmax(axis=1)
    wrong = predicted != y
    return {"error": round(float(wrong.mean()), 5), "num_test": int(len(y)),
            "per_class_error": [round(float(wrong[y == c].mean()), 4)
                                for c in range(int(y.max()) + 1)],
            "protocol": f"argmax of classifier().predict on all {len(y):,} {dataset} test "
                        f"images scaled to [-1, 1], noise layers inactive"}


def label_accuracy(model, classifier, dataset, per_class=1000, seed=0):
    """How often a class-conditional generator draws the class asked for, in the domain
    evaluator's reading: ``per_class`` samples of each class."""
    labels = np.repeat(np.arange(model.label_classes), per_class)
    images = model.generate(len(labels), labels=labels, seed=seed)
    predicted = classifier.predict(images, batch_size=500, verbose=0).argmax(axis=1)
    return {"accuracy": round(float(np.mean(predicted == labels)), 4),
            "per_class": [round(float(np.mean(predicted[labels == c] == c)), 4)
                          for c in range(model.label_classes)],
            "protocol": f"generate({len(labels)}, labels={per_class:,} of each of "
                        f"0..{model.label_classes - 1}, seed={seed}) with the "
                        f"{'EMA ' if model.samples_from_ema else ''}generator, classified by the "
                        f"{dataset} evaluator (zoo/evaluators/{dataset}); accuracy = share "
                        f"assigned to the requested label"}


def label_accuracy_sentence(result):
    per_class = ", ".join(f"{100 * a:.1f}" for a in result["per_class"])
    return (f"**Label accuracy: {100 * result['accuracy']:.2f}%** ({result['protocol']}); "
            f"per class 0-{len(result['per_class']) - 1}: {per_class}%.\n\n"
            f"The samples of all classes together:\n\n")


def classifier_sentence(result):
    per_class = ", ".join(f"{100 * e:.1f}" for e in result["per_class_error"])
    return (f"**Classifier test error: {100 * result['error']:.2f}%** ({result['protocol']}); "
            f"per class 0-{len(result['per_class_error']) - 1}: {per_class}%.\n\n"
            f"The generator's samples:\n\n")


def metrics_table(scores):
    """The card's Metrics section for evaluator scores."""
    p = scores["protocol"]
    return (
        f"Scores in the `{p['extractor'].split('(')[-1].rstrip(')')}` domain evaluator's "
        f"features (weights sha256 `{p['extractor_sha256'][:12]}`), measured with "
        f"`keras-gans zoo measure NAME`:\n\n"
        f"| FID | KID | precision | recall | density | coverage | IS (of {scores['num_classes']}) "
        f"| classes covered |\n|---|---|---|---|---|---|---|---|\n"
        f"| {scores['fid']:.4f} | {scores['kid']:.5f} ± {scores['kid_std']:.5f} | "
        f"{scores['precision']:.4f} | {scores['recall']:.4f} | {scores['density']:.4f} | "
        f"{scores['coverage']:.4f} | {scores['is']:.3f} ± {scores['is_std']:.3f} | "
        f"{scores['classes_covered']} / {scores['num_classes']} |\n\n"
        f"{_class_shares_sentence(scores)}"
        f"Protocol: {p['num_fake']:,} generated images"
        f"{' from the EMA generator' if p.get('ema') else ''} against the reference "
        f"`{p['reference']}` ({p['num_real']['fid']:,} images for FID, a uniform reservoir of "
        f"{p['num_real']['kid']:,} for KID, precision/recall and density/coverage); images at "
        f"their native {p['image_size'][0]}x{p['image_size'][1]} in [-1, 1]; KID: unbiased "
        f"MMD² with kernel (x·y/d + 1)³, 100 subsets of 1,000; precision/recall k = 3, "
        f"density/coverage k = 5; IS over 10 splits; no truncation. {_floor_sentence(p)}"
        f"These FIDs are in the evaluator's feature space, not Inception's: do not compare "
        f"them with published Inception FIDs."
    )


def _class_shares_sentence(scores):
    """The evaluator's reading of which class each sample is, as shares of all samples: the
    number that shows a class the generator (nearly) dropped. Cards measured before the
    shares were recorded have none."""
    shares = scores.get("class_shares")
    if not shares:
        return ""
    listed = ", ".join(f"{c}: {100 * s:.1f}" for c, s in enumerate(shares))
    smallest = min(range(len(shares)), key=shares.__getitem__)
    return (f"Class histogram (the evaluator's argmax, % of "
            f"{scores['protocol']['num_fake']:,} samples): {listed}; the rarest class, "
            f"{smallest}, holds {100 * shares[smallest]:.1f} % (a fair share: "
            f"{100 / len(shares):.1f} %).\n\n")


def _floor_sentence(protocol):
    """The real-data floor of the same evaluator, when benchmarks/quality_floor.py has
    measured it (benchmarks/results/quality_floor_<domain>.json)."""
    domain = protocol["reference"].split(":")[0]
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "benchmarks", "results", f"quality_floor_{domain}.json")
    if not os.path.exists(path):
        return ""
    with open(path) as f:
        r = json.load(f)
    if r["fid"]["protocol"]["extractor_sha256"] != protocol["extractor_sha256"]:
        return ""
    return (f"The real {domain} test split scored the same way against the train split gives "
            f"the floor a generator is measured against: FID {r['fid']['fid']:.4f}, KID "
            f"{r['kid']['kid']:.5f}, precision {r['pr']['precision']:.4f}, recall "
            f"{r['pr']['recall']:.4f}, density {r['dc']['density']:.4f}, coverage "
            f"{r['dc']['coverage']:.4f}, IS {r['is']['is']:.2f} (`benchmarks/README.md`, "
            f"section \"Quality of the presets\"). ")


def _write_metrics_section(card_path, scores, lead=""):
    with open(card_path) as f:
        text = f.read()
    start = text.index("## Metrics\n") + len("## Metrics\n")
    end = text.index("\n## ", start)
    with open(card_path, "w") as f:
        f.write(text[:start] + "\n" + lead + metrics_table(scores) + "\n" + text[end:])


TABULAR_CARD = """# {name}

{description}

![marginals](samples.png)

*samples.png: {picture}. One panel per column, in the order {columns}; dark blue bars are
real rows, orange bars synthetic ones. Numeric columns: 20 bins of equal real mass (a
perfect match gives equal bars); categorical: one pair of bars per category, sorted.*

```python
import keras_gans as kg
gan = kg.load("{name}")
{usage}
```

## Model

- Variant: `{variant}` ({class_name}); {params}.
- Columns: {column_text}.

## Training

- Data: {data_text}. Licence: {licence}.
- Recipe: [`{recipe}`](../recipes/{recipe_file}); reproduce with `{command}` from the
  repository root, then `keras-gans zoo build-tabular {run} --name {name}
  --recipe {recipe}`.
- Schedule: {schedule}.
- Compute: {wall:.0f} s wall time for training on {machine}; Keras {keras_version},
  TensorFlow {tf_version}.
- History: {history_text}

## Metrics

{metrics_text}

## What the picture shows

{notes}

## Limitations

{limitations}
"""

ADULT = ("UCI Adult census income (1994 US census extract, 32,561 rows, 14 attributes and "
         "the label Salary <=50K/>50K; UCI Machine Learning Repository, `adult.data`)",
         "CC BY 4.0 (UCI Machine Learning Repository)")


def _load_benchmarks():
    """The repository's ``benchmarks/tabular.py`` (from the working directory, else beside
    this package in a source checkout), whose runs ``build-tabular`` turns into presets."""
    import importlib.util

    candidates = [os.path.join(os.getcwd(), "benchmarks", "tabular.py"),
                  os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                               "benchmarks", "tabular.py")]
    path = next((p for p in candidates if os.path.isfile(p)), None)
    if path is None:
        raise SystemExit("build-tabular reads benchmarks/tabular.py of the keras-gans "
                         "repository: run it from a checkout's root.")
    spec = importlib.util.spec_from_file_location("benchmarks_tabular", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_tabular_preset(run, name, recipe, description="", limitations="", zoo=None,
                         notes=""):
    """Write ``zoo/NAME`` from a run of ``benchmarks/tabular.py`` (model.keras, compute.json
    and its result JSON): a TabularGAN or a RadialGAN on Adult."""
    bench = _load_benchmarks()
    zoo = zoo or presets.zoo_dir()
    folder = os.path.join(zoo, name)
    os.makedirs(folder, exist_ok=True)
    cfg = kg.recipes.load(recipe)
    data = cfg["data"]
    model = presets.load_keras_file(os.path.join(run, "model.keras"))
    compute = _run_compute(run)
    wall, threads, machine = compute["wall_time_s"], compute["threads"], compute["machine"]
    columns, label = bench.load_table("adult")
    radial = "domain" in model.table_options()   # a RadialGAN's tables, one per domain
    if radial:
        with open(os.path.join(os.path.dirname(run), "radialgan-adult-result.json")) as f:
            result = json.load(f)
        target = data["target"]
        tables, test = kg.data.tables.split_domains(columns, data, result["seeds"][0])
        transformer = model.transformers[target]
        real = {c: np.concatenate([tables[target][c], test[c]]) for c in transformer.columns}
        augmented = model.augment(target, tables, seed=0)
        own = len(tables[target][label])
        synthetic = {c: v[own:] for c, v in augmented.items()}
        picture = (f"the real rows of target domain '{target}' (all {len(real[label])}) against "
                   f"the {len(synthetic[label])} rows that `augment('{target}', tables, seed=0)` "
                   f"translates into it from the other domains")
        shape = [model.transformers[model.domains[0]].output_dim]   # generate's default
        params = f"{_parameters(model):,} parameters in {len(model.domains)} domains"
        auroc = result["auroc"]
        metrics = {"target_auroc": {
            **{k: {"mean": round(v["mean"], 4), "std": round(v["std"], 4)}
               for k, v in auroc.items()},
            "protocol": (f"Adult split by race into {', '.join(model.domains)}; target "
                         f"'{target}' keeps {data['domains'][target]['train_rows']} training "
                         f"rows, the rest is its test set; sklearn {result['classifier']} on "
                         f"the target's columns; own rows only vs naive pooling (missing "
                         f"columns imputed with the target's mean/mode) vs RadialGAN-"
                         f"augmented; mean and sample std over seeds {result['seeds']} (a "
                         f"new split and a new RadialGAN per seed); the preset is seed "
                         f"{result['seeds'][0]}'s model")}}
        metrics_text = ("| target-domain AUROC | mean | std |\n|---|---|---|\n" + "".join(
            f"| {k.replace('_', ' ')} | {v['mean']:.4f} | {v['std']:.4f} |\n"
            for k, v in auroc.items()) + "\nProtocol: " + metrics["target_auroc"]["protocol"]
            + ". Per-seed values are in benchmarks/README.md.")
        usage = ("# {domain: table}, each domain with its own columns: your rows; here drawn "
                 "from the model\n"
                 "tables = {d: gan.sample(200, seed=0, domain=d) for d in gan.domains}\n"
                 f"bigger = gan.augment(\"{target}\", tables)   # the target's rows + rows "
                 f"translated from the others\n"
                 f"fresh = gan.sample(100, seed=0, domain=\"{target}\")")
        column_text = "; ".join(f"{d}: {', '.join(model.transformers[d].columns)}"
                                for d in model.domains)
        schedule = (f"{cfg['schedule']['epochs']} epochs of the largest domain in batches of "
                    f"{data['batch_size']} rows per domain")
        command = (f"python benchmarks/tabular.py radialgan --recipe {recipe} --seeds "
                   f"{' '.join(map(str, result['seeds']))}")
        g_params = sum(_parameters(m) for m in model.encoders + model.decoders)
        d_params = sum(_parameters(m) for m in model.discriminators)
        samples_note = f"augment('{target}', tables, seed=0)"
    else:
        with open(os.path.join(run, "result.json")) as f:
            result = json.load(f)
        train, test = kg.data.tables.split(columns, label, data.get("test_size", 0.2),
                                           cfg["seed"])
        real = train
        synthetic = model.sample(len(train[label]), seed=0, as_frame=False)
        picture = (f"the {len(train[label]):,} real training rows against "
                   f"`sample({len(train[label])}, seed=0)`")
        shape = [model.transformer.output_dim]
        g_params, d_params = _parameters(model.generator), _parameters(model.discriminator)
        params = f"generator {g_params:,} parameters, critic {d_params:,} parameters"
        tstr = result["tstr_gradient_boosting"]
        lr = result["tstr_logistic_regression"]
        marg = result["marginal_distances"]
        marg_real = result["marginal_distances_real_train"]
        metrics = {
            "tstr_gradient_boosting": {"synthetic": tstr["synthetic"], "real": tstr["real"],
                                       "protocol": tstr["protocol"]},
            "tstr_logistic_regression": {"synthetic": lr["synthetic"], "real": lr["real"],
                                         "protocol": lr["protocol"]},
            "mean_marginal_distance": {
                "synthetic": round(float(np.mean(list(marg.values()))), 4),
                "real_train": round(float(np.mean(list(marg_real.values()))), 4),
                "protocol": "kg.metrics.marginal_distances against the 6,513 held-out test "
                            "rows, averaged over the 15 columns (Wasserstein-1 in real stds "
                            "for numbers, total variation for categories); synthetic = "
                            "sample(26048, seed=0)"},
            "correlation_difference": {
                "synthetic": round(result["correlation_difference"], 4),
                "real_train": round(result["correlation_difference_real_train"], 4),
                "protocol": "kg.metrics.correlation_difference against the held-out test "
                            "rows (mean |difference| of pairwise Pearson correlations of "
                            "numbers and one-hot categories)"}}
        rows = []
        for key, m in (("gradient boosting", tstr), ("logistic regression", lr)):
            for part in ("synthetic", "real"):
                v = m[part]
                rows.append(f"| {key}, trained on {part} | {v['accuracy']:.4f} | "
                            f"{v['f1']:.4f} | {v['auroc']:.4f} |")
        metrics_text = ("| TSTR on Adult | accuracy | F1 (>50K) | AUROC |\n|---|---|---|---|\n"
                        + "\n".join(rows) + f"\n\nProtocol: {tstr['protocol']} (80/20 "
                        f"stratified split, seed 0; synthetic = sample(26048, seed=0)).\n\n"
                        f"| fidelity | synthetic | real training rows |\n|---|---|---|\n"
                        f"| mean marginal distance | {metrics['mean_marginal_distance']['synthetic']:.4f} "
                        f"| {metrics['mean_marginal_distance']['real_train']:.4f} |\n"
                        f"| correlation difference | {metrics['correlation_difference']['synthetic']:.4f} "
                        f"| {metrics['correlation_difference']['real_train']:.4f} |\n\n"
                        f"Both measured against the held-out test rows; the real training rows "
                        f"give the floor that sampling noise alone reaches.")
        usage = ("table = gan.sample(1000, seed=0)   # a DataFrame (a dict of numpy columns without pandas)\n"
                 "rows = gan.generate(4, seed=0)      # the encoded rows, float32")
        column_text = ", ".join(f"{c} ({model.transformer.kinds[c]})"
                                for c in model.transformer.columns)
        schedule = (f"{result['epochs']} epochs, {result['generator_steps']:,} steps of "
                    f"batch {result['batch_size']} (training-by-sampling), seed "
                    f"{result['seed']}")
        command = f"python benchmarks/tabular.py tstr --recipe {recipe}"
        samples_note = "sample(n, seed=0)"
    categorical = [c for c in real if not np.asarray(real[c]).dtype.kind in "iuf"]
    kg.plots.save_marginals(real, synthetic, os.path.join(folder, presets.SAMPLES_NAME),
                            categorical, labels=("real", "translated" if radial else "synthetic"),
                            title=name)
    metadata = {
        "name": name, "description": description, "aliases": [],
        "variant": "radialgan" if radial else "tabular-gan",
        "class_name": type(model).__name__, "dataset": "adult",
        "data": {"description": ADULT[0], "licence": ADULT[1], "recipe_source": "adult"},
        "data_shape": shape, "output_range": None, "latent_dim": int(model.latent_dim),
        "classes": None, "ema": False,
        "parameters": {"generator": g_params, "discriminator": d_params},
        "recipe": f"zoo/recipes/{os.path.basename(recipe)}",
        "compute": {"wall_time_s": round(wall, 1), "machine": machine,
                    "threads": threads or "TF_NUM_INTRAOP_THREADS=1, TF_NUM_INTEROP_THREADS=1, "
                               "nice 10"},
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__,
                     "keras_gans": kg.__version__, "python": platform.python_version()},
        "metrics": metrics, "samples": samples_note,
    }
    # Users get DataFrames where pandas is installed (dicts of numpy columns elsewhere).
    for transformer in (model.transformers.values() if radial else [model.transformer]):
        transformer.frame = True
    presets.save_preset(model, folder, metadata)
    card = TABULAR_CARD.format(
        history_text=write_history(run, folder),
        name=name, description=description, picture=picture,
        columns=", ".join(real), usage="\n".join(usage.split("\n")), variant=metadata["variant"],
        class_name=metadata["class_name"], params=params, column_text=column_text,
        data_text=ADULT[0], licence=ADULT[1], recipe=metadata["recipe"],
        recipe_file=os.path.basename(recipe), command=command, run=run, schedule=schedule,
        wall=wall, machine=machine, keras_version=keras.__version__,
        tf_version=tf.__version__, metrics_text=metrics_text,
        limitations=limitations or "(to be written)",
        notes=notes or "(to be written after looking at samples.png)")
    return _write_card(folder, card, zoo)


def snapshot_run(run, dest, best=False):
    """Write ``dest/model.keras`` from the latest checkpoint of the recipe run ``run``,
    which may still be training (a preset can be published while its run goes on), with
    the run's recipe.yaml, history.json and compute.json beside it; without a
    compute.json in the run, the checkpoint's own record of the training time up to its
    step is written there (``keras_gans.training_clock``). Returns the step.
    With ``best``, take the model of the best evaluation score instead (``run/best``,
    written by the recipe's ``callbacks.evaluation.keep_best``), and its time from
    ``best.json``."""
    import shutil

    if best:
        record_path = os.path.join(run, "best", "best.json")
        if not os.path.exists(record_path):
            raise SystemExit(f"'{run}' has no best model: its recipe needs "
                             f"callbacks.evaluation with keep_best, and one evaluation.")
        record = presets.read_json(record_path)
        os.makedirs(dest, exist_ok=True)
        shutil.copy(os.path.join(run, "best", "model.keras"), os.path.join(dest, "model.keras"))
        _copy_run_files(run, dest)
        _write_compute(dest, record.get("compute"))
        with open(os.path.join(dest, "snapshot.json"), "w") as f:
            json.dump({"step": record["step"], "checkpoint": record_path, "best": record}, f)
        return record["step"]
    resolved = kg.recipes.load(os.path.join(run, "recipe.yaml"))
    data = dict(resolved["data"])
    if data.get("name") is None:
        raise SystemExit("snapshot reads runs on one data set (data.name).")
    spec = kg.recipes.named_data(data.pop("name"), data, cache=False)().element_spec
    model = kg.recipes.build_model(resolved, (spec[0] if isinstance(spec, tuple)
                                              else spec).shape[1:])
    if resolved["callbacks"].get("ema"):
        model.enable_ema()
    checkpoint = kg.callbacks.Checkpoint(os.path.join(run, "checkpoints"))
    checkpoint.set_model(model)
    state = checkpoint.restore()
    if state is None:
        raise SystemExit(f"'{run}' has no checkpoint yet.")
    os.makedirs(dest, exist_ok=True)
    model.save(os.path.join(dest, "model.keras"))
    _copy_run_files(run, dest)
    _write_compute(dest, state.get("compute"))
    with open(os.path.join(dest, "snapshot.json"), "w") as f:   # build reads the step here
        json.dump({"step": state["step"], "checkpoint": state["path"]}, f)
    return state["step"]


def _write_compute(dest, segments):
    """``dest/compute.json`` from a training clock's ``segments``, unless the run's own
    (hand-written) record was copied there or the segments do not time every step."""
    timed = training_clock.summary(segments)
    if timed and not os.path.exists(os.path.join(dest, "compute.json")):
        with open(os.path.join(dest, "compute.json"), "w") as f:
            json.dump(timed, f, indent=1)


def _copy_run_files(run, dest):
    """The run's recipe, history, compute record and sample grids, beside a snapshot."""
    import shutil

    for name in ("recipe.yaml", "history.json", "compute.json", kg.recipes.INIT_FROM_NAME):
        if os.path.exists(os.path.join(run, name)):
            shutil.copy(os.path.join(run, name), os.path.join(dest, name))
    for folder in ("samples", kg.recipes.INHERITED_GRIDS):   # the card's per-stage grids
        if os.path.isdir(os.path.join(run, folder)):
            shutil.copytree(os.path.join(run, folder), os.path.join(dest, folder),
                            dirs_exist_ok=True)


def write_examples(name, source, n=16, seed=0, zoo=None):
    """Ship ``n`` input images from ``source`` (any ``kg.tasks.draw_inputs`` source) in the
    image-to-image preset ``name``, at its input size, so that ``keras-gans sample`` has
    inputs when the user passes none; then regenerate the index."""
    zoo = zoo or presets.zoo_dir()
    folder = os.path.join(zoo, name)
    model = presets.load_folder(folder)
    inputs = kg.tasks.draw_inputs(source, n, seed, model.input_image_shape)
    path = kg.tasks.write_examples(inputs, folder)
    presets.write_index(zoo)
    return path


def main(argv=None, prog=None):
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
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
    build.add_argument("--fold-averages", "--fold-ema", action="store_true",
                       dest="fold_averages",
                       help="ship the averaged weights as the networks they average (the EMA "
                            "generator as the generator, SGAN's classifier average as D), "
                            "without the raw ones (for presets near the size limit)")
    build.add_argument("--metrics", default=None,
                       help="a JSON file of metrics measured elsewhere, {name: {values..., "
                            "protocol}} (image-to-image presets)")
    measure = sub.add_parser("measure", help="score an image preset in its domain evaluator "
                                             "and record the scores")
    measure.add_argument("name")
    measure.add_argument("--data-dir", default=None, help="folder of the reference data set")
    measure.add_argument("--num-samples", type=int, default=10_000)
    measure.add_argument("--zoo", default=None)
    sub.add_parser("index", help="regenerate zoo/index.yaml from the preset folders")
    fold = sub.add_parser("fold-averages", aliases=["fold-ema"],
                          help="ship a preset's averaged weights as the networks they average "
                               "(the EMA generator as its generator, ...), without the raw "
                               "ones (same samples, smaller file)")
    fold.add_argument("name")
    fold.add_argument("--zoo", default=None)
    snap = sub.add_parser("snapshot", help="write DEST/model.keras from a recipe run's latest "
                                           "checkpoint (the run may still be training)")
    snap.add_argument("run")
    snap.add_argument("dest")
    snap.add_argument("--best", action="store_true",
                      help="take the model of the run's best evaluation score (RUN/best, "
                           "from callbacks.evaluation.keep_best) instead of the latest "
                           "checkpoint")
    examples = sub.add_parser("examples", help="ship example inputs in an image-to-image "
                                               "preset (examples.npz)")
    examples.add_argument("name")
    examples.add_argument("source", help="an image folder or data set name (tasks.draw_inputs)")
    examples.add_argument("-n", type=int, default=16)
    tab = sub.add_parser("build-tabular", help="make zoo/NAME from a benchmarks/tabular.py run")
    tab.add_argument("run")
    tab.add_argument("--name", required=True)
    tab.add_argument("--recipe", required=True)
    tab.add_argument("--description", default="")
    tab.add_argument("--limitations", default="")
    tab.add_argument("--notes", default="", help="what the picture shows (after looking)")
    tab.add_argument("--zoo", default=None)
    args = parser.parse_args(argv)
    if args.command == "index":
        print(presets.write_index())
        problems = presets.budget_problems()
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    if args.command in ("fold-averages", "fold-ema"):
        before, after = fold_preset_averages(args.name, zoo=args.zoo)
        print(f"{args.name}: {presets.WEIGHTS_NAME} {before:,} -> {after:,} bytes")
        return 0
    if args.command == "snapshot":
        print(f"step {snapshot_run(args.run, args.dest, best=args.best)} -> {args.dest}/model.keras")
        return 0
    if args.command == "examples":
        print(write_examples(args.name, args.source, args.n))
        return 0
    if args.command == "measure":
        scores = measure_preset(args.name, args.data_dir, args.num_samples, zoo=args.zoo)
        print(json.dumps({k: v for k, v in scores.items() if k != "protocol"}))
        return 0
    if args.command == "build-tabular":
        print(build_tabular_preset(args.run, args.name, args.recipe, args.description,
                                   args.limitations, zoo=args.zoo, notes=args.notes))
        return 0
    metrics = None
    if args.metrics:
        with open(args.metrics) as f:
            metrics = json.load(f)
    print(build_preset(args.run, args.name, args.recipe, args.dataset, args.aliases,
                       args.description, args.notes, args.limitations, zoo=args.zoo,
                       metrics=metrics, fold_averages=args.fold_averages))
    return 0

