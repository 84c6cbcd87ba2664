"""Conv2D forward+backward on a (64, 3, 32, 32) batch, 32 filters 3x3, padding 1.

Compares coursekit's Conv2D with PyTorch on the CPU (2 threads) and with a plain im2col written
the textbook way (index arrays to gather, np.add.at to scatter). Prints medians and ratios for
float32 and float64, and the machine load (others may share the CPU). Run by hand:

    OMP_NUM_THREADS=2 python benchmarks/bench_conv.py [--repeats 20]

Target (issue 2): coursekit at most 2x PyTorch.
"""
from __future__ import annotations

import os

import numpy as np
from _timing import median_times, repeats_from_command_line

from coursekit.nn import Conv2D

N, C, H, W, F, K, PAD = 64, 3, 32, 32, 32, 3, 1




# -- a plain im2col, the way most course code writes it ------------------------------------------
def _indices(C, H, W, kh, kw, pad, stride):
    OH, OW = (H + 2 * pad - kh) // stride + 1, (W + 2 * pad - kw) // stride + 1
    i0 = np.tile(np.repeat(np.arange(kh), kw), C)
    i1 = stride * np.repeat(np.arange(OH), OW)
    j0 = np.tile(np.arange(kw), kh * C)
    j1 = stride * np.tile(np.arange(OW), OH)
    i = i0.reshape(-1, 1) + i1.reshape(1, -1)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    k = np.repeat(np.arange(C), kh * kw).reshape(-1, 1)
    return k, i, j, OH, OW


def plain_im2col_step(x, Wt, b, dout, pad=PAD, stride=1):
    Nn, Cc, Hh, Ww = x.shape
    Ff, _, kh, kw = Wt.shape
    k, i, j, OH, OW = _indices(Cc, Hh, Ww, kh, kw, pad, stride)
    xpad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = xpad[:, k, i, j].transpose(1, 2, 0).reshape(Cc * kh * kw, -1)        # gather
    out = (Wt.reshape(Ff, -1) @ cols + b.reshape(-1, 1)).reshape(Ff, OH, OW, Nn).transpose(3, 0, 1, 2)
    d = dout.transpose(1, 2, 3, 0).reshape(Ff, -1)
    dW = (d @ cols.T).reshape(Wt.shape)
    db = d.sum(axis=1)
    dcols = (Wt.reshape(Ff, -1).T @ d).reshape(Cc * kh * kw, -1, Nn).transpose(2, 0, 1)
    dxpad = np.zeros_like(xpad)
    np.add.at(dxpad, (slice(None), k, i, j), dcols)                            # scatter
    return out, dW, db, dxpad[:, :, pad:-pad, pad:-pad]


def main() -> None:
    repeats = repeats_from_command_line(20)
    rng = np.random.default_rng(0)
    rows = []
    for dtype in ("float32", "float64"):
        x = rng.normal(size=(N, C, H, W)).astype(dtype)
        layer = Conv2D(C, F, K, padding=PAD, seed=0)
        layer.params = {k: v.astype(dtype) for k, v in layer.params.items()}
        dout = rng.normal(size=(N, F, H, W)).astype(dtype)

        def ck():
            layer.forward(x)
            layer.backward(dout)

        # Same maths three ways; check they agree before timing.
        out_ck = layer.forward(x)
        dx_ck = layer.backward(dout)
        out_pl, dW_pl, _, dx_pl = plain_im2col_step(x, layer.params["W"], layer.params["b"], dout)
        tol = 1e-3 if dtype == "float32" else 1e-9
        np.testing.assert_allclose(out_ck, out_pl, atol=tol)
        np.testing.assert_allclose(dx_ck, dx_pl, atol=tol)
        np.testing.assert_allclose(layer.grads["W"], dW_pl, rtol=tol, atol=tol * 100)
        fns = {"coursekit": ck,
               "im2col": lambda: plain_im2col_step(x, layer.params["W"], layer.params["b"], dout)}
        try:
            import torch

            torch.set_num_threads(2)
            xt = torch.tensor(x, requires_grad=True)
            conv = torch.nn.Conv2d(C, F, K, padding=PAD).to(getattr(torch, dtype))
            dt = torch.from_numpy(dout)

            def th():
                xt.grad = None
                conv.zero_grad()
                conv(xt).backward(dt)

            fns["torch"] = th
        except ImportError:
            pass
        med = median_times(fns, repeats)
        t_ck, t_pl, t_th = med["coursekit"], med["im2col"], med.get("torch", float("nan"))
        rows.append((dtype, t_ck, t_th, t_pl))
    print(f"Conv2D forward+backward, x ({N}, {C}, {H}, {W}), {F} filters {K}x{K}, padding {PAD}; "
          f"median of {repeats}")
    print(f"{'dtype':8s} {'coursekit ms':>13s} {'torch ms':>9s} {'im2col ms':>10s} "
          f"{'ck/torch':>9s} {'im2col/torch':>13s} {'ck/im2col':>10s}")
    for dtype, a, t, p in rows:
        print(f"{dtype:8s} {a * 1e3:13.2f} {t * 1e3:9.2f} {p * 1e3:10.2f} {a / t:9.2f} "
              f"{p / t:13.2f} {a / p:10.2f}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
