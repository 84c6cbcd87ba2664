"""Looking inside a network (notebook 07; notebook 08 uses it too): per-layer activations and
gradient norms, training steps to a loss threshold, and the symmetries of a network's parameters.

- ``mlp(sizes, activation, init)``: a plain multilayer perceptron as a ``coursekit.nn.Sequential``
  (Dense, optional BatchNorm, activation; the last Dense gives raw class scores);
- ``layer_outputs(model, X)``: the output of every activation layer, by name ("layer 1", ...);
- ``weight_gradient_norms(model, X, y)``: the norm of dL/dW of every Dense layer after one
  forward and backward pass (vanishing gradients show as norms falling towards the input);
- ``steps_to_loss(model, X, y, optimizer=..., threshold=...)``: mini-batch steps until the
  loss on the whole training set first drops below a threshold;
- ``loss_curve(model, X, y, lr=..., steps=...)``: the mini-batch loss every few SGD steps, a
  diverged run ending in inf (the batch normalisation experiment);
- ``permute_hidden(model, layer, perm)``: the same function with the hidden units of one layer
  reordered; ``interpolate(a, b, t)``: the network whose parameters are (1 - t) a + t b.
"""
from __future__ import annotations

import copy

import array_api_compat
import numpy as np

from .. import nn
from ..nn.builders import ACTIVATION_LAYERS, mlp  # notebooks 07 and 08 build their nets with dg.mlp
from ..backend import asarray, namespace_of, to_numpy

__all__ = ["mlp", "layer_outputs", "weight_gradient_norms", "steps_to_loss", "loss_curve", "permute_hidden",
           "interpolate", "ACTIVATION_LAYERS"]


def _dense_layers(model):
    return [layer for layer in getattr(model, "layers", [model]) if isinstance(layer, nn.Dense)]


def layer_outputs(model, X, train: bool = False) -> dict:
    """{"layer k": output of the k-th hidden layer (after its activation)} for inputs X (N, d).

    A hidden layer ends where the next Dense begins; the scores of the last Dense are left out.
    """
    _, h, _ = nn.inputs_for(model, X)
    out, k = {}, 0
    layers = model.layers
    for i, layer in enumerate(layers):
        h = layer.forward(h, train=train)
        nxt = layers[i + 1] if i + 1 < len(layers) else None
        if i + 1 < len(layers) and isinstance(nxt, nn.Dense) and not isinstance(layer, nn.Dense):
            k += 1
            out[f"layer {k}"] = to_numpy(h)
        elif isinstance(layer, nn.Dense) and isinstance(nxt, nn.Dense):  # linear hidden layer
            k += 1
            out[f"layer {k}"] = to_numpy(h)
    return out


def weight_gradient_norms(model, X, y, loss=None) -> np.ndarray:
    """Frobenius norm of dL/dW for each Dense layer (input side first), after one forward and
    backward pass on (X, y) with ``loss`` (SoftmaxCrossEntropy by default), train=True."""
    loss = nn.SoftmaxCrossEntropy() if loss is None else loss
    _, X, y = nn.inputs_for(model, X, y)
    scores = model.forward(X, train=True)
    loss.forward(scores, y)
    model.backward(loss.backward())
    return np.array([float(np.linalg.norm(to_numpy(d.grads["W"]))) for d in _dense_layers(model)])


def steps_to_loss(model, X, y, *, optimizer, threshold: float, batch_size: int = 32,
                  max_steps: int = 2000, eval_every: int = 10, seed: int = 0, loss=None):
    """Train with mini-batches until the loss on all of (X, y) first falls below ``threshold``.

    The full training loss is measured before training and every ``eval_every`` steps.
    Returns (steps, curve): ``steps`` is the first measured step count with loss < threshold
    (None if ``max_steps`` pass first); ``curve`` is an array (M, 2) of (step, loss).
    """
    loss = nn.SoftmaxCrossEntropy() if loss is None else loss
    xp, X, y = nn.inputs_for(model, X, y)
    device = array_api_compat.device(X)
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    curve = [(0, loss.forward(model.forward(X, train=False), y))]
    if curve[0][1] < threshold:
        return 0, np.array(curve)
    step, order, pos = 0, rng.permutation(n), 0
    while step < max_steps:
        if pos + batch_size > n:
            order, pos = rng.permutation(n), 0
        idx = xp.asarray(order[pos:pos + batch_size], device=device)
        pos += batch_size
        loss.forward(model.forward(xp.take(X, idx, axis=0), train=True), xp.take(y, idx, axis=0))
        model.backward(loss.backward())
        optimizer.step(model)
        step += 1
        if step % eval_every == 0:
            value = loss.forward(model.forward(X, train=False), y)
            if not np.isfinite(value):
                break
            curve.append((step, value))
            if value < threshold:
                return step, np.array(curve)
    return None, np.array(curve)


def loss_curve(model, X, y, *, lr: float, steps: int, batch_size: int = 32, every: int = 10,
               seed: int = 0, loss=None):
    """Train ``steps`` mini-batch SGD steps at learning rate ``lr``; the training curve.

    Returns an array (steps // every, 2) of rows (step, mean of the mini-batch losses of the
    ``every`` steps up to it), the loss the optimiser sees (train mode), measured at no extra cost.
    A run whose mini-batch loss stops being a finite number, or exceeds 1000 times its first one,
    diverged: it ends there, with a row for the steps before it, then (step, inf). Batches: a fresh shuffle (``seed``) each pass over the data, as in ``steps_to_loss``.
    """
    if steps < 1 or every < 1:
        raise ValueError(f"steps and every must be at least 1, got {steps} and {every}.")
    loss = nn.SoftmaxCrossEntropy() if loss is None else loss
    optimizer = nn.SGD(lr=lr)
    xp, X, y = nn.inputs_for(model, X, y)
    device = array_api_compat.device(X)
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    order, pos, window, curve = rng.permutation(n), 0, [], []
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # a diverging run overflows
        for step in range(1, steps + 1):
            if pos + batch_size > n:
                order, pos = rng.permutation(n), 0
            idx = xp.asarray(order[pos:pos + batch_size], device=device)
            pos += batch_size
            value = float(loss.forward(model.forward(xp.take(X, idx, axis=0), train=True),
                                       xp.take(y, idx, axis=0)))
            limit = 1e3 * value if step == 1 else limit
            if not np.isfinite(value) or value > limit:
                if window:  # the steps since the last row, so a diverged run shows its start
                    curve.append((step - 1, float(np.mean(window))))
                curve.append((step, np.inf))
                break
            model.backward(loss.backward())
            optimizer.step(model)
            window.append(value)
            if step % every == 0:
                curve.append((step, float(np.mean(window))))
                window = []
    return np.array(curve, dtype=float).reshape(-1, 2)


def permute_hidden(model, layer: int, perm):
    """A copy of ``model`` with the units of hidden layer ``layer`` (1 = first) reordered by
    ``perm``: the columns of that layer's W and b (and BatchNorm parameters) and the rows of
    the next Dense's W. The copy computes exactly the same function."""
    perm = np.asarray(perm)
    new = copy.deepcopy(model)
    dense = [i for i, lay in enumerate(new.layers) if isinstance(lay, nn.Dense)]
    if not 1 <= layer < len(dense):
        raise ValueError(f"layer must be a hidden layer, 1..{len(dense) - 1}, got {layer}.")
    i, j = dense[layer - 1], dense[layer]
    a = new.layers[i]
    if sorted(perm.tolist()) != list(range(a.out_features)):
        raise ValueError(f"perm must be a permutation of 0..{a.out_features - 1}.")
    W = a.params["W"]
    xp = namespace_of(W)
    order = asarray(perm, xp, device=array_api_compat.device(W))  # where the weights live

    def take(arr, axis):
        return xp.take(arr, order, axis=axis)

    a.params["W"], a.params["b"] = take(W, 1), take(a.params["b"], 0)
    for lay in new.layers[i + 1:j]:
        for key in getattr(lay, "params", {}):
            lay.params[key] = take(lay.params[key], 0)
        for key in getattr(lay, "buffers", {}):
            lay.buffers[key] = take(lay.buffers[key], 0)
    new.layers[j].params["W"] = take(new.layers[j].params["W"], 0)
    return new


def interpolate(model_a, model_b, t: float):
    """A copy of ``model_a`` whose parameters are (1 - t) * a + t * b (same architecture)."""
    new = copy.deepcopy(model_a)
    for la, lb in zip(new.layers, model_b.layers):
        for key in la.params:
            la.params[key] = (1 - t) * la.params[key] + t * lb.params[key]
    return new
