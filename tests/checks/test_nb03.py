"""The public checks of notebook 03 accept the reference answers and reject typical mistakes."""
import numpy as np

from coursekit import datasets
from coursekit.lessons import nb02 as linear
from coursekit.checks import nb03


def softmax(S):
    Z = S - S.max(axis=1, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def softmax_loss(W, b, X, y, reg):
    P = softmax(X @ W + b)
    return float(-np.mean(np.log(P[np.arange(len(y)), y])) + 0.5 * reg * np.sum(W * W))


def softmax_gradients(W, b, X, y, reg):
    dS = softmax(X @ W + b)
    dS[np.arange(len(y)), y] -= 1
    dS /= len(y)
    return X.T @ dS + reg * W, dS.sum(axis=0)


def train_softmax(X, y, W0, b0, lr, reg, n_steps):
    W, b = W0.copy(), b0.copy()
    losses = []
    for _ in range(n_steps):
        losses.append(softmax_loss(W, b, X, y, reg))
        dW, db = softmax_gradients(W, b, X, y, reg)
        W -= lr * dW
        b -= lr * db
    return W, b, losses


def predict(W, b, X):
    return np.argmax(X @ W + b, axis=1)


def accuracy(W, b, X, y):
    return float(np.mean(predict(W, b, X) == y))


def spiral_accuracy():
    X, y = datasets.spiral(n_per_class=100, n_classes=3, noise=0.2, seed=0)
    W0 = 0.01 * np.random.default_rng(0).standard_normal((2, 3))
    W, b, _ = train_softmax(X, y, W0, np.zeros(3), 1.0, 1e-3, 200)
    return accuracy(W, b, X, y)


def test_reference_answers_pass(capsys):
    assert nb03.check_softmax(softmax)
    assert nb03.check_softmax_loss(softmax_loss)
    assert nb03.check_softmax_gradients(softmax_gradients)
    assert nb03.check_train_softmax(train_softmax)
    acc = spiral_accuracy()
    assert 0.45 <= acc <= 0.58
    assert nb03.check_spiral_accuracy(predict, accuracy, acc)
    assert capsys.readouterr().out.count("public checks passed") == 5


def test_naive_softmax_rejected(capsys):
    def naive(S):
        E = np.exp(S)
        return E / E.sum(axis=1, keepdims=True)
    with np.errstate(all="ignore"):
        assert not nb03.check_softmax(naive)
    assert "subtract the row maximum" in capsys.readouterr().out


def test_global_max_and_columnwise_rejected(capsys):
    def global_max(S):
        E = np.exp(S - S.max())
        return E / E.sum(axis=1, keepdims=True)
    with np.errstate(all="ignore"):
        assert not nb03.check_softmax(global_max)

    def columns(S):
        E = np.exp(S - S.max(axis=1, keepdims=True))
        return E / E.sum(axis=0, keepdims=True)
    assert not nb03.check_softmax(columns)
    assert "each row" in capsys.readouterr().out

    def in_place(S):
        S -= S.max(axis=1, keepdims=True)
        E = np.exp(S)
        return E / E.sum(axis=1, keepdims=True)
    assert not nb03.check_softmax(in_place)
    assert "in place" in capsys.readouterr().out


def test_loss_mistakes_rejected(capsys):
    assert not nb03.check_softmax_loss(lambda W, b, X, y, reg: softmax_loss(W, b, X, y, 0) + reg * np.sum(W * W))
    assert "½" in capsys.readouterr().out
    assert not nb03.check_softmax_loss(lambda W, b, X, y, reg: len(y) * softmax_loss(W, b, X, y, 0)
                                       + 0.5 * reg * np.sum(W * W))
    assert "mean" in capsys.readouterr().out
    assert not nb03.check_softmax_loss(lambda W, b, X, y, reg: softmax_loss(W, b, X, y, reg)
                                       + 0.5 * reg * np.sum(b * b))


def test_gradient_mistakes_rejected(capsys):
    assert not nb03.check_softmax_gradients(lambda *a: tuple(-g for g in softmax_gradients(*a)))
    assert "sign" in capsys.readouterr().out

    def no_mean(W, b, X, y, reg):
        dW, db = softmax_gradients(W, b, X, y, 0)
        return len(y) * dW + reg * W, len(y) * db
    assert not nb03.check_softmax_gradients(no_mean)

    def two_reg(W, b, X, y, reg):
        dW, db = softmax_gradients(W, b, X, y, reg)
        return dW + reg * W, db
    assert not nb03.check_softmax_gradients(two_reg)
    assert "reg·W" in capsys.readouterr().out

    def keepdims(W, b, X, y, reg):
        dW, db = softmax_gradients(W, b, X, y, reg)
        return dW, db[None, :]
    assert not nb03.check_softmax_gradients(keepdims)


def test_training_mistakes_rejected(capsys):
    def in_place(X, y, W0, b0, lr, reg, n_steps):
        W, b = W0, b0
        losses = []
        for _ in range(n_steps):
            losses.append(softmax_loss(W, b, X, y, reg))
            dW, db = softmax_gradients(W, b, X, y, reg)
            W -= lr * dW
            b -= lr * db
        return W, b, losses
    assert not nb03.check_train_softmax(in_place)
    assert "copy" in capsys.readouterr().out

    def ascent(X, y, W0, b0, lr, reg, n_steps):
        return train_softmax(X, y, W0, b0, -lr, reg, n_steps)
    with np.errstate(all="ignore"):
        assert not nb03.check_train_softmax(ascent)


def test_accuracy_mistakes_rejected():
    assert not nb03.check_spiral_accuracy(lambda W, b, X: np.argmax(X @ W + b, axis=0), accuracy, 0.5)
    assert not nb03.check_spiral_accuracy(predict, lambda W, b, X, y: 100 * accuracy(W, b, X, y), 0.5)
    assert not nb03.check_spiral_accuracy(predict, accuracy, 0.97)


def test_reference_module_agrees():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(6, 2)), np.array([0, 1, 2, 0, 1, 2])
    W, b = rng.normal(size=(2, 3)), rng.normal(size=3)
    assert np.isclose(softmax_loss(W, b, X, y, 0.2), linear.softmax_loss_reference(W, b, X, y, 0.2))
    for a, e in zip(softmax_gradients(W, b, X, y, 0.2), linear.softmax_gradients_reference(W, b, X, y, 0.2)):
        assert np.allclose(a, e)
