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
optimizers (``opt.step(model)``).
"""
from __future__ import annotations

import numpy as np

from .nn.base import Layer, ShapeError, describe_shape
from .nn.conv import init_weights

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
        x2, d2 = x.reshape(N * T, H), dout.reshape(N * T, C)
        self.grads["W"] = x2.T @ d2
        self.grads["b"] = d2.sum(axis=0)
        return dout @ self.params["W"].T

    def __repr__(self) -> str:
        return f"StepDense({self.in_features} -> {self.out_features})"


def _check_scores(scores, Y):
    scores, Y = np.asarray(scores, dtype=float), np.asarray(Y)
    if scores.ndim != 3 or Y.shape != scores.shape[:2]:
        raise ShapeError(f"expected scores (N, T, C) and targets (N, T), got scores "
                         f"{describe_shape(scores.shape)} and targets {describe_shape(Y.shape)}")
    return scores, Y.astype(np.int64)


def sequence_cross_entropy(scores, Y):
    """Mean softmax cross-entropy over all N*T steps -> (loss, dscores (N, T, C))."""
    scores, Y = _check_scores(scores, Y)
    N, T, C = scores.shape
    z = scores - scores.max(axis=2, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=2, keepdims=True))
    n, t = np.meshgrid(np.arange(N), np.arange(T), indexing="ij")
    loss = -logp[n, t, Y].mean()
    d = np.exp(logp)
    d[n, t, Y] -= 1.0
    return float(loss), d / (N * T)


def sequence_accuracy(scores, Y) -> float:
    """Fraction of the N*T steps whose largest score is the target class."""
    scores, Y = _check_scores(scores, Y)
    return float(np.mean(scores.argmax(axis=2) == Y))
