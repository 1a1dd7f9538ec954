"""scikit-learn's 8x8 handwritten digits: 1,797 images that ship with the package, so the
default run and the tests need no download."""

import numpy as np


def load_digits_arrays(image_size=None):
    """Images as float32 (n, h, w, 1) in [-1, 1] and int32 labels 0-9.

    ``image_size`` (h, w) or an int resizes with bilinear interpolation; the native size
    is 8x8 (pixel values 0-16 in scikit-learn).
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images.astype("float32") / 8.0 - 1.0)[..., None]
    if image_size is not None:
        import tensorflow as tf

        size = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
        images = tf.image.resize(images, size, method="bilinear").numpy()
        images = np.clip(images, -1.0, 1.0)
    return images.astype("float32"), digits.target.astype("int32")
