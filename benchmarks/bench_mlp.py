"""How fast does coursekit.nn train an MLP? Run by hand: python benchmarks/bench_mlp.py [--epochs N]

1. sklearn digits, MLP 64-100-10 ReLU, SGD lr 0.1, batch 64, float64: epoch time of
   coursekit ``fit`` against a plain NumPy loop without layer abstraction, PyTorch on the CPU
   (2 threads) and scikit-learn's MLPClassifier (``partial_fit``: one epoch per call); medians
   over epochs timed round-robin (a few epochs of each contender in turn, after a warm-up),
   ratios, and test accuracies so the runs are comparable.
2. 784-512-512-10 float32, batch 256, random data: coursekit against PyTorch, with the share of
   the measured float32 GEMM peak (2048x2048 matmul) reached.

Numbers vary with the load on the machine: report them with the load (``os.getloadavg``).
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np
from _timing import fit_trainer, torch_trainer


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def digits_data():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    perm = np.random.default_rng(0).permutation(len(y))
    tr, te = perm[:1437], perm[1437:]
    return X[tr], y[tr], X[te], y[te]


def init_weights(sizes, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        bound = np.sqrt(6 / (a + b))
        out.append((rng.uniform(-bound, bound, (a, b)), np.zeros(b)))
    return out


# -- 1. digits -------------------------------------------------------------------------------------
# Each contender is a pair (run, accuracy): run(k) trains k more epochs and returns their times in
# seconds, accuracy() scores the test set. main() calls the runs round-robin, a few epochs each,
# so that a load spike from other users of the machine hits every contender alike.
def bench_coursekit(Xtr, ytr, Xte, yte, dtype="float64", sizes=(64, 100, 10), bs=64, lr=0.1):
    from coursekit.nn import Dense, ReLU, Sequential

    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(a, b, seed=i, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(ReLU())
    return fit_trainer(Sequential(*layers), Xtr, ytr, Xte, yte, lr, bs)


def bench_numpy(Xtr, ytr, Xte, yte, bs=64, lr=0.1):
    (W1, b1), (W2, b2) = init_weights((64, 100, 10))
    n = len(ytr)
    onehot = np.eye(10)[ytr]
    rng = np.random.default_rng(0)

    def epoch():
        nonlocal W1, b1, W2, b2
        perm = rng.permutation(n)
        Xs, Ys = Xtr[perm], onehot[perm]
        for i in range(0, n, bs):
            x, t = Xs[i:i + bs], Ys[i:i + bs]
            h = np.maximum(x @ W1 + b1, 0)
            s = h @ W2 + b2
            s = s - s.max(axis=1, keepdims=True)
            p = np.exp(s)
            p /= p.sum(axis=1, keepdims=True)
            d = (p - t) / len(x)
            dW2, db2 = h.T @ d, d.sum(0)
            dh = (d @ W2.T) * (h > 0)
            dW1, db1 = x.T @ dh, dh.sum(0)
            W1 -= lr * dW1
            b1 -= lr * db1
            W2 -= lr * dW2
            b2 -= lr * db2

    def accuracy():
        pred = np.argmax(np.maximum(Xte @ W1 + b1, 0) @ W2 + b2, axis=1)
        return float(np.mean(pred == yte))

    return (lambda k: [timed(epoch) for _ in range(k)]), accuracy


def bench_torch(Xtr, ytr, Xte, yte, dtype="float64", sizes=(64, 100, 10), bs=64, lr=0.1):
    import torch

    torch.manual_seed(0)
    mods = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        mods.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            mods.append(torch.nn.ReLU())
    return torch_trainer(torch.nn.Sequential(*mods), Xtr, ytr, Xte, yte, dtype, lr, bs)


def bench_sklearn(Xtr, ytr, Xte, yte):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(100,), solver="sgd", learning_rate_init=0.1,
                        momentum=0.0, batch_size=64, alpha=0.0, random_state=0)
    classes = np.arange(10)

    def run(k):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return [timed(lambda: clf.partial_fit(Xtr, ytr, classes=classes)) for _ in range(k)]

    return run, lambda: float(clf.score(Xte, yte))


def round_robin(contenders: dict, epochs: int, per_round: int, pause: float = 0.2) -> dict:
    """name -> list of epoch times, each contender running ``per_round`` epochs in turn.

    ``pause`` seconds between turns: OpenBLAS (NumPy) and OpenMP (PyTorch) worker threads spin
    for a while after their last job; on 2 cores they would otherwise slow the next contender.
    """
    times = {name: [] for name in contenders}
    done = 0
    while done < epochs:
        k = min(per_round, epochs - done)
        for name, (run, _) in contenders.items():
            time.sleep(pause)
            times[name].extend(run(k))
        done += k
    return times


# -- 2. large float32 MLP ------------------------------------------------------------------------
def gemm_peak(n=2048, repeats=5):
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = a.T.copy()
    a @ b
    best = min(timed(lambda: a @ b) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=20, help="epochs per run (digits)")
    ap.add_argument("--per-round", type=int, default=5, help="digits epochs per turn")
    ap.add_argument("--big-epochs", type=int, default=3, help="epochs of the 784-512-512-10 MLP")
    ap.add_argument("--big-n", type=int, default=8192, help="samples of the random data set")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()}")

    data = digits_data()
    contenders = {
        "coursekit fit": bench_coursekit(*data),
        "plain NumPy loop": bench_numpy(*data),
        "PyTorch CPU (2 threads)": bench_torch(*data),
        "sklearn MLPClassifier": bench_sklearn(*data),
    }
    round_robin(contenders, 2, 1)  # warm-up: first-call costs (imports, allocations) left out
    times = round_robin(contenders, args.epochs, args.per_round)
    med = {k: statistics.median(t) * 1e3 for k, t in times.items()}
    ck = med["coursekit fit"]
    print(f"\ndigits MLP 64-100-10 ReLU, SGD lr 0.1, batch 64, float64, {args.epochs} epochs "
          f"round-robin, {args.per_round} per turn (median ms/epoch)")
    print(f"{'':26s} {'ms/epoch':>9s} {'coursekit/this':>15s} {'test acc':>9s}")
    for k, (_, accuracy) in contenders.items():
        print(f"{k:26s} {med[k]:9.2f} {ck / med[k]:15.2f} {accuracy():9.3f}")
    print("  (on a 2-vCPU machine PyTorch's 2-thread epoch can change between runs minutes apart,\n"
          "   e.g. 3.5 or 5.2 ms here, while the single-threaded NumPy contenders stay within a "
          "few %:\n   run it more than once before quoting the PyTorch ratio)")

    rng = np.random.default_rng(1)
    Xb = rng.standard_normal((args.big_n, 784)).astype(np.float32)
    yb = rng.integers(0, 10, args.big_n)
    sizes = (784, 512, 512, 10)
    big = {
        "coursekit fit": bench_coursekit(Xb, yb, None, None, "float32", sizes, 256, 0.01),
        "PyTorch CPU (2 threads)": bench_torch(Xb, yb, None, None, "float32", sizes, 256, 0.01),
    }
    round_robin(big, 1, 1)
    times = round_robin(big, args.big_epochs, 1)
    peak = gemm_peak()
    # forward + dW per layer, dx for every layer but the first: neither coursekit's fit nor
    # PyTorch (the inputs need no gradient) computes the gradient with respect to the data
    flops = sum(2 * 2 * args.big_n * a * b for a, b in zip(sizes[:-1], sizes[1:]))
    flops += sum(2 * args.big_n * a * b for a, b in zip(sizes[1:-1], sizes[2:]))
    m_ck, m_pt = (statistics.median(times[k]) for k in big)
    print(f"\n784-512-512-10 float32, batch 256, {args.big_n} random samples, "
          f"{args.big_epochs} epochs round-robin; float32 GEMM peak {peak:.0f} GFLOP/s")
    for name, m in (("coursekit fit", m_ck), ("PyTorch CPU (2 threads)", m_pt)):
        rate = flops / m / 1e9
        print(f"{name:26s} {m * 1e3:9.1f} ms/epoch  {rate:6.1f} GFLOP/s  {rate / peak:5.1%} of peak")
    print(f"coursekit / PyTorch: {m_ck / m_pt:.2f}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
