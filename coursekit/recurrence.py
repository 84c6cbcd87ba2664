"""Helpers for recurrent networks with one target per time step (notebook 11).

``coursekit.nn.RNN`` returns every hidden state, (N, T, H). A sequence task with a label at every
step (running parity, binary addition) needs a read-out applied at each step and a loss averaged
over all N*T steps:

- ``StepDense``: the same dense layer at every time step, (N, T, H) -> (N, T, C); its weights are
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

from .backend import asarray, namespace_of
from .nn.base import Layer, ShapeError, describe_shape
from .nn.init import init_weights

__all__ = ["StepDense", "sequence_cross_entropy", "sequence_accuracy"]


class StepDense(Layer):
    """out[:, t] = hs[:, t] W + b for every step t: (N, T, H) -> (N, T, C).

    Parameters ``W`` (H, C), Glorot-normal initialised with ``seed``, and ``b`` (C,) zeros.
    """

    def __init__(self, in_features: int, out_features: int, seed: int = 0):
        super().__init__()
        H, C = int(in_features), int(out_features)
        if H < 1 or C < 1:
            raise ValueError("StepDense: in_features and out_features must be at least 1")
        self.in_features, self.out_features = H, C
        self.params["W"] = init_weights((H, C), H, C, "glorot_normal", seed)
        self.params["b"] = np.zeros(C)

    def forward(self, x, train: bool = True):
        """x (N, T, H) -> (N, T, C)."""
        shape = tuple(x.shape)
        if len(shape) != 3 or shape[2] != self.in_features:
            raise ShapeError(f"StepDense expected input of shape (N, T, {self.in_features}) "
                             f"(batch, time, features), got {describe_shape(shape)}")
        self.cache = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, dout):
        """dout (N, T, C) -> dx (N, T, H); the weight gradients sum over batch and time."""
        x = self._need_cache()
        N, T, H = x.shape
        C = self.out_features
        if tuple(dout.shape) != (N, T, C):
            raise ShapeError(f"StepDense.backward expected dout of shape "
                             f"{describe_shape((N, T, C))}, got {describe_shape(dout.shape)}")
        xp = namespace_of(x, dout)
        x2, d2 = xp.reshape(x, (N * T, H)), xp.reshape(dout, (N * T, C))
        self.grads["W"] = x2.T @ d2
        self.grads["b"] = xp.sum(d2, axis=0)
        return dout @ self.params["W"].T

    def __repr__(self) -> str:
        return f"StepDense({self.in_features} -> {self.out_features})"


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
