"""Helpers for recurrent networks with one target per time step (notebook 11).

``coursekit.nn.RNN`` returns every hidden state, (N, T, H). A sequence task with a label at every
step (running parity, binary addition) needs a read-out applied at each step and a loss averaged
over all N*T steps:

- ``StepDense`` (defined in ``coursekit.nn.step_dense``): the same dense layer at every time
  step, (N, T, H) -> (N, T, C); its weights are
  shared across time, so their gradients sum over the steps;
- ``sequence_cross_entropy(scores, Y)``: softmax cross-entropy averaged over every step, with its
  gradient;
- ``sequence_accuracy(scores, Y)``: the fraction of steps whose largest score is the target.

``StepDense`` is a ``Layer``, so ``Sequential(RNN(...), StepDense(...))`` trains with the course's
optimizers (``opt.step(model)``). Like ``coursekit.nn``, all three work on any array-API library
(``model.to(xp, device=...)`` moves the model to a GPU).
"""
from __future__ import annotations

import array_api_compat
import numpy as np

from ..backend import asarray, namespace_of
from ..nn.base import ShapeError, describe_shape
from ..nn.step_dense import StepDense  # the layer lives in nn; notebook 11 uses it with these losses

__all__ = ["StepDense", "sequence_cross_entropy", "sequence_accuracy"]


def _check_scores(scores, Y):
    """(xp, scores (N, T, C) float, Y (N, T) int64) in the scores' library and device."""
    if not hasattr(scores, "shape"):
        scores = np.asarray(scores, dtype=float)
    if isinstance(scores, np.ndarray):
        scores = np.asarray(scores, dtype=float)
    xp = namespace_of(scores)
    if not hasattr(Y, "shape") or namespace_of(Y) is not xp:
        Y = asarray(Y, xp, device=array_api_compat.device(scores))  # targets follow the scores
    if len(scores.shape) != 3 or tuple(Y.shape) != tuple(scores.shape[:2]):
        raise ShapeError(f"expected scores (N, T, C) and targets (N, T), got scores "
                         f"{describe_shape(scores.shape)} and targets {describe_shape(Y.shape)}")
    if not xp.isdtype(scores.dtype, "real floating"):
        scores = xp.astype(scores, xp.float64)
    return xp, scores, xp.astype(Y, xp.int64)


def sequence_cross_entropy(scores, Y):
    """Mean softmax cross-entropy over all N*T steps -> (loss, dscores (N, T, C)).

    Works on any array library: scores (N, T, C) and integer targets Y (N, T); NumPy targets
    are moved to the scores' library and device.
    """
    xp, scores, Y = _check_scores(scores, Y)
    N, T, C = scores.shape
    z = scores - xp.max(scores, axis=2, keepdims=True)
    logp = z - xp.log(xp.sum(xp.exp(z), axis=2, keepdims=True))
    classes = xp.arange(C, dtype=Y.dtype, device=array_api_compat.device(Y))
    onehot = xp.astype(xp.reshape(Y, (N, T, 1)) == classes, logp.dtype)
    # summing the one-hot row adds exact zeros: the same numbers as indexing logp[n, t, Y]
    loss = -xp.mean(xp.sum(logp * onehot, axis=2))
    return float(loss), (xp.exp(logp) - onehot) / (N * T)


def sequence_accuracy(scores, Y) -> float:
    """Fraction of the N*T steps whose largest score is the target class."""
    xp, scores, Y = _check_scores(scores, Y)
    hits = int(xp.count_nonzero(xp.argmax(scores, axis=2) == Y))
    return hits / (Y.shape[0] * Y.shape[1])
