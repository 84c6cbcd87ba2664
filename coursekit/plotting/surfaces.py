"""The error surface of a two-parameter loss, as contour lines and in 3-D, with gradient-descent
trajectories on top (notebook 02). A trajectory that diverges leaves the window: it is cut at
the edge and marked, so the picture stays readable whatever the step size did."""
from __future__ import annotations

from typing import Mapping

import numpy as np

from .style import as_array, color, marker, new_axes, style_axes

__all__ = ["error_surface", "error_surface_3d", "evaluate_surface"]


def _ranges(w_range):
    """(lo, hi) for both axes, or ((lo1, hi1), (lo2, hi2)) -> two (lo, hi) float pairs."""
    r = np.asarray(w_range, dtype=float)
    if r.shape == (2,):
        r = np.stack([r, r])
    if r.shape != (2, 2) or not np.all(r[:, 1] > r[:, 0]):
        raise ValueError("w_range must be (low, high) or ((low1, high1), (low2, high2)) with "
                         f"low < high, got {w_range!r}")
    return r


def _evaluate(loss_fn, w1, w2):
    """loss_fn at every point of the same-shaped arrays w1, w2.

    First tries one vectorised call ``loss_fn(np.stack([w1, w2]))`` (a function written with
    ``w[0]`` and ``w[1]`` works elementwise); falls back to one call per point otherwise.
    """
    try:
        with np.errstate(all="ignore"):
            z = np.asarray(loss_fn(np.stack([w1, w2])), dtype=float)
        if z.shape == w1.shape:
            return z
    except Exception:  # not vectorisable: e.g. it uses w @ A @ w
        pass
    flat = np.column_stack([w1.ravel(), w2.ravel()])
    with np.errstate(all="ignore"):
        z = np.array([float(np.asarray(loss_fn(w)).reshape(())) for w in flat])
    return z.reshape(w1.shape)


def evaluate_surface(loss_fn, w_range, resolution=120):
    """Grids W1, W2 (R, R) over ``w_range`` and the loss Z (R, R) at each point."""
    if not callable(loss_fn):
        raise TypeError("loss_fn must be a function of w = (w1, w2) returning a number")
    r = _ranges(w_range)
    W1, W2 = np.meshgrid(np.linspace(*r[0], int(resolution)), np.linspace(*r[1], int(resolution)))
    return W1, W2, _evaluate(loss_fn, W1, W2)


def _check_trajectories(trajectories):
    if trajectories is None:
        return {}
    if not isinstance(trajectories, Mapping):
        trajectories = {"gradient descent": trajectories}
    out = {}
    for name, t in trajectories.items():
        t = as_array(t, f"trajectory {name!r}", ndim=2)
        if t.shape[1] != 2 or len(t) == 0:
            raise ValueError(f"trajectory {name!r} must have shape (T, 2): one (w1, w2) per step, "
                             f"got {t.shape}")
        out[str(name)] = t
    return out


def _inside_prefix(t, r):
    """Length of the leading part of trajectory t (T, 2) that stays finite and in the window."""
    ok = np.all(np.isfinite(t), axis=1)
    ok &= (t[:, 0] >= r[0, 0]) & (t[:, 0] <= r[0, 1]) & (t[:, 1] >= r[1, 0]) & (t[:, 1] <= r[1, 1])
    return int(np.argmin(ok)) if not ok.all() else len(t)


def _levels(Z, n):
    """Contour levels spread by quantile, so a bowl whose loss spans decades still gets rings
    everywhere instead of all of them crowded at the rim."""
    finite = Z[np.isfinite(Z)]
    lv = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, n)))
    return lv if len(lv) > 1 else np.array([finite.min(), finite.min() + 1.0])


def error_surface(loss_fn, w_range, trajectories=None, ax=None, levels=20, resolution=120,
                  title="Error surface", labels=("$w_1$", "$w_2$"), show_minimum=True):
    """Contour plot of ``loss_fn`` over the (w1, w2) window with trajectories drawn on it.

    loss_fn : w (2,) -> float (vectorised calls on w of shape (2, R, R) are used when they work).
    w_range : (lo, hi) for both weights or ((lo1, hi1), (lo2, hi2)).
    trajectories : dict label -> (T, 2) array of weights per step (or one (T, 2) array).
    Each trajectory's start is a large circle, its end a square; one that leaves the window
    ends at the edge with an × and "(diverged)" in the legend. Returns the axes.
    """
    r = _ranges(w_range)
    W1, W2, Z = evaluate_surface(loss_fn, r, resolution)
    trajs = _check_trajectories(trajectories)
    ax = new_axes(ax, figsize=(5.4, 5.0))
    lv = _levels(Z, levels)
    filled = ax.contourf(W1, W2, Z, levels=lv, cmap="Greys_r", alpha=0.4, extend="max")
    ax.contour(W1, W2, Z, levels=lv, colors="black", linewidths=0.4, alpha=0.5)
    ax.figure.colorbar(filled, ax=ax, label="loss", format="%.2g", shrink=0.85)
    if show_minimum:
        k = np.nanargmin(Z)
        ax.plot(W1.flat[k], W2.flat[k], "*", color="white", markeredgecolor="black",
                markersize=15, zorder=6, label="lowest loss")
    for i, (name, t) in enumerate(trajs.items()):
        _draw_trajectory_2d(ax, t, r, i, name)
    ax.set_xlim(*r[0])
    ax.set_ylim(*r[1])
    ax.set_aspect("auto")
    style_axes(ax, title, labels[0], labels[1], grid=False)
    if trajs:  # say once what the big markers mean
        ax.plot([], [], "o", color="white", markeredgecolor="black", markersize=10, label="start")
        ax.plot([], [], "X", color="white", markeredgecolor="black", markersize=10,
                label="last step in view")
    if trajs or show_minimum:
        # Below the plot: inside it, the legend would hide the very steps it names.
        ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2,
                  frameon=False)
    return ax


def _draw_trajectory_2d(ax, t, r, i, name):
    n_in = _inside_prefix(t, r)
    diverged = n_in < len(t)
    c = color(i)
    # Keep one step beyond the window so the line visibly runs off the edge (the axes clip it).
    shown = t[: min(n_in + 1, len(t))]
    shown = shown[np.all(np.isfinite(shown), axis=1)]
    ax.plot(shown[:, 0], shown[:, 1], "-", marker=marker(i), color=c, markersize=3.5,
            linewidth=1.8, markeredgecolor="black", markeredgewidth=0.3, zorder=4,
            label=f"{name} ({len(t) - 1} steps)" + (" — diverged" if diverged else ""))
    ax.plot(*t[0], "o", color=c, markersize=11, markeredgecolor="black", zorder=5)
    if diverged:
        if n_in > 1:  # the last step still inside; at n_in = 1 it would hide the start
            ax.plot(*t[n_in - 1], "X", color=c, markersize=12, markeredgecolor="black", zorder=5)
    else:
        ax.plot(*t[-1], "s", color=c, markersize=8, markeredgecolor="black", zorder=5)


def error_surface_3d(loss_fn, w_range, trajectories=None, ax=None, resolution=60,
                     title="Error surface", labels=("$w_1$", "$w_2$"), elev=35, azim=-60):
    """The same loss as a 3-D surface, trajectories drawn on it at their loss values.

    Arguments as in ``error_surface``. A trajectory is cut where it leaves the window (×).
    Returns the 3-D axes.
    """
    r = _ranges(w_range)
    W1, W2, Z = evaluate_surface(loss_fn, r, resolution)
    trajs = _check_trajectories(trajectories)
    ax = new_axes(ax, figsize=(5.6, 4.6), projection="3d")
    ax.plot_surface(W1, W2, Z, cmap="Greys_r", alpha=0.55, linewidth=0, antialiased=True,
                    rcount=resolution, ccount=resolution)
    zmin, zmax = np.nanmin(Z), np.nanmax(Z)
    for i, (name, t) in enumerate(trajs.items()):
        n_in = _inside_prefix(t, r)
        part = t[:n_in]
        c = color(i)
        diverged = n_in < len(t)
        label = f"{name}" + (" — diverged" if diverged else "")
        if len(part) == 0:
            ax.plot([], [], color=c, label=label)
            continue
        z = _evaluate(loss_fn, part[:, 0], part[:, 1])
        z = np.clip(z, zmin, zmax)
        ax.plot(part[:, 0], part[:, 1], z, "-", marker=marker(i), color=c, markersize=3,
                linewidth=2, zorder=10, label=label)
        ax.scatter(*part[0], z[0], s=80, color=c, edgecolors="black", depthshade=False, zorder=11)
        end_marker = "X" if diverged else "s"
        ax.scatter(*part[-1], z[-1], s=70, marker=end_marker, color=c, edgecolors="black",
                   depthshade=False, zorder=11)
    ax.set_xlim(*r[0])
    ax.set_ylim(*r[1])
    ax.set_zlim(zmin, zmax)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_zlabel("loss")
    ax.set_title(title)
    ax.view_init(elev=elev, azim=azim)
    if trajs:
        ax.legend(fontsize="small", loc="upper left")
    return ax
