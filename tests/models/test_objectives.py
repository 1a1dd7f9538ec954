"""One training step of the shared loop (``models/base.py``) against hand-computed gradients.

Linear players (G(z) = z Wg + bg, D(x) = x Wd + bd) with weights, data and noise fixed by
the test, plain SGD with learning rate 1: after one ``train_step`` every weight must equal
the update computed here from the papers' objectives, written out (``_hand``), with a
separate ``tf.GradientTape``. For a linear critic the gradient penalty has a closed form,
||grad_x D|| = ||Wd|| for every interpolate, so the penalty is written as (||Wd|| - 1)^2
and R1 as ||Wd||^2; the critic's norm is set below 1, where a one-sided penalty would be 0.

Each test names the fault it catches: a flipped sign (the generator ascending, D rewarding
fakes), swapped real and fake, a penalty subtracted, its weight ignored, a one-sided
penalty, a lazy interval ignored or not scaled, d_steps ignored, or stale noise.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans import penalties
from tests.models import _hand as H

LATENT, DIM, BATCH = 2, 3, 4


def _players(rng, d_norm=0.5):
    g = H.linear_model(LATENT, DIM, "g")
    d = H.linear_model(DIM, 1, "d")
    gw = H.set_weights(g, [H.rng_array(rng, (LATENT, DIM)), H.rng_array(rng, (DIM,), 0.1)])
    dw = H.set_weights(d, [H.scaled_to_norm(H.rng_array(rng, (DIM, 1)), d_norm),
                           H.rng_array(rng, (1,), 0.1)])
    return g, d, gw, dw


def _G(z, wg, bg):
    return tf.constant(z) @ wg + bg


def _D(x, wd, bd):
    return x @ wd + bd


def reference_shared_loop(loss, gw, dw, reals, zs, gp_weight=0.0, r1=None, clip=None):
    """Algorithm 1 written out: len(zs) D steps (fresh noise each, the k-th real minibatch
    each), then one G step on the last D step's noise against the updated D."""
    wg, bg = gw
    wd, bd = dw
    d_steps = len(zs)
    for k in range(d_steps):
        fake = _G(zs[k], wg, bg)
        real = tf.constant(reals[k])

        def objective(wd, bd, fake=fake, real=real, k=k):
            value = H.d_loss(loss, _D(real, wd, bd), _D(fake, wd, bd))
            if gp_weight:
                # Linear critic: ||grad_x D(x_hat)|| = ||Wd|| at every interpolate x_hat.
                value += gp_weight * (tf.norm(wd) - 1.0) ** 2
            if r1 is not None:
                weight, interval = r1
                if k % interval == 0:            # lazy: on one D step in `interval`, times it
                    value += weight * interval * tf.reduce_sum(wd ** 2)
            return value

        wd, bd = H.descend([wd, bd], objective)
        if clip is not None:
            wd, bd = np.clip(wd, -clip, clip), np.clip(bd, -clip, clip)
    z = zs[-1]
    wg, bg = H.descend([wg, bg], lambda wg, bg: H.g_loss(loss, _D(_G(z, wg, bg), wd, bd)))
    return [wg, bg], [wd, bd]


LOSSES = ["minimax", "non_saturating", "wasserstein", "hinge", "least_squares"]


@pytest.mark.parametrize("loss", LOSSES)
def test_one_step_of_each_loss_with_gradient_penalty_equals_hand_gradients(loss):
    """Catches: a flipped sign in either player's update (G ascending), real and fake
    swapped, the penalty subtracted or its weight ignored, and a one-sided penalty (the
    critic's gradient norm is 0.5 < 1: max(0, norm - 1)^2 would be 0)."""
    rng = np.random.default_rng(0)
    g, d, gw, dw = _players(rng, d_norm=0.5)
    real = H.rng_array(rng, (BATCH, DIM), 1.0) + 1.0
    z = H.rng_array(rng, (BATCH, LATENT), 1.0)
    model = kg.models.GAN(generator=g, discriminator=d)
    model.compile(d_optimizer=H.sgd(), g_optimizer=H.sgd(), loss=loss,
                  penalties=[penalties.GradientPenalty(0.7)], d_steps=1)
    H.fixed_noise(model, [z])

    model.train_step(tf.constant(real))

    exp_g, exp_d = reference_shared_loop(loss, gw, dw, [real], [z], gp_weight=0.7)
    H.assert_weights(d, exp_d, f"D ({loss})")
    H.assert_weights(g, exp_g, f"G ({loss})")


def test_d_steps_with_split_minibatches_and_lazy_r1_equal_hand_gradients():
    """Three D steps, each on its own third of the batch and its own noise, R1 lazy every 2
    D steps (on steps 0 and 2, times 2), then G against the D after all three. Catches:
    d_steps ignored or the G step run against a stale D, the minibatches not split, fresh
    noise not drawn per D step, and the lazy interval ignored or its scaling dropped."""
    rng = np.random.default_rng(1)
    g, d, gw, dw = _players(rng, d_norm=0.8)
    real = H.rng_array(rng, (3 * BATCH, DIM), 1.0) + 0.5
    zs = [H.rng_array(rng, (BATCH, LATENT), 1.0) for _ in range(3)]
    model = kg.models.GAN(generator=g, discriminator=d)
    model.compile(d_optimizer=H.sgd(), g_optimizer=H.sgd(), loss="non_saturating",
                  penalties=[penalties.R1(0.3, interval=2)], d_steps=3, split_real_batch=True)
    H.fixed_noise(model, zs)

    model.train_step(tf.constant(real))

    reals = [real[k * BATCH:(k + 1) * BATCH] for k in range(3)]
    exp_g, exp_d = reference_shared_loop("non_saturating", gw, dw, reals, zs, r1=(0.3, 2))
    H.assert_weights(d, exp_d, "D after 3 steps")
    H.assert_weights(g, exp_g, "G")
    assert int(model.d_optimizer.iterations) == 3 and int(model.g_optimizer.iterations) == 1


def test_wgan_clips_the_critic_after_each_of_its_updates():
    """WGAN: two critic steps, each followed by clipping to [-c, c], then G against the
    clipped critic. Catches: clipping skipped, applied only once after all critic steps,
    or before the update instead of after it."""
    rng = np.random.default_rng(2)
    g, d, gw, dw = _players(rng, d_norm=0.5)
    real = H.rng_array(rng, (BATCH, DIM), 1.0) + 1.0
    zs = [H.rng_array(rng, (BATCH, LATENT), 1.0) for _ in range(2)]
    model = kg.models.WGAN(generator=g, discriminator=d)
    model.compile(d_optimizer=H.sgd(), g_optimizer=H.sgd(), d_steps=2,
                  penalties=[penalties.WeightClipping(0.3)])
    H.fixed_noise(model, zs)

    model.train_step(tf.constant(real))

    exp_g, exp_d = reference_shared_loop("wasserstein", gw, dw, [real, real], zs, clip=0.3)
    # The test is only meaningful where clipping bites:
    unclipped = reference_shared_loop("wasserstein", gw, dw, [real, real], zs)[1]
    assert H.moved(unclipped, exp_d)
    H.assert_weights(d, exp_d, "clipped critic")
    H.assert_weights(g, exp_g, "G")


def test_wgan_gp_step_through_fit_equals_hand_gradients():
    """The same game through ``fit`` (a compiled step, XLA where available), WGAN-GP's
    defaults for loss and penalty with two critic steps. Catches a compiled step that
    differs from the eager one (e.g. a Python-side condition frozen at trace time)."""
    rng = np.random.default_rng(3)
    g, d, gw, dw = _players(rng, d_norm=0.6)
    real = H.rng_array(rng, (BATCH, DIM), 1.0) + 1.0
    model = kg.models.WGANGP(generator=g, discriminator=d)
    model.compile(d_optimizer=H.sgd(), g_optimizer=H.sgd(), d_steps=2)
    # Under fit the noise is the model's own draw: replay its seed state on a copy. Each
    # critic step draws z, then the penalty's interpolation weights (which a linear
    # critic's penalty does not depend on, but which advance the seed).
    probe = keras.random.SeedGenerator(0)
    probe.state.assign(model.seed_generator.state.value)
    zs = []
    for _ in range(2):
        zs.append(keras.random.normal((BATCH, LATENT), seed=probe).numpy())
        keras.random.uniform((BATCH, 1), seed=probe)

    model.fit(real, batch_size=BATCH, epochs=1, verbose=0)

    exp_g, exp_d = reference_shared_loop("wasserstein", gw, dw, [real, real], zs,
                                         gp_weight=10.0)
    H.assert_weights(d, exp_d, "critic")
    H.assert_weights(g, exp_g, "G")
