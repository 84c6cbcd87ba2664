"""Alt text for the course's figures: a sentence that says what a picture shows.

A screen reader cannot read a PNG. Every figure a notebook displays therefore carries a text
alternative in its output's metadata (``{"image/png": {"alt": "..."}}``), the place Jupyter's
frontends and the course website read it from.

Two sources, best first:

- ``describe_figure(fig)``: from the matplotlib Figure itself (suptitle, each panel's title,
  axis labels and legend entries). ``install_alt_text_hook()`` puts it into the metadata of every
  figure an IPython kernel displays; importing ``coursekit.plotting`` in a notebook installs it.
- ``describe_cell_figures(source, n)``: from the code of the cell that drew the figures (the
  plotting call, its ``title=``/``xlabel=`` arguments, ``ax.set(...)``, ``set_title(...)``, the
  ``label=`` of each line) and the section heading above it. The website uses it for an output
  stored without alt text (executed before the hook existed).
"""
from __future__ import annotations

import ast
import re
import sys
from typing import Iterable

#: Keyword arguments and setter names that name what a figure shows.
_TITLE_KEYS = ("suptitle", "title")
_AXIS_KEYS = {"xlabel": "x", "ylabel": "y", "zlabel": "z"}
_MAX_ITEMS = 6
_MAX_LEN = 400


def _clean(text: str) -> str:
    """Plain words from a matplotlib string: mathtext ``$\\eta$`` becomes ``eta``."""
    text = re.sub(r"\$([^$]*)\$", lambda m: re.sub(r"\\([A-Za-z]+)", r"\1", m.group(1)), str(text))
    text = text.replace("{", "").replace("}", "").replace("^", " to the power ").replace("_", " ")
    return re.sub(r"\s+", " ", text).strip()


def _join(items: Iterable[str]) -> str:
    items = list(dict.fromkeys(i for i in items if i))
    more = len(items) - _MAX_ITEMS
    items = items[:_MAX_ITEMS]
    text = ", ".join(items)
    return text + (f" and {more} more" if more > 0 else "")


def _sentence(parts: list[str]) -> str:
    text = " ".join(p.rstrip(".") + "." for p in parts if p and p.strip(". "))
    return text if len(text) <= _MAX_LEN else text[:_MAX_LEN - 1].rstrip() + "…"


def describe_figure(fig) -> str:
    """One or two sentences saying what a matplotlib Figure shows, for a screen reader.

    Built from the figure's suptitle, then per panel its title, its axis labels and its legend
    entries (at most six of each). Returns "" only for a figure with no axes and no title.
    """
    parts: list[str] = []
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text().strip():
        parts.append(_clean(sup.get_text()))
    axes = [ax for ax in fig.get_axes() if ax.get_visible() and ax.get_label() != "<colorbar>"]

    def axis_text(ax) -> str:
        x, y = _clean(ax.get_xlabel()), _clean(ax.get_ylabel())
        return f"{y} against {x}" if x and y else (f"axis: {x or y}" if x or y else "")

    if len(axes) == 1:
        parts += [_clean(axes[0].get_title()), axis_text(axes[0])]
    elif len(axes) > 1:
        panels = [", ".join(filter(None, [_clean(ax.get_title()), axis_text(ax)])) for ax in axes]
        if len(set(panels)) == 1 or not any(panels):
            parts.append(f"{len(axes)} panels" + (f", each {panels[0]}" if panels[0] else ""))
        else:
            parts.append(f"{len(axes)} panels: " + "; ".join(dict.fromkeys(p for p in panels if p)))
    labels = []
    for ax in axes:
        handles, names = ax.get_legend_handles_labels()
        labels.extend(_clean(n) for n in names if n and not n.startswith("_"))
    if labels:
        parts.append(f"legend: {_join(labels)}")
    if not parts and axes:
        parts.append(f"a figure with {len(axes)} panel{'s' if len(axes) > 1 else ''} and no titles")
    return _sentence(parts)


# --- from a cell's code ---------------------------------------------------------------------

def _string(node: ast.AST) -> str | None:
    """The text of a string literal or f-string (``{expr}`` parts become "…")."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "…" for v in node.values)
    return None


def _strings(node: ast.AST) -> list[str]:
    """String literals directly in an argument (a tuple or list of names counts)."""
    if isinstance(node, (ast.Tuple, ast.List)):
        return [s for s in map(_string, node.elts) if s]
    s = _string(node)
    return [s] if s else []


def _func_name(call: ast.Call) -> tuple[str, str]:
    """(owner, name) of a call: ``ckp.decision_boundary(...)`` -> ("ckp", "decision_boundary")."""
    f = call.func
    if isinstance(f, ast.Attribute):
        owner = f.value.id if isinstance(f.value, ast.Name) else ""
        return owner, f.attr
    if isinstance(f, ast.Name):
        return "", f.id
    return "", ""


def _plotting_names() -> set[str]:
    from . import __all__ as names

    return {n for n in names if n[:1].islower() and n not in ("color", "get_activation", "history_dict",
                                                                 "evaluate_surface")}


class _Figure:
    """What one figure's code says about it."""

    def __init__(self) -> None:
        self.titles: list[str] = []
        self.axes: dict[str, list[str]] = {"x": [], "y": [], "z": []}
        self.labels: list[str] = []
        self.drawn_by: list[str] = []
        self.subjects: list[str] = []

    def empty(self) -> bool:
        return not (self.titles or any(self.axes.values()) or self.labels or self.drawn_by)

    def read(self, call: ast.Call, plotting: set[str]) -> None:
        owner, name = _func_name(call)
        kwargs = {k.arg: k.value for k in call.keywords if k.arg}
        if name in plotting:
            self.drawn_by.append(name)
            for arg in call.args:
                self.subjects.extend(_strings(arg))
        if name in ("set_title", "suptitle", "title") and call.args:
            self.titles.extend(_strings(call.args[0]))
        for axis_key, axis in _AXIS_KEYS.items():
            if name in (f"set_{axis_key}", axis_key) and call.args:
                self.axes[axis].extend(_strings(call.args[0]))
        for key in _TITLE_KEYS:
            if key in kwargs:
                self.titles.extend(_strings(kwargs[key]))
        for axis_key, axis in _AXIS_KEYS.items():
            if axis_key in kwargs:
                self.axes[axis].extend(_strings(kwargs[axis_key]))
        if "label" in kwargs and name not in ("set_title",):
            self.labels.extend(_strings(kwargs["label"]))
        if name == "legend" and call.args:
            self.labels.extend(_strings(call.args[0]))

    def describe(self, figure_text: str = "") -> str:
        parts = []
        if self.titles:
            parts.append(_join(map(_clean, self.titles)))
        elif self.drawn_by:
            what = _join(n.replace("_", " ") for n in self.drawn_by)
            subjects = _join(map(_clean, self.subjects))
            parts.append(f"{what[:1].upper()}{what[1:]}" + (f" of {subjects}" if subjects else ""))
        panels = re.search(r"with (\d+) Axes", figure_text or "")
        if panels and int(panels.group(1)) > 1:
            parts.append(f"{panels.group(1)} panels")
        xl, yl = _join(map(_clean, self.axes["x"])), _join(map(_clean, self.axes["y"]))
        if xl and yl:
            parts.append(f"{yl} against {xl}")
        elif xl or yl:
            parts.append(f"axis: {xl or yl}")
        if self.labels:
            parts.append(f"legend: {_join(map(_clean, self.labels))}")
        return _sentence(parts)


def _is_show(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            and _func_name(stmt.value)[1] in ("show", "display"))


def _calls(node: ast.AST) -> list[ast.Call]:
    calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
    return sorted(calls, key=lambda c: (c.lineno, c.col_offset))


def describe_cell_figures(source: str, n_figures: int, heading: str = "",
                          figure_texts: list[str] | None = None) -> list[str]:
    """Alt text for each of the ``n_figures`` figures a code cell displayed, from its code.

    The cell is cut at each top-level ``plt.show()``; when that gives one drawing segment per
    figure, each figure is described by its own segment, otherwise all by the whole cell. Every
    text ends with the section ``heading`` the cell sits under, so it is never empty.
    ``figure_texts`` are the outputs' text/plain forms (``<Figure size 600x360 with 2 Axes>``).
    """
    if n_figures <= 0:
        return []
    figure_texts = list(figure_texts or []) + [""] * n_figures
    plotting = _plotting_names()
    source_py = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    segments: list[_Figure] = []
    try:
        tree = ast.parse(source_py)
    except SyntaxError:
        tree = None
    if tree is not None:
        groups, current = [], []
        for stmt in tree.body:
            current.append(stmt)
            if _is_show(stmt):
                groups.append(current)
                current = []
        if current:
            groups.append(current)
        for group in groups:
            fig = _Figure()
            for stmt in group:
                for call in _calls(stmt):
                    fig.read(call, plotting)
            if not fig.empty():
                segments.append(fig)
    if len(segments) != n_figures:
        whole = _Figure()
        for seg in segments:
            for attr in ("titles", "labels", "drawn_by", "subjects"):
                getattr(whole, attr).extend(getattr(seg, attr))
            for axis in whole.axes:
                whole.axes[axis].extend(seg.axes[axis])
        segments = [whole] * n_figures
    where = f"In the section “{_clean(heading)}”" if heading else "A figure of this notebook"
    shared = n_figures > 1 and len(set(map(id, segments))) == 1
    out = []
    for i, seg in enumerate(segments):
        text = seg.describe(figure_texts[i])
        number = f"Figure {i + 1} of {n_figures} drawn by this code" if shared else ""
        out.append(_sentence([number, text, where] if text else [number, where]))
    return out


# --- the kernel hook -------------------------------------------------------------------------

def _figure_alt_metadata(fig):
    """IPython mimebundle printer: no data (matplotlib-inline draws the PNG), only the alt text."""
    try:
        alt = describe_figure(fig)
    except Exception:   # alt text must never cost a student their figure
        alt = ""
    return ({}, {"image/png": {"alt": alt}}) if alt else ({}, {})


def install_alt_text_hook(shell=None) -> bool:
    """Give every figure an IPython kernel displays its alt text (``describe_figure``).

    Registers a mimebundle printer for matplotlib Figures that adds only metadata, so the
    output reads ``{"image/png": {"alt": "..."}}`` beside the PNG that matplotlib-inline's own
    printer draws. It survives ``%matplotlib inline``, which replaces the per-format printers
    but not this one. Returns False outside IPython (nothing to do there).
    """
    if shell is None:
        ipython = sys.modules.get("IPython")   # never import IPython just to find it absent
        shell = ipython.get_ipython() if ipython is not None else None
    formatter = getattr(getattr(shell, "display_formatter", None), "mimebundle_formatter", None)
    if formatter is None:
        return False
    formatter.for_type_by_name("matplotlib.figure", "Figure", _figure_alt_metadata)
    return True
