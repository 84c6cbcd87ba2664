"""2-D classification pictures: decision regions of any classifier, and a perceptron's line."""
from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

from ..backend import to_numpy
from .style import as_array, check_points, color, marker, new_axes, style_axes

__all__ = ["decision_boundary", "perceptron_line", "perceptron_with_bias", "scatter_classes"]


def _limits(X, margin=0.1):
    """(xmin, xmax), (ymin, ymax) of X (N, 2) widened by ``margin`` of the span."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = np.maximum(hi - lo, 1e-9) * margin + 1e-9
    return (lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1])


def scatter_classes(X, y, ax=None, class_names=None, size=22):
    """Scatter X (N, 2) coloured and marked by label y (N,); one legend entry per class."""
    X, y = check_points(X, y)
    ax = new_axes(ax)
    classes = np.unique(y)
    for i, c in enumerate(classes):
        pts = X[y == c]
        name = class_names[i] if class_names is not None else f"class {c}"
        ax.scatter(pts[:, 0], pts[:, 1], s=size, color=color(i), marker=marker(i),
                   edgecolors="black", linewidths=0.4, label=name, zorder=3)
    return ax


def decision_boundary(predict, X, y, ax=None, resolution=200, title="Decision boundary",
                      class_names=None, xlabel="$x_1$", ylabel="$x_2$", margin=0.1, legend=True):
    """Colour the plane by ``predict`` and draw the labelled points on top.

    Parameters
    ----------
    predict : callable, (M, 2) NumPy array -> (M,) integer labels
        Any classifier; it may also return (M, K) scores, which are turned into labels by argmax.
    X : (N, 2) array of points; y : (N,) integer labels (2 or more classes).
    resolution : points per axis of the evaluation grid (``resolution**2`` predictions).

    Returns the matplotlib axes.
    """
    if not callable(predict):
        raise TypeError("predict must be a function mapping an (M, 2) array to M labels, "
                        f"got {type(predict).__name__}")
    X, y = check_points(X, y)
    if int(resolution) < 2:
        raise ValueError(f"resolution must be at least 2 grid points per axis, got {resolution}")
    (x0, x1), (y0, y1) = _limits(X, margin)
    gx, gy = np.meshgrid(np.linspace(x0, x1, int(resolution)), np.linspace(y0, y1, int(resolution)))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    labels = as_array(predict(grid), "predict(grid)", ndim=(1, 2))
    if labels.ndim == 2:
        labels = labels.argmax(axis=1) if labels.shape[1] > 1 else labels[:, 0]
    if labels.shape[0] != grid.shape[0]:
        raise ValueError(f"predict returned {labels.shape[0]} labels for {grid.shape[0]} points: "
                         "it must return one label per row of its input")

    # Every label seen in the data or predicted gets a colour, in sorted order, so region colours
    # match point colours exactly (a class the model never predicts still keeps its colour).
    classes = np.union1d(np.unique(y), np.unique(labels))
    index = np.searchsorted(classes, labels).reshape(gx.shape)
    ax = new_axes(ax)
    cmap = ListedColormap([color(i) for i in range(len(classes))])
    ax.contourf(gx, gy, index, levels=np.arange(len(classes) + 1) - 0.5, cmap=cmap, alpha=0.28,
                zorder=1)
    # Thin boundary lines make the regions' edges crisp even where the fill is pale.
    if len(classes) > 1:
        ax.contour(gx, gy, index, levels=np.arange(len(classes)) + 0.5, colors="black",
                   linewidths=0.7, alpha=0.6, zorder=2)
    for c in np.unique(y):
        i = int(np.searchsorted(classes, c))
        pts = X[y == c]
        name = class_names[i] if class_names is not None else f"class {c}"
        ax.scatter(pts[:, 0], pts[:, 1], s=22, color=color(i), marker=marker(i),
                   edgecolors="black", linewidths=0.4, label=name, zorder=3)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    style_axes(ax, title, xlabel, ylabel, grid=False)
    if legend:
        ax.legend(loc="best", fontsize="small", framealpha=0.85)
    return ax


def perceptron_line(w, b, X, y, ax=None, title=None, margin=0.15):
    """The data and the perceptron's decision line w·x + b = 0, with w drawn as an arrow.

    w : (2,) weights, b : scalar bias, X : (N, 2) points, y : (N,) labels (0/1 or -1/+1).
    The side where w·x + b > 0 is shaded: that is where the unit outputs its positive class.
    """
    w = as_array(w, "w").reshape(-1)
    if w.shape != (2,):
        raise ValueError(f"w must hold exactly 2 weights (one per input), got shape {w.shape}")
    b = float(as_array(b, "b").reshape(-1)[0])
    X, y = check_points(X, y)
    ax = new_axes(ax)
    (x0, x1), (y0, y1) = _limits(X, margin)
    gx, gy = np.meshgrid(np.linspace(x0, x1, 120), np.linspace(y0, y1, 120))
    side = (w[0] * gx + w[1] * gy + b) > 0
    ax.contourf(gx, gy, side.astype(float), levels=[-0.5, 0.5, 1.5],
                colors=[color(0), color(1)], alpha=0.15, zorder=1)
    scatter_classes(X, y, ax=ax)
    if np.allclose(w, 0):
        note = "w = 0: no line"
    elif abs(w[1]) > 1e-12 * abs(w[0]):
        xs = np.array([x0, x1])
        ax.plot(xs, -(w[0] * xs + b) / w[1], color="black", linewidth=2, label="$w\\cdot x + b = 0$",
                zorder=4)
        note = None
    else:  # vertical line x1 = -b / w0
        ax.axvline(-b / w[0], color="black", linewidth=2, label="$w\\cdot x + b = 0$", zorder=4)
        note = None
    if not np.allclose(w, 0):
        # The arrow shows w is normal to the line, pointing to the positive side.
        norm = np.linalg.norm(w)
        anchor = -b * w / norm**2
        anchor = np.clip(anchor, [x0, y0], [x1, y1])
        length = 0.15 * min(x1 - x0, y1 - y0)
        ax.annotate("", xy=anchor + length * w / norm, xytext=anchor, zorder=5,
                    arrowprops=dict(arrowstyle="-|>", color="black", linewidth=1.5))
        ax.text(*(anchor + 1.15 * length * w / norm), "$w$", fontsize=11, zorder=5)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    if title is None:
        title = f"Perceptron: w = ({w[0]:.2f}, {w[1]:.2f}), b = {b:.2f}" + (f"\n{note}" if note else "")
    style_axes(ax, title, "$x_1$", "$x_2$", grid=False)
    ax.legend(loc="best", fontsize="small", framealpha=0.85)
    return ax


def perceptron_with_bias(w, X, y, ax=None, title=None, legend=False):
    """Draw a perceptron with weights w (3,), bias first, on 2-D points X (N, 2) with labels y (N,).

    ``perceptron_line`` with the conventions of notebook 01 (``coursekit.lessons.nb01``): a sum
    of exactly 0 fires (so w = 0 shades the whole plane as the positive class), the ``w`` label
    stays inside
    the axes when the line lies outside them, and no legend unless ``legend=True``.
    Returns the axes.
    """
    w = np.asarray(to_numpy(w), dtype=float).reshape(-1)
    if w.shape != (3,):
        raise ValueError(f"w must hold 3 weights (w0, w1, w2), got shape {w.shape}")
    b, w12 = w[0], w[1:]
    if title is None:
        title = f"w = ({w[0]:.2f}, {w[1]:.2f}, {w[2]:.2f})"
    # perceptron_line shades w·x + b > 0; a hair more bias makes a tie w·x + b = 0 count as firing.
    ax = perceptron_line(w12, b + 1e-9 * max(1.0, abs(b)), X, y, ax=ax, title=title)
    for text in ax.texts:
        text.set_clip_on(True)
    if not legend and ax.get_legend() is not None:
        ax.get_legend().remove()
    return ax
