"""One dense layer applied at every time step of a sequence (notebook 11).

``coursekit.nn.RNN`` returns every hidden state, (N, T, H); ``StepDense`` maps each of them to
class scores, (N, T, C), with one shared weight matrix, as Keras's ``TimeDistributed(Dense)``.
"""
from __future__ import annotations

import numpy as np

from ..backend import namespace_of
from .base import Layer, ShapeError, describe_shape
from .init import init_weights

__all__ = ["StepDense"]


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
