"""A run killed with SIGKILL mid-epoch and started again ends with exactly the weights of an
uninterrupted run."""

import json
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

RECIPE = """
seed: 3
deterministic: true
model: {variant: gan, latent_dim: 8}
data: {name: digits, batch_size: 64, drop_remainder: true}
optimizers:
  d_optimizer: {name: adam, learning_rate: 1.0e-3, beta_1: 0.5}
  g_optimizer: {name: adam, learning_rate: 1.0e-3, beta_1: 0.5}
schedule: {epochs: 3, steps_per_epoch: null}
callbacks:
  sample_grid: null
  ema: {decay: 0.9, start_step: 5}
  checkpoint: {every: 7}
"""  # digits: 1,797 // 64 = 28 batches per epoch; checkpoints every 7 batches


def _command(recipe, out):
    return [sys.executable, "-m", "keras_gans.cli", "train", "--recipe", str(recipe),
            "--out", str(out), "--verbose", "0"]


def _env():
    env = dict(os.environ, PYTHONPATH=ROOT, CUDA_VISIBLE_DEVICES="",
               TF_CPP_MIN_LOG_LEVEL="3")
    return env


def _weights(path):
    out = {}
    with h5py.File(path) as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
    return out


def _final_checkpoint(out):
    with open(out / "checkpoints" / "latest.json") as f:
        name = json.load(f)["checkpoint"]
    with open(out / "checkpoints" / name / "state.json") as f:
        state = json.load(f)
    return _weights(out / "checkpoints" / name / "model.weights.h5"), state


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("resume")
    recipe = root / "recipe.yaml"
    recipe.write_text(RECIPE)
    whole, cut = root / "whole", root / "cut"
    # Uninterrupted run, and in parallel a run that is killed once it has checkpointed
    # mid-epoch (after step 7, 14 or 21 of epoch 1), then resumed.
    first = subprocess.Popen(_command(recipe, whole), cwd=ROOT, env=_env(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    victim = subprocess.Popen(_command(recipe, cut), cwd=ROOT, env=_env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    pointer = cut / "checkpoints" / "latest.json"
    deadline = time.time() + 240
    while not pointer.exists() and victim.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    assert victim.returncode == -signal.SIGKILL, victim.stderr.read().decode()[-2000:]
    killed_state = json.loads((cut / "checkpoints" / json.loads(pointer.read_text())[
        "checkpoint"] / "state.json").read_text())
    resumed = subprocess.run(_command(recipe, cut), cwd=ROOT, env=_env(), capture_output=True,
                             text=True, timeout=300)
    assert first.wait(timeout=300) == 0
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    return whole, cut, killed_state, resumed.stdout


def test_killed_run_was_interrupted_mid_epoch(runs):
    _, _, killed, stdout = runs
    assert killed["step"] < 3 * 28 and killed["batch"] != 0
    assert f"(step {killed['step']})" in stdout


def test_resumed_run_matches_the_uninterrupted_one_exactly(runs):
    whole, cut, _, _ = runs
    a, state_a = _final_checkpoint(whole)
    b, state_b = _final_checkpoint(cut)
    assert state_a["step"] == state_b["step"] == 3 * 28 and state_a["epoch"] == 3
    assert state_a["seed_states"] == state_b["seed_states"]
    assert sorted(a) == sorted(b)
    assert any(k.startswith("ema_generator") for k in a)
    assert any(k.startswith("d_optimizer") for k in a) and any("g_optimizer" in k for k in a)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_history_covers_every_epoch_once(runs):
    _, cut, _, _ = runs
    rows = json.loads((cut / "history.json").read_text())["epochs"]
    assert [r["epoch"] for r in rows] == [1, 2, 3]
    assert [r["step"] for r in rows] == [28, 56, 84]
