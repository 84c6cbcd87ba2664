"""The computational-graph widget of notebook 05: sliders for the inputs, the graph redrawn."""
from __future__ import annotations

import inspect
from typing import Callable

import ipywidgets as widgets

from ..autograd import graph_values
from ..plotting.graph import computational_graph
from ._base import STYLE, Demo, slider_layout

__all__ = ["graph_explorer"]


def graph_explorer(build: Callable, low: float = -5.0, high: float = 5.0, **inputs):
    """Sliders for the inputs of ``build``; the graph is redrawn with values and gradients.

    ``inputs`` give the starting values (by default 1.0 for each parameter of ``build``).
    Returns a ``coursekit.widgets.Demo``: its ``result`` is the latest ``graph_values`` answer.
    Tag the cell that shows it ``nbval-ignore-output``.
    """
    names = list(inspect.signature(build).parameters)
    start = {n: float(inputs.get(n, 1.0)) for n in names}
    controls = {n: widgets.FloatSlider(value=start[n], min=low, max=high, step=0.5, description=n,
                                       continuous_update=False, style=STYLE, layout=slider_layout())
                for n in names}

    def compute(**values):
        return graph_values(build, **values)

    def draw(result, values, fig):
        ax = fig.add_subplot(1, 1, 1)
        computational_graph(result["root"], ax=ax)
        grads = ", ".join(f"∂f/∂{k} = {g:.3g}" for k, g in result["grads"].items())
        return f"f = {result['f']:.4g}; {grads}"

    return Demo(controls, compute, draw, figsize=(7.0, 3.6), title="Move the inputs: values and gradients")
