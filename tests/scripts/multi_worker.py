"""One worker of a two-worker MultiWorkerMirroredStrategy run on 127.0.0.1, or the
one-device reference run of the same training.

    TF_CONFIG='{"cluster": {"worker": ["127.0.0.1:P0", "127.0.0.1:P1"]},
                "task": {"type": "worker", "index": I}}' \
        python tests/scripts/multi_worker.py OUT.npz
    python tests/scripts/multi_worker.py OUT.npz --one-device

Trains a tiny DCGAN for a few steps via kg.distribute.get_strategy() (the same seed, the
same global batches of 16) and saves each network's trainable weights before and after
training, and all final weights, to OUT.npz: the caller checks that the workers agree with
the one-device run and that every network moved.
"""

import sys

import keras
import numpy as np
import tensorflow as tf

import keras_gans as kg


def main(out_path, one_device=False):
    strategy = kg.distribute.get_strategy()
    expected = tf.distribute.Strategy if one_device else tf.distribute.MultiWorkerMirroredStrategy
    assert isinstance(strategy, expected) and (strategy.num_replicas_in_sync == 1) == one_device, \
        type(strategy)
    keras.utils.set_random_seed(0)
    with strategy.scope():
        model = kg.models.DCGAN(data_shape=(8, 8, 1), latent_dim=8)
        model.compile()
    nets = {"generator": model.generator, "discriminator": model.discriminator}
    arrays = {f"initial/{name}/{i}": w.numpy() for name, net in nets.items()
              for i, w in enumerate(net.trainable_weights)}
    x, _ = kg.data.load_digits_arrays()
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    ds = tf.data.Dataset.from_tensor_slices(x[:64]).batch(16, drop_remainder=True)
    model.fit(ds.with_options(options), epochs=1, verbose=0)
    arrays.update({f"final/{name}/{i}": w.numpy() for name, net in nets.items()
                   for i, w in enumerate(net.trainable_weights)})
    arrays.update({f"weights/{i}": w for i, w in enumerate(model.get_weights())})
    np.savez(out_path, **arrays)


if __name__ == "__main__":
    main(sys.argv[1], one_device="--one-device" in sys.argv[2:])
