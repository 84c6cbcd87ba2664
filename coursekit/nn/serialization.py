"""Save and load a model's parameters as a NumPy ``.npz`` file (notebook 06).

The file holds one array per parameter, named ``"<layer index>.<key>"`` (``"0.W"``), plus the
layer class names, so loading into a model of another architecture fails with a clear message.
Non-trainable state a layer keeps in a ``buffers`` dict (BatchNorm's running mean, say) is saved
too, as ``"<index>.buffers.<key>"``. Only arrays are stored: the architecture is rebuilt in code.
"""
from __future__ import annotations

import os
import zipfile

import array_api_compat
import numpy as np

from ..backend import asarray, to_numpy
from ..backend import xp_of

__all__ = ["save", "load"]

_LAYERS_KEY = "__layers__"


def _layers(model):
    return list(getattr(model, "layers", [model]))


def save(model, path) -> str:
    """Write ``model``'s parameters to ``path`` (``.npz`` is added if missing); returns the path."""
    path = os.fspath(path)
    if not path.endswith(".npz"):
        path += ".npz"
    arrays = {}
    for i, layer in enumerate(_layers(model)):
        for k, v in (getattr(layer, "params", {}) or {}).items():
            arrays[f"{i}.{k}"] = to_numpy(v)
        for k, v in (getattr(layer, "buffers", {}) or {}).items():
            arrays[f"{i}.buffers.{k}"] = to_numpy(v)
    arrays[_LAYERS_KEY] = np.array([type(layer).__name__ for layer in _layers(model)])
    np.savez(path, **arrays)
    return path


def load(model, path):
    """Read parameters saved by ``save`` into ``model`` (same architecture); returns ``model``.

    Arrays go to the namespace, device and dtype of the model's current parameters.
    """
    if isinstance(model, (str, os.PathLike)):
        raise TypeError("load(model, path): give the model first, then the file.")
    path = os.fspath(path)
    if not os.path.exists(path) and os.path.exists(path + ".npz"):
        path += ".npz"
    if not os.path.exists(path):
        raise FileNotFoundError(f"No file {path!r}: save(model, path) writes one; check the name "
                                f"and the folder (the notebook runs in {os.getcwd()!r}).")
    not_ours = (f"{path!r} is not a parameter file written by save(model, path) (an .npz archive "
                f"of arrays)")
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):  # a single .npy array
            raise ValueError(f"{not_ours}: it holds a single array. Save the model again.")
        with data:
            stored = {k: data[k] for k in data.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as err:
        if str(err).startswith(not_ours):
            raise
        raise ValueError(f"{not_ours}: NumPy cannot read it as one ({err.__class__.__name__}). "
                         f"Save the model again.") from None
    if not stored:
        raise ValueError(f"{not_ours}: it holds no arrays.")
    names = [str(s) for s in stored.pop(_LAYERS_KEY, np.array([]))]
    layers = _layers(model)
    mine = [type(layer).__name__ for layer in layers]
    if names and names != mine:
        raise ValueError(f"The file was saved from a model with layers {names}, but this model has "
                         f"{mine}: build the same architecture before loading.")
    for i, layer in enumerate(layers):
        for attr, prefix in (("params", f"{i}."), ("buffers", f"{i}.buffers.")):
            target = getattr(layer, attr, None)
            if not target:
                continue
            for k, current in list(target.items()):
                key = prefix + k
                if key not in stored:
                    raise ValueError(f"The file has no array {key!r} for layer {i} "
                                     f"({type(layer).__name__}).")
                value = stored[key]
                if tuple(value.shape) != tuple(current.shape):
                    raise ValueError(f"Layer {i} ({type(layer).__name__}) {k}: the file holds shape "
                                     f"{tuple(value.shape)}, the model expects "
                                     f"{tuple(current.shape)}.")
                target[k] = asarray(value, xp_of(current), dtype=current.dtype,
                                    device=array_api_compat.device(current))
    return model
