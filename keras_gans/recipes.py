"""Recipes: one YAML file that says everything about a training run.

```yaml
seed: 0
deterministic: true            # tf.config.experimental.enable_op_determinism()
precision: float32             # or mixed_bfloat16 (1.7x faster steps on an AMD EPYC with
                               # avx512_bf16, slower on an Intel Xeon with it: a run
                               # measures and warns) or mixed_float16 (GPUs): the Keras
                               # dtype policy of the run; presets built from it compute
                               # in float32 (zoo build)
model: {variant: dcgan, latent_dim: 32}          # + any constructor argument;
                               # generator/discriminator: {network: dcgan_generator, ...};
                               # a discriminator's may add instance_noise: STD (Gaussian
                               # noise on its inputs in training)
data: {name: digits, batch_size: 32, image_size: 16}   # kg.data.load arguments, or
                               # kg.data.load_semi_supervised's when labels_per_class is set
optimizers:                    # GAN.compile arguments; a learning_rate may be a schedule,
                               # {name: linear_decay, learning_rate: 2.0e-4, total_steps: 9000}
  d_optimizer: {name: adam, learning_rate: 2.0e-4, beta_1: 0.5}
  g_optimizer: {name: adam, learning_rate: 2.0e-4, beta_1: 0.5}
  loss: non_saturating
  d_steps: 1
schedule: {epochs: 5, steps_per_epoch: 20}
callbacks:
  sample_grid: {every: 1, num_samples: 64, seed: 0, tensorboard: true}
  tensorboard: auto            # losses and metrics to RUN/tensorboard when the tensorboard
                               # package is installed (pip install "keras-gans[tensorboard]")
  ema: {decay: 0.999, start_step: 0}   # + rampup: 0.05 (StyleGAN2-ADA's ema_rampup),
                               # count_source_steps: true (see init_from below)
  checkpoint: {every: 10, keep: 2}    # batches, or "epoch"; keep >= 1
  divergence_guard: {max_abs: null}   # null: losses beyond 1e6 are divergence; .inf: no bound
```

Every field is checked before anything runs (``keras_gans.recipe_schema``), and all
problems come in one error with their YAML paths.

Image-to-image variants (SimGAN, CycleGAN) train on batches of two unrelated image sets:
``data: {unpaired: [SOURCE_X, SOURCE_Y], batch_size: 32, ...}`` in place of ``name``, the
other fields being ``kg.data.load_unpaired``'s arguments (image_size, channels, crop,
split, shuffle, drop_remainder, cache, data_dir). A source is a data set name or path that
``kg.data.load`` takes, or ``{synthetic_digits: {num: 6000, seed: 0}}`` (labelled digits
rendered from fonts, ``kg.data.synthetic_digits``; their labels are not used for
training). One source alone must be a tfds ``cycle_gan/<name>``, whose A and B splits are
the two domains. SimGAN's refiner, for instance::

    model: {variant: simgan, filters: 32, num_blocks: 4}
    data:
      unpaired: [{synthetic_digits: {num: 6000, seed: 0}}, mnist]
      batch_size: 32
    optimizers:
      r_optimizer: {name: adam, learning_rate: 2.0e-4, beta_1: 0.5}
      d_optimizer: {name: adam, learning_rate: 2.0e-4, beta_1: 0.5}
      self_regularization: 1.0

``init_from: PRESET`` (a preset name, a preset folder or a ``.keras`` file) starts a new
run from that model's weights (its networks, EMA generator and state such as StyleGAN's
average w; the optimizers start afresh): to continue a published preset's training, or to
fine-tune it on other data. A resumed run continues from its own checkpoints instead.
The run records its source in ``OUT/init_from.json``, from which ``keras-gans zoo build``
counts the training behind a continued preset (``training.total_kimg``). To continue the
source's training (rather than fine-tune it), also set ``callbacks.ema.count_source_steps:
true``: the EMA's ``start_step`` and ramp-up then count the source's images too, so the
average neither copies the raw generator again nor ramps up from nothing
(``kg.callbacks.EMA``'s ``steps_before``). A preset records its training, and so does a
run's ``best/model.keras`` (``source_metadata``); with any other ``.keras`` source the run
refuses that setting and says to set ``start_step: 0`` (no ramp-up) instead, which
averages from the source's EMA at once.

Super-resolution (SRGAN) trains on (low-resolution, high-resolution) patch pairs cut from
one image folder: ``data: {super_resolution: FOLDER, batch_size: 16}`` (sub-folders are
read too; the other fields are ``kg.data.super_resolution_pairs``' crops_per_image, shuffle
and seed). The patch size, the channels and the scale are the model's
(``data_shape``, the high-resolution patch, and ``scale``). ``schedule: {pretrain_epochs: N}`` first
trains the generator alone for N epochs (the model's ``pretraining_objective()``: SRGAN's
is an SRResNet sharing its generator and ``pretrain_optimizer``, the paper's first phase)
into the subfolder ``pretrain/`` (its own checkpoints, samples, history and
``model.keras``, an SRResNet), then plays the adversarial game for ``epochs`` epochs. For example::

    model: {variant: srgan, data_shape: [64, 64, 3], filters: 32, num_blocks: 8,
            content_loss: pixel}
    data: {super_resolution: runs/data/flowers, batch_size: 16}
    schedule: {pretrain_epochs: 40, epochs: 10, steps_per_epoch: 250}

The model's data_shape comes from the first source's images; every ``*_optimizer`` of
``optimizers`` is built as above; the sample grids show the first source's images
(``keras_gans.tasks.draw_inputs`` with the grid's seed) beside the model's outputs.

The table models (TabularGAN, RadialGAN) train on the rows of a table named by
``data: {table: adult, ...}`` (a table name, read from ``$KERAS_GANS_DATA``, or a CSV
file; ``keras_gans.data.tables``): ``label`` and ``test_size`` hold out a stratified test
split; ``split_column``, ``target`` and ``domains`` cut RadialGAN's domains from the
table. The model is built on transformers fitted to the training rows, and its
``make_dataset`` batches them (zoo/recipes/tabular-gan-adult.yaml, radialgan-adult.yaml).
Set ``callbacks: {sample_grid: null}``: table rows are not pictures.

``run`` writes into one folder: ``recipe.yaml`` (the resolved recipe), ``checkpoints/``,
``samples/``, ``tensorboard/``, ``history.json``/``history.csv`` and ``model.keras``.
Running it again on the same folder resumes the run (see ``keras_gans.training``).
"""

import copy
import inspect
import json
import os
import shlex
import time

import yaml

from keras_gans import bfloat16_speed, recipe_schema, resumption, run_lock, training_clock


def resolve(recipe, source=None):
    """Fill in defaults and check a recipe given as a dict (``keras_gans.recipe_schema``);
    ``source``, the file it came from, is named in errors."""
    recipe = recipe_schema.resolve(recipe, source)
    data = recipe["data"]
    kinds = [k for k in DATA_KINDS if data.get(k) is not None]
    if len(kinds) > 1:
        raise ValueError(f"The recipe's data has {' and '.join(f'`{k}`' for k in kinds)}; keep "
                         f"one: `name` for one data set, `unpaired: [SOURCE_X, SOURCE_Y]` for "
                         f"two, `super_resolution: FOLDER` for patch pairs of one, `table: "
                         f"TABLE` for table rows.")
    if not kinds:
        raise ValueError("The recipe names no data: add `data: {name: digits}` (a data set "
                         "name or the path of an image folder, .npz or IDX file), "
                         "`data: {unpaired: [SOURCE_X, SOURCE_Y]}` for image-to-image models, "
                         "`data: {super_resolution: FOLDER}` for SRGAN, or `data: {table: "
                         "adult}` (a table name or CSV file) for the table models.")
    if kinds == ["unpaired"]:
        _check_unpaired(data)
    if kinds == ["super_resolution"]:
        _check_super_resolution(data)
    if kinds == ["table"]:
        from keras_gans.data import tables

        tables.check_recipe_data(data)
    import keras_gans as kg

    makes_tables = kg.models.get(recipe["model"]["variant"]).makes_tables
    if makes_tables != (kinds == ["table"]):
        variant = recipe["model"]["variant"]
        raise ValueError(
            f"{variant} trains on table rows: name them with `data: {{table: TABLE}}` (see "
            f"zoo/recipes/{variant}-adult.yaml)." if makes_tables else
            f"`data.table` holds table rows, which {variant} does not make; the table models "
            f"are {', '.join(n for n, c in kg.models.VARIANTS.items() if c.makes_tables)}.")
    return recipe


# The kinds of data a recipe's data section names, one per recipe.
DATA_KINDS = ("name", "unpaired", "super_resolution", "table")


# kg.data.load_unpaired's arguments besides the two sources.
UNPAIRED_OPTIONS = ("batch_size", "image_size", "split", "shuffle", "seed", "drop_remainder",
                    "crop", "channels", "cache", "data_dir")


def _check_unpaired(data):
    from keras_gans import tasks

    sources = data["unpaired"]
    if isinstance(sources, (str, dict)):
        sources = [sources]
    if not isinstance(sources, list) or not 1 <= len(sources) <= 2:
        raise ValueError(f"`data.unpaired` must list two image sources [SOURCE_X, SOURCE_Y] "
                         f"(or one tfds cycle_gan/<name>); received {data['unpaired']!r}.")
    for source in sources:
        name = tasks.source_name(source)
        if name == "synthetic_digits":
            tasks.synthetic_digits_arguments(source)
    if len(sources) == 1 and not str(sources[0]).startswith("cycle_gan/"):
        raise ValueError(f"`data.unpaired` has one source, {sources[0]!r}; give two "
                         f"[SOURCE_X, SOURCE_Y], or one tfds cycle_gan/<name> data set.")
    unknown = sorted(set(data) - set(UNPAIRED_OPTIONS) - {"unpaired"})
    if unknown:
        raise ValueError(f"Unknown field(s) {', '.join(f'data.{k}' for k in unknown)} for "
                         f"unpaired data; known: unpaired, {', '.join(UNPAIRED_OPTIONS)}.")


# kg.data.super_resolution_pairs' arguments that a recipe gives (the rest are the model's).
SUPER_RESOLUTION_OPTIONS = ("batch_size", "crops_per_image", "shuffle", "seed")


def _check_super_resolution(data):
    if not isinstance(data["super_resolution"], str):
        raise ValueError(f"`data.super_resolution` is the path of one image folder (its "
                         f"sub-folders are read too); received {data['super_resolution']!r}.")
    unknown = sorted(set(data) - set(SUPER_RESOLUTION_OPTIONS) - {"super_resolution"})
    if unknown:
        raise ValueError(
            f"Unknown field(s) {', '.join(f'data.{k}' for k in unknown)} for super-resolution "
            f"data; known: super_resolution, {', '.join(SUPER_RESOLUTION_OPTIONS)}. The patch "
            f"size, channels and scale are the model's: set model.data_shape (the "
            f"high-resolution patch, e.g. [96, 96, 3]) and model.scale.")


def super_resolution_data(data, model):
    """A function that builds the one-pass ``(low_res, high_res)`` data set of a recipe's
    ``data: {super_resolution: FOLDER}`` section for ``model`` (an SRGAN)."""
    import keras_gans as kg

    data = dict(data)
    source = data.pop("super_resolution")
    return lambda: kg.data.super_resolution_pairs(
        source, hr_size=model.hr_patch_size, scale=model.scale, channels=model.channels,
        repeat=False, drop_remainder=True, **data)


def unpaired_data(data):
    """A function that builds the ``(x, y)`` data set of a recipe's ``data: {unpaired: ...}``
    section (synthetic digits are rendered once and reused by every call)."""
    import keras_gans as kg
    from keras_gans import tasks

    data = dict(data)
    sources = data.pop("unpaired")
    sources = [sources] if isinstance(sources, (str, dict)) else list(sources)
    arrays = [kg.data.synthetic_digits(**tasks.synthetic_digits_arguments(s))[0]
              if isinstance(s, dict) else s for s in sources]
    return lambda: kg.data.load_unpaired(*arrays, **data)


def named_data(name, options, cache=None):
    """A function that makes the data set ``name`` with the recipe's data ``options``
    (semi-supervised batches when they set ``labels_per_class``). ``cache`` overrides the
    recipe's caching of a loaded data set (semi-supervised batches are built in memory and
    take no such option)."""
    import keras_gans as kg

    def make_data():
        if "labels_per_class" in options:
            return kg.data.load_semi_supervised(name, **options)
        return kg.data.load(name, **{**options, **({} if cache is None else {"cache": cache})})

    return make_data


def table_model(recipe, data):
    """The model of a recipe whose ``data: {table: ...}`` names table rows, built on
    transformers fitted to its training rows, and a function that builds its data set."""
    from keras_gans.data import tables, tabular

    seed = data["seed"]
    training, _ = tables.recipe_tables(data, seed)
    domains = "domains" in data
    fit = lambda table: tabular.TabularTransformer(seed=seed).fit(table)  # noqa: E731
    transformers = {d: fit(t) for d, t in training.items()} if domains else fit(training)
    model = build_model(recipe, None, transformers)
    return model, lambda: model.make_dataset(training, data["batch_size"], seed=seed)


def load(path):
    try:
        with open(path) as f:
            recipe = yaml.safe_load(f)
    except OSError as e:
        raise ValueError(f"Cannot read the recipe '{path}': {e.strerror}.") from e
    except yaml.YAMLError as e:
        raise ValueError(f"The recipe '{path}' is not valid YAML: {e}") from e
    return resolve(recipe, path)


def override(recipe, assignments):
    """Set dotted fields, e.g. ``{"schedule.epochs": 3}``; values as YAML (``"1e-4"`` is a
    float, ``"null"`` is None)."""
    recipe = copy.deepcopy(recipe)
    for dotted, value in assignments.items():
        if isinstance(value, str):
            value = _yaml_value(value)
        *parents, leaf = dotted.split(".")
        node = recipe
        for key in parents:
            if node.get(key) is None:
                node[key] = {}
            node = node[key]
            if not isinstance(node, dict):
                raise ValueError(f"Cannot set '{dotted}': '{key}' is not a mapping.")
        node[leaf] = value
    return resolve(recipe)


def _yaml_value(text):
    value = yaml.safe_load(text)
    if isinstance(value, str):
        try:
            return float(value) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            return value
    return value


def _numbers(config):
    """YAML 1.1 reads ``2e-4`` as a string; take such strings as the numbers they are."""
    return {k: _yaml_value(v) if isinstance(v, str) and k != "name" else v
            for k, v in config.items()}


def build_optimizer(spec):
    import keras

    if spec is None or isinstance(spec, str):
        return spec
    if "class_name" in spec:
        return keras.optimizers.deserialize(spec)
    spec = _numbers(spec)
    name = spec.pop("name", None)
    if not name:
        raise ValueError(f"An optimizer needs a name, e.g. {{name: adam, learning_rate: 2.0e-4}}"
                         f"; received {spec}.")
    if isinstance(spec.get("learning_rate"), dict):
        spec["learning_rate"] = build_schedule(spec["learning_rate"])
    cls = type(keras.optimizers.get(name))
    return cls(**spec)


def build_schedule(spec):
    """``{name: linear_decay, learning_rate: 1.0e-3, total_steps: 9000}``: a schedule of
    ``keras_gans.schedules`` or ``keras.optimizers.schedules`` by its snake_case or class
    name, with its arguments (or a serialized schedule with ``class_name``)."""
    import keras

    from keras_gans import schedules

    if "class_name" in spec:
        return keras.optimizers.schedules.deserialize(spec)
    spec = _numbers(spec)
    name = str(spec.pop("name", ""))
    class_name = "".join(part[:1].upper() + part[1:] for part in name.split("_"))
    cls = (getattr(schedules, class_name, None)
           or getattr(keras.optimizers.schedules, class_name, None))
    if not (isinstance(cls, type)
            and issubclass(cls, keras.optimizers.schedules.LearningRateSchedule)):
        raise ValueError(f"Unknown learning-rate schedule {name!r}: give `name` as a schedule "
                         f"of keras_gans.schedules (linear_decay) or keras.optimizers."
                         f"schedules (e.g. cosine_decay), with its arguments.")
    return cls(**spec)


def _build_network(spec, role, model_kwargs, data_shape):
    from keras_gans import networks
    from keras_gans.networks.instance_noise import with_instance_noise

    spec = dict(spec)
    name = spec.pop("network", None)
    # Not the builder's: the std of Gaussian noise on a discriminator's inputs in training.
    noise = spec.pop("instance_noise", None)
    builder = getattr(networks, str(name), None)
    if builder is None:
        raise ValueError(f"Unknown {role} network {name!r}; known: {', '.join(networks.__all__)}.")
    params = inspect.signature(builder).parameters
    fill = {"latent_dim": model_kwargs.get("latent_dim", 100), "image_shape": data_shape,
            "output_shape": data_shape, "input_shape": data_shape, "data_shape": data_shape,
            "num_classes": model_kwargs.get("num_classes")}
    for key, value in fill.items():
        if key in params and key not in spec:
            spec[key] = value
    network = builder(**spec)
    return with_instance_noise(network, noise) if noise else network


def build_model(recipe, data_shape, transformers=None):
    """The recipe's model, compiled, for examples of shape ``data_shape``; a table model
    is built on ``transformers``, the fitted ``TabularTransformer`` of its table (or
    ``{domain: transformer}``)."""
    import keras_gans as kg

    kwargs = dict(recipe["model"])
    variant = kg.models.get(kwargs.pop("variant"))
    given = any(key in kwargs for key in ("data_shape", "image_shape", "resolution"))
    if data_shape is not None and not given:
        kwargs["data_shape"] = tuple(data_shape)
    shape = kwargs.get("data_shape") or kwargs.get("image_shape")
    shape = tuple(shape) if shape is not None else None
    for role in ("generator", "discriminator"):
        if isinstance(kwargs.get(role), dict):
            kwargs[role] = _build_network(kwargs[role], role, kwargs, shape)
    model = variant(transformers, **kwargs) if transformers is not None else variant(**kwargs)
    opts = dict(recipe["optimizers"])
    for key in opts:
        if key.endswith("_optimizer"):
            opts[key] = build_optimizer(opts[key])
    model.compile(**opts)
    return model


def _reference_images(make_data, n):
    """The first ``n`` examples of the training data (images only, without labels)."""
    import numpy as np

    batches, count = [], 0
    for batch in make_data():
        images = batch[0] if isinstance(batch, tuple) else batch
        batches.append(np.asarray(images))
        count += len(batches[-1])
        if count >= n:
            break
    return np.concatenate(batches)[:n]


def _evaluation(spec, folder, reference):
    """The evaluation callback of ``callbacks.evaluation`` (and BestModel with keep_best);
    ``reference(n)`` gives n real examples."""
    import keras_gans as kg

    spec = dict(spec)
    keep_best = spec.pop("keep_best", None)
    images = reference(spec.pop("reference_samples"))
    callbacks = [kg.metrics.EvaluationCallback(
        spec.pop("metrics"), images, spec.pop("extractor"),
        reference_name=f"the first {len(images):,} training examples", **spec)]
    if keep_best:
        callbacks.append(kg.callbacks.BestModel(os.path.join(folder, "best"), keep_best))
    return callbacks


def _callbacks(cbs, model, folder, picture_source, shape, centres=None, reference=None,
               source_steps=0):
    """The recipe's callbacks for one training phase writing into ``folder``; ``centres``
    are the modes of a toy data set, marked on its scatter plots; ``reference(n)`` gives n
    real examples for ``callbacks.evaluation``; ``source_steps`` is the training of the
    ``init_from`` source in this run's batches (``source_steps()``)."""
    import keras_gans as kg

    callbacks = []
    if cbs.get("evaluation") and reference is not None:
        callbacks += _evaluation(cbs["evaluation"], folder, reference)
    if cbs.get("ema"):
        ema = dict(cbs["ema"])
        counts_source = ema.pop("count_source_steps", False)
        callbacks.append(kg.callbacks.EMA(**ema, steps_before=source_steps if counts_source
                                          else 0))
    if cbs.get("divergence_guard") is not None:
        callbacks.append(kg.callbacks.DivergenceGuard(**cbs["divergence_guard"]))
    if cbs.get("sample_grid") and model.makes_tables:
        raise ValueError(f"callbacks.sample_grid draws pictures; {type(model).__name__} makes "
                         f"table rows. Set `sample_grid: null`.")
    if cbs.get("sample_grid"):
        grid = dict(cbs["sample_grid"])
        tensorboard = grid.pop("tensorboard", False)
        if model.needs_inputs:  # the source's images beside the outputs
            grid["inputs"] = kg.tasks.draw_inputs(picture_source, grid.get("num_samples", 64),
                                                  grid.get("seed", 0), shape)
        callbacks.append(kg.callbacks.SampleGrid(
            os.path.join(folder, "samples"), **grid, centres=centres,
            tensorboard_dir=os.path.join(folder, "tensorboard") if tensorboard else None))
    if _wants_tensorboard(cbs.get("tensorboard", "auto")):
        import keras

        callbacks.append(keras.callbacks.TensorBoard(os.path.join(folder, "tensorboard"),
                                                     write_graph=False))
    callbacks.append(kg.callbacks.HistoryFile(folder))
    return callbacks


def _wants_tensorboard(setting):
    """Whether to log to TensorBoard: ``True`` requires the tensorboard package (which
    ``tf.summary.scalar`` needs), ``"auto"`` logs when it is installed."""
    import importlib.util

    installed = importlib.util.find_spec("tensorboard") is not None
    if setting is True and not installed:
        raise ValueError("callbacks.tensorboard is true but the tensorboard package is not "
                         "installed: pip install \"keras-gans[tensorboard]\", or set "
                         "callbacks.tensorboard to auto or false.")
    return installed if setting == "auto" else bool(setting)


INIT_FROM_NAME = "init_from.json"
# The source preset's growth grids (stage_<n>_<side>.png), kept by a run that continues it:
# the card of a preset built from the run shows the stages the run itself did not pass.
INHERITED_GRIDS = "inherited_grids"


def training_behind(record):
    """(kimg, wall-clock seconds) of all the training behind a preset's metadata or an
    ``init_from.json`` record: its totals where it continued an earlier source, else its
    own figures; None for what it does not record."""
    training, compute = record.get("training") or {}, record.get("compute") or {}
    return (training.get("total_kimg", training.get("kimg")),
            compute.get("total_wall_time_s", compute.get("wall_time_s")))


def source_steps(out, batch_size):
    """The training behind a run's ``init_from`` source (its total kimg, recorded in
    ``OUT/init_from.json``) in batches of ``batch_size``; 0 for a run that started from
    nothing, or whose source does not say."""
    path = os.path.join(out, INIT_FROM_NAME)
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        kimg = training_behind(json.load(f))[0]
    return 0 if kimg is None else kimg * 1000 / batch_size


def source_metadata(source):
    """What the ``init_from`` ``source`` records of itself, in the form of a preset's
    metadata.json: a preset's own, or, for the kept-best model of a recipe run
    (``RUN/best/model.keras``, written by ``callbacks.evaluation.keep_best``), what its run
    records: the step and training time in ``RUN/best/best.json``, the batch size in
    ``RUN/recipe.yaml`` and the training behind the run's own source in
    ``RUN/init_from.json``. None for any other ``.keras`` file."""
    import keras_gans as kg

    metadata = kg.presets.read_metadata(source)
    if metadata is not None or not str(source).endswith(".keras"):
        return metadata
    best = os.path.dirname(os.path.abspath(source))
    run = os.path.dirname(best)
    paths = [os.path.join(best, "best.json"), os.path.join(run, "recipe.yaml")]
    if os.path.basename(best) != "best" or not all(os.path.isfile(p) for p in paths):
        return None
    record = kg.presets.read_json(paths[0])
    kimg = record["step"] * load(paths[1])["data"]["batch_size"] / 1000
    timed = training_clock.summary(record.get("compute"))
    wall = timed and timed["wall_time_s"]
    training, compute = {"steps": record["step"], "kimg": round(kimg, 3)}, {"wall_time_s": wall}
    earlier_path = os.path.join(run, INIT_FROM_NAME)
    if os.path.exists(earlier_path):   # the run itself continued an earlier source
        earlier_kimg, earlier_wall = training_behind(kg.presets.read_json(earlier_path))
        training["total_kimg"] = (None if earlier_kimg is None
                                  else round(earlier_kimg + kimg, 3))
        compute["total_wall_time_s"] = (None if None in (earlier_wall, wall)
                                        else round(earlier_wall + wall, 1))
    return {"name": os.fspath(source), "run_step": record["step"], "training": training,
            "compute": compute}


def _check_source_training_is_countable(recipe):
    """``callbacks.ema.count_source_steps`` asks the average to count the ``init_from``
    source's training; a source that does not record it (a ``.keras`` file that is not a
    run's ``best/model.keras``) would leave the count at 0 without a word, and the average
    would then copy the raw generator for ``start_step`` steps or ramp up from nothing."""
    ema = recipe["callbacks"].get("ema") or {}
    if not ema.get("count_source_steps") or not (ema.get("start_step") or
                                                 ema.get("rampup") is not None):
        return
    if training_behind(source_metadata(recipe["init_from"]) or {})[0] is None:
        raise ValueError(
            f"callbacks.ema.count_source_steps counts the training behind init_from, but "
            f"{recipe['init_from']!r} does not record it (a .keras file has no "
            f"metadata.json, unless it is a run's best/model.keras beside its best.json): "
            f"the average would copy the raw generator for start_step "
            f"({ema.get('start_step', 0)}) steps and ramp up from nothing. Start from a "
            f"preset (keras-gans zoo snapshot and zoo build make one from a run) or from a "
            f"run's best/model.keras, or set callbacks.ema.start_step: 0 and no rampup to "
            f"average from the source's averaged weights at once.")


def record_initialization(out, source):
    """Write ``OUT/init_from.json``: what a run started from, so that a preset built from
    it can state the training behind it in all (its source's steps, kimg and compute, and
    theirs in turn when the source continued another), and keep the source's growth grids
    in ``OUT/inherited_grids``. Written once, at the start: the source preset may be
    republished from this very run later."""
    import shutil

    import keras_gans as kg

    metadata = source_metadata(source) or {}
    path = os.path.expanduser(source)
    if not kg.presets.looks_like_path(source):
        path = kg.presets.preset_files(kg.presets.resolve(source))
    weights = os.path.join(path, kg.presets.WEIGHTS_NAME)
    weights = kg.presets.sha256(weights) if os.path.isfile(weights) else None
    record = {"source": source, "name": metadata.get("name"),
              **({"run_step": metadata["run_step"]} if "run_step" in metadata else {}),
              "weights_sha256": weights,
              "training": metadata.get("training"), "compute": metadata.get("compute")}
    with open(os.path.join(out, INIT_FROM_NAME), "w") as f:
        json.dump(record, f, indent=1)
    grids = [f for f in sorted(os.listdir(path)) if f.startswith("stage_") and
             f.endswith(".png")] if os.path.isdir(path) else []
    if grids:
        os.makedirs(os.path.join(out, INHERITED_GRIDS), exist_ok=True)
        for filename in grids:
            shutil.copy(os.path.join(path, filename), os.path.join(out, INHERITED_GRIDS))
    return record


def run(recipe, out, verbose=1, clock_from=None):
    """Train as the recipe says, writing everything into ``out``; resume when ``out`` holds
    an interrupted run of the same recipe (``keras_gans.resumption`` says what a resumed
    run may change). One run at a time holds ``out`` (``keras_gans.run_lock``). Returns the
    trained model; raises ``TrainingDiverged`` (and writes no model.keras) when training
    diverges.

    The checkpoints' compute record times this call's training from ``clock_from``
    (``training_clock``), by default from this call: loading the data, building the model
    and ``init_from`` count. ``keras-gans train`` times it from the process's start."""
    import keras
    # TensorFlow exports no public way to turn op determinism off again.
    from tensorflow.python.framework import config as op_determinism

    clock_from = clock_from or training_clock.now()

    previous = keras.mixed_precision.global_policy()
    was_deterministic = op_determinism.is_op_determinism_enabled()
    with run_lock.RunFolderLock(out):
        # Both settings hold for the whole process, so both are undone when the run ends:
        # op determinism left on makes Keras turn jit_compile=True off (with a warning) in
        # every model built later in it, such as the next recipe of a notebook.
        try:
            keras.mixed_precision.set_global_policy(recipe.get("precision", "float32"))
            if recipe["deterministic"]:
                op_determinism.enable_op_determinism()
            if recipe.get("precision") == "mixed_bfloat16":
                warning = bfloat16_speed.slower_bfloat16_warning()
                if warning:
                    print(f"Warning: {warning}", flush=True)
            return _run(recipe, out, verbose, clock_from)
        finally:
            keras.mixed_precision.set_global_policy(previous)
            if not was_deterministic:
                op_determinism.disable_op_determinism()


def _resume_command(recipe, out):
    """The command that resumes ``out`` with learning rates ten times lower."""
    settings = []
    for key, spec in sorted((recipe.get("optimizers") or {}).items()):
        rate = spec.get("learning_rate") if isinstance(spec, dict) else None
        field = f"optimizers.{key}.learning_rate"
        if isinstance(rate, dict):
            inner = next((k for k in ("learning_rate", "initial_learning_rate") if k in rate),
                         None)
            rate, field = (rate.get(inner), f"{field}.{inner}") if inner else (None, None)
        rate = _yaml_value(rate) if isinstance(rate, str) else rate
        if isinstance(rate, (int, float)) and not isinstance(rate, bool):
            settings.append(f" --set {field}={rate / 10:.3g}")
    if not settings:
        return None
    return (f"keras-gans train --recipe {shlex.quote(os.path.join(out, 'recipe.yaml'))} "
            f"--out {shlex.quote(out)}" + "".join(settings))


def _latest_checkpoint(out):
    """The checkpoint a resumed run continues from: its main phase's, else its
    pre-training's (None before the first)."""
    from keras_gans import callbacks

    for phase in ((), ("pretrain",)):
        state = callbacks.Checkpoint(os.path.join(out, *phase, "checkpoints")).latest()
        if state is not None:
            return state
    return None


def _run(recipe, out, verbose, clock_from):
    import keras

    import keras_gans as kg

    saved = os.path.join(out, "recipe.yaml")
    started = any(os.path.exists(os.path.join(out, *phase, "checkpoints", "latest.json"))
                  for phase in ((), ("pretrain",)))
    changed = {}
    if started and os.path.exists(saved):
        with open(saved) as f:
            previous = resolve(yaml.safe_load(f), saved)
        changed, refused = resumption.changes(previous, recipe)
        if refused:
            raise ValueError(f"'{out}' holds a run of a different recipe (see {saved}): "
                             f"{resumption.describe(refused)}. Use another --out folder, or "
                             f"delete '{out}' to start over.")
    with open(saved, "w") as f:
        yaml.safe_dump(recipe, f, sort_keys=False)
    if changed:
        resumed = _latest_checkpoint(out)
        resumption.record(out, changed, checkpoint=resumed and os.path.relpath(
            resumed["path"], out), step=resumed and resumed["step"])
        print(f"Resuming with recipe changes: "
              f"{', '.join(f'{k} {a!r} -> {b!r}' for k, (a, b) in changed.items())}",
              flush=True)

    seed = recipe["seed"]
    keras.utils.set_random_seed(seed)
    data = dict(recipe["data"])
    data.setdefault("seed", seed)
    if data.get("super_resolution") is not None:
        name, picture_source = data["super_resolution"], data["super_resolution"]
        model = build_model(recipe, None)
        make_data = super_resolution_data(data, model)
    elif data.get("table") is not None:
        name, picture_source = data["table"], None
        model, make_data = table_model(recipe, data)
    else:
        if data.get("unpaired") is not None:
            sources = (data["unpaired"] if isinstance(data["unpaired"], list)
                       else [data["unpaired"]])
            name, picture_source = " + ".join(str(s) for s in sources), sources[0]
            make_data = unpaired_data(data)
        else:
            name, picture_source = data.pop("name"), None
            make_data = named_data(name, data)

        spec = make_data().element_spec
        model = build_model(recipe, (spec[0] if isinstance(spec, tuple) else spec).shape[1:])
    if recipe.get("init_from") and not started:
        _check_source_training_is_countable(recipe)
        kg.training.initialize_from(model, kg.presets.load(recipe["init_from"]))
        record_initialization(out, recipe["init_from"])
        print(f"Initialised from {recipe['init_from']}", flush=True)
    shape = model.example_shape
    print(model.summary_line(), f"| data {name} {shape}", flush=True)
    evaluation = recipe["callbacks"].get("evaluation")
    if evaluation and not (model.task == kg.tasks.GENERATE and evaluation.get("extractor")):
        raise ValueError(
            "callbacks.evaluation scores generated samples: it needs a noise-to-data model "
            "and an `extractor` (an evaluator such as mnist or cifar10, or inception); "
            f"{type(model).__name__} with extractor {evaluation.get('extractor')!r} cannot. "
            "Set the extractor, or remove the section.")
    if recipe["callbacks"].get("ema") and not model.supports_ema:
        raise ValueError(f"callbacks.ema averages the weights of a noise-to-image "
                         f"generator; {type(model).__name__} has none. Set `ema: null`.")

    schedule, checkpoint = recipe["schedule"], recipe["callbacks"].get("checkpoint") or {}
    phases = [(out, model, schedule["epochs"])]
    if schedule.get("pretrain_epochs"):
        # The pre-training objective shares the model's networks: what it trains, the
        # model's own phase starts from.
        pretraining = model.pretraining_objective()
        if pretraining is None:
            raise ValueError(f"`schedule.pretrain_epochs` pre-trains a generator alone; "
                             f"{type(model).__name__} has no pretraining objective. Remove "
                             f"the field.")
        phases.insert(0, (os.path.join(out, "pretrain"), pretraining,
                          schedule["pretrain_epochs"]))
    centres = (kg.data.toy.get(name).centers if name in kg.data.toy.TOY_DISTRIBUTIONS
               else None)
    start = time.time()
    identity = resumption.identity(recipe)
    # The first phase that trains is timed from clock_from, a later one from the end of the
    # phase before it.
    for folder, trained, epochs in phases:
        try:
            saver = kg.training.fit(
                trained, make_data, epochs, os.path.join(folder, "checkpoints"),
                steps_per_epoch=schedule["steps_per_epoch"],
                save_freq=checkpoint.get("every", "epoch"),
                callbacks=_callbacks(recipe["callbacks"], trained, folder, picture_source,
                                     shape, centres, reference=(
                                         None if trained is not model or evaluation is None
                                         else lambda n: _reference_images(make_data, n)),
                                     source_steps=source_steps(out, data["batch_size"])),
                verbose=verbose, keep=checkpoint.get("keep", 2), run=identity,
                clock_from=clock_from)
        except kg.callbacks.TrainingDiverged as e:
            command = _resume_command(recipe, out)
            raise kg.callbacks.TrainingDiverged(
                f"{e} To resume from the last good checkpoint with learning rates ten times "
                f"lower: {command}" if command else str(e)) from None
        problem = kg.callbacks.non_finite_weights(trained)
        if problem:  # with the guard off, nothing else stops a diverged run
            raise kg.callbacks.TrainingDiverged(
                f"Training diverged: {problem}; no model.keras was written. The last good "
                f"checkpoint is {saver.last_saved or 'none'}. Lower the learning rates and "
                f"resume: {_resume_command(recipe, out) or 'see the recipe optimizers'}.")
        if trained is not model:
            trained.save(os.path.join(folder, "model.keras"))
        if saver.clock is not None:   # this phase trained: the next is timed from here
            clock_from = training_clock.now()
    path = os.path.join(out, "model.keras")
    model.save(path)
    print(f"Done in {time.time() - start:.1f} s. Model: {path}; everything else in {out}",
          flush=True)
    return model
