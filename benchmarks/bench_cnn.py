"""How fast does coursekit.nn train a small CNN on the digits? Run by hand:

    python benchmarks/bench_cnn.py [--epochs N]

sklearn digits as (N, 1, 8, 8) images scaled to [0, 1]; Conv2D(1->16, 3x3, padding 1) -> ReLU ->
MaxPool2D(2) -> Flatten -> Dense(256 -> 10); SGD lr 0.05, batch 64. Epoch time of coursekit
``fit`` against the same network in PyTorch on the CPU (2 threads), timed round-robin (a few
epochs each in turn, after a warm-up), with test accuracies so the runs are comparable.
Target (issue 2): coursekit at most 1.2x PyTorch's epoch time.
"""
from __future__ import annotations

import argparse
import os
import statistics

from _timing import fit_trainer, torch_trainer
from bench_mlp import digits_data, round_robin

F, K, BS, LR = 16, 3, 64, 0.05


def images():
    Xtr, ytr, Xte, yte = digits_data()
    return Xtr.reshape(-1, 1, 8, 8), ytr, Xte.reshape(-1, 1, 8, 8), yte


def bench_coursekit(Xtr, ytr, Xte, yte, dtype):
    from coursekit.nn import Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sequential

    model = Sequential(Conv2D(1, F, K, padding=1, seed=0), ReLU(), MaxPool2D(2), Flatten(),
                       Dense(F * 16, 10, seed=1))
    model.to(dtype=dtype)
    return fit_trainer(model, Xtr.astype(dtype), ytr, Xte.astype(dtype), yte, LR, BS)


def bench_torch(Xtr, ytr, Xte, yte, dtype):
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, F, K, padding=1), torch.nn.ReLU(),
                                torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                                torch.nn.Linear(F * 16, 10))
    return torch_trainer(model, Xtr, ytr, Xte, yte, dtype, LR, BS)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--per-round", type=int, default=5)
    args = ap.parse_args()
    data = images()
    print(f"load average before: {os.getloadavg()}")
    print(f"digits CNN conv{F}@{K}x{K}-pool2-dense10, SGD lr {LR}, batch {BS}, {args.epochs} epochs "
          f"round-robin (median ms/epoch)")
    print(f"{'dtype':<9}{'coursekit':>11}{'torch':>9}{'ck/torch':>10}{'ck acc':>8}{'torch acc':>11}")
    for dtype in ("float32", "float64"):
        contenders = {"coursekit": bench_coursekit(*data, dtype), "torch": bench_torch(*data, dtype)}
        round_robin(contenders, 2, 1)  # warm-up
        times = round_robin(contenders, args.epochs, args.per_round)
        ck, th = (statistics.median(times[n]) * 1e3 for n in ("coursekit", "torch"))
        acc = {n: c[1]() for n, c in contenders.items()}
        print(f"{dtype:<9}{ck:11.2f}{th:9.2f}{ck / th:10.2f}{acc['coursekit']:8.3f}{acc['torch']:11.3f}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
