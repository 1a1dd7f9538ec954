"""The self-supervised task of the ``anime`` evaluator: tell a real face from the same face
degraded in one of several ways, each a stand-in for a fault of generated faces.

- ``real``: the face unchanged (flipped left-right at random, which keeps it real).
- ``blur``: a Gaussian blur (sigma 1.2) mixed in at strength 0.4-1: faces without detail.
- ``noise``: Gaussian noise of standard deviation 0.03-0.15: grain and high-frequency
  artefacts.
- ``swap``: two of the 16 8x8 patches exchanged: a part in the wrong place (an eye on the
  cheek), locally incoherent structure.
- ``colour``: the RGB channels permuted (one of the five non-identity orders): off palettes,
  wrong skin and hair colours.
- ``blend``: 25-50% of another face mixed in: ghosting, two faces half-merged.
- ``cutout``: a 6-12 pixel square filled with the face's mean colour: a missing part.
- ``rotate``: turned by 90, 180 or 270 degrees: the global layout of a face.

Every transform works on a whole batch of float images in [-1, 1] (``(n, 32, 32, c)``) with
per-image random strengths, so one call per batch serves training and the held-out test.
"""

import numpy as np
import tensorflow as tf

DEGRADATIONS = ("real", "blur", "noise", "swap", "colour", "blend", "cutout", "rotate")
GRID = 4  # swap: the image is a GRID x GRID board of patches
CHANNEL_ORDERS = ((0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0))


def _gaussian_kernel(sigma, channels, radius=2):
    t = np.arange(-radius, radius + 1, dtype="float32")
    k = np.exp(-0.5 * (t / sigma) ** 2)
    k2 = np.outer(k, k) / np.outer(k, k).sum()
    return tf.constant(np.tile(k2[:, :, None, None], (1, 1, channels, 1)))


def _uniform(n, low, high, seed):
    return tf.random.stateless_uniform((n, 1, 1, 1), seed, low, high)


def gaussian_blur(x, sigma=1.2):
    """A 5x5 Gaussian blur of each channel, the border reflected."""
    padded = tf.pad(x, [[0, 0], [2, 2], [2, 2], [0, 0]], mode="REFLECT")
    kernel = _gaussian_kernel(sigma, x.shape[-1])
    return tf.nn.depthwise_conv2d(padded, kernel, [1, 1, 1, 1], "VALID")


def blur(x, seed):
    return x + _uniform(tf.shape(x)[0], 0.4, 1.0, seed) * (gaussian_blur(x) - x)


def noise(x, seed):
    std = _uniform(tf.shape(x)[0], 0.03, 0.15, seed)
    return x + std * tf.random.stateless_normal(tf.shape(x), seed + 1)


def swap_patches(x, seed):
    n, h, w, c = tf.shape(x)[0], x.shape[1], x.shape[2], x.shape[-1]
    ph, pw, cells = h // GRID, w // GRID, GRID * GRID
    patches = tf.reshape(x, (n, GRID, ph, GRID, pw, c))
    patches = tf.reshape(tf.transpose(patches, (0, 1, 3, 2, 4, 5)), (n, cells, ph, pw, c))
    i = tf.random.stateless_uniform((n, 1), seed, 0, cells, dtype="int32")
    # j != i: an offset of 1..cells-1 from i
    j = (i + tf.random.stateless_uniform((n, 1), seed + 1, 1, cells, dtype="int32")) % cells
    idx = tf.range(cells)[None]
    idx = tf.where(idx == i, j, tf.where(idx == j, i, idx))
    patches = tf.gather(patches, idx, axis=1, batch_dims=1)
    patches = tf.transpose(tf.reshape(patches, (n, GRID, GRID, ph, pw, c)), (0, 1, 3, 2, 4, 5))
    return tf.reshape(patches, (n, h, w, c))


def permute_colours(x, seed):
    orders = tf.constant(CHANNEL_ORDERS, dtype="int32")
    pick = tf.random.stateless_uniform((tf.shape(x)[0],), seed, 0, len(CHANNEL_ORDERS),
                                       dtype="int32")
    perm = tf.gather(orders, pick)  # (n, 3)
    moved = tf.gather(tf.transpose(x, (0, 3, 1, 2)), perm, axis=1, batch_dims=1)
    return tf.transpose(moved, (0, 2, 3, 1))


def blend(x, seed):
    other = tf.roll(x, shift=1, axis=0)  # another face of the batch
    return x + _uniform(tf.shape(x)[0], 0.25, 0.5, seed) * (other - x)


def cutout(x, seed):
    n, h, w = tf.shape(x)[0], x.shape[1], x.shape[2]
    size = tf.random.stateless_uniform((n, 1, 1), seed, 6, 13, dtype="int32")
    top = tf.random.stateless_uniform((n, 1, 1), seed + 1, 0, 1 << 16, dtype="int32")
    left = tf.random.stateless_uniform((n, 1, 1), seed + 2, 0, 1 << 16, dtype="int32")
    top, left = top % (h - size + 1), left % (w - size + 1)
    rows = tf.range(h)[None, :, None]
    cols = tf.range(w)[None, None, :]
    inside = (rows >= top) & (rows < top + size) & (cols >= left) & (cols < left + size)
    mean = tf.reduce_mean(x, axis=(1, 2), keepdims=True)
    return tf.where(inside[..., None], mean, x)


def rotate(x, seed):
    turns = tf.random.stateless_uniform((tf.shape(x)[0], 1, 1, 1), seed, 1, 4, dtype="int32")
    r90, r180 = tf.image.rot90(x, 1), tf.image.rot90(x, 2)
    r270 = tf.image.rot90(x, 3)
    return tf.where(turns == 1, r90, tf.where(turns == 2, r180, r270))


TRANSFORMS = {"blur": blur, "noise": noise, "swap": swap_patches, "colour": permute_colours,
              "blend": blend, "cutout": cutout, "rotate": rotate}


def degrade(images, labels, seed):
    """``images`` (n, h, w, 3) in [-1, 1] with each image turned into the degradation its
    label names (an index into ``DEGRADATIONS``; 0 leaves it real), clipped to [-1, 1].

    ``seed``: a stateless seed (two int32), so the same call gives the same images."""
    x = tf.convert_to_tensor(images, "float32")
    if x.shape.rank != 4 or x.shape[-1] != 3 or x.shape[1] % GRID or x.shape[2] % GRID:
        raise ValueError(f"degrade expects RGB images (n, h, w, 3) with h and w multiples of "
                         f"{GRID}; received shape {tuple(x.shape)}.")
    labels = tf.convert_to_tensor(labels, "int32")
    seed = tf.convert_to_tensor(seed, "int32")
    out = x
    for k, name in enumerate(DEGRADATIONS[1:], start=1):
        changed = TRANSFORMS[name](x, seed + 10 * k)
        out = tf.where(tf.reshape(labels == k, (-1, 1, 1, 1)), changed, out)
    return tf.clip_by_value(out, -1.0, 1.0)
