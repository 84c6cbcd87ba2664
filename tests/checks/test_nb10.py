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


# -- 10.conv2d_backward -------------------------------------------------------------------------
def _conv_backward(dout, x, W, stride=1, padding=0, *, flip=False, keep_padding=False,
                   assign=False, db_first_image=False):
    """The loop solution, with one switch per usual mistake."""
    N, C, H, Wd = x.shape
    F, _, k, _ = W.shape
    p = padding
    xp_ = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    Wuse = W[:, :, ::-1, ::-1] if flip else W
    dxp, dW = np.zeros_like(xp_), np.zeros_like(W)
    for n in range(N):
        for f in range(F):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    win = (slice(None), slice(i * stride, i * stride + k), slice(j * stride, j * stride + k))
                    if assign:
                        dW[f] = dout[n, f, i, j] * xp_[n][win]
                    else:
                        dW[f] += dout[n, f, i, j] * xp_[n][win]
                    dxp[n][win] += dout[n, f, i, j] * Wuse[f]
    db = dout[0].sum(axis=(1, 2)) if db_first_image else dout.sum(axis=(0, 2, 3))
    dx = dxp if keep_padding else dxp[:, :, p:p + H, p:p + Wd]
    return dx, dW, db


def _report(fn, capsys):
    ok = bool(nb10.check_conv2d_backward(fn))
    return ok, capsys.readouterr().out


def test_conv_backward_accepts_the_loop_solution_and_reports_relative_errors(capsys):
    ok, out = _report(_conv_backward, capsys)
    assert ok, out
    assert "relative error below 1e-7" in out and "public checks passed" in out


def test_conv_backward_diagnoses_each_usual_mistake(capsys):
    for kwargs, words in [({"flip": True}, "flipped"), ({"keep_padding": True}, "padded shape"),
                          ({"assign": True}, "accumulate with +="),
                          ({"db_first_image": True}, "over the images too")]:
        ok, out = _report(lambda *a, kw=kwargs: _conv_backward(*a, **kw), capsys)
        assert not ok, kwargs
        assert words in out, (kwargs, out)


def test_conv_backward_not_attempted_says_so(capsys):
    def stub(*args):
        raise NotImplementedError("write conv2d_backward")
    ok, out = _report(stub, capsys)
    assert not ok and "not attempted" in out
