"""The public checks of notebook 09 accept the reference answers and reject typical mistakes."""
import numpy as np

from coursekit.backend import to_numpy
from coursekit.checks import nb09
from coursekit.lessons.nb09 import dense_backward_loop, dense_forward_loop


def forward(X, W, b):
    return X @ W + b


def backward(X, W, dout):
    return dout @ W.T, X.T @ dout, dout.sum(axis=0)


def mlp_flops(sizes, n):
    f = sum(2 * a * b for a, b in zip(sizes[:-1], sizes[1:])) * n
    return f, 2 * f


def predict_on(model, X, backend):
    model.to(backend.xp, device=backend.device)
    scores = model.forward(backend.asarray(X), train=False)
    return to_numpy(backend.xp.argmax(scores, axis=1))


def test_vectorize(capsys):
    assert nb09.check_vectorize(forward, backward)
    assert not nb09.check_vectorize(lambda X, W, b: X @ W, backward)               # bias forgotten
    assert not nb09.check_vectorize(forward, lambda X, W, d: (d @ W.T, X.T @ d, d.sum(axis=1)))
    assert not nb09.check_vectorize(forward, lambda X, W, d: (d @ W.T, X.T @ d))
    assert "equals the loop version" in capsys.readouterr().out


def test_vectorize_rejects_slow_loops():
    assert not nb09.check_vectorize(dense_forward_loop, dense_backward_loop)


def test_count_flops(capsys):
    assert nb09.check_count_flops(mlp_flops)
    assert not nb09.check_count_flops(lambda s, n: (mlp_flops(s, n)[0] // 2, mlp_flops(s, n)[0]))  # 1 FLOP per MAC
    assert not nb09.check_count_flops(lambda s, n: (mlp_flops(s, n)[0], mlp_flops(s, n)[0]))        # backward = forward
    assert not nb09.check_count_flops(lambda s, n: None)
    capsys.readouterr()


def test_other_backend(capsys):
    assert nb09.check_other_backend(predict_on)
    assert not nb09.check_other_backend(lambda m, X, b: b.xp.argmax(m.to(b.xp).forward(b.asarray(X)), axis=1))
    assert not nb09.check_other_backend(lambda m, X, b: np.zeros(len(X), dtype=int))
    assert "NumPy array" in capsys.readouterr().out
