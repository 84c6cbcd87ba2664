"""Wrong labels on purpose (notebook 08): a training set whose labels contain mistakes.

Real data sets carry some wrong labels (a 7 typed as a 1). A network large enough to memorise its
training set learns those mistakes too, and that is what makes overfitting costly; flipping a known
fraction of the labels makes the effect large enough to see and to measure.
"""
from __future__ import annotations

import numpy as np

from ..errors import rng_from

__all__ = ["mislabel"]


def mislabel(y, fraction: float, *, n_classes: int | None = None, seed=0):
    """Give ``round(fraction * N)`` labels, chosen at random, a different class.

    Parameters
    ----------
    y : array (N,) of integer labels 0 .. n_classes - 1
    fraction : float in [0, 1]
        The share of labels made wrong; exactly ``round(fraction * N)`` of them change.
    n_classes : int, optional
        Number of classes (default ``y.max() + 1``, at least 2).
    seed : int or numpy Generator

    Returns
    -------
    (y_noisy, wrong): ``y_noisy`` (N,) int64, a new array (``y`` is not changed); ``wrong`` (N,)
    bool, True where the label was changed. Each changed label is one of the other classes,
    uniformly, never the true one.
    """
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be a 1-D array of integer class labels, got shape {y.shape}, dtype {y.dtype}")
    if not 0.0 <= float(fraction) <= 1.0:
        raise ValueError(f"fraction must lie between 0 and 1 (the share of labels to make wrong), got {fraction}")
    k = int(y.max()) + 1 if n_classes is None else int(n_classes)
    if k < 2 or (len(y) and (y.min() < 0 or y.max() >= k)):
        raise ValueError(f"labels must lie in 0 .. n_classes - 1 with at least 2 classes; got n_classes={k} "
                         f"and labels from {y.min()} to {y.max()}")
    rng = rng_from(seed)
    n_wrong = int(round(float(fraction) * len(y)))
    wrong = np.zeros(len(y), dtype=bool)
    wrong[rng.permutation(len(y))[:n_wrong]] = True
    y_noisy = y.astype(np.int64)          # astype copies: the caller's labels stay as they were
    # adding 1 .. k-1 modulo k lands on every other class with equal chance, never on the true one
    y_noisy[wrong] = (y_noisy[wrong] + rng.integers(1, k, n_wrong)) % k
    return y_noisy, wrong
