"""The public checks of notebook 05 accept the reference answers and reject typical mistakes."""
import numpy as np
import pytest

from _numgrad import numerical_gradient  # the right answer to 05.gradient_check
from coursekit.checks import nb05
from coursekit.lessons.nb04 import sigmoid


def add_backward(x, y, dout):
    return dout * np.ones_like(x, dtype=float), dout * np.ones_like(y, dtype=float)


def mul_backward(x, y, dout):
    return y * dout, x * dout


def max_backward(x, y, dout):
    w = np.asarray(x) >= np.asarray(y)
    return np.where(w, dout, 0.0), np.where(w, 0.0, dout)


def sigmoid_backward(z, dout):
    s = sigmoid(z)
    return s * (1 - s) * dout


def forward_backward(X, Y, p, bug=None):
    N = X.shape[0]
    A1 = sigmoid(X @ p["W1"] + p["b1"])
    Yhat = A1 @ p["W2"] + p["b2"]
    loss = 0.5 * np.sum((Yhat - Y) ** 2) / N
    dZ2 = (Yhat - Y) / (1 if bug == "no_mean" else N)
    dA1 = dZ2 @ (p["W2"] if bug == "no_transpose" else p["W2"].T)  # W2 square in the check's last case
    dZ1 = dA1 * (1 if bug == "no_sigma_prime" else A1 * (1 - A1))
    return loss, {"W1": dZ1.T @ X if bug == "dW1_transposed" else X.T @ dZ1, "b1": dZ1.sum(axis=0),
                  "W2": A1.T @ dZ2, "b2": dZ2.mean(axis=0) if bug == "mean_bias" else dZ2.sum(axis=0)}


def relative_error(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def test_gates(capsys):
    assert nb05.check_gate_backward(add_backward, mul_backward, max_backward, sigmoid_backward)
    assert not nb05.check_gate_backward(add_backward, lambda x, y, d: (x * d, y * d), max_backward, sigmoid_backward)
    assert "OTHER input" in capsys.readouterr().out
    # max splitting the gradient evenly, or sigmoid' without the 1 - s factor
    assert not nb05.check_gate_backward(add_backward, mul_backward, lambda x, y, d: (d / 2, d / 2), sigmoid_backward)
    assert not nb05.check_gate_backward(add_backward, mul_backward, max_backward, lambda z, d: sigmoid(z) * d)
    assert not nb05.check_gate_backward(add_backward, mul_backward, max_backward, lambda z, d: None)


def test_two_layer_backprop(capsys):
    assert nb05.check_two_layer_backprop(forward_backward)
    out = capsys.readouterr().out
    assert "dW1 matches (relative error below 1e-06)" in out and "public checks passed" in out


@pytest.mark.parametrize("bug, first_off, cause", [
    ("no_mean", "dW2", "the 1/N of the mean is missing"),
    ("no_sigma_prime", "dW1", "the sigmoid's derivative is missing"),
    ("no_transpose", "dW1", "W2 is used without its transpose"),
    ("dW1_transposed", "dW1", "transpose"),
    ("mean_bias", "db2", "the 1/5 of the mean is applied twice"),
])
def test_two_layer_backprop_names_the_first_wrong_gradient_and_its_cause(bug, first_off, cause, capsys):
    fb = lambda X, Y, p: forward_backward(X, Y, p, bug)  # noqa: E731
    if bug == "no_transpose":  # only runs when W2 is square: the other cases raise a shape error
        fb = lambda X, Y, p: (forward_backward(X, Y, p, bug) if p["W2"].shape[0] == p["W2"].shape[1]  # noqa: E731
                              else forward_backward(X, Y, p))
    assert not nb05.check_two_layer_backprop(fb)
    failed = [line for line in capsys.readouterr().out.splitlines() if "\u2718" in line]
    first = next(line for line in failed if "(the first gradient that is off)" in line)
    assert f": {first_off} (the first gradient that is off), relative error" in first
    assert cause in first


def test_two_layer_backprop_in_place_update_is_caught(capsys):
    def in_place(X, Y, p):
        out = forward_backward(X, Y, p)
        p["W1"] -= 0.1
        return out
    assert not nb05.check_two_layer_backprop(in_place)
    assert "do not modify the parameters in place" in capsys.readouterr().out


def test_gradient_check():
    assert nb05.check_gradient_check(relative_error, numerical_gradient)
    # elementwise maximum instead of norms; a forward difference; forgetting to restore x
    assert not nb05.check_gradient_check(
        lambda a, b: float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-300))), numerical_gradient)

    def forward_diff(f, x, h=1e-5):
        g = np.zeros(x.shape)
        for i in np.ndindex(x.shape):
            f0 = f(x)
            x[i] += h
            g[i] = (f(x) - f0) / h
            x[i] -= h
        return g
    assert not nb05.check_gradient_check(relative_error, forward_diff)

    def no_restore(f, x, h=1e-5):
        g = np.zeros(x.shape)
        for i in np.ndindex(x.shape):
            x[i] += h
            fp = f(x)
            x[i] -= 2 * h
            g[i] = (fp - f(x)) / (2 * h)
        return g
    assert not nb05.check_gradient_check(relative_error, no_restore)
    with np.errstate(invalid="ignore"):  # 0 / 0 for two zero arrays: the case the check catches
        assert not nb05.check_gradient_check(
            lambda a, b: np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)), numerical_gradient)


def test_two_layer_loss_matches_reference():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(3, 2)), rng.normal(size=(3, 1))
    p = {"W1": rng.normal(size=(2, 4)), "b1": np.zeros(4), "W2": rng.normal(size=(4, 1)), "b2": np.zeros(1)}
    assert np.isclose(nb05.two_layer_loss(X, Y, p), forward_backward(X, Y, p)[0])
