"""Checkpoints carry the compute of the training they hold (``keras_gans.training_clock``),
segment by segment across resumptions, and preset builds read it from the run."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import keras
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans import preset_builder, training_clock
from keras_gans.stop_signal import TrainingStopped

POINTS, _ = kg.data.toy.get("ring8").sample(160, seed=0)   # 10 batches of 16 per epoch


def _data():
    return tf.data.Dataset.from_tensor_slices(POINTS).batch(16)


def _gan():
    gan = kg.models.GAN(data_shape=(2,), latent_dim=2)
    gan.compile()
    return gan


class TermAt(keras.callbacks.Callback):
    def __init__(self, step):
        super().__init__()
        self.step = step

    def on_train_batch_end(self, batch, logs=None):
        if int(self.model.step_counter.numpy()) == self.step:
            signal.raise_signal(signal.SIGTERM)


def _compute(directory):
    return kg.callbacks.Checkpoint(str(directory)).latest()["compute"]


def test_each_resumption_adds_a_segment_and_keeps_the_earlier_ones(tmp_path):
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers need the main thread")
    with pytest.raises(TrainingStopped):
        kg.training.fit(_gan(), _data, 2, tmp_path, save_freq=5, keep=10, verbose=0,
                        callbacks=[TermAt(7)])
    first = _compute(tmp_path)
    assert [(s["from_step"], s["to_step"]) for s in first] == [(0, 8)]
    assert first[0]["wall_s"] > 0 and first[0]["cpu_s"] > 0
    assert first[0]["machine"] == training_clock.machine_description()
    assert first[0]["threads"] == training_clock.thread_description()
    # The checkpoint at step 5 holds the time to step 5 only.
    with open(tmp_path / "ckpt-00000005" / "state.json") as f:
        at_five = json.load(f)["compute"]
    assert at_five[0]["to_step"] == 5 and at_five[0]["wall_s"] <= first[0]["wall_s"]

    kg.training.fit(_gan(), _data, 2, tmp_path, save_freq=5, keep=10, verbose=0)
    both = _compute(tmp_path)
    assert both[0] == first[0]      # the segment the run resumed from, unchanged
    assert [(s["from_step"], s["to_step"]) for s in both] == [(0, 8), (8, 20)]
    timed = training_clock.summary(both)
    assert timed["wall_time_s"] == pytest.approx(sum(s["wall_s"] for s in both), abs=0.11)
    assert timed["cpu_time_s"] == pytest.approx(sum(s["cpu_s"] for s in both), abs=0.11)
    assert "2 segments" in timed["threads"] and "steps 8-20" in timed["threads"]


def test_a_checkpoint_from_before_the_clock_leaves_its_steps_unknown(tmp_path):
    kg.training.fit(_gan(), _data, 1, tmp_path, save_freq=100, verbose=0)
    state_path = tmp_path / "ckpt-00000010" / "state.json"
    state = json.loads(state_path.read_text())
    del state["compute"]                     # as written by keras-gans before the clock
    state_path.write_text(json.dumps(state))
    kg.training.fit(_gan(), _data, 2, tmp_path, save_freq=100, verbose=0)
    segments = _compute(tmp_path)
    assert segments[0] == {"from_step": 0, "to_step": 10, "wall_s": None, "cpu_s": None,
                           "machine": None, "threads": None}
    assert segments[1]["from_step"] == 10 and segments[1]["wall_s"] > 0
    assert training_clock.summary(segments) is None   # no made-up total


def _run_folder(tmp_path, segments):
    run = tmp_path / "run"
    (run / "checkpoints" / "ckpt-00000020").mkdir(parents=True)
    (run / "checkpoints" / "latest.json").write_text(json.dumps({"checkpoint": "ckpt-00000020"}))
    (run / "checkpoints" / "ckpt-00000020" / "state.json").write_text(json.dumps(
        {"epoch": 2, "batch": 0, "step": 20, "time": 0, "seed_states": [],
         "compute": segments}))
    (run / "recipe.yaml").write_text("seed: 0\n")
    (run / "model.keras").write_text("")
    return run


SEGMENTS = [{"from_step": 0, "to_step": 8, "wall_s": 100.0, "cpu_s": 90.0,
             "machine": "machine A", "threads": "threads A"},
            {"from_step": 8, "to_step": 20, "wall_s": 200.0, "cpu_s": 150.0,
             "machine": "machine B", "threads": "threads A"}]


def test_a_build_reads_the_compute_from_the_run_and_a_hand_record_wins(tmp_path):
    run = _run_folder(tmp_path, SEGMENTS)
    compute = preset_builder._run_compute(str(run))
    assert compute["wall_time_s"] == 300.0 and compute["cpu_time_s"] == 240.0
    assert compute["machine"] == "machine A; machine B"
    assert compute["segments"] == SEGMENTS
    metadata = {"compute": {**compute}}
    assert preset_builder._compute_text(metadata) == (
        "300 s wall time (240 CPU-seconds) on machine A; machine B")

    (run / "compute.json").write_text(json.dumps({"wall_time_s": 42, "machine": "by hand"}))
    compute = preset_builder._run_compute(str(run))
    assert compute["wall_time_s"] == 42 and "cpu_time_s" not in compute
    assert preset_builder._compute_text({"compute": compute}) == "42 s wall time on by hand"


def test_without_a_clock_a_build_falls_back_to_the_run_files_times(tmp_path):
    run = _run_folder(tmp_path, [{**SEGMENTS[0], "wall_s": None, "cpu_s": None}])
    os.utime(run / "recipe.yaml", (1000, 1000))
    os.utime(run / "model.keras", (1600, 1600))
    compute = preset_builder._run_compute(str(run))
    assert compute["wall_time_s"] == 600 and "cpu_time_s" not in compute


def test_steps_trained_before_the_checkpoints_began_are_not_timed_as_zero(tmp_path):
    gan = _gan()
    gan.fit(_data(), epochs=1, verbose=0)     # 10 steps no checkpoint saw
    kg.training.fit(gan, _data, 1, tmp_path, save_freq=100, verbose=0)
    segments = _compute(tmp_path)
    assert [(s["from_step"], s["to_step"], s["wall_s"]) for s in segments[:1]] == [
        (0, 10, None)]
    assert segments[1]["from_step"] == 10 and segments[1]["to_step"] == 20


def test_a_clock_from_an_earlier_moment_counts_the_setup(tmp_path):
    # As `keras-gans train` does from the process's start: five seconds of setting up.
    earlier = (time.monotonic() - 5.0, time.process_time() - 1.0)
    kg.training.fit(_gan(), _data, 1, tmp_path, save_freq=100, verbose=0, clock_from=earlier)
    (segment,) = _compute(tmp_path)
    assert segment["setup_s"] >= 5.0 and segment["wall_s"] > segment["setup_s"]
    assert segment["cpu_s"] >= 1.0
    # Without it, the segment starts at the first fit(): no setup.
    kg.training.fit(_gan(), _data, 2, tmp_path, save_freq=100, verbose=0)
    assert _compute(tmp_path)[1]["setup_s"] == 0.0


def test_process_start_is_when_the_process_began():
    if not os.path.exists("/proc/self/stat"):
        pytest.skip("process_start() reads Linux's /proc; elsewhere it is now()")
    # A fresh process that waits a second and computes for 0.3 s of CPU before asking: the
    # module alone, without TensorFlow, so that these are most of its life. Both count.
    code = ("import importlib.util, time\n"
            "time.sleep(1.0)\n"
            "while time.process_time() < 0.3:\n"
            "    pass\n"
            "spec = importlib.util.spec_from_file_location('clock', "
            f"{training_clock.__file__!r})\n"
            "clock = importlib.util.module_from_spec(spec)\n"
            "spec.loader.exec_module(clock)\n"
            "wall, cpu = clock.process_start()\n"
            "print(time.monotonic() - wall, time.process_time() - cpu)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    running, computed = float(out[0]), float(out[1])
    assert 1.25 <= running < 10.0 and computed >= 0.3   # /proc ticks are 0.01 s
