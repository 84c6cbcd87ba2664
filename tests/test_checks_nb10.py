"""The public checks of notebook 10 accept the reference answers and reject typical mistakes."""
import numpy as np

import coursekit.nn as nn
from coursekit.checks import nb10


def conv2d_naive(x, W, b, stride=1, padding=0):
    return nn.conv.conv2d_naive(x, W, b, stride, padding)


def output_size(x, k, s=1, p=0):
    if (x - k + 2 * p) < 0 or (x - k + 2 * p) % s:
        raise ValueError("not whole")
    return (x - k + 2 * p) // s + 1


def _win(x, k):
    N, C, H, W = x.shape
    return x.reshape(N, C, H // k, k, W // k, k).transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H // k, W // k, k * k)


def pool_f(x, k):
    return _win(x, k).max(axis=-1)


def pool_b(dout, x, k):
    N, C, H, W = x.shape
    oh = (_win(x, k).argmax(axis=-1)[..., None] == np.arange(k * k)) * dout[..., None]
    return oh.reshape(N, C, H // k, W // k, k, k).transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H, W)


def build(seed=0, pool=16):
    return nn.Sequential(nn.Conv2D(1, 8, 3, padding=1, seed=seed), nn.ReLU(),
                         nn.Conv2D(8, 16, 3, padding=1, seed=seed + 1), nn.ReLU(),
                         nn.MaxPool2D(pool), nn.Flatten(), nn.Dense(16 * (16 // pool) ** 2, 10, seed=seed + 2))


def accuracy(model, X, y):
    return float(np.mean(nn.predict(model, X) == y))


def test_reference_answers_pass(capsys):
    assert nb10.check_conv2d_naive(conv2d_naive)
    assert nb10.check_output_size(output_size)
    assert nb10.check_maxpool(pool_f, pool_b)
    assert nb10.check_cnn_vs_mlp(build, accuracy)
    assert "public checks passed" in capsys.readouterr().out


def test_typical_mistakes_fail(capsys):
    assert not nb10.check_conv2d_naive(lambda x, W, b, s=1, p=0: conv2d_naive(x, W, b * 0, s, p))  # bias forgotten
    assert not nb10.check_output_size(lambda x, k, s=1, p=0: (x - k + 2 * p) / s + 1)           # float, no error
    mask_backward = lambda dout, x, k: (x == np.repeat(np.repeat(pool_f(x, k), k, 2), k, 3)) * np.repeat(np.repeat(dout, k, 2), k, 3)  # noqa: E731
    assert not nb10.check_maxpool(pool_f, mask_backward)                                           # ties all get the gradient
    assert not nb10.check_cnn_vs_mlp(lambda seed=0: build(seed, pool=2), accuracy)                 # 2x2 pooling only
    assert not nb10.check_cnn_vs_mlp(build, lambda m, X, y: float(np.sum(nn.predict(m, X) == y)))  # a count
    capsys.readouterr()


def test_not_attempted_is_reported(capsys):
    def todo(*a):
        raise NotImplementedError("Exercise 10.conv2d_naive")
    assert not nb10.check_conv2d_naive(todo)
    assert "not attempted" in capsys.readouterr().out
