"""Curves over time or over a setting: training curves, generic line charts, learning-rate sweeps,
loss per SGD step side by side for several step sizes (notebook 07, batch normalisation), and
accuracy against attack strength (notebook 12)."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..errors import choose
from .style import as_array, color, marker, new_axes, new_grid, style_axes

__all__ = ["training_curves", "remedy_curves", "line_chart", "learning_rate_sweep", "step_curves",
           "accuracy_vs_epsilon", "history_dict"]

# Accepted spellings, first one is the canonical key.
_ALIASES = {
    "loss": ("loss", "train_loss", "training_loss"),
    "val_loss": ("val_loss", "validation_loss", "valid_loss"),
    "accuracy": ("accuracy", "acc", "train_accuracy", "train_acc"),
    "val_accuracy": ("val_accuracy", "val_acc", "validation_accuracy", "valid_accuracy"),
}


def history_dict(history: Any) -> dict[str, np.ndarray]:
    """Read loss/accuracy series from a dict, a Keras-like ``.history`` dict, attributes, or a
    plain list of loss values.

    Returns a dict with any of ``loss``, ``val_loss``, ``accuracy``, ``val_accuracy`` mapped to
    (E,) float arrays (empty series are left out).
    """
    if history is None:
        raise ValueError("The history is None: keep what fit returns, history = fit(...), and "
                         "pass that (a function that trains must also return its losses).")
    if isinstance(history, (list, tuple, np.ndarray)) and len(history) and all(
            np.isscalar(v) or getattr(v, "ndim", None) == 0 for v in history):
        source = {"loss": list(history)}  # a plain list of losses, one per epoch or step
    elif isinstance(history, Mapping):
        source = dict(history)
    elif isinstance(getattr(history, "history", None), Mapping):
        source = dict(history.history)
    else:
        source = {}
        for names in _ALIASES.values():
            for n in names:
                if hasattr(history, n):
                    source[n] = getattr(history, n)
    out = {}
    for key, names in _ALIASES.items():
        for n in names:
            series = source.get(n)
            # Skip missing and empty series, and all-None ones (accuracy of a regression run).
            if series is not None and len(series) > 0 and any(v is not None for v in series):
                out[key] = as_array([np.nan if v is None else v for v in series],
                                    f"history[{n!r}]", ndim=1)
                break
    if not out and hasattr(history, "loss") and len(history.loss) == 0:
        raise ValueError("This history is empty: no epoch has been trained yet.")
    if not out:
        raise ValueError("This history has none of loss, val_loss, accuracy, val_accuracy. "
                         "Pass the History returned by fit(...) or a dict like "
                         "{'loss': [...], 'val_loss': [...]}.")
    return out


def _series_panel(ax, train, val, what, logy=False):
    epochs = np.arange(1, max(len(s) for s in (train, val) if s is not None) + 1)
    for i, (series, name, style) in enumerate(((train, "train", "-"), (val, "validation", "--"))):
        if series is None:
            continue
        ax.plot(epochs[:len(series)], series, style, color=color(i), linewidth=2, label=name)
    if val is not None and np.isfinite(val).any():
        # The best validation epoch is where early stopping would keep the weights.
        best = int(np.nanargmin(val) if what == "loss" else np.nanargmax(val))
        ax.plot(best + 1, val[best], "o", color=color(1), markeredgecolor="black", zorder=5,
                label=f"best validation (epoch {best + 1})")
    if logy:
        ax.set_yscale("log")
    style_axes(ax, what.capitalize(), "epoch", what)
    ax.legend(fontsize="small")


def training_curves(history, logy=False, title=None):
    """Loss (and accuracy, when recorded) per epoch, train vs validation, side by side.

    ``history``: the History from ``coursekit.nn.fit``, or a dict of lists with keys ``loss``,
    ``val_loss``, ``accuracy``, ``val_accuracy`` (any subset; ``acc``/``val_acc`` also accepted),
    or a plain list of losses from your own loop. Returns the figure.
    """
    h = history_dict(history)
    panels = [m for m in ("loss", "accuracy") if m in h or f"val_{m}" in h]
    fig, axes = new_grid(1, len(panels), panel=(4.2, 3.3))
    for ax, m in zip(axes[0], panels):
        _series_panel(ax, h.get(m), h.get(f"val_{m}"), m, logy=logy and m == "loss")
    if title:
        fig.suptitle(title)
    return fig


def _remedy_panel(ax, base, h, metric, scale, row_name):
    """Baseline curves in gray underneath, the remedy's in colour; the best validation epoch marked."""
    for series, style, lab in ((base, "--", "train"), (base, "-", "validation")):
        key = metric if lab == "train" else f"val_{metric}"
        if key in series:
            ax.plot(np.arange(1, len(series[key]) + 1), series[key], style, color="0.6", linewidth=1.2,
                    label=f"{lab}, no remedy")
    for i, (key, style, lab) in enumerate(((metric, "--", "train"), (f"val_{metric}", "-", "validation"))):
        if key in h:
            ax.plot(scale * np.arange(1, len(h[key]) + 1), h[key], style, color=color(i), linewidth=2, label=lab)
    val = h.get(f"val_{metric}")
    if val is not None and np.isfinite(val).any():
        best = int(np.nanargmin(val) if metric == "loss" else np.nanargmax(val))
        ax.plot(scale * (best + 1), val[best], "o", color=color(1), markeredgecolor="black", zorder=5)
    if metric == "loss":
        ax.set_yscale("log")
        # ticks at 0.1, 0.2, 0.5, 1, 2 written as such, rather than 10^-1 and unlabelled minor ticks
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    style_axes(ax, None, "epoch", row_name)


def remedy_curves(histories: Mapping, baseline: str | None = None, metrics=("loss", "accuracy"),
                  epoch_scale: Mapping | None = None, title=None):
    """Training and validation curves of each remedy against the unregularised run, one column each.

    histories : dict label -> History (or a dict of lists as ``training_curves`` takes); the
        ``baseline`` entry (default: the first) is drawn in gray in every panel, each other entry in
        colour in its own column (training dashed, validation solid, its best validation epoch as a dot).
    metrics : rows of the grid, from "loss" (log scale) and "accuracy".
    epoch_scale : dict label -> factor: that run's epoch k is drawn at k * factor, so a run over five
        times the data per epoch lines up with the others by gradient steps.
    Returns the figure, (len(metrics), len(histories) - 1) panels.
    """
    if not isinstance(histories, Mapping) or len(histories) < 2:
        raise ValueError("Give a dict with the unregularised run and at least one remedy, "
                         "e.g. {'no regularisation': h0, 'dropout 0.5': h1}.")
    baseline = next(iter(histories)) if baseline is None else baseline
    if baseline not in histories:
        raise ValueError(f"baseline {baseline!r} is not one of the runs: {', '.join(map(str, histories))}")
    for m in metrics:
        choose(m, ("loss", "accuracy"), "metric")
    base = history_dict(histories[baseline])
    others = [k for k in histories if k != baseline]
    scale = dict(epoch_scale or {})
    fig, axes = new_grid(len(metrics), len(others), panel=(2.9, 2.4), sharey="row")
    for j, label in enumerate(others):
        h = history_dict(histories[label])
        for i, m in enumerate(metrics):
            _remedy_panel(axes[i, j], base, h, m, float(scale.get(label, 1)), m if j == 0 else None)
        axes[0, j].set_title(str(label))
    # one legend under the grid, so that no panel's curves hide behind it
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=4, fontsize="small")
    fig.suptitle(title or f"Each remedy (colour) against {baseline} (gray)")
    return fig


def _as_series(ys, name="ys") -> dict[str, np.ndarray]:
    if isinstance(ys, Mapping):
        if not ys:
            raise ValueError(f"{name} is empty: give at least one curve")
        return {str(k): as_array(v, f"{name}[{k!r}]", ndim=1) for k, v in ys.items()}
    return {"": as_array(ys, name, ndim=1)}


def line_chart(x, ys, ax=None, title=None, xlabel=None, ylabel=None, logx=False, logy=False,
               markers=True):
    """One or several curves over the same x.

    x : (T,) values; ys : (T,) array or dict label -> (T,) array. Returns the axes.
    """
    x = as_array(x, "x", ndim=1)
    series = _as_series(ys)
    ax = new_axes(ax)
    for i, (label, y) in enumerate(series.items()):
        if len(y) != len(x):
            raise ValueError(f"curve {label or 'ys'} has {len(y)} values but x has {len(x)}")
        ax.plot(x, y, color=color(i), marker=marker(i) if markers else None, markersize=4,
                linewidth=2, label=label or None)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    style_axes(ax, title, xlabel, ylabel)
    if any(series):
        ax.legend(fontsize="small")
    return ax


def learning_rate_sweep(losses, ax=None, title="Loss for each learning rate", logy=True):
    """Loss curves of one run per learning rate; a run that blows up is cut and marked with ×.

    losses : dict learning rate (float) -> (T,) loss per step or epoch. Returns the axes.
    """
    if not isinstance(losses, Mapping) or not losses:
        raise ValueError("losses must be a dict {learning_rate: [loss per epoch]}")
    ax = new_axes(ax)
    rates = sorted(losses, key=float)
    for i, lr in enumerate(rates):
        y = as_array(losses[lr], f"losses[{lr!r}]", ndim=1)
        # Diverged: not a number any more, or a thousand times the starting loss.
        start = abs(y[0]) if np.isfinite(y[0]) else 1.0
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(y) | (y > 1e3 * max(start, 1e-12))
        stop = int(np.argmax(bad)) if bad.any() else len(y)
        c = color(i)
        label = f"η = {float(lr):g}" + (" (diverged)" if bad.any() else "")
        ax.plot(np.arange(stop), y[:stop], color=c, linewidth=2, label=label)
        if bad.any() and stop > 0:
            ax.plot(stop - 1, y[stop - 1], "x", color=c, markersize=10, markeredgewidth=2.5)
    if logy:
        ax.set_yscale("log")
    style_axes(ax, title, "epoch", "loss")
    ax.legend(fontsize="small")
    return ax


def _step_curve(name, curve):
    curve = as_array(curve, name, ndim=2)
    if curve.shape[1] != 2 or len(curve) == 0:
        raise ValueError(f"{name} must be rows (step, loss), shape (M, 2), got shape {curve.shape}")
    return curve


def step_curves(panels, title=None, logy=True, ylabel="training loss"):
    """One panel per setting (e.g. per learning rate), each with one loss curve per model.

    panels : dict panel title -> dict label -> (M, 2) rows (step, loss), as
    ``lessons.nb07.loss_curve`` returns them; a curve ending in inf or nan diverged there: it is
    drawn up to its last finite value, marked with a cross and labelled with the step.
    The panels share the y axis. Returns the figure.
    """
    if not isinstance(panels, Mapping) or not panels or not all(isinstance(p, Mapping) and p
                                                                for p in panels.values()):
        raise ValueError("panels must be a dict {panel title: {label: (M, 2) curve}}, none empty")
    fig, axes = new_grid(1, len(panels), panel=(4.6, 3.3), sharey=True)
    for ax, (panel, curves) in zip(axes[0], panels.items()):
        for i, (label, curve) in enumerate(curves.items()):
            curve = _step_curve(f"panels[{panel!r}][{label!r}]", curve)
            ok = np.isfinite(curve[:, 1])
            stop = int(np.argmin(ok)) if not ok.all() else len(curve)
            shown = curve[:stop]
            text = label if ok.all() else f"{label}: diverged at step {int(curve[stop, 0])}"
            ax.plot(shown[:, 0], shown[:, 1], color=color(i), linewidth=2, label=text)
            if not ok.all():
                x, y = (shown[-1] if stop else (curve[stop, 0], np.nan))
                ax.plot([x], [y if stop else ax.get_ylim()[1]], "x", color=color(i), markersize=11,
                        markeredgewidth=2.5, clip_on=False)
        if logy:
            ax.set_yscale("log")
        style_axes(ax, str(panel), "SGD step", ylabel if ax is axes[0][0] else None)
        ax.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


def accuracy_vs_epsilon(eps, acc, ax=None, chance=None, title="Accuracy under attack",
                        xlabel="attack strength ε"):
    """Accuracy (0..1) against attack strength ε, one curve per model.

    eps : (E,) attack strengths; acc : (E,) accuracies or dict model name -> (E,) accuracies.
    chance : accuracy of guessing (e.g. 0.1 for 10 digits), drawn as a dotted line.
    """
    eps = as_array(eps, "eps", ndim=1)
    series = _as_series(acc, "acc")
    for name, a in series.items():
        if len(a) != len(eps):
            raise ValueError(f"accuracy curve {name or 'acc'} has {len(a)} values for {len(eps)} ε")
        if np.nanmax(a) > 1.0 + 1e-9:
            raise ValueError("accuracies must be fractions between 0 and 1, "
                             f"got a maximum of {np.nanmax(a):g} (divide percentages by 100)")
    ax = line_chart(eps, {k or "model": v for k, v in series.items()}, ax=ax, title=title,
                    xlabel=xlabel, ylabel="accuracy")
    if chance is not None:
        ax.axhline(chance, color="black", linestyle=":", linewidth=1.2, label=f"chance ({chance:g})")
        ax.legend(fontsize="small")
    ax.set_ylim(-0.02, 1.02)
    return ax
