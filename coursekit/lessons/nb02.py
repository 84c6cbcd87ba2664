"""Data and small helpers for notebook 02 (linear neurons), also used by notebook 03 (softmax).

Notation of notebook 02 (linear_neurons_and_gradient_descent): inputs ``X`` (N, d), one example
per row; weights ``w`` (d,); targets ``y`` (N,); the linear neuron's output ŷ = X @ w; the loss
E(w) = 1/(2N) Σ_n (y_n − x_n·w)², whose Hessian XᵀX / N does not depend on w (a quadratic bowl).

Notation of notebook 03 (logistic_and_softmax_regression): scores ``S = X @ W + b`` with
W (D, K), b (K,); probabilities P = softmax(S) row by row; labels ``y`` (N,) integers in [0, K).
"""
from __future__ import annotations

import numpy as np

from ..backend import one_hot as backend_one_hot

__all__ = ["linear_data", "exact_quadratic", "bowl_hessian", "critical_learning_rate", "optimizer_path", "steps_below", "one_hot",
           "softmax_reference", "softmax_loss_reference", "softmax_gradients_reference"]


def linear_data(n: int = 50, w_true=(2.0, -1.0), noise: float = 0.5, correlation: float = 0.6,
                seed=0):
    """Inputs and noisy targets of a linear neuron with two correlated inputs.

    The inputs are standard normal with correlation ``correlation`` between the two columns, so
    the bowl E(w) is elongated along one diagonal (how elongated: the ratio of the Hessian's
    eigenvalues, about (1 + c) / (1 − c)).

    Returns
    -------
    X : (n, 2) float64
    y : (n,) float64, X @ w_true plus Gaussian noise of standard deviation ``noise``
    """
    n = int(n)
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    if not -1.0 < float(correlation) < 1.0:
        raise ValueError(f"correlation must lie strictly between -1 and 1, got {correlation}")
    if float(noise) < 0:
        raise ValueError(f"noise must be non-negative, got {noise}")
    rng = np.random.default_rng(seed)
    c = float(correlation)
    # z @ L.T for the Cholesky factor L = [[1, 0], [c, sqrt(1 - c²)]] of the correlation matrix,
    # and X @ w_true, written out: elementwise arithmetic rounds the same on every processor,
    # where a BLAS product's last bits depend on the kernel OpenBLAS picks (see exact_quadratic).
    z = rng.standard_normal((n, 2))
    X = np.column_stack([z[:, 0], c * z[:, 0] + np.sqrt(1.0 - c * c) * z[:, 1]])
    w_true = np.asarray(w_true, dtype=float).reshape(2)
    y = X[:, 0] * w_true[0] + X[:, 1] * w_true[1] + float(noise) * rng.standard_normal(n)
    return X, y


def exact_quadratic(X, y):
    """(grad, gaps) of E(w) = 1/(2N) Σ (y − Xw)² for two inputs, the same to the last bit on
    every processor.

    X : (N, 2), y : (N,). ``grad(w)`` (2,) is A w − b with A = XᵀX / N and b = Xᵀy / N;
    ``gaps(P)`` (T,) is E(w) − E(w*) = ½ (w − w*)ᵀ A (w − w*) for each row w of a path P (T, 2).
    A, b and w* are means of elementwise products (NumPy's own summation) and the 2 x 2 algebra
    is written out, so no BLAS kernel's rounding enters. That matters for adaptive optimizers:
    RMSProp and Adam hop around a narrow valley's floor and turn a last-bit difference in the
    gradient into a different count of steps to arrive. The gap is also exact where
    E(w) − E(w*) would lose digits to cancellation.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] != y.shape[0]:
        raise ValueError(f"exact_quadratic needs X of shape (N, 2) and y of shape (N,), got {X.shape} "
                         f"and {y.shape}")
    x0, x1 = X[:, 0], X[:, 1]
    a00, a01, a11 = np.mean(x0 * x0), np.mean(x0 * x1), np.mean(x1 * x1)
    b0, b1 = np.mean(x0 * y), np.mean(x1 * y)
    det = a00 * a11 - a01 * a01
    if not det > 0:
        raise ValueError("the two inputs are collinear: E(w) has no single minimum")
    w0, w1 = (a11 * b0 - a01 * b1) / det, (a00 * b1 - a01 * b0) / det       # w* by Cramer's rule

    def grad(w):
        w = np.asarray(w, dtype=float)
        return np.array([a00 * w[0] + a01 * w[1] - b0, a01 * w[0] + a11 * w[1] - b1])

    def gaps(P):
        P = np.asarray(P, dtype=float).reshape(-1, 2)
        d0, d1 = P[:, 0] - w0, P[:, 1] - w1
        return 0.5 * (a00 * d0 * d0 + 2.0 * a01 * d0 * d1 + a11 * d1 * d1)

    return grad, gaps


def bowl_hessian(X):
    """Hessian of E(w) = 1/(2N) Σ (y − Xw)²: the (d, d) matrix XᵀX / N (the same for every w)."""
    X = np.asarray(X, dtype=float)
    return X.T @ X / X.shape[0]


def critical_learning_rate(X) -> float:
    """2 / λ_max of ``bowl_hessian(X)``: gradient descent on the bowl diverges above this step.

    Along the eigenvector of λ_max one step multiplies the distance to the minimum by
    (1 − η λ_max); its size exceeds 1 exactly when η > 2 / λ_max.
    """
    return 2.0 / float(np.linalg.eigvalsh(bowl_hessian(X))[-1])


class _Weights:
    """A weight vector dressed as a layer (``params`` and ``grads``), so that any optimiser of
    ``coursekit.nn`` can step it."""

    def __init__(self, w):
        self.params = {"w": np.array(w, dtype=float)}
        self.grads = {}


def optimizer_path(optimizer, grad_f, w0, n_steps: int):
    """Run a ``coursekit.nn`` optimiser (SGD, Momentum, RMSProp, Adam) on a function of w.

    grad_f maps w (d,) to the gradient (d,); the optimiser takes ``n_steps`` steps from w0 (d,).
    Returns the path, an array (n_steps + 1, d): w0, then w after each step. A run that
    overflows stops there and its remaining rows are inf (it diverged).
    """
    point = _Weights(w0)
    path = np.full((int(n_steps) + 1, point.params["w"].size), np.inf)
    path[0] = point.params["w"]
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, int(n_steps) + 1):
            point.grads = {"w": np.asarray(grad_f(point.params["w"]), dtype=float)}
            optimizer.step(point)
            if not np.all(np.isfinite(point.params["w"])):
                break
            path[t] = point.params["w"]
    return path


def steps_below(gaps, threshold: float):
    """The first step t after which gaps[t:] all stay below ``threshold``, or None if never.

    gaps: (T + 1,) the loss above its minimum along a path (row 0 is the start). "Stays below"
    and not "first dips below", so that a run that jitters across the threshold is not counted
    as arrived.
    """
    gaps = np.asarray(gaps, dtype=float)
    above = np.flatnonzero(~(gaps < threshold))      # nan and inf count as above
    if above.size == 0:
        return 0
    return None if above[-1] == gaps.size - 1 else int(above[-1] + 1)


def one_hot(y, n_classes: int):
    """(N,) integer labels -> (N, K) float64 matrix with a single 1 per row, at column y_n."""
    y = np.asarray(y).reshape(-1).astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes}), got values from {y.min()} to {y.max()}")
    return backend_one_hot(y, n_classes)


def softmax_reference(S):
    """Row-wise, overflow-free softmax: (N, K) scores -> (N, K) probabilities."""
    S = np.asarray(S, dtype=float)
    Z = S - S.max(axis=-1, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=-1, keepdims=True)


def softmax_loss_reference(W, b, X, y, reg: float = 0.0) -> float:
    """Mean cross-entropy of the linear softmax classifier plus ½·reg·Σ W² (b is not penalised)."""
    S = np.asarray(X, float) @ np.asarray(W, float) + np.asarray(b, float)
    Z = S - S.max(axis=1, keepdims=True)
    logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    y = np.asarray(y).astype(np.int64)
    return float(-logp[np.arange(len(y)), y].mean() + 0.5 * reg * np.sum(np.asarray(W, float) ** 2))


def softmax_gradients_reference(W, b, X, y, reg: float = 0.0):
    """(dW (D, K), db (K,)) of ``softmax_loss_reference``: dS = (P − onehot) / N; dW = Xᵀ dS + reg W."""
    X = np.asarray(X, float)
    W = np.asarray(W, float)
    P = softmax_reference(X @ W + np.asarray(b, float))
    dS = (P - one_hot(y, W.shape[1])) / X.shape[0]
    return X.T @ dS + reg * W, dS.sum(axis=0)
