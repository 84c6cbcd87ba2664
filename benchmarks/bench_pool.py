"""MaxPool2D forward+backward by its two ways: the loop over kernel offsets and the reshape.

``MaxPool2D._tiles`` picks the reshape for large windows that tile the input, the loop for the
rest. This prints, for each setting, the median time of a forward+backward each way, their
ratio, and the way the layer picks, so that the rule can be checked on another machine. Run by hand:

    python benchmarks/bench_pool.py [--repeats 30]
"""
from __future__ import annotations

import numpy as np
from _timing import median_times, repeats_from_command_line

from coursekit.nn import MaxPool2D

# (batch, channels, height, width, kernel): notebook 10's global pool of 16x16 maps first
SETTINGS = [(32, 16, 16, 16, 16), (32, 4, 8, 8, 4), (32, 1, 6, 6, 3), (32, 8, 8, 8, 2),
            (64, 8, 28, 28, 2), (64, 8, 27, 27, 3)]


def step(layer, x, dout):
    layer.forward(x)
    layer.backward(dout)


def main() -> None:
    repeats = repeats_from_command_line(30)
    rng = np.random.default_rng(0)
    print(f"{'input (N, C, H, W)':>20} {'kernel':>6} {'loop ms':>8} {'reshape ms':>10} {'loop/reshape':>12}  picked")
    for N, C, H, W, k in SETTINGS:
        x = rng.integers(0, 3, size=(N, C, H, W)).astype(float)          # digits-like ties
        dout = rng.normal(size=(N, C, H // k, W // k))
        picked = MaxPool2D(k)._tiles(H, W)
        looped, reshaped = MaxPool2D(k), MaxPool2D(k)
        looped._tiles = lambda H, W: False
        reshaped._tiles = lambda H, W: True
        t = median_times({"loop": lambda: step(looped, x, dout), "reshape": lambda: step(reshaped, x, dout)},
                         repeats=repeats, pause=0.0)
        print(f"{str((N, C, H, W)):>20} {k:>6} {t['loop'] * 1e3:8.3f} {t['reshape'] * 1e3:10.3f} "
              f"{t['loop'] / t['reshape']:12.2f}  {'reshape' if picked else 'loop'}")


if __name__ == "__main__":
    main()
