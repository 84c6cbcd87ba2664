"""The course's NumPy neural network, written against the Python array API.

Names are loaded on first use (PEP 562), so ``from coursekit.nn import Dense`` imports only the
modules it needs. Each module's docstring names the notebook that derives its maths.
"""
from __future__ import annotations

import importlib

# public name -> module inside coursekit.nn
_EXPORTS = {
    "Layer": "base", "ShapeError": "base",
    "Dense": "dense",
    "Step": "activations", "Sigmoid": "activations", "Tanh": "activations", "ReLU": "activations",
    "LeakyReLU": "activations", "ELU": "activations", "Softplus": "activations",
    "Maxout": "activations",
    "SoftmaxCrossEntropy": "losses", "MSE": "losses", "Hinge": "losses",
    "softmax": "losses", "log_softmax": "losses",
    "initialize": "init", "INITIALIZERS": "init",
    "Sequential": "sequential",
    "SGD": "optim", "Momentum": "optim", "RMSProp": "optim", "Adam": "optim",
    "fit": "training", "predict": "training", "evaluate": "training", "History": "training",
    "TrainingDivergedError": "training", "inputs_for": "training",
    "save": "serialization", "load": "serialization",
    "gradient_check": "gradcheck", "numerical_gradient": "gradcheck", "relative_error": "gradcheck",
    "Conv2D": "conv", "conv_output_size": "conv",
    "MaxPool2D": "pooling",
    "Flatten": "reshape", "LastStep": "reshape",
    "Dropout": "dropout",
    "BatchNorm": "normalization",
    "RNN": "recurrent",
    "LSTM": "lstm",
    "StepDense": "step_dense",
    "mlp": "builders",
}
_SUBMODULES = {"base", "dense", "activations", "losses", "init", "sequential", "optim", "training",
               "serialization", "gradcheck", "conv", "pooling", "reshape", "dropout",
               "normalization", "recurrent", "lstm", "step_dense", "builders"}

__all__ = sorted(_EXPORTS) + sorted(_SUBMODULES)


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _EXPORTS:
        module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'coursekit.nn' has no attribute {name!r}")


def __dir__():
    return __all__
