"""One training step of each variant that plugs into the shared loop (EBGAN, SGAN, CGAN,
AC-GAN, BigGAN, StyleGAN, ProGAN) against hand-computed gradients.

As in ``test_objectives.py``: players of one or two layers with weights set by the test,
fixed data and noise, plain SGD with learning rate 1, and the expected update computed
from the objective as the paper writes it (forward passes written out with the weights as
tensors, a separate ``tf.GradientTape``). Each test names the faults it catches.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans import penalties
from tests.models import _hand as H

LATENT, DIM, BATCH, K = 2, 3, 4, 3


def _ce(labels, logits):
    """Mean softmax cross-entropy, written out: -log softmax(logits)[label]."""
    log_p = logits - tf.reduce_logsumexp(logits, axis=-1, keepdims=True)
    return -tf.reduce_mean(tf.gather(log_p, labels, axis=1, batch_dims=1))


# -- EBGAN ------------------------------------------------------------------------------


def _autoencoder(code_dim=2):
    x = keras.Input((DIM,))
    code = H.dense(x, code_dim, "enc")
    reconstruction = H.dense(code, DIM, "dec")
    return keras.Model(x, [reconstruction, code], name="autoencoder")


@pytest.mark.parametrize("pulling_away", [0.0, 0.4])
def test_ebgan_step_equals_hand_gradients_of_the_energy_margin_game(pulling_away):
    """D minimises E(x) + max(0, m - E(G(z))) with E the per-example mean squared
    reconstruction error; G minimises E(G(z)) (+ weight x pulling-away term of the fakes'
    codes). The margin sits between the fakes' energies, so some are above it. Catches:
    the margin's hinge dropped or reversed, energies of real and fake swapped, G pushing
    energy up, the pulling-away term dropped, unweighted or taken on real codes."""
    rng = np.random.default_rng(10)
    g = H.linear_model(LATENT, DIM, "g")
    gw = H.set_weights(g, [H.rng_array(rng, (LATENT, DIM)), H.rng_array(rng, (DIM,), 0.1)])
    d = _autoencoder()
    dw = H.set_weights(d, [H.rng_array(rng, (DIM, 2)), H.rng_array(rng, (2,), 0.1),
                           H.rng_array(rng, (2, DIM)), H.rng_array(rng, (DIM,), 0.1)])
    real = H.rng_array(rng, (BATCH, DIM), 1.0)
    z = H.rng_array(rng, (BATCH, LATENT), 1.5)

    def energy(x, we, be, wr, br):
        code = x @ we + be
        return tf.reduce_mean((code @ wr + br - x) ** 2, axis=1), code

    fake0 = z @ gw[0] + gw[1]
    fake_energy = energy(tf.constant(fake0), *dw)[0].numpy()
    margin = float(np.median(fake_energy))
    assert (fake_energy < margin).any() and (fake_energy > margin).any()

    model = kg.models.EBGAN(generator=g, discriminator=d, pulling_away=pulling_away)
    model.compile(d_optimizer=H.sgd(), g_optimizer=H.sgd(),
                  loss=kg.losses.EnergyMargin(margin))
    H.fixed_noise(model, [z])
    model.train_step(tf.constant(real))

    def d_objective(*w):
        e_real = energy(tf.constant(real), *w)[0]
        e_fake = energy(tf.constant(fake0), *w)[0]
        return tf.reduce_mean(e_real) + tf.reduce_mean(tf.maximum(0.0, margin - e_fake))

    exp_d = H.descend(dw, d_objective)

    def g_objective(wg, bg):
        e_fake, code = energy(tf.constant(z) @ wg + bg, *exp_d)
        s = code / tf.norm(code, axis=1, keepdims=True)
        n = BATCH
        pt = (tf.reduce_sum((s @ tf.transpose(s)) ** 2) - n) / (n * (n - 1))
        return tf.reduce_mean(e_fake) + pulling_away * pt

    exp_g = H.descend(gw, g_objective)
    H.assert_weights(d, exp_d, "EBGAN D")
    H.assert_weights(g, exp_g, "EBGAN G")


# -- SGAN -------------------------------------------------------------------------------


def _classifier_discriminator():
    x = keras.Input((DIM,))
    features = H.dense(x, 3, "hidden", activation="tanh")
    logits = H.dense(features, K, "classes")
    return keras.Model(x, [logits, features], name="classifier")


@pytest.mark.parametrize("feature_matching", [True, False])
def test_sgan_step_equals_hand_gradients_of_the_semi_supervised_game(feature_matching):
    """D: K class logits l(x), logit of "real" = logsumexp(l), loss = w_u x (non-saturating
    real/fake loss) + cross-entropy of the labelled examples only (label -1: unlabelled),
    averaged over the labelled count. G: feature matching ||mean f(x) - mean f(G(z))||^2 /
    F against the updated D (or the adversarial loss). Catches: unlabelled examples
    counted in the cross-entropy or the count, the unsupervised weight ignored, the fake
    class logit not fixed at 0, feature matching on the wrong features or with a gradient
    into the real side."""
    rng = np.random.default_rng(11)
    g = H.linear_model(LATENT, DIM, "g")
    gw = H.set_weights(g, [H.rng_array(rng, (LATENT, DIM)), H.rng_array(rng, (DIM,), 0.1)])
    d = _classifier_discriminator()
    dw = H.set_weights(d, [H.rng_array(rng, (DIM, 3), 1.0), H.rng_array(rng, (3,), 0.1),
                           H.rng_array(rng, (3, K), 1.0), H.rng_array(rng, (K,), 0.1)])
    real = H.rng_array(rng, (BATCH, DIM), 1.0)
    labels = np.array([2, -1, 0, -1], "int32")
    z = H.rng_array(rng, (BATCH, LATENT), 1.0)
    model = kg.models.SGAN(generator=g, discriminator=d, num_classes=K,
                           feature_matching=feature_matching, unsupervised_weight=0.3)
    model.compile(d_optimizer=H.sgd(), g_optimizer=H.sgd())
    H.fixed_noise(model, [z])
    model.train_step((tf.constant(real), tf.constant(labels)))

    def heads(x, w1, b1, w2, b2):
        f = tf.tanh(x @ w1 + b1)
        return f @ w2 + b2, f

    fake0 = tf.constant(z @ gw[0] + gw[1])

    def d_objective(*w):
        real_logits, _ = heads(tf.constant(real), *w)
        fake_logits, _ = heads(fake0, *w)
        # D(x) = Z / (Z + 1), Z = sum exp(l): -log D(x) = log(1 + 1/Z), -log(1 - D) = log(1 + Z)
        z_real = tf.reduce_sum(tf.exp(real_logits), axis=1)
        z_fake = tf.reduce_sum(tf.exp(fake_logits), axis=1)
        unsupervised = (tf.reduce_mean(tf.math.log(1.0 + 1.0 / z_real))
                        + tf.reduce_mean(tf.math.log(1.0 + z_fake)))
        labelled = labels >= 0
        supervised = _ce(labels[labelled], tf.boolean_mask(real_logits, labelled))
        return 0.3 * unsupervised + supervised

    exp_d = H.descend(dw, d_objective)

    def g_objective(wg, bg):
        fake_logits, f_fake = heads(tf.constant(z) @ wg + bg, *exp_d)
        if not feature_matching:
            z_fake = tf.reduce_sum(tf.exp(fake_logits), axis=1)
            return tf.reduce_mean(tf.math.log(1.0 + 1.0 / z_fake))
        _, f_real = heads(tf.constant(real), *exp_d)
        return tf.reduce_mean((tf.reduce_mean(f_real, 0) - tf.reduce_mean(f_fake, 0)) ** 2)

    exp_g = H.descend(gw, g_objective)
    H.assert_weights(d, exp_d, "SGAN D")
    H.assert_weights(g, exp_g, "SGAN G")


# -- CGAN and AC-GAN --------------------------------------------------------------------


def _conditional_generator():
    z = keras.Input((LATENT,))
    y = keras.Input((1,), dtype="int32")
    embedded = keras.layers.Flatten()(keras.layers.Embedding(K, DIM, name="g_embed")(y))
    out = keras.layers.Add()([H.dense(z, DIM, "g_dense"), embedded])
    return keras.Model([z, y], out, name="g")


def _g_forward(z, y, wg, bg, emb):
    return tf.constant(z) @ wg + bg + tf.gather(emb, y)


def _conditional_weights(rng):
    return [H.rng_array(rng, (K, DIM)), H.rng_array(rng, (LATENT, DIM)),
            H.rng_array(rng, (DIM,), 0.1)]


def test_cgan_projection_step_equals_hand_gradients():
    """G([z, y]) = z Wg + bg + E_g[y]; projection D([x, y]) = x Wd + bd + <E_d[y], x>; the
    non-saturating game. Catches: fakes generated for other labels than the real batch's,
    D scoring fakes without their labels, the shared loop's faults under conditioning."""
    rng = np.random.default_rng(12)
    g = _conditional_generator()
    emb_g, wg, bg = H.set_weights(g, _conditional_weights(rng))
    x = keras.Input((DIM,))
    y = keras.Input((1,), dtype="int32")
    projection = keras.layers.Dot(axes=1)(
        [x, keras.layers.Flatten()(keras.layers.Embedding(K, DIM, name="d_embed")(y))])
    d = keras.Model([x, y], keras.layers.Add()([H.dense(x, 1, "d_dense"), projection]))
    dw = H.set_weights(d, [H.rng_array(rng, (K, DIM)), H.rng_array(rng, (DIM, 1)),
                           H.rng_array(rng, (1,), 0.1)])
    real = H.rng_array(rng, (BATCH, DIM), 1.0)
    labels = np.array([0, 2, 1, 2], "int32")
    z = H.rng_array(rng, (BATCH, LATENT), 1.0)
    model = kg.models.CGAN(generator=g, discriminator=d, num_classes=K)
    model.compile(d_optimizer=H.sgd(), g_optimizer=H.sgd())
    H.fixed_noise(model, [z])
    model.train_step((tf.constant(real), tf.constant(labels)))

    def critic(x, emb_d, wd, bd):
        return x @ wd + bd + tf.reduce_sum(tf.gather(emb_d, labels) * x, 1, keepdims=True)

    fake0 = _g_forward(z, labels, wg, bg, emb_g)
    exp_d = H.descend(dw, lambda *w: H.d_loss("non_saturating", critic(tf.constant(real), *w),
                                              critic(fake0, *w)))
    exp_g = H.descend([emb_g, wg, bg], lambda e, w, b: H.g_loss(
        "non_saturating", critic(_g_forward(z, labels, w, b, e), *exp_d)))
    H.assert_weights(d, exp_d, "CGAN D")
    H.assert_weights(g, exp_g, "CGAN G")


def test_acgan_step_adds_class_losses_on_real_and_fake_for_d_and_on_fakes_for_g():
    """AC-GAN: D(x) = [adversarial logit, K class logits]; L_D = non-saturating + CE(y, real)
    + CE(y, fake); L_G = non-saturating + CE(y, G(z, y)). Catches: a class term dropped from
    either player, D's class loss on fakes missing, or G maximising the class loss."""
    rng = np.random.default_rng(13)
    g = _conditional_generator()
    emb_g, wg, bg = H.set_weights(g, _conditional_weights(rng))
    x = keras.Input((DIM,))
    d = keras.Model(x, [H.dense(x, 1, "adv"), H.dense(x, K, "cls")])
    dw = H.set_weights(d, [H.rng_array(rng, (DIM, 1)), H.rng_array(rng, (1,), 0.1),
                           H.rng_array(rng, (DIM, K), 1.0), H.rng_array(rng, (K,), 0.1)])
    real = H.rng_array(rng, (BATCH, DIM), 1.0)
    labels = np.array([1, 0, 2, 1], "int32")
    z = H.rng_array(rng, (BATCH, LATENT), 1.0)
    model = kg.models.ACGAN(generator=g, discriminator=d, num_classes=K)
    model.compile(d_optimizer=H.sgd(), g_optimizer=H.sgd())
    H.fixed_noise(model, [z])
    model.train_step((tf.constant(real), tf.constant(labels)))

    def heads(x, wa, ba, wc, bc):
        return x @ wa + ba, x @ wc + bc

    fake0 = _g_forward(z, labels, wg, bg, emb_g)

    def d_objective(*w):
        (r_adv, r_cls), (f_adv, f_cls) = heads(tf.constant(real), *w), heads(fake0, *w)
        return (H.d_loss("non_saturating", r_adv, f_adv) + _ce(labels, r_cls)
                + _ce(labels, f_cls))

    exp_d = H.descend(dw, d_objective)

    def g_objective(e, w, b):
        f_adv, f_cls = heads(_g_forward(z, labels, w, b, e), *exp_d)
        return H.g_loss("non_saturating", f_adv) + _ce(labels, f_cls)

    exp_g = H.descend([emb_g, wg, bg], g_objective)
    H.assert_weights(d, exp_d, "AC-GAN D")
    H.assert_weights(g, exp_g, "AC-GAN G")


# -- BigGAN -----------------------------------------------------------------------------


def test_biggan_two_hinge_d_steps_and_orthogonal_regularisation_equal_hand_gradients():
    """BigGAN's game: 2 hinge D steps (fresh noise each), then G's hinge loss plus beta x
    sum over G's kernels (not the shared class embedding) of ||W^T W (1 - I)||_F^2.
    Catches: the orthogonal term dropped, unweighted, subtracted, applied to the shared
    embedding, or its diagonal (the filter norms) penalised too; d_steps ignored."""
    rng = np.random.default_rng(14)
    zin = keras.Input((LATENT,))
    yin = keras.Input((), dtype="int32")
    shared = keras.layers.Embedding(K, DIM, name="shared_embedding")(yin)
    g = keras.Model([zin, yin], keras.layers.Add()([H.dense(zin, DIM, "g_dense"), shared]))
    assert [w.path for w in g.weights] == ["g_dense/kernel", "g_dense/bias",
                                           "shared_embedding/embeddings"]
    wg, bg, emb_g = H.set_weights(g, [H.rng_array(rng, (LATENT, DIM), 1.0),
                                      H.rng_array(rng, (DIM,), 0.1),
                                      H.rng_array(rng, (K, DIM), 1.0)])
    x = keras.Input((DIM,))
    y = keras.Input((), dtype="int32")
    projection = keras.layers.Dot(axes=1)([x, keras.layers.Embedding(K, DIM, name="d_e")(y)])
    d = keras.Model([x, y], keras.layers.Add()([H.dense(x, 1, "d_dense"), projection]))
    dw = H.set_weights(d, [H.rng_array(rng, (K, DIM), 0.3), H.rng_array(rng, (DIM, 1), 0.3),
                           H.rng_array(rng, (1,), 0.1)])
    real = H.rng_array(rng, (BATCH, DIM), 0.5)
    labels = np.array([2, 2, 0, 1], "int32")
    zs = [H.rng_array(rng, (BATCH, LATENT), 1.0) for _ in range(2)]
    beta = 0.05
    model = kg.models.BigGAN(generator=g, discriminator=d, num_classes=K)
    model.compile(d_optimizer=H.sgd(), g_optimizer=H.sgd(), orthogonal_regularization=beta)
    assert model.d_steps == 2 and isinstance(model.loss_fn, kg.losses.Hinge)
    H.fixed_noise(model, zs)
    model.train_step((tf.constant(real), tf.constant(labels)))

    def critic(x, emb_d, wd, bd):
        return x @ wd + bd + tf.reduce_sum(tf.gather(emb_d, labels) * x, 1, keepdims=True)

    exp_d = dw
    for z in zs:
        fake = _g_forward(z, labels, wg, bg, emb_g)
        exp_d = H.descend(exp_d, lambda *w, fake=fake: H.d_loss(
            "hinge", critic(tf.constant(real), *w), critic(fake, *w)))

    def g_objective(w, b, e):
        gram = tf.transpose(w) @ w                 # DIM x DIM: one entry per pair of filters
        off_diagonal = gram * (1.0 - tf.eye(DIM))
        ortho = tf.reduce_sum(off_diagonal ** 2)   # the embedding is not regularised
        return (H.g_loss("hinge", critic(_g_forward(zs[-1], labels, w, b, e), *exp_d))
                + beta * ortho)

    exp_g = H.descend([wg, bg, emb_g], g_objective)
    H.assert_weights(d, exp_d, "BigGAN D")
    H.assert_weights(g, exp_g, "BigGAN G")


# -- StyleGAN ---------------------------------------------------------------------------

W_DIM, SIDE = 2, 2


def _style_players(rng):
    z = keras.Input((LATENT,))
    mapping = keras.Model(z, H.dense(z, W_DIM, "map"), name="mapping")
    ws = keras.Input((2, W_DIM))
    image = keras.layers.Add()([H.dense(ws[:, 0], SIDE * SIDE, "coarse", use_bias=False),
                                H.dense(ws[:, 1], SIDE * SIDE, "fine", use_bias=False)])
    synthesis = keras.Model(ws, keras.layers.Reshape((SIDE, SIDE, 1))(image), name="synthesis")
    w = mapping(z)
    generator = keras.Model(z, synthesis(keras.ops.repeat(w[:, None], 2, axis=1)))
    gw = H.set_weights(generator, [H.rng_array(rng, (LATENT, W_DIM), 1.0),
                                   H.rng_array(rng, (W_DIM,), 0.1),
                                   H.rng_array(rng, (W_DIM, SIDE * SIDE), 1.0),
                                   H.rng_array(rng, (W_DIM, SIDE * SIDE), 1.0)])
    x = keras.Input((SIDE, SIDE, 1))
    hidden = H.dense(keras.layers.Flatten()(x), 3, "d_hidden", activation="tanh")
    d = keras.Model(x, H.dense(hidden, 1, "d_out"))
    dw = H.set_weights(d, [H.rng_array(rng, (SIDE * SIDE, 3), 1.0), H.rng_array(rng, (3,), 0.1),
                           H.rng_array(rng, (3, 1), 1.0), H.rng_array(rng, (1,), 0.1)])
    return generator, d, gw, dw


def _style_images(z1, z2, wm, bm, wc, wf):
    """Style mixing from layer 1: the coarse layer takes w(z1), the fine one w(z2)."""
    w1, w2 = tf.constant(z1) @ wm + bm, tf.constant(z2) @ wm + bm
    return tf.reshape(w1 @ wc + w2 @ wf, (-1, SIDE, SIDE, 1))


def _mlp_critic(x, w1, b1, w2, b2):
    return tf.tanh(tf.reshape(x, (-1, SIDE * SIDE)) @ w1 + b1) @ w2 + b2


def test_stylegan_steps_with_mixing_and_lazy_r1_equal_hand_gradients():
    """Two StyleGAN steps, mixing probability 1 with two style layers (so the crossover is
    always layer 1: coarse from z1, fine from z2), R1 (weight 0.5) lazy every 2 D steps: on
    the first step times 2, on the second not at all; the non-saturating game; w_avg moves
    towards the batch's mean w(z1) with beta 0.9. Catches: the mixed styles swapped or not
    mixed, the lazy interval ignored or unscaled, R1 on fakes or subtracted, the generator
    ascending, a w_avg that swaps beta and 1 - beta."""
    rng = np.random.default_rng(15)
    generator, d, gw, dw = _style_players(rng)
    real = H.rng_images(rng, (BATCH, SIDE, SIDE, 1), 1.0)
    zs = [H.rng_array(rng, (BATCH, LATENT), 1.0) for _ in range(4)]
    model = kg.models.StyleGAN(generator=generator, discriminator=d, mixing_prob=1.0,
                               w_avg_beta=0.9)
    model.compile(d_optimizer=H.sgd(), g_optimizer=H.sgd(),
                  penalties=[penalties.R1(0.5, interval=2)])
    H.fixed_noise(model, zs)
    w_avg0 = H.rng_array(rng, (W_DIM,), 1.0)
    model.w_avg.assign(w_avg0)

    model.train_step(tf.constant(real))
    mean_w = (zs[0] @ gw[0] + gw[1]).mean(axis=0)
    np.testing.assert_allclose(model.w_avg.numpy(), 0.1 * mean_w + 0.9 * w_avg0, rtol=1e-5,
                               atol=1e-6)
    model.train_step(tf.constant(real))

    exp_g, exp_d = gw, dw
    for step in range(2):
        z1, z2 = zs[2 * step], zs[2 * step + 1]
        fake = _style_images(z1, z2, *exp_g)

        def d_objective(*w, fake=fake, step=step):
            value = H.d_loss("non_saturating", _mlp_critic(tf.constant(real), *w),
                             _mlp_critic(fake, *w))
            if step == 0:
                x = tf.constant(real)
                with tf.GradientTape() as inner:
                    inner.watch(x)
                    out = tf.reduce_sum(_mlp_critic(x, *w))
                grad_x = inner.gradient(out, x)
                r1 = tf.reduce_mean(tf.reduce_sum(grad_x ** 2, axis=[1, 2, 3]))
                value += 0.5 * 2 * r1
            return value

        exp_d = H.descend(exp_d, d_objective)
        exp_g = H.descend(exp_g, lambda *w, z1=z1, z2=z2: H.g_loss(
            "non_saturating", _mlp_critic(_style_images(z1, z2, *w), *exp_d)))
    H.assert_weights(d, exp_d, "StyleGAN D")
    H.assert_weights(generator, exp_g, "StyleGAN G")


# -- ProGAN -----------------------------------------------------------------------------


def _downsample_up(images):
    """2x2 average pooling, then nearest-neighbour upsampling, in numpy."""
    n, h, w, c = images.shape
    pooled = images.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))
    return pooled.repeat(2, axis=1).repeat(2, axis=2)


def test_progan_step_mid_fade_sees_blended_real_images_and_its_penalties():
    """ProGAN mid-fade at 8x8 (alpha 0.3): the critic sees real images as (1 - alpha) x
    their upsampled half-resolution version + alpha x the full ones; its loss is
    Wasserstein + 10 x (||grad|| - 1)^2 + drift x E[D(real)^2] (the drift weight raised to
    0.5 so that its gradient is far above rounding). Afterwards alpha moves one fade step.
    Catches: alpha and 1 - alpha swapped in the blend, the drift term on fakes, dropped or
    subtracted, the schedule not advanced."""
    rng = np.random.default_rng(16)
    side, latent = 8, 2
    z_in = keras.Input((latent,))
    g = keras.Model(z_in, keras.layers.Reshape((side, side, 1))(H.dense(z_in, side * side, "g")))
    gw = H.set_weights(g, [H.rng_array(rng, (latent, side * side), 0.3),
                           H.rng_array(rng, (side * side,), 0.1)])
    x_in = keras.Input((side, side, 1))
    d = keras.Model(x_in, H.dense(keras.layers.Flatten()(x_in), 1, "d"))
    dw = H.set_weights(d, [H.scaled_to_norm(H.rng_array(rng, (side * side, 1)), 0.7),
                           H.rng_array(rng, (1,), 0.1)])
    real = H.rng_images(rng, (BATCH, side, side, 1), 1.0)
    z = H.rng_array(rng, (BATCH, latent), 1.0)
    model = kg.models.ProGAN(generator=g, discriminator=d, fade_steps=10, stable_steps=10)
    model.compile(d_optimizer=H.sgd(), g_optimizer=H.sgd(),
                  penalties=[penalties.GradientPenalty(10.0), penalties.Drift(0.5)])
    model.set_growth(1, 0.3)
    H.fixed_noise(model, [z])
    model.train_step(tf.constant(real))

    low = _downsample_up(real)
    shown = tf.constant((low + 0.3 * (real - low)).reshape(BATCH, -1))

    def G(z, w, b):
        return tf.constant(z) @ w + b

    def d_objective(w, b):
        real_out, fake_out = shown @ w + b, G(z, *gw) @ w + b
        return (H.d_loss("wasserstein", real_out, fake_out) + 10.0 * (tf.norm(w) - 1.0) ** 2
                + 0.5 * tf.reduce_mean(real_out ** 2))

    exp_d = H.descend(dw, d_objective)
    exp_g = H.descend(gw, lambda w, b: H.g_loss("wasserstein", G(z, w, b) @ exp_d[0] + exp_d[1]))
    H.assert_weights(d, exp_d, "ProGAN critic")
    H.assert_weights(g, exp_g, "ProGAN G")
    assert int(model.stage.numpy()) == 1
    np.testing.assert_allclose(float(model.alpha.numpy()), 0.4, rtol=1e-6)


# -- TabularGAN -------------------------------------------------------------------------


def test_tabular_gan_step_adds_the_condition_cross_entropy_to_g():
    """CTGAN's game: WGAN-GP critic on [row, condition]; G minimises -E[D(G(z, c))] + w x
    cross-entropy between the condition c and G's output block of the chosen column
    (-sum c log(block), averaged). G here passes c through to the end of its output and
    draws the row part with a sigmoid (positive, so the logarithm is defined). Catches: the
    cross-entropy dropped, unweighted, signed wrong, or read from the wrong positions of
    the row."""
    rng = np.random.default_rng(17)
    table = {"a": rng.normal(0, 1, 40), "c": rng.choice(["u", "v", "w"], 40),
             "d": rng.choice(["p", "q"], 40)}
    transformer = kg.data.tabular.get(table)
    row_dim = transformer.output_dim
    slots = np.concatenate([np.arange(start, start + size)
                            for _, start, size in transformer.categorical_spans])
    cond_dim = len(slots)
    assert cond_dim == 5
    noise = 2
    z_in = keras.Input((noise + cond_dim,))
    row = H.dense(z_in, row_dim, "g_row", activation="sigmoid")
    g = keras.Model(z_in, keras.layers.Concatenate()([row, z_in[:, noise:]]))
    gw = H.set_weights(g, [H.rng_array(rng, (noise + cond_dim, row_dim), 1.0),
                           H.rng_array(rng, (row_dim,), 0.1)])
    d = H.linear_model(row_dim + cond_dim, 1, "d")
    dw = H.set_weights(d, [H.scaled_to_norm(H.rng_array(rng, (row_dim + cond_dim, 1)), 0.6),
                           H.rng_array(rng, (1,), 0.1)])
    options = rng.integers(0, cond_dim, BATCH)
    latent = np.concatenate([H.rng_array(rng, (BATCH, noise), 1.0),
                             np.eye(cond_dim, dtype="float32")[options]], axis=1)
    real = np.concatenate([rng.uniform(0, 1, (BATCH, row_dim)),
                           np.eye(cond_dim)[rng.integers(0, cond_dim, BATCH)]],
                          axis=1).astype("float32")
    model = kg.models.TabularGAN(transformer, latent_dim=noise, generator=g, discriminator=d,
                                 condition_weight=0.6)
    model.compile(d_optimizer=H.sgd(), g_optimizer=H.sgd())
    H.fixed_noise(model, [latent])
    model.train_step(tf.constant(real))

    def G(w, b):
        x = tf.constant(latent)
        return tf.concat([tf.sigmoid(x @ w + b), x[:, noise:]], axis=1)

    fake0 = G(*gw)
    exp_d = H.descend(dw, lambda w, b: H.d_loss("wasserstein", tf.constant(real) @ w + b,
                                                fake0 @ w + b) + 10.0 * (tf.norm(w) - 1.0) ** 2)

    def g_objective(w, b):
        fake = G(w, b)
        chosen = tf.gather(fake[:, :row_dim], slots, axis=1)
        cross_entropy = -tf.reduce_mean(tf.reduce_sum(latent[:, noise:] * tf.math.log(
            chosen + 1e-8), axis=1))
        return H.g_loss("wasserstein", fake @ exp_d[0] + exp_d[1]) + 0.6 * cross_entropy

    exp_g = H.descend(gw, g_objective)
    H.assert_weights(d, exp_d, "TabularGAN D")
    H.assert_weights(g, exp_g, "TabularGAN G")


def test_stylegan_lazy_path_length_in_the_generator_step_equals_hand_gradients():
    """Path length (weight 0.5, decay 0.2, every 2 G steps) in StyleGAN's G step: on the
    first step G descends the non-saturating loss + 0.5 x 2 x E[(|J_w^T y| - a)^2] with
    a = a0 + 0.2 (mean length - a0) saved as pl_mean; on the second, the loss alone and
    pl_mean stays. Styles are mixed as above; the synthesis is linear in the styles, so
    J_w^T y = [W_coarse y, W_fine y] / 2 (y over 2x2 pixels scaled by 1/sqrt(4)), written
    out here. y is read from a copy of the model's seed (after mixing's two draws).
    Catches: the penalty's lazy interval or weight ignored, its gradient not reaching G,
    the running mean not saved or moved on the steps that do not fire."""
    rng = np.random.default_rng(18)
    generator, d, gw, dw = _style_players(rng)
    real = H.rng_images(rng, (BATCH, SIDE, SIDE, 1), 1.0)
    zs = [H.rng_array(rng, (BATCH, LATENT), 1.0) for _ in range(4)]
    model = kg.models.StyleGAN(generator=generator, discriminator=d, mixing_prob=1.0)
    model.compile(d_optimizer=H.sgd(), g_optimizer=H.sgd(), penalties=[],
                  path_length=penalties.PathLength(weight=0.5, decay=0.2, interval=2))
    model.pl_mean.assign(0.3)
    probe = keras.random.SeedGenerator(0)
    probe.state.assign(model.seed_generator.state.value)
    keras.random.randint((), 1, 2, seed=probe)           # mixing's crossover layer
    keras.random.uniform((), seed=probe)                 # mixing's coin
    y = keras.random.normal((BATCH, SIDE, SIDE, 1), seed=probe).numpy().reshape(BATCH, -1)
    y = y / np.sqrt(SIDE * SIDE)
    H.fixed_noise(model, zs)

    model.train_step(tf.constant(real))
    pl_mean_after_first = float(model.pl_mean.numpy())
    model.train_step(tf.constant(real))

    exp_g, exp_d = gw, dw
    lengths0 = None
    for step in range(2):
        z1, z2 = zs[2 * step], zs[2 * step + 1]
        fake = _style_images(z1, z2, *exp_g)
        exp_d = H.descend(exp_d, lambda *w, fake=fake: H.d_loss(
            "non_saturating", _mlp_critic(tf.constant(real), *w), _mlp_critic(fake, *w)))

        def g_objective(wm, bm, wc, wf, z1=z1, z2=z2, step=step):
            nonlocal lengths0
            value = H.g_loss("non_saturating", _mlp_critic(_style_images(z1, z2, wm, bm, wc, wf),
                                                           *exp_d))
            if step == 0:
                coarse, fine = y @ tf.transpose(wc), y @ tf.transpose(wf)    # A_l y_b
                lengths = tf.sqrt(0.5 * (tf.reduce_sum(coarse ** 2, 1)
                                         + tf.reduce_sum(fine ** 2, 1)))
                lengths0 = tf.stop_gradient(lengths)
                a = 0.3 + 0.2 * (tf.reduce_mean(lengths0) - 0.3)
                value += 0.5 * 2 * tf.reduce_mean((lengths - a) ** 2)
            return value

        exp_g = H.descend(exp_g, g_objective)
    np.testing.assert_allclose(pl_mean_after_first,
                               0.3 + 0.2 * (float(tf.reduce_mean(lengths0)) - 0.3), rtol=1e-5)
    assert float(model.pl_mean.numpy()) == pl_mean_after_first
    H.assert_weights(d, exp_d, "StyleGAN D")
    H.assert_weights(generator, exp_g, "StyleGAN G with path length")
