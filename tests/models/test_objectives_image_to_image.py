"""One training step of the variants with their own ``train_step`` (CycleGAN, SRGAN,
SimGAN, RadialGAN) against hand-computed gradients.

Players are 1x1 convolutions or dense layers (per-pixel or per-row affine maps) with
weights set by the test, plain SGD with learning rate 1; each expected update is computed
from the paper's objective written out with the weights as tensors (``_hand``), with its
own ``tf.GradientTape``. Which player's update sees which weights (the other player before
or after its update) is part of what is checked.
"""

import keras
import numpy as np
import tensorflow as tf

import keras_gans as kg
from keras_gans import penalties
from tests.models import _hand as H

BATCH = 4


def _conv1x1(channels_in, channels_out, name, spatial=(None, None)):
    x = keras.Input((*spatial, channels_in))
    y = keras.layers.Conv2D(channels_out, 1, name=f"{name}_conv")(x)
    return keras.Model(x, y, name=name)


def _conv_weights(rng, cin, cout, scale=0.7):
    return [H.rng_array(rng, (1, 1, cin, cout), scale), H.rng_array(rng, (cout,), 0.1)]


def _apply(x, kernel, bias):
    """A 1x1 convolution written out: per pixel, x @ kernel + bias."""
    return tf.einsum("bhwc,cd->bhwd", x, kernel[0, 0]) + bias


def _l1(a, b):
    return tf.reduce_mean(tf.abs(a - b))


# -- CycleGAN ---------------------------------------------------------------------------


def test_cyclegan_step_equals_hand_gradients_of_the_cycle_game():
    """Both generators descend 2 x (least-squares adversarial terms) + lambda x (both cycle
    L1 terms) + lambda x w_id x (both identity L1 terms) against the discriminators as they
    were; then both discriminators descend their least-squares losses on the generators'
    images from before the update (the history pools, still filling, pass them through).
    Catches: a cycle or identity term dropped, paired with the wrong domain or unweighted;
    G judged by the wrong discriminator; discriminators seeing real and fake swapped; the
    adversarial weight ignored."""
    rng = np.random.default_rng(20)
    c, side = 2, 2
    nets = {"generator_xy": _conv1x1(c, c, "gxy"), "generator_yx": _conv1x1(c, c, "gyx"),
            "discriminator_x": _conv1x1(c, 1, "dx", (side, side)),
            "discriminator_y": _conv1x1(c, 1, "dy", (side, side))}
    w = {k: H.set_weights(net, _conv_weights(rng, c, net.output.shape[-1]))
         for k, net in nets.items()}
    x = H.rng_images(rng, (BATCH, side, side, c), 0.8)
    y = H.rng_images(rng, (BATCH, side, side, c), 0.8, 0.3)
    model = kg.models.CycleGAN(data_shape=(side, side, c), **nets)
    model.compile(g_optimizer=H.sgd(), d_optimizer=H.sgd(), cycle_weight=3.0,
                  identity_weight=0.4)
    model.train_step((tf.constant(x), tf.constant(y)))

    X, Y = tf.constant(x), tf.constant(y)

    def lsq_g(d):
        return 0.5 * tf.reduce_mean((d - 1.0) ** 2)

    def g_objective(gk, gb, fk, fb):
        fake_y, fake_x = _apply(X, gk, gb), _apply(Y, fk, fb)
        adversarial = (lsq_g(_apply(fake_y, *w["discriminator_y"]))
                       + lsq_g(_apply(fake_x, *w["discriminator_x"])))
        cycle = _l1(_apply(fake_y, fk, fb), X) + _l1(_apply(fake_x, gk, gb), Y)
        identity = _l1(_apply(Y, gk, gb), Y) + _l1(_apply(X, fk, fb), X)
        return 2.0 * adversarial + 3.0 * cycle + 3.0 * 0.4 * identity

    exp_g = H.descend(w["generator_xy"] + w["generator_yx"], g_objective)
    fake_y = _apply(X, *w["generator_xy"])
    fake_x = _apply(Y, *w["generator_yx"])

    def d_objective(xk, xb, yk, yb):
        return (H.d_loss("least_squares", _apply(X, xk, xb), _apply(fake_x, xk, xb))
                + H.d_loss("least_squares", _apply(Y, yk, yb), _apply(fake_y, yk, yb)))

    exp_d = H.descend(w["discriminator_x"] + w["discriminator_y"], d_objective)
    H.assert_weights(nets["generator_xy"], exp_g[:2], "G: X -> Y")
    H.assert_weights(nets["generator_yx"], exp_g[2:], "F: Y -> X")
    H.assert_weights(nets["discriminator_x"], exp_d[:2], "D_X")
    H.assert_weights(nets["discriminator_y"], exp_d[2:], "D_Y")


# -- SRGAN ------------------------------------------------------------------------------


def _srgan_players(rng):
    low = keras.Input((None, None, 1))
    g = keras.Model(low, keras.layers.Conv2D(1, 1, name="g_conv")(
        keras.layers.UpSampling2D(2)(low)))
    hr = keras.Input((4, 4, 1))
    d = keras.Model(hr, H.dense(keras.layers.Flatten()(hr), 1, "d"))
    gw = H.set_weights(g, _conv_weights(rng, 1, 1))
    dw = H.set_weights(d, [H.rng_array(rng, (16, 1)), H.rng_array(rng, (1,), 0.1)])
    return g, d, gw, dw


def _enlarge(low, kernel, bias):
    up = np.repeat(np.repeat(low, 2, axis=1), 2, axis=2)      # nearest neighbour x2
    return _apply(tf.constant(up), kernel, bias)


def test_srgan_step_equals_hand_gradients_with_pixel_content_loss():
    """D descends the non-saturating loss on (high-res, enlarged by G before its update);
    G then descends MSE(G(low), high) + 1e-3 x non-saturating loss against the updated D.
    Catches: content and adversarial terms swapped or the 1e-3 weight ignored, D judging
    low-res inputs, real and fake swapped."""
    rng = np.random.default_rng(21)
    g, d, gw, dw = _srgan_players(rng)
    low = H.rng_images(rng, (BATCH, 2, 2, 1), 0.8)
    high = H.rng_images(rng, (BATCH, 4, 4, 1), 0.8)
    model = kg.models.SRGAN(scale=2, data_shape=(4, 4, 1), content_loss="pixel",
                            generator=g, discriminator=d)
    model.compile(g_optimizer=H.sgd(), d_optimizer=H.sgd(), pretrain_optimizer=H.sgd())
    model.train_step((tf.constant(low), tf.constant(high)))

    def critic(images, w, b):
        return tf.reshape(images, (BATCH, -1)) @ w + b

    fake0 = _enlarge(low, *gw)
    exp_d = H.descend(dw, lambda w, b: H.d_loss("non_saturating", critic(tf.constant(high), w, b),
                                                critic(fake0, w, b)))

    def g_objective(k, b):
        enlarged = _enlarge(low, k, b)
        return (tf.reduce_mean((enlarged - high) ** 2)
                + 1e-3 * H.g_loss("non_saturating", critic(enlarged, *exp_d)))

    exp_g = H.descend(gw, g_objective)
    H.assert_weights(d, exp_d, "SRGAN D")
    H.assert_weights(g, exp_g, "SRGAN G")


def test_srgan_pretraining_step_is_the_pixel_mse_alone_and_leaves_d_alone():
    """``pretrain``: G descends MSE(G(low), high) with the pre-training optimizer, D and the
    adversarial optimizer untouched. Catches an adversarial term leaking into SRResNet
    pre-training, or D trained during it."""
    rng = np.random.default_rng(22)
    g, d, gw, dw = _srgan_players(rng)
    low = H.rng_images(rng, (BATCH, 2, 2, 1), 0.8)
    high = H.rng_images(rng, (BATCH, 4, 4, 1), 0.8)
    model = kg.models.SRGAN(scale=2, data_shape=(4, 4, 1), content_loss="pixel",
                            generator=g, discriminator=d)
    model.compile(g_optimizer=H.sgd(), d_optimizer=H.sgd(), pretrain_optimizer=H.sgd())
    data = tf.data.Dataset.from_tensors((low, high))
    model.pretrain(data, epochs=1, verbose=0)

    exp_g = H.descend(gw, lambda k, b: tf.reduce_mean((_enlarge(low, k, b) - high) ** 2))
    H.assert_weights(g, exp_g, "SRResNet")
    H.assert_weights(d, dw, "D (untouched)")
    assert int(model.g_optimizer.iterations) == 0


# -- SimGAN -----------------------------------------------------------------------------


def test_simgan_step_equals_hand_gradients_with_self_regularisation():
    """D descends the per-patch cross-entropy on (real, refined before R's update; the
    history buffer, still filling, passes them through); R then descends the
    non-saturating loss against the updated D + lambda x mean |R(x) - x|. Catches: the
    self-regularisation dropped, unweighted or measured against the real images; D trained
    on synthetic rather than refined images; real and refined swapped."""
    rng = np.random.default_rng(23)
    side = 2
    r = _conv1x1(1, 1, "refiner")
    d = _conv1x1(1, 1, "d", (side, side))
    rw = H.set_weights(r, _conv_weights(rng, 1, 1))
    dw = H.set_weights(d, _conv_weights(rng, 1, 1))
    synthetic = H.rng_images(rng, (BATCH, side, side, 1), 0.8)
    real = H.rng_images(rng, (BATCH, side, side, 1), 0.8, -0.2)
    model = kg.models.SimGAN(data_shape=(side, side, 1), refiner=r, discriminator=d)
    model.compile(r_optimizer=H.sgd(), d_optimizer=H.sgd(), self_regularization=0.7)
    model.train_step((tf.constant(synthetic), tf.constant(real)))

    S, R = tf.constant(synthetic), tf.constant(real)
    refined0 = _apply(S, *rw)
    exp_d = H.descend(dw, lambda k, b: H.d_loss("non_saturating", _apply(R, k, b),
                                                _apply(refined0, k, b)))

    def r_objective(k, b):
        refined = _apply(S, k, b)
        return (H.g_loss("non_saturating", _apply(refined, *exp_d))
                + 0.7 * tf.reduce_mean(tf.abs(refined - S)))

    exp_r = H.descend(rw, r_objective)
    H.assert_weights(d, exp_d, "SimGAN D")
    H.assert_weights(r, exp_r, "refiner")


# -- RadialGAN --------------------------------------------------------------------------


def _tables(rng, n=24):
    def table(cols, shift):
        full = {"a": rng.normal(shift, 1, n), "b": rng.integers(0, 60, n),
                "c": rng.choice(["u", "v", "w"], n), "y": rng.integers(0, 2, n)}
        return {k: full[k] for k in cols}

    return {"h1": table(["a", "b", "y"], 0.0), "h2": table(["a", "c", "y"], 1.0),
            "h3": table(["b", "c", "y"], 2.0)}


def test_radialgan_step_equals_hand_gradients_over_three_domains():
    """Three domains, latent size 2, linear encoders F_i, decoders G_i and critics D_i.
    Each D_i descends the Wasserstein loss of its real rows against G_i(F_j(x_j)) for every
    other j, plus 0.7 x (||grad D_i|| - 1)^2 (closed form for a linear critic, norms below
    1); then encoders and decoders together descend sum_i -E[D_i(G_i(F_j(x_j)))] + 2 x the
    mean over ordered pairs (j, i) of ||G_j(F_i(G_i(F_j(x_j)))) - x_j||^2 (per-value mean).
    Catches: a domain's fakes judged by the wrong critic, the cycle returning to the wrong
    domain, its 1 / (k (k - 1)) normalisation or weight wrong, the penalty one-sided or
    unweighted, critics seeing real and fake swapped."""
    rng = np.random.default_rng(24)
    tables = _tables(rng)
    transformers = {d: kg.data.tabular.get(t) for d, t in tables.items()}
    dims = [transformers[d].output_dim for d in tables]
    latent = 2
    enc = {d: H.linear_model(n, latent, f"enc_{d}") for d, n in zip(tables, dims)}
    dec = {d: H.linear_model(latent, n, f"dec_{d}") for d, n in zip(tables, dims)}
    disc = {d: H.linear_model(n, 1, f"disc_{d}") for d, n in zip(tables, dims)}
    ew = [H.set_weights(enc[d], [H.rng_array(rng, (n, latent)), H.rng_array(rng, (latent,), 0.1)])
          for d, n in zip(tables, dims)]
    gw = [H.set_weights(dec[d], [H.rng_array(rng, (latent, n)), H.rng_array(rng, (n,), 0.1)])
          for d, n in zip(tables, dims)]
    dw = [H.set_weights(disc[d], [H.scaled_to_norm(H.rng_array(rng, (n, 1)), 0.6),
                                  H.rng_array(rng, (1,), 0.1)]) for d, n in zip(tables, dims)]
    reals = [H.rng_array(rng, (BATCH, n), 0.5) for n in dims]
    model = kg.models.RadialGAN(transformers, latent_dim=latent, encoders=enc, decoders=dec,
                                discriminators=disc)
    model.compile(d_optimizer=H.sgd(), g_optimizer=H.sgd(),
                  penalties=[penalties.GradientPenalty(0.7)], cycle_weight=2.0)
    model.train_step(tuple(tf.constant(x) for x in reals))

    k = 3
    X = [tf.constant(x) for x in reals]

    def lin(x, w, b):
        return x @ w + b

    codes = [lin(X[j], *ew[j]) for j in range(k)]

    def d_objective(*flat):
        total = 0.0
        for i in range(k):
            w, b = flat[2 * i], flat[2 * i + 1]
            fakes = tf.concat([lin(codes[j], *gw[i]) for j in range(k) if j != i], 0)
            total += (H.d_loss("wasserstein", lin(X[i], w, b), lin(fakes, w, b))
                      + 0.7 * (tf.norm(w) - 1.0) ** 2)
        return total

    exp_d = H.descend([a for pair in dw for a in pair], d_objective)

    def g_objective(*flat):
        e = [(flat[2 * i], flat[2 * i + 1]) for i in range(k)]
        g = [(flat[2 * k + 2 * i], flat[2 * k + 2 * i + 1]) for i in range(k)]
        adversarial, cycle = 0.0, 0.0
        for i in range(k):
            there = {j: lin(lin(X[j], *e[j]), *g[i]) for j in range(k) if j != i}
            fakes = tf.concat(list(there.values()), 0)
            adversarial += -tf.reduce_mean(lin(fakes, exp_d[2 * i], exp_d[2 * i + 1]))
            for j, t in there.items():
                back = lin(lin(t, *e[i]), *g[j])
                cycle += tf.reduce_mean((back - X[j]) ** 2)
        return adversarial + 2.0 * cycle / (k * (k - 1))

    exp_g = H.descend([a for pair in ew + gw for a in pair], g_objective)
    for i, d in enumerate(tables):
        H.assert_weights(disc[d], exp_d[2 * i:2 * i + 2], f"D_{d}")
        H.assert_weights(enc[d], exp_g[2 * i:2 * i + 2], f"F_{d}")
        H.assert_weights(dec[d], exp_g[2 * k + 2 * i:2 * k + 2 * i + 2], f"G_{d}")
