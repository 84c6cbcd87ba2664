"""The public checks of notebook 02 accept the reference answers and reject typical mistakes."""
import numpy as np

from coursekit.checks import nb02


def mse_loss(w, X, y):
    r = y - X @ w
    return 0.5 * float(r @ r) / len(y)


def mse_gradient(w, X, y):
    return -(X.T @ (y - X @ w)) / len(y)


def gradient_descent(f, grad_f, x0, lr, n_steps):
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    x_best, f_best = x.copy(), f(x)
    for _ in range(n_steps):
        x = x - lr * grad_f(x)
        path.append(x.copy())
        if f(x) < f_best:
            x_best, f_best = x.copy(), f(x)
    return x_best, np.array(path)


def minibatch_gd(X, y, w0, lr, n_epochs, batch_size, seed=0):
    rng = np.random.default_rng(seed)
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for _ in range(n_epochs):
        order = rng.permutation(len(y))
        for s in range(0, len(y), batch_size):
            idx = order[s:s + batch_size]
            w = w - lr * mse_gradient(w, X[idx], y[idx])
            path.append(w.copy())
    return np.array(path)


def sgd(X, y, w0, lr, n_epochs, seed=0):
    rng = np.random.default_rng(seed)
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for _ in range(n_epochs):
        for n in rng.permutation(len(y)):
            w = w + lr * (y[n] - X[n] @ w) * X[n]
            path.append(w.copy())
    return np.array(path)


def numerical_gradient(f, w, h=1e-5):
    w = np.array(w, dtype=float)
    g = np.zeros_like(w)
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = h
        g[i] = (f(w + e) - f(w - e)) / (2 * h)
    return g


def test_reference_answers_pass(capsys):
    assert nb02.check_mse_gradient(mse_loss, mse_gradient)
    assert nb02.check_gradient_descent(gradient_descent)
    assert nb02.check_sgd(sgd)
    assert nb02.check_minibatch_gd(minibatch_gd)
    assert nb02.check_numerical_gradient(numerical_gradient)
    out = capsys.readouterr().out
    assert out.count("public checks passed") == 5


def test_unattempted_is_reported(capsys):
    def todo(*a, **k):
        raise NotImplementedError("Exercise 02.sgd")
    assert not nb02.check_sgd(todo)
    assert "not attempted" in capsys.readouterr().out


def test_mse_mistakes_rejected(capsys):
    assert not nb02.check_mse_gradient(lambda w, X, y: 2 * mse_loss(w, X, y), mse_gradient)
    assert "factor 1/2" in capsys.readouterr().out
    assert not nb02.check_mse_gradient(mse_loss, lambda w, X, y: -mse_gradient(w, X, y))
    assert "sign" in capsys.readouterr().out
    assert not nb02.check_mse_gradient(mse_loss, lambda w, X, y: -(X.T @ (y - X @ w)))
    assert "divide by N" in capsys.readouterr().out


def test_deck_x_best_bug_rejected(capsys):
    def buggy(f, grad_f, x0, lr, n_steps):   # compares with f(x), as the slide does
        x = np.array(x0, dtype=float)
        path = [x.copy()]
        x_best, fx = x.copy(), f(x)
        for _ in range(n_steps):
            x_next = x - lr * grad_f(x)
            f_next = f(x_next)
            if f_next < fx:
                x_best = x_next.copy()
            x, fx = x_next, f_next
            path.append(x.copy())
        return x_best, np.array(path)
    assert not nb02.check_gradient_descent(buggy)
    assert "f_best" in capsys.readouterr().out

    def last(f, grad_f, x0, lr, n_steps):
        _, path = gradient_descent(f, grad_f, x0, lr, n_steps)
        return path[-1], path
    assert not nb02.check_gradient_descent(last)


def test_sgd_without_shuffle_rejected(capsys):
    def in_order(X, y, w0, lr, n_epochs, seed=0):
        w = np.array(w0, dtype=float)
        path = [w.copy()]
        for _ in range(n_epochs):
            for n in range(len(y)):
                w = w + lr * (y[n] - X[n] @ w) * X[n]
                path.append(w.copy())
        return np.array(path)
    assert not nb02.check_sgd(in_order)
    assert "permutation" in capsys.readouterr().out


def test_minibatch_mistakes_rejected(capsys):
    def summed(X, y, w0, lr, n_epochs, batch_size, seed=0):
        rng = np.random.default_rng(seed)
        w = np.array(w0, dtype=float)
        path = [w.copy()]
        for _ in range(n_epochs):
            order = rng.permutation(len(y))
            for s in range(0, len(y), batch_size):
                idx = order[s:s + batch_size]
                w = w + lr * X[idx].T @ (y[idx] - X[idx] @ w)
                path.append(w.copy())
        return np.array(path)
    assert not nb02.check_minibatch_gd(summed)
    assert "average" in capsys.readouterr().out

    def drop_last(X, y, w0, lr, n_epochs, batch_size, seed=0):
        rng = np.random.default_rng(seed)
        w = np.array(w0, dtype=float)
        path = [w.copy()]
        for _ in range(n_epochs):
            order = rng.permutation(len(y))
            for s in range(0, len(y) - batch_size + 1, batch_size):
                idx = order[s:s + batch_size]
                w = w - lr * mse_gradient(w, X[idx], y[idx])
                path.append(w.copy())
        return np.array(path)
    assert not nb02.check_minibatch_gd(drop_last)


def test_numerical_gradient_mistakes_rejected(capsys):
    def forward(f, w, h=1e-5):
        w = np.array(w, dtype=float)
        g = np.zeros_like(w)
        for i in range(w.size):
            e = np.zeros_like(w)
            e[i] = h
            g[i] = (f(w + e) - f(w)) / h
        return g
    assert not nb02.check_numerical_gradient(forward)
    assert "central difference" in capsys.readouterr().out

    def in_place(f, w, h=1e-5):
        g = np.zeros_like(w)
        for i in range(w.size):
            w[i] += h
            fp = f(w)
            w[i] -= 2 * h
            fm = f(w)
            g[i] = (fp - fm) / (2 * h)
        return g
    assert not nb02.check_numerical_gradient(in_place)


def momentum_step(w, v, g, lr, beta):
    v = beta * v - lr * g
    return w + v, v


def adam_step(w, m, v, g, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _adam_without_correction(w, m, v, g, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return w - lr * m / (np.sqrt(v) + eps), m, v


def test_optimizer_steps_accepts_the_reference_and_the_library(capsys):
    assert nb02.check_optimizer_steps(momentum_step, adam_step)
    assert "public checks passed" in capsys.readouterr().out


def test_optimizer_steps_names_the_usual_slips(capsys):
    def uphill(w, v, g, lr, beta):
        v = beta * v + lr * g
        return w + v, v

    def forgets_velocity(w, v, g, lr, beta):
        return w - lr * g, -lr * g

    def only_m_corrected(w, m, v, g, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        return w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v) + eps), m, v

    def t_from_zero(w, m, v, g, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        return adam_step(w, m, v, g, t - 1, lr, beta1, beta2, eps)

    def returns_corrected(w, m, v, g, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        w, m, v = adam_step(w, m, v, g, t, lr, beta1, beta2, eps)
        return w, m / (1 - beta1 ** t), v / (1 - beta2 ** t)

    def in_place(w, v, g, lr, beta):
        v *= beta
        v -= lr * g
        w += v
        return w, v

    cases = [(uphill, adam_step, "the velocity points uphill"),
             (in_place, adam_step, "it changed an input in place"),
             (forgets_velocity, adam_step, "keep β times the previous velocity"),
             (momentum_step, _adam_without_correction, "no bias correction"),
             (momentum_step, only_m_corrected, "v̂ = v / (1 − β2^t) is missing"),
             (momentum_step, t_from_zero, "t is the step number, from 1"),
             (momentum_step, returns_corrected, "not m̂ and v̂")]
    for mom, adam, hint in cases:
        assert not nb02.check_optimizer_steps(mom, adam), hint
        out = capsys.readouterr().out
        assert hint in out, (hint, out)


# -- 02.momentum_sweep ------------------------------------------------------------------------
from coursekit.lessons.nb02 import steps_below


def _momentum_step(w, v, g, lr, beta):
    v = beta * v - lr * g
    return w + v, v


def _sweep(grad_f, gap_f, w0, lr, betas, max_steps=1500, tol=1e-4, *, slip=None):
    """The master's sweep, or one with a slip a student makes."""
    found, w, v = {}, np.array(w0, dtype=float), np.zeros(len(w0))
    for beta in betas:
        if slip != "carry both":
            v = np.zeros(len(w0)) if slip != "carry v" else v
            w = np.array(w0, dtype=float) if slip != "carry w" else w
        path = [w]
        for _ in range(max_steps if slip != "short" else max_steps // 3):
            w, v = _momentum_step(w, v, grad_f(w), lr, beta)
            path.append(w)
        gaps = gap_f(np.array(path))
        if slip == "first dip":
            below = np.flatnonzero(gaps < tol)
            found[beta] = int(below[0]) if below.size else None
        elif slip == "off by one":
            s = steps_below(gaps, tol)
            found[beta] = None if s is None else s + 1
        else:
            found[beta] = steps_below(gaps, tol)
    return found


def test_momentum_sweep_accepts_the_masters_answer(capsys):
    assert nb02.check_momentum_sweep(_sweep)
    out = capsys.readouterr().out
    assert "β = 0.99: 808 steps" in out and "β = 0.0: never" in out


def test_momentum_sweep_names_the_usual_slips(capsys):
    for slip, hint in [("first dip", "STAYS below tol"), ("carry both", "start every β afresh from w0 with v = 0"),
                       ("carry v", "reset the velocity to v = 0"), ("carry w", "start every β from w0"),
                       ("off by one", "off by one"), ("short", "run all max_steps")]:
        assert not nb02.check_momentum_sweep(lambda *a, s=slip: _sweep(*a, slip=s)), slip
        assert hint in capsys.readouterr().out, slip


def test_momentum_sweep_rejects_wrong_shapes_and_a_moved_start(capsys):
    assert not nb02.check_momentum_sweep(lambda *a: [1, 2, 3])
    assert "returns a dict {beta: steps}" in capsys.readouterr().out
    assert not nb02.check_momentum_sweep(lambda g, f, w0, lr, betas, *r: {b: 1.5 for b in betas})
    assert "each entry is a number of steps (an int) or None" in capsys.readouterr().out

    def moves_w0(grad_f, gap_f, w0, *rest):
        found = _sweep(grad_f, gap_f, w0.copy(), *rest)
        w0 -= 1.0
        return found
    assert not nb02.check_momentum_sweep(moves_w0)
    assert "changed an input in place" in capsys.readouterr().out
