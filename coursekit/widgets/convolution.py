"""A convolution-filter explorer on a digit: input, 3×3 filter, feature map (notebook 10)."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..plotting.style import DIVERGING, as_array
from ..errors import choose
from ._base import STYLE, Demo, slider_layout

__all__ = ["FILTERS", "convolve2d", "convolution_state", "convolution_explorer"]

FILTERS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "vertical edges (Sobel)": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "horizontal edges (Sobel)": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "all edges (Laplacian)": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "blur (box)": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
}


def convolve2d(image, kernel):
    """'Valid' 2-D cross-correlation, as a CNN layer computes it (no kernel flip, no padding).

    image (H, W), kernel (k, k) -> feature map (H − k + 1, W − k + 1). It loops over the k²
    kernel offsets (not the H·W pixels) and adds shifted copies of the image.
    """
    img, ker = as_array(image, "image", ndim=2), as_array(kernel, "kernel", ndim=2)
    k1, k2 = ker.shape
    if k1 > img.shape[0] or k2 > img.shape[1]:
        raise ValueError(f"the kernel {ker.shape} is larger than the image {img.shape}")
    oh, ow = img.shape[0] - k1 + 1, img.shape[1] - k2 + 1
    out = np.zeros((oh, ow))
    for i in range(k1):
        for j in range(k2):
            out += ker[i, j] * img[i:i + oh, j:j + ow]
    return out


def convolution_state(image, kernel) -> dict:
    """``image`` (H, W), ``kernel`` (3, 3) or a name from ``FILTERS`` ->
    dict with ``image``, ``kernel`` (3, 3) and ``feature_map`` (H − 2, W − 2)."""
    if isinstance(kernel, str):
        kernel = choose(kernel, FILTERS, "filter")
    kernel = as_array(kernel, "kernel", ndim=2)
    image = as_array(image, "image", ndim=(2, 3))
    if image.ndim == 3:  # (1, H, W): one channel
        image = image[0]
    return {"image": image, "kernel": kernel, "feature_map": convolve2d(image, kernel)}


def _default_images():
    from ..datasets import digits

    split = digits(scale="unit", shape="image", seed=0)
    return split.X_train[:50, 0], split.y_train[:50]


def _draw_convolution(r, v, fig, labels):
    """The digit, the filter with its numbers, and the feature map (diverging colours)."""
    a, b, c = fig.subplots(1, 3)
    title = f"digit {labels[v['index']]}" if labels is not None else f"image {v['index']}"
    a.imshow(r["image"], cmap="gray_r")
    a.set_title(f"input: {title}")
    m = float(np.abs(r["kernel"]).max()) or 1.0
    b.imshow(r["kernel"], cmap=DIVERGING, vmin=-m, vmax=m)
    for (i, j), val in np.ndenumerate(r["kernel"]):
        b.text(j, i, f"{val:.2g}", ha="center", va="center", fontsize=10,
               color="white" if abs(val) > 0.6 * m else "black")
    b.set_title(f"filter: {v['preset']}")
    fm = r["feature_map"]
    s = float(np.abs(fm).max()) or 1.0
    im = c.imshow(fm, cmap=DIVERGING, vmin=-s, vmax=s)
    c.set_title(f"feature map {fm.shape[0]}×{fm.shape[1]}")
    fig.colorbar(im, ax=c, shrink=0.7)
    for ax in (a, b, c):
        ax.set_xticks([])
        ax.set_yticks([])
    return ("feature map = sum over the 9 filter entries of entry × shifted image; "
            f"values from {fm.min():.2f} to {fm.max():.2f}")



def _keep_preset_and_cells_in_step(demo, preset, cells):
    """Choosing a preset fills the nine boxes (one redraw); editing a box selects "custom"."""
    syncing = {"on": False}  # a change made here must not trigger the other handler

    def preset_chosen(change):
        if syncing["on"]:
            return
        syncing["on"] = True
        try:
            with demo.hold():  # nine boxes change: redraw once, at the end
                if change["new"] != "custom":
                    for i in range(3):
                        for j in range(3):
                            cells[f"k{i}{j}"].value = float(FILTERS[change["new"]][i][j])
        finally:
            syncing["on"] = False

    def cell_edited(change):
        if syncing["on"]:
            return
        syncing["on"] = True
        try:
            with demo.hold():  # a hand-made filter is no longer the preset
                preset.value = "custom"
        finally:
            syncing["on"] = False

    preset.observe(preset_chosen, names="value")
    for cell in cells.values():
        cell.observe(cell_edited, names="value")


def convolution_explorer(images=None, labels=None, preset="vertical edges (Sobel)"):
    """Pick a digit and a 3×3 filter (presets or your own numbers); see the feature map.

    images : (N, H, W) or (N, 1, H, W); default: the first 50 training digits, scaled to [0, 1].
    Choosing a preset fills the nine boxes; editing a box switches the preset to "custom".
    Returns the widget (a ``Demo``; ``.result`` is the latest ``convolution_state``).
    """
    if images is None:
        images, labels = _default_images()
    imgs = as_array(images, "images", ndim=(3, 4))
    imgs = imgs[:, 0] if imgs.ndim == 4 else imgs
    cells = {f"k{i}{j}": widgets.BoundedFloatText(value=float(FILTERS[preset][i][j]), min=-10, max=10,
                                                  step=0.5, layout=widgets.Layout(width="70px"))
             for i in range(3) for j in range(3)}
    controls = {
        "index": widgets.IntSlider(value=0, min=0, max=len(imgs) - 1, description="digit number",
                                   continuous_update=False, style=STYLE, layout=slider_layout()),
        "preset": widgets.Dropdown(options=list(FILTERS) + ["custom"], value=preset,
                                   description="filter", style=STYLE),
        **cells,
    }
    grid = widgets.GridBox(list(cells.values()),
                           layout=widgets.Layout(grid_template_columns="repeat(3, 75px)"))
    box = widgets.VBox([controls["index"], controls["preset"],
                        widgets.HBox([widgets.Label("3×3 filter:"), grid])])

    def compute(index, preset, **k):
        kernel = np.array([[k[f"k{i}{j}"] for j in range(3)] for i in range(3)])
        return convolution_state(imgs[int(index)], kernel)

    def draw(r, v, fig):
        return _draw_convolution(r, v, fig, labels)

    demo = Demo(controls, compute, draw, figsize=(8.4, 3.0), control_box=box,
                title="Convolution: a 3×3 filter sliding over a digit",
                observe=["index"])

    _keep_preset_and_cells_in_step(demo, controls["preset"], cells)
    return demo
