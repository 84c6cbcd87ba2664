"""Which array library runs the maths.

Every numerical routine in coursekit is written against the Python array API standard: it asks
the arrays it is handed for their namespace (``namespace_of``) and calls only what the standard
defines. NumPy is the default; ``array_api_strict`` accepts only the standard, so the tests run on
it to prove nothing NumPy-only slipped in; PyTorch and CuPy arrays (CPU or GPU) work the same way.

Convert to NumPy only at the edges: plotting, loading data, printing (``to_numpy``).
Notebook 09 (vectorization_and_gpus) shows the same model on every backend listed by
``available_backends``.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import array_api_compat
import numpy as np

__all__ = [
    "namespace_of",
    "get_namespace",
    "to_numpy",
    "asarray",
    "Backend",
    "available_backends",
    "default_dtype",
    "one_hot",
]


def namespace_of(*arrays: Any):
    """The array-API namespace of ``arrays`` (NumPy arrays give array_api_compat's numpy).

    Python scalars and ``None`` are ignored. Raises ``TypeError`` in plain words when the inputs
    come from different libraries (a NumPy array mixed with a torch tensor, say).
    """
    arrays = [a for a in arrays if a is not None and not isinstance(a, (int, float, bool, complex))]
    if not arrays:
        return array_api_compat.array_namespace(np.empty(0))
    try:
        return array_api_compat.array_namespace(*arrays)
    except TypeError as err:
        kinds = sorted({type(a).__module__ + "." + type(a).__name__ for a in arrays})
        raise TypeError(
            "These arrays come from different array libraries: " + ", ".join(kinds)
            + ". Move them to one library first, e.g. with coursekit.backend.asarray(x, xp)"
            " or model.to(xp)."
        ) from err


# Shorter alias used across the package.
get_namespace = namespace_of


def to_numpy(x: Any) -> np.ndarray:
    """Copy any array (NumPy, array-api-strict, torch on CPU or GPU, CuPy) to a NumPy array."""
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (int, float, bool, list, tuple)) or np.isscalar(x):
        return np.asarray(x)
    mod = type(x).__module__
    if mod.startswith("torch"):
        return x.detach().cpu().numpy()
    if mod.startswith("cupy"):
        return x.get()
    if mod.startswith("array_api_strict"):
        # array-api-strict supports the buffer protocol on the CPU device only through NumPy.
        return np.asarray(x._array) if hasattr(x, "_array") else np.asarray(x)
    return np.asarray(x)


def asarray(x: Any, xp=None, *, dtype=None, device=None):
    """Put ``x`` (any array or nested list) into namespace ``xp`` on ``device``.

    ``xp`` defaults to NumPy's namespace. Crossing libraries goes through NumPy on the host.
    """
    if xp is None:
        xp = array_api_compat.array_namespace(np.empty(0))
    try:
        same = array_api_compat.array_namespace(x) is xp
    except TypeError:
        same = False
    if not same:
        # C order for the crossing: torch refuses NumPy views with negative strides (x[::-1])
        x = np.ascontiguousarray(to_numpy(x))
    kwargs = {}
    if dtype is not None:
        kwargs["dtype"] = dtype
    if device is not None:
        kwargs["device"] = device
    return xp.asarray(x, **kwargs)


def default_dtype(xp, name: str = "float64"):
    """``xp.float64`` or ``xp.float32`` by name."""
    if name not in ("float64", "float32"):
        raise ValueError(f"dtype must be 'float64' or 'float32', not {name!r}")
    return getattr(xp, name)


def one_hot(y, n_classes: int, dtype=None):
    """(N,) integer labels -> (N, n_classes) one-hot matrix in the labels' namespace.

    Built by comparison with ``arange`` so it works without fancy-index assignment.
    """
    xp = namespace_of(y)
    dtype = dtype if dtype is not None else xp.float64
    classes = xp.arange(n_classes, device=array_api_compat.device(y))
    return xp.astype(xp.reshape(y, (-1, 1)) == xp.reshape(classes, (1, -1)), dtype)


@dataclass(frozen=True)
class Backend:
    """One place the maths can run: a name, an array namespace and a device."""

    name: str
    xp: Any
    device: Any = None
    note: str = ""

    def asarray(self, x, dtype=None):
        return asarray(x, self.xp, dtype=dtype, device=self.device)


def available_backends(include_gpu: bool = True) -> list[Backend]:
    """Every backend installed here: NumPy, array-api-strict, torch CPU (and CUDA), CuPy."""
    out = [Backend("numpy", array_api_compat.array_namespace(np.empty(0)), None, "default")]
    try:
        import array_api_strict as strict

        out.append(Backend("array-api-strict", strict, None, "the standard and nothing else"))
    except ImportError:
        pass
    try:
        torch = importlib.import_module("torch")
        from array_api_compat import torch as xtorch

        out.append(Backend("torch-cpu", xtorch, torch.device("cpu"), f"PyTorch {torch.__version__}"))
        if include_gpu and torch.cuda.is_available():
            out.append(Backend("torch-cuda", xtorch, torch.device("cuda"), torch.cuda.get_device_name(0)))
    except ImportError:
        pass
    if include_gpu:
        try:
            cupy = importlib.import_module("cupy")
            if cupy.cuda.runtime.getDeviceCount() > 0:
                out.append(Backend("cupy", array_api_compat.array_namespace(cupy.empty(0)), None, "CuPy on the GPU"))
        except Exception:  # CuPy missing, or installed without a usable GPU
            pass
    return out
