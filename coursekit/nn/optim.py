"""Optimisers (notebooks 02, 06 and 08; 02 derives momentum, RMSProp and Adam on its bowl): turn the gradients of a backward pass into a parameter step.

``optimizer.step(model)`` walks every parameter slot (a layer and a key such as ``"W"``), reads
``layer.grads[key]`` and assigns a NEW array to ``layer.params[key]``. Assigning instead of
updating in place works on every array library (array-api-strict has no in-place update of a
view, and torch tensors held elsewhere stay untouched).

State (momentum velocity, Adam's moments) is kept per slot, keyed by the layer OBJECT and the
key, never by a name: two identical layers never share a cache (numpy-ml's Adam did, keyed by
name). If a parameter changes library, device or shape (after ``model.to(...)``), its state
starts afresh.
"""
from __future__ import annotations

import math
import weakref

from ..backend import xp_of

__all__ = ["Optimizer", "SGD", "Momentum", "RMSProp", "Adam", "param_slots"]


def param_slots(model):
    """(layer, key) for every parameter of a Sequential, a single layer or a list of layers."""
    if hasattr(model, "param_slots"):
        return list(model.param_slots())
    if isinstance(model, (list, tuple)):
        out = []
        for m in model:
            out.extend(param_slots(m))
        return out
    if hasattr(model, "params"):
        return [(model, k) for k in model.params]
    raise TypeError(f"optimizer.step expects a model, a layer or a list of layers, "
                    f"got {type(model).__name__}.")


class Optimizer:
    """Base class: ``step(model)`` updates each slot with ``_update(p, g, state) -> new p``."""

    def __init__(self, lr: float):
        lr = float(lr)
        if not lr > 0 or not math.isfinite(lr):
            raise ValueError(f"The learning rate must be a positive number, got {lr}.")
        self.lr = lr
        # layer object -> {key: state dict}; weak so a deleted model frees its state
        self.state: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()

    def step(self, model) -> None:
        """Update every parameter of ``model`` from its gradient (run backward first)."""
        if self._stateless():
            # plain SGD keeps no state: skip the bookkeeping (it is most of a small step's cost)
            for layer, k in param_slots(model):
                try:
                    layer.params[k] = self._update(layer.params[k], layer.grads[k], None)
                except KeyError:
                    self._missing_grad(layer, k)
            return
        for layer, k in param_slots(model):
            grads = layer.grads
            if k not in grads:
                self._missing_grad(layer, k)
            p = layer.params[k]
            per_layer = self.state.get(layer)
            if per_layer is None:
                per_layer = self.state[layer] = {}
            st = per_layer.get(k)
            if st is not None and (st["type"] is not type(p) or st["shape"] != p.shape):
                st = None  # the parameter moved (model.to) or was replaced: start afresh
            if st is None:
                st = per_layer[k] = {"type": type(p), "shape": p.shape}
            layer.params[k] = self._update(p, grads[k], st)

    @staticmethod
    def _missing_grad(layer, k):
        raise RuntimeError(f"{getattr(layer, 'name', type(layer).__name__)} has no gradient "
                           f"for {k!r}: call model.backward(...) before optimizer.step().")

    def _stateless(self) -> bool:
        return False

    def reset(self) -> None:
        """Forget all state (velocities, moments)."""
        self.state = weakref.WeakKeyDictionary()

    def _update(self, p, g, state):  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay.

    v ← momentum·v − lr·(g + weight_decay·p);  p ← p + v   (plain SGD when momentum = 0)

    Weight decay (L2, the gradient of ½·λ‖W‖²) applies to weights only (arrays with 2 or more
    dimensions), not to biases.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.0, weight_decay: float = 0.0):
        super().__init__(lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}.")
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}.")
        self.momentum = float(momentum)
        self.weight_decay = float(weight_decay)

    def _stateless(self) -> bool:
        return not self.momentum

    def _update(self, p, g, state):
        if self.weight_decay and len(p.shape) >= 2:
            g = g + self.weight_decay * p
        if not self.momentum:
            return p - self.lr * g
        v = state.get("v")
        v = -self.lr * g if v is None else self.momentum * v - self.lr * g
        state["v"] = v
        return p + v

    def __repr__(self):
        return f"SGD(lr={self.lr}, momentum={self.momentum}, weight_decay={self.weight_decay})"


class Momentum(SGD):
    """Gradient descent with momentum (Polyak's heavy ball), or Nesterov's variant.

    v ← β·v − lr·g;  p ← p + v                      (heavy ball, ``nesterov=False``)
    v ← β·v − lr·g;  p ← p + β·v − lr·g             (Nesterov, ``nesterov=True``: Sutskever et
                                                      al. 2013's rule with p kept at the
                                                      look-ahead point, as PyTorch does)

    ``v`` has the parameter's shape and starts at 0. Along a direction where the gradient keeps
    its sign the steps grow towards lr·g/(1 − β) (10x at β = 0.9); where it flips from step to
    step (the walls of a narrow valley) they cancel. ``weight_decay`` as in ``SGD``.
    """

    def __init__(self, lr: float = 0.01, beta: float = 0.9, nesterov: bool = False,
                 weight_decay: float = 0.0):
        if not 0.0 < beta < 1.0:
            raise ValueError(f"beta (the momentum) must be in (0, 1), got {beta}; "
                             "beta = 0 is plain SGD: use SGD(lr).")
        super().__init__(lr, momentum=beta, weight_decay=weight_decay)
        self.nesterov = bool(nesterov)

    @property
    def beta(self) -> float:
        return self.momentum

    def _update(self, p, g, state):
        if not self.nesterov:
            return super()._update(p, g, state)
        if self.weight_decay and len(p.shape) >= 2:
            g = g + self.weight_decay * p
        v = state.get("v")
        v = -self.lr * g if v is None else self.momentum * v - self.lr * g
        state["v"] = v
        return p + self.momentum * v - self.lr * g

    def __repr__(self):
        return (f"Momentum(lr={self.lr}, beta={self.momentum}, nesterov={self.nesterov}, "
                f"weight_decay={self.weight_decay})")


class RMSProp(Optimizer):
    """RMSProp (Hinton, Neural Networks for Machine Learning, lecture 6e, 2012).

    s ← ρ·s + (1−ρ)·g²;  p ← p − lr·g / (√s + eps)

    ``s`` (the parameter's shape, starting at 0) is a running mean of the squared gradient, so
    each coordinate's step is divided by the typical size of its own gradient: steep and flat
    directions move at similar speeds. No bias correction (Adam adds one); ``weight_decay`` as
    in ``SGD``.
    """

    def __init__(self, lr: float = 0.001, rho: float = 0.9, eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(lr)
        if not 0.0 <= rho < 1.0:
            raise ValueError(f"rho must be in [0, 1), got {rho}.")
        if not eps > 0:
            raise ValueError(f"eps must be > 0 (it keeps the division finite), got {eps}.")
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}.")
        self.rho, self.eps, self.weight_decay = float(rho), float(eps), float(weight_decay)

    def _update(self, p, g, state):
        if self.weight_decay and len(p.shape) >= 2:
            g = g + self.weight_decay * p
        s = state.get("s")
        s = (1 - self.rho) * (g * g) if s is None else self.rho * s + (1 - self.rho) * (g * g)
        state["s"] = s
        return p - self.lr * g / (xp_of(p).sqrt(s) + self.eps)

    def __repr__(self):
        return f"RMSProp(lr={self.lr}, rho={self.rho}, eps={self.eps}, weight_decay={self.weight_decay})"


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), with bias correction, state per parameter slot.

    m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  p ← p − lr·m̂ / (√v̂ + eps)
    with m̂ = m/(1−β1^t), v̂ = v/(1−β2^t). ``weight_decay`` adds λ·p to the gradient of weights.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(lr)
        if not (0.0 <= beta1 < 1.0 and 0.0 <= beta2 < 1.0):
            raise ValueError(f"beta1 and beta2 must be in [0, 1), got {beta1} and {beta2}.")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.weight_decay = float(weight_decay)

    def _update(self, p, g, state):
        if self.weight_decay and len(p.shape) >= 2:
            g = g + self.weight_decay * p
        t = state.get("t", 0) + 1
        m = state.get("m")
        v = state.get("v")
        m = (1 - self.beta1) * g if m is None else self.beta1 * m + (1 - self.beta1) * g
        v = (1 - self.beta2) * (g * g) if v is None else self.beta2 * v + (1 - self.beta2) * (g * g)
        state["t"], state["m"], state["v"] = t, m, v
        m_hat_scale = self.lr / (1 - self.beta1 ** t)
        v_hat = v / (1 - self.beta2 ** t)
        return p - m_hat_scale * m / (xp_of(p).sqrt(v_hat) + self.eps)

    def __repr__(self):
        return f"Adam(lr={self.lr}, beta1={self.beta1}, beta2={self.beta2}, eps={self.eps})"
