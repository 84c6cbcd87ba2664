"""RNN forward + back-propagation through time: T=50, batch 32, hidden 64 (input 32).

Compares coursekit's RNN with torch.nn.RNN on the CPU (2 threads), both computing every hidden
state and the gradients of all weights and of the input. Also times a step-by-step NumPy RNN
(weight gradients accumulated inside the time loop) to show what the single products buy.
Prints medians, ratios and the machine load. Run by hand:

    OMP_NUM_THREADS=2 python benchmarks/bench_rnn.py [--repeats 50]

Target (issue 2): coursekit at most 0.75x torch.nn.RNN.
"""
from __future__ import annotations

import os

import numpy as np
from _timing import median_times, repeats_from_command_line, torch_recurrent_step

from coursekit.nn import RNN

N, T, D, H = 32, 50, 32, 64




def stepwise_rnn(x, Wx, Wh, b, dH):
    """The textbook loop: per-step input products, per-step weight-gradient accumulation."""
    h = np.zeros((x.shape[0], Wh.shape[0]), dtype=x.dtype)
    hs = [h]
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        hs.append(h)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dx = np.zeros_like(x)
    dh_next = np.zeros_like(h)
    for t in reversed(range(x.shape[1])):
        da = (dH[:, t] + dh_next) * (1 - hs[t + 1] ** 2)
        dWx += x[:, t].T @ da
        dWh += hs[t].T @ da
        db += da.sum(axis=0)
        dx[:, t] = da @ Wx.T
        dh_next = da @ Wh.T
    return hs, dx, dWx, dWh, db


def main() -> None:
    repeats = repeats_from_command_line(50)
    rng = np.random.default_rng(0)
    rows = []
    for dtype in ("float32", "float64"):
        x = rng.normal(size=(N, T, D)).astype(dtype)
        dH = rng.normal(size=(N, T, H)).astype(dtype)
        layer = RNN(D, H, seed=0)
        layer.params = {k: v.astype(dtype) for k, v in layer.params.items()}
        p = layer.params

        def ck():
            layer.forward(x)
            layer.backward(dH)

        ck()
        ref = stepwise_rnn(x, p["Wx"], p["Wh"], p["b"], dH)
        tol = 1e-3 if dtype == "float32" else 1e-9
        np.testing.assert_allclose(layer.grads["Wh"], ref[3], rtol=tol, atol=tol)
        fns = {"coursekit": ck, "stepwise": lambda: stepwise_rnn(x, p["Wx"], p["Wh"], p["b"], dH)}
        th = torch_recurrent_step(
            lambda torch: torch.nn.RNN(D, H, batch_first=True).to(getattr(torch, dtype)), x, dH)
        if th is not None:
            fns["torch"] = th
        med = median_times(fns, repeats)
        t_ck, t_step, t_th = med["coursekit"], med["stepwise"], med.get("torch", float("nan"))
        rows.append((dtype, t_ck, t_th, t_step))
    print(f"RNN forward+BPTT, N={N}, T={T}, D={D}, H={H}; median of {repeats}")
    print(f"{'dtype':8s} {'coursekit ms':>13s} {'torch ms':>9s} {'stepwise ms':>12s} "
          f"{'ck/torch':>9s} {'ck/stepwise':>12s}")
    for dtype, a, t, s in rows:
        print(f"{dtype:8s} {a * 1e3:13.2f} {t * 1e3:9.2f} {s * 1e3:12.2f} {a / t:9.2f} {a / s:12.2f}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
