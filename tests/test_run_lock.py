"""One run at a time in a run folder: a second trainer is refused with the holder's pid
and host, and the lock of a process killed with SIGKILL is taken over."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from keras_gans import cli, run_lock

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Loads run_lock.py alone (no TensorFlow), takes the lock and waits.
HOLDER = """
import importlib.util, sys, time
spec = importlib.util.spec_from_file_location("run_lock", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
lock = module.RunFolderLock(sys.argv[2]).acquire()  # held while referenced
print("locked", flush=True)
time.sleep(120)
"""


@pytest.fixture
def holder(tmp_path):
    folder = tmp_path / "run"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, os.path.join(ROOT, "keras_gans", "run_lock.py"),
         str(folder)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "locked"
        yield folder, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def test_a_second_run_is_refused_naming_the_holder_then_takes_over_a_dead_ones_lock(
        holder, capsys):
    folder, process = holder
    with pytest.raises(run_lock.RunFolderLocked,
                       match=rf"in use by process {process.pid} on host "
                             rf"{socket.gethostname()}.*another --out"):
        run_lock.RunFolderLock(str(folder)).acquire()

    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    lock = run_lock.RunFolderLock(str(folder)).acquire()
    assert lock.previous_owner["pid"] == process.pid
    assert f"from process {process.pid}" in capsys.readouterr().out
    assert json.loads((folder / run_lock.LOCK_NAME).read_text())["pid"] == os.getpid()
    lock.release()
    assert (folder / run_lock.LOCK_NAME).read_text() == ""  # released, not stale
    with run_lock.RunFolderLock(str(folder)) as again:
        assert again.previous_owner is None


def test_the_command_line_refuses_to_train_into_a_locked_folder(holder, tmp_path, capsys):
    folder, process = holder
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("model: {variant: gan, latent_dim: 2}\n"
                      "data: {name: ring8, num_examples: 64, batch_size: 32}\n")
    start = time.time()
    code = cli.main(["train", "--recipe", str(recipe), "--out", str(folder), "--verbose", "0"])
    assert code == 2 and time.time() - start < 30
    assert f"process {process.pid}" in capsys.readouterr().err
    assert sorted(os.listdir(folder)) == [run_lock.LOCK_NAME]  # nothing written
