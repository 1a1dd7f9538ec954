"""Choosing a tf.distribute strategy, and random numbers that respect replicas.

The one-line change for more devices::

    strategy = kg.distribute.get_strategy()
    with strategy.scope():
        gan = kg.models.DCGAN(data_shape=(64, 64, 3))
        gan.compile()
    gan.fit(dataset)   # a dataset of *global* batches; Keras splits each across replicas
"""

import contextlib
import json
import logging
import os
import threading

import tensorflow as tf

logger = logging.getLogger("keras_gans")

KINDS = ("auto", "tpu", "multi_worker", "mirrored", "default")


def _tf_config_workers():
    try:
        cluster = json.loads(os.environ.get("TF_CONFIG", "{}")).get("cluster", {})
    except ValueError as e:
        raise ValueError(f"TF_CONFIG is not valid JSON ({e}); fix or unset it.") from None
    return len(cluster.get("worker", [])) + len(cluster.get("chief", []))


def _tpu_strategy():
    resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    return tf.distribute.TPUStrategy(resolver)


def get_strategy(kind="auto"):
    """A strategy for the hardware at hand; logs (and returns) what it chose.

    ``kind="auto"`` picks, in order: a TPU when one is reachable; several machines when
    ``TF_CONFIG`` names more than one worker (``MultiWorkerMirroredStrategy``); several
    local GPUs (``MirroredStrategy``); otherwise the default strategy (one device).
    Name a kind (``"tpu"``, ``"multi_worker"``, ``"mirrored"``, ``"default"``) to insist.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown strategy kind {kind!r}; choose one of {', '.join(KINDS)}.")
    strategy = None
    if kind in ("auto", "tpu"):
        try:
            strategy = _tpu_strategy()
        except (ValueError, RuntimeError, tf.errors.OpError) as e:
            if kind == "tpu":
                raise RuntimeError(f"No TPU is reachable ({e}). On Colab, choose a TPU runtime; "
                                   f"elsewhere set TPU_NAME, or use kind='auto'.") from e
    if strategy is None and (kind == "multi_worker" or
                             (kind == "auto" and _tf_config_workers() > 1)):
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
    if strategy is None and kind in ("auto", "mirrored"):
        gpus = tf.config.list_logical_devices("GPU")
        if kind == "mirrored" or len(gpus) > 1:
            strategy = tf.distribute.MirroredStrategy()
    if strategy is None:
        strategy = tf.distribute.get_strategy()
    logger.info("keras_gans: using %s with %d replica(s)", type(strategy).__name__,
                strategy.num_replicas_in_sync)
    return strategy


def num_replicas():
    return tf.distribute.get_strategy().num_replicas_in_sync


def scale_loss_for_replicas(loss):
    """Keras sums gradients over replicas, so each replica's mean loss is divided by the
    replica count: the gradient is then that of the mean over the global batch."""
    replicas = num_replicas()
    return loss / replicas if replicas > 1 else loss


# Per thread: MirroredStrategy traces each replica's step in a thread of its own, and
# replicas must make the same collective calls in the same order.
_scopes = threading.local()


@contextlib.contextmanager
def unequal_shares():
    """Within this scope, ``replica_random`` lets replicas hold different numbers of rows
    (those a mask kept from their equal shares, say): it then lays the global batch out
    as the replicas' rows in replica order, as ``gather_global_batch`` does, which costs
    a collective per draw. Outside it, shares are taken to be equal and need none (a
    collective may not run inside ``tf.cond``, where some models draw)."""
    depth = getattr(_scopes, "unequal_shares", 0)
    _scopes.unequal_shares = depth + 1
    try:
        yield
    finally:
        _scopes.unequal_shares = depth


def replica_random(draw, local_batch_size):
    """Per-example random values for this replica's share of the global batch.

    ``draw(n)`` must return ``n`` rows from a seed that all replicas share. Every replica
    draws the rows for the whole global batch and keeps its own slice, so the values
    differ between replicas yet the global batch gets exactly the values a single device
    would draw: training on N replicas matches training on one. Shares are equal unless
    the call runs within ``unequal_shares()``.
    """
    context = _replica_context()
    if context is None:
        return draw(local_batch_size)
    if not getattr(_scopes, "unequal_shares", 0):
        return replica_share(draw(local_batch_size * num_replicas()), local_batch_size)
    sizes = context.all_gather(tf.reshape(tf.cast(local_batch_size, tf.int32), [1]), axis=0)
    start = tf.reduce_sum(sizes[:context.replica_id_in_sync_group])
    return draw(tf.reduce_sum(sizes))[start:start + local_batch_size]


def _replica_context():
    """The replica context of a step running on several replicas, else None (one replica,
    or cross-replica context, where a tensor already holds the whole batch)."""
    if num_replicas() == 1:
        return None
    return tf.distribute.get_replica_context()


def global_mean(value):
    """The mean over replicas of a per-replica statistic of equal-sized replica batches,
    e.g. ``global_mean(tf.reduce_mean(x, axis=0))`` is the mean over the global batch; every
    replica gets the same value. Differentiable (the gradient of an all-mean is an
    all-mean). On one replica it is ``value``."""
    context = _replica_context()
    return value if context is None else context.all_reduce("MEAN", value)


def global_sum(value):
    """The sum over replicas of a per-replica value (e.g. a count); ``value`` on one."""
    context = _replica_context()
    return value if context is None else context.all_reduce("SUM", value)


def gather_global_batch(values):
    """The global batch, every replica's share concatenated in replica order along axis 0,
    as one device would see it. Differentiable: the gradient of the gathered batch flows
    back to each replica's share. On one replica it is ``values``."""
    context = _replica_context()
    return values if context is None else context.all_gather(values, axis=0)


def replica_share(global_values, local_batch_size):
    """This replica's rows of a tensor computed for the whole global batch (the inverse of
    ``gather_global_batch``)."""
    context = _replica_context()
    if context is None:
        return global_values
    index = context.replica_id_in_sync_group
    return global_values[index * local_batch_size:(index + 1) * local_batch_size]


def logs_for_keras(logs):
    """Work around Keras 3 reducing scalar step logs with ``reduce(MEAN, axis=0)`` under
    MultiWorkerMirroredStrategy ("Invalid reduction dimension 0 for input with 0
    dimensions"): give each value a leading axis of one there; the reduction removes it."""
    strategy = tf.distribute.get_strategy()
    if (isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            and strategy.extended._in_multi_worker_mode()):
        return {name: tf.reshape(value, [1]) for name, value in logs.items()}
    return logs
