"""Public checks of notebook 03 (logistic_and_softmax_regression).

Conventions (as in the notebook and ``coursekit.lessons.nb02``): X (N, D) one example per row;
W (D, K); b (K,); scores S = X @ W + b (N, K); labels y (N,) integers in [0, K);
loss L = mean_n −log softmax(S_n)[y_n] + ½·reg·Σ W² (b not penalised);
gradients dW (D, K), db (K,); dS = (softmax(S) − onehot(y)) / N.
"""
from __future__ import annotations

import numpy as np

from ..lessons import nb02 as ref
from ..backend import to_numpy
from ..nn.gradcheck import numerical_gradient
from .core import Checks

__all__ = [
    "check_softmax",
    "check_softmax_loss",
    "check_softmax_gradients",
    "check_train_softmax",
    "check_spiral_accuracy",
]


def _arr(x):
    return np.asarray(to_numpy(x), dtype=float)


def _scalar(x):
    """The one number in ``x`` (a float, a 0-d or one-element array), else None."""
    try:
        a = _arr(x)
        return float(a.reshape(-1)[0]) if a.size == 1 else None
    except (TypeError, ValueError):  # a function, a string...: not a number
        return None


# -- 03.stable_softmax ----------------------------------------------------------------------
def check_softmax(softmax) -> bool:
    """softmax(S (N, K)) -> (N, K) row-wise probabilities, stable for large scores."""
    c = Checks("03.stable_softmax", "numerically stable softmax")
    S = np.array([[1.0, 2.0, 3.0]])
    out = c.call(softmax, S.copy(), description="softmax([[1, 2, 3]])")
    if out is not None:
        c.close(out, ref.softmax_reference(S), "softmax([[1, 2, 3]]) = [[0.0900, 0.2447, 0.6652]]",
                "p_k = exp(s_k) / Σ_j exp(s_j)", atol=1e-8)
    S = np.array([[1000.0, 1001.0, 1002.0]])
    out = c.call(softmax, S.copy(), description="softmax([[1000, 1001, 1002]])")
    if out is not None:
        c.close(out, ref.softmax_reference(S), "scores near 1000 give the same as [1, 2, 3], without nan",
                "exp(1000) overflows to inf and inf/inf is nan: subtract the row maximum before exp",
                atol=1e-8)
    S = np.array([[-1000.0, -1000.0]])
    out = c.call(softmax, S.copy(), description="softmax([[-1000, -1000]])")
    if out is not None:
        c.close(out, [[0.5, 0.5]], "two equal, very negative scores give [0.5, 0.5]",
                "exp(-1000) underflows to 0 and 0/0 is nan: subtracting the row maximum fixes this too")
    S = np.array([[0.0, 1.0], [1000.0, 1000.0], [-800.0, -799.0]])
    before = S.copy()
    out = c.call(softmax, S, description="softmax of 3 rows on different scales")
    if out is not None:
        a = _arr(out)
        hint = ""
        if a.shape == S.shape and np.allclose(a.sum(axis=0), 1.0) and not np.allclose(a.sum(axis=1), 1.0):
            hint = "normalise each row (axis=1, keepdims=True), not each column"
        elif a.shape == S.shape and not np.all(np.isfinite(a)):
            hint = "subtract each row's own maximum: S.max(axis=1, keepdims=True)"
        c.close(a, ref.softmax_reference(S), "each of the 3 rows is a distribution that sums to 1", hint,
                atol=1e-8)
        c.equal(S, before, "the input array is left unchanged",
                "you changed S in place (S -= ...): compute S - S.max(...) into a new array")
    return c.report()


# -- 03.cross_entropy_l2 --------------------------------------------------------------------
def check_softmax_loss(softmax_loss) -> bool:
    """softmax_loss(W, b, X, y, reg) -> float."""
    c = Checks("03.cross_entropy_l2", "cross-entropy loss with L2 regularisation")
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -1.0], [2.0, 1.0]])
    y = np.array([0, 2, 1, 2])
    W0, b0 = np.zeros((2, 3)), np.zeros(3)
    out = c.call(softmax_loss, W0, b0, X, y, 0.0, description="softmax_loss with W = 0, b = 0")
    if out is not None:
        c.close(_scalar(out) if _scalar(out) is not None else out, np.log(3),
                f"all scores equal: every class has p = 1/3, loss = log 3 = {np.log(3):.4f}",
                "the loss is the mean over examples of −log p(correct class)")
    W = np.array([[0.5, -1.0, 0.2], [1.5, 0.3, -0.7]])
    b = np.array([0.1, -0.2, 0.3])
    exp = ref.softmax_loss_reference(W, b, X, y, 0.0)
    out = c.call(softmax_loss, W, b, X, y, 0.0, description="softmax_loss(W, b, X (4, 2), y, reg = 0)")
    if out is not None:
        v = _scalar(out)
        hint = ""
        if v is not None and np.isclose(v, 4 * exp):
            hint = "that is the sum over the 4 examples: take the mean"
        elif v is not None and np.isclose(v, -exp):
            hint = "the loss is −log p, a positive number"
        c.close(v if v is not None else out, exp, f"4 examples, reg = 0: loss {exp:.4f}", hint)
    exp = ref.softmax_loss_reference(W, b, X, y, 0.1)
    out = c.call(softmax_loss, W, b, X, y, 0.1, description="softmax_loss(..., reg = 0.1)")
    if out is not None:
        v = _scalar(out)
        data = ref.softmax_loss_reference(W, b, X, y, 0.0)
        hint = ""
        if v is not None:
            if np.isclose(v, data + 0.1 * np.sum(W ** 2)):
                hint = "the penalty is ½·reg·Σ W², with the ½"
            elif np.isclose(v, exp + 0.05 * np.sum(b ** 2)):
                hint = "penalise W only, not b"
            elif np.isclose(v, data):
                hint = "add the penalty ½·reg·Σ W²"
        c.close(v if v is not None else out, exp, f"reg = 0.1 adds ½·0.1·Σ W² = {0.05 * np.sum(W ** 2):.4f}", hint)
    Wb = np.array([[1000.0, 990.0, 0.0]])
    exp = ref.softmax_loss_reference(Wb, np.zeros(3), np.ones((1, 1)), np.array([1]), 0.0)
    out = c.call(softmax_loss, Wb, np.zeros(3), np.ones((1, 1)), np.array([1]), 0.0,
                 description="softmax_loss with scores [1000, 990, 0], correct class 1")
    if out is not None:
        c.close(_scalar(out) if _scalar(out) is not None else out, exp,
                f"scores near 1000: loss = {exp:.4f}, finite",
                "use your stable softmax (subtract the row maximum) before taking the log")
    return c.report()


# -- 03.gradients ---------------------------------------------------------------------------
def _num_grads(W, b, X, y, reg, h=1e-6):
    """Central differences of the reference loss: (dW (D, K), db (K,))."""
    return (numerical_gradient(lambda W_: ref.softmax_loss_reference(W_, b, X, y, reg), W, h),
            numerical_gradient(lambda b_: ref.softmax_loss_reference(W, b_, X, y, reg), b, h))


def _pair(c, out, label):
    if out is None:
        return None
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        c.case(False, f"{label}: returns (dW, db)", f"got {type(out).__name__}")
        return None
    return _arr(out[0]), _arr(out[1])


def check_softmax_gradients(softmax_gradients) -> bool:
    """softmax_gradients(W, b, X, y, reg) -> (dW (D, K), db (K,))."""
    c = Checks("03.gradients", "gradients dW and db of the softmax classifier")
    # The deck's example: softmax output [0.2, 0.3, 0.5], correct class 1.
    x = np.array([[1.0, 2.0]])
    W, b = np.zeros((2, 3)), np.log(np.array([0.2, 0.3, 0.5]))
    got = _pair(c, c.call(softmax_gradients, W, b, x, np.array([1]), 0.0,
                          description="softmax_gradients with p = [0.2, 0.3, 0.5], class 1 correct"), "one example")
    if got is not None:
        dW, db = got
        hint = ""
        if db.shape == (1, 3):
            hint = "db must have shape (K,): sum dS over axis 0 without keepdims"
        elif db.shape == (3,) and np.allclose(db, [-0.2, 0.7, -0.5]):
            hint = "the sign is flipped: dL/ds = p − onehot"
        c.close(db, [0.2, -0.7, 0.5], "db = p − onehot = [0.2, −0.7, 0.5]", hint)
        c.close(dW, x.T @ np.array([[0.2, -0.7, 0.5]]), "dW = xᵀ (p − onehot): [[0.2, −0.7, 0.5], [0.4, −1.4, 1.0]]",
                "dW = X.T @ dS, shape (D, K)")
    rng = np.random.default_rng(3)
    X = rng.normal(size=(5, 2))
    y = np.array([0, 1, 2, 2, 1])
    W, b = rng.normal(size=(2, 3)), rng.normal(size=3)
    ndW, ndb = _num_grads(W, b, X, y, 0.0)
    got = _pair(c, c.call(softmax_gradients, W, b, X, y, 0.0, description="softmax_gradients on 5 examples, reg = 0"),
                "5 examples")
    if got is not None:
        dW, db = got
        hint = ""
        if dW.shape == ndW.shape and np.allclose(dW, 5 * ndW, atol=1e-6):
            hint = "5 times too big: the loss is a mean, divide dS by N"
        c.close(dW, ndW, "dW matches finite differences of the loss (N = 5)", hint, atol=1e-6)
        c.close(db, ndb, "db matches finite differences", "db = Σ_n dS_n, shape (K,)", atol=1e-6)
    ndW, ndb = _num_grads(W, b, X, y, 0.5)
    got = _pair(c, c.call(softmax_gradients, W, b, X, y, 0.5, description="softmax_gradients with reg = 0.5"),
                "reg = 0.5")
    if got is not None:
        dW, db = got
        hint = ""
        if dW.shape == ndW.shape and np.allclose(dW, ndW + 0.5 * W, atol=1e-6):
            hint = "the gradient of ½·reg·Σ W² is reg·W (not 2·reg·W)"
        elif dW.shape == ndW.shape and np.allclose(dW, ndW - 0.5 * W, atol=1e-6):
            hint = "add reg·W to dW"
        c.close(dW, ndW, "with reg = 0.5, dW gains reg·W", hint, atol=1e-6)
        c.close(db, ndb, "db does not change with reg", "b is not regularised", atol=1e-6)
    return c.report()


# -- 03.training_loop ---------------------------------------------------------------------
def _train(X, y, W0, b0, lr, reg, n_steps):
    W, b = np.array(W0, dtype=float), np.array(b0, dtype=float)
    losses = []
    for _ in range(n_steps):
        losses.append(ref.softmax_loss_reference(W, b, X, y, reg))
        dW, db = ref.softmax_gradients_reference(W, b, X, y, reg)
        W = W - lr * dW
        b = b - lr * db
    return W, b, np.array(losses)


def check_train_softmax(train_softmax) -> bool:
    """train_softmax(X, y, W0, b0, lr, reg, n_steps) -> (W, b, losses (n_steps,))."""
    c = Checks("03.training_loop", "full-batch gradient descent on the softmax classifier")
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0], [1.0, 1.0], [-1.0, 0.5]])
    y = np.array([0, 1, 2, 0, 2])
    W0 = np.array([[0.01, -0.02, 0.0], [0.0, 0.01, 0.02]])
    b0 = np.zeros(3)
    W0_before = W0.copy()
    eW, eb, el = _train(X, y, W0, b0, 0.5, 1e-3, 3)
    out = c.call(train_softmax, X, y, W0, b0, 0.5, 1e-3, 3, description="train_softmax(5 points, lr 0.5, 3 steps)")
    if out is not None:
        if not (isinstance(out, (tuple, list)) and len(out) == 3):
            c.case(False, "returns (W, b, losses)", f"got {type(out).__name__}")
        else:
            W, b, losses = (_arr(v) for v in out)
            hint = ""
            if losses.shape == (3,) and np.allclose(losses, _train(X, y, W0, b0, 0.5, 1e-3, 4)[2][1:]):
                hint = "record the loss before each update (losses[0] is the loss at W0, b0)"
            c.close(losses, el, f"losses before each of the 3 updates: {np.round(el, 4).tolist()}", hint)
            c.close(W, eW, "W after 3 steps of W ← W − lr·dW")
            c.close(b, eb, "b after 3 steps of b ← b − lr·db")
            c.equal(W0, W0_before, "W0 is unchanged (start from a copy)",
                    "W -= lr * dW changed the caller's W0: start with W = W0.copy()")
    Xl = np.concatenate([X, X + 0.1])
    yl = np.concatenate([y, y])
    out = c.call(train_softmax, Xl, yl, np.zeros((2, 3)), np.zeros(3), 1.0, 0.0, 50,
                 description="train_softmax for 50 steps")
    if out is not None and isinstance(out, (tuple, list)) and len(out) == 3:
        losses = _arr(out[2]).reshape(-1)
        c.case(losses.shape == (50,) and bool(np.all(np.diff(losses) <= 1e-12)),
               "the loss never rises over 50 steps with lr = 1",
               "the loss went up: step against the gradient (W − lr·dW)")
    return c.report()


# -- 03.spiral_accuracy ---------------------------------------------------------------------
def check_spiral_accuracy(predict, accuracy, spiral_acc) -> bool:
    """predict(W, b, X) -> (N,) labels; accuracy(W, b, X, y) -> float; spiral_acc: a float."""
    c = Checks("03.spiral_accuracy", "predictions, accuracy, and the linear classifier on the spiral")
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0], [2.0, -3.0]])
    W = np.array([[1.0, 0.0, -1.0], [0.0, 1.0, -1.0]])
    b = np.array([0.0, 0.0, 0.5])
    out = c.call(predict, W, b, X, description="predict(W, b, 4 points)")
    if out is not None:
        a = np.asarray(to_numpy(out))
        hint = "one label per row: the argmax over the K scores (axis=1)" if a.shape != (4,) else ""
        c.equal(a, np.array([0, 1, 2, 0]), "labels = argmax of X @ W + b: [0, 1, 2, 0]", hint)
    out = c.call(accuracy, W, b, X, np.array([0, 1, 1, 0]), description="accuracy(W, b, X, y)")
    if out is not None:
        v = _scalar(out)
        hint = "return a fraction between 0 and 1, not a percentage or a count" if v in (75.0, 3.0) else ""
        c.close(v if v is not None else out, 0.75, "3 of 4 right: accuracy 0.75", hint)
    v = _scalar(spiral_acc) if spiral_acc is not None else None
    c.case(v is not None and 0.40 <= v <= 0.62, "spiral_acc is about one half (between 0.40 and 0.62)",
           f"got {spiral_acc!r}: train the linear classifier on the spiral as the cell above does, "
           "then measure accuracy on the training points")
    return c.report()
