"""A computational graph drawn with matplotlib alone (no Graphviz), values and gradients on it
(notebook 05). Any node object with ``.data``, ``.grad``, ``.children`` (or micrograd's
``._prev``), ``.op`` and ``.label`` can be drawn, e.g. ``coursekit.autograd.Value``.

Layout: each value sits in the column of its depth (leaves at the left, the output at the right);
each operation is a circle halfway between its result and the column before. Inside a column
the nodes are ordered and placed at the average height of their neighbours (a barycentre sweep),
which keeps chains straight and crossings few.
"""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from .style import POSITIVE, new_axes

__all__ = ["computational_graph"]

_OP_TEXT = {"*": "×", "mul": "×", "+": "+", "add": "+", "-": "−", "sub": "−", "neg": "−x",
            "/": "÷", "div": "÷", "sigmoid": "σ", "relu": "ReLU", "**": "^"}
BOX_W, BOX_H, OP_R = 1.6, 0.95, 0.32
COL_DX, ROW_DY = 3.0, 1.3
INCH_PER_UNIT = 0.6


def _children(node):
    kids = getattr(node, "children", None)
    if kids is None:
        kids = getattr(node, "_prev", ())
    return tuple(kids)


def _collect(root):
    """All nodes reachable from root, children before parents (iterative: deep graphs are fine)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for c in reversed(_children(node)):
            if id(c) not in seen:
                stack.append((c, False))
    return order


def _fmt(v):
    if v is None:
        return "?"
    v = float(np.asarray(v).reshape(()))
    return f"{v:.2f}" if abs(v) < 1e4 else f"{v:.2e}"


def _layout(order):
    """x, y positions for value nodes and op nodes; keys are ('v', id) and ('op', id)."""
    depth = {}
    for n in order:
        kids = _children(n)
        depth[id(n)] = 1 + max(depth[id(c)] for c in kids) if kids else 0
    # A leaf sits just before its first use, not in column 0: an input that enters late (the
    # bias w2 in w0*x0 + w1*x1 + w2) would otherwise send its arrow through the boxes between.
    first_use: dict = {}
    for n in order:
        for c in _children(n):
            first_use[id(c)] = min(first_use.get(id(c), depth[id(n)]), depth[id(n)])
    for n in order:
        if not _children(n) and id(n) in first_use:
            depth[id(n)] = first_use[id(n)] - 1
    columns: dict[int, list] = {}
    inputs: dict = {}
    for n in order:
        key = ("v", id(n))
        kids = _children(n)
        columns.setdefault(2 * depth[id(n)], []).append(key)
        if kids:
            op = ("op", id(n))
            columns.setdefault(2 * depth[id(n)] - 1, []).append(op)
            inputs[op] = [("v", id(c)) for c in kids]
            inputs[key] = [op]
    consumers: dict = {}
    for k, ins in inputs.items():
        for i in ins:
            consumers.setdefault(i, []).append(k)

    y = {}
    for col in sorted(columns):  # first guess: stacked in discovery order
        for r, k in enumerate(columns[col]):
            y[k] = -r * ROW_DY

    def place(col, neighbours):
        keys = columns[col]
        want = {k: np.mean([y[n] for n in neighbours.get(k, [])]) if neighbours.get(k) else y[k]
                for k in keys}
        keys.sort(key=lambda k: -want[k])
        ys = [want[keys[0]]]
        for k in keys[1:]:  # keep at least ROW_DY between neighbours in a column
            ys.append(min(want[k], ys[-1] - ROW_DY))
        shift = np.mean([want[k] for k in keys]) - np.mean(ys)
        for k, v in zip(keys, ys):
            y[k] = v + shift

    cols = sorted(columns)
    for _ in range(2):
        for col in cols[1:]:
            place(col, inputs)
        for col in reversed(cols[:-1]):
            place(col, consumers)
    for col in cols[1:]:
        place(col, inputs)
    x = {k: col * COL_DX / 2 for col in cols for k in columns[col]}
    return x, y, inputs


def _draw_op(ax, node, at, font):
    """An operation: a circle for a symbol (+, *), a rounded box for a name (tanh, exp)."""
    op = str(getattr(node, "op", "") or "")
    text = _OP_TEXT.get(op, op)
    if op.startswith("**") and op not in _OP_TEXT:  # "**2" from x**2 reads as "x^2"
        text = "x^" + op[2:]
    if len(text) <= 2:
        patch = Circle(at, OP_R, facecolor="#FFF4D6", edgecolor="black", linewidth=1.2, zorder=3)
    else:  # wide enough for its name
        w = min(0.16 * len(text) + 0.25, 1.2)
        patch = FancyBboxPatch((at[0] - w / 2, at[1] - OP_R * 0.8), w, OP_R * 1.6,
                               boxstyle="round,pad=0.02,rounding_size=0.2",
                               facecolor="#FFF4D6", edgecolor="black", linewidth=1.2, zorder=3)
    ax.add_patch(patch)
    ax.text(*at, text, ha="center", va="center", zorder=4,
            fontsize=font * (1.5 if len(text) == 1 else 1.0))
    return patch


def _draw_value(ax, node, at, font, is_root, show_grad):
    """A value: a box "label / data / grad", blue for a leaf (input), orange for the output."""
    is_leaf = not _children(node)
    face = "#D6EAF8" if is_leaf else "#FAD7B5" if is_root else "white"
    patch = FancyBboxPatch((at[0] - BOX_W / 2, at[1] - BOX_H / 2), BOX_W, BOX_H,
                           boxstyle="round,pad=0.02,rounding_size=0.12", facecolor=face,
                           edgecolor="black", linewidth=1.4 if is_root else 1.0, zorder=3)
    ax.add_patch(patch)
    label = str(getattr(node, "label", "") or "")
    lines = [(label, "black", "bold")] if label else []
    lines.append((f"data {_fmt(node.data)}", "black", "normal"))
    if show_grad:
        lines.append((f"grad {_fmt(getattr(node, 'grad', None))}", POSITIVE, "normal"))
    step = 0.27
    top = at[1] + step * (len(lines) - 1) / 2
    for i, (t, c, w) in enumerate(lines):
        ax.text(at[0], top - i * step, t, ha="center", va="center", color=c, fontweight=w,
                fontsize=font, zorder=4)
    return patch


def _draw_edges(ax, inputs, x, y, patches, y1):
    """Arrows from each input to its consumer; returns the top of the drawing (arcs raise it)."""
    for target, sources in inputs.items():
        seen = {}
        for s in sources:
            # The same input used twice (a * a) gets a second, curved arrow.
            rad = 0.25 * seen.get(s, 0)
            seen[s] = seen.get(s, 0) + 1
            span = x[target] - x[s]
            if span > COL_DX / 2 + 1e-9 and rad == 0:
                # A value used again further right (x in x**2 + x) would run straight through
                # the boxes between: arc it over them instead.
                rad = -0.5
                y1 = max(y1, max(y[s], y[target]) + 0.5 * span / 2 + BOX_H)
            ax.add_patch(FancyArrowPatch(
                (x[s], y[s]), (x[target], y[target]), patchA=patches[s], patchB=patches[target],
                arrowstyle="-|>", mutation_scale=12, linewidth=1.1, color="#333333",
                connectionstyle=f"arc3,rad={rad}", shrinkA=1, shrinkB=1, zorder=2))
    return y1


def computational_graph(root, ax=None, title=None, show_grad=True):
    """Draw the graph that computed ``root``, each value as a box "label / data / grad".

    root : the output node (e.g. an ``autograd.Value`` after ``backward()``).
    Leaves (inputs) are shaded blue, the output orange; operations are circles.
    Returns the axes.
    """
    if not hasattr(root, "data"):
        raise TypeError("computational_graph needs the output node of a computation (an object "
                        f"with .data, .grad and .children, like autograd.Value), got {type(root).__name__}")
    order = _collect(root)
    nodes = {id(n): n for n in order}
    x, y, inputs = _layout(order)
    xs, ys = np.array(list(x.values())), np.array([y[k] for k in x])
    x0, x1 = xs.min() - BOX_W / 2 - 0.2, xs.max() + BOX_W / 2 + 0.2
    y0, y1 = ys.min() - BOX_H / 2 - 0.2, ys.max() + BOX_H / 2 + 0.2
    width, height = (x1 - x0) * INCH_PER_UNIT, (y1 - y0) * INCH_PER_UNIT
    # Big graphs shrink to fit a notebook; the fonts shrink with them, never below 6 pt.
    scale = min(1.0, 14.0 / width, 11.0 / height)
    font = max(6.0, 9.5 * scale)
    ax = new_axes(ax, figsize=(max(width * scale, 3.0), max(height * scale, 1.8)))

    patches = {}
    for key in x:
        node, at = nodes[key[1]], (x[key], y[key])
        patches[key] = (_draw_op(ax, node, at, font) if key[0] == "op" else
                        _draw_value(ax, node, at, font, node is root, show_grad))
    y1 = _draw_edges(ax, inputs, x, y, patches, y1)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=font * 1.3)
    return ax
