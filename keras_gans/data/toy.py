"""The 2-D Gaussian mixtures used to measure mode collapse (VEEGAN, PacGAN).

* ``ring8``: 8 Gaussians evenly spaced on a circle of radius 1, standard deviation 0.01.
* ``grid25``: 25 Gaussians centred on the grid {-4, -2, 0, 2, 4}^2, standard deviation 0.05.

Both as in the synthetic experiments of PacGAN (Lin et al. 2018), with equal mode weights.
"""

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class GaussianMixture2D:
    name: str
    centers: np.ndarray
    std: float

    @property
    def num_modes(self):
        return len(self.centers)

    def sample(self, n, seed=None):
        """``n`` float32 points of shape (n, 2), and the index of the mode of each."""
        rng = np.random.default_rng(seed)
        modes = rng.integers(0, self.num_modes, size=n)
        points = self.centers[modes] + self.std * rng.standard_normal((n, 2))
        return points.astype("float32"), modes


def _ring(num_modes=8, radius=1.0):
    angles = 2 * np.pi * np.arange(num_modes) / num_modes
    return np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)


def _grid(side=5, spacing=2.0):
    coords = (np.arange(side) - (side - 1) / 2) * spacing
    return np.array([(x, y) for x in coords for y in coords], dtype="float64")


TOY_DISTRIBUTIONS = {
    "ring8": GaussianMixture2D("ring8", _ring(), 0.01),
    "grid25": GaussianMixture2D("grid25", _grid(), 0.05),
}


def get(name):
    if name not in TOY_DISTRIBUTIONS:
        raise ValueError(f"Unknown toy distribution '{name}'; known: "
                         f"{', '.join(sorted(TOY_DISTRIBUTIONS))}.")
    return TOY_DISTRIBUTIONS[name]
