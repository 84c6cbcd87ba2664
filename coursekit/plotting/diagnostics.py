"""Looking inside a network while it trains: activation histograms per layer and gradient norms
per layer (notebooks 07 and 11), and per layer against training step (notebook 06)."""
from __future__ import annotations

from typing import Mapping

import numpy as np

from .style import as_array, color, new_axes, new_grid, style_axes

__all__ = ["layer_histograms", "gradient_norms", "gradient_norms_over_training"]


def _flat(values, name):
    if isinstance(values, (list, tuple)):
        if not values:
            raise ValueError(f"{name} is an empty list")
        return np.concatenate([as_array(v, name).ravel() for v in values])
    return as_array(values, name).ravel()


def layer_histograms(activations, bins=40, title="Activations per layer",
                     xlabel="activation value", range=None, sharey=False):
    """Histograms of values per layer: one panel per layer.

    activations : dict layer name -> array (any shape, e.g. (N, units)) or list of arrays
        (concatenated); or a dict of such dicts, setting -> {layer -> array}, which gives one row
        per setting (e.g. one per initialisation: the notebook-07 variance experiment).
    Each panel's title gives the layer name, and the standard deviation of its values.
    Returns the figure.
    """
    if not isinstance(activations, Mapping) or not activations:
        raise ValueError("activations must be a dict {layer name: array of values}")
    nested = all(isinstance(v, Mapping) for v in activations.values())
    rows = activations if nested else {"": activations}
    layers = list(dict.fromkeys(k for r in rows.values() for k in r))
    fig, axes = new_grid(len(rows), len(layers), panel=(2.2, 1.9), sharex="col" if range else False,
                         sharey=sharey)
    for i, (setting, per_layer) in enumerate(rows.items()):
        for j, layer in enumerate(layers):
            ax = axes[i, j]
            if layer not in per_layer:
                ax.set_visible(False)
                continue
            v = _flat(per_layer[layer], f"activations[{layer!r}]")
            v = v[np.isfinite(v)]
            ax.hist(v, bins=bins, range=range, color=color(i), histtype="stepfilled")
            style_axes(ax, f"{layer}\nstd {v.std():.3g}" if len(v) else f"{layer}\n(no values)")
            ax.title.set_fontsize(9)
            ax.tick_params(labelsize=7)
            ax.set_yticks([])
            if i == len(rows) - 1:
                ax.set_xlabel(xlabel, fontsize=8)
        if setting:
            axes[i, 0].set_ylabel(str(setting), fontsize=10, fontweight="bold")
    fig.suptitle(title)
    return fig


def gradient_norms(norms, layer_names=None, ax=None, log=True, kind="bar",
                   title="Gradient norm per layer", xlabel="layer"):
    """Gradient norm of each layer, several models side by side.

    norms : (L,) array for one model, or dict model name -> (L,) array.
    kind : "bar" (grouped bars) or "line" (one line per model: useful when L is large,
        e.g. gradient norm against time distance in an RNN).
    log : logarithmic y axis (vanishing gradients span several decades). Returns the axes.
    """
    series = ({str(k): as_array(v, f"norms[{k!r}]", ndim=1) for k, v in norms.items()}
              if isinstance(norms, Mapping) else {"": as_array(norms, "norms", ndim=1)})
    if not series:
        raise ValueError("norms is empty: give at least one model's gradient norms")
    L = max(len(v) for v in series.values())
    names = list(layer_names) if layer_names is not None else [str(i + 1) for i in range(L)]
    if len(names) != L:
        raise ValueError(f"{len(names)} layer names for {L} layers")
    for name, v in series.items():
        if np.any(v[np.isfinite(v)] < 0):
            raise ValueError(f"gradient norms cannot be negative (model {name or '0'})")
    if kind not in ("bar", "line"):
        raise ValueError(f"kind must be 'bar' or 'line', not {kind!r}")
    ax = new_axes(ax, figsize=(max(4.5, 0.45 * L * len(series) + 2), 3.6))
    pos = np.arange(L)
    width = 0.8 / len(series)
    for i, (name, v) in enumerate(series.items()):
        if kind == "bar":
            ax.bar(pos[:len(v)] - 0.4 + width * (i + 0.5), v, width=width, color=color(i),
                   edgecolor="black", linewidth=0.4, label=name or None)
        else:
            ax.plot(pos[:len(v)], v, "-o", color=color(i), markersize=4, linewidth=2,
                    label=name or None)
    ax.set_xticks(pos)
    ax.set_xticklabels(names, rotation=0 if max(map(len, names)) < 6 else 45, ha="right"
                       if max(map(len, names)) >= 6 else "center")
    if log:
        ax.set_yscale("log")
    style_axes(ax, title, xlabel, "gradient norm" + (" (log scale)" if log else ""))
    if any(series):
        ax.legend(fontsize="small")
    return ax


def gradient_norms_over_training(norms, layer_names=None, ax=None, log=True,
                                 title="Weight-gradient norm of each layer during training",
                                 xlabel="training step"):
    """One line per layer: the norm of its weight gradient at every training step.

    norms : (T, L) array, row t the L layers' gradient norms at step t (first layer first).
    layer_names : L labels (default "layer 1 (input side)" ... "layer L (output)").
    log : logarithmic y axis: layers that learn at rates decades apart all stay visible.
    Returns the axes.
    """
    g = as_array(norms, "norms", ndim=2)
    T, L = g.shape
    if T == 0 or L == 0:
        raise ValueError(f"norms has shape {g.shape}: give one row per step and one column per layer")
    if np.any(g[np.isfinite(g)] < 0):
        raise ValueError("gradient norms cannot be negative")
    names = (list(layer_names) if layer_names is not None else
             [f"layer {i + 1}" + (" (input side)" if i == 0 else " (output)" if i == L - 1 else "")
              for i in range(L)])
    if len(names) != L:
        raise ValueError(f"{len(names)} layer names for {L} layers (columns of norms)")
    ax = new_axes(ax, figsize=(7, 4))
    steps = np.arange(T)
    for i in range(L):
        ax.plot(steps, g[:, i], color=color(i), linewidth=1.6, label=names[i])
    if log:
        ax.set_yscale("log")
    style_axes(ax, title, xlabel, "‖∂L/∂W‖" + (" (log scale)" if log else ""))
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.0, 0.5))
    return ax
