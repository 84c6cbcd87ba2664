"""Two-dimensional classification sets: spiral, XOR clouds, blobs, moons, circles.

Every function returns ``(X, y)`` with ``X`` of shape (N, 2), dtype float64, and ``y`` of shape
(N,), dtype int64, labels 0 .. n_classes-1, ordered class by class. All are deterministic given
``seed``. Notebooks 01-06 draw them with ``coursekit.plotting.decision_boundary``.
"""
from __future__ import annotations

import numpy as np

from ..errors import non_negative, positive_int, rng_from

__all__ = ["spiral", "xor_clouds", "blobs", "moons", "circles"]


def _labels(n_per_class: int, n_classes: int) -> np.ndarray:
    return np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)


def spiral(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed=0):
    """The K-armed spiral of CS231n (used in notebooks 03 and 06; seed deck 003).

    Arm ``k`` has radius running from 0 to 1 and angle from 4k to 4(k+1) radians, with Gaussian
    noise of standard deviation ``noise`` added to the angle. A linear softmax classifier gets
    only about 50% right on 3 arms; one hidden layer of 100 units gets over 95% of the training
    points.

    Returns
    -------
    X : (n_per_class * n_classes, 2) float64
    y : (n_per_class * n_classes,) int64, arm index
    """
    n_per_class = positive_int(n_per_class, "n_per_class")
    n_classes = positive_int(n_classes, "n_classes")
    noise = non_negative(noise, "noise")
    rng = rng_from(seed)
    X = np.empty((n_per_class * n_classes, 2))
    radius = np.linspace(0.0, 1.0, n_per_class)
    for k in range(n_classes):
        angle = np.linspace(4.0 * k, 4.0 * (k + 1), n_per_class) + noise * rng.standard_normal(n_per_class)
        rows = slice(k * n_per_class, (k + 1) * n_per_class)
        X[rows, 0] = radius * np.sin(angle)
        X[rows, 1] = radius * np.cos(angle)
    return X, _labels(n_per_class, n_classes)


def xor_clouds(n_per_cloud: int = 50, noise: float = 0.3, seed=0):
    """Four Gaussian clouds at (±1, ±1); the label is 1 where the signs differ (XOR).

    No straight line separates the classes: the perceptron of notebook 01 never converges here.

    Returns
    -------
    X : (4 * n_per_cloud, 2) float64, clouds in the order (-1,-1), (-1,+1), (+1,-1), (+1,+1)
    y : (4 * n_per_cloud,) int64 in {0, 1}
    """
    n_per_cloud = positive_int(n_per_cloud, "n_per_cloud")
    noise = non_negative(noise, "noise")
    rng = rng_from(seed)
    centres = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    X = np.repeat(centres, n_per_cloud, axis=0) + noise * rng.standard_normal((4 * n_per_cloud, 2))
    y = np.repeat(np.array([0, 1, 1, 0], dtype=np.int64), n_per_cloud)
    return X, y


def blobs(n_per_class: int = 50, n_classes: int = 2, spread: float = 0.5, distance: float = 3.0, seed=0):
    """Round Gaussian blobs whose centres sit evenly on a circle of radius ``distance``.

    With the defaults the classes are linearly separable (a perceptron converges; a linear
    classifier gets 100%). Raise ``spread`` to make them overlap.

    Returns
    -------
    X : (n_per_class * n_classes, 2) float64
    y : (n_per_class * n_classes,) int64
    """
    n_per_class = positive_int(n_per_class, "n_per_class")
    n_classes = positive_int(n_classes, "n_classes")
    spread = non_negative(spread, "spread")
    distance = non_negative(distance, "distance")
    rng = rng_from(seed)
    # Start at 45 degrees so that two classes sit on the diagonal, not on an axis.
    angles = np.pi / 4 + 2 * np.pi * np.arange(n_classes) / n_classes
    centres = distance * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    X = np.repeat(centres, n_per_class, axis=0) + spread * rng.standard_normal((n_per_class * n_classes, 2))
    return X, _labels(n_per_class, n_classes)


def moons(n_per_class: int = 100, noise: float = 0.1, seed=0):
    """Two interleaving half circles (class 0 on top, class 1 below and shifted right).

    Returns
    -------
    X : (2 * n_per_class, 2) float64
    y : (2 * n_per_class,) int64 in {0, 1}
    """
    n_per_class = positive_int(n_per_class, "n_per_class")
    noise = non_negative(noise, "noise")
    rng = rng_from(seed)
    t = np.linspace(0.0, np.pi, n_per_class)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((2 * n_per_class, 2))
    return X, _labels(n_per_class, 2)


def circles(n_per_class: int = 100, noise: float = 0.05, factor: float = 0.5, seed=0):
    """A small circle (class 1, radius ``factor``) inside a unit circle (class 0).

    Returns
    -------
    X : (2 * n_per_class, 2) float64
    y : (2 * n_per_class,) int64 in {0, 1}
    """
    n_per_class = positive_int(n_per_class, "n_per_class")
    noise = non_negative(noise, "noise")
    if not 0 < factor < 1:
        raise ValueError(f"factor is the inner radius over the outer one and must lie between 0 and 1, got {factor!r}")
    rng = rng_from(seed)
    t = np.linspace(0.0, 2 * np.pi, n_per_class, endpoint=False)
    ring = np.stack([np.cos(t), np.sin(t)], axis=1)
    X = np.concatenate([ring, factor * ring]) + noise * rng.standard_normal((2 * n_per_class, 2))
    return X, _labels(n_per_class, 2)
