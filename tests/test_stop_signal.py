"""SIGTERM or Ctrl-C during ``kg.training.fit`` stops the run after the step under way with
a checkpoint there, from which the same call resumes; a second signal stops at once."""

import os
import signal
import sys
import threading

import keras
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans.stop_signal import TrainingStopped

POINTS, _ = kg.data.toy.get("ring8").sample(160, seed=0)   # 10 batches of 16 per epoch


@pytest.fixture
def main_thread():
    """Signal handlers can only be set from the main thread; elsewhere the signals raised
    here would end the test process."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers need the main thread")


def _data():
    return tf.data.Dataset.from_tensor_slices(POINTS).batch(16)


class SignalAt(keras.callbacks.Callback):
    def __init__(self, step, *signals):
        super().__init__()
        self.step, self.signals = step, signals

    def on_train_batch_end(self, batch, logs=None):
        if int(self.model.step_counter.numpy()) == self.step:
            for s in self.signals:
                signal.raise_signal(s)


def _gan():
    gan = kg.models.GAN(data_shape=(2,), latent_dim=2)
    gan.compile()
    return gan


def test_sigterm_checkpoints_the_next_step_and_the_run_resumes_from_it(tmp_path, main_thread):
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(TrainingStopped, match=r"Stopped by SIGTERM at step 4; .*ckpt-00000004"):
        kg.training.fit(_gan(), _data, 2, tmp_path, save_freq=100, verbose=0,
                        callbacks=[SignalAt(3, signal.SIGTERM)])
    assert signal.getsignal(signal.SIGTERM) is before
    checkpoint = kg.callbacks.Checkpoint(str(tmp_path))
    assert checkpoint.latest()["step"] == 4 and checkpoint.latest()["batch"] == 4
    gan = _gan()
    resumed = kg.training.fit(gan, _data, 2, tmp_path, save_freq=100, verbose=0)
    assert resumed.restored["step"] == 4
    assert int(gan.step_counter.numpy()) == 20


def test_a_run_resumed_at_an_odd_step_checkpoints_on_the_same_steps_and_at_its_end(
        tmp_path, main_thread):
    with pytest.raises(TrainingStopped, match=r"at step 5;"):
        kg.training.fit(_gan(), _data, 2, tmp_path, save_freq=3, keep=10, verbose=0,
                        callbacks=[SignalAt(4, signal.SIGTERM)])
    kg.training.fit(_gan(), _data, 2, tmp_path, save_freq=3, keep=10, verbose=0)
    # every 3 steps of the run, not of each fit() call (5 + 3 = 8, ...), and at step 20
    assert sorted(d for d in os.listdir(tmp_path) if d.startswith("ckpt-")) == [
        f"ckpt-{step:08d}" for step in (3, 5, 6, 9, 12, 15, 18, 20)]
    assert kg.callbacks.Checkpoint(str(tmp_path)).latest()["step"] == 20


def test_checkpointing_reads_the_step_counter_only_near_a_save(tmp_path, monkeypatch):
    # Reading the counter waits for the device to finish the step; once per batch would
    # serialise a GPU run.
    reads = []

    def counted(model):
        reads.append(int(model.step_counter.numpy()))
        return reads[-1]

    monkeypatch.setattr(kg.callbacks, "_global_step", counted)
    kg.training.fit(_gan(), _data, 4, tmp_path, save_freq=10, keep=10, verbose=0)
    assert sorted(d for d in os.listdir(tmp_path) if d.startswith("ckpt-")) == [
        f"ckpt-{step:08d}" for step in (10, 20, 30, 40)]
    # One read before the first step (where the training clock starts; nothing is in
    # flight to wait for), then at most 10 in 40 batches.
    assert reads[0] == 0 and len(reads) - 1 <= 10, reads


def test_a_second_signal_stops_at_once(tmp_path, main_thread):
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            kg.training.fit(_gan(), _data, 1, tmp_path, save_freq=100, verbose=0,
                            callbacks=[SignalAt(2, signal.SIGINT, signal.SIGINT)])
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        assert kg.callbacks.Checkpoint(str(tmp_path)).latest() is None
    finally:
        signal.signal(signal.SIGINT, previous)


def test_the_command_says_how_to_resume_and_exits_as_a_terminated_process(
        tmp_path, monkeypatch, capsys):
    from keras_gans import cli, recipes

    clocks = []

    def stopped(recipe, out, verbose=1, clock_from=None):
        clocks.append(clock_from)
        raise TrainingStopped("Stopped by SIGTERM at step 4; the last checkpoint is X. Run "
                              "the same command to resume from it.")

    monkeypatch.setattr(recipes, "run", stopped)
    command = ["train", "gan", "--dataset", "ring8", "--out", str(tmp_path)]
    assert cli.main(command) == 143
    assert "Run the same command to resume" in capsys.readouterr().err
    # As the command (no argv: sys.argv), the run is timed from the process's start, long
    # before this test; called from Python, from the call.
    monkeypatch.setattr(sys, "argv", ["keras-gans"] + command)
    assert cli.main() == 143
    called, command_line = clocks
    assert command_line[0] < called[0] - 1.0


def test_a_resumed_run_numbers_its_epochs_out_of_the_runs_total(tmp_path, main_thread, capsys):
    with pytest.raises(TrainingStopped):
        kg.training.fit(_gan(), _data, 3, tmp_path, save_freq=100, verbose=0,
                        callbacks=[SignalAt(13, signal.SIGTERM)])
    capsys.readouterr()
    kg.training.fit(_gan(), _data, 3, tmp_path, save_freq=100, verbose=2)
    epochs = [line for line in capsys.readouterr().out.splitlines()
              if line.startswith("Epoch ")]
    # the rest of epoch 2 (its own fit call), then epoch 3; not "Epoch 2/2"
    assert epochs == ["Epoch 2/3", "Epoch 3/3"]
