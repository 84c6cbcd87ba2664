"""Timing helpers shared by the benchmarks (run by hand, never in the test suite)."""
from __future__ import annotations

import argparse
import os
import statistics
import time


def repeats_from_command_line(default: int) -> int:
    """The ``--repeats`` a benchmark was run with (``default`` if none), after printing the load
    average and the cores, which say how far the figures that follow can be trusted."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=default)
    repeats = ap.parse_args().repeats
    print(f"load average before: {os.getloadavg()}; cores: {os.cpu_count()}")
    return repeats


def median_times(fns: dict, repeats: int, warmup: int = 2, block: int = 10,
                 pause: float = 0.2, sync=None) -> dict:
    """Median seconds of each function, timed round-robin so that a load spike from other
    users of the machine hits every contender alike.

    Each contender runs ``block`` timed calls in a row, after one untimed call, then the next
    contender's turn comes after ``pause`` seconds: NumPy's OpenBLAS and PyTorch's OpenMP
    worker threads spin for a while after their last job, and on 2 cores a spinning pool slows
    whoever runs next (in one process, back to back, it made coursekit's RNN look 1.8x slower).
    ``sync`` (e.g. ``torch.cuda.synchronize``) is called before and after each timed call, so a
    GPU's time is work done, not work queued.
    """
    sync = sync or (lambda: None)
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times = {name: [] for name in fns}
    while min(len(t) for t in times.values()) < repeats:
        for name, fn in fns.items():
            time.sleep(pause)
            fn()  # wakes the thread pools up: a training loop calls back to back
            for _ in range(min(block, repeats - len(times[name]))):
                sync()
                t0 = time.perf_counter()
                fn()
                sync()
                times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


def fit_trainer(model, Xtr, ytr, Xte, yte, lr: float, batch_size: int):
    """(run, accuracy) for a coursekit ``model`` trained by plain ``fit`` calls with SGD and
    softmax cross-entropy, as a student makes them.

    ``run(k)`` trains k more epochs (a fresh seed each call) and returns each epoch's seconds,
    ``History.epoch_time``; ``accuracy()`` scores (Xte, yte). The twin of ``torch_trainer``.
    """
    import numpy as np

    from coursekit.nn import SGD, SoftmaxCrossEntropy, fit, predict

    loss, opt = SoftmaxCrossEntropy(), SGD(lr)
    calls = [0]

    def run(k):
        calls[0] += 1
        return fit(model, Xtr, ytr, loss=loss, optimizer=opt, epochs=k, batch_size=batch_size,
                   seed=calls[0], progress=False).epoch_time

    return run, lambda: float(np.mean(predict(model, Xte) == yte))


def torch_trainer(model, Xtr, ytr, Xte, yte, dtype: str, lr: float, batch_size: int,
                  device: str = "cpu"):
    """(run, accuracy) for a PyTorch ``model`` trained with plain SGD on the CPU (2 threads),
    or on ``device`` ("cuda").

    ``run(k)`` trains k epochs (a fresh seeded shuffle each) and returns each epoch's seconds;
    on a GPU each epoch ends with a synchronize, so the time is the work done, not the work
    queued. ``accuracy()`` scores (Xte, yte). The reference every coursekit benchmark compares
    with.
    """
    import numpy as np
    import torch

    torch.set_num_threads(2)
    tdt = getattr(torch, dtype)
    model = model.to(device=device, dtype=tdt)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    lossf = torch.nn.CrossEntropyLoss()
    X = torch.as_tensor(Xtr, dtype=tdt, device=device)
    y = torch.as_tensor(ytr, dtype=torch.int64, device=device)
    gen = torch.Generator().manual_seed(0)
    sync = torch.cuda.synchronize if str(device).startswith("cuda") else (lambda: None)

    def epoch():
        perm = torch.randperm(len(y), generator=gen).to(device)
        Xs, ys = X[perm], y[perm]
        for i in range(0, len(y), batch_size):
            opt.zero_grad(set_to_none=True)
            lossf(model(Xs[i:i + batch_size]), ys[i:i + batch_size]).backward()
            opt.step()
        sync()

    def run(k):
        out = []
        for _ in range(k):
            t0 = time.perf_counter()
            epoch()
            out.append(time.perf_counter() - t0)
        return out

    def accuracy():
        with torch.no_grad():
            scores = model(torch.as_tensor(Xte, dtype=tdt, device=device))
        return float(np.mean(scores.argmax(1).cpu().numpy() == yte))

    return run, accuracy


def torch_recurrent_step(make_layer, x, dout):
    """A callable running forward + backward of a PyTorch recurrent layer on the CPU (2 threads),
    or None when PyTorch is not installed.

    ``make_layer(torch)`` builds the layer (``batch_first=True``); x (N, T, D) and dout (N, T, H)
    are NumPy arrays, of the dtype the layer is cast to. The gradients of the weights and of x
    are computed, as coursekit's ``backward`` computes them.
    """
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(2)
    layer = make_layer(torch)
    xt, dt = torch.tensor(x, requires_grad=True), torch.from_numpy(dout)

    def step():
        xt.grad = None
        layer.zero_grad()
        out, _ = layer(xt)
        out.backward(dt)

    return step
