"""The layer contract every piece of ``coursekit.nn`` follows (the CS231n way).

A layer is a plain object with
- ``forward(x, train=True) -> out``: keeps in ``self.cache`` what backward needs;
- ``backward(dout) -> dx``: fills ``self.grads`` (same keys and shapes as ``self.params``) and
  returns the gradient with respect to the input; it never mutates ``dout``;
- ``params``: dict name -> array (``W``, ``b``...), empty for layers without parameters.

All maths goes through the namespace of the arrays handed in (``namespace_of``), so a layer runs on
NumPy, array-api-strict, PyTorch or CuPy arrays alike. ``to(xp, device)`` moves the parameters.
"""
from __future__ import annotations

from typing import Any

from ..backend import asarray, namespace_of, resolve_dtype
from ..errors import ShapeError, describe_shape

__all__ = ["Layer", "ShapeError", "describe_shape"]




class Layer:
    """Base class: bookkeeping shared by every layer. Subclasses implement forward/backward."""

    def __init__(self):
        self.params: dict[str, Any] = {}
        self.grads: dict[str, Any] = {}
        self.cache: Any = None

    # -- the contract ------------------------------------------------------------------
    def forward(self, x, train: bool = True):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dout):  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, x, train: bool = True):
        return self.forward(x, train=train)

    # -- helpers shared by every layer ------------------------------------------------------
    @property
    def name(self) -> str:
        return type(self).__name__

    def _need_cache(self):
        if self.cache is None:
            raise RuntimeError(f"{self.name}.backward was called before forward: run forward(x) first")
        return self.cache

    def zero_grad(self) -> None:
        xp = None
        for k, p in self.params.items():
            xp = xp or namespace_of(p)
            self.grads[k] = xp.zeros_like(p)

    def to(self, xp, device=None, dtype=None) -> "Layer":
        """Move every parameter to namespace ``xp`` (and ``device``, ``dtype``); returns self.

        ``dtype`` may be a name, "float32" or "float64", for any library.
        """
        if dtype is not None:
            dtype = resolve_dtype(xp, dtype)  # torch takes no dtype names
        for k in list(self.params):
            self.params[k] = asarray(self.params[k], xp, device=device, dtype=dtype)
        self.grads = {}
        self.cache = None
        return self

    def n_params(self) -> int:
        total = 0
        for p in self.params.values():
            n = 1
            for s in p.shape:
                n *= int(s)
            total += n
        return total

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k}{describe_shape(v.shape)}" for k, v in self.params.items())
        return f"{self.name}({shapes})" if shapes else f"{self.name}()"
