"""Grids of small images: digits with true and predicted labels, learned filters, feature maps,
and first-layer weights viewed as templates (notebooks 06, 10, 12)."""
from __future__ import annotations

import math

import numpy as np

from .style import DIVERGING, POSITIVE, as_array, new_grid

__all__ = ["image_grid", "filters", "feature_maps", "weight_templates"]


def _as_images(images, name="images"):
    """(N, H, W), (N, 1, H, W), one image (H, W), or flattened square images (N, s*s) such as
    the digits' X (N, 64) -> (N, H, W) NumPy floats."""
    a = as_array(images, name, ndim=(2, 3, 4))
    if a.ndim == 2:
        side = math.isqrt(a.shape[1])
        if a.shape[0] != a.shape[1] and side >= 2 and side * side == a.shape[1]:
            a = a.reshape(a.shape[0], side, side)  # rows of flattened images, not one picture
        else:
            a = a[None]  # a single image
    if a.ndim == 4:
        if a.shape[1] != 1:
            raise ValueError(f"{name} with 4 axes must be (N, 1, H, W) single-channel images, "
                             f"got {a.shape}; pass one channel, e.g. images[:, 0]")
        a = a[:, 0]
    if a.shape[0] == 0:
        raise ValueError(f"{name} is empty: there is nothing to draw")
    return a


def image_grid(images, labels=None, predictions=None, ncols=8, cmap="gray_r", titles=None,
               title=None, symmetric=False, max_images=64, panel=1.15, colorbar=False,
               shared_scale=True):
    """Show images in a grid, optionally titled "true 3 / pred 5" (a wrong prediction gets an
    orange title and frame).

    images : (N, H, W) or (N, 1, H, W), or (N, s*s) rows of flattened square images (the digits'
        X); labels, predictions : (N,) integers or None.
    symmetric : colour limits ±max|value| with a diverging map (weights, filters), 0 is white.
    shared_scale : one colour scale for all panels (comparable, allows a colorbar); False gives
        each panel its own limits, so a small-valued image still shows its pattern.
    Only the first ``max_images`` are drawn. Returns the figure.
    """
    imgs = _as_images(images)[:max_images]
    n = len(imgs)
    lab = None if labels is None else np.asarray(as_array(labels, "labels", ndim=1, dtype=None))
    pred = None if predictions is None else np.asarray(as_array(predictions, "predictions", ndim=1,
                                                                dtype=None))
    for name, arr in (("labels", lab), ("predictions", pred)):
        if arr is not None and len(arr) < n:
            raise ValueError(f"{name} has {len(arr)} entries for {n} images: give one per image")
    ncols = max(1, min(int(ncols), n))
    nrows = -(-n // ncols)
    has_titles = lab is not None or pred is not None or titles is not None
    fig, axes = new_grid(nrows, ncols, panel=(panel, panel + (0.3 if has_titles else 0)))
    if symmetric:
        vmax = float(np.abs(imgs).max()) or 1.0
        vmin, cmap = -vmax, (DIVERGING if cmap == "gray_r" else cmap)
    else:
        vmin, vmax = float(imgs.min()), float(imgs.max())
    shown = None
    for k, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= n:
            ax.set_visible(False)
            continue
        lo, hi = vmin, vmax
        if not shared_scale:
            hi = float(np.abs(imgs[k]).max() if symmetric else imgs[k].max())
            lo = -hi if symmetric else float(imgs[k].min())
        shown = ax.imshow(imgs[k], cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
        text, col = _caption(k, lab, pred, titles)
        if text:
            ax.set_title(text, fontsize=9, color=col, fontweight="bold" if col == POSITIVE else None)
            if col == POSITIVE:  # a red frame makes mistakes findable at a glance
                for s in ax.spines.values():
                    s.set_edgecolor(POSITIVE)
                    s.set_linewidth(2)
    if colorbar and shared_scale and shown is not None:
        fig.colorbar(shown, ax=axes, shrink=0.9, aspect=12)
    if title:
        fig.suptitle(title)
    return fig


def _caption(k, lab, pred, titles):
    if titles is not None:
        return str(titles[k]), "black"
    if lab is not None and pred is not None:
        wrong = lab[k] != pred[k]
        return f"true {lab[k]} / pred {pred[k]}", POSITIVE if wrong else "black"
    if lab is not None:
        return f"{lab[k]}", "black"
    if pred is not None:
        return f"pred {pred[k]}", "black"
    return "", "black"


def filters(weights, ncols=8, title="Learned filters", colorbar=True):
    """Convolution filters (F, C, k, k) or (F, k, k) on a symmetric diverging map.

    With several input channels each filter's channels are averaged into one k×k picture.
    Returns the figure.
    """
    w = as_array(weights, "weights", ndim=(2, 3, 4))
    if w.ndim == 4:
        w = w.mean(axis=1)
    return image_grid(w, ncols=ncols, titles=[f"filter {i}" for i in range(len(w))],
                      symmetric=True, title=title, colorbar=colorbar)


def feature_maps(maps, ncols=8, title="Feature maps", cmap="viridis"):
    """The output of a convolution layer for one example: (F, H, W) or (1, F, H, W).

    Each map has its own panel titled "map i". Returns the figure.
    """
    m = as_array(maps, "maps", ndim=(3, 4))
    if m.ndim == 4:
        if m.shape[0] != 1:
            raise ValueError(f"feature_maps shows one example: pass maps[0] of shape (F, H, W), "
                             f"not a batch of shape {m.shape}")
        m = m[0]
    return image_grid(m, ncols=ncols, titles=[f"map {i}" for i in range(len(m))], cmap=cmap,
                      title=title)


def weight_templates(W, image_shape=(8, 8), ncols=10, title="First-layer weights as templates",
                     labels=None):
    """Columns of a first-layer weight matrix W (D, K) drawn as K images of ``image_shape``.

    Red pixels push the unit's input up, blue pixels push it down (notebook 12); each template
    has its own symmetric scale so that every unit's pattern shows. ``labels`` names each column
    (e.g. the digit a linear classifier's column scores). Returns the figure.
    """
    W = as_array(W, "W", ndim=2)
    h, w = image_shape
    if W.shape[0] != h * w:
        raise ValueError(f"W has {W.shape[0]} rows but images of {h}×{w} need {h * w}: "
                         "W must be (pixels, units)")
    imgs = W.T.reshape(-1, h, w)
    titles = [str(t) for t in labels] if labels is not None else [f"unit {i}" for i in range(len(imgs))]
    return image_grid(imgs, ncols=ncols, titles=titles, symmetric=True, title=title,
                      shared_scale=False)
