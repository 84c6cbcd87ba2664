"""The McCulloch-Pitts threshold unit and Rosenblatt's perceptron (notebook 01; compared with the
delta rule in notebook 02).

Notation of notebook 01 (neurons_and_perceptrons):

- inputs ``X`` of shape (N, d), one example per row;
- weights ``w`` of shape (d + 1,) with ``w[0]`` the **bias weight** w0 on a constant input
  x0 = 1 (so w0 = -θ for a threshold θ), and ``w[1:]`` the weights of x1 .. xd;
- labels ``y`` in {0, 1} (the "binary" encoding of ``coursekit.datasets.truth_table``) or in
  {-1, +1}; predictions use the same encoding as the labels they are trained on;
- the unit fires (outputs its positive label) when w·x̃ >= 0, with x̃ = (1, x1, .., xd).

The perceptron rule on example (x̃, y) with prediction ŷ is Δw = η (y − ŷ) x̃: nothing happens
when ŷ = y, and a mistake adds or subtracts x̃ (times η, and times 2 with ±1 labels).

The code is plain NumPy: the perceptron visits one example at a time, so there is nothing to
vectorise across a batch (notebook 09 is about the cases where there is).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..backend import to_numpy
from ..nn.activations import step as _step
from ..plotting.classification import perceptron_with_bias as plot  # notebook 01 calls perceptron.plot

__all__ = [
    "step",
    "threshold_unit",
    "add_bias",
    "split_bias",
    "predict",
    "train",
    "PerceptronResult",
    "line_errors",
    "novikoff_bound",
    "widest_margin_line",
    "plot",
]


def step(z, negative: int = 0):
    """Heaviside step: 1 where z >= 0, ``negative`` (0 or -1) elsewhere. z: any shape -> int64.

    ``nn.activations.step`` (firing at the threshold), in the label encoding of notebook 01:
    the integers {0, 1} or {-1, +1} that the perceptron's labels use.
    """
    if negative not in (0, -1):
        raise ValueError(f"negative must be 0 or -1 (the label of a unit that does not fire), not {negative!r}")
    fired = _step(np.asarray(to_numpy(z), dtype=float)).astype(np.int64)
    return fired if negative == 0 else 2 * fired - 1


def threshold_unit(X, w, theta):
    """McCulloch-Pitts unit: 1 where X @ w >= theta, else 0.

    X : (N, d) inputs; w : (d,) weights; theta : scalar threshold. Returns (N,) int64.
    """
    X = _matrix(X)
    w = np.asarray(to_numpy(w), dtype=float).reshape(-1)
    if w.shape[0] != X.shape[1]:
        raise ValueError(f"w has {w.shape[0]} weights but X has {X.shape[1]} inputs per row")
    return step(X @ w - float(theta))


def add_bias(X):
    """(N, d) inputs -> (N, d + 1) with a first column of ones (the constant input x0 = 1)."""
    X = _matrix(X)
    return np.hstack([np.ones((X.shape[0], 1)), X])


def split_bias(w):
    """(d + 1,) weights -> (w[1:], w[0]): the weights and the bias b = w0, as plotting wants them."""
    w = np.asarray(to_numpy(w), dtype=float).reshape(-1)
    return w[1:], float(w[0])


def predict(w, X, negative: int = 0):
    """Perceptron output for each row of X (N, d) with weights w (d + 1,), bias first -> (N,) int64."""
    Xb = add_bias(X)
    w = np.asarray(to_numpy(w), dtype=float).reshape(-1)
    if w.shape[0] != Xb.shape[1]:
        raise ValueError(f"w must have d + 1 = {Xb.shape[1]} entries (bias first), got {w.shape[0]}")
    return step(Xb @ w, negative)


@dataclass
class PerceptronResult:
    """What ``train`` returns.

    w : (d + 1,) final weights, bias first.
    errors_per_epoch : mistakes made during each epoch (its last entry is 0 when converged).
    n_updates : total number of updates (= total mistakes).
    converged : True when an epoch made no mistake.
    weights : (n_updates + 1, d + 1) the initial weights and the weights after each update.
    """

    w: np.ndarray
    errors_per_epoch: list = field(default_factory=list)
    n_updates: int = 0
    converged: bool = False
    weights: np.ndarray | None = None

    @property
    def n_epochs(self) -> int:
        return len(self.errors_per_epoch)


def _labels(y):
    y = np.asarray(to_numpy(y)).reshape(-1)
    values = set(np.unique(y).tolist())
    if values <= {0, 1}:
        return y.astype(np.int64), 0
    if values <= {-1, 1}:
        return y.astype(np.int64), -1
    raise ValueError(f"labels must be 0/1 or -1/+1, got the values {sorted(values)}")


def train(X, y, eta: float = 1.0, max_epochs: int = 100, w_init=None) -> PerceptronResult:
    """Rosenblatt's perceptron rule, one example at a time, in the order given.

    X : (N, d) inputs; y : (N,) labels 0/1 or -1/+1; eta : learning rate η > 0;
    max_epochs : cap on passes over the data; w_init : (d + 1,) start (zeros by default).
    Each example gets Δw = η (y − ŷ) x̃. Training stops after the first epoch without a mistake
    (that epoch is counted, with 0 errors), or after ``max_epochs`` epochs.
    """
    if not eta > 0:
        raise ValueError(f"eta must be positive, got {eta}")
    if int(max_epochs) < 1:
        raise ValueError(f"max_epochs must be at least 1, got {max_epochs}")
    Xb = add_bias(X)
    y, negative = _labels(y)
    if y.shape[0] != Xb.shape[0]:
        raise ValueError(f"X has {Xb.shape[0]} rows but y has {y.shape[0]} labels")
    w = np.zeros(Xb.shape[1]) if w_init is None else np.asarray(to_numpy(w_init), dtype=float).copy()
    history = [w.copy()]
    errors = []
    for _ in range(int(max_epochs)):
        mistakes = 0
        for xi, yi in zip(Xb, y):
            y_hat = 1 if xi @ w >= 0 else negative
            if y_hat != yi:
                w = w + eta * (yi - y_hat) * xi
                history.append(w.copy())
                mistakes += 1
        errors.append(mistakes)
        if mistakes == 0:
            break
    return PerceptronResult(w=w, errors_per_epoch=errors, n_updates=len(history) - 1,
                            converged=errors[-1] == 0, weights=np.array(history))


def line_errors(W, X, y, negative: int = 0):
    """Mistakes of each of M candidate perceptrons on the data.

    W : (M, d + 1) weight vectors, bias first; X : (N, d); y : (N,). Returns (M,) int64.
    """
    W = np.atleast_2d(np.asarray(to_numpy(W), dtype=float))
    y = np.asarray(to_numpy(y)).reshape(-1)
    predictions = step(add_bias(X) @ W.T, negative)        # (N, M)
    return (predictions != y[:, None]).sum(axis=0).astype(np.int64)


def novikoff_bound(X, y, u) -> float:
    """Novikoff's (1962) bound (R / γ)² on the number of perceptron updates from w = 0.

    u : (d + 1,) any weight vector that separates the data (bias first); R = max ‖x̃‖;
    γ = min over examples of s·(u·x̃)/‖u‖ with s = ±1 the example's class. Raises ValueError
    when u does not separate the data strictly (γ <= 0).
    """
    Xb = add_bias(X)
    y, negative = _labels(y)
    s = np.where(y == 1, 1.0, -1.0)
    u = np.asarray(to_numpy(u), dtype=float).reshape(-1)
    gamma = float(np.min(s * (Xb @ u)) / np.linalg.norm(u))
    if gamma <= 0:
        raise ValueError("u does not separate the data with a positive margin")
    R = float(np.max(np.linalg.norm(Xb, axis=1)))
    return (R / gamma) ** 2


def widest_margin_line(X, y) -> np.ndarray:
    """The line that separates two classes of 2-D points with the widest margin, as u (3,).

    X : (N, 2) points; y : (N,) labels 0/1 or -1/+1. Returns u = (bias, w1, w2) with u·x̃ > 0 on
    the positive class: the hard-margin SVM's line, the tightest u for ``novikoff_bound``.
    The widest line is the perpendicular bisector of the closest pair of points of the two
    classes' convex hulls; in the plane one point of that pair is a data point and the other
    lies on a segment between two points of the other class, so trying every point against
    every segment finds it exactly (O(N^3) distances, meant for the tens of points of a lesson).
    Raises ValueError when the points are not 2-D or the classes cannot be separated by a line.
    """
    X = _matrix(X)
    if X.shape[1] != 2:
        raise ValueError(f"widest_margin_line works on 2-D points, shape (N, 2); got shape {X.shape}")
    labels, negative = _labels(y)
    pos, neg = X[labels == 1], X[labels == negative]
    if len(pos) == 0 or len(neg) == 0:
        raise ValueError("widest_margin_line needs points of both classes")

    def closest(points, others):
        """(distance, point, closest point on a segment of ``others``) over every point."""
        a, ab = others[:, None, :], others[None, :, :] - others[:, None, :]   # segments a -> a + ab
        d = points[:, None, None, :] - a[None]                                # (P, M, M, 2)
        length2 = np.maximum(np.sum(ab * ab, axis=-1), 1e-300)
        t = np.clip(np.sum(d * ab[None], axis=-1) / length2, 0.0, 1.0)
        near = a[None] + t[..., None] * ab[None]                              # (P, M, M, 2)
        dist = np.linalg.norm(points[:, None, None, :] - near, axis=-1)
        k = np.unravel_index(np.argmin(dist), dist.shape)
        return dist[k], points[k[0]], near[k]

    d1, p1, n1 = closest(pos, neg)
    d2, n2, p2 = closest(neg, pos)
    p, n = (p1, n1) if d1 <= d2 else (p2, n2)
    w = p - n
    u = np.concatenate([[-w @ (p + n) / 2.0], w])
    s = np.where(labels == 1, 1.0, -1.0)
    if min(d1, d2) == 0.0 or np.min(s * (add_bias(X) @ u)) <= 0:
        raise ValueError("no line separates these two classes (their convex hulls overlap)")
    return u / np.linalg.norm(u)


def _matrix(X) -> np.ndarray:
    X = np.asarray(to_numpy(X), dtype=float)
    if X.ndim == 1:
        X = X[None, :]
    if X.ndim != 2:
        raise ValueError(f"X must have shape (N, d), got shape {X.shape}")
    return X
