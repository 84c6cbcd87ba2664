"""The fully connected layer (notebooks 05 and 06): out = x W + b.

Notation as in the lectures: a batch of N row vectors x (N, in), weights W (in, out), bias
b (out,). Backward, for the upstream gradient dout = dL/dout (N, out):

    dW = xᵀ dout        (in, out)
    db = Σ_n dout[n]    (out,)
    dx = dout Wᵀ        (N, in)
"""
from __future__ import annotations

import numpy as np

from ..backend import namespace_of
from .base import Layer, ShapeError, describe_shape
from ..backend import xp_of
from .init import initialize

__all__ = ["Dense"]


class Dense(Layer):
    """Fully connected layer: (N, in_features) -> (N, out_features).

    Parameters
    ----------
    in_features, out_features : int
        Sizes of the input and output vectors.
    init : str
        Initialiser name for W (see ``coursekit.nn.init``); b starts at zero.
    seed : int or None
        Seed for the initialiser (default 0: the same weights every run).
    rng : numpy.random.Generator, optional
        Use this generator instead of ``seed`` (to give several layers one stream).
    xp, device, dtype
        Where the parameters live: NumPy float64 by default; ``dtype="float32"`` for speed.

    Attributes
    ----------
    params : dict
        ``W`` (in_features, out_features), ``b`` (out_features,).
    grads : dict
        After ``backward``: ``W`` and ``b`` with the same shapes.
    """

    def __init__(self, in_features: int, out_features: int, init: str = "glorot_uniform",
                 seed=0, *, rng=None, std: float = 0.01, xp=None, device=None, dtype=None):
        super().__init__()
        if int(in_features) <= 0 or int(out_features) <= 0:
            raise ValueError(f"Dense needs positive sizes, got in_features={in_features}, "
                             f"out_features={out_features}.")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.init = init
        W = initialize(init, (self.in_features, self.out_features), rng=rng,
                       seed=None if rng is not None else seed, std=std, xp=xp, device=device,
                       dtype=dtype)
        wxp = xp_of(W)
        self.params = {"W": W, "b": wxp.zeros((self.out_features,), dtype=W.dtype, device=device)}

    def forward(self, x, train: bool = True):
        """x (N, in_features) -> x W + b (N, out_features)."""
        shape = x.shape
        if len(shape) != 2 or shape[1] != self.in_features or shape[0] == 0:
            self._shape_error(shape)
        self.cache = x
        try:
            out = x @ self.params["W"]
        except TypeError:
            namespace_of(x, self.params["W"])  # a NumPy input for torch weights: say so plainly
            raise
        out += self.params["b"]  # in place on the fresh product: one pass and one array fewer
        return out

    def backward(self, dout, input_grad: bool = True):
        """dout (N, out_features) -> dx (N, in_features); fills grads W and b.

        ``input_grad=False`` skips dx (returns None): ``Sequential`` asks this of its first
        layer during ``fit``, where nobody needs the gradient with respect to the data.
        """
        x = self._need_cache()
        if dout.shape != (x.shape[0], self.out_features):
            raise ShapeError(
                f"{self.name}.backward expected an upstream gradient of shape "
                f"{describe_shape((x.shape[0], self.out_features))} (same as the forward output), "
                f"got {describe_shape(dout.shape)}.")
        self.grads["W"] = x.T @ dout
        if type(dout) is np.ndarray:  # NumPy: the method skips np.sum's Python wrapper (~1 µs)
            self.grads["b"] = dout.sum(axis=0)
        else:
            self.grads["b"] = xp_of(dout).sum(dout, axis=0)
        if not input_grad:
            return None
        return dout @ self.params["W"].T

    def _shape_error(self, shape):
        if len(shape) >= 1 and shape[0] == 0:
            raise ShapeError(f"{self.name} got an empty batch (0 samples, shape "
                             f"{describe_shape(shape)}): pass at least one sample.")
        if len(shape) == 1 and shape[0] == self.in_features:
            raise ShapeError(
                f"{self.name} expected a batch of shape (N, {self.in_features}), got a single "
                f"vector of shape {describe_shape(shape)}: make it a batch of one with "
                f"reshape(x, (1, {self.in_features})).")
        if len(shape) > 2:
            raise ShapeError(
                f"{self.name} expected a 2-D batch (N, {self.in_features}), got shape "
                f"{describe_shape(shape)}: put a Flatten() layer before it.")
        raise ShapeError(
            f"{self.name} expected input of shape (N, {self.in_features}), got "
            f"{describe_shape(shape)}: the layer before it must output {self.in_features} "
            f"features per sample.")

    def __repr__(self) -> str:
        return f"Dense({self.in_features} -> {self.out_features}, init={self.init!r})"
