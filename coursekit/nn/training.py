"""The training loop (notebook 06): mini-batch gradient descent, Keras style.

``fit(model, X, y, loss=..., optimizer=..., epochs=..., batch_size=...)`` runs, for every epoch,
a fresh shuffle of the samples, then for each mini-batch: forward, loss, backward, optimizer
step. It returns a ``History`` with one entry per epoch.

Speed: everything that can be checked once (shapes, labels, data placement) is checked before the
first batch; inside the loop there is only the maths and one float per batch (the loss, needed to
stop at once when training diverges). The progress bar moves once per epoch.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import array_api_compat
import numpy as np

from ..backend import asarray, default_namespace
from .base import ShapeError, describe_shape
from ..backend import xp_of

__all__ = ["fit", "predict", "evaluate", "History", "TrainingDivergedError", "inputs_for"]


class TrainingDivergedError(RuntimeError):
    """The loss became NaN or infinite during ``fit``. ``epoch`` and ``batch`` count from 1."""

    def __init__(self, message: str, epoch: int, batch: int, loss: float):
        super().__init__(message)
        self.epoch, self.batch, self.loss = epoch, batch, loss


@dataclass
class History:
    """Per-epoch figures of a ``fit`` run (lists, one entry per epoch run).

    ``loss``/``accuracy``: on the training batches, averaged over the epoch while the weights
    were still changing (as Keras reports them). ``val_loss``/``val_accuracy``: on
    ``validation_data`` at the end of each epoch (empty lists without it). Accuracy entries are
    ``None`` when the targets are not class labels (regression with MSE).
    """

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    epoch_time: list = field(default_factory=list)  # seconds per epoch (shuffle, training, validation)
    stopped_epoch: int | None = None  # set when early stopping ended the run
    best_epoch: int | None = None     # epoch (from 1) whose weights were kept by early stopping

    @property
    def epochs(self) -> list:
        return list(range(1, len(self.loss) + 1))

    @property
    def history(self) -> dict:
        """The lists by name, like Keras's ``history.history``."""
        out = {"loss": self.loss, "accuracy": self.accuracy}
        if self.val_loss:
            out.update(val_loss=self.val_loss, val_accuracy=self.val_accuracy)
        return out

    def __getitem__(self, key):
        return self.history[key]

    def __len__(self):
        return len(self.loss)

    def __repr__(self):
        if not self.loss:
            return "History(no epochs)"
        parts = [f"epochs={len(self.loss)}", f"loss={self.loss[-1]:.4f}"]
        if self.accuracy and self.accuracy[-1] is not None:
            parts.append(f"accuracy={self.accuracy[-1]:.4f}")
        if self.val_loss:
            parts.append(f"val_loss={self.val_loss[-1]:.4f}")
            if self.val_accuracy[-1] is not None:
                parts.append(f"val_accuracy={self.val_accuracy[-1]:.4f}")
        return "History(" + ", ".join(parts) + ")"


# -- helpers -----------------------------------------------------------------------------------
def _placement(model):
    """(xp, device, dtype) of the model's parameters (NumPy float64 for a model without any)."""
    params = getattr(model, "params", {}) or {}
    for p in params.values():
        return xp_of(p), array_api_compat.device(p), p.dtype
    xp = default_namespace()
    return xp, None, xp.float64


def _to_model(X, y, model, what="X"):
    """Put X (float, model dtype) and y (labels stay integer) where the model's parameters are."""
    xp, device, dtype = _placement(model)
    try:
        X = asarray(X, xp, device=device)
        if X.dtype != dtype:
            X = xp.astype(X, dtype)
    except (ValueError, TypeError) as err:
        if isinstance(err, ShapeError):
            raise
        raise TypeError(f"{what} must hold numbers only, one row of features per sample; it "
                        f"could not be turned into a numeric array ({err}). Encode text or "
                        f"categories as numbers first, and give every row the same length."
                        ) from None
    if y is not None:
        y = asarray(y, xp, device=device)
        if xp.isdtype(y.dtype, "bool"):
            y = xp.astype(y, xp.int64)
        elif xp.isdtype(y.dtype, "real floating") and y.dtype != dtype:
            y = xp.astype(y, dtype)
    return xp, X, y


def inputs_for(model, X, y=None):
    """(xp, X, y): inputs X (N, ...) moved to the model's array library, device and float dtype,
    targets y to the same place (labels stay integers; y may be None). What ``fit``, ``predict``
    and ``evaluate`` do first; helpers that call ``model.forward`` themselves use it too, so
    they work on a model moved to a GPU."""
    return _to_model(X, y, model)


def _check_data(X, y, what="X"):
    if len(X.shape) < 2:
        raise ShapeError(f"{what} must have one row per sample, shape (N, features), got "
                         f"{describe_shape(X.shape)}; a single feature column is "
                         f"reshape(x, (-1, 1)).")
    if X.shape[0] == 0:
        raise ShapeError(f"{what} has no samples (shape {describe_shape(X.shape)}).")
    if y is not None and y.shape[0] != X.shape[0]:
        raise ValueError(f"{what} has {X.shape[0]} samples but its targets have {y.shape[0]}: "
                         "give exactly one target per sample.")
    _check_finite(X, what)
    if y is not None:
        _check_finite(y, what.replace("X", "y"))  # "y", "the validation y"


def _check_finite(a, what):
    """A clear error for NaN or inf in the data: otherwise the first loss is NaN and the advice
    would be to lower a learning rate that is not the problem."""
    xp = xp_of(a)
    if not xp.isdtype(a.dtype, "real floating"):
        return
    bad = ~xp.isfinite(a)
    n_bad = int(xp.count_nonzero(bad))
    if n_bad == 0:
        return
    first = int(xp.argmax(xp.astype(xp.reshape(bad, (-1,)), xp.int8)))  # first True, row-major
    index = tuple(int(i) for i in np.unravel_index(first, tuple(a.shape)))
    where = f"sample {index[0]}" + (f", position {index[1:]}" if len(index) > 2 else
                                     f", feature {index[1]}" if len(index) == 2 else "")
    raise ValueError(f"{what} has {n_bad} value{'s' if n_bad > 1 else ''} that "
                     f"{'are' if n_bad > 1 else 'is'} NaN or infinite (the first is "
                     f"{float(a[index])}, in {where}). A network cannot learn from or predict on "
                     f"such values: drop those samples or fill them in (with the feature's mean, "
                     f"say) first.")


def _labels_of_scores(xp, scores, threshold):
    if scores.shape[1] == 1:
        return xp.astype(scores[:, 0] > threshold, xp.int64)
    return xp.argmax(scores, axis=1)


def _target_labels(xp, y):
    """Class labels (N,) from targets, or None when they are not classes (regression)."""
    if xp.isdtype(y.dtype, "integral"):
        return y if len(y.shape) == 1 else None
    values_01 = bool(xp.all((y == 0) | (y == 1)))
    if not values_01:
        return None
    if len(y.shape) == 1 or (len(y.shape) == 2 and y.shape[1] == 1):
        return xp.astype(xp.reshape(y, (-1,)), xp.int64)
    if len(y.shape) == 2:
        return xp.argmax(y, axis=1)  # one-hot rows
    return None


def _default_threshold(model):
    """0.5 when the model ends in a probability (Sigmoid or Step), else 0 (raw scores)."""
    layers = getattr(model, "layers", [model])
    last = type(layers[-1]).__name__ if layers else ""
    return 0.5 if last in ("Sigmoid", "Step") else 0.0


def _batched_forward(model, X, batch_size):
    xp = xp_of(X)
    n = X.shape[0]
    if batch_size is None or batch_size >= n:
        return model.forward(X, train=False)
    outs = [model.forward(X[i:i + batch_size, ...], train=False) for i in range(0, n, batch_size)]
    return xp.concat(outs, axis=0)


def _batch_bounds(n: int, batch_size: int) -> list[tuple[int, int]]:
    """Slices of one epoch. A last batch smaller than half a batch joins the one before it: a
    handful of samples gives a noisy step that can wreck a network at a large learning rate."""
    starts = list(range(0, n, batch_size))
    bounds = [(s, min(s + batch_size, n)) for s in starts]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] < batch_size // 2:
        bounds[-2:] = [(bounds[-2][0], n)]
    return bounds


def _snapshot(model):
    from .optim import param_slots

    return [(layer, k, layer.params[k]) for layer, k in param_slots(model)]


# -- the stages of fit ----------------------------------------------------------------------------
def _check_settings(model, loss, optimizer, epochs, batch_size, early_stopping):
    """(epochs, batch_size) as ints, after the checks that need no data: a mistake in the call is
    reported before any array is touched."""
    epochs, batch_size = int(epochs), int(batch_size)
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    if early_stopping is not None and int(early_stopping) < 1:
        raise ValueError(f"early_stopping is a patience in epochs (>= 1), got {early_stopping}.")
    if isinstance(optimizer, type):
        raise TypeError(f"optimizer must be an optimizer object: write {optimizer.__name__}(lr=0.1) "
                        f"with parentheses.")
    if not hasattr(optimizer, "step"):
        raise TypeError(f"optimizer must be an optimizer such as SGD(lr=0.1), got "
                        f"{type(optimizer).__name__}.")
    if isinstance(loss, type):
        raise TypeError(f"loss must be a loss object: write {loss.__name__}() with parentheses.")
    from .optim import param_slots

    if not param_slots(model):
        raise ValueError(f"{type(model).__name__} has no parameters to train (no Dense, Conv2D or "
                         f"RNN layer): fit would change nothing. Add a layer with weights.")
    return epochs, batch_size


@dataclass
class _TrainingData:
    """The data of one ``fit`` run, in the model's namespace, checked once.

    X (N, ...), y (N,) or (N, K); labels (N,) or None for regression; val is
    (X_val, y_val, labels_val) or None; threshold turns one-output scores into labels.
    """

    xp: object
    X: object
    y: object
    labels: object
    val: tuple | None
    threshold: float


def _prepare_data(model, loss, X, y, validation_data) -> _TrainingData:
    """Move and check the data, and check it against the model and the loss on one sample (with
    the data set's sample count in the messages, not 1), so no batch needs a check."""
    xp, X, y = _to_model(X, y, model)
    _check_data(X, y)
    n = X.shape[0]
    scores = model.forward(X[:1, ...], train=False)
    if hasattr(loss, "check"):
        loss.check(xp.broadcast_to(scores, (n, *scores.shape[1:])), y)
    loss.forward(scores, y[:1, ...])
    if hasattr(loss, "check_targets"):
        loss.check_targets(y, scores.shape[1] if len(scores.shape) > 1 else 1)
    val = None
    if validation_data is not None:
        if len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (X_val, y_val).")
        _, Xv, yv = _to_model(validation_data[0], validation_data[1], model, "the validation X")
        _check_data(Xv, yv, "the validation X")
        val = (Xv, yv, _target_labels(xp, yv))
    return _TrainingData(xp, X, y, _target_labels(xp, y), val, _default_threshold(model))


class _EpochRunner:
    """One pass over the shuffled mini-batches: forward, loss, backward, optimizer step."""

    def __init__(self, model, loss, optimizer, data: _TrainingData, batch_size, seed, shuffle):
        from .sequential import Sequential

        self.model, self.loss, self.optimizer, self.data = model, loss, optimizer, data
        self.loss_step = getattr(loss, "_forward", loss.forward)  # checked once: skip per batch
        self.rng = np.random.default_rng(seed)
        self.shuffle = shuffle
        self.bounds = _batch_bounds(data.X.shape[0], batch_size)
        self.device = array_api_compat.device(data.X)
        # a Sequential need not compute the gradient for its input, which nothing uses
        self.backward_kwargs = {"input_grad": False} if isinstance(model, Sequential) else {}

    def _order(self):
        d, xp = self.data, self.data.xp
        if not self.shuffle:
            return d.X, d.y, d.labels
        perm = xp.asarray(self.rng.permutation(d.X.shape[0]), device=self.device)
        labels = xp.take(d.labels, perm, axis=0) if d.labels is not None else None
        return xp.take(d.X, perm, axis=0), xp.take(d.y, perm, axis=0), labels

    def _step(self, xb, yb, epoch, batch):
        scores = self.model.forward(xb, train=True)
        value = self.loss_step(scores, yb)
        if not math.isfinite(value):
            raise TrainingDivergedError(
                f"Training diverged: the loss became {value} at epoch {epoch}, batch {batch} "
                f"of {len(self.bounds)}. Try a lower learning rate (now "
                f"{getattr(self.optimizer, 'lr', '?')}), standardised inputs, or a smaller "
                f"initialisation.", epoch, batch, value)
        self.model.backward(self.loss.backward(), **self.backward_kwargs)
        self.optimizer.step(self.model)
        return scores, value

    def run(self, epoch, history: History):
        """Train one epoch and append its figures to ``history``."""
        started = time.perf_counter()  # the shuffle is part of the epoch's cost
        d, xp = self.data, self.data.xp
        Xs, ys, ls = self._order()
        total, preds = 0.0, []
        for b, (i, j) in enumerate(self.bounds, start=1):
            scores, value = self._step(Xs[i:j, ...], ys[i:j, ...], epoch, b)
            total += value * (j - i)
            if ls is not None:  # compared with the labels once, at the end of the epoch
                preds.append(_labels_of_scores(xp, scores, d.threshold))
        n = d.X.shape[0]
        history.loss.append(total / n)
        history.accuracy.append(int(xp.count_nonzero(xp.concat(preds) == ls)) / n
                                if ls is not None else None)
        if d.val is not None:
            vl, va = _evaluate(self.model, self.loss, xp, *d.val, d.threshold, None)
            history.val_loss.append(vl)
            history.val_accuracy.append(va)
        history.epoch_time.append(time.perf_counter() - started)


class _EarlyStopping:
    """Keeps the weights of the epoch with the lowest monitored loss (validation loss, else
    training loss) and says when ``patience`` epochs have passed without improvement."""

    def __init__(self, patience: int):
        self.patience = int(patience)
        self.best_loss, self.best_weights, self.best_epoch = math.inf, None, 0

    def should_stop(self, model, history: History, epoch: int) -> bool:
        monitored = history.val_loss[-1] if history.val_loss else history.loss[-1]
        if monitored < self.best_loss:
            self.best_loss, self.best_weights, self.best_epoch = monitored, _snapshot(model), epoch
            return False
        return epoch - self.best_epoch >= self.patience

    def restore(self, history: History):
        if self.best_weights is None:
            return
        for layer, k, p in self.best_weights:
            layer.params[k] = p  # optimizers assign new arrays, so the snapshot is intact
        history.best_epoch = self.best_epoch


class _ProgressBar:
    """The tqdm bar of ``fit`` (a widget in Jupyter, text in a terminal), one tick per epoch;
    does nothing when ``progress`` is False."""

    def __init__(self, progress: bool, epochs: int):
        self.bar = None
        if progress:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=epochs, desc="training", unit="epoch", leave=True)

    def update(self, history: History):
        if self.bar is None:
            return
        post = {"loss": f"{history.loss[-1]:.4f}"}
        if history.accuracy[-1] is not None:
            post["acc"] = f"{history.accuracy[-1]:.3f}"
        if history.val_loss:
            post["val_loss"] = f"{history.val_loss[-1]:.4f}"
        self.bar.set_postfix(post, refresh=False)
        self.bar.update(1)

    def close(self):
        if self.bar is not None:
            self.bar.close()


# -- public API -----------------------------------------------------------------------------------
def fit(model, X, y, *, loss, optimizer, epochs: int = 10, batch_size: int = 32, seed: int = 0,
        validation_data=None, progress: bool = True, early_stopping: int | None = None,
        shuffle: bool = True) -> History:
    """Train ``model`` on (X, y) with mini-batch gradient descent.

    Parameters
    ----------
    model : Sequential or Layer
    X : array (N, ...)
        Inputs, any array library; moved to the model's namespace, device and dtype.
    y : array (N,) of integer labels, or (N, K) targets for MSE
    loss : SoftmaxCrossEntropy, MSE, Hinge (or any object with forward(scores, y), backward())
    optimizer : SGD, Adam (anything with ``step(model)``)
    epochs, batch_size : int
    seed : int
        Seeds the shuffling (a NumPy Generator), so a run is reproducible.
    validation_data : (X_val, y_val), optional
        Evaluated at the end of each epoch.
    progress : bool
        Show a progress bar (tqdm.auto: a widget in Jupyter, text in a terminal).
    early_stopping : int, optional
        Patience: stop when the validation loss (the training loss without validation data) has
        not improved for this many epochs, and put back the best weights.
    shuffle : bool
        Shuffle the samples at every epoch (default True).

    Returns
    -------
    History

    Raises
    ------
    TrainingDivergedError
        When the loss becomes NaN or infinite (names the epoch and batch).
    ShapeError, ValueError
        For data that does not fit the model or the loss, before any training.
    """
    epochs, batch_size = _check_settings(model, loss, optimizer, epochs, batch_size, early_stopping)
    data = _prepare_data(model, loss, X, y, validation_data)
    runner = _EpochRunner(model, loss, optimizer, data, batch_size, seed, shuffle)
    stopper = _EarlyStopping(early_stopping) if early_stopping is not None else None
    history, bar = History(), _ProgressBar(progress, epochs)
    try:
        for epoch in range(1, epochs + 1):
            runner.run(epoch, history)
            bar.update(history)
            if stopper is not None and stopper.should_stop(model, history, epoch):
                history.stopped_epoch = epoch
                break
    finally:
        bar.close()
    if stopper is not None:
        stopper.restore(history)
    return history


def _evaluate(model, loss, xp, X, y, labels, threshold, batch_size):
    scores = _batched_forward(model, X, batch_size)
    value = loss.forward(scores, y) if loss is not None else None
    acc = None
    if labels is not None:
        # counted, then divided in Python: a float32 model still reports 0.965, not 0.9649999737
        hits = int(xp.count_nonzero(_labels_of_scores(xp, scores, threshold) == labels))
        acc = hits / labels.shape[0]
    return value, acc


def predict(model, X, *, threshold: float | None = None, batch_size: int | None = None):
    """Predicted class labels (N,) for inputs X (N, ...), in X's own array library.

    Several outputs: the argmax of each row. One output: 1 where it exceeds ``threshold``
    (default 0.5 after a final Sigmoid or Step, else 0, the sign of a raw score).
    """
    in_xp = xp_of(X) if not isinstance(X, (list, tuple)) else None
    xp, Xm, _ = _to_model(X, None, model)
    _check_data(Xm, None)
    scores = _batched_forward(model, Xm, batch_size)
    t = _default_threshold(model) if threshold is None else float(threshold)
    labels = _labels_of_scores(xp, scores, t)
    if in_xp is not None and in_xp is not xp:
        return asarray(labels, in_xp)
    return labels


def evaluate(model, X, y, *, loss=None, batch_size: int | None = None) -> dict:
    """{"loss": float or None, "accuracy": float or None} of ``model`` on (X, y), train=False."""
    xp, Xm, ym = _to_model(X, y, model)
    _check_data(Xm, ym)
    value, acc = _evaluate(model, loss, xp, Xm, ym, _target_labels(xp, ym),
                           _default_threshold(model), batch_size)
    return {"loss": value, "accuracy": acc}
