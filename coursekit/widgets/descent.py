"""Learning rate moving a gradient-descent trajectory on the quadratic bowl (notebook 02).

The bowl is E(w) = ½ (a1·w1² + a2·w2²). Gradient descent multiplies coordinate i by (1 − η·a_i)
at each step, so it diverges as soon as η > 2 / max(a): the demo's title says where that is.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import plotting
from ._base import STYLE, Demo, slider_layout

__all__ = ["bowl_loss", "gradient_descent_path", "gradient_descent_demo"]


def bowl_loss(w, curvature=(3.0, 0.5)):
    """E(w) = ½ Σ a_i w_i² for w of shape (2,) or (2, ...) (vectorised over trailing axes)."""
    w = np.asarray(w, dtype=float)
    a = np.asarray(curvature, dtype=float).reshape((2,) + (1,) * (w.ndim - 1))
    return 0.5 * np.sum(a * w**2, axis=0)


def gradient_descent_path(lr, steps=20, w0=(-2.5, 2.5), curvature=(3.0, 0.5)) -> dict:
    """Run ``steps`` steps of w ← w − η ∇E(w) on the bowl from w0.

    Returns a dict with ``trajectory`` (T+1, 2) (T ≤ steps: it stops early once |w| passes 1e6),
    ``losses`` (T+1,), ``diverged`` (the loss ended above where it started),
    ``critical_lr`` = 2 / max(curvature), the step size above which descent diverges.
    """
    lr = float(lr)
    if not lr > 0:
        raise ValueError(f"the learning rate must be positive, got {lr}")
    if int(steps) < 0:
        raise ValueError(f"steps must be 0 or more, got {steps}")
    a = np.asarray(curvature, dtype=float)
    if a.shape != (2,) or np.any(a <= 0):
        raise ValueError("curvature must be two positive numbers (a1, a2)")
    w = np.asarray(w0, dtype=float).reshape(2)
    path = [w.copy()]
    for _ in range(int(steps)):
        w = w - lr * a * w  # the gradient of the bowl is a ⊙ w
        path.append(w.copy())
        if np.abs(w).max() > 1e6:  # far enough to call it: keep the numbers finite
            break
    traj = np.array(path)
    losses = bowl_loss(traj.T, a)
    return {"trajectory": traj, "losses": losses, "diverged": bool(losses[-1] > losses[0]),
            "critical_lr": float(2.0 / a.max())}


def gradient_descent_demo(lr=0.1, steps=20, curvature=(3.0, 0.5), w0=(-1.5, 2.5), w_range=(-4, 4)):
    """A learning-rate slider and a steps slider moving GD on the bowl's contour plot.

    Returns the widget (a ``Demo``; ``.result`` is the latest ``gradient_descent_path``).
    """
    critical = 2.0 / max(curvature)
    controls = {
        "lr": widgets.FloatSlider(value=lr, min=0.01, max=round(1.4 * critical, 2), step=0.01,
                                  description="learning rate η", continuous_update=False,
                                  style=STYLE, layout=slider_layout(), readout_format=".2f"),
        "steps": widgets.IntSlider(value=steps, min=1, max=60, description="steps",
                                   continuous_update=False, style=STYLE, layout=slider_layout()),
    }

    def compute(lr, steps):
        return gradient_descent_path(lr, steps, w0=w0, curvature=curvature)

    def draw(r, v, fig):
        ax = fig.add_subplot()
        name = f"η = {v['lr']:.2f}"
        plotting.error_surface(lambda w: bowl_loss(w, curvature), w_range,
                               trajectories={name: r["trajectory"]}, ax=ax, resolution=80,
                               title=f"Gradient descent, η = {v['lr']:.2f} "
                                     f"(diverges above {r['critical_lr']:.2f})")
        if r["diverged"]:
            return (f"<b style='color:#D55E00'>Diverged</b>: η = {v['lr']:.2f} is above "
                    f"2 / a_max = {r['critical_lr']:.2f}; every step overshoots further.")
        return (f"loss {r['losses'][0]:.3g} → {r['losses'][-1]:.3g} after "
                f"{len(r['trajectory']) - 1} steps")

    return Demo(controls, compute, draw, figsize=(5.4, 5.0),
                title="Gradient descent on the bowl: try η above and below the critical value")
