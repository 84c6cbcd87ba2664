"""The interactive demos: each is a plain function computing what the widget shows (testable
without a browser) and a thin ipywidgets wrapper around it.

| demo | plain function | notebook |
| --- | --- | --- |
| ``perceptron_demo`` | ``perceptron_state(w, b, X, y)`` | 01 |
| ``gradient_descent_demo`` | ``gradient_descent_path(lr, steps, ...)`` | 02 |
| ``activation_explorer`` | ``activation_values(name, z0)`` | 07 |
| ``spiral_network_demo`` | ``train_spiral_network(hidden, activation, epochs)`` | 03, 06 |
| ``convolution_explorer`` | ``convolution_state(image, kernel)`` | 10 |
| ``regularization_explorer`` | ``train_regularized(weight_decay, dropout, n_train)`` | 08 |
| ``fgsm_explorer`` | ``fgsm_example(model, X, y, eps, index)`` | 12 |

Every wrapper returns a ``Demo`` (an ``ipywidgets.VBox``): ``demo.controls`` by name,
``demo.result`` (the plain function's latest answer), ``demo.image`` (the picture as PNG) and
``demo.status``. Sliders use ``continuous_update=False``: one redraw per release. In a notebook,
tag the cell that shows a demo ``nbval-ignore-output``.
"""
from __future__ import annotations

from ._base import Demo, figure_png
from .activation import activation_explorer, activation_values
from .convolution import FILTERS, convolution_explorer, convolution_state, convolve2d
from .descent import bowl_loss, gradient_descent_demo, gradient_descent_path
from .perceptron import perceptron_demo, perceptron_state
from .spiral import HIDDEN_ACTIVATIONS, spiral_network_demo, train_spiral_network
from .regularization import TRAIN_SIZES, WEIGHT_DECAYS, regularization_explorer, train_regularized
from .adversarial import fgsm_example, fgsm_explorer
from .graph import graph_explorer
from .pulses import pulse_explorer

__all__ = [
    "Demo", "figure_png",
    "perceptron_state", "perceptron_demo",
    "bowl_loss", "gradient_descent_path", "gradient_descent_demo",
    "activation_values", "activation_explorer",
    "train_spiral_network", "spiral_network_demo", "HIDDEN_ACTIVATIONS",
    "FILTERS", "convolve2d", "convolution_state", "convolution_explorer",
    "train_regularized", "regularization_explorer", "WEIGHT_DECAYS", "TRAIN_SIZES",
    "fgsm_example", "fgsm_explorer", "graph_explorer", "pulse_explorer",
]
