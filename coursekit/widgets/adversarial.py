"""The fast gradient sign method on one test image: ε and the image index on sliders (notebook 12).

The model and the images come from the notebook (nothing is trained here); each change is one
forward and one backward pass, a few milliseconds.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..plotting.style import color
from ._base import STYLE, Demo, slider_layout

__all__ = ["fgsm_example", "fgsm_explorer"]


def fgsm_example(model, X, y, eps=0.1, index=0, image_shape=(8, 8), attack=None) -> dict:
    """Attack image ``index`` of (X, y) with FGSM of size ``eps`` and compare the predictions.

    model : a coursekit model giving class scores; X (N, D) images with pixels in [0, 1];
    y (N,) true labels. attack : ``attack(model, X, y, eps) -> X'`` (default
    ``coursekit.nn.attacks.fgsm``, the same as the notebook's exercise).

    Returns a dict with ``x`` and ``x_adv`` (image_shape), ``perturbation`` = x_adv − x,
    ``label`` (true), ``pred``/``conf`` and ``pred_adv``/``conf_adv`` (predicted class and its
    softmax probability before and after), ``proba``/``proba_adv`` (K,) and ``fooled``
    (correct before, wrong after).
    """
    from ..nn import attacks as adv

    X = np.asarray(X, dtype=float)
    y = np.asarray(y).astype(int)
    index, eps = int(index), float(eps)
    if not 0 <= index < len(X):
        raise ValueError(f"index must lie in 0..{len(X) - 1}, got {index}")
    if eps < 0:
        raise ValueError(f"eps must be >= 0, got {eps}")
    attack = adv.fgsm if attack is None else attack
    x, label = X[index:index + 1], y[index:index + 1]
    x_adv = np.clip(np.asarray(attack(model, x, label, eps), dtype=float), 0.0, 1.0)
    p, p_adv = adv.predict_proba(model, x)[0], adv.predict_proba(model, x_adv)[0]
    pred, pred_adv = int(p.argmax()), int(p_adv.argmax())
    return {"x": x[0].reshape(image_shape), "x_adv": x_adv[0].reshape(image_shape),
            "perturbation": (x_adv - x)[0].reshape(image_shape), "label": int(label[0]),
            "pred": pred, "conf": float(p[pred]), "pred_adv": pred_adv, "conf_adv": float(p_adv[pred_adv]),
            "proba": p, "proba_adv": p_adv, "eps": eps, "index": index,
            "fooled": pred == int(label[0]) and pred_adv != int(label[0])}


def fgsm_explorer(model, X, y, eps=0.1, index=0, image_shape=(8, 8), attack=None, max_eps=0.3):
    """Sliders for ε and the test-image index; draws original, perturbation, adversarial image
    and both softmax distributions.

    Returns the widget (a ``Demo``; ``.result`` is the latest ``fgsm_example``).
    """
    controls = {
        "eps": widgets.FloatSlider(value=eps, min=0.0, max=max_eps, step=0.01, description="ε",
                                   readout_format=".2f", continuous_update=False, style=STYLE,
                                   layout=slider_layout()),
        "index": widgets.IntSlider(value=index, min=0, max=len(X) - 1, description="test image",
                                   continuous_update=False, style=STYLE, layout=slider_layout()),
    }

    def compute(eps, index):
        return fgsm_example(model, X, y, eps, index, image_shape=image_shape, attack=attack)

    def draw(r, v, fig):
        axes = fig.subplots(1, 4, gridspec_kw={"width_ratios": [1, 1, 1, 1.6]})
        bound = max(r["eps"], 1e-3)
        panels = [(r["x"], "gray_r", 0, 1, f"original\nclass {r['pred']} (p = {r['conf']:.2f})"),
                  (r["perturbation"], "RdBu_r", -bound, bound, f"perturbation ±{r['eps']:.2f}\nred: more ink, blue: less"),
                  (r["x_adv"], "gray_r", 0, 1, f"adversarial\nclass {r['pred_adv']} (p = {r['conf_adv']:.2f})")]
        for ax, (img, cmap, lo, hi, title) in zip(axes, panels):
            ax.imshow(img, cmap=cmap, vmin=lo, vmax=hi)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(title, fontsize=9,
                         color="#D55E00" if "adversarial" in title and r["pred_adv"] != r["label"] else "black")
        k = np.arange(len(r["proba"]))
        ax = axes[3]
        ax.bar(k - 0.2, r["proba"], width=0.4, color=color(0), label="original")
        ax.bar(k + 0.2, r["proba_adv"], width=0.4, color=color(1), label="adversarial")
        ax.set(xticks=k, ylim=(0, 1.05), xlabel="class", ylabel="softmax probability")
        ax.set_title(f"true class {r['label']}", fontsize=9)
        ax.legend(fontsize="x-small")
        verdict = ("<b>fooled</b>" if r["fooled"] else
                   "already wrong before the attack" if r["pred"] != r["label"] else "still correct")
        return (f"test image {r['index']}, true class {r['label']}: {r['pred']} (p = {r['conf']:.2f}) → "
                f"{r['pred_adv']} (p = {r['conf_adv']:.2f}) with ε = {r['eps']:.2f}: {verdict}; "
                f"largest pixel change {np.abs(r['perturbation']).max():.2f}")

    return Demo(controls, compute, draw, figsize=(9.0, 2.8),
                title="FGSM on one test digit: move ε and pick the image")
