"""The run-time check that training images are scaled to [-1, 1].

A dtype check catches uint8 images at trace time, but float images in 0-255 (what
``keras.utils.image_dataset_from_directory`` yields) would train silently against a
generator whose tanh output cannot leave [-1, 1]: the discriminator wins at once and the
run is garbage. One reduction over the batch per step costs next to nothing; under XLA
(``jit_compile=True``) TensorFlow compiles assertions away, so the check is then skipped.
"""

import tensorflow as tf

# Resampling filters (bicubic, Lanczos) overshoot [-1, 1] a little; 0-255 images are far past.
LIMIT = 1.5


def checked(images, role="the real images"):
    """``images`` (float) after an assertion that no value's magnitude exceeds ``LIMIT``."""
    peak = tf.reduce_max(tf.abs(tf.cast(images, tf.float32)))
    message = (f"Expected {role} scaled to [-1, 1], but a batch holds values beyond "
               f"+-{LIMIT}. Scale 0-255 images with x / 127.5 - 1 and [0, 1] images with "
               f"2 * x - 1 (keras.utils.image_dataset_from_directory yields 0-255; "
               f"kg.data.load scales for you). The batch's largest magnitude:")
    with tf.control_dependencies([tf.debugging.assert_less_equal(
            peak, tf.constant(LIMIT, tf.float32), message=message, summarize=1)]):
        return tf.identity(images)
