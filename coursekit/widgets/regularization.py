"""Weight decay, dropout and training-set size against the train/validation gap (notebook 08).

Each change retrains notebook 08's MLP (64 → 128 → 128 → 10, ReLU, He init, plain SGD) on a subset
of the 8×8 digits in which 30% of the labels are wrong, well under a second of work; nothing is
trained or loaded at import.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..plotting.style import color, style_axes
from ._base import STYLE, Demo, slider_layout

__all__ = ["train_regularized", "regularization_explorer", "WEIGHT_DECAYS", "TRAIN_SIZES"]

# Offered on the sliders: weight decay on a log scale (0 first: no decay), training-set sizes.
WEIGHT_DECAYS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3)
TRAIN_SIZES = (120, 240, 480, 960)


def _digits():
    from ..datasets import digits

    return digits(scale="unit")


def train_regularized(weight_decay=0.0, dropout=0.0, n_train=240, *, label_noise=0.3, epochs=100,
                      hidden=(128, 128), data=None, seed=0, lr=0.2, batch_size=30) -> dict:
    """Train an MLP 64 → hidden... → 10 (ReLU, He init, Dropout(p) after each hidden layer when
    p > 0; the network of notebook 08, 2 × 128 units) with plain SGD on the first ``n_train``
    images of a fixed shuffle of the training digits, ``label_noise`` of them given a wrong label
    (``datasets.mislabel``, as notebook 08 does), validating on the true labels every epoch.

    data : a ``DigitsSplit`` (default ``datasets.digits(scale="unit")``); X_val/y_val validate.
    Everything is seeded: the same arguments give the same network.

    Returns a dict with ``model``, ``history`` (``nn.History``: ``loss`` is the training loss
    averaged over each epoch, with dropout active; ``val_loss`` at the end of each epoch),
    ``train_loss``, ``train_accuracy`` (against the labels trained on, wrong ones included),
    ``val_loss``, ``val_accuracy`` of the final network (dropout off), ``gap_loss`` = val_loss −
    train_loss, ``gap_accuracy`` = train − val accuracy, ``best_epoch`` (lowest validation loss,
    from 1), ``weight_norm`` (sum of squared weights) and ``n_train``.
    """
    from .. import nn
    from ..datasets import mislabel
    from ..nn.builders import mlp

    if not 0.0 <= float(dropout) < 1.0:
        raise ValueError(f"dropout p must lie in [0, 1), got {dropout}")
    if float(weight_decay) < 0:
        raise ValueError(f"weight decay must be >= 0, got {weight_decay}")
    data = _digits() if data is None else data
    n_all = len(data.y_train)
    if not 1 <= int(n_train) <= n_all:
        raise ValueError(f"n_train must lie in 1..{n_all}, got {n_train}")
    pick = np.random.default_rng(0).permutation(n_all)[:int(n_train)]
    # the same shuffle and the same wrong labels as lessons.nb08.noisy_subset(seed=0)
    X, (y, _) = data.X_train[pick], mislabel(data.y_train[pick], label_noise, n_classes=10, seed=100)
    loss = nn.SoftmaxCrossEntropy()
    hidden = (hidden,) if np.ndim(hidden) == 0 else tuple(hidden)
    model = mlp([X.shape[1], *[int(h) for h in hidden], 10], "relu", "he_normal", seed=seed, dropout=float(dropout))
    history = nn.fit(model, X, y, loss=loss, optimizer=nn.SGD(lr=lr, weight_decay=float(weight_decay)),
                     epochs=int(epochs), batch_size=batch_size, seed=seed,
                     validation_data=(data.X_val, data.y_val), progress=False)
    tr = nn.evaluate(model, X, y, loss=loss)
    va = nn.evaluate(model, data.X_val, data.y_val, loss=loss)
    weight_norm = sum(float(np.sum(np.asarray(l.params["W"]) ** 2)) for l in model.layers if "W" in l.params)
    return {"model": model, "history": history, "n_train": int(n_train),
            "train_loss": tr["loss"], "train_accuracy": tr["accuracy"],
            "val_loss": va["loss"], "val_accuracy": va["accuracy"],
            "gap_loss": va["loss"] - tr["loss"], "gap_accuracy": tr["accuracy"] - va["accuracy"],
            "best_epoch": int(np.argmin(history.val_loss)) + 1, "weight_norm": weight_norm}


def regularization_explorer(weight_decay=0.0, dropout=0.0, n_train=240, data=None, epochs=100):
    """Sliders for weight decay (log steps, 0 first), dropout p and the training-set size;
    each release retrains and draws training and validation loss per epoch.

    Returns the widget (a ``Demo``; ``.result`` is the latest ``train_regularized``).
    """
    data = _digits() if data is None else data
    controls = {
        "weight_decay": widgets.SelectionSlider(
            options=[(f"{v:g}", v) for v in WEIGHT_DECAYS], value=float(weight_decay),
            description="weight decay λ", continuous_update=False, style=STYLE, layout=slider_layout()),
        "dropout": widgets.FloatSlider(value=dropout, min=0.0, max=0.8, step=0.1, description="dropout p",
                                       continuous_update=False, style=STYLE, layout=slider_layout()),
        "n_train": widgets.SelectionSlider(options=list(TRAIN_SIZES), value=int(n_train),
                                           description="training images", continuous_update=False,
                                           style=STYLE, layout=slider_layout()),
    }

    def compute(weight_decay, dropout, n_train):
        return train_regularized(weight_decay, dropout, n_train, data=data, epochs=epochs)

    def draw(r, v, fig):
        h = r["history"]
        ep = np.arange(1, len(h.loss) + 1)
        ax_l, ax_a = fig.subplots(1, 2)
        ax_l.plot(ep, h.loss, color=color(0), lw=2, label="training (dropout on)")
        ax_l.plot(ep, h.val_loss, color=color(1), lw=2, label="validation")
        ax_l.axvline(r["best_epoch"], color="gray", ls=":", lw=1)
        ax_l.set_yscale("log")
        style_axes(ax_l, f"loss; lowest validation at epoch {r['best_epoch']}", "epoch",
                   "cross-entropy (log scale)")
        ax_l.legend(fontsize="small")
        ax_a.plot(ep, h.accuracy, color=color(0), lw=2, label="training (dropout on)")
        ax_a.plot(ep, h.val_accuracy, color=color(1), lw=2, label="validation")
        ax_a.set_ylim(0, 1.02)
        style_axes(ax_a, f"accuracy; final gap {r['gap_accuracy']:.1%}", "epoch", "accuracy")
        ax_a.legend(fontsize="small", loc="lower right")
        fig.suptitle(f"{r['n_train']} training digits (30% mislabelled), weight decay {v['weight_decay']:g}, "
                     f"dropout {v['dropout']:.1f}")
        return (f"final network: training loss {r['train_loss']:.3f}, validation loss "
                f"{r['val_loss']:.3f} (gap {r['gap_loss']:.3f}); accuracy {r['train_accuracy']:.1%} "
                f"vs {r['val_accuracy']:.1%}; sum of squared weights {r['weight_norm']:.0f}")

    return Demo(controls, compute, draw, figsize=(9.0, 3.6),
                title="Regularisation: weight decay, dropout and data against the gap")
