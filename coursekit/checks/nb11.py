"""Public checks of notebook 11, recurrent networks.

Expected values come from the concatenated form of the recurrence, tanh([x_t, h_{t-1}] theta + b),
and from coursekit's ``nn.RNN`` (tested separately against numerical gradients).
"""
from __future__ import annotations

import numpy as np

from ..nn.gradcheck import numerical_gradient
from ..nn.recurrent import RNN
from .core import Checks
from .gradients import compare_gradients
from .verdict import Verdict

__all__ = ["check_rnn_step", "check_bptt", "check_train_sequence", "reference_rnn",
           "check_lstm_step", "check_lstm_step_backward", "reference_lstm_step"]


def reference_rnn(Wx, Wh, b):
    """An ``nn.RNN`` whose parameters are copies of Wx (D, H), Wh (H, H), b (H,)."""
    D, H = np.shape(Wx)
    rnn = RNN(D, H)
    rnn.params.update(Wx=np.array(Wx, dtype=float), Wh=np.array(Wh, dtype=float), b=np.array(b, dtype=float))
    return rnn


def _case(rng, N, T, D, H, scale=0.7):
    return (rng.normal(size=(N, T, D)), rng.normal(size=(N, H)) * 0.5,
            rng.normal(size=(D, H)) * scale, rng.normal(size=(H, H)) * scale / np.sqrt(H),
            rng.normal(size=H) * 0.1)


def check_rnn_step(rnn_step, rnn_forward) -> Verdict:
    """rnn_step(x_t, h_prev, Wx, Wh, b) and rnn_forward(x, h0, Wx, Wh, b)."""
    c = Checks("11.rnn_step", "one step and a whole sequence")
    rng = np.random.default_rng(11)
    for N, D, H in [(1, 1, 2), (3, 2, 4)]:
        x, h0, Wx, Wh, b = _case(rng, N, 1, D, H)
        theta = np.vstack([Wx, Wh])
        want = np.tanh(np.hstack([x[:, 0], h0]) @ theta + b)
        got = c.call(rnn_step, x[:, 0], h0, Wx, Wh, b, description=f"rnn_step, N={N}, D={D}, H={H}")
        if got is not None:
            c.close(got, want, f"rnn_step with N={N}, D={D}, H={H}: tanh([x_t, h_prev] theta + b)",
                    "h_t = tanh(x_t Wx + h_prev Wh + b), shape (N, H)")
    x, h0, Wx, Wh, b = _case(rng, 2, 5, 3, 4)
    hs = c.call(rnn_forward, x, h0, Wx, Wh, b, description="rnn_forward, N=2, T=5, D=3, H=4")
    if hs is not None:
        c.close(hs, reference_rnn(Wx, Wh, b).forward(x, h0=h0), "rnn_forward over 5 steps: every hidden state (2, 5, 4)",
                "hs[:, t] = rnn_step(x[:, t], hs[:, t-1] (h0 at t = 0), ...); return all T states")
    return Verdict(c.report())


def check_bptt(rnn_backward) -> Verdict:
    """rnn_backward(dH, x, hs, h0, Wx, Wh) -> (dx, dWx, dWh, db, dh0), against nn.RNN.backward."""
    c = Checks("11.bptt", "back-propagation through time")
    rng = np.random.default_rng(111)
    names = ("dx", "dWx", "dWh", "db", "dh0")
    for N, T, D, H, last_only in [(1, 3, 1, 2, False), (2, 6, 3, 4, False), (2, 8, 2, 3, True)]:
        x, h0, Wx, Wh, b = _case(rng, N, T, D, H)
        ref = reference_rnn(Wx, Wh, b)
        hs = ref.forward(x, h0=h0)
        dH = rng.normal(size=hs.shape)
        if last_only:
            dH[:, :-1] = 0.0
        want = (ref.backward(dH), ref.grads["Wx"], ref.grads["Wh"], ref.grads["b"], ref.dh0)
        label = f"N={N}, T={T}, D={D}, H={H}" + (", loss on the last step only" if last_only else "")
        got = c.call(rnn_backward, dH, x, hs, h0, Wx, Wh, description=f"rnn_backward, {label}")
        if got is None:
            continue
        if not (isinstance(got, (tuple, list)) and len(got) == 5):
            c.case(False, f"{label}: returns five arrays", "return (dx, dWx, dWh, db, dh0)")
            continue
        compare_gradients(c, label, got, want, hints=_BPTT_HINTS, n_examples=N,
                          mistakes=_bptt_mistakes(dH, x, hs, h0, Wx, Wh))
    return Verdict(c.report())


_BPTT_HINTS = {
    "dx": "dx_t = da_t Wx^T, with da_t = dh_t * (1 - h_t^2)",
    "dWx": "dWx sums x_t^T da_t over every step t",
    "dWh": "dWh sums h_{t-1}^T da_t over every step t; h_{-1} is h0",
    "db": "db sums da_t over the batch and every step",
    "dh0": "dh0 is the da_0 Wh^T that the first step sends back to the initial state",
}


def _bptt_by_loops(dH, x, hs, h0, Wx, Wh, *, through_time=True, tanh_grad=True):
    """(dx, dWx, dWh, db, dh0) by the loop of the notebook; the flags give two usual mistakes."""
    N, T, _ = x.shape
    dx, dWx, dWh = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh)
    db, dh_next = np.zeros(Wh.shape[0]), np.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        dh = dH[:, t] + (dh_next if through_time else 0.0)
        da = dh * (1 - hs[:, t] ** 2) if tanh_grad else dh
        h_prev = hs[:, t - 1] if t > 0 else h0
        dx[:, t], dWx, dWh, db = da @ Wx.T, dWx + x[:, t].T @ da, dWh + h_prev.T @ da, db + da.sum(axis=0)
        dh_next = da @ Wh.T
    return dx, dWx, dWh, db, dh_next


def _bptt_mistakes(dH, x, hs, h0, Wx, Wh):
    return [("the gradient of h_t has two paths: dH[:, t] from the loss AND dh_next = da_{t+1} Wh^T "
             "from the step after; adding only the first drops what flows back through time",
             _bptt_by_loops(dH, x, hs, h0, Wx, Wh, through_time=False)),
            ("da_t = dh_t * (1 - h_t^2): the tanh's derivative is missing",
             _bptt_by_loops(dH, x, hs, h0, Wx, Wh, tanh_grad=False))]


def check_train_sequence(train_sequence_model, make_model) -> Verdict:
    """train_sequence_model(model, X, Y, epochs, lr, batch_size, seed) -> per-epoch losses."""
    c = Checks("11.train_sequence", "training loop for a sequence model")
    from ..datasets import running_parity

    X, Y = running_parity(64, 5, seed=3)
    model = c.call(make_model, 1, 8, description="make_model(1, 8)")
    if model is None:
        return Verdict(c.report())
    before = {k: np.array(v, copy=True) for k, v in model.params.items()}
    losses = c.call(train_sequence_model, model, X, Y, 5, 0.02, 16, 0,
                   description="train_sequence_model(model, X, Y, epochs=5, lr=0.02, batch_size=16, seed=0)")
    if losses is None:
        return Verdict(c.report())
    try:
        losses = np.asarray(losses, dtype=float)
    except (TypeError, ValueError):
        c.case(False, "returns one loss per epoch (5 values)",
               f"got a {type(losses).__name__} that is not a list of numbers: append float(loss) "
               f"once per epoch and return the list")
        return Verdict(c.report())
    c.equal(losses.shape, (5,), "returns one loss per epoch (5 values)")
    if losses.shape == (5,):
        c.case(bool(np.all(np.isfinite(losses))) and losses[0] < np.log(2) + 0.3,
               "the losses are finite and start near log 2 = 0.69 (two classes)",
               f"got {np.round(losses, 3)}: average sequence_cross_entropy over the batches of an epoch")
        c.case(losses[-1] < losses[0], f"the loss falls over 5 epochs ({losses[0]:.3f} -> {losses[-1]:.3f})",
               "after backward, call the optimizer's step(model) once per batch")
    moved = [k for k, v in model.params.items() if not np.allclose(v, before[k])]
    c.case(len(moved) == len(before), f"every parameter was updated ({len(moved)} of {len(before)})",
           "run model.backward(dscores), then opt.step(model)")
    return Verdict(c.report())


# -- the LSTM cell ------------------------------------------------------------------------------
def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def reference_lstm_step(x_t, h_prev, c_prev, Wx, Wh, b, *, forget=True, tanh_c=True):
    """(h_t, c_t), each (N, H): one LSTM step, gates in the order i, f, o, g. ``forget=False``
    and ``tanh_c=False`` compute the two usual mistakes, to recognise them."""
    H = np.shape(h_prev)[1]
    a = x_t @ Wx + h_prev @ Wh + b
    i, f, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), _sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    c = (f * c_prev if forget else c_prev) + i * g
    return o * (np.tanh(c) if tanh_c else c), c


def _lstm_case(rng, N, D, H):
    return (rng.normal(size=(N, D)), rng.normal(size=(N, H)) * 0.5, rng.normal(size=(N, H)),
            rng.normal(size=(D, 4 * H)) * 0.5, rng.normal(size=(H, 4 * H)) * 0.5,
            rng.normal(size=4 * H) * 0.3)


def _relative(a, b) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def _step_hint(got_h, got_c, args) -> str:
    """The usual mistake behind a wrong (h, c) of one LSTM step."""
    for kwargs, hint in [({"forget": False}, "c_t must be f * c_prev + i * g: the forget gate "
                          "multiplies the old memory"),
                         ({"tanh_c": False}, "h_t = o * tanh(c_t): squash the memory before the "
                          "output gate lets it out")]:
        h, c = reference_lstm_step(*args, **kwargs)
        if np.allclose(got_h, h, atol=1e-9) and np.allclose(got_c, c, atol=1e-9):
            return hint
    return ("split a = x_t Wx + h_prev Wh + b into four blocks of H columns in the order i, f, o, "
            "g; sigmoid for the three gates, tanh for the candidate g")


def check_lstm_step(lstm_step) -> Verdict:
    """lstm_step(x_t, h_prev, c_prev, Wx, Wh, b) -> (h_t, c_t) against the equations."""
    c = Checks("11.lstm_step", "one step of an LSTM cell")
    rng = np.random.default_rng(111)
    for N, D, H in [(1, 1, 1), (2, 3, 4), (5, 2, 3)]:
        args = _lstm_case(rng, N, D, H)
        got = c.call(lstm_step, *args, description=f"N={N}, D={D}, H={H}")
        if got is None:
            continue
        if not isinstance(got, tuple) or len(got) != 2:
            c.case(False, f"N={N}, D={D}, H={H}: returns (h_t, c_t)", "return a pair: h_t, c_t")
            continue
        want_h, want_c = reference_lstm_step(*args)
        got_h, got_c = (np.asarray(v, dtype=float) for v in got)
        if got_h.shape != want_h.shape or got_c.shape != want_c.shape:
            c.case(False, f"N={N}, D={D}, H={H}: h_t and c_t of shape {want_h.shape}",
                   f"got {got_h.shape} and {got_c.shape}")
            continue
        ok = np.allclose(got_h, want_h, atol=1e-9) and np.allclose(got_c, want_c, atol=1e-9)
        c.case(ok, f"N={N}, D={D}, H={H}: h_t and c_t match the equations",
               "" if ok else _step_hint(got_h, got_c, args))
    return Verdict(c.report())


def _numeric_step_gradients(args, dh, dc, h_step=1e-6):
    """Central differences of L = sum(h_t * dh) + sum(c_t * dc) with respect to each input."""
    def loss_moving(k):
        def loss(value):
            moved = list(args)
            moved[k] = value
            h, c = reference_lstm_step(*moved)
            return float(np.sum(h * dh) + np.sum(c * dc))
        return loss

    names = ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db")
    return {name: numerical_gradient(loss_moving(k), np.asarray(args[k], dtype=float), h_step)
            for k, name in enumerate(names)}


_BACKWARD_HINTS = {  # in the order lstm_step_backward returns them
    "dx": "x_t reaches all four gates through Wx: dx = da @ Wx.T",
    "dh_prev": "h_prev reaches all four gates through Wh: dh_prev = da @ Wh.T, with da the four "
               "gate gradients side by side (each times its own derivative, sigmoid or tanh)",
    "dc_prev": "the memory's gradient goes back through the forget gate: dc_prev = dc_t * f, where "
               "dc_t adds the dc from step t+1 and dh * o * (1 - tanh(c_t)^2) from h_t",
    "dWx": "dWx = x_t.T @ da, with da (N, 4H) in the order i, f, o, g",
    "dWh": "dWh = h_prev.T @ da",
    "db": "db is da summed over the batch",
}


def check_lstm_step_backward(lstm_step_backward) -> Verdict:
    """lstm_step_backward(dh, dc, x_t, h_prev, c_prev, Wx, Wh, b) -> (dx, dh_prev, dc_prev,
    dWx, dWh, db) against numerical gradients; each gradient reported by its relative error."""
    c = Checks("11.lstm_step_backward", "the backward pass of one LSTM step")
    rng = np.random.default_rng(112)
    names = ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db")
    for N, D, H in [(1, 2, 2), (3, 2, 3)]:
        args = _lstm_case(rng, N, D, H)
        dh, dc = rng.normal(size=(N, H)), rng.normal(size=(N, H))
        got = c.call(lstm_step_backward, dh, dc, *args, description=f"N={N}, D={D}, H={H}")
        if got is None:
            continue
        if not isinstance(got, tuple) or len(got) != 6:
            c.case(False, f"N={N}, D={D}, H={H}: returns six gradients",
                   "return (dx, dh_prev, dc_prev, dWx, dWh, db)")
            continue
        want = _numeric_step_gradients(args, dh, dc)
        compare_gradients(c, f"N={N}, D={D}, H={H}", got, [want[n] for n in names],
                          hints=_BACKWARD_HINTS, tol=1e-6, n_examples=N)
    return Verdict(c.report())
