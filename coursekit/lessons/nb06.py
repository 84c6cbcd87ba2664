"""Small, reproducible training experiments reported as tables (notebook 06).

Notebooks 07 and 08 use them too.

Deck 003 ends with experiments on real data: 1, 2 and 3 hidden layers; widths 100, 200, 300;
sigmoid against ReLU; a search for good hyper-parameters. Each is "train a model, note its
accuracies, put a row in a table". This module does the bookkeeping so a notebook cell reads
like the experiment:

    rows = [{"depth": d, **run_experiment(build(d), data, epochs=20)} for d in (1, 2, 3)]
    print(format_table(rows, ["depth", "params", "train_acc", "val_acc", "test_acc"]))

``run_experiment``  train a model with ``nn.fit`` and return its accuracies and parameter count
``grid``            every combination of some settings, as a list of dicts
``format_table``    rows of dicts -> an aligned text table (floats with 3 decimals)
``best_row``        the row with the highest value of a column (the first one on ties)
``epoch_seconds``   wall-clock seconds of one training epoch (for cost measurements)
``batches``         the mini-batches of a hand-written training loop, in order, one per step
``dense_layers``    the Dense layers of a model, first to last (whose weight gradients to watch)

Everything is seeded: the same model, data and settings give the same numbers.
"""
from __future__ import annotations

import itertools
import math
from typing import Any, Iterable, Sequence

import numpy as np

__all__ = ["run_experiment", "grid", "format_table", "best_row", "epoch_seconds", "split_parts",
           "batches", "dense_layers"]


def split_parts(data) -> dict:
    """The parts of ``data`` by name: ``train`` always, ``val`` and ``test`` when given.

    ``data`` is a ``DigitsSplit`` (or anything with ``X_train``, ``y_train``, ... attributes),
    or a tuple ``(X, y)`` / ``(X_train, y_train, X_val, y_val)`` /
    ``(X_train, y_train, X_val, y_val, X_test, y_test)``.
    """
    if hasattr(data, "X_train"):
        parts = {"train": (data.X_train, data.y_train)}
        for name in ("val", "test"):
            X, y = getattr(data, f"X_{name}", None), getattr(data, f"y_{name}", None)
            if X is not None and y is not None:
                parts[name] = (X, y)
        return parts
    if isinstance(data, (tuple, list)) and len(data) in (2, 4, 6):
        names = ("train", "val", "test")[: len(data) // 2]
        return {name: (data[2 * i], data[2 * i + 1]) for i, name in enumerate(names)}
    raise TypeError("data must be a DigitsSplit or a tuple (X, y), (X_train, y_train, X_val, y_val) "
                    f"or (X_train, y_train, X_val, y_val, X_test, y_test); got {type(data).__name__}")


def _optimizer(name: str, lr: float, weight_decay: float, momentum: float):
    from .. import nn

    name = str(name).lower()
    if name == "sgd":
        return nn.SGD(lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adam":
        if weight_decay:
            raise ValueError("weight_decay is only offered with optimizer='sgd' here")
        return nn.Adam(lr=lr)
    raise ValueError(f"optimizer must be 'sgd' or 'adam', got {name!r}")


def run_experiment(model, data, *, epochs: int = 20, lr: float = 0.1, batch_size: int = 32,
                   optimizer: str = "sgd", weight_decay: float = 0.0, momentum: float = 0.0,
                   seed: int = 0, return_history: bool = False) -> dict:
    """Train ``model`` (a fresh ``nn.Sequential``) on ``data`` and measure it.

    Trains with ``nn.fit`` (softmax cross-entropy, mini-batches of ``batch_size`` shuffled with
    ``seed``), then evaluates on every part of ``data`` (see ``split_parts``).

    Returns a dict: ``params`` (number of trainable parameters), ``train_acc`` and, when the data
    have them, ``val_acc`` and ``test_acc`` (accuracies in [0, 1] after training), ``loss`` (the
    last epoch's training loss); with ``return_history=True`` also ``history`` (the
    ``nn.History``). A run whose loss becomes NaN or infinite is not an error: its accuracies are
    measured on the diverged weights (usually chance) and ``loss`` is ``inf``.
    """
    from .. import nn

    parts = split_parts(data)
    X, y = parts["train"]
    opt = _optimizer(optimizer, lr, weight_decay, momentum)
    history = None
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported as loss inf
            history = nn.fit(model, X, y, loss=nn.SoftmaxCrossEntropy(), optimizer=opt,
                             epochs=int(epochs), batch_size=int(batch_size), seed=seed,
                             progress=False)
        last_loss = float(history.loss[-1])
    except nn.TrainingDivergedError:
        last_loss = math.inf
    out: dict[str, Any] = {"params": int(model.n_params())}
    with np.errstate(all="ignore"):
        for name, (Xp, yp) in parts.items():
            out[f"{name}_acc"] = float(nn.evaluate(model, Xp, yp)["accuracy"])
    out["loss"] = last_loss
    if return_history:
        out["history"] = history
    return out


def grid(**settings: Iterable) -> list[dict]:
    """Every combination of the given settings, in order (the last setting varies fastest).

    >>> grid(lr=[0.1, 1.0], batch_size=[32])
    [{'lr': 0.1, 'batch_size': 32}, {'lr': 1.0, 'batch_size': 32}]
    """
    if not settings:
        return [{}]
    names = list(settings)
    values = [list(v) for v in settings.values()]
    for n, v in zip(names, values):
        if not v:
            raise ValueError(f"setting {n!r} has no values")
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def _cell(value, decimals: int) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.{decimals}f}" if math.isfinite(value) else str(float(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_cell(v, decimals) for v in value) + "]"
    return str(value)


def format_table(rows: Sequence[dict], columns: Sequence[str] | None = None, *,
                 decimals: int = 3, title: str | None = None) -> str:
    """An aligned text table of ``rows`` (dicts), one line per row.

    ``columns``: which keys, in order (default: the keys of the first row, except ``history``).
    Floats get ``decimals`` decimals, integers thousands separators, lists are written out.
    A key missing from a row shows as ``-``.
    """
    rows = list(rows)
    if columns is None:
        columns = [k for k in (rows[0] if rows else {}) if k != "history"]
    columns = list(columns)
    if not columns:
        raise ValueError("format_table needs at least one column")
    body = [[_cell(r[c], decimals) if c in r else "-" for c in columns] for r in rows]
    widths = [max([len(c)] + [len(line[i]) for line in body]) for i, c in enumerate(columns)]

    def line(cells):
        return "  ".join(s.rjust(w) for s, w in zip(cells, widths)).rstrip()

    out = [title] if title else []
    out += [line(columns), line(["-" * w for w in widths])]
    out += [line(cells) for cells in body]
    return "\n".join(out)


def best_row(rows: Sequence[dict], key: str = "val_acc") -> dict:
    """The row with the highest ``row[key]``; the first such row on ties."""
    rows = list(rows)
    if not rows:
        raise ValueError("best_row needs at least one row")
    best = rows[0]
    for r in rows[1:]:
        if r[key] > best[key]:
            best = r
    return best


def epoch_seconds(model, X, y, *, batch_size: int = 32, epochs: int = 3, lr: float = 0.01) -> float:
    """Wall-clock seconds of one epoch of ``nn.fit`` (SGD, softmax cross-entropy).

    Trains ``model`` for ``epochs`` epochs (it changes the weights) and returns the fastest of
    them (``min(History.epoch_time)``, the one least disturbed by other work on the machine, as
    ``timeit`` does). Timings depend on the machine and its load: show them, never compare them
    exactly.
    """
    from .. import nn

    history = nn.fit(model, X, y, loss=nn.SoftmaxCrossEntropy(), optimizer=nn.SGD(lr=lr),
                     epochs=int(epochs), batch_size=int(batch_size), progress=False)
    return float(min(history.epoch_time))


def batches(X, y, batch_size: int, steps: int):
    """Yield ``steps`` mini-batches ``(X_batch, y_batch)`` of ``X`` (N, D) and ``y`` (N,), in order.

    Step t takes the ``batch_size`` rows that follow those of step t - 1, wrapping round to the
    start of the data after its last row, without shuffling: a hand-written loop and a check that
    repeats it see the same batches. Each batch has shape (batch_size, D) and (batch_size,) (fewer
    rows when N < batch_size).
    """
    X, y = np.asarray(X), np.asarray(y)
    n, b, steps = len(X), int(batch_size), int(steps)
    if len(y) != n:
        raise ValueError(f"X has {n} rows but y has {len(y)} labels: give one label per example")
    if n == 0 or b < 1 or steps < 0:
        raise ValueError(f"need data, batch_size >= 1 and steps >= 0; got {n} rows, "
                         f"batch_size={batch_size}, steps={steps}")
    b = min(b, n)
    for t in range(steps):
        rows = (np.arange(b) + t * b) % n
        yield X[rows], y[rows]


def dense_layers(model) -> list:
    """The ``nn.Dense`` layers of a ``Sequential`` model, in order from the input to the output."""
    from .. import nn

    layers = getattr(model, "layers", None)
    if layers is None:
        raise TypeError(f"expected an nn.Sequential (it has .layers), got {type(model).__name__}")
    return [layer for layer in layers if isinstance(layer, nn.Dense)]
