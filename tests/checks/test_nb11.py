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


def rnn_backward(dH, x, hs, h0, Wx, Wh, tanh_grad=True, through_time=True, scale=1.0):
    N, T, D = x.shape
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
    dn = np.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        hp = hs[:, t - 1] if t > 0 else h0
        da = (dH[:, t] + (dn if through_time else 0)) * ((1 - hs[:, t] ** 2) if tanh_grad else 1.0)
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += hp.T @ da
        db += da.sum(0)
        dn = da @ Wh.T
    return dx, dWx * scale, dWh, db, dn


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


# -- 11.lstm_step and 11.lstm_step_backward ------------------------------------------------------
def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm_step(x_t, h_prev, c_prev, Wx, Wh, b):
    return nb11.reference_lstm_step(x_t, h_prev, c_prev, Wx, Wh, b)


def lstm_step_backward(dh, dc, x_t, h_prev, c_prev, Wx, Wh, b, *, drop_forget=False, drop_h_path=False):
    H = h_prev.shape[1]
    a = x_t @ Wx + h_prev @ Wh + b
    i, f, o, g = _sig(a[:, :H]), _sig(a[:, H:2 * H]), _sig(a[:, 2 * H:3 * H]), np.tanh(a[:, 3 * H:])
    c = f * c_prev + i * g
    tc = np.tanh(c)
    dct = dc if drop_h_path else dc + dh * o * (1 - tc ** 2)
    da = np.hstack([dct * g * i * (1 - i), dct * c_prev * f * (1 - f), dh * tc * o * (1 - o),
                    dct * i * (1 - g ** 2)])
    dc_prev = dct if drop_forget else dct * f
    return da @ Wx.T, da @ Wh.T, dc_prev, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)


def test_lstm_step_accepts_the_equations_and_names_a_missing_forget_gate(capsys):
    assert nb11.check_lstm_step(lstm_step)
    capsys.readouterr()

    def no_forget(x_t, h_prev, c_prev, Wx, Wh, b):
        return nb11.reference_lstm_step(x_t, h_prev, c_prev, Wx, Wh, b, forget=False)

    def no_tanh(x_t, h_prev, c_prev, Wx, Wh, b):
        return nb11.reference_lstm_step(x_t, h_prev, c_prev, Wx, Wh, b, tanh_c=False)

    assert not nb11.check_lstm_step(no_forget)
    assert "forget gate multiplies the old memory" in capsys.readouterr().out
    assert not nb11.check_lstm_step(no_tanh)
    assert "squash the memory" in capsys.readouterr().out


def test_lstm_backward_reports_relative_errors_and_the_gradient_that_is_off(capsys):
    assert nb11.check_lstm_step_backward(lstm_step_backward)
    out = capsys.readouterr().out
    assert "relative error below 1e-06" in out and "public checks passed" in out
    assert not nb11.check_lstm_step_backward(lambda *a: lstm_step_backward(*a, drop_forget=True))
    out = capsys.readouterr().out
    assert "dc_prev (the first gradient that is off), relative error" in out and "through the forget gate" in out
    assert "dx matches" in out  # only the wrong gradient is marked wrong
    assert not nb11.check_lstm_step_backward(lambda *a: lstm_step_backward(*a, drop_h_path=True))
    assert "dx (the first gradient that is off), relative error" in capsys.readouterr().out


def test_bptt_reports_relative_errors_and_diagnoses_the_usual_mistakes(capsys):
    assert nb11.check_bptt(rnn_backward)
    out = capsys.readouterr().out
    assert "dWh matches (relative error below 1e-07)" in out
    for kwargs, words in [({"through_time": False}, "drops what flows back through time"),
                          ({"tanh_grad": False}, "the tanh's derivative is missing"),
                          ({"scale": 2.0}, "it is 2 times too large")]:
        assert not nb11.check_bptt(lambda *a, kw=kwargs: rnn_backward(*a, **kw)), kwargs
        out = capsys.readouterr().out
        assert words in out, (kwargs, out)
        assert "(the first gradient that is off)" in out and "relative error" in out
    # only the gradient that is wrong is marked: a doubled dWx leaves dx, dWh, db, dh0 right
    nb11.check_bptt(lambda *a: rnn_backward(*a, scale=2.0))
    out = capsys.readouterr().out
    assert "dx matches" in out and "dh0 matches" in out
