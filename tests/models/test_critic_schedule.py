"""``compile(critic_schedule=...)``: more discriminator updates before some generator
updates (the WGAN paper's 100 before each of the first 25 and every 500th)."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.critic_schedule import CriticSchedule


def counted(schedule, g, d_steps):
    """Discriminator updates before generator updates 0 .. g-1, counted one by one."""
    boosted = lambda i: i < schedule.first or (   # noqa: E731
        schedule.every is not None and i % schedule.every == 0)
    return sum(schedule.updates if boosted(i) else d_steps for i in range(g))


@pytest.mark.parametrize("schedule,d_steps", [
    (CriticSchedule(100, 25, 500), 5), (CriticSchedule(10, 0, 3), 2),
    (CriticSchedule(6, 4, None), 3), (CriticSchedule(4, 7, 7), 1), (CriticSchedule(8, 1, 1), 4)])
def test_the_closed_form_count_matches_counting_one_by_one(schedule, d_steps):
    for g in [*range(0, 40), 499, 500, 501, 502, 1000, 1001, 1501]:
        assert int(schedule.updates_through(g, d_steps)) == counted(schedule, g, d_steps), g


def toy_wgan(schedule, d_steps):
    gan = kg.models.WGAN(data_shape=(2,), latent_dim=2)
    gan.compile(d_steps=d_steps, critic_schedule=schedule, jit_compile=False)
    return gan


def generator_updates_after(schedule, d_updates, d_steps):
    """How many generator updates the schedule allows after ``d_updates`` critic ones."""
    g = 0
    while counted(schedule, g + 1, d_steps) <= d_updates:
        g += 1
    return g


@pytest.mark.parametrize("d_steps", [1, 2])
def test_fit_updates_the_generator_only_when_its_count_is_reached(d_steps):
    schedule = CriticSchedule(updates=4, first=2, every=3)
    gan = toy_wgan(schedule, d_steps)
    data = np.random.default_rng(0).normal(size=(8 * 31, 2)).astype("float32")
    g_before = [w.copy() for w in gan.generator.get_weights()]
    gan.fit(data, batch_size=8, epochs=1, verbose=0)
    d_updates = 31 * d_steps
    assert int(gan.d_optimizer.iterations) == d_updates
    expected = generator_updates_after(schedule, d_updates, d_steps)
    assert 0 < expected < 31
    assert int(gan.g_optimizer.iterations) == expected
    assert any(not np.allclose(a, b) for a, b in zip(g_before, gan.generator.get_weights()))


def test_no_generator_update_before_the_first_boost_is_done():
    gan = toy_wgan({"updates": 6, "first": 1, "every": None}, 1)
    data = np.random.default_rng(0).normal(size=(8 * 5, 2)).astype("float32")
    g_before = [w.copy() for w in gan.generator.get_weights()]
    gan.fit(data, batch_size=8, epochs=1, verbose=0)   # 5 critic updates of the 6
    assert int(gan.g_optimizer.iterations) == 0
    for a, b in zip(g_before, gan.generator.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_the_schedule_continues_across_fits_and_a_save(tmp_path):
    # The counts live in the optimizers' iteration counters: a reloaded model carries on
    # exactly where one uninterrupted training would be.
    schedule = {"updates": 3, "first": 2, "every": 4}
    data = np.random.default_rng(1).normal(size=(8 * 13, 2)).astype("float32")
    gan = toy_wgan(schedule, 1)
    gan.fit(data, batch_size=8, epochs=1, verbose=0)
    path = str(tmp_path / "scheduled.keras")
    gan.save(path)
    reloaded = keras.models.load_model(path)
    assert reloaded.critic_schedule.get_config() == {"updates": 3, "first": 2, "every": 4}
    reloaded.fit(data, batch_size=8, epochs=1, verbose=0)
    assert int(reloaded.d_optimizer.iterations) == 26
    assert int(reloaded.g_optimizer.iterations) == generator_updates_after(
        CriticSchedule(3, 2, 4), 26, 1)


def test_the_papers_schedule_by_name_and_in_a_recipe():
    assert kg.critic_schedule.get("wgan").get_config() == {
        "updates": 100, "first": 25, "every": 500}
    recipe = kg.recipes.resolve({
        "model": {"variant": "wgan", "data_shape": [2], "latent_dim": 2},
        "data": {"name": "ring8"},
        "optimizers": {"critic_schedule": "wgan"}})
    model = kg.recipes.build_model(recipe, (2,))
    assert model.critic_schedule.get_config()["updates"] == 100
    assert model.get_compile_config()["critic_schedule"]["config"]["every"] == 500


def test_unscheduled_models_keep_their_compile_config():
    gan = kg.models.WGAN(data_shape=(2,))
    gan.compile()
    assert gan.critic_schedule is None and "critic_schedule" not in gan.get_compile_config()


@pytest.mark.parametrize("arguments,message", [
    ({"critic_schedule": {"updates": 7}, "d_steps": 5}, "multiple of d_steps=5"),
    ({"critic_schedule": {"updates": 3}, "d_steps": 5}, "multiple of d_steps=5"),
    ({"critic_schedule": "wgan-gp"}, "Unknown critic schedule 'wgan-gp'"),
    ({"critic_schedule": {"steps": 100}}, "Bad critic_schedule"),
    ({"critic_schedule": {"updates": 0}}, "`updates` must be an integer >= 1"),
    ({"critic_schedule": 100}, "must be None, a name"),
])
def test_bad_schedules_get_clear_errors(arguments, message):
    gan = kg.models.WGAN(data_shape=(2,))
    with pytest.raises((ValueError, TypeError), match=message):
        gan.compile(**arguments)


def test_a_variant_with_its_own_training_step_refuses_the_schedule():
    progan = kg.models.ProGAN(data_shape=(8, 8, 1), latent_dim=4, fmap_base=16,
                              max_filters=8)
    with pytest.raises(ValueError, match="ProGAN runs a training step of its own"):
        progan.compile(critic_schedule="wgan")


REPLICAS = """
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras_gans as kg
with tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]).scope():
    gan = kg.models.WGAN(data_shape=(2,))
    try:
        gan.compile(critic_schedule="wgan")
    except ValueError as error:
        print("refused:", error)
"""


def test_two_replicas_are_refused_with_the_reason():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, "-c", REPLICAS], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "refused: compile(critic_schedule=...) trains on one replica only" in out.stdout


def test_an_interrupted_scheduled_run_resumes_where_it_stopped(tmp_path):
    # Checkpoints and the resumed data position count steps of fit, which a schedule
    # decouples from generator updates (`step_counter`).
    data = np.random.default_rng(2).normal(size=(8 * 12, 2)).astype("float32")
    stream = lambda: kg.data.from_arrays(data, batch_size=8, seed=0)   # noqa: E731

    def run(directory, epochs):
        keras.utils.set_random_seed(0)
        gan = toy_wgan({"updates": 3, "first": 4, "every": 5}, 1)
        kg.training.fit(gan, stream, epochs=epochs, directory=str(directory), save_freq=5,
                        verbose=0)
        return gan

    whole = run(tmp_path / "whole", 3)
    run(tmp_path / "cut", 2)
    resumed = run(tmp_path / "cut", 3)
    assert int(resumed.d_optimizer.iterations) == int(whole.d_optimizer.iterations) == 36
    assert int(resumed.g_optimizer.iterations) == int(whole.g_optimizer.iterations)
    for a, b in zip(whole.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
