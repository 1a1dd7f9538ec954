"""Pictures of samples: image grids and 2-D scatter plots, written as PNG with
TensorFlow's encoder (no plotting library needed)."""

import math
import os

import numpy as np
import tensorflow as tf


def _write_png(pixels, path):
    path = os.fspath(path)
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
    """Render 2-D points as a dark-on-white picture; ``reference`` points in light red.
    ``extent``: the (low, high) bounds of both axes, a number e for (-e, e), or None to fit
    the points."""
    points = np.asarray(points, dtype="float64")
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"Expected points of shape (n, 2); received {points.shape}.")
    finite = points[np.all(np.isfinite(points), axis=1)]
    if extent is None:
        bound = float(np.max(np.abs(finite))) * 1.1 if len(finite) else 0.0
        extent = (-bound, bound) if bound > 0 else (-1.0, 1.0)
    try:
        bounds = np.asarray(extent, dtype="float64")
    except (TypeError, ValueError):
        bounds = np.array([])
    if bounds.ndim == 0:
        bounds = np.array([-abs(bounds), abs(bounds)])
    if bounds.shape != (2,) or not bounds[0] < bounds[1]:
        raise ValueError(f"`extent` must be a number e (the square [-e, e]) or (low, high) "
                         f"with low < high; received {extent!r}.")
    lo, hi = bounds
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


def bin_edges(reference, bins):
    """Edges of ``bins`` bins of equal mass of the numbers ``reference`` (fewer where values
    repeat; equal widths when they are nearly all one value)."""
    ref = np.asarray(reference, dtype="float64")
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)))
    if len(edges) < 3:
        edges = np.linspace(ref.min(), ref.max() + 1e-9, bins + 1)
    return edges


def _histogram(values, categorical, edges_from, bins):
    """Shares of ``values`` per bin (numbers) or per category of ``edges_from``."""
    if categorical:
        cats = sorted({str(v) for v in edges_from})
        values = np.asarray([str(v) for v in values])
        return np.array([(values == c).mean() for c in cats])
    edges = bin_edges(edges_from, bins)
    counts, _ = np.histogram(np.clip(np.asarray(values, "float64"), edges[0], edges[-1]), edges)
    return counts / max(counts.sum(), 1)


def marginals_image(real, synthetic, categorical, ncols=4, panel=(120, 200), bins=20):
    """Per-column histograms, real (dark blue) beside synthetic (orange), one panel per
    column in column order, row by row. Numeric columns use 20 bins of equal real mass
    (quantiles of the real column), so a perfect match gives flat, equal bars; categorical
    columns have one pair of bars per real category, in sorted order."""
    names = list(real)
    rows_n = math.ceil(len(names) / ncols)
    h, w = panel
    canvas = np.full((rows_n * (h + 8) + 8, ncols * (w + 8) + 8, 3), 255, "uint8")
    for k, name in enumerate(names):
        top, left = 8 + (k // ncols) * (h + 8), 8 + (k % ncols) * (w + 8)
        canvas[top:top + h, left:left + w] = 245
        a = _histogram(real[name], name in categorical, real[name], bins)
        b = _histogram(synthetic[name], name in categorical, real[name], bins)
        scale = max(a.max(), b.max(), 1e-12)
        slot = w / len(a)
        for i, (pa, pb) in enumerate(zip(a, b)):
            x0 = left + int(i * slot)
            half = max(int(slot / 2) - 1, 1)
            for offset, p, color in ((0, pa, (20, 40, 120)), (half, pb, (240, 140, 30))):
                bar = int(round(p / scale * (h - 4)))
                if bar:
                    canvas[top + h - bar:top + h, x0 + offset:x0 + offset + half] = color
    return canvas


def save_marginals(real, synthetic, path, categorical=(), ncols=4):
    """Write ``marginals_image`` of two tables (dicts of columns) to a PNG; returns the path."""
    return _write_png(marginals_image(real, synthetic, set(categorical), ncols), path)
