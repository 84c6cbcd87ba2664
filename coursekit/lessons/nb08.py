"""Notebook 08's setting and its comparisons.

- ``noisy_subset(data, n, fraction, seed)``: ``n`` training digits of which ``fraction`` carry a
  wrong label (``datasets.mislabel``), the small, imperfect training set that the network overfits;
- ``scores(model, X, y, X_val, y_val, loss)``: loss and accuracy on the training and the
  validation digits, and how many wrong training labels the network reproduces;
- ``score_line(label, s, baseline)``: one line of the notebook's comparison tables, accuracies in
  whole percent and losses to two decimals, so that the round-off of another BLAS library cannot
  change the printed text, with the change against the unregularised network;
- ``ensemble_scores(probabilities, y)``: accuracy and cross-entropy of the averaged prediction
  and of each member;
- ``one_blas_thread()``: NumPy's matrix products on one thread for the rest of the session. The
  notebook trains about twenty small networks, thousands of products of a 30 x 128 batch each;
  at that size two BLAS threads spend more time waiting for each other than computing (on a busy
  two-core machine a run takes several times longer), and the grading kernels use one thread too.
"""
from __future__ import annotations

import numpy as np

from .. import nn
from ..datasets import mislabel

__all__ = ["noisy_subset", "scores", "score_line", "ensemble_scores", "one_blas_thread"]


def noisy_subset(data, n: int = 240, fraction: float = 0.3, seed: int = 0):
    """The first ``n`` digits of a seeded shuffle of ``data.X_train``, with ``round(fraction * n)``
    labels replaced by a wrong class.

    Returns (X (n, 64), y (n,) the labels the network is trained on, y_true (n,), wrong (n,) bool).
    The validation and test digits keep their true labels: they measure how well the network
    recognises digits, not how well it repeats mistakes.
    """
    n_all = len(data.y_train)
    if not 1 <= int(n) <= n_all:
        raise ValueError(f"n must lie in 1..{n_all} (the training digits), got {n}")
    pick = np.random.default_rng(seed).permutation(n_all)[:int(n)]
    y_true = data.y_train[pick]
    y, wrong = mislabel(y_true, fraction, n_classes=10, seed=seed + 100)
    return data.X_train[pick], y, y_true, wrong


def scores(model, X, y, X_val, y_val, loss=None, wrong=None) -> dict:
    """Loss and accuracy of ``model`` (test mode, dropout off) on the training set (X, y) and on
    (X_val, y_val): keys ``train_loss``, ``train_accuracy``, ``val_loss``, ``val_accuracy``, and
    with the mask ``wrong`` (N,) of mislabelled training examples, ``memorised``: how many of them
    the network assigns the wrong label it was taught, and ``n_wrong``."""
    loss = nn.SoftmaxCrossEntropy() if loss is None else loss
    tr, va = nn.evaluate(model, X, y, loss=loss), nn.evaluate(model, X_val, y_val, loss=loss)
    out = {"train_loss": tr["loss"], "train_accuracy": tr["accuracy"],
           "val_loss": va["loss"], "val_accuracy": va["accuracy"]}
    if wrong is not None:
        wrong = np.asarray(wrong, dtype=bool)
        taught = np.asarray(nn.predict(model, X[wrong])) == np.asarray(y)[wrong]
        out.update(memorised=int(np.sum(taught)), n_wrong=int(wrong.sum()))
    return out


def _percent(x) -> int:
    return int(round(100 * float(x)))


def score_line(label: str, s: dict, baseline: dict | None = None, width: int = 20) -> str:
    """``label  train 100% (wrong labels learnt 72/72) | validation 74%, loss 0.71 | vs ...``.

    Accuracies in whole percent, losses to two decimals: coarse enough that round-off does not
    move them. With ``baseline`` (another ``scores`` dict) the change of validation accuracy in
    points and of validation loss is added.
    """
    text = f"{label:{width}s} train {_percent(s['train_accuracy']):3d}%"
    if "memorised" in s:
        text += f" (wrong labels learnt {s['memorised']:2d}/{s['n_wrong']})"
    text += f" | validation {_percent(s['val_accuracy']):3d}%, loss {s['val_loss']:.2f}"
    if baseline is not None:
        points = _percent(s["val_accuracy"]) - _percent(baseline["val_accuracy"])
        change = round(s["val_loss"], 2) - round(baseline["val_loss"], 2)
        text += f" | vs no remedy: {points:+d} points, loss {change:+.2f}"
    return text


def ensemble_scores(probabilities, y) -> dict:
    """probabilities: (K, N, C) predicted class probabilities of K members; y: (N,) labels.

    Returns ``accuracy`` and ``cross_entropy`` of the average prediction (1/K) Σ_k p_k and
    ``member_accuracy``, ``member_cross_entropy``: (K,) arrays, one value per member.
    """
    P = np.asarray(probabilities, dtype=float)
    y = np.asarray(y)
    if P.ndim != 3 or P.shape[1] != len(y):
        raise ValueError(f"probabilities must have shape (members, {len(y)}, classes), got {P.shape}")
    rows = np.arange(len(y))
    # a member sure of the wrong class gives p = 0 for the right one: clip so the log stays finite
    ce = lambda p: float(-np.mean(np.log(np.clip(p[rows, y], 1e-300, None))))  # noqa: E731
    avg = P.mean(axis=0)
    return {"accuracy": float(np.mean(avg.argmax(axis=1) == y)), "cross_entropy": ce(avg),
            "member_accuracy": np.array([np.mean(p.argmax(axis=1) == y) for p in P]),
            "member_cross_entropy": np.array([ce(p) for p in P])}


def one_blas_thread():
    """Limit the BLAS library behind NumPy to one thread from now on; returns threadpoolctl's
    limiter (``.restore_original_limits()`` undoes it). threadpoolctl comes with scikit-learn."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")
