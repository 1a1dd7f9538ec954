"""Pictures of samples: image grids and 2-D scatter plots, written as PNG with
TensorFlow's encoder (no plotting library needed)."""

import math
import os

import numpy as np
import tensorflow as tf


def _write_png(pixels, path):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tf.io.write_file(path, tf.io.encode_png(tf.convert_to_tensor(pixels, tf.uint8)))
    return path


def image_grid(images, ncols=None, padding=2):
    """Tile images of shape (n, h, w, c) with values in [-1, 1] into one uint8 picture."""
    images = np.asarray(images, dtype="float32")
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
        raise ValueError(f"Expected images of shape (n, height, width, 1|3|4); received "
                         f"{images.shape}. For 2-D points use save_scatter.")
    n, h, w, c = images.shape
    ncols = ncols or int(math.ceil(math.sqrt(n)))
    nrows = int(math.ceil(n / ncols))
    pixels = np.round((np.clip(images, -1, 1) + 1) * 127.5).astype("uint8")
    grid = np.full((nrows * (h + padding) + padding, ncols * (w + padding) + padding, c),
                   255, "uint8")
    for i in range(n):
        r, col = divmod(i, ncols)
        top, left = padding + r * (h + padding), padding + col * (w + padding)
        grid[top:top + h, left:left + w] = pixels[i]
    return grid


def save_grid(images, path, ncols=None):
    """Write a grid of images in [-1, 1] to a PNG file; returns the path."""
    return _write_png(image_grid(images, ncols), path)


def scatter_image(points, extent=None, size=400, reference=None):
    """Render 2-D points as a dark-on-white picture; ``reference`` points in light red."""
    points = np.asarray(points, dtype="float64")
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"Expected points of shape (n, 2); received {points.shape}.")
    finite = points[np.all(np.isfinite(points), axis=1)]
    if extent is None:
        bound = float(np.max(np.abs(finite))) * 1.1 if len(finite) else 0.0
        extent = (-bound, bound) if bound > 0 else (-1.0, 1.0)
    lo, hi = extent
    canvas = np.full((size, size, 3), 255, "uint8")

    def draw(pts, color):
        pix = np.round((pts - lo) / (hi - lo) * (size - 1)).astype(int)
        keep = np.all((pix >= 0) & (pix < size), axis=1)
        cols, rows = pix[keep, 0], size - 1 - pix[keep, 1]
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                canvas[np.clip(rows + dr, 0, size - 1), np.clip(cols + dc, 0, size - 1)] = color

    if reference is not None:
        draw(np.asarray(reference, dtype="float64"), (250, 170, 170))
    draw(finite, (20, 40, 120))
    return canvas


def save_scatter(points, path, extent=None, reference=None):
    """Write a scatter plot of 2-D points to a PNG file; returns the path."""
    return _write_png(scatter_image(points, extent, reference=reference), path)


def save_samples(samples, path):
    """A grid for images, a scatter plot for 2-D points."""
    samples = np.asarray(samples)
    if samples.ndim == 2 and samples.shape[1] == 2:
        return save_scatter(samples, path)
    return save_grid(samples, path)
