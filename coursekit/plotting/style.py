"""The one look every coursekit picture shares, and the input checks they all use.

Colours are the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies);
positive/negative quantities use a symmetric diverging map (blue = negative, red = positive).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..backend import to_numpy

# Okabe & Ito (2008), "Color Universal Design": black left out, it is kept for text and edges.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
POSITIVE = "#D55E00"   # vermillion: a positive weight, a wrong prediction
NEGATIVE = "#0072B2"   # blue: a negative weight
DIVERGING = "RdBu_r"   # blue for negative, red for positive; symmetric limits keep 0 white
FIGSIZE = (5.0, 4.0)   # one panel at notebook width


def color(i: int) -> str:
    """The i-th colour of the palette (cycles)."""
    return PALETTE[i % len(PALETTE)]


def marker(i: int) -> str:
    """The i-th marker; with colour it makes classes readable in black and white too."""
    return MARKERS[i % len(MARKERS)]


def new_axes(ax=None, figsize=FIGSIZE, projection=None):
    """``ax`` itself, or a fresh figure with one axes when ``ax`` is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize, layout="constrained")
    return fig.add_subplot(1, 1, 1, projection=projection)


def new_grid(nrows: int, ncols: int, panel=(2.4, 2.1), **kw):
    """A figure with an (nrows, ncols) grid of axes, each about ``panel`` inches."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, figsize=(panel[0] * ncols, panel[1] * nrows),
                             layout="constrained", squeeze=False, **kw)
    return fig, axes


def style_axes(ax, title=None, xlabel=None, ylabel=None, grid=True):
    """Titles, labels and a light grid, the same on every panel."""
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if grid:
        ax.grid(True, alpha=0.3, linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def as_array(x: Any, name: str, ndim=None, dtype=float) -> np.ndarray:
    """Any array-like -> NumPy, with a plain-words error when its number of axes is wrong.

    ``ndim`` is an int or a tuple of allowed ints.
    """
    try:
        arr = np.asarray(to_numpy(x), dtype=dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__}") from err
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, but it has shape {arr.shape}")
    return arr


def check_points(X, y=None):
    """X (N, 2) floats and y (N,) labels as NumPy, or a clear error naming the mismatch."""
    X = as_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2): two features per point, got {X.shape}. "
                         "Only 2-D data can be drawn in the plane.")
    if y is None:
        return X, None
    y = np.asarray(to_numpy(y))
    if y.ndim == 2 and 1 in y.shape:  # a column or row vector of labels is still one label each
        y = y.reshape(-1)
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of labels (N,), got shape {y.shape}")
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} points but y has {len(y)} labels: they must match")
    return X, y
