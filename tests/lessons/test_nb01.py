"""coursekit.lessons.nb01: threshold unit, perceptron rule, convergence and the XOR failure."""
import numpy as np
import pytest

from coursekit.lessons import nb01 as P
from coursekit.datasets import blobs, truth_table


@pytest.mark.parametrize("gate,w", [("and", [-1.5, 1, 1]), ("or", [-0.5, 1, 1]), ("nand", [1.5, -1, -1])])
def test_hand_set_gates(gate, w):
    X, y = truth_table(gate)
    assert np.array_equal(P.predict(w, X), y)


def test_step_fires_at_zero_in_either_label_encoding():
    z = np.array([-2.0, 0.0, 0.5])
    assert P.step(z).tolist() == [0, 1, 1] and P.step(z, negative=-1).tolist() == [-1, 1, 1]
    assert P.step(z).dtype == np.int64
    with pytest.raises(ValueError, match="negative must be 0 or -1"):
        P.step(z, negative=1)


def test_threshold_unit_fires_at_threshold():
    X, _ = truth_table("or")
    assert P.threshold_unit(X, [1, 1], 1).tolist() == [0, 1, 1, 1]
    assert P.threshold_unit(X, [1, 1], 2).tolist() == [0, 0, 0, 1]


@pytest.mark.parametrize("gate", ["and", "or", "nand", "nor"])
def test_converges_on_separable_gates(gate):
    X, y = truth_table(gate)
    r = P.train(X, y)
    assert r.converged and r.errors_per_epoch[-1] == 0
    assert r.n_updates == sum(r.errors_per_epoch) == len(r.weights) - 1
    assert np.array_equal(P.predict(r.w, X), y)
    u = {"and": [-1.5, 1, 1], "or": [-0.5, 1, 1], "nand": [1.5, -1, -1], "nor": [0.5, -1, -1]}[gate]
    assert r.n_updates <= P.novikoff_bound(X, y, u)


def test_and_history_is_known():
    X, y = truth_table("and")
    r = P.train(X, y)
    assert r.errors_per_epoch == [2, 3, 3, 2, 1, 0]
    assert r.w.tolist() == [-3.0, 2.0, 1.0]


def test_eta_only_scales_weights_from_zero():
    # Exact in binary floating point for powers of two; 0.1 would break ties at w·x = 0.
    X, y = truth_table("and")
    a, b = P.train(X, y, eta=1.0), P.train(X, y, eta=0.25)
    assert a.errors_per_epoch == b.errors_per_epoch
    np.testing.assert_allclose(b.w, 0.25 * a.w)


def test_never_converges_on_xor():
    X, y = truth_table("xor")
    r = P.train(X, y, max_epochs=50)
    assert not r.converged and len(r.errors_per_epoch) == 50 and min(r.errors_per_epoch) > 0


def test_bipolar_labels():
    X, y = truth_table("and", encoding="bipolar")
    r = P.train(X, y)
    assert r.converged
    assert np.array_equal(P.predict(r.w, X, negative=-1), y)


def test_separable_blobs_converge():
    X, y = blobs(n_per_class=30, spread=0.6, distance=1.5, seed=0)
    X = X + np.array([3.0, 1.0])
    r = P.train(X, y, max_epochs=1000)
    assert r.converged


def test_line_errors_matches_predict():
    X, y = truth_table("xor")
    W = np.random.default_rng(0).normal(size=(500, 3))
    errs = P.line_errors(W, X, y)
    assert errs.shape == (500,)
    assert errs.min() >= 1
    assert all(errs[i] == np.sum(P.predict(W[i], X) != y) for i in range(20))


def test_bad_inputs():
    X, y = truth_table("and")
    with pytest.raises(ValueError, match="labels"):
        P.train(X, np.array([0, 1, 2, 1]))
    with pytest.raises(ValueError, match="d \\+ 1"):
        P.predict([1.0, 2.0], X)
    with pytest.raises(ValueError, match="separate"):
        P.novikoff_bound(X, y, [0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="eta"):
        P.train(X, y, eta=0)


def test_plot_shades_ties_as_firing_and_keeps_labels_inside():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = truth_table("and")
    ax = P.plot(np.zeros(3), X, y)
    assert ax.get_legend() is None
    ax = P.plot([-5.0, 1.0, 1.0], X, y, legend=True)     # line outside the view
    assert ax.get_legend() is not None
    assert all(t.get_clip_on() for t in ax.texts)
    with pytest.raises(ValueError, match="3 weights"):
        P.plot([1.0, 2.0], X, y)
    plt.close("all")


def test_widest_margin_line_by_hand():
    """Two points per class: the widest line is the bisector between the nearest pair."""
    X = np.array([[0.0, 0.0], [0.0, 2.0], [2.0, 0.0], [2.0, 2.0]])
    y = np.array([0, 0, 1, 1])
    u = P.widest_margin_line(X, y)
    np.testing.assert_allclose(u, np.array([-1.0, 1.0, 0.0]) / np.sqrt(2))     # the line x1 = 1
    assert np.array_equal(P.predict(u, X), y)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_widest_margin_line_is_a_hard_margin_svm(seed):
    """The same line as scikit-learn's linear SVM with a near-infinite C, and the widest margin
    of all: no small turn or shift of the line separates the points with a wider one."""
    from sklearn.svm import SVC

    X, y = blobs(n_per_class=20, spread=0.6, distance=2.5, seed=seed)
    X = X + np.array([3.0, 1.0])
    u = P.widest_margin_line(X, y)
    svm = SVC(kernel="linear", C=1e8, tol=1e-10).fit(X, y)
    u_svm = np.concatenate([svm.intercept_, svm.coef_[0]])
    np.testing.assert_allclose(u, u_svm / np.linalg.norm(u_svm), atol=1e-3)

    def margin(v):   # the geometric margin in the plane of the line v = (b, w)
        return np.min(np.where(y == 1, 1, -1) * (X @ v[1:] + v[0])) / np.linalg.norm(v[1:])

    rng = np.random.default_rng(seed)
    assert all(margin(u + 1e-3 * rng.normal(size=3)) < margin(u) for _ in range(200))
    assert P.novikoff_bound(X, y, u) > 0


def test_widest_margin_line_refuses_what_it_cannot_do():
    X, y = truth_table("xor")
    with pytest.raises(ValueError, match="no line separates"):
        P.widest_margin_line(X, y)
    with pytest.raises(ValueError, match="2-D points"):
        P.widest_margin_line(np.zeros((4, 3)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="both classes"):
        P.widest_margin_line(np.zeros((3, 2)), [1, 1, 1])
