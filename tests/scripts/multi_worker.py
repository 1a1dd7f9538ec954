"""One worker of a two-worker MultiWorkerMirroredStrategy run on 127.0.0.1.

    TF_CONFIG='{"cluster": {"worker": ["127.0.0.1:P0", "127.0.0.1:P1"]},
                "task": {"type": "worker", "index": I}}' \
        python tests/scripts/multi_worker.py OUT.npz

Trains a tiny DCGAN for a few steps via kg.distribute.get_strategy() and saves the final
weights to OUT.npz, so the caller can check that the workers agree.
"""

import sys

import keras
import numpy as np
import tensorflow as tf

import keras_gans as kg


def main(out_path):
    strategy = kg.distribute.get_strategy()
    assert isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy), type(strategy)
    keras.utils.set_random_seed(0)
    with strategy.scope():
        model = kg.models.DCGAN(image_shape=(8, 8, 1), latent_dim=8)
        model.compile()
    x, _ = kg.data.load_digits_arrays()
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    ds = tf.data.Dataset.from_tensor_slices(x[:64]).batch(16, drop_remainder=True)
    model.fit(ds.with_options(options), epochs=1, verbose=0)
    np.savez(out_path, *model.get_weights())


if __name__ == "__main__":
    main(sys.argv[1])
