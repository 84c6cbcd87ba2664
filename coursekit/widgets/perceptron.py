"""Perceptron weights and bias moving the decision line (notebook 01)."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import plotting
from ..plotting.style import as_array, check_points
from ._base import STYLE, Demo, slider_layout

__all__ = ["perceptron_state", "perceptron_demo"]


def perceptron_state(w, b, X, y) -> dict:
    """What the perceptron with weights w (2,) and bias b does on points X (N, 2), labels y (N,).

    y holds two classes (0/1 or −1/+1); the larger label is the positive class (w·x + b > 0).

    Returns a dict with
    ``predictions`` (N,) labels, ``accuracy`` (fraction correct), ``n_errors``,
    ``line`` (2, 2): two points of w·x + b = 0 spanning the data's x1 range (None when w = 0;
    a vertical line when w2 = 0).
    """
    w = as_array(w, "w").reshape(-1)
    if w.shape != (2,):
        raise ValueError(f"w must hold 2 weights, got shape {w.shape}")
    b = float(b)
    X, y = check_points(X, y)
    classes = np.unique(y)
    if len(classes) != 2:
        raise ValueError(f"a perceptron separates 2 classes, these labels have {len(classes)}")
    pred = np.where(X @ w + b > 0, classes[1], classes[0])
    lo, hi = X.min(axis=0), X.max(axis=0)
    if np.allclose(w, 0):
        line = None
    elif abs(w[1]) > 1e-12:
        xs = np.array([lo[0], hi[0]])
        line = np.column_stack([xs, -(w[0] * xs + b) / w[1]])
    else:
        line = np.array([[-b / w[0], lo[1]], [-b / w[0], hi[1]]])
    acc = float(np.mean(pred == y))
    return {"w": w, "b": b, "predictions": pred, "accuracy": acc,
            "n_errors": int(np.sum(pred != y)), "line": line}


def perceptron_demo(X=None, y=None, w=(1.0, -1.0), b=0.0):
    """Sliders for w1, w2 and b; the picture shows the data, the line w·x + b = 0 and accuracy.

    X (N, 2), y (N,): two classes; default: two seeded blobs from ``coursekit.datasets.blobs``.
    The default start is a line that is only partly right: the student's job is to fix it.
    Returns the widget (a ``Demo``: ``.result`` is the latest ``perceptron_state``).
    """
    if X is None:
        from ..datasets import blobs

        X, y = blobs(n_per_class=30, seed=0)
    X, y = check_points(X, y)

    def slider(name, value, lo, hi):
        return widgets.FloatSlider(value=value, min=lo, max=hi, step=0.1, description=name,
                                   continuous_update=False, style=STYLE, layout=slider_layout())

    controls = {"w1": slider("weight w1", w[0], -3, 3), "w2": slider("weight w2", w[1], -3, 3),
                "b": slider("bias b", b, -5, 5)}

    def compute(w1, w2, b):
        return perceptron_state([w1, w2], b, X, y)

    def draw(r, v, fig):
        ax = fig.add_subplot()
        plotting.perceptron_line(r["w"], r["b"], X, y, ax=ax,
                                 title=f"accuracy {r['accuracy']:.0%} ({r['n_errors']} wrong)")
        return (f"w = ({v['w1']:.1f}, {v['w2']:.1f}), b = {v['b']:.1f}: "
                f"{r['n_errors']} of {len(y)} points on the wrong side")

    return Demo(controls, compute, draw, figsize=(5.0, 4.0),
                title="Perceptron: move the line with w and b")
