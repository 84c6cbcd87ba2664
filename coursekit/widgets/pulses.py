"""The universal-approximation widget of notebook 04: a target drawn beside its sum of pulses."""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import numpy as np

from ..plotting.style import style_axes
from ._base import STYLE, Demo, slider_layout

__all__ = ["pulse_explorer"]


def pulse_explorer(approximator: Callable, target: Callable = lambda x: np.sin(np.pi * x),
                   lo: float = -1.0, hi: float = 1.0):
    """A widget: the target and its approximation by ``approximator(f, x, n_pulses, k, lo, hi)``.

    Sliders for the number of pulses and the steepness k of the sigmoids; the text under the
    figure gives the largest error on the grid of 400 points. Returns a ``coursekit.widgets.Demo``
    (its ``result`` is the approximation, (400,)); tag the cell that shows it
    ``nbval-ignore-output``.
    """
    x = np.linspace(lo, hi, 400)
    controls = {"n_pulses": widgets.IntSlider(value=8, min=1, max=64, description="pulses",
                                              continuous_update=False, style=STYLE, layout=slider_layout()),
                "steepness": widgets.FloatLogSlider(value=100.0, base=10, min=0, max=3, description="steepness k",
                                                    continuous_update=False, style=STYLE, layout=slider_layout())}

    def compute(n_pulses, steepness):
        return np.asarray(approximator(target, x, n_pulses, steepness, lo, hi), dtype=float)

    def draw(approx, values, fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.plot(x, target(x), color="black", lw=2, label="target $f(x)$")
        ax.plot(x, approx, color="#D55E00", lw=1.5, label=f"{values['n_pulses']} pulses")
        style_axes(ax, xlabel="$x$", ylabel="$y$", title="a sum of pulses approximating $f$")
        ax.legend(loc="upper left", fontsize=8)
        return f"largest error on the grid: {np.max(np.abs(approx - target(x))):.3f}"

    return Demo(controls, compute, draw, figsize=(5.5, 3.2), title="Universal approximation by pulses")
