"""An activation-function explorer: f, f' and the slope at a chosen z (notebook 07)."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..plotting import ACTIVATIONS, get_activation
from ..plotting.style import color, style_axes
from ._base import STYLE, Demo, slider_layout

__all__ = ["activation_values", "activation_explorer"]

SATURATED = 0.01  # below this slope almost no gradient flows back through the unit


def activation_values(name, z0=0.0, z_range=(-5.0, 5.0), n=201) -> dict:
    """f and f' of activation ``name`` on a grid, and their values at z0.

    Returns a dict with ``z`` (n,), ``f`` (n,), ``df`` (n,), ``z0``, ``f0`` = f(z0),
    ``df0`` = f'(z0), ``tangent`` (n,) = f0 + df0 (z − z0), ``saturated`` (df0 < 0.01).
    """
    f, df = get_activation(name)
    z = np.linspace(*z_range, int(n))
    z0 = float(z0)
    f0, df0 = float(f(np.array([z0]))[0]), float(df(np.array([z0]))[0])
    return {"name": name, "z": z, "f": f(z), "df": df(z), "z0": z0, "f0": f0, "df0": df0,
            "tangent": f0 + df0 * (z - z0), "saturated": abs(df0) < SATURATED}


def activation_explorer(name="sigmoid", z0=0.0):
    """Choose an activation and a point z: see f(z), f'(z) and the tangent line there.

    Returns the widget (a ``Demo``; ``.result`` is the latest ``activation_values``).
    """
    controls = {
        "name": widgets.Dropdown(options=[k for k in ACTIVATIONS if k != "linear"], value=name,
                                 description="activation", style=STYLE),
        "z0": widgets.FloatSlider(value=z0, min=-5, max=5, step=0.1, description="input z",
                                  continuous_update=False, style=STYLE, layout=slider_layout()),
    }

    def draw(r, v, fig):
        ax = fig.add_subplot()
        ax.axhline(0, color="black", linewidth=0.6)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.plot(r["z"], r["f"], color=color(0), linewidth=2.2, label="$f(z)$")
        ax.plot(r["z"], r["df"], "--", color=color(5), linewidth=2, label="$f'(z)$")
        ax.plot(r["z"], r["tangent"], ":", color="black", linewidth=1.3, label="slope at z")
        ax.plot(r["z0"], r["f0"], "o", color=color(0), markeredgecolor="black", markersize=9)
        ax.plot(r["z0"], r["df0"], "s", color=color(5), markeredgecolor="black", markersize=8)
        lo, hi = min(r["f"].min(), r["df"].min()), max(r["f"].max(), r["df"].max())
        pad = 0.1 * (hi - lo + 1e-9)
        ax.set_ylim(lo - pad, hi + pad)  # the tangent may run off: keep the curves in view
        style_axes(ax, f"{r['name']}: f({r['z0']:.1f}) = {r['f0']:.3f}, "
                       f"f'({r['z0']:.1f}) = {r['df0']:.3f}", "$z$", None)
        ax.legend(fontsize="small", loc="upper left")
        if r["saturated"]:
            return (f"<b style='color:#D55E00'>Saturated</b>: f'(z) = {r['df0']:.4f}, almost no "
                    "gradient flows back through this unit.")
        return f"f'(z) = {r['df0']:.3f}: the gradient is multiplied by this on its way back."

    return Demo(controls, lambda name, z0: activation_values(name, z0), draw, figsize=(5.0, 3.8),
                title="Activation functions: value and slope")
