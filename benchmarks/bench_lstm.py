"""LSTM forward + back-propagation through time, at notebook 11's size and a larger one.

Compares coursekit's LSTM with a step-by-step NumPy LSTM written the textbook way (a sigmoid per
gate, every gate derivative computed inside the backward loop), on the same weights and data,
and with torch.nn.LSTM on the CPU (2 threads) when PyTorch is installed. float64; prints
medians, ratios and the machine load. Run by hand:

    OMP_NUM_THREADS=2 python benchmarks/bench_lstm.py [--repeats 30]
"""
from __future__ import annotations

import os

import numpy as np
from _timing import median_times, repeats_from_command_line, torch_recurrent_step

from coursekit.nn import LSTM

# (batch N, steps T, inputs D, hidden H): notebook 11's memory task first
SIZES = [(64, 40, 1, 8), (32, 50, 32, 64)]


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def stepwise_lstm(x, Wx, Wh, b, dH):
    """The textbook loops: gates by four sigmoids and a tanh per step, their derivatives per step."""
    N, T, _ = x.shape
    H = Wh.shape[0]
    h, c = np.zeros((N, H)), np.zeros((N, H))
    hs, cs, gates = [h], [c], []
    for t in range(T):
        a = x[:, t] @ Wx + h @ Wh + b
        i, f, o, g = (_sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), _sigmoid(a[:, 2 * H:3 * H]),
                      np.tanh(a[:, 3 * H:]))
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
        cs.append(c)
        gates.append((i, f, o, g))
    dWx, dWh, db, dx = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b), np.zeros_like(x)
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        i, f, o, g = gates[t]
        tanh_c = np.tanh(cs[t + 1])
        dh = dH[:, t] + dh_next
        dc = dc_next + dh * o * (1 - tanh_c ** 2)
        da = np.concatenate([dc * g * i * (1 - i), dc * cs[t] * f * (1 - f),
                             dh * tanh_c * o * (1 - o), dc * i * (1 - g ** 2)], axis=1)
        dWx += x[:, t].T @ da
        dWh += hs[t].T @ da
        db += da.sum(axis=0)
        dx[:, t] = da @ Wx.T
        dh_next, dc_next = da @ Wh.T, dc * f
    return dx, dWx, dWh, db


def main() -> None:
    repeats = repeats_from_command_line(30)
    rng = np.random.default_rng(0)
    print(f"LSTM forward+BPTT, float64; median of {repeats}")
    print(f"{'N, T, D, H':>16s} {'coursekit ms':>13s} {'stepwise ms':>12s} {'torch ms':>9s} "
          f"{'stepwise/ck':>12s} {'torch/ck':>9s}")
    for N, T, D, H in SIZES:
        x, dH = rng.normal(size=(N, T, D)), rng.normal(size=(N, T, H))
        layer = LSTM(D, H, seed=0)
        p = layer.params

        def ck():
            layer.forward(x)
            return layer.backward(dH)

        dx = ck()
        ref = stepwise_lstm(x, p["Wx"], p["Wh"], p["b"], dH)
        np.testing.assert_allclose(dx, ref[0], rtol=1e-9, atol=1e-12)       # the same work
        np.testing.assert_allclose(layer.grads["Wh"], ref[2], rtol=1e-9, atol=1e-12)
        fns = {"coursekit": ck, "stepwise": lambda: stepwise_lstm(x, p["Wx"], p["Wh"], p["b"], dH)}
        th = torch_recurrent_step(lambda torch: torch.nn.LSTM(D, H, batch_first=True).double(), x, dH)
        if th is not None:
            fns["torch"] = th
        med = median_times(fns, repeats, block=repeats)   # one block each: the pause to quiet torch's threads, then calls back to back
        t_ck, t_step, t_th = med["coursekit"], med["stepwise"], med.get("torch", float("nan"))
        print(f"{str((N, T, D, H)):>16s} {t_ck * 1e3:13.2f} {t_step * 1e3:12.2f} {t_th * 1e3:9.2f} "
              f"{t_step / t_ck:12.2f} {t_th / t_ck:9.2f}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
