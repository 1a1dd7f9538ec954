import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg

SCRIPTS = os.path.join(os.path.dirname(__file__), "scripts")


def _finish(procs, timeout):
    """Wait for processes started together; (stdout, stderr) of each, all killed on error."""
    try:
        outputs = [p.communicate(timeout=timeout) for p in procs]
    finally:
        for p in procs:
            p.kill()
    for p, (_, err) in zip(procs, outputs):
        assert p.returncode == 0, err[-3000:]
    return outputs


def test_mirrored_training_matches_one_device():
    # Every variant (tests/scripts/mirrored_equivalence.py lists the cases and what each
    # exercises) on two logical CPUs against one device, same global batches: the same
    # weights and state, and the same logged metrics (reduced over the replicas).
    # The cases are shared between two processes that run at once (each traces its own).
    shards = 2
    procs = [subprocess.Popen([sys.executable, os.path.join(SCRIPTS, "mirrored_equivalence.py"),
                               "all", f"{shard}/{shards}"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for shard in range(shards)]
    report = {}
    for out, _ in _finish(procs, timeout=900):
        part = json.loads(out.strip().splitlines()[-1])
        assert not set(part) & set(report), sorted(part)
        report.update(part)
    assert set(report) >= {v for v in kg.models.VARIANTS}, sorted(report)
    for variant, r in report.items():
        assert r["max_weight_change"] > 1e-3, variant  # training really moved the weights
        # ... every network of it, on one device and mirrored (a maximum over all weights
        # would hide a player that never moves); SRResNet has one player.
        assert len(r["network_changes"]) >= min(2, r["player_networks"]), (
            variant, r["network_changes"])
        for name, change in r["network_changes"].items():
            assert change > 1e-6, (variant, name, "did not move on one device")
            assert r["mirrored_network_changes"][name] > 1e-6, (variant, name, "mirrored")
        assert r["max_abs_diff"] < 1e-5, (variant, r)
        assert set(r["logs"]) == set(r["mirrored_logs"]), variant
        for name, value in r["logs"].items():
            np.testing.assert_allclose(r["mirrored_logs"][name], value, rtol=1e-5, atol=1e-6,
                                       err_msg=f"{variant}: {name}")


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_two_workers_on_localhost_match_one_device_and_train_every_network(tmp_path):
    """Two workers (MultiWorkerMirroredStrategy over localhost) against the same training
    on one device: every final weight of each worker equals the one-device run's, and each
    network moved. Comparing the workers with each other alone would pass if the
    all-reduce agreed on a wrong update, or if nothing trained."""
    ports = _free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    script = os.path.join(SCRIPTS, "multi_worker.py")
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    procs = [subprocess.Popen([sys.executable, script, str(tmp_path / "one_device.npz"),
                               "--one-device"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)]
    for index in range(2):
        worker_env = dict(env, TF_CONFIG=json.dumps(
            {"cluster": cluster, "task": {"type": "worker", "index": index}}))
        procs.append(subprocess.Popen(
            [sys.executable, script, str(tmp_path / f"worker{index}.npz")],
            env=worker_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    _finish(procs, timeout=300)
    reference = np.load(tmp_path / "one_device.npz")
    workers = [np.load(tmp_path / f"worker{i}.npz") for i in range(2)]
    weights = [k for k in reference.files if k.startswith("weights/")]
    assert weights
    for w in workers:
        assert sorted(w.files) == sorted(reference.files)
        for key in reference.files:
            if not key.startswith("initial/"):
                np.testing.assert_allclose(w[key], reference[key], rtol=1e-5, atol=1e-5,
                                           err_msg=key)
    for network in ("generator", "discriminator"):
        keys = [k for k in reference.files if k.startswith(f"final/{network}/")]
        assert keys, network
        change = max(float(np.abs(reference[k] - reference[k.replace("final/", "initial/")])
                           .max()) for k in keys)
        assert change > 1e-4, f"{network} did not move"


def test_default_strategy_on_one_cpu():
    strategy = kg.distribute.get_strategy()
    assert strategy.num_replicas_in_sync == 1
    assert kg.distribute.get_strategy("default") is tf.distribute.get_strategy()


def test_unknown_kind_and_bad_tf_config(monkeypatch):
    with pytest.raises(ValueError, match="Unknown strategy kind 'gpu'"):
        kg.distribute.get_strategy("gpu")
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ValueError, match="TF_CONFIG is not valid JSON"):
        kg.distribute.get_strategy("default") and kg.distribute._tf_config_workers()


def test_replica_random_on_one_device_is_the_draw():
    values = kg.distribute.replica_random(lambda n: tf.range(n), 5)
    np.testing.assert_array_equal(values, np.arange(5))


def test_cross_replica_helpers_on_one_device_are_the_identity():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    for helper in (kg.distribute.global_mean, kg.distribute.global_sum,
                   kg.distribute.gather_global_batch):
        np.testing.assert_array_equal(helper(x), x)
    np.testing.assert_array_equal(kg.distribute.replica_share(x, 1), x)
