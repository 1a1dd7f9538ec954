"""Train N steps on one device and under MirroredStrategy over two logical CPUs, from the
same weights, seed and global batches; print the largest weight difference per variant.

Run as a script (logical devices must be set before TensorFlow initialises):
    python tests/scripts/mirrored_equivalence.py dcgan wgan-gp
"""

import json
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gans as kg  # noqa: E402

STEPS, GLOBAL_BATCH = 3, 16


def train(variant, strategy, initial):
    with strategy.scope():
        model = kg.models.get(variant)(image_shape=(8, 8, 1), latent_dim=8)
        model.compile()
        if initial is not None:
            model.set_weights(initial["weights"])
            model.seed_generator.state.assign(initial["seed"])
    start = {"weights": model.get_weights(), "seed": model.seed_generator.state.numpy()}
    x, _ = kg.data.load_digits_arrays()
    ds = tf.data.Dataset.from_tensor_slices(x[:GLOBAL_BATCH * STEPS])
    model.fit(ds.batch(GLOBAL_BATCH, drop_remainder=True), epochs=1, verbose=0)
    return model, start


def main(variants):
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert mirrored.num_replicas_in_sync == 2
    report = {}
    for variant in variants:
        keras.utils.set_random_seed(0)
        single, start = train(variant, tf.distribute.get_strategy(), None)
        multi, _ = train(variant, mirrored, start)
        diffs = [float(np.max(np.abs(a - b))) if a.size else 0.0
                 for a, b in zip(single.get_weights(), multi.get_weights())]
        moved = max(float(np.max(np.abs(a - b))) if a.size else 0.0
                    for a, b in zip(single.get_weights(), start["weights"]))
        report[variant] = {"max_abs_diff": max(diffs), "max_weight_change": moved,
                           "d_iterations": int(multi.d_optimizer.iterations.numpy())}
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1:])
