"""benchmarks/throughput.py times the training loop inside ``fit``, not what ``fit`` does
around it (the deletion of an autotuned tf.data iterator can stall for seconds there)."""

import os
import sys

import numpy as np
import tensorflow as tf

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
import throughput  # noqa: E402


class _Clock:
    """A clock that moves only when told to."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_timer_runs_from_the_first_batch_to_the_end_of_training():
    clock = _Clock()
    timer = throughput.training_loop_timer(clock)
    clock.now = 5.0                     # before the loop: tracing, iterator set-up
    timer.on_train_begin()
    clock.now = 7.0
    timer.on_train_batch_begin(0)
    clock.now = 9.0
    timer.on_train_batch_begin(1)       # later batches do not restart it
    clock.now = 10.5
    timer.on_train_end()
    clock.now = 30.0                    # after the loop: an iterator's deletion
    assert timer.seconds == 3.5


def test_measure_reports_the_loop_rate_and_the_whole_fit_rate():
    result = throughput.measure("dcgan", False, 8, (8, 8, 1), steps=2, repeats=2,
                                latent_dim=4, strategy=tf.distribute.get_strategy())
    assert len(result["train_rates"]) == len(result["whole_fit_rates"]) == 2
    for loop, whole in zip(result["train_rates"], result["whole_fit_rates"]):
        assert loop >= whole > 0          # the loop is a part of the fit call
    assert result["train_images_per_s"] == float(np.median(result["train_rates"]))
