"""benchmarks/flops.py counts a step's arithmetic from the layers' shapes."""

import os
import sys

import keras

import keras_gans as kg

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
import flops  # noqa: E402


def test_forward_macs_counts_convolutions_and_dense_layers_by_hand():
    x = keras.Input((8, 8, 3))
    y = keras.layers.Conv2D(4, 3, padding="same")(x)          # 64 px * 3*3*3*4 = 6,912
    y = keras.layers.Conv2D(2, 1, strides=2)(y)               # 16 px * 4*2 = 128
    y = keras.layers.Flatten()(y)
    y = keras.layers.Dense(5)(y)                              # 32 * 5 = 160
    assert flops.forward_macs(keras.Model(x, y)) == 6912 + 128 + 160


def test_forward_macs_counts_layers_inside_wrappers_at_the_wrappers_shapes():
    x = keras.Input((8, 8, 3))
    y = keras.layers.SpectralNormalization(keras.layers.Conv2D(4, 3, padding="same"))(x)
    y = keras.layers.GlobalAveragePooling2D()(y)
    y = keras.layers.SpectralNormalization(keras.layers.Dense(2))(y)
    assert flops.forward_macs(keras.Model(x, y)) == 6912 + 4 * 2


def test_forward_macs_enters_nested_models_and_style_layers():
    model = kg.models.StyleGAN(data_shape=(8, 8, 1), latent_dim=8, style="modulated",
                               mapping_layers=1, fmap_base=32, max_filters=8)
    mapping = flops.forward_macs(model.mapping)
    assert mapping == 8 * 8                                  # one 8x8 dense layer
    assert flops.forward_macs(model.generator) > mapping
    # 4x4: a 3x3 modulated conv 8 -> 8 on 16 pixels, its affine 8x8 and its to_rgb
    assert flops.forward_macs(model.synthesis) >= 16 * 9 * 8 * 8


def test_step_flops_follow_the_passes_of_the_shared_loop():
    assert flops.step_flops(1, 0) == 2 * 3        # G forward, then G backward (x2)
    assert flops.step_flops(0, 1) == 2 * 8        # D: 6 in its update, 2 in G's
    assert flops.step_flops(0, 1, d_steps=5) == 2 * (30 + 2)


def test_conv_peak_times_with_the_clock_it_is_given():
    ticks = iter(range(100))
    # Each timing reads the clock twice, one tick apart: 1 s for 2 repeats, 0.5 s a call.
    rate = flops.conv_peak(channels=2, size=4, batch=1, repeats=2, clock=lambda: next(ticks))
    assert rate == 2 * 1 * 4 * 4 * 9 * 2 * 2 / 0.5 / 1e9


def test_conv_peak_runs_in_the_arithmetic_it_is_given(monkeypatch):
    import tensorflow as tf

    seen = []
    conv2d = tf.nn.conv2d
    monkeypatch.setattr(tf.nn, "conv2d", lambda x, k, *a, **kw: (seen.append(x.dtype),
                                                                 conv2d(x, k, *a, **kw))[1])
    flops.conv_peak(channels=2, size=4, batch=1, repeats=1, dtype="bfloat16")
    assert seen and set(seen) == {tf.bfloat16}
