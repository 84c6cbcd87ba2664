"""coursekit.lessons.nb02: the data of notebook 02 and the references of notebook 03."""
import numpy as np
import pytest

from coursekit.lessons import nb02 as linear


def test_linear_data_shapes_and_determinism():
    X, y = linear.linear_data(40, seed=3)
    assert X.shape == (40, 2) and y.shape == (40,)
    X2, y2 = linear.linear_data(40, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    with pytest.raises(ValueError):
        linear.linear_data(10, correlation=1.0)


def test_critical_rate_is_where_gd_diverges():
    X, y = linear.linear_data(50, seed=0)
    eta = linear.critical_learning_rate(X)
    H = linear.bowl_hessian(X)
    assert np.isclose(eta, 2 / np.linalg.eigvalsh(H).max())

    def run(lr, steps=200):
        w = np.zeros(2)
        for _ in range(steps):
            w = w + lr * X.T @ (y - X @ w) / len(y)
        return np.linalg.norm(w)
    assert run(0.95 * eta) < 10
    assert run(1.05 * eta) > 1e3


def test_softmax_reference_is_stable_and_gradients_match_finite_differences():
    P = linear.softmax_reference(np.array([[1000.0, 1001.0, 1002.0]]))
    assert np.all(np.isfinite(P)) and np.isclose(P.sum(), 1.0)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 2)), np.array([0, 1, 2, 1, 0, 2])
    W, b = rng.normal(size=(2, 3)), rng.normal(size=3)
    dW, db = linear.softmax_gradients_reference(W, b, X, y, reg=0.1)
    h = 1e-6
    for i in range(2):
        for k in range(3):
            E = np.zeros_like(W)
            E[i, k] = h
            num = (linear.softmax_loss_reference(W + E, b, X, y, 0.1)
                   - linear.softmax_loss_reference(W - E, b, X, y, 0.1)) / (2 * h)
            assert np.isclose(dW[i, k], num, atol=1e-7)
    for k in range(3):
        e = np.zeros(3)
        e[k] = h
        num = (linear.softmax_loss_reference(W, b + e, X, y, 0.1)
               - linear.softmax_loss_reference(W, b - e, X, y, 0.1)) / (2 * h)
        assert np.isclose(db[k], num, atol=1e-7)


def test_one_hot():
    assert np.array_equal(linear.one_hot([1, 0], 3), [[0, 1, 0], [1, 0, 0]])
    with pytest.raises(ValueError):
        linear.one_hot([3], 3)


def test_optimizer_path_runs_an_nn_optimizer_and_marks_divergence():
    from coursekit import nn
    from coursekit.lessons.nb02 import optimizer_path, steps_below

    A = np.array([1.0, 0.1])
    path = optimizer_path(nn.SGD(0.5), lambda w: A * w, np.array([1.0, 1.0]), 3)
    assert path.shape == (4, 2)
    assert np.allclose(path[:, 0], 0.5 ** np.arange(4)) and np.allclose(path[:, 1], 0.95 ** np.arange(4))
    blown = optimizer_path(nn.SGD(1e200), lambda w: A * w * 1e200, np.array([1.0, 1.0]), 5)
    assert np.all(np.isfinite(blown[0])) and np.all(np.isinf(blown[-1]))
    gaps = np.array([1.0, 0.5, 0.01, 0.2, 0.01, 0.001])
    assert steps_below(gaps, 0.05) == 4          # dipped below at step 2, but came back up
    assert steps_below(gaps, 2.0) == 0
    assert steps_below(np.array([1.0, 0.5, np.inf]), 0.1) is None


def test_exact_quadratic_is_the_mse_gradient_and_gap():
    """The written-out gradient and gap of notebook 02's narrow valley are the matrix formulas'."""
    X, y = linear.linear_data(n=50, w_true=(2.0, -1.0), noise=0.5, correlation=0.98, seed=0)
    grad, gaps = linear.exact_quadratic(X, y)
    w_star = np.linalg.solve(X.T @ X, X.T @ y)
    E = lambda w: 0.5 * np.mean((y - X @ w) ** 2)
    for w in (np.array([0.0, 1.75]), np.array([2.5, -0.3]), w_star):
        np.testing.assert_allclose(grad(w), X.T @ (X @ w - y) / len(y), atol=1e-12)
    P = np.array([[0.0, 1.75], [2.5, -0.3], [10.0, 10.0]])
    np.testing.assert_allclose(gaps(P), [E(w) - E(w_star) for w in P], rtol=1e-9)
    assert abs(gaps(w_star[None, :])[0]) < 1e-20              # exactly 0 up to w*'s own rounding
    assert gaps(w_star).shape == (1,)                          # one w is a path of one row


def test_exact_quadratic_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        linear.exact_quadratic(np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="collinear"):
        linear.exact_quadratic(np.ones((5, 2)), np.arange(5.0))


def test_linear_data_has_the_asked_correlation():
    X, _ = linear.linear_data(20000, correlation=0.8, seed=1)
    assert abs(np.corrcoef(X.T)[0, 1] - 0.8) < 0.01
    assert np.allclose(X.std(axis=0), 1.0, atol=0.02)


def test_adam_at_lr_1_arrives_by_luck_on_the_narrow_valley():
    """What notebook 02 says of Adam at lr 1.0: 83 steps from its start, but starts moved by
    1e-12 (seeded) take about 1,400 steps in 7 of 11 tries. At lr 0.3 every start takes 80."""
    from coursekit import nn

    X, y = linear.linear_data(n=50, w_true=(2.0, -1.0), noise=0.5, correlation=0.98, seed=0)
    grad, gaps = linear.exact_quadratic(X, y)
    w0, rng = np.array([0.0, 1.75]), np.random.default_rng(0)
    starts = [w0] + [w0 + 1e-12 * rng.normal(size=2) for _ in range(11)]

    def steps(lr, w):
        return linear.steps_below(gaps(linear.optimizer_path(nn.Adam(lr), grad, w, 1500)), 1e-4)

    at_1 = [steps(1.0, w) for w in starts]
    assert at_1[0] == 83
    assert sum(1300 < s < 1500 for s in at_1[1:]) == 7 and at_1.count(83) == 5, at_1
    assert {steps(0.3, w) for w in starts[:4]} == {80}
