"""Inverted dropout (notebook 08, generalization_and_regularization).

At training time each input is kept with probability 1 - p and the kept ones are scaled by
1/(1 - p), so the expected output equals the input; at test time (``train=False``) the layer is
the identity and nothing has to be rescaled. The random mask comes from a seeded NumPy Generator
(the array API has no random numbers) and is moved to the input's namespace and device.
"""
from __future__ import annotations

import array_api_compat
import numpy as np

from ..backend import namespace_of
from .base import Layer, ShapeError, describe_shape

__all__ = ["Dropout"]


class Dropout(Layer):
    """Inverted dropout with drop probability ``p`` in [0, 1); no parameters.

    forward(x, train=True): x (any shape) -> x * mask / (1 - p), mask ~ Bernoulli(1 - p), a new
    mask each call (reproducible from ``seed``); forward(x, train=False) returns x unchanged.
    backward: dout (same shape) -> dout * mask / (1 - p) (the identity after a test-time forward).
    ``mask`` holds the last scaled mask (0 or 1/(1-p)), or None after a test-time forward.
    """

    def __init__(self, p: float = 0.5, seed: int = 0):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout(p={p!r}): p is the probability of dropping a unit and must "
                             f"be in [0, 1): 0 keeps everything, 0.5 drops half; p = 1 would drop "
                             f"every unit and leave nothing to learn from")
        self.p = float(p)
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.mask = None

    def forward(self, x, train: bool = True):
        xp = namespace_of(x)
        if not train or self.p == 0.0:
            self.mask = None
            self.cache = tuple(x.shape)
            return x
        keep = self.rng.random(tuple(int(s) for s in x.shape)) >= self.p
        # Scaled at train time so that E[out] = x and test time needs no change.
        mask = keep.astype(np.float64) / (1.0 - self.p)
        self.mask = xp.asarray(mask, dtype=x.dtype, device=array_api_compat.device(x))
        self.cache = tuple(x.shape)
        return x * self.mask

    def backward(self, dout):
        shape = self._need_cache()
        if tuple(dout.shape) != shape:
            raise ShapeError(f"Dropout.backward expected dout of shape {describe_shape(shape)}, "
                             f"got {describe_shape(dout.shape)}")
        return dout if self.mask is None else dout * self.mask

    def reset(self, seed: int | None = None) -> None:
        """Restart the mask sequence (from ``seed``, or the seed given at construction)."""
        self.seed = self.seed if seed is None else seed
        self.rng = np.random.default_rng(self.seed)

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"
