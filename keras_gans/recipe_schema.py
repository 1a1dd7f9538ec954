"""The recipe schema: every field a recipe may hold, its type, range and default.

``FIELDS`` is the whole schema of the fixed sections, one line a field, keyed by the
field's YAML path. Adding a field is adding a line, e.g. ``"init_from": (None,
optional(text))``. The open sections hold the arguments of something else and are checked
against it: ``model`` against the variant's constructor, ``model.generator`` /
``model.discriminator`` against the network builder, ``optimizers`` against the
variant's ``compile`` (plus any ``*_optimizer``) and ``data`` against ``kg.data.load``
(``load_semi_supervised`` with ``labels_per_class``). A value they cannot take is
refused by the constructor or loader itself before training starts.

``resolve`` fills in the defaults and collects every problem, each with its YAML path,
into one ``RecipeError``.
"""

import copy
import difflib
import inspect

# A section present by default (its fields filled in), or absent unless the recipe sets it.
SECTION, OPTIONAL_SECTION = "section", "optional section"
# A field left out of the resolved recipe unless given.
ABSENT = object()
# Sections whose keys are the arguments of something else (see the module docstring).
OPEN = "open"


class RecipeError(ValueError):
    """A recipe that cannot run as written; the message lists every problem."""


# -- value checks: each returns (value, problem); value may be normalised -------------

def _number_text(value):
    """YAML 1.1 reads ``1e-4`` as a string; take such strings as the numbers they are."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def whole(minimum=None):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int):
            return value, f"must be a whole number; received {value!r}"
        if minimum is not None and value < minimum:
            return value, f"must be >= {minimum}; received {value!r}"
        return value, None
    check.__doc__ = f"a whole number{f' >= {minimum}' if minimum is not None else ''}"
    return check


def number(minimum=None, below=None, above=None):
    def check(value):
        value = _number_text(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return value, f"must be a number; received {value!r}"
        if minimum is not None and value < minimum:
            return value, f"must be >= {minimum}; received {value!r}"
        if above is not None and not value > above:
            return value, f"must be > {above}; received {value!r}"
        if below is not None and not value < below:
            return value, f"must be < {below}; received {value!r}"
        return float(value), None
    return check


def boolean(value):
    if not isinstance(value, bool):
        return value, f"must be true or false; received {value!r}"
    return value, None


def text(value):
    if not isinstance(value, str) or not value:
        return value, f"must be a non-empty text; received {value!r}"
    return value, None


def names(value):
    """One name or a list of names (normalised to a list)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(
            isinstance(v, str) and v for v in items):
        return value, f"must be a name or a list of names; received {value!r}"
    return list(items), None


def optional(check):
    def optional_check(value):
        return (None, None) if value is None else check(value)
    return optional_check


def one_of(*choices):
    def one_of_check(value):
        if value not in choices:
            return value, f"must be one of {', '.join(map(repr, choices))}; received {value!r}"
        return value, None
    return one_of_check


def either(*choices, check):
    def either_check(value):
        if isinstance(value, str) and value in choices:
            return value, None
        value, problem = check(value)
        if problem:
            problem += f" (or {' or '.join(map(repr, choices))})"
        return value, problem
    return either_check


# -- the fixed sections ---------------------------------------------------------------

FIELDS = {
    "seed": (0, whole(minimum=0)),
    # a preset name, preset folder or .keras file whose weights a new run starts from
    "init_from": (None, optional(text)),
    "deterministic": (False, boolean),
    # the Keras dtype policy the run trains under (variables stay float32 in every one)
    "precision": ("float32", one_of("float32", "mixed_bfloat16", "mixed_float16")),
    "model": (OPEN, None),
    "data": (OPEN, None),
    "optimizers": (OPEN, None),
    "schedule": (SECTION, None),
    "schedule.epochs": (1, whole(minimum=1)),
    "schedule.steps_per_epoch": (None, optional(whole(minimum=1))),
    "schedule.pretrain_epochs": (ABSENT, whole(minimum=0)),
    "callbacks": (SECTION, None),
    "callbacks.sample_grid": (SECTION, None),
    "callbacks.sample_grid.every": (1, whole(minimum=1)),
    "callbacks.sample_grid.num_samples": (64, whole(minimum=1)),
    "callbacks.sample_grid.seed": (0, whole(minimum=0)),
    "callbacks.sample_grid.tensorboard": (False, boolean),
    # keras.callbacks.TensorBoard (losses and metrics per epoch) into RUN/tensorboard:
    # "auto" when the tensorboard package is installed; true insists on it.
    "callbacks.tensorboard": ("auto", either("auto", check=boolean)),
    "callbacks.ema": (OPTIONAL_SECTION, None),
    "callbacks.ema.decay": (ABSENT, number(minimum=0.0, below=1.0)),
    "callbacks.ema.start_step": (ABSENT, whole(minimum=0)),
    "callbacks.ema.rampup": (ABSENT, optional(number(above=0.0))),
    "callbacks.ema.count_source_steps": (ABSENT, boolean),
    # Scores the generator every few epochs (kg.metrics.EvaluationCallback) against
    # `reference_samples` images of the training data, in the `extractor`'s features; with
    # keep_best, RUN/best/ holds the model of the best score so far (kg.callbacks.BestModel).
    "callbacks.evaluation": (OPTIONAL_SECTION, None),
    "callbacks.evaluation.extractor": (None, text),
    "callbacks.evaluation.metrics": (["fid"], names),
    "callbacks.evaluation.every": (1, whole(minimum=1)),
    "callbacks.evaluation.num_samples": (2000, whole(minimum=2)),
    "callbacks.evaluation.reference_samples": (10000, whole(minimum=2)),
    "callbacks.evaluation.seed": (0, whole(minimum=0)),
    "callbacks.evaluation.keep_best": (None, optional(text)),
    "callbacks.checkpoint": (SECTION, None),
    "callbacks.checkpoint.every": ("epoch", either("epoch", check=whole(minimum=1))),
    "callbacks.checkpoint.keep": (2, whole(minimum=1)),
    "callbacks.divergence_guard": (SECTION, None),
    # null: the guard's generous default bound; .inf: no bound beyond NaN and infinity.
    "callbacks.divergence_guard.max_abs": (None, optional(number(above=0.0))),
}

# Keyword arguments of keras.Model.compile that a GAN's compile passes on.
KERAS_COMPILE_ARGS = ("jit_compile", "steps_per_execution", "run_eagerly", "auto_scale_loss")
# Keyword arguments every keras.Model takes.
KERAS_MODEL_ARGS = ("name", "dtype")


def _children(path):
    prefix = f"{path}." if path else ""
    return {key[len(prefix):]: spec for key, spec in FIELDS.items()
            if key.startswith(prefix) and "." not in key[len(prefix):]}


def _unknown(key, known, path):
    close = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"{path}{key}: unknown field{hint}. Known: {', '.join(sorted(known)) or 'none'}."


def _resolve_section(given, path, problems):
    """Defaults filled into ``given`` for the fixed section at ``path`` ("" = top level)."""
    where = path or "the top level"
    if not isinstance(given, dict):
        problems.append(f"{where}: must be a mapping of fields; received {given!r}.")
        return {}
    fields = _children(path)
    prefix = f"{path}." if path else ""
    out = {}
    for key, value in given.items():
        if key not in fields:
            problems.append(_unknown(key, fields, prefix))
    for key, (default, check) in fields.items():
        full = prefix + key
        if key not in given:
            if default is ABSENT or default == OPTIONAL_SECTION:
                if default == OPTIONAL_SECTION:
                    out[key] = None
                continue
            if default == SECTION:
                out[key] = _resolve_section({}, full, problems)
            elif default == OPEN:
                out[key] = {}
            else:
                out[key] = copy.deepcopy(default)
            continue
        value = given[key]
        if default in (SECTION, OPTIONAL_SECTION):
            # A callback section may be switched off with null; a structural one may not.
            if value is None and path == "callbacks":
                out[key] = None
            else:
                out[key] = _resolve_section({} if value is None else value, full, problems)
        elif default == OPEN:
            if value is not None and not isinstance(value, dict):
                problems.append(f"{full}: must be a mapping of fields; received {value!r}.")
                value = {}
            out[key] = dict(value or {})
        else:
            value, problem = check(value)
            if problem:
                problems.append(f"{full}: {problem}.")
            out[key] = value
    return out


# -- the open sections ----------------------------------------------------------------

def _keyword_parameters(function):
    params = inspect.signature(function).parameters
    named = [p for p, v in params.items()
             if v.kind not in (v.VAR_POSITIONAL, v.VAR_KEYWORD) and p != "self"]
    return named, any(v.kind == v.VAR_KEYWORD for v in params.values())


def _variant_parameters(variant, method):
    """The keyword arguments ``variant.<method>`` takes, following ``**kwargs`` up to the
    parent classes' methods of that name (a subclass passes the rest on), short of
    keras.Model's own (see KERAS_MODEL_ARGS and KERAS_COMPILE_ARGS)."""
    import keras

    params = []
    for cls in inspect.getmro(variant):
        if cls is keras.Model:
            break
        if method not in cls.__dict__:
            continue
        named, passes_on = _keyword_parameters(cls.__dict__[method])
        params += named
        if not passes_on:
            break
    return list(dict.fromkeys(params))


def _check_network(spec, path, problems):
    from keras_gans import networks

    if not isinstance(spec, dict):
        return  # a built network passed from Python
    name = spec.get("network")
    builder = getattr(networks, str(name), None)
    if builder is None or name not in networks.__all__:
        problems.append(f"{path}.network: unknown network {name!r}; known: "
                        f"{', '.join(networks.__all__)}.")
        return
    takes, passes_on = _keyword_parameters(builder)
    extra = ["network", "instance_noise"] if path.endswith("discriminator") else ["network"]
    for key in spec:
        if key not in extra and key not in takes and not passes_on:
            problems.append(_unknown(key, takes + extra[1:], f"{path}."))
    if "instance_noise" in extra and "instance_noise" in spec:
        _, problem = optional(number(minimum=0.0))(spec["instance_noise"])
        if problem:
            problems.append(f"{path}.instance_noise: {problem}.")


def _check_model(model, problems):
    import keras_gans as kg

    name = model.get("variant")
    if not name:
        problems.append("model.variant: the recipe names no model; add `model: {variant: "
                        "dcgan}` (one of " + ", ".join(sorted(kg.models.VARIANTS)) + ").")
        return None
    try:
        variant = kg.models.get(str(name))
    except ValueError as e:
        problems.append(f"model.variant: {e}")
        return None
    known = ["variant", *_variant_parameters(variant, "__init__"), *KERAS_MODEL_ARGS]
    for key in model:
        if key not in known:
            problems.append(_unknown(key, known, "model."))
    for role in ("generator", "discriminator"):
        if role in model:
            _check_network(model[role], f"model.{role}", problems)
    return variant


def _check_optimizers(optimizers, variant, problems):
    known = [*_variant_parameters(variant, "compile"), *KERAS_COMPILE_ARGS]
    for key, value in optimizers.items():
        if key.endswith("_optimizer"):
            if not (value is None or isinstance(value, (str, dict))):
                problems.append(f"optimizers.{key}: must be an optimizer name or a mapping "
                                f"such as {{name: adam, learning_rate: 2.0e-4}}; received "
                                f"{value!r}.")
            elif isinstance(value, dict) and not (value.get("name") or "class_name" in value):
                problems.append(f"optimizers.{key}: names no optimizer; add `name: adam` (or "
                                f"another keras optimizer).")
            elif isinstance(value, dict) and "learning_rate" in value:
                rate = _number_text(value["learning_rate"])
                if not isinstance(rate, dict) and (isinstance(rate, bool) or not isinstance(
                        rate, (int, float)) or rate <= 0):
                    problems.append(f"optimizers.{key}.learning_rate: must be a number > 0 or "
                                    f"a schedule mapping; received {value['learning_rate']!r}.")
        elif key not in known:
            problems.append(_unknown(key, known + ["<role>_optimizer"], "optimizers."))


def _check_data(data, problems):
    import keras_gans as kg

    if data.get("name") is None or any(data.get(k) is not None
                                       for k in ("unpaired", "super_resolution")):
        return  # unpaired, super-resolution and mixed data are checked by keras_gans.recipes
    loader = kg.data.load_semi_supervised if "labels_per_class" in data else kg.data.load
    known = ["name", *_keyword_parameters(loader)[0][1:]]
    for key in data:
        if key not in known:
            problems.append(_unknown(key, known, "data."))
    batch = data.get("batch_size")
    if batch is not None:
        _, problem = whole(minimum=1)(batch)
        if problem:
            problems.append(f"data.batch_size: {problem}.")


def resolve(recipe, source=None):
    """The recipe with its defaults filled in; raises one ``RecipeError`` listing every
    problem (``source``, the file, is named in it)."""
    if recipe is None:
        recipe = {}
    problems = []
    resolved = _resolve_section(recipe, "", problems)
    variant = _check_model(resolved["model"], problems)
    if variant is not None:
        _check_optimizers(resolved["optimizers"], variant, problems)
    _check_data(resolved["data"], problems)
    if problems:
        where = f"The recipe '{source}'" if source else "The recipe"
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        raise RecipeError(f"{where} has {count}; fix {'it' if len(problems) == 1 else 'them'} "
                          f"and run it again:\n  "
                          + "\n  ".join(problems))
    resolved["data"].setdefault("batch_size", 64)
    return resolved

