"""Export a GAN's generator for serving, as a TensorFlow SavedModel (Keras 3 ``ExportArchive``).

The SavedModel has two signatures, both returning ``{"images": ...}`` (float32, images in
[-1, 1]):

* ``serving_default(seeds)``: int64 seeds of shape (n,); each seed gives one latent vector
  from TensorFlow's stateless normal generator, so the same seed gives the same image in
  every call and on every server. (These are not the vectors of ``GAN.generate(seed=...)``,
  which draws from numpy.)
* ``from_latent(z)``: float32 latent vectors of shape (n, latent_dim).

A class-conditional generator (CGAN, AC-GAN, BigGAN) takes ``labels`` too in both
signatures: int64 class labels of shape (n,), one per seed or latent vector.

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
    classes = model.label_classes

    def images(z, labels=None):
        inputs = z if classes is None else [z, model.network_labels(tf.cast(labels, tf.int32))]
        return {"images": net(inputs, training=False)}

    def latents(seeds):
        seeds = tf.cast(seeds, tf.int64)
        z = tf.map_fn(lambda s: tf.random.stateless_normal([latent_dim], seed=tf.stack([s, 0])),
                      seeds, fn_output_signature=tf.float32)
        return tf.reshape(z, [-1, latent_dim])

    seeds_spec = tf.TensorSpec([None], tf.int64, name="seeds")
    z_spec = tf.TensorSpec([None, latent_dim], tf.float32, name="z")
    archive = keras.export.ExportArchive()
    archive.track(net)
    if classes is None:
        archive.add_endpoint("serving_default", lambda seeds: images(latents(seeds)),
                             input_signature=[seeds_spec])
        archive.add_endpoint("from_latent", images, input_signature=[z_spec])
    else:
        labels_spec = tf.TensorSpec([None], tf.int64, name="labels")
        archive.add_endpoint("serving_default",
                             lambda seeds, labels: images(latents(seeds), labels),
                             input_signature=[seeds_spec, labels_spec])
        archive.add_endpoint("from_latent", images, input_signature=[z_spec, labels_spec])
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    archive.write_out(path, verbose=False)
    return path
