"""Losses (notebooks 03 and 06): a score matrix and targets in, one number out.

Every loss has ``forward(scores, y) -> float`` (the mean over the batch) and
``backward() -> dscores``, the gradient of that mean with respect to ``scores`` (so it carries
the 1/N). ``softmax`` and ``log_softmax`` subtract the row maximum first: scores of ±1000 give
finite losses and gradients.

- ``SoftmaxCrossEntropy``: integer labels y (N,) in 0..C-1;
  L = -(1/N) Σ_n log softmax(s_n)[y_n], and dL/ds = (softmax(s) − onehot(y)) / N.
- ``MSE``: L = (1/N) Σ_n ½‖ŷ_n − y_n‖², i.e. half the squared error summed over the outputs of
  each sample, averaged over the samples (with one output: ½·mean of squared errors);
  dL/dŷ = (ŷ − y) / N.
- ``Hinge``: multi-class SVM, L = (1/N) Σ_n Σ_{j≠y_n} max(0, s_nj − s_n,y_n + margin).
"""
from __future__ import annotations

import numpy as np

from .base import ShapeError


from ..backend import one_hot, xp_of
from ..errors import describe_shape

__all__ = ["Loss", "SoftmaxCrossEntropy", "MSE", "Hinge", "softmax", "log_softmax"]


def log_softmax(scores, axis: int = -1):
    """log softmax along ``axis`` (default: each row), stable for any finite scores."""
    xp = xp_of(scores)
    shifted = scores - xp.max(scores, axis=axis, keepdims=True)  # largest entry is now 0
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))


def softmax(scores, axis: int = -1):
    """softmax along ``axis``: exp(s) / Σ exp(s), computed as exp(s − max) / Σ exp(s − max)."""
    xp = xp_of(scores)
    e = xp.exp(scores - xp.max(scores, axis=axis, keepdims=True))
    return e / xp.sum(e, axis=axis, keepdims=True)


_EYES: dict = {}


def _identity(n_classes: int, dtype):
    """The NumPy identity matrix (C, C), made once per (C, dtype): its row y is onehot(y)."""
    eye = _EYES.get((n_classes, dtype))
    if eye is None:
        eye = _EYES[(n_classes, dtype)] = np.eye(n_classes, dtype=dtype)
        eye.flags.writeable = False  # shared by every batch
    return eye


class Loss:
    """Base class: ``forward`` checks the inputs then calls ``_forward`` (what ``fit`` calls
    directly after checking the whole data set once)."""

    cache = None

    @property
    def name(self) -> str:
        return type(self).__name__

    def __call__(self, scores, y) -> float:
        return self.forward(scores, y)

    def forward(self, scores, y) -> float:
        self.check(scores, y)
        return self._forward(scores, y)

    def _need_cache(self):
        if self.cache is None:
            raise RuntimeError(f"{self.name}.backward was called before forward: "
                               "run forward(scores, y) first")
        return self.cache

    def __repr__(self) -> str:
        return f"{self.name}()"

    # -- checks in a student's words ------------------------------------------------------
    def check(self, scores, y) -> None:
        raise NotImplementedError

    def check_targets(self, y, n_outputs: int) -> None:
        """Check every target of a data set once (``fit`` calls this before training)."""


class _LabelLoss(Loss):
    """A loss whose targets are integer class labels (N,) in 0..C-1."""

    def check(self, scores, y) -> None:
        if len(scores.shape) != 2:
            raise ShapeError(f"{self.name} expected scores of shape (N, C), one row of C class "
                             f"scores per sample, got {describe_shape(scores.shape)}.")
        n = scores.shape[0]
        if n == 0:
            raise ShapeError(f"{self.name} got an empty batch (0 samples): pass at least one sample.")
        if tuple(y.shape) != (n,):
            hint = (" Labels must be class numbers, not one-hot rows: use argmax(y, axis=1)."
                    if len(y.shape) == 2 else "")
            raise ShapeError(f"{self.name} expected labels of shape ({n},), one integer per row "
                             f"of scores, got {describe_shape(y.shape)}.{hint}")
        self.check_targets(y, scores.shape[1])

    def check_targets(self, y, n_outputs: int) -> None:
        xp = xp_of(y)
        if not xp.isdtype(y.dtype, "integral"):
            raise ValueError(f"{self.name} expected integer class labels, got dtype {y.dtype}: "
                             "convert them, e.g. y.astype(int) (NumPy) or xp.astype(y, xp.int64).")
        if y.shape[0] == 0:
            return
        lo, hi = int(xp.min(y)), int(xp.max(y))
        if lo < 0 or hi >= n_outputs:
            bad = lo if lo < 0 else hi
            raise ValueError(f"{self.name}: label {bad} is out of range. With {n_outputs} "
                             f"output scores the labels must be 0..{n_outputs - 1}; give the last "
                             f"layer as many outputs as there are classes.")


class SoftmaxCrossEntropy(_LabelLoss):
    """Softmax followed by cross-entropy, mean over the batch.

    forward(scores (N, C), y (N,) int) -> float; backward() -> (softmax(scores) − onehot(y)) / N.
    """

    def _forward(self, scores, y) -> float:
        if type(scores) is np.ndarray:
            return self._forward_numpy(scores, y)
        xp = xp_of(scores)
        shifted = scores - xp.max(scores, axis=1, keepdims=True)  # stable: largest score is 0
        e = xp.exp(shifted)
        total = xp.sum(e, axis=1, keepdims=True)
        onehot = one_hot(y, scores.shape[1], scores.dtype)
        n = scores.shape[0]
        self.cache = (e / total, onehot)  # softmax, kept for backward
        # -log softmax[y] = log Σ exp(shifted) − shifted[y], averaged over the batch
        return float(xp.sum(xp.log(total)) - xp.sum(shifted * onehot)) / n

    def _forward_numpy(self, scores, y) -> float:
        """The same maths, operation for operation, with ndarray methods: on a (64, 10) batch the
        Python wrappers of np.max/np.sum and of the array-API astype/reshape cost as much as the
        arithmetic (about 1 µs each)."""
        shifted = scores - scores.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        onehot = _identity(scores.shape[1], scores.dtype).take(y, axis=0)  # rows of I: one-hot
        self.cache = (e / total, onehot)
        return float(np.log(total).sum() - (shifted * onehot).sum()) / scores.shape[0]

    def backward(self):
        probs, onehot = self._need_cache()
        return (probs - onehot) / probs.shape[0]


class Hinge(_LabelLoss):
    """Multi-class SVM loss with ``margin`` (1.0 by default), mean over the batch.

    forward(scores (N, C), y (N,) int) -> float; backward() -> dscores (N, C).
    """

    def __init__(self, margin: float = 1.0):
        self.margin = float(margin)

    def _forward(self, scores, y) -> float:
        xp = xp_of(scores)
        onehot = one_hot(y, scores.shape[1], scores.dtype)
        correct = xp.sum(scores * onehot, axis=1, keepdims=True)  # s_{n, y_n}, (N, 1)
        margins = (scores - correct + self.margin) * (1.0 - onehot)  # the correct class adds 0
        margins = xp.where(margins > 0, margins, xp.zeros_like(margins))
        self.cache = (margins, onehot)
        return float(xp.sum(margins)) / scores.shape[0]

    def backward(self):
        margins, onehot = self._need_cache()
        xp = xp_of(margins)
        active = xp.astype(margins > 0, margins.dtype)
        # each active wrong class pushes its score up (+1) and the correct one down (−1)
        d = active - onehot * xp.sum(active, axis=1, keepdims=True)
        return d / margins.shape[0]

    def __repr__(self):
        return f"Hinge(margin={self.margin})"


class MSE(Loss):
    """Half the squared error: L = (1/N) Σ_n ½‖ŷ_n − y_n‖² (summed over outputs, mean over samples).

    forward(pred (N, K), y (N, K)) -> float; with K = 1, y may also be (N,).
    backward() -> (ŷ − y) / N, shape (N, K).
    """

    def check(self, scores, y) -> None:
        if len(scores.shape) != 2 or scores.shape[0] == 0:
            what = "an empty batch" if len(scores.shape) and scores.shape[0] == 0 else \
                f"predictions of shape {describe_shape(scores.shape)}"
            raise ShapeError(f"{self.name} expected predictions of shape (N, K) with N >= 1, got "
                             f"{what}.")
        n, k = scores.shape
        if tuple(y.shape) != (n, k) and not (k == 1 and tuple(y.shape) == (n,)):
            raise ShapeError(f"{self.name} expected targets of shape ({n}, {k}) like the "
                             f"predictions, got {describe_shape(y.shape)}.")

    def _forward(self, scores, y) -> float:
        xp = xp_of(scores)
        if len(y.shape) == 1:
            y = xp.reshape(y, (-1, 1))
        if y.dtype != scores.dtype:
            y = xp.astype(y, scores.dtype)
        diff = scores - y
        self.cache = diff
        return 0.5 * float(xp.sum(diff * diff)) / scores.shape[0]

    def backward(self):
        diff = self._need_cache()
        return diff / diff.shape[0]
