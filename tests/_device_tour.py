"""Everything a student does with coursekit.nn, run on one array library and device.

``tour_*(xp, device)`` train and check models whose parameters live on ``device`` and assert that
every array the network makes stays there. The tests run them on array-api-strict's second
device ("device1", which refuses to combine arrays from two devices, as CUDA refuses a CPU
tensor) in every CI run, and on a CUDA GPU where there is one (tests/nn/test_gpu.py).
"""
from __future__ import annotations

import array_api_compat
import numpy as np

from coursekit.backend import asarray, to_numpy
from coursekit.datasets import digits
from coursekit.nn import (RNN, SGD, Adam, BatchNorm, Conv2D, Dense, Dropout, Flatten, Hinge,
                          MaxPool2D, ReLU, Sequential, SoftmaxCrossEntropy, Tanh, evaluate, fit,
                          gradient_check, load, predict, save)
from coursekit.nn.optim import param_slots


def same_device(a, device) -> bool:
    """True when array ``a`` lives on ``device`` (compared by name: torch's "cuda" is "cuda:0")."""
    have = array_api_compat.device(a)
    return str(have).split(":")[0] == str(device).split(":")[0]


def assert_on(model, device, what="after training"):
    for layer, key in param_slots(model):
        p = layer.params[key]
        assert same_device(p, device), f"{layer.name}.{key} left {device} {what}: {p.device}"
    for layer in getattr(model, "layers", [model]):
        for key, buf in (getattr(layer, "buffers", {}) or {}).items():
            assert same_device(buf, device), f"{layer.name} buffer {key} left {device} {what}"


def small_digits(n_train=400, n_test=200):
    d = digits(scale="unit", shape="image")
    return (d.X_train[:n_train], d.y_train[:n_train], d.X_val[:n_test], d.y_val[:n_test])


def cnn(xp, device, dtype="float64"):
    """Every image layer: conv, batch norm, ReLU, pooling, flatten, dropout, dense."""
    return Sequential(Conv2D(1, 6, 3, padding=1, seed=1), BatchNorm(6), ReLU(), MaxPool2D(2),
                      Flatten(), Dropout(0.1, seed=2), Dense(6 * 4 * 4, 10, seed=3)
                      ).to(xp, device=device, dtype=dtype)


def tour_cnn(xp, device, tmp_path, dtype="float64"):
    """Train a CNN on the digits with Adam, validation and early stopping; predict, evaluate,
    save and load; everything stays on ``device`` and the model learns."""
    Xtr, ytr, Xte, yte = small_digits()
    model = cnn(xp, device, dtype)
    assert_on(model, device, "after .to()")
    hist = fit(model, Xtr, ytr, loss=SoftmaxCrossEntropy(), optimizer=Adam(0.01), epochs=8,
               batch_size=32, validation_data=(Xte, yte), early_stopping=3, progress=False)
    assert_on(model, device)
    assert hist.val_accuracy[-1] > 0.85, hist
    # data already on the device, as a GPU user would pass it
    Xd = asarray(Xte, xp, device=device, dtype=getattr(xp, dtype))
    labels = predict(model, Xd)
    assert same_device(labels, device)
    acc = float(np.mean(to_numpy(labels) == yte))
    assert acc > 0.85
    scores = evaluate(model, Xte, yte, loss=SoftmaxCrossEntropy())
    assert abs(scores["accuracy"] - acc) < 1e-12
    path = save(model, tmp_path / "cnn")
    again = load(cnn(xp, device, dtype), path)
    assert_on(again, device, "after load")
    assert np.array_equal(to_numpy(predict(again, Xd)), to_numpy(labels))


def tour_mlp_optimizers(xp, device):
    """Momentum SGD with weight decay and the hinge loss, then Adam: both reduce the loss."""
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    y = np.arange(150) % 3
    X = centres[y] + 0.7 * rng.standard_normal((150, 2))
    for loss, opt in ((Hinge(), SGD(0.05, momentum=0.9, weight_decay=1e-3)),
                      (SoftmaxCrossEntropy(), Adam(0.01))):
        model = Sequential(Dense(2, 32, seed=1), Tanh(), Dense(32, 3, seed=2)).to(xp, device=device)
        hist = fit(model, X, y, loss=loss, optimizer=opt, epochs=15, batch_size=16,
                   progress=False)
        assert_on(model, device)
        assert hist.loss[-1] < 0.5 * hist.loss[0], (type(loss).__name__, hist)
        assert hist.accuracy[-1] > 0.9


def tour_rnn(xp, device):
    """BPTT on the device: gradient check in float64, then a last-step read-out learns to repeat
    the first input of a sequence."""
    rng = np.random.default_rng(3)
    x = asarray(rng.standard_normal((2, 4, 3)), xp, device=device)
    errors = gradient_check(RNN(3, 5, seed=1).to(xp, device=device), x)
    assert errors.max() < 1e-6, errors

    layer = RNN(1, 16, seed=2).to(xp, device=device)
    head = Dense(16, 2, seed=3).to(xp, device=device)
    loss, opt = SoftmaxCrossEntropy(), Adam(0.02)
    bits = rng.integers(0, 2, (256, 5))
    X = asarray((2.0 * bits - 1.0)[:, :, None], xp, device=device)
    y = asarray(bits[:, 0], xp, device=device)  # remember the first input for 5 steps
    T = X.shape[1]
    for _ in range(150):
        hs = layer.forward(X)
        last = hs[:, T - 1, :]
        value = loss.forward(head.forward(last), y)
        dlast = head.backward(loss.backward())
        dH = xp.concat([xp.zeros_like(hs[:, :T - 1, :]), xp.reshape(dlast, (-1, 1, 16))], axis=1)
        layer.backward(dH)
        opt.step([layer, head])
    assert_on(Sequential(layer, head), device)
    assert same_device(layer.grad_norms, device) and same_device(layer.dh0, device)
    assert value < 0.1, value


def tour_gradient_checks(xp, device):
    """Every layer kind passes the gradient check with its parameters on ``device``."""
    rng = np.random.default_rng(4)
    img = asarray(rng.standard_normal((2, 2, 6, 6)), xp, device=device)
    odd = asarray(rng.standard_normal((2, 2, 7, 7)), xp, device=device)  # (7 - 3 + 2)/2 + 1 = 4
    flat = asarray(rng.standard_normal((4, 5)), xp, device=device)
    cases = [
        (Conv2D(2, 3, 3, stride=2, padding=1, seed=1), odd),
        (MaxPool2D(2), img),
        (BatchNorm(2), img),
        (Sequential(Dense(5, 4, seed=2), ReLU(), Dense(4, 3, seed=3)), flat),
    ]
    for layer, x in cases:
        errors = gradient_check(layer.to(xp, device=device), x)
        assert errors.max() < 1e-6, (layer, errors)
    scores = asarray(rng.standard_normal((4, 3)) * 10, xp, device=device)
    labels = asarray(np.array([0, 2, 1, 2]), xp, device=device)
    assert gradient_check(SoftmaxCrossEntropy(), scores, labels).max() < 1e-6


def tour_sequence_model(xp, device):
    """Notebook 11's model, RNN + StepDense with the per-step loss, learns running parity."""
    from coursekit.datasets import running_parity
    from coursekit.lessons.nb11 import StepDense, sequence_accuracy, sequence_cross_entropy

    X, Y = running_parity(200, 6, seed=0)
    model = Sequential(RNN(1, 8, seed=0), StepDense(8, 2, seed=1)).to(xp, device=device)
    Xd = asarray(X, xp, device=device)
    opt = Adam(0.03)
    for _ in range(300):
        scores = model.forward(Xd)
        _, d = sequence_cross_entropy(scores, Y)  # NumPy targets: moved to the scores' device
        assert same_device(d, device)
        model.backward(d)
        opt.step(model)
    assert_on(model, device)
    assert sequence_accuracy(model.forward(Xd), Y) > 0.95


def tour_notebook_helpers(xp, device):
    """The helpers notebooks 07, 08 and 12 call on a model (layer outputs, gradient norms, steps
    to a loss, permuted hidden units, FGSM) take a model on ``device`` and NumPy data, and give
    the numbers they give for the same model on NumPy."""
    from coursekit.nn import attacks as adv
    from coursekit.lessons import nb07 as dg

    d = digits()
    X, y, Xt, yt = d.X_train[:200], d.y_train[:200], d.X_test[:60], d.y_test[:60]
    here, there = dg.mlp([64, 24, 24, 10], seed=2), dg.mlp([64, 24, 24, 10], seed=2)
    there.to(xp, device=device)
    a, b = dg.layer_outputs(here, X), dg.layer_outputs(there, X)
    assert list(a) == list(b) == ["layer 1", "layer 2"]
    assert all(np.allclose(a[k], b[k], atol=1e-10) for k in a)
    assert np.allclose(dg.weight_gradient_norms(here, X, y), dg.weight_gradient_norms(there, X, y))
    steps = [dg.steps_to_loss(dg.mlp([64, 16, 10]).to(*place), X, y, optimizer=SGD(0.1),
                              threshold=1.0)[0] for place in ((None,), (xp, device))]
    assert steps[0] is not None and steps[0] == steps[1]
    moved = dg.permute_hidden(there, 1, np.arange(24)[::-1])
    assert_on(moved, device, "after permute_hidden")
    Xd = asarray(Xt, xp, device=device)
    assert np.allclose(to_numpy(moved.forward(Xd)), to_numpy(there.forward(Xd)), atol=1e-10)
    fit(there, X, y, loss=SoftmaxCrossEntropy(), optimizer=SGD(0.1), epochs=5, progress=False)
    clean = adv.accuracy(there, Xt, yt)
    attacked = adv.accuracy(there, adv.fgsm(there, Xt, yt, 0.5, lo=-5.0, hi=5.0), yt)
    assert attacked < clean, (clean, attacked)
