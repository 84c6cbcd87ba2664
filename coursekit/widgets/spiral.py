"""Hidden units, activation and epochs changing a network's decision boundary on the spiral
(notebooks 03 and 06). Each change retrains from scratch in well under a second."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import plotting
from ..errors import choose
from ._base import STYLE, Demo, slider_layout

__all__ = ["train_spiral_network", "spiral_network_demo", "HIDDEN_ACTIVATIONS"]

# The choices offered; "none" leaves the hidden layer linear, so the whole net is linear again.
HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "none")


def train_spiral_network(hidden=50, activation="relu", epochs=100, X=None, y=None, seed=0,
                         lr=0.02, batch_size=64) -> dict:
    """Train Dense(2, hidden) → activation → Dense(hidden, K) with Adam on (X, y).

    X (N, 2), y (N,) integer labels 0..K-1; default: ``datasets.spiral(seed=0)`` (3 classes).
    Everything is seeded: the same arguments give the same network.

    Returns a dict with ``model``, ``history`` (the ``nn.History``), ``accuracy`` on (X, y),
    ``predict`` (an (M, 2) array -> (M,) labels function), ``X``, ``y``.
    """
    from .. import nn

    if int(hidden) < 1:
        raise ValueError(f"the hidden layer needs at least 1 unit, got {hidden}")
    if int(epochs) < 1:
        raise ValueError(f"train for at least 1 epoch, got {epochs}")
    layers = {**nn.builders.ACTIVATION_LAYERS, "none": None}  # "none" = "linear": no hidden activation
    choose(activation, layers, "activation")
    if X is None:
        from ..datasets import spiral

        X, y = spiral(seed=0)
    X, y = np.asarray(X, dtype=float), np.asarray(y).astype(int)
    k = int(y.max()) + 1
    middle = [layers[activation]()] if layers[activation] else []
    model = nn.Sequential(nn.Dense(2, int(hidden), seed=seed), *middle,
                          nn.Dense(int(hidden), k, seed=seed + 1))
    history = nn.fit(model, X, y, loss=nn.SoftmaxCrossEntropy(), optimizer=nn.Adam(lr=lr),
                     epochs=int(epochs), batch_size=batch_size, seed=seed, progress=False)

    def predict(points):
        return np.asarray(nn.predict(model, np.asarray(points, dtype=float)))

    return {"model": model, "history": history, "accuracy": float(np.mean(predict(X) == y)),
            "predict": predict, "X": X, "y": y}


def spiral_network_demo(hidden=20, activation="relu", epochs=100, X=None, y=None):
    """Sliders for hidden units and epochs, a dropdown for the activation; retrains on change.

    Returns the widget (a ``Demo``; ``.result`` is the latest ``train_spiral_network``).
    """
    if X is None:
        from ..datasets import spiral

        X, y = spiral(seed=0)
    controls = {
        "hidden": widgets.IntSlider(value=hidden, min=1, max=100, description="hidden units",
                                    continuous_update=False, style=STYLE, layout=slider_layout()),
        "activation": widgets.Dropdown(options=list(HIDDEN_ACTIVATIONS), value=activation,
                                       description="activation", style=STYLE),
        "epochs": widgets.IntSlider(value=epochs, min=10, max=300, step=10, description="epochs",
                                    continuous_update=False, style=STYLE, layout=slider_layout()),
    }

    def compute(hidden, activation, epochs):
        return train_spiral_network(hidden, activation, epochs, X=X, y=y)

    def draw(r, v, fig):
        ax = fig.add_subplot()
        plotting.decision_boundary(r["predict"], r["X"], r["y"], ax=ax, resolution=120,
                                   title=f"{v['hidden']} hidden units, {v['activation']}, "
                                         f"{v['epochs']} epochs: {r['accuracy']:.0%}")
        return (f"training accuracy {r['accuracy']:.1%}, final loss "
                f"{r['history'].loss[-1]:.3f}")

    return Demo(controls, compute, draw, figsize=(5.0, 4.2),
                title="A network on the spiral: width, activation and training time")
