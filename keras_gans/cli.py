"""The ``keras-gans`` command: train a variant, list the zoo, sample from a preset or a saved
model, export a generator, and build the zoo's presets (``keras-gans zoo``)."""

import argparse
import json
import os
import sys
import time


# The defaults of `keras-gans train VARIANT`, which runs the recipe its flags make
# (`variant_recipe`).
# The convolutional discriminator sees its inputs through Gaussian instance noise (std 0.3,
# Sonderby et al. 2017) and samples come from an EMA of the generator: without them, D
# memorises the 1,797 digits (D(x) 0.98, D(G(z)) 0.02 after 20 epochs) and the grids stop
# improving halfway; with them, D(x) and D(G(z)) stay near 0.65 and 0.35 (measured on the
# default run, 2026-12-03; D at half width with noise 0.2 balanced as well but drew noisier
# strokes). 60 epochs (about a minute of training on an idle 2-core machine): of 1,000
# samples, a CNN trained on the digits (98.7% held-out accuracy) reads 69-72% with confidence
# >= 0.9 over seeds 0 and 1, against 63% after 20 epochs (real digits: 99.6%).
TRAIN_DEFAULTS = {"dataset": "digits", "epochs": 60, "batch_size": 32, "image_size": 16,
                  "latent_dim": 100, "seed": 0, "d_filters": 64, "d_noise": 0.3, "ema": 0.99}

# Flags that override a recipe field.
RECIPE_FIELDS = {"variant": "model.variant", "dataset": "data.name", "epochs": "schedule.epochs",
                 "steps_per_epoch": "schedule.steps_per_epoch", "batch_size": "data.batch_size",
                 "image_size": "data.image_size", "latent_dim": "model.latent_dim",
                 "d_steps": "optimizers.d_steps", "loss": "optimizers.loss", "seed": "seed",
                 "num_examples": "data.num_examples"}


def _train(args):
    if args.verbose is None:
        args.verbose = 1 if sys.stdout.isatty() else 2
    if args.recipe:
        return _train_recipe(args)
    if args.variant is None:
        raise ValueError("Name a variant (keras-gans train dcgan) or pass --recipe FILE.")
    for key, value in TRAIN_DEFAULTS.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.out is None:
        args.out = os.path.join("runs", args.variant)
    return _train_variant(args)


def _assignments(settings):
    """``--set FIELD=VALUE`` items as ``{field: value text}``."""
    assignments = {}
    for item in settings or []:
        if "=" not in item:
            raise ValueError(f"--set takes FIELD=VALUE, e.g. --set schedule.epochs=3; "
                             f"received {item!r}.")
        key, value = item.split("=", 1)
        assignments[key.strip()] = value
    return assignments


def _train_recipe(args):
    from keras_gans import recipes

    if args.d_filters is not None or args.d_noise is not None or args.ema is not None:
        raise ValueError("--d-filters, --d-noise and --ema set up `keras-gans train VARIANT`; with "
                         "--recipe, set the recipe's fields instead, e.g. "
                         "--set callbacks.ema.decay=0.99.")
    recipe = recipes.load(args.recipe)
    assignments = {RECIPE_FIELDS[k]: getattr(args, k) for k in RECIPE_FIELDS
                   if getattr(args, k) is not None}
    assignments.update(_assignments(args.set))
    recipe = recipes.override(recipe, assignments)
    out = args.out or os.path.join("runs", os.path.splitext(os.path.basename(args.recipe))[0])
    recipes.run(recipe, out, verbose=args.verbose, clock_from=args.clock_from)
    return 0


def variant_recipe(args):
    """The recipe that `keras-gans train VARIANT` runs, from its flags (defaults filled in):
    the variant's own game on one data set, with sample grids, training curves, an EMA
    generator and a checkpoint per epoch, so that the same command resumes."""
    import keras_gans as kg
    from keras_gans import recipes

    variant = kg.models.get(args.variant)
    if variant.task != kg.tasks.GENERATE:
        raise ValueError(f"`keras-gans train VARIANT` trains the variants that generate from "
                         f"noise; {variant.__name__} takes images as input (pairs of "
                         f"batches). Train it from a recipe (zoo/recipes) or from Python: see "
                         f"README.md, 'Image to image'.")
    if variant.makes_tables:
        raise ValueError(f"`keras-gans train VARIANT` trains on one data set of examples; "
                         f"{variant.__name__} is built from its tables' columns. Train it from "
                         f"a recipe whose data names a table, e.g. keras-gans train --recipe "
                         f"zoo/recipes/tabular-gan-adult.yaml.")
    toy = args.dataset in kg.data.toy.TOY_DISTRIBUTIONS
    table = str(args.dataset).lower().endswith((".csv", ".csv.gz"))
    data = {"name": args.dataset, "batch_size": args.batch_size}
    if not toy:
        data["image_size"] = args.image_size
    if args.num_examples is not None:
        data["num_examples"] = args.num_examples
    model = {"variant": args.variant, "latent_dim": args.latent_dim}
    discriminator = (variant.discriminator_spec(base_filters=args.d_filters)
                     if args.d_filters and not (toy or table) else None)
    if discriminator is not None:
        if args.d_noise:
            discriminator.update(name="convolutions", instance_noise=args.d_noise)
        model["discriminator"] = discriminator
    optimizers = {key: getattr(args, key) for key in ("d_steps", "loss")
                  if getattr(args, key) is not None}
    return recipes.resolve({
        "seed": args.seed,
        "model": model,
        "data": data,
        "optimizers": optimizers,
        "schedule": {"epochs": args.epochs, "steps_per_epoch": args.steps_per_epoch},
        "callbacks": {"sample_grid": {"num_samples": 1000 if toy else 64, "seed": 0},
                      "tensorboard": False,
                      "ema": {"decay": args.ema} if args.ema else None,
                      "checkpoint": {"every": "epoch", "keep": 2}},
    })


def _train_variant(args):
    from keras_gans import recipes

    recipe = recipes.override(variant_recipe(args), _assignments(args.set))
    start = time.time()
    recipes.run(recipe, args.out, verbose=args.verbose, clock_from=args.clock_from)
    seconds = time.time() - start
    with open(os.path.join(args.out, "run.json"), "w") as f:
        given = {k: v for k, v in vars(args).items() if k != "clock_from"}
        json.dump({"seconds": seconds, "recipe": "recipe.yaml", "args": given}, f,
                  indent=2, default=str)
    print(f"Trained {recipe['schedule']['epochs']} epochs in {seconds:.1f} s. Model: "
          f"{os.path.join(args.out, 'model.keras')}; sample grids: "
          f"{os.path.join(args.out, 'samples')}; training curves: "
          f"{os.path.join(args.out, 'history.png')}; the recipe it ran: "
          f"{os.path.join(args.out, 'recipe.yaml')} (the same command resumes it)", flush=True)
    return 0


def _load_model(name_or_path):
    """A preset or saved model, or None after printing why it could not be loaded."""
    from keras_gans import presets

    try:
        return presets.load(name_or_path)
    except presets.PresetError as e:
        print(f"error: {e} A .keras file comes from `keras-gans train` or model.save().",
              file=sys.stderr)
        return None


def _sample(args):
    model = _load_model(args.model)
    if model is None:
        return 2
    if model.needs_inputs:
        return _sample_image_to_image(model, args)
    if model.makes_tables:
        return _sample_table(model, args)
    output = args.output or "samples.png"
    style_mix = _style_mix(args.style_mix) if args.style_mix else None
    options = model.sampling_options(truncation=args.truncation, style_mix=style_mix)
    model.save_preview(output, n=args.num, seed=args.seed, **options)
    print(f"Wrote {args.num} samples to {output}")
    return 0


def _sample_table(model, args):
    output = args.output or "samples.csv"
    if not output.lower().endswith(".csv"):
        print(f"error: {type(model).__name__} makes table rows, written as CSV; pass "
              f"-o NAME.csv (received -o {output}).", file=sys.stderr)
        return 2
    try:
        options = model.table_options(domain=args.domain)
    except ValueError as e:
        print(f"error: {e} (--domain)", file=sys.stderr)
        return 2
    table = model.sample(args.num, seed=args.seed, as_frame=False, **options)
    _write_csv(table, output)
    which = f" of domain {options['domain']!r}" if options else ""
    print(f"Wrote {args.num} rows{which} ({len(table)} columns) to {output}")
    return 0


def _write_csv(table, path):
    """A dict of equal-length columns as a CSV file with a header row."""
    import csv

    names = list(table)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(names)
        writer.writerows(zip(*(table[n].tolist() for n in names)))


def _style_mix(text):
    """``SEED:LAYER`` of --style-mix as (seed, layer)."""
    try:
        seed, layer = (int(part) for part in text.split(":"))
    except ValueError:
        raise ValueError(f"--style-mix takes SEED:LAYER, e.g. 7:4 (styles from layer 4 on "
                         f"come from the latents of seed 7); received {text!r}.") from None
    return seed, layer


def _sample_image_to_image(model, args):
    """Inputs beside outputs: the inputs come from --inputs, else from the examples the
    preset ships, else from the source its metadata records (``keras_gans.tasks``)."""
    import yaml

    import keras_gans as kg

    output = args.output or "samples.png"
    shape = model.input_image_shape
    inputs, where = None, None
    if args.inputs:
        source = yaml.safe_load(args.inputs)
    else:
        folder = _preset_folder(args.model)
        inputs = kg.tasks.example_inputs(folder, args.num, args.seed) if folder else None
        where = f"the {kg.tasks.EXAMPLES_NAME} shipped with {args.model}"
        source = (kg.presets.read_metadata(args.model) or {}).get("inputs")
        if inputs is None and isinstance(source, str) and not _exists_as_data(source):
            source = None  # a folder of the machine the preset was trained on
    if inputs is None:
        if source is None:
            print(f"error: {type(model).__name__} {model.task}s images of shape "
                  f"{shape}: pass --inputs SOURCE (an image folder or file, a data set name, "
                  f"or '{{synthetic_digits: {{}}}}') to say which.", file=sys.stderr)
            return 2
        inputs = kg.tasks.draw_inputs(source, args.num, args.seed, shape)
        where = str(source)
    model.save_preview(output, inputs=inputs)
    print(f"Wrote {len(inputs)} inputs from {where} beside their outputs "
          f"({model.task}) to {output}")
    return 0


def _preset_folder(name_or_path):
    """The folder of a preset (name, alias or folder); None for a .keras file."""
    from keras_gans import presets

    if os.path.isdir(name_or_path):
        return name_or_path
    if name_or_path.endswith(".keras"):
        return None
    return presets.preset_files(presets.resolve(name_or_path))


def _exists_as_data(source):
    """False for a relative or absolute path that is not there; names (mnist,
    cycle_gan/horse2zebra) are left to the data loaders."""
    looks_like_path = os.sep in source or source.startswith(".")
    return os.path.exists(source) or not looks_like_path


def _eval(args):
    import keras_gans as kg

    model = _load_model(args.model)
    if model is None:
        return 2
    if model.needs_inputs or model.makes_tables:
        made = f"{model.task}s images" if model.needs_inputs else "makes table rows"
        print(f"error: `keras-gans eval` scores images generated from noise; "
              f"{type(model).__name__} {made} (its card gives the scores measured for it).",
              file=sys.stderr)
        return 2
    metrics = [m.strip() for m in args.metric.split(",") if m.strip()]
    try:
        results = kg.metrics.evaluate(
            model, metrics=metrics, reference=args.reference, num_samples=args.num_samples,
            split=args.split, num_reference=args.num_reference, extractor=args.extractor,
            data_dir=args.data_dir, batch_size=args.batch_size, seed=args.seed,
            truncation=args.truncation, ema=model.samples_from_ema)
    except OSError as e:  # missing reference files; an extractor's weights offline
        print(f"error: {e}", file=sys.stderr)
        return 2
    for name, report in results.items():
        values = ", ".join(f"{k} {v:.4g}" for k, v in report.items() if k != "protocol")
        p = report["protocol"]
        against = f" vs {p['num_real']} {p['reference']}" if p["num_real"] else ""
        print(f"{name}: {values} | {p['extractor']}, {p['num_fake']} generated{against}",
              flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"model": args.model, "results": results}, f, indent=2)
    return 0


def _list(args):
    from keras_gans import presets

    entries = presets.read_index()
    rows = [("name", "aliases", "variant", "data set", "shape", "size", "headline metrics")]
    for name in sorted(entries):
        entry = entries[name]
        size = sum(f["size"] for f in (entry.get("files") or {}).values())
        metrics = ", ".join(_metric_text(k, v) for k, v in (entry.get("metrics") or {}).items())
        rows.append((name, ", ".join(entry.get("aliases") or []), entry.get("variant", ""),
                     entry.get("dataset", ""), _shape_text(entry), f"{size / 1e6:.1f} MB",
                     metrics or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    return 0


def _shape_text(entry):
    """What a preset makes: its sample shape, or input -> output for image-to-image."""
    def dims(shape):
        return "x".join(map(str, shape))

    if entry.get("input_shape") and entry.get("output_shape"):
        return f"{dims(entry['input_shape'])}->{dims(entry['output_shape'])}"
    return dims(entry.get("data_shape", []))


# The value `keras-gans list` shows for a metric, in order of preference; a metric with
# none of these shows its first number.
HEADLINE_KEYS = ("fid", "accuracy", "error", "srgan_psnr_db", "refined", "x2y_classified_as_y",
                 "synthetic", "radialgan")


def _metric_text(name, value):
    if name == "mode_coverage":
        return f"modes {value['modes_covered']}/{value['num_modes']}"
    if not isinstance(value, dict):
        return name
    if "value" in value:
        return f"{name} {value['value']:.3g}"
    path, number = _headline(value)
    if number is None:
        return name
    return f"{name}: {' '.join(path)} {number:.3g}"


def _headline(values):
    """(key path, number) of the preferred entry of a metric's nested results."""
    numbers = {k: v for k, v in values.items() if k != "protocol"}
    ordered = sorted(numbers, key=lambda k: (HEADLINE_KEYS.index(k) if k in HEADLINE_KEYS
                                             else len(HEADLINE_KEYS)))
    for key in ordered:
        value = numbers[key]
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            return [key], float(value)
        if isinstance(value, dict):
            path, number = _headline(value)
            if number is not None:
                return [key, *path], number
    return [], None


def _export(args):
    from keras_gans import export

    model = _load_model(args.model)
    if model is None:
        return 2
    path = export.export(model, args.out, format=args.format)
    print(f"Exported to {path}")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="keras-gans", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser(
        "train", help="train a GAN variant and write sample grids",
        description="Train a variant with the defaults below, or run a recipe (--recipe): then "
                    "the flags given override the recipe's fields. A variant's run is the "
                    "recipe its flags make, saved as RUN/recipe.yaml. Running the same "
                    "command again resumes an interrupted run.")
    train.add_argument("variant", nargs="?",
                       help="a noise-to-image variant: gan, dcgan, wgan, wgan-gp, ebgan, progan, "
                            "stylegan, ... (an unknown name lists them all)")
    train.add_argument("--recipe", default=None, help="a recipe YAML file (zoo/recipes/*.yaml)")
    train.add_argument("--set", action="append", metavar="FIELD=VALUE",
                       help="override any recipe field, e.g. --set callbacks.ema.decay=0.99 "
                            "(a variant's run is a recipe too: RUN/recipe.yaml)")
    train.add_argument("--dataset", default=None,
                       help="a data set name (digits (default), ring8, grid25, mnist, ...) or "
                            "the path of an image folder, .npz or IDX file")
    train.add_argument("--epochs", type=int, default=None, help="default 60")
    train.add_argument("--batch-size", type=int, default=None, help="default 32")
    train.add_argument("--image-size", type=int, default=None,
                       help="resize images to this size (digits are 8x8 natively; default 16)")
    train.add_argument("--latent-dim", type=int, default=None, help="default 100")
    train.add_argument("--d-filters", type=int, default=None,
                       help="base filters of the convolutional image discriminator of the "
                            "variants that play with one as it is (dcgan, wgan, wgan-gp; "
                            "default 64; 0: the variant's own network, without instance "
                            "noise)")
    train.add_argument("--d-noise", type=float, default=None,
                       help="std of the Gaussian instance noise added to that "
                            "discriminator's inputs in training (default 0.3; 0: none)")
    train.add_argument("--ema", type=float, default=None,
                       help="decay of the moving average of the generator's weights that "
                            "the grids and the saved model sample from (default 0.99; 0: off)")
    train.add_argument("--d-steps", type=int, default=None,
                       help="discriminator steps per generator step (default: the paper's)")
    train.add_argument("--loss", default=None, help="adversarial loss (default: the paper's)")
    train.add_argument("--steps-per-epoch", type=int, default=None)
    train.add_argument("--num-examples", type=int, default=None,
                       help="points drawn for the toy data sets (default 100,000)")
    train.add_argument("--seed", type=int, default=None, help="default 0")
    train.add_argument("--out", default=None,
                       help="output folder (default runs/VARIANT or runs/RECIPE-NAME)")
    train.add_argument("--verbose", type=int, default=None,
                       help="Keras fit verbosity: 0 silent, 1 progress bar, 2 one line per "
                            "epoch; default 1 in a terminal, else 2 (a log file gets no "
                            "progress-bar updates)")
    train.set_defaults(func=_train)

    sample = sub.add_parser("sample", help="write samples from a preset or a saved model: a "
                                           "picture, or a CSV file of table rows")
    sample.add_argument("model", help="a preset name (keras-gans list), a preset folder or a "
                                      ".keras file")
    sample.add_argument("-n", "--num", type=int, default=64,
                        help="how many samples (images, points, table rows or inputs); "
                             "default 64")
    sample.add_argument("-o", "--output", default=None,
                        help="the file to write: a PNG picture (default samples.png), or a "
                             "CSV file for tabular models (default samples.csv)")
    sample.add_argument("--seed", type=int, default=0,
                        help="the same seed gives the same samples; default 0")
    sample.add_argument("--truncation", type=float, default=None,
                        help="the truncation trick of StyleGAN (psi: 1 off, 0 the average "
                             "image, 0.5-0.7 typical) and BigGAN (a threshold on |z|)")
    sample.add_argument("--style-mix", default=None, metavar="SEED:LAYER",
                        help="StyleGAN: style layers from LAYER on (coarse first) take the "
                             "styles of the latents drawn from SEED")
    sample.add_argument("--inputs", default=None,
                        help="image-to-image models: where the input images come from (an "
                             "image folder or file, a data set name, or "
                             "'{synthetic_digits: {}}'); default: the examples the preset "
                             "ships, else the source it records")
    sample.add_argument("--domain", default=None,
                        help="RadialGAN: the domain (table) to sample rows of; default the "
                             "first")
    sample.set_defaults(func=_sample)

    ev = sub.add_parser("eval", help="score a saved model's samples against real data")
    ev.add_argument("model", help="a preset name, a preset folder or a .keras file")
    ev.add_argument("--metric", default="fid",
                    help="comma-separated: fid, kid, is, pr (precision/recall), "
                         "dc (density/coverage); default fid")
    ev.add_argument("--reference", default="mnist",
                    help="mnist, fashion_mnist, cifar10 (from --data-dir, else TensorFlow "
                         "Datasets), anime (anime-faces-64.tar.gz from --data-dir, 32x32), "
                         "digits (embedded) or an image folder")
    ev.add_argument("--split", default="train", help="reference split: train or test")
    ev.add_argument("--num-samples", type=int, default=10_000, help="generated samples")
    ev.add_argument("--num-reference", type=int, default=None,
                    help="reference samples (default: the whole split)")
    ev.add_argument("--extractor", default=None,
                    help="feature extractor: inception, an evaluator name or a classifier "
                         ".keras path (default: the reference's domain evaluator; "
                         "inception for digits)")
    ev.add_argument("--data-dir", default=None,
                    help="a folder holding mnist.npz, fashion_mnist.npz, cifar10-jpeg.tar.gz "
                         "or anime-faces-64.tar.gz "
                         "(default $KERAS_GANS_DATA; unset: TensorFlow Datasets downloads "
                         "the reference once)")
    ev.add_argument("--batch-size", type=int, default=250)
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--truncation", type=float, default=None,
                    help="sample with the model's truncation trick (recorded in the protocol)")
    ev.add_argument("--json", default=None, help="also write the results with their protocol")
    ev.set_defaults(func=_eval)

    listing = sub.add_parser("list", help="list the zoo's presets")
    listing.set_defaults(func=_list)

    export = sub.add_parser(
        "export", help="export a generator for serving (TensorFlow SavedModel)",
        description="Write the generator (its EMA copy when there is one) as a SavedModel with "
                    "two signatures: serving_default takes int64 `seeds` (one image per seed) "
                    "and from_latent takes float32 latent vectors `z`; both return `images`.")
    export.add_argument("model", help="a preset name, a preset folder or a .keras file")
    export.add_argument("--format", default="savedmodel", choices=["savedmodel"])
    export.add_argument("--out", required=True, help="output folder")
    export.set_defaults(func=_export)

    # Parsed by keras_gans.preset_builder itself (see main): listed here for --help.
    sub.add_parser("zoo", add_help=False,
                   help="build, snapshot, measure and index the zoo's presets "
                        "(keras-gans zoo --help)")
    return parser


def main(argv=None):
    from keras_gans import _backend

    if not _backend.LOG_LEVEL_CHOSEN and "tensorflow" not in sys.modules:
        # TensorFlow's C++ errors that do not stop a run (e.g. a graph rewrite that grappler
        # skips) are not for a command's user; Python exceptions still say what failed.
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    from keras_gans import training_clock

    # Run as the command, this process is the training's: its compute is timed from the
    # process's start. Called from Python (a notebook, a test), from this call.
    clock_from = training_clock.process_start() if argv is None else training_clock.now()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["zoo"]:
        from keras_gans import preset_builder

        return preset_builder.main(argv[1:], prog="keras-gans zoo")
    args = build_parser().parse_args(argv)
    args.clock_from = clock_from
    try:
        return args.func(args)
    except (ValueError, TypeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except RuntimeError as e:
        from keras_gans.callbacks import TrainingDiverged
        from keras_gans.run_lock import RunFolderLocked
        from keras_gans.stop_signal import EXIT_CODE, TrainingStopped

        if isinstance(e, TrainingStopped):
            print(str(e), file=sys.stderr)
            return EXIT_CODE
        if not isinstance(e, (TrainingDiverged, RunFolderLocked)):
            raise
        print(f"error: {e}", file=sys.stderr)
        return 3 if isinstance(e, TrainingDiverged) else 2


if __name__ == "__main__":
    sys.exit(main())
