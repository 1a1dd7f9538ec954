"""k-nearest-neighbour radii and ball membership in feature space, computed in row chunks
so that memory stays at ``chunk * n`` distances."""

import numpy as np


def _sq_distances(a, b):
    a, b = np.asarray(a, "float64"), np.asarray(b, "float64")
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.maximum(d, 0.0)


def kth_neighbour_radii(x, k, chunk=1024):
    """Distance from each row of ``x`` to its k-th nearest other row."""
    if len(x) <= k:
        raise ValueError(f"k-NN radii with k={k} need more than {k} samples; received "
                         f"{len(x)}.")
    radii = np.empty(len(x))
    for i in range(0, len(x), chunk):
        d = _sq_distances(x[i:i + chunk], x)
        # The k+1-th smallest includes the point itself at distance 0.
        radii[i:i + chunk] = np.sqrt(np.partition(d, k, axis=1)[:, k])
    return radii


def ball_counts(queries, centres, radii, chunk=1024):
    """For each query, how many balls ``B(centres[j], radii[j])`` contain it."""
    counts = np.empty(len(queries), "int64")
    for i in range(0, len(queries), chunk):
        d = np.sqrt(_sq_distances(queries[i:i + chunk], centres))
        counts[i:i + chunk] = (d <= radii[None, :]).sum(axis=1)
    return counts


def nearest_distances(queries, points, chunk=1024):
    """Distance from each query to its nearest row of ``points``."""
    out = np.empty(len(queries))
    for i in range(0, len(queries), chunk):
        out[i:i + chunk] = np.sqrt(_sq_distances(queries[i:i + chunk], points).min(axis=1))
    return out
