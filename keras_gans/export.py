"""Export a GAN's generator for serving, as a TensorFlow SavedModel (Keras 3 ``ExportArchive``).

The SavedModel has two signatures, both returning ``{"images": ...}`` (float32, images in
[-1, 1]):

* ``serving_default(seeds)``: int64 seeds of shape (n,); each seed gives one latent vector
  from TensorFlow's stateless normal generator, so the same seed gives the same image in
  every call and on every server. (These are not the vectors of ``GAN.generate(seed=...)``,
  which draws from numpy.)
* ``from_latent(z)``: float32 latent vectors of shape (n, latent_dim).

    reloaded = tf.saved_model.load("export/dcgan-mnist")
    images = reloaded.signatures["serving_default"](seeds=tf.constant([0, 1, 2], tf.int64))
"""

import os

import keras
import tensorflow as tf


def export(model, path, format="savedmodel"):
    """Write ``model``'s generator (its EMA copy if any) to ``path``; returns ``path``."""
    if format != "savedmodel":
        raise ValueError(f"Unknown export format {format!r}; supported: 'savedmodel'. For a "
                         f"Keras file use model.save('model.keras').")
    net, latent_dim = model.latent_network()
    latent_dim = int(latent_dim)

    def from_latent(z):
        return {"images": net(z, training=False)}

    def from_seeds(seeds):
        seeds = tf.cast(seeds, tf.int64)
        z = tf.map_fn(lambda s: tf.random.stateless_normal([latent_dim], seed=tf.stack([s, 0])),
                      seeds, fn_output_signature=tf.float32)
        return {"images": net(tf.reshape(z, [-1, latent_dim]), training=False)}

    archive = keras.export.ExportArchive()
    archive.track(net)
    archive.add_endpoint("serving_default", from_seeds,
                         input_signature=[tf.TensorSpec([None], tf.int64, name="seeds")])
    archive.add_endpoint("from_latent", from_latent,
                         input_signature=[tf.TensorSpec([None, latent_dim], tf.float32,
                                                        name="z")])
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    archive.write_out(path, verbose=False)
    return path
