"""Golden outputs of every zoo preset: what an unchanged preset draws must not change.

For each preset in zoo/index.yaml the test loads it and runs its task on a fixed input:
``generate(4, seed=0)`` for noise models (CGAN: labels 0-3 in turn; tabular models: the
transformed rows), the task method on a small deterministic image batch for
image-to-image presets (``_image_input``). It compares the output's shape, mean, mean
absolute value and 16 values at evenly spaced positions with the values recorded in
``tests/golden/preset_outputs.json`` (tolerance 1e-5).

The recorded values are outputs of the code at the time they were written: they are the
reference, not a derivation. A change that alters what a preset draws (a layer's
arithmetic, the latent sampling, the weight loading, the label order) fails here. When
such a change is deliberate, re-record and say why in the commit:

    python -m tests.test_preset_outputs --record
"""

import json
import os
import sys

import numpy as np
import pytest

import keras_gans as kg
from keras_gans import presets, tasks

GOLDEN = os.path.join(os.path.dirname(__file__), "golden", "preset_outputs.json")
ATOL = 1e-5
NUM_PICKS = 16


def _image_input(shape, n=2):
    """A deterministic batch of smooth images in [-0.9, 0.9] of ``shape`` (h, w, c)."""
    h, w, c = shape
    i, r, s, ch = np.meshgrid(np.arange(n), np.arange(h), np.arange(w), np.arange(c),
                              indexing="ij")
    return (0.9 * np.sin(0.37 * (r + 1) * (i + 1) + 0.23 * s * (ch + 1) + ch)).astype("float32")


def preset_output(name):
    """The preset's output on its fixed input, as a float64 numpy array."""
    model = kg.load(name)
    task = tasks.task_of(model)
    if task == tasks.GENERATE:
        return np.asarray(model.generate(4, seed=0), "float64")
    inputs = _image_input(tasks.input_shape(model))
    if task == "translate":
        # Both directions: X -> Y on the input, Y -> X on the same images.
        return np.concatenate([np.asarray(model.translate(inputs, d), "float64").ravel()
                               for d in ("x2y", "y2x")])
    return np.asarray(tasks.apply(model, inputs), "float64")


def summary(output):
    flat = output.ravel()
    picks = np.linspace(0, flat.size - 1, NUM_PICKS).round().astype(int)
    return {"shape": list(output.shape), "mean": float(flat.mean()),
            "mean_abs": float(np.abs(flat).mean()), "picks": [int(p) for p in picks],
            "values": [float(v) for v in flat[picks]]}


def _golden():
    with open(GOLDEN) as f:
        return json.load(f)


def test_every_preset_in_the_index_has_golden_values():
    """Catches a preset added to the zoo without recorded outputs (or a stale entry)."""
    assert sorted(_golden()["presets"]) == sorted(presets.list_models())


@pytest.mark.parametrize("name", sorted(presets.list_models()))
def test_preset_output_matches_its_golden_values(name):
    """Catches a code change that alters what an unchanged preset draws or computes."""
    want = _golden()["presets"][name]
    got = summary(preset_output(name))
    assert got["shape"] == want["shape"], name
    assert got["picks"] == want["picks"]
    np.testing.assert_allclose(got["values"], want["values"], rtol=0, atol=ATOL, err_msg=name)
    np.testing.assert_allclose([got["mean"], got["mean_abs"]], [want["mean"], want["mean_abs"]],
                               rtol=0, atol=ATOL, err_msg=name)


def record():
    out = {"about": "Outputs of each zoo preset on its fixed input (tests/test_preset_outputs.py)"
                    ", recorded from the code of the commit that wrote this file. Regenerate "
                    "deliberately with: python -m tests.test_preset_outputs --record",
           "presets": {name: summary(preset_output(name)) for name in sorted(presets.list_models())}}
    os.makedirs(os.path.dirname(GOLDEN), exist_ok=True)
    names = sorted(out["presets"])
    lines = ["{", f' "about": {json.dumps(out["about"])},', ' "presets": {']
    lines += [f'  {json.dumps(n)}: {json.dumps(out["presets"][n], sort_keys=True)}'
              + ("," if i < len(names) - 1 else "") for i, n in enumerate(names)]
    with open(GOLDEN, "w") as f:
        f.write("\n".join(lines + [" }", "}"]) + "\n")
    print(f"wrote {GOLDEN} ({len(out['presets'])} presets)")


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit(__doc__)
    record()
