"""The same coursekit network on a GPU: coursekit.nn on CUDA tensors against PyTorch on CUDA.

Run by hand on a machine with an NVIDIA GPU and PyTorch built for CUDA:

    python benchmarks/bench_gpu.py              # says "skipped" when there is no GPU
    python benchmarks/bench_gpu.py --device cpu # the same code on torch CPU tensors (a dry run)

coursekit's layers are written against the array API, so ``model.to(torch_namespace,
device="cuda")`` runs every product and every elementwise step on the GPU. Workloads, each
trained with plain SGD and timed round-robin (median ms per epoch, each epoch ending with a
``torch.cuda.synchronize`` so the time is work done, not work queued):

1. digits MLP 64-100-10, float64, batch 64 (notebook size: the GPU mostly waits for Python);
2. 784-512-512-10 MLP, float32, batch 256, random data;
3. CNN conv32-pool-conv64-pool-dense10 on 3x32x32 images, float32, batch 128, random data;
and the RNN layer alone: forward + BPTT, T=50, batch 32, hidden 64, against torch.nn.RNN.

coursekit on the GPU does the same arithmetic as PyTorch but launches more kernels (no fused
operations) and reads one loss value per batch back to the host (``fit`` checks it for NaN), so
expect a ratio above 1 on tiny batches and near 1 where the products dominate.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from _timing import median_times, torch_trainer
from bench_mlp import digits_data, round_robin


def gpu_or_exit(name: str):
    try:
        import torch
    except ImportError:
        sys.exit("bench_gpu: PyTorch is not installed (pip install -e '.[torch]').")
    if name.startswith("cuda") and not torch.cuda.is_available():
        # not a failure: `make benchmarks` runs every bench_*.py, on machines without a GPU too
        print("bench_gpu: no CUDA GPU here, skipped (--device cpu runs the same code on the CPU).")
        sys.exit(0)
    return torch, torch.device(name)


def coursekit_trainer(layers, Xtr, ytr, Xte, yte, dtype, lr, bs, device):
    """(run, accuracy) for a coursekit Sequential moved to torch on ``device``."""
    import torch
    from array_api_compat import torch as xt

    from coursekit.backend import asarray, to_numpy
    from coursekit.nn import SGD, Sequential, SoftmaxCrossEntropy, fit, predict

    model = Sequential(*layers).to(xt, device=device, dtype=dtype)
    X = asarray(Xtr, xt, device=device, dtype=getattr(xt, dtype))  # on the GPU once, not per call
    y = asarray(ytr, xt, device=device)
    loss, opt = SoftmaxCrossEntropy(), SGD(lr)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    calls = [0]

    def run(k):
        calls[0] += 1
        sync()
        t0 = time.perf_counter()
        fit(model, X, y, loss=loss, optimizer=opt, epochs=k, batch_size=bs, seed=calls[0],
            progress=False)
        sync()
        return [(time.perf_counter() - t0) / k] * k

    def accuracy():
        Xd = asarray(Xte, xt, device=device, dtype=getattr(xt, dtype))
        return float(np.mean(to_numpy(predict(model, Xd)) == yte))

    return run, accuracy


def compare(title, ck_layers, torch_model, data, dtype, lr, bs, device, epochs, per_round):
    contenders = {
        "coursekit": coursekit_trainer(ck_layers, *data, dtype, lr, bs, device),
        "PyTorch": torch_trainer(torch_model, *data, dtype, lr, bs, device=str(device)),
    }
    round_robin(contenders, 1, 1, pause=0.0)  # warm-up: kernel compilation, allocator caches
    times = round_robin(contenders, epochs, per_round, pause=0.0)
    ck, pt = (statistics.median(times[k]) * 1e3 for k in ("coursekit", "PyTorch"))
    acc = ""
    if data[2] is not None:  # random data sets have no test set: nothing to score
        accs = [c[1]() for c in contenders.values()]
        acc = f"   test acc {accs[0]:.3f} / {accs[1]:.3f}"
    print(f"{title:44s} {ck:9.2f} {pt:9.2f} {ck / pt:8.2f}{acc}")


def bench_rnn(torch, device, repeats):
    from array_api_compat import torch as xt

    from coursekit.backend import asarray
    from coursekit.nn import RNN

    N, T, D, H = 32, 50, 32, 64
    rng = np.random.default_rng(0)
    x = asarray(rng.standard_normal((N, T, D)), xt, device=device, dtype=xt.float32)
    dH = asarray(rng.standard_normal((N, T, H)), xt, device=device, dtype=xt.float32)
    ck = RNN(D, H, seed=0).to(xt, device=device, dtype=xt.float32)
    ref = torch.nn.RNN(D, H, batch_first=True).to(device)
    xr = x.clone().requires_grad_(True)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

    def run_ck():
        ck.forward(x)
        ck.backward(dH)

    def run_ref():
        out, _ = ref(xr)
        out.backward(dH)

    out = {name: t * 1e3 for name, t in
           median_times({"coursekit": run_ck, "PyTorch": run_ref}, repeats, sync=sync).items()}
    ratio = out["coursekit"] / out["PyTorch"]
    print(f"{'RNN fwd+BPTT T=50 N=32 H=64, float32 (ms/call)':44s} "
          f"{out['coursekit']:9.2f} {out['PyTorch']:9.2f} {ratio:8.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda", help="cuda (default) or cpu for a dry run")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--per-round", type=int, default=2)
    ap.add_argument("--n", type=int, default=16384, help="samples of the random data sets")
    args = ap.parse_args()
    torch, device = gpu_or_exit(args.device)
    torch.manual_seed(0)
    if device.type == "cuda":
        print(f"GPU: {torch.cuda.get_device_name(device)}, PyTorch {torch.__version__}")
    from coursekit.nn import Conv2D, Dense, Flatten, MaxPool2D, ReLU

    print(f"{'workload (median ms/epoch)':44s} {'coursekit':>9s} {'PyTorch':>9s} {'ck/torch':>8s}")
    nn = torch.nn
    compare("digits MLP 64-100-10, float64, batch 64",
            [Dense(64, 100, seed=0), ReLU(), Dense(100, 10, seed=1)],
            nn.Sequential(nn.Linear(64, 100), nn.ReLU(), nn.Linear(100, 10)),
            digits_data(), "float64", 0.1, 64, device, args.epochs, args.per_round)

    rng = np.random.default_rng(1)
    Xb = rng.standard_normal((args.n, 784)).astype(np.float32)
    yb = rng.integers(0, 10, args.n)
    compare("784-512-512-10, float32, batch 256",
            [Dense(784, 512, seed=0), ReLU(), Dense(512, 512, seed=1), ReLU(),
             Dense(512, 10, seed=2)],
            nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 10)),
            (Xb, yb, None, None), "float32", 0.01, 256, device, args.epochs, args.per_round)

    n_img = max(args.n // 4, 256)
    Xi = rng.standard_normal((n_img, 3, 32, 32)).astype(np.float32)
    yi = rng.integers(0, 10, n_img)
    compare("CNN c32-p-c64-p-d10 3x32x32, float32, b 128",
            [Conv2D(3, 32, 3, padding=1, seed=0), ReLU(), MaxPool2D(2),
             Conv2D(32, 64, 3, padding=1, seed=1), ReLU(), MaxPool2D(2), Flatten(),
             Dense(64 * 8 * 8, 10, seed=2)],
            nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(64 * 8 * 8, 10)),
            (Xi, yi, None, None), "float32", 0.01, 128, device, args.epochs, args.per_round)

    bench_rnn(torch, device, repeats=50)


if __name__ == "__main__":
    main()
