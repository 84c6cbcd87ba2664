"""Every picture the notebooks draw, in one consistent style (matplotlib only).

Each function takes NumPy arrays or any array-API array (converted with ``backend.to_numpy``),
draws on the ``ax`` it is given or on a new figure, and returns the axes (single panel) or the
figure (grids). None calls ``plt.show()``: the notebook displays the figure.

Where each picture is used:
- 01: ``perceptron_line``, ``decision_boundary``
- 02: ``error_surface``, ``error_surface_3d``, ``line_chart``
- 03, 04, 06: ``decision_boundary``, ``training_curves``, ``learning_rate_sweep``, ``network_diagram``
- 05: ``computational_graph``
- 06: ``gradient_norms_over_training``
- 07: ``activation_functions``, ``layer_histograms``, ``gradient_norms``, ``step_curves``
- 08: ``training_curves``, ``remedy_curves``
- 10: ``filters``, ``feature_maps``, ``image_grid``
- 11: ``gradient_norms(kind="line")``
- 12: ``weight_templates``, ``image_grid``, ``accuracy_vs_epsilon``

Every figure a notebook displays gets alt text in its output metadata (``alt_text.py``).
"""
from __future__ import annotations

from .style import PALETTE, color
from .alt_text import describe_cell_figures, describe_figure, install_alt_text_hook
from .activations import ACTIVATIONS, activation_functions, get_activation
from .classification import decision_boundary, perceptron_line, perceptron_with_bias, scatter_classes
from .curves import (accuracy_vs_epsilon, history_dict, learning_rate_sweep, line_chart, remedy_curves,
                     step_curves, training_curves)
from .diagnostics import gradient_norms, gradient_norms_over_training, layer_histograms
from .graph import computational_graph
from .images import feature_maps, filters, image_grid, weight_templates
from .networks import network_diagram
from .regions import plot_region
from .surfaces import error_surface, error_surface_3d, evaluate_surface

__all__ = [
    "PALETTE", "color", "ACTIVATIONS", "get_activation",
    "decision_boundary", "perceptron_line", "perceptron_with_bias", "scatter_classes", "plot_region",
    "training_curves", "remedy_curves", "history_dict", "line_chart", "learning_rate_sweep", "step_curves",
    "accuracy_vs_epsilon",
    "error_surface", "error_surface_3d", "evaluate_surface",
    "activation_functions", "network_diagram", "computational_graph",
    "image_grid", "filters", "feature_maps", "weight_templates",
    "layer_histograms", "gradient_norms", "gradient_norms_over_training",
    "describe_figure", "describe_cell_figures", "install_alt_text_hook",
]

# In a notebook, every figure displayed from here on carries its alt text (alt_text.py).
install_alt_text_hook()
