"""Whole networks from a list of sizes (notebooks 07 and 08, and the regularisation widget)."""
from __future__ import annotations

import numpy as np

from ..errors import choose

from .activations import ELU, LeakyReLU, ReLU, Sigmoid, Softplus, Tanh
from .dense import Dense
from .dropout import Dropout
from .normalization import BatchNorm
from .sequential import Sequential

__all__ = ["mlp", "ACTIVATION_LAYERS"]

#: activation name -> layer class of coursekit.nn
ACTIVATION_LAYERS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leaky_relu": LeakyReLU,
                     "elu": ELU, "softplus": Softplus, "linear": None}


def _activation(name):
    cls = choose(name, ACTIVATION_LAYERS, "activation")
    return None if cls is None else cls()


def mlp(sizes, activation: str = "relu", init: str = "he_normal", *, seed: int = 0,
        std: float = 0.01, batchnorm: bool = False, dropout: float = 0.0):
    """A multilayer perceptron: ``sizes = [inputs, hidden_1, ..., hidden_k, outputs]``.

    Each hidden layer is Dense (weights drawn by ``init``, see ``coursekit.nn.init``; ``std``
    for "normal"), then BatchNorm when ``batchnorm`` (True: ``BatchNorm(width)``; a class or
    function instead: ``batchnorm(width)`` makes the layer, e.g. a student's own batch norm), then
    the activation, then Dropout(p) when ``dropout`` > 0. The last Dense has no activation: it gives scores for SoftmaxCrossEntropy.
    One generator seeded with ``seed`` draws every layer's weights.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must list at least the inputs and outputs, all positive; got {sizes}.")
    rng = np.random.default_rng(seed)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(a, b, init=init, rng=rng, std=std))
        if i == len(sizes) - 2:
            break
        if batchnorm:
            layers.append(batchnorm(b) if callable(batchnorm) else BatchNorm(b))
        act = _activation(activation)
        if act is not None:
            layers.append(act)
        if dropout:
            layers.append(Dropout(dropout, seed=seed * 1000 + i))
    return Sequential(*layers)
