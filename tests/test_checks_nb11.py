"""The public checks of notebook 11 accept the reference answers and reject typical mistakes."""
import numpy as np

import coursekit.nn as nn
from coursekit.checks import nb11
from coursekit.lessons.nb11 import StepDense, sequence_cross_entropy


def rnn_step(x_t, h, Wx, Wh, b):
    return np.tanh(x_t @ Wx + h @ Wh + b)


def rnn_forward(x, h0, Wx, Wh, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = rnn_step(x[:, t], h, Wx, Wh, b)
        hs.append(h)
    return np.stack(hs, axis=1)


def rnn_backward(dH, x, hs, h0, Wx, Wh, tanh_grad=True):
    N, T, D = x.shape
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
    dn = np.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        hp = hs[:, t - 1] if t > 0 else h0
        da = (dH[:, t] + dn) * ((1 - hs[:, t] ** 2) if tanh_grad else 1.0)
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += hp.T @ da
        db += da.sum(0)
        dn = da @ Wh.T
    return dx, dWx, dWh, db, dn


def make_model(n_in, hidden, seed=0):
    return nn.Sequential(nn.RNN(n_in, hidden, seed=seed), StepDense(hidden, 2, seed=seed + 1))


def train(model, X, Y, epochs, lr, batch_size, seed, step=True):
    opt, rng, out = nn.Adam(lr), np.random.default_rng(seed), []
    for _ in range(epochs):
        order, ls = rng.permutation(len(X)), []
        for s in range(0, len(X), batch_size):
            i = order[s:s + batch_size]
            loss, d = sequence_cross_entropy(model.forward(X[i]), Y[i])
            model.backward(d)
            if step:
                opt.step(model)
            ls.append(loss)
        out.append(float(np.mean(ls)))
    return out


def test_reference_answers_pass(capsys):
    assert nb11.check_rnn_step(rnn_step, rnn_forward)
    assert nb11.check_bptt(rnn_backward)
    assert nb11.check_train_sequence(train, make_model)
    assert "public checks passed" in capsys.readouterr().out


def test_typical_mistakes_fail(capsys):
    assert not nb11.check_rnn_step(lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + b), rnn_forward)     # no recurrence
    assert not nb11.check_rnn_step(rnn_step, lambda x, h0, Wx, Wh, b: rnn_forward(x, h0, Wx, Wh, b)[:, -1])
    assert not nb11.check_bptt(lambda *a: rnn_backward(*a, tanh_grad=False))                      # tanh' forgotten
    assert not nb11.check_train_sequence(lambda *a: train(*a, step=False), make_model)             # no update
    capsys.readouterr()
