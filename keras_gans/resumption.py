"""What a resumed run may change, the identity of a run, and the record of changes.

A run folder holds one run of one recipe. Running a recipe again on the folder resumes
it, and the recipe may then differ from the saved one only where a resumption can honour
it without pretending that the earlier steps were trained differently: the schedule's
length, the optimizers' learning rates (the divergence guard's advice), the arithmetic's
precision and the callbacks that only observe or save. Each such change is recorded in
the run's ``history.json`` (``recipe_changes``). Anything else is another run, refused.

Checkpoints carry the run's identity (``identity``: a hash of the recipe without the
resumable fields, and its seed), so that a checkpoint of another run is never resumed.
"""

import copy
import hashlib
import json
import os
import time

# Dotted paths (``*`` matches one key) under which a resumed run may change the recipe.
RESUMABLE_CHANGES = (
    "schedule.epochs",
    "precision",          # the variables, and so the checkpoints, are float32 in every policy
    "optimizers.*.learning_rate",
    "callbacks.sample_grid",
    "callbacks.checkpoint",
    "callbacks.tensorboard",
    "callbacks.divergence_guard",
    "callbacks.evaluation",
    "callbacks.ema.decay",
    "callbacks.ema.start_step",
    "callbacks.ema.rampup",
    "callbacks.ema.count_source_steps",
)


def _leaves(node, prefix=()):
    """``{path tuple: value}`` of every non-mapping value (an empty mapping is a leaf)."""
    if isinstance(node, dict) and node:
        out = {}
        for key, value in node.items():
            out.update(_leaves(value, prefix + (str(key),)))
        return out
    return {prefix: node}


def _resumable(path):
    for pattern in RESUMABLE_CHANGES:
        parts = pattern.split(".")
        if len(path) >= len(parts) and all(p in ("*", k) for p, k in zip(parts, path)):
            return True
    return False


def _learning_rate_kind(recipe, optimizer):
    spec = (recipe.get("optimizers") or {}).get(optimizer)
    rate = spec.get("learning_rate") if isinstance(spec, dict) else None
    return "schedule" if isinstance(rate, dict) else "number"


def changes(previous, recipe):
    """``(allowed, refused)``: ``allowed`` maps each changed resumable field (dotted) to
    ``[old, new]``; ``refused`` lists the changed fields a resumption cannot take."""
    old, new = _leaves(previous), _leaves(recipe)
    allowed, refused = {}, []
    for path in sorted(set(old) | set(new)):
        if old.get(path, "<absent>") == new.get(path, "<absent>"):
            continue
        dotted = ".".join(path)
        kind_changed = (path[:1] == ("optimizers",) and len(path) > 2
                        and path[2] == "learning_rate"
                        and _learning_rate_kind(previous, path[1])
                        != _learning_rate_kind(recipe, path[1]))
        if _resumable(path) and not kind_changed:
            allowed[dotted] = [old.get(path), new.get(path)]
        else:
            refused.append(dotted + (" (a number and a schedule keep different optimizer "
                                     "state)" if kind_changed else ""))
    return allowed, refused


def comparable(recipe):
    """The recipe without its resumable fields: what must match for a run to resume."""
    return {".".join(path): value for path, value in _leaves(copy.deepcopy(recipe)).items()
            if not _resumable(path)}


def identity(recipe):
    """``{"recipe": hash, "seed": seed}``: what checkpoints of this run record."""
    text = json.dumps(comparable(recipe), sort_keys=True, default=str)
    return {"recipe": hashlib.sha256(text.encode()).hexdigest()[:16],
            "seed": recipe.get("seed")}


def record(folder, allowed, checkpoint=None, step=None):
    """Append the changes of a resumption to ``folder/history.json``'s
    ``recipe_changes``: when, from which ``checkpoint`` and at which ``step`` (the first
    step trained under them)."""
    path = os.path.join(folder, "history.json")
    history = {"epochs": []}
    if os.path.exists(path):
        with open(path) as f:
            history = json.load(f)
    history.setdefault("recipe_changes", []).append(
        {"time": time.strftime("%Y-%m-%d %H:%M:%S"), "resumed_from": checkpoint,
         "step": step, "changes": allowed})
    with open(path + ".tmp", "w") as f:
        json.dump(history, f, indent=1, default=str)
    os.replace(path + ".tmp", path)


def describe(refused):
    return (f"{', '.join(refused)} differ; a resumed run may change only "
            f"{', '.join(p.replace('*', '<role>_optimizer') for p in RESUMABLE_CHANGES)}")
