"""Decision regions of a network with two inputs (notebook 04): where its output is positive."""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["plot_region"]


def plot_region(predict: Callable, ax=None, lim=(-2.0, 2.0), resolution=300, title=None,
                color="#56B4E9"):
    """Colour where ``predict`` (M, 2) -> (M,) or (M, 1) is positive; return the axes."""
    import matplotlib.pyplot as plt  # loaded only when something is drawn

    if ax is None:
        _, ax = plt.subplots(figsize=(3.2, 3.2))
    g = np.linspace(lim[0], lim[1], resolution)
    xx, yy = np.meshgrid(g, g)
    out = np.asarray(predict(np.column_stack([xx.ravel(), yy.ravel()]))).reshape(xx.shape)
    ax.contourf(xx, yy, (out > 0).astype(float), levels=[-0.5, 0.5, 1.5], colors=["white", color])
    ax.contour(xx, yy, (out > 0).astype(float), levels=[0.5], colors="black", linewidths=1.0)
    ax.set_xlim(*lim)
    ax.set_ylim(*lim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title, fontsize=10)
    return ax
