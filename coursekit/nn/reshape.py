"""Flatten: the bridge from convolutional feature maps to dense layers (notebook 10)."""
from __future__ import annotations

import math

import array_api_compat

from ..backend import namespace_of
from .base import Layer, ShapeError, describe_shape

__all__ = ["Flatten", "LastStep"]


class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1*d2*...), keeping the batch axis; no parameters.

    backward: dout (N, d1*d2*...) -> dx (N, d1, d2, ...), the same numbers reshaped back.
    """

    def forward(self, x, train: bool = True):
        xp = namespace_of(x)
        if x.ndim < 2:
            raise ShapeError(f"Flatten expected a batch (N, ...) with at least 2 axes, got "
                             f"{describe_shape(x.shape)}: add the batch axis, e.g. x[None]")
        n = int(x.shape[0])
        if n == 0:
            raise ShapeError(f"Flatten got an empty batch {describe_shape(x.shape)}: give at least one sample")
        self.cache = tuple(x.shape)
        return xp.reshape(x, (n, math.prod(int(s) for s in x.shape[1:])))

    def backward(self, dout):
        shape = self._need_cache()
        xp = namespace_of(dout)
        flat = (shape[0], math.prod(shape[1:]))
        if tuple(dout.shape) != flat:
            raise ShapeError(f"Flatten.backward expected dout of shape {describe_shape(flat)}, "
                             f"got {describe_shape(dout.shape)}")
        return xp.reshape(dout, shape)


class LastStep(Layer):
    """(N, T, H) -> (N, H): the last time step of a sequence of states; no parameters.

    Put after ``RNN`` or ``LSTM`` for a task with one answer per sequence, read at its end
    (``Sequential(LSTM(D, H), LastStep(), Dense(H, C))``). backward: dout (N, H) ->
    dx (N, T, H), zero at every step but the last.
    """

    def forward(self, x, train: bool = True):
        if len(x.shape) != 3 or int(x.shape[1]) == 0:
            raise ShapeError(f"LastStep expected a batch of sequences (N, T, H) with T >= 1, got "
                             f"{describe_shape(x.shape)}")
        self.cache = tuple(x.shape)
        return x[:, -1, :]

    def backward(self, dout):
        shape = self._need_cache()
        xp = namespace_of(dout)
        if tuple(dout.shape) != (shape[0], shape[2]):
            raise ShapeError(f"LastStep.backward expected dout of shape "
                             f"{describe_shape((shape[0], shape[2]))}, got {describe_shape(dout.shape)}")
        zeros = xp.zeros((shape[0], shape[1] - 1, shape[2]), dtype=dout.dtype,
                         device=array_api_compat.device(dout))
        return xp.concat([zeros, xp.reshape(dout, (shape[0], 1, shape[2]))], axis=1)
