"""Fooling a trained classifier (notebook 12): confidence, input gradients, FGSM, random noise.

Every function takes a coursekit model (``Sequential`` of layers with ``forward``/``backward``,
on any array library and device) and inputs X (N, D) with labels y (N,); results come back as
NumPy arrays.

- ``input_gradient``: dL/dX of the mean softmax cross-entropy, by one forward and one backward
  pass, ``model.backward(loss.backward())``: backprop simply does not stop at the first layer.
- ``fgsm``: the fast gradient sign method (Goodfellow, Shlens & Szegedy 2015),
  x' = clip(x + ε·sign(∇ₓL), lo, hi).
- ``random_sign_noise``: the same budget ε in a random direction, x' = clip(x + ε·s, lo, hi)
  with s a random ±1 pattern: the control experiment that shows FGSM is not just noise.
- ``confidence``: the largest softmax probability and the predicted class of each input.
"""
from __future__ import annotations

import numpy as np

from ..backend import asarray, to_numpy

__all__ = ["predict_proba", "confidence", "accuracy", "input_gradient", "fgsm",
           "random_sign_noise"]


def _to_model(model, X):
    """(xp, X) with X in the model's library, device and dtype (a model on a GPU works too)."""
    from .training import inputs_for

    xp, Xm, _ = inputs_for(model, X)
    return xp, Xm


def predict_proba(model, X) -> np.ndarray:
    """Softmax probabilities (N, K) of the model's scores, as NumPy."""
    from .losses import softmax

    xp, Xm = _to_model(model, X)
    return to_numpy(softmax(model.forward(Xm, train=False)))


def confidence(model, X) -> tuple[np.ndarray, np.ndarray]:
    """(max softmax probability (N,), predicted class (N,)) for each input."""
    p = predict_proba(model, X)
    return p.max(axis=1), p.argmax(axis=1)


def accuracy(model, X, y) -> float:
    """Fraction of inputs whose predicted class equals y."""
    return float(np.mean(predict_proba(model, X).argmax(axis=1) == np.asarray(to_numpy(y))))


def input_gradient(model, X, y) -> np.ndarray:
    """Gradient of the mean softmax cross-entropy over the batch with respect to X (N, D).

    One forward pass, the loss, then backward through every layer, the first included: the
    first layer's backward returns dL/dX = δ¹ W¹ᵀ. Parameter gradients are filled on the way
    (they are not used).
    """
    from .losses import SoftmaxCrossEntropy

    xp, Xm = _to_model(model, X)
    loss = SoftmaxCrossEntropy()
    import array_api_compat

    labels = asarray(np.asarray(to_numpy(y), dtype=np.int64), xp, device=array_api_compat.device(Xm))
    loss.forward(model.forward(Xm, train=False), labels)
    return to_numpy(model.backward(loss.backward()))


def fgsm(model, X, y, eps: float, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """Fast gradient sign method: clip(X + eps·sign(∇ₓL), lo, hi), as NumPy (N, D)."""
    X = np.asarray(to_numpy(X), dtype=float)
    return np.clip(X + eps * np.sign(input_gradient(model, X, y)), lo, hi)


def random_sign_noise(X, eps: float, seed=0, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """clip(X + eps·s, lo, hi) with s a random ±1 pattern (seeded): noise of FGSM's size."""
    X = np.asarray(to_numpy(X), dtype=float)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    s = rng.choice(np.array([-1.0, 1.0]), size=X.shape)
    return np.clip(X + eps * s, lo, hi)
