"""Two teaching drawings: a filter scanning an image (notebook 10) and an RNN unfolded in time
(notebook 11). Both return the matplotlib figure and draw with plain patches and arrows.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, Rectangle

from ..nn.conv import conv_output_size

__all__ = ["conv_scan", "unfolded_rnn"]

_WINDOW_COLOURS = ("#E69F00", "#0072B2", "#009E73", "#CC79A7")


def _grid(ax, x0, n, label, pad=0):
    """An n x n grid of unit squares with its lower left corner at (x0, 0); padded cells grey."""
    for i in range(n):
        for j in range(n):
            padded = i < pad or j < pad or i >= n - pad or j >= n - pad
            ax.add_patch(Rectangle((x0 + j, n - 1 - i), 1, 1, facecolor="#dddddd" if padded else "white",
                                   edgecolor="#555555", linewidth=0.8))
    ax.text(x0 + n / 2, -0.8, label, ha="center", va="top", fontsize=10)


def conv_scan(x: int = 7, k: int = 3, stride: int = 1, padding: int = 0, positions=None, ax=None):
    """Draw an x-by-x input (grey border = zero padding), a k-by-k window at a few positions and
    the output grid of side (x - k + 2p)/s + 1, each window's output cell in the same colour.

    ``positions``: list of (row, column) output positions to highlight (default: the first two of
    the top row and the last one). Returns the figure.
    """
    out = conv_output_size(x, k, stride, padding)
    n = x + 2 * padding
    if positions is None:
        positions = [(0, 0), (0, 1), (out - 1, out - 1)] if out > 1 else [(0, 0)]
    if ax is None:
        fig, ax = plt.subplots(figsize=(0.42 * (n + out + 4), 0.42 * (n + 2.5)))
    else:
        fig = ax.figure
    _grid(ax, 0, n, f"input {x}×{x}" + (f", padding {padding}" if padding else ""), pad=padding)
    gap = n + 2
    _grid(ax, gap, out, f"output {out}×{out}")
    for c, (i, j) in zip(_WINDOW_COLOURS, positions):
        r0, c0 = i * stride, j * stride
        ax.add_patch(Rectangle((c0, n - r0 - k), k, k, facecolor=c, alpha=0.35, edgecolor=c, linewidth=2.5))
        ax.add_patch(Rectangle((gap + j, out - 1 - i), 1, 1, facecolor=c, alpha=0.6, edgecolor=c, linewidth=2))
        ax.add_patch(FancyArrowPatch((c0 + k, n - r0 - k / 2), (gap + j + 0.5, out - i - 0.5),
                                     arrowstyle="->", mutation_scale=10, color=c, linewidth=1.2,
                                     connectionstyle="arc3,rad=-0.15"))
    ax.set_title(f"a {k}×{k} filter, stride {stride}, padding {padding}: "
                 f"({x} − {k} + 2·{padding})/{stride} + 1 = {out}", fontsize=10)
    ax.set_xlim(-0.5, gap + out + 0.5)
    ax.set_ylim(-2, n + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def _node(ax, xy, text, colour):
    ax.add_patch(plt.Circle(xy, 0.32, facecolor=colour, edgecolor="black", linewidth=1, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=10, zorder=4)


def _arrow(ax, a, b, label=None, colour="black", offset=(0.0, 0.0)):
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=12, color=colour,
                                 linewidth=1.3, shrinkA=11, shrinkB=11, zorder=2))
    if label:
        ax.text((a[0] + b[0]) / 2 + offset[0], (a[1] + b[1]) / 2 + offset[1], label, fontsize=9,
                color=colour, ha="center", va="center",
                bbox=dict(facecolor="white", edgecolor="none", pad=0.5), zorder=5)


def unfolded_rnn(T: int = 4, backward: bool = True, ax=None, first_step: int = 1):
    """Left: the recurrent cell with its loop. Right: the same cell unfolded over T steps, the
    shared weights W_x, W_h, W_y on every copy, and (``backward``) the path of BPTT in red.
    Steps are numbered from ``first_step`` (1: x_1..x_T from the initial state h_0; 0: x_0..x_{T-1}
    from h_{-1}, as in 0-based code). Returns the figure."""
    if T < 1:
        raise ValueError("T must be at least 1")
    if ax is None:
        fig, ax = plt.subplots(figsize=(2.2 + 1.7 * T, 3.6))
    else:
        fig = ax.figure
    x_col, h_col, y_col = "#cfe8ff", "#ffe3b3", "#d5f5d5"
    # the folded cell
    _node(ax, (0, 0), "$x_t$", x_col)
    _node(ax, (0, 1.4), "$h_t$", h_col)
    _node(ax, (0, 2.8), "$y_t$", y_col)
    _arrow(ax, (0, 0), (0, 1.4), "$W_x$", offset=(0.3, 0))
    _arrow(ax, (0, 1.4), (0, 2.8), "$W_y$", offset=(0.3, 0))
    ax.add_patch(FancyArrowPatch((0.3, 1.55), (0.3, 1.25), connectionstyle="arc3,rad=-2.2",
                                 arrowstyle="-|>", mutation_scale=12, linewidth=1.3, zorder=2))
    ax.text(0.95, 1.4, "$W_h$", fontsize=9, va="center")
    ax.text(1.55, 1.4, "=", fontsize=18, va="center", ha="center")
    # unfolded
    x0 = 2.4
    _node(ax, (x0, 1.4), f"$h_{{{first_step - 1}}}$", "#eeeeee")
    for t in range(1, T + 1):
        cx = x0 + 1.6 * t
        step = t - 1 + first_step
        _node(ax, (cx, 0), f"$x_{{{step}}}$", x_col)
        _node(ax, (cx, 1.4), f"$h_{{{step}}}$", h_col)
        _node(ax, (cx, 2.8), f"$y_{{{step}}}$", y_col)
        _arrow(ax, (cx, 0), (cx, 1.4), "$W_x$", offset=(0.3, 0))
        _arrow(ax, (cx, 1.4), (cx, 2.8), "$W_y$", offset=(0.3, 0))
        _arrow(ax, (cx - 1.6, 1.4), (cx, 1.4), "$W_h$", offset=(0, 0.22))
        if backward:
            _arrow(ax, (cx, 1.25), (cx - 1.6, 1.25), colour="#D55E00")
    if backward:
        ax.text(x0 + 0.8 * (T + 1), -0.75, "back-propagation through time: gradients flow right to left "
                "(red), once through every copy", color="#D55E00", ha="center", fontsize=9)
    ax.set_xlim(-0.7, x0 + 1.6 * T + 0.6)
    ax.set_ylim(-1.0, 3.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"An RNN, folded (left) and unfolded over {T} steps (right): one set of weights",
                 fontsize=10)
    return fig
