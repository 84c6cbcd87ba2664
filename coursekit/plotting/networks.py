"""A feed-forward network drawn as circles in layers; each line's width shows |w| and its colour
the sign (vermillion positive, blue negative)."""
from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from .style import NEGATIVE, POSITIVE, as_array, new_axes

__all__ = ["network_diagram"]


def _weight_list(weights):
    """A list of (n_in, n_out) NumPy matrices from arrays, layers with params['W'], or a model."""
    if hasattr(weights, "layers"):
        weights = weights.layers
    if hasattr(weights, "shape"):  # a single matrix
        weights = [weights]
    mats = []
    for item in weights:
        params = getattr(item, "params", None)
        if isinstance(params, dict):
            if "W" not in params:
                continue  # activations and other layers without weights
            item = params["W"]
        mats.append(as_array(item, f"weights[{len(mats)}]", ndim=2))
    if not mats:
        raise ValueError("network_diagram needs a list of weight matrices, each of shape (n_in, n_out)")
    for i in range(1, len(mats)):
        if mats[i - 1].shape[1] != mats[i].shape[0]:
            raise ValueError(f"weights[{i - 1}] has {mats[i - 1].shape[1]} outputs but weights[{i}] "
                             f"expects {mats[i].shape[0]} inputs: shapes {mats[i - 1].shape} and "
                             f"{mats[i].shape} do not chain")
    return mats


def _shown(n, max_neurons):
    """Indices of the neurons drawn in a layer of n (first ones, then the last after a gap)."""
    if n <= max_neurons:
        return list(range(n)), False
    return list(range(max_neurons - 1)) + [n - 1], True


def _neuron_positions(sizes, max_neurons):
    """([{neuron index: y}] per layer, [(layer, y of the ⋮)]): neurons centred on y = 0, a wide
    layer shown as its first neurons, a ⋮ and the last one."""
    positions, gaps = [], []
    for layer, n in enumerate(sizes):
        idx, gap = _shown(n, max_neurons)
        k = len(idx) + (1 if gap else 0)
        ys = np.linspace(1, -1, k) * min(1.0, 0.12 * (k - 1)) if k > 1 else np.zeros(1)
        slots = list(ys)
        if gap:  # the ⋮ takes the slot before the last neuron
            gaps.append((layer, slots.pop(-2)))
        positions.append(dict(zip(idx, slots)))
    return positions, gaps


def _label_layers(ax, sizes, positions, top, input_labels, output_labels):
    """x_i left of the inputs, ŷ_j right of the outputs, each layer's name and width on top."""
    L = len(sizes)
    in_labels = input_labels or [f"$x_{{{i + 1}}}$" for i in range(sizes[0])]
    out_labels = output_labels or ([r"$\hat y$"] if sizes[-1] == 1
                                   else [f"$\\hat y_{{{j + 1}}}$" for j in range(sizes[-1])])
    for i, y in positions[0].items():
        ax.text(-0.12, y, in_labels[i], ha="right", va="center", fontsize=11)
    for j, y in positions[-1].items():
        ax.text(L - 1 + 0.12, y, out_labels[j], ha="left", va="center", fontsize=11)
    for layer, n in enumerate(sizes):
        name = "input" if layer == 0 else "output" if layer == L - 1 else f"hidden {layer}"
        ax.text(layer, top + 0.2, f"{name}\n({n})", ha="center", va="bottom", fontsize=10)


def network_diagram(weights, ax=None, input_labels=None, output_labels=None, max_neurons=10,
                    title="Network weights", max_linewidth=4.0):
    """Draw neurons as circles in layers, connected by lines for the weights.

    weights : list of (n_in, n_out) arrays, W^[1] ... W^[L] (a model with ``.layers`` of Dense
        layers also works). Layers wider than ``max_neurons`` show their first neurons, a ⋮ and
        the last one.
    Line width is proportional to |w| / max |w|; colour gives the sign. Returns the axes.
    """
    mats = _weight_list(weights)
    sizes = [mats[0].shape[0]] + [m.shape[1] for m in mats]
    L = len(sizes)
    wmax = max(float(np.abs(m).max()) for m in mats) or 1.0

    positions, gaps = _neuron_positions(sizes, max_neurons)
    top = max(max(p.values()) for p in positions)
    # The figure is sized from the drawing's extent so a small net is not lost in white space.
    width_u, height_u = L - 1 + 1.3, 2 * top + 0.95
    ax = new_axes(ax, figsize=(max(1.5 * width_u, 3.5), max(1.5 * height_u, 2.2)))
    for layer, m in enumerate(mats):
        for i, yi in positions[layer].items():
            for j, yj in positions[layer + 1].items():
                w = m[i, j]
                ax.plot([layer, layer + 1], [yi, yj], color=POSITIVE if w > 0 else NEGATIVE,
                        linewidth=0.2 + max_linewidth * abs(w) / wmax,
                        alpha=0.25 + 0.7 * abs(w) / wmax, zorder=1, solid_capstyle="round")
    radius = 0.055
    for layer, pos in enumerate(positions):
        for yi in pos.values():
            ax.add_patch(_circle((layer, yi), radius, is_io=layer in (0, L - 1)))
    for layer, y in gaps:
        ax.text(layer, y, "⋮", ha="center", va="center", fontsize=16, zorder=3)

    _label_layers(ax, sizes, positions, top, input_labels, output_labels)

    ax.legend(handles=[Line2D([], [], color=POSITIVE, linewidth=3, label="positive weight"),
                       Line2D([], [], color=NEGATIVE, linewidth=3, label="negative weight")],
              loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=2, fontsize="small",
              frameon=False)
    ax.set_xlim(-0.6, L - 1 + 0.6)
    ax.set_ylim(-top - 0.4, top + 0.55)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title)
    return ax


def _circle(xy, r, is_io):
    from matplotlib.patches import Circle

    return Circle(xy, r, facecolor="#F2F2F2" if is_io else "white", edgecolor="black",
                  linewidth=1.3, zorder=2)
