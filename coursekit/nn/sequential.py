"""A stack of layers applied one after the other (notebook 06).

``Sequential(Dense(2, 16), ReLU(), Dense(16, 3))`` runs forward through the layers in order and
backward through them in reverse, each layer's ``backward`` feeding the one before it: the chain
rule, layer by layer.
"""
from __future__ import annotations


from .base import Layer, ShapeError, describe_shape
from ..backend import default_namespace, resolve_dtype, xp_of

__all__ = ["Sequential"]



_SKIPPERS: tuple = ()


def _skips_input_grad():
    """Layer classes whose backward accepts ``input_grad=False`` (looked up once)."""
    global _SKIPPERS
    if not _SKIPPERS:
        from .conv import Conv2D
        from .dense import Dense

        _SKIPPERS = (Dense, Conv2D, Sequential)
    return _SKIPPERS


class Sequential(Layer):
    """Layers applied in order: forward(x) = layers[-1](...layers[0](x)).

    Parameters
    ----------
    *layers : Layer
        Any objects with ``forward(x, train)``, ``backward(dout)`` and a ``params`` dict.

    Attributes
    ----------
    layers : list
        The layers, in order.
    params, grads : dict
        Every layer's parameters (gradients) under the names ``"<index>.<key>"``, e.g. ``"0.W"``.
        These are fresh dicts built on each access: to change a parameter, assign to
        ``model.layers[i].params[key]``.
    """

    def __init__(self, *layers):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if isinstance(layer, type):
                raise TypeError(f"Sequential got the class {layer.__name__} at position {i}, not a "
                                f"layer: write {layer.__name__}(...) with parentheses.")
            if not (hasattr(layer, "forward") and hasattr(layer, "backward")):
                raise TypeError(f"Sequential expects layers (objects with forward and backward), "
                                f"got {type(layer).__name__} at position {i}.")
        self.layers = list(layers)

    # -- the contract ------------------------------------------------------------------
    def forward(self, x, train: bool = True):
        """x (N, ...) -> the last layer's output. Errors name the failing layer's position."""
        for i, layer in enumerate(self.layers):
            try:
                x = layer.forward(x, train=train)
            except ShapeError as err:
                if len(self.layers) > 1 and not str(err).startswith("layer "):
                    raise ShapeError(f"layer {i} ({layer.name}): {err}") from None
                raise
        return x

    def backward(self, dout, input_grad: bool = True):
        """dout (gradient of the loss w.r.t. the output) -> gradient w.r.t. the input.

        ``input_grad=False`` (what ``fit`` uses) lets a first layer that supports it (Dense,
        Conv2D) skip the gradient with respect to the data, one matrix product per batch (and
        Conv2D's scatter back to the image); returns None.
        """
        layers = self.layers
        if not layers:
            return dout
        for layer in layers[:0:-1]:
            dout = layer.backward(dout)
        first = layers[0]
        if not input_grad and isinstance(first, _skips_input_grad()):
            first.backward(dout, input_grad=False)
            return None
        return first.backward(dout)

    # -- parameters ----------------------------------------------------------------------
    def param_slots(self):
        """Yield (layer, key) for every parameter, in order; nested Sequentials are walked."""
        for layer in self.layers:
            if hasattr(layer, "param_slots"):
                yield from layer.param_slots()
            else:
                for k in getattr(layer, "params", {}):
                    yield layer, k

    def _named(self, attr):
        out = {}
        for i, layer in enumerate(self.layers):
            inner = getattr(layer, attr, {}) or {}
            for k, v in inner.items():
                out[f"{i}.{k}"] = v
        return out

    @property
    def params(self):
        return self._named("params")

    @params.setter
    def params(self, value):  # Layer.__init__ assigns {}; a Sequential's params come from its layers
        if value:
            raise AttributeError("Assign parameters through model.layers[i].params[key].")

    @params.deleter
    def params(self):
        pass

    @property
    def grads(self):
        return self._named("grads")

    @grads.setter
    def grads(self, value):
        pass

    def zero_grad(self) -> None:
        for layer in self.layers:
            if hasattr(layer, "zero_grad"):
                layer.zero_grad()

    def to(self, xp=None, device=None, dtype=None) -> "Sequential":
        """Move every layer to namespace ``xp`` on ``device`` with ``dtype`` ("float32"...).

        ``xp=None`` keeps the current namespace (e.g. ``model.to(dtype="float32")``).
        Returns the model. An optimizer's saved state for it starts afresh.
        """
        if xp is None:
            first = next(iter(self.params.values()), None)
            xp = xp_of(first) if first is not None else default_namespace()
        if dtype is not None:
            dtype = resolve_dtype(xp, dtype)
        for layer in self.layers:
            layer.to(xp, device=device, dtype=dtype)
        self.cache = None
        return self

    def n_params(self) -> int:
        return sum(layer.n_params() if hasattr(layer, "n_params") else 0 for layer in self.layers)

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def __iter__(self):
        return iter(self.layers)

    # -- printing ------------------------------------------------------------------------
    def summary(self) -> str:
        """A table: one row per layer with its parameter shapes and count, then the total."""
        rows = [("#", "layer", "parameters", "count")]
        for i, layer in enumerate(self.layers):
            p = getattr(layer, "params", {}) or {}
            shapes = ", ".join(f"{k}{describe_shape(v.shape)}" for k, v in p.items()) or "-"
            n = layer.n_params() if hasattr(layer, "n_params") else 0
            rows.append((str(i), repr(layer), shapes, f"{n:,}"))
        widths = [max(len(r[c]) for r in rows) for c in range(4)]
        lines = ["  ".join(r[c].ljust(widths[c]) if c < 3 else r[c].rjust(widths[c])
                           for c in range(4)) for r in rows]
        rule = "-" * len(lines[0])
        return "\n".join([lines[0], rule, *lines[1:], rule,
                          f"total: {self.n_params():,} parameters"])

    def __repr__(self) -> str:
        inner = "\n".join(f"  ({i}) {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)  # {self.n_params():,} parameters"
