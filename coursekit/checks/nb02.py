"""Public checks of notebook 02 (linear_neurons_and_gradient_descent).

Conventions (as in the notebook and ``coursekit.lessons.nb02``): X (N, d), w (d,), y (N,); the linear
neuron outputs X @ w; the loss is E(w) = 1/(2N) Σ (y_n − x_n·w)² and its gradient
−(1/N) Xᵀ (y − X w). Paths are arrays (T + 1, d): the start and the weights after each update.
Stochastic and mini-batch runs draw one ``rng.permutation(N)`` per epoch from a single
``rng = np.random.default_rng(seed)``.
"""
from __future__ import annotations

import numpy as np

from ..backend import to_numpy
from ..nn.gradcheck import numerical_gradient
from ..lessons.nb02 import exact_quadratic, linear_data, steps_below
from .core import Checks

__all__ = [
    "check_mse_gradient",
    "check_gradient_descent",
    "check_sgd",
    "check_minibatch_gd",
    "check_numerical_gradient",
    "check_optimizer_steps",
    "check_momentum_sweep",
]

# Small data sets with hand-checkable numbers.
X3 = np.array([[1.0, 2.0], [0.0, 1.0], [2.0, -1.0]])
Y3 = np.array([3.0, 1.0, 0.0])


def _arr(x):
    return np.asarray(to_numpy(x), dtype=float)


# -- references (private: the notebook asks the student to write these) ---------------------
def _loss(w, X, y):
    r = y - X @ w
    return 0.5 * float(r @ r) / len(y)


def _grad(w, X, y):
    return -(X.T @ (y - X @ w)) / len(y)


def _gd(f, grad_f, x0, lr, n_steps):
    x = np.asarray(x0, dtype=float).copy()
    path = [x.copy()]
    best, f_best = x.copy(), f(x)
    for _ in range(n_steps):
        x = x - lr * np.asarray(grad_f(x), dtype=float)
        path.append(x.copy())
        fx = f(x)
        if fx < f_best:
            best, f_best = x.copy(), fx
    return best, np.array(path)


def _minibatch(X, y, w0, lr, n_epochs, batch_size, seed=0):
    rng = np.random.default_rng(seed)
    w = np.asarray(w0, dtype=float).copy()
    path = [w.copy()]
    N = len(y)
    for _ in range(n_epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            idx = order[start:start + batch_size]
            w = w - lr * _grad(w, X[idx], y[idx])
            path.append(w.copy())
    return np.array(path)


def _num_grad(f, w, h=1e-5):
    return numerical_gradient(f, np.asarray(w, dtype=float), h)


def _scalar(x):
    a = _arr(x)
    return float(a.reshape(-1)[0]) if a.size == 1 else None


# -- 02.mse_gradient ----------------------------------------------------------------------
def check_mse_gradient(mse_loss, mse_gradient) -> bool:
    """mse_loss(w, X, y) -> float; mse_gradient(w, X, y) -> (d,)."""
    c = Checks("02.mse_gradient", "squared error of a linear neuron and its gradient")
    w = np.array([1.0, 0.5])
    expected = _loss(w, X3, Y3)  # residuals 1, 0.5, -1.5 -> (1 + 0.25 + 2.25) / 6
    out = c.call(mse_loss, w, X3, Y3, description="mse_loss(w=[1, 0.5], X (3, 2), y)")
    if out is not None:
        v = _scalar(out)
        hint = {round(2 * expected, 9): "you left out the factor 1/2",
                round(3 * expected, 9): "that is the sum: divide by N (the mean)",
                round(6 * expected, 9): "that is the plain sum of squares: use 1/(2N) Σ (y − Xw)²",
                }.get(None if v is None else round(v, 9), "")
        c.close(v if v is not None else out, expected,
                f"E = (1² + 0.5² + 1.5²) / (2·3) = {expected:.4f}", hint)
    out = c.call(mse_gradient, w, X3, Y3, description="mse_gradient(w=[1, 0.5], X (3, 2), y)")
    g = _grad(w, X3, Y3)
    if out is not None:
        a = _arr(out).reshape(-1) if _arr(out).size == 2 else _arr(out)
        hint = ""
        if a.shape == g.shape:
            if np.allclose(a, -g):
                hint = "the sign is flipped: the gradient is −(1/N) Xᵀ (y − Xw), it points uphill"
            elif np.allclose(a, 3 * g):
                hint = "that is N times too big: average over the examples (divide by N)"
            elif np.allclose(a, 2 * g):
                hint = "twice too big: with the ½ in E the 2 of the square cancels"
        else:
            hint = "one partial derivative per weight: shape (d,), e.g. X.T @ residual"
        c.close(a, g, f"∇E = −(1/N) Xᵀ (y − Xw) = [{g[0]:.4f}, {g[1]:.4f}]", hint)
    Xs = np.array([[1.0, 0.0], [0.0, 1.0]])
    out = c.call(mse_gradient, np.array([2.0, -1.0]), Xs, np.array([2.0, -1.0]),
                 description="mse_gradient at a perfect fit")
    if out is not None:
        c.close(_arr(out).reshape(-1), [0.0, 0.0], "the gradient is 0 where the fit is perfect")
    rng = np.random.default_rng(2)
    X = rng.normal(size=(5, 3))
    y = rng.normal(size=5)
    w3 = rng.normal(size=3)
    out = c.call(mse_gradient, w3, X, y, description="mse_gradient with d = 3 inputs")
    if out is not None:
        c.close(_arr(out), _num_grad(lambda v: _loss(v, X, y), w3), "3 weights: matches finite differences",
                "use matrix products, not a fixed number of weights", atol=1e-6)
    return c.report()


# -- 02.batch_gd --------------------------------------------------------------------------
def check_gradient_descent(gradient_descent) -> bool:
    """gradient_descent(f, grad_f, x0, lr, n_steps) -> (x_best (d,), path (n_steps + 1, d))."""
    c = Checks("02.batch_gd", "gradient descent with x_best tracking")
    f = lambda x: float(x @ x)           # noqa: E731  minimum at 0, gradient 2x
    g = lambda x: 2 * x                   # noqa: E731
    out = c.call(gradient_descent, f, g, np.array([1.0, -2.0]), 0.25, 3,
                 description="gradient_descent(f = |x|², x0 = [1, -2], lr = 0.25, 3 steps)")
    if out is not None:
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            c.case(False, "returns (x_best, path)", f"got {type(out).__name__}")
        else:
            best, path = _arr(out[0]), _arr(out[1])
            exp_best, exp_path = _gd(f, g, np.array([1.0, -2.0]), 0.25, 3)
            hint = ""
            if path.shape == (3, 2):
                hint = "the path starts with x0: n_steps updates give n_steps + 1 rows"
            c.close(path, exp_path, "path: x0 and the 3 iterates, each halving x (x ← x − 0.25·2x)", hint)
            c.close(best, exp_best, "x_best is the last point when every step improves")
    # f decreases, rises, falls a little (not below the best), rises: x moves +1 per step.
    xs = np.arange(5.0)
    fs = np.array([5.0, 3.0, 4.0, 3.5, 6.0])
    f2 = lambda x: float(np.interp(np.asarray(x, float).reshape(-1)[0], xs, fs))  # noqa: E731
    g2 = lambda x: -np.ones_like(np.asarray(x, dtype=float))                        # noqa: E731
    out = c.call(gradient_descent, f2, g2, np.array([0.0]), 1.0, 4,
                 description="gradient_descent on f = 5, 3, 4, 3.5, 6 along the path")
    if out is not None and isinstance(out, (tuple, list)) and len(out) == 2:
        best = _arr(out[0]).reshape(-1)
        hint = ""
        if best.size == 1 and np.isclose(best[0], 3.0):
            hint = ("3.5 is lower than the previous value 4 but not lower than the best 3: compare "
                    "f(x_next) with f_best, not with f(x)")
        elif best.size == 1 and np.isclose(best[0], 4.0):
            hint = "return the best point seen, not the last one"
        c.close(best, [1.0], "x_best = 1, where f = 3 was the lowest value seen", hint)
    # Divergence: the best point is the start.
    out = c.call(gradient_descent, f, g, np.array([1.0, 1.0]), 1.5, 5,
                 description="gradient_descent with too large a step (lr = 1.5 on |x|²)")
    if out is not None and isinstance(out, (tuple, list)) and len(out) == 2:
        c.close(_arr(out[0]).reshape(-1), [1.0, 1.0], "a diverging run keeps x0 as x_best",
                "every step doubles |x| here, so no point is better than the start")
        c.case(np.isfinite(_arr(out[1])).all() and _arr(out[1]).shape == (6, 2),
               "the path of the diverging run has 6 rows of finite numbers")
    return c.report()


# -- 02.sgd ---------------------------------------------------------------------------------
def _path_case(c, out, expected, label, variants=()):
    if out is None:
        return
    a = _arr(out)
    hint = ""
    if a.shape != expected.shape:
        hint = (f"one row per update plus the start: {expected.shape[0]} rows"
                if a.ndim == 2 else "return the whole path, an array (updates + 1, d)")
    else:
        for v, h in variants:
            if v.shape == a.shape and np.allclose(v, a):
                hint = h
                break
    c.close(a, expected, label, hint)


def check_sgd(sgd) -> bool:
    """sgd(X, y, w0, lr, n_epochs, seed=0) -> path (n_epochs·N + 1, d)."""
    c = Checks("02.sgd", "stochastic gradient descent: the delta rule, one example at a time")
    w0 = np.zeros(2)
    X1, y1 = X3[:1], Y3[:1]
    out = c.call(sgd, X1, y1, w0, 0.1, 1, seed=0, description="sgd on one example, one epoch")
    _path_case(c, out, _minibatch(X1, y1, w0, 0.1, 1, 1),
               "one update: w ← w + 0.1·(3 − 0)·[1, 2] = [0.3, 0.6]",
               [(_minibatch(X1, y1, w0, -0.1, 1, 1), "the sign is flipped: add η (y − ŷ) x")])
    exp = _minibatch(X3, Y3, w0, 0.1, 2, 1, seed=0)
    w = w0.copy()
    rows = [w.copy()]
    for _ in range(2):
        for n in range(3):
            w = w + 0.1 * (Y3[n] - X3[n] @ w) * X3[n]
            rows.append(w.copy())
    in_order = np.array(rows)
    out = c.call(sgd, X3, Y3, w0, 0.1, 2, seed=0, description="sgd(X (3, 2), y, w0 = 0, lr = 0.1, 2 epochs, seed = 0)")
    _path_case(c, out, exp, "2 epochs of 3 examples: 7 rows, examples in rng.permutation order",
               [(in_order, "shuffle: visit the examples in the order rng.permutation(N), a new order "
                 "each epoch, with rng = np.random.default_rng(seed) made once")])
    out2 = c.call(sgd, X3, Y3, w0, 0.1, 2, seed=0, description="sgd called again with the same seed")
    if out is not None and out2 is not None:
        c.close(_arr(out2), _arr(out), "the same seed gives the same path",
                "make the generator inside sgd from seed, do not use a global one")
    return c.report()


# -- 02.minibatch_gd ------------------------------------------------------------------------
def check_minibatch_gd(minibatch_gd) -> bool:
    """minibatch_gd(X, y, w0, lr, n_epochs, batch_size, seed=0) -> path (updates + 1, d)."""
    c = Checks("02.minibatch_gd", "mini-batch gradient descent")
    rng = np.random.default_rng(7)
    X = rng.normal(size=(7, 2))
    y = X @ np.array([1.0, -2.0]) + 0.1 * rng.normal(size=7)
    w0 = np.array([0.5, 0.5])
    exp = _minibatch(X, y, w0, 0.2, 2, 3, seed=1)
    summed = None
    try:
        r = np.random.default_rng(1)
        w = w0.copy()
        rows = [w.copy()]
        for _ in range(2):
            order = r.permutation(7)
            for s in range(0, 7, 3):
                idx = order[s:s + 3]
                w = w + 0.2 * X[idx].T @ (y[idx] - X[idx] @ w)
                rows.append(w.copy())
        summed = np.array(rows)
    except Exception:  # pragma: no cover
        pass
    out = c.call(minibatch_gd, X, y, w0, 0.2, 2, 3, seed=1,
                 description="minibatch_gd(N = 7, batch_size = 3, 2 epochs, seed = 1)")
    dropped = exp[[0, 1, 2, 4, 5]]
    _path_case(c, out, exp, "N = 7 in batches of 3, 3, 1: 3 updates per epoch, 7 rows",
               [(summed, "average the gradient over the batch (mse_gradient of the batch), do not sum"),
                (dropped, "keep the last, smaller batch of 1 example")])
    out = c.call(minibatch_gd, X, y, w0, 0.2, 3, 7, seed=0, description="minibatch_gd with batch_size = N")
    gd = [w0.copy()]
    w = w0.copy()
    for _ in range(3):
        w = w - 0.2 * _grad(w, X, y)
        gd.append(w.copy())
    _path_case(c, out, np.array(gd), "batch_size = N is batch gradient descent: one full step per epoch")
    out = c.call(minibatch_gd, X, y, w0, 0.1, 1, 1, seed=3, description="minibatch_gd with batch_size = 1")
    _path_case(c, out, _minibatch(X, y, w0, 0.1, 1, 1, seed=3), "batch_size = 1 is SGD (the delta rule)")
    return c.report()


# -- 02.numerical_gradient ------------------------------------------------------------------
def check_numerical_gradient(numerical_gradient) -> bool:
    """numerical_gradient(f, w, h=1e-5) -> (d,) central differences (f(w + h e_i) − f(w − h e_i)) / 2h."""
    c = Checks("02.numerical_gradient", "the gradient by finite differences")
    f = lambda w: float(w[0] ** 2 + 3 * w[0] * w[1] + np.sin(w[1]))  # noqa: E731
    w = np.array([1.0, 2.0])
    exact = np.array([2 * 1.0 + 3 * 2.0, 3 * 1.0 + np.cos(2.0)])
    w_before = w.copy()
    out = c.call(numerical_gradient, f, w, description="numerical_gradient(w0² + 3 w0 w1 + sin w1, [1, 2])")
    if out is not None:
        c.close(_arr(out).reshape(-1), exact, "matches the exact gradient [8, 3 + cos 2] to 1e-8",
                "use the central difference (f(w + h e_i) − f(w − h e_i)) / (2h): the one-sided "
                "difference is only accurate to about h", rtol=0, atol=1e-8)
        c.equal(w, w_before, "w is unchanged afterwards",
                "you changed w in place: work on a copy, or put the entry back after each probe")
    cube = lambda w: float(np.sum(w ** 3))  # noqa: E731
    out = c.call(numerical_gradient, cube, np.array([1.0, -2.0, 0.5]), 1e-3,
                 description="numerical_gradient(Σ w³, [1, -2, 0.5], h = 1e-3)")
    if out is not None:
        expected = _num_grad(cube, np.array([1.0, -2.0, 0.5]), 1e-3)
        c.close(_arr(out).reshape(-1), expected, "uses the h it is given, and any number of weights",
                "probe each weight in turn with the given h", rtol=1e-9, atol=1e-12)
    return c.report()


# -- 02.optimizer_steps ---------------------------------------------------------------------
# One update of momentum and of Adam on a weight vector w (d,); the state (v, or m and v) has
# the shape of w. The variants below are the usual slips, each with the hint that names it.
def _momentum(w, v, g, lr, beta, *, sign=-1.0, scale=1.0, keep_v=True, step_with_old=False):
    v_new = (beta * v if keep_v else 0.0) + sign * scale * lr * g
    return w + (v if step_with_old else v_new), v_new


def _adam(w, m, v, g, t, lr, b1=0.9, b2=0.999, eps=1e-8, *, fix_m=True, fix_v=True, sign=-1.0,
          t_used=None, v_of=lambda g: g * g):
    m_new = b1 * m + (1 - b1) * g
    v_new = b2 * v + (1 - b2) * v_of(g)
    with np.errstate(all="ignore"):     # a slip's v can be negative, its t give 1 - beta^t = 0
        return _adam_update(w, m_new, v_new, t if t_used is None else t_used, lr, b1, b2, eps,
                            fix_m, fix_v, sign)


def _adam_update(w, m_new, v_new, t, lr, b1, b2, eps, fix_m, fix_v, sign):
    m_hat = m_new / (1 - b1 ** t) if fix_m else m_new
    v_hat = v_new / (1 - b2 ** t) if fix_v else v_new
    return w + sign * lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


def _pair(c, out, n, what):
    """The student's tuple as float arrays, or None (and a failed case) when it is not one."""
    if out is None:
        return None
    try:
        parts = tuple(_arr(a) for a in out)
    except Exception:
        parts = ()
    if len(parts) != n:
        got = f"{len(parts)} values" if parts else type(out).__name__
        c.case(False, f"{what} returns a tuple of {n} arrays", f"got {got}")
        return None
    return parts


def _first_hint(got, variants):
    for expected, hint in variants:
        if all(e.shape == a.shape and np.allclose(a, e, rtol=1e-6, atol=1e-10) for a, e in zip(got, expected)):
            return hint
    return ""


_MOMENTUM_SLIPS = [
    (dict(sign=1.0), "the velocity points uphill: v ← β·v − η·g (a minus: the step goes against the "
                     "gradient), then w ← w + v"),
    (dict(scale=1 / 0.1), "scale the gradient by the learning rate: v ← β·v − η·g"),
    (dict(keep_v=False), "keep β times the previous velocity: v ← β·v − η·g, not −η·g alone"),
    (dict(step_with_old=True), "update the velocity first, then step with the NEW v: w ← w + v_new"),
]


def _check_momentum(c, momentum_step):
    w, g = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    for v, label in [(np.zeros(2), "momentum, one step from v = 0: v = −0.1·g = [−0.05, 0.1], w = [0.95, 2.1]"),
                     (np.array([0.2, -0.1]), "momentum with a velocity v = [0.2, −0.1]: v ← 0.9·v − 0.1·g = [0.13, 0.01], w = [1.13, 2.01]")]:
        args = (w.copy(), v.copy(), g.copy(), 0.1, 0.9)
        given = tuple(a.copy() for a in args[:3])
        got = _pair(c, c.call(momentum_step, *given, *args[3:], description="momentum_step(w, v, g, lr=0.1, beta=0.9)"),
                    2, "momentum_step")
        if got is not None and v.any():
            _unchanged(c, given, args[:3], "momentum_step")
        if got is None:
            continue
        slips = [(_momentum(*args, **kw), h) for kw, h in _MOMENTUM_SLIPS]
        slips.append(((w - _momentum(*args)[1], _momentum(*args)[1]),
                      "with v ← β·v − η·g the velocity already points downhill: w ← w + v"))
        slips.append(((w - 0.1 * (0.9 * v + 0.1 * g), 0.9 * v + 0.1 * g),
                      "that is the other convention (v ← β·v + (1−β)·g, w ← w − η·v); write the one of "
                      "the formula above: v ← β·v − η·g, w ← w + v"))
        exp = _momentum(*args)
        hint = _first_hint(got, slips)
        c.close(np.concatenate(got), np.concatenate(exp), label + " (w and v, concatenated)", hint)


_ADAM_SLIPS = [
    (dict(fix_m=False, fix_v=False), "no bias correction: m and v start at 0, so early on they are too small "
     "by (1 − β1^t) and (1 − β2^t) (at t = 1 the uncorrected m/√v is (1 − β1)/√(1 − β2) = 3.16 "
     "times sign(g)); divide: m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t)"),
    (dict(fix_m=False), "m̂ = m / (1 − β1^t) is missing (the bias correction of the first moment)"),
    (dict(fix_v=False), "v̂ = v / (1 − β2^t) is missing (the bias correction of the second moment)"),
    (dict(sign=1.0), "the step goes uphill: w ← w − η·m̂ / (√v̂ + ε)"),
    (dict(t_used="t+1"), "use the t you are given in β^t (the first step has t = 1): do not add 1 to it"),
    (dict(v_of=np.abs), "v averages the SQUARED gradient: v ← β2·v + (1 − β2)·g², elementwise"),
    (dict(v_of=lambda g: g), "v averages the squared gradient g², not g"),
]


def _unchanged(c, given, originals, what):
    """The student's function must not write into the arrays it was given (a loop reuses them)."""
    c.case(all(np.array_equal(a, b) for a, b in zip(given, originals)),
           f"{what} leaves the arrays it is given unchanged",
           "it changed an input in place (w -= ..., v *= ...): compute new arrays, "
           "assign new names (v_new = ..., w_new = ...) and return them")


def _check_adam_case(c, adam_step, args, label):
    given = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    got = _pair(c, c.call(adam_step, *given, description="adam_step(w, m, v, g, t, lr)"), 3, "adam_step")
    if got is None:
        return
    if args[4] == 3:
        _unchanged(c, given[:4], args[:4], "adam_step")
    exp = _adam(*args)
    slips = []
    for kw, h in _ADAM_SLIPS:
        if kw.get("t_used") == "t+1":
            kw = dict(t_used=args[4] + 1)
        slips.append((_adam(*args, **kw), h))
    slips.append(((got[0], exp[1] / (1 - 0.9 ** args[4]), exp[2] / (1 - 0.999 ** args[4])),
                  "return the moments m and v themselves, not m̂ and v̂: the correction is applied "
                  "afresh at every step"))
    hint = _first_hint(got, slips)
    if not hint and not np.all(np.isfinite(got[0])):
        hint = ("t is the step number, from 1: with (1 − β^(t−1)) or t = 0 the correction divides by 0; "
                "and keep ε in the denominator, √v̂ + ε")
    c.close(got[0], exp[0], label + ": the new w", hint, rtol=1e-6, atol=1e-12)
    c.close(np.concatenate(got[1:]), np.concatenate(exp[1:]), label + ": the new m and v",
            hint if hint.startswith("return") or "SQUARED" in hint or "not g" in hint else "", rtol=1e-6, atol=1e-15)


def check_optimizer_steps(momentum_step, adam_step) -> bool:
    """momentum_step(w, v, g, lr, beta) -> (w, v); adam_step(w, m, v, g, t, lr, ...) -> (w, m, v)."""
    c = Checks("02.optimizer_steps", "one update of momentum and of Adam")
    _check_momentum(c, momentum_step)
    w, g = np.array([1.0, -2.0]), np.array([0.3, -0.02])
    _check_adam_case(c, adam_step, (w, np.zeros(2), np.zeros(2), g, 1, 0.01),
                     "Adam, first step (t = 1): m̂/√v̂ = sign(g), so w moves by lr = 0.01 to [0.99, −1.99]")
    _check_adam_case(c, adam_step, (w, np.array([0.05, -0.01]), np.array([0.002, 1e-4]), g, 3, 0.01),
                     "Adam at t = 3 with m = [0.05, −0.01], v = [0.002, 0.0001]")
    _check_adam_case(c, adam_step, (w, np.zeros(2), np.zeros(2), np.array([0.0, 1.0]), 1, 0.01),
                     "Adam with a zero gradient component: that weight stays, no 0/0")
    return c.report()


# -- 02.momentum_sweep ----------------------------------------------------------------------
def _first_below(gaps, tol):
    below = np.flatnonzero(np.asarray(gaps, dtype=float) < tol)
    return int(below[0]) if below.size else None


def _sweep(grad_f, gap_f, w0, lr, betas, max_steps, tol, *, fresh_w=True, fresh_v=True, count=steps_below):
    """{beta: steps} as the exercise asks, or as one of its usual slips computes it."""
    found, w, v = {}, np.array(w0, dtype=float), np.zeros(len(w0))
    for beta in betas:
        w = np.array(w0, dtype=float) if fresh_w else w
        v = np.zeros(len(w0)) if fresh_v else v
        path = [w]
        with np.errstate(all="ignore"):
            for _ in range(max_steps):
                v = beta * v - lr * np.asarray(grad_f(w), dtype=float)
                w = w + v
                path.append(w)
        found[beta] = count(gap_f(np.array(path)), tol)
    return found


def _valley():
    """The narrow valley of section 7 (correlation 0.98): grad_f, gap_f and the start."""
    X, y = linear_data(n=50, w_true=(2.0, -1.0), noise=0.5, correlation=0.98, seed=0)
    grad_f, gap_f = exact_quadratic(X, y)
    return grad_f, gap_f, np.array([0.0, 1.75])


def _bowl():
    """A small bowl with curvatures 1 and 0.05 and its minimum at 0: the gap is ½ Σ c w²."""
    curv = np.array([1.0, 0.05])
    return (lambda w: curv * w), (lambda P: 0.5 * np.asarray(P, dtype=float) ** 2 @ curv), np.array([1.0, 1.0])


def _steps_text(s) -> str:
    return "never (within the steps run)" if s is None else f"{s} steps"


_SWEEP_SLIPS = [
    (dict(count=_first_below), "count the steps until the gap STAYS below tol (linear.steps_below), not "
     "the first step where it dips below: with momentum the loss swings back above"),
    (dict(fresh_w=False, fresh_v=False), "start every β afresh from w0 with v = 0: your runs went on from where "
     "the previous β stopped"),
    (dict(fresh_v=False), "reset the velocity to v = 0 for every β: yours carried the last run's velocity"),
    (dict(fresh_w=False), "start every β from w0: your runs began where the previous β stopped"),
]


def _sweep_hint(got, exp, variants, beta, max_steps) -> str:
    s = got[beta]
    for found, hint in variants:
        if found[beta] == s:
            return hint
    if exp[beta] is not None and s is not None and abs(s - exp[beta]) == 1:
        return ("off by one: the path holds w0 and then the weights after each of the max_steps steps "
                "(max_steps + 1 rows), and steps_below counts from row 0")
    if beta == 0:
        return ("with β = 0 the velocity is −η·g and momentum is plain gradient descent: run max_steps of "
                "your momentum_step with beta = 0")
    if s is None:
        return f"run all max_steps = {max_steps} steps for every β before counting"
    return "run max_steps momentum steps from w0 with your momentum_step, then linear.steps_below(gap_f(path), tol)"


def _valid_steps(c, got, betas, label) -> bool:
    if not isinstance(got, dict):
        return c.case(False, f"{label}: momentum_sweep returns a dict {{beta: steps}}", f"got {type(got).__name__}")
    if sorted(got) != sorted(betas):
        return c.case(False, f"{label}: one entry per β in betas {list(betas)}", f"got the keys {sorted(got)}")
    bad = [b for b, s in got.items() if not (s is None or (isinstance(s, (int, np.integer)) and not isinstance(s, bool)))]
    return c.case(not bad, f"{label}: each entry is a number of steps (an int) or None",
                  f"for β = {bad[0]} got {got[bad[0]]!r}" if bad else "")


def check_momentum_sweep(momentum_sweep) -> bool:
    """momentum_sweep(grad_f, gap_f, w0, lr, betas, max_steps, tol) -> {beta: steps or None}."""
    c = Checks("02.momentum_sweep", "steps to the minimum for each momentum β")
    cases = [("the narrow valley at lr 0.1", _valley(), 0.1, (0.0, 0.5, 0.9, 0.99), 1500, 1e-4),
             ("a bowl with curvatures 1 and 0.05 at lr 0.5", _bowl(), 0.5, (0.0, 0.99, 0.6), 400, 1e-6)]
    for label, (grad_f, gap_f, w0), lr, betas, max_steps, tol in cases:
        given = w0.copy()
        got = c.call(momentum_sweep, grad_f, gap_f, given, lr, betas, max_steps, tol,
                     description=f"momentum_sweep on {label}")
        if got is None or not _valid_steps(c, got, betas, label):
            continue
        _unchanged(c, (given,), (w0,), "momentum_sweep")
        exp = _sweep(grad_f, gap_f, w0, lr, betas, max_steps, tol)
        variants = [(_sweep(grad_f, gap_f, w0, lr, betas, max_steps, tol, **kw), h) for kw, h in _SWEEP_SLIPS]
        for beta in betas:
            ok = got[beta] == exp[beta]
            hint = "" if ok else _sweep_hint(got, exp, variants, beta, max_steps) + f" (you found {_steps_text(got[beta])})"
            c.case(ok, f"{label}, β = {beta}: {_steps_text(exp[beta])}", hint)
    return c.report()
