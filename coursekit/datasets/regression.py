"""1-D regression targets for the universal-approximation part of notebook 04.

``x`` is an evenly spaced grid (sorted, so a line plot of ``(x, t)`` draws the curve) and ``t``
is the target function on it, optionally with Gaussian noise.
"""
from __future__ import annotations

import numpy as np

from ..errors import choose, non_negative, positive_int, rng_from

__all__ = ["regression_1d", "REGRESSION_TARGETS"]

# Each target maps x in [-1, 1] to a value in about [-1, 1].
REGRESSION_TARGETS = {
    "sine": lambda x: np.sin(np.pi * x),
    "step": lambda x: np.where(x >= 0.0, 1.0, 0.0),
    "bump": lambda x: np.where(np.abs(x) <= 0.5, 1.0, 0.0),  # the square pulse of two sigmoids
    "gauss": lambda x: np.exp(-(x / 0.3) ** 2),
    "abs": lambda x: np.abs(x),
    "wiggle": lambda x: np.sin(3 * np.pi * x) * (1 - x ** 2),
}


def regression_1d(name="sine", n: int = 200, noise: float = 0.0, seed=0, x_range=(-1.0, 1.0)):
    """A 1-D function sampled on a grid.

    Parameters
    ----------
    name : str or callable
        One of ``"sine"`` (sin(pi x)), ``"step"`` (0 left of 0, 1 from 0 on), ``"bump"``
        (1 on [-0.5, 0.5], else 0), ``"gauss"``, ``"abs"``, ``"wiggle"``; or any callable mapping
        an (n,) array to an (n,) array.
    n : int
        Number of points.
    noise : float
        Standard deviation of the Gaussian noise added to the targets.
    x_range : (low, high)
        The interval of the grid, ends included.

    Returns
    -------
    x : (n,) float64, sorted
    t : (n,) float64
    """
    n = positive_int(n, "n", minimum=2)
    noise = non_negative(noise, "noise")
    low, high = (float(v) for v in x_range)
    if not low < high:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range!r}")
    if callable(name):
        target = name
    else:
        target = REGRESSION_TARGETS[choose(name, tuple(REGRESSION_TARGETS), "target")]
    x = np.linspace(low, high, n)
    t = np.asarray(target(x), dtype=np.float64)
    if t.shape != x.shape:
        raise ValueError(f"the target function must return one value per point, shape {x.shape}, got {t.shape}")
    if noise:
        t = t + noise * rng_from(seed).standard_normal(n)
    return x, t
