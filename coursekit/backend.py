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
    "default_namespace",
    "xp_of",
    "resolve_dtype",
    "to_numpy",
    "asarray",
    "one_hot",
    "Backend",
    "available_backends",
]


def default_namespace():
    """NumPy's array-API namespace (array_api_compat's numpy): where arrays live by default."""
    return array_api_compat.array_namespace(np.empty(0))


def namespace_of(*arrays: Any):
    """The array-API namespace of ``arrays`` (NumPy arrays give array_api_compat's numpy).

    Python scalars and ``None`` are ignored. Raises ``TypeError`` in plain words when the inputs
    come from different libraries (a NumPy array mixed with a torch tensor, say).
    """
    arrays = [a for a in arrays if a is not None and not isinstance(a, (int, float, bool, complex))]
    if not arrays:
        return default_namespace()
    try:
        return array_api_compat.array_namespace(*arrays)
    except TypeError as err:
        kinds = sorted({type(a).__module__ + "." + type(a).__name__ for a in arrays})
        raise TypeError(
            "These arrays come from different array libraries: " + ", ".join(kinds)
            + ". Move them to one library first, e.g. with coursekit.backend.asarray(x, xp)"
            " or model.to(xp)."
        ) from err


_NAMESPACES: dict[type, object] = {}


def xp_of(x):
    """The array namespace of one array ``x``, cached by type.

    ``namespace_of`` costs a few microseconds per call; layers call this once per forward and
    backward, so the cache keeps the per-batch overhead of ``fit`` small.
    """
    t = type(x)
    xp = _NAMESPACES.get(t)
    if xp is None:
        xp = array_api_compat.array_namespace(x)
        _NAMESPACES[t] = xp
    return xp


def resolve_dtype(xp, dtype):
    """``None`` -> ``xp.float64``; "float32"/"float64" -> the namespace's dtype; dtypes pass through."""
    if dtype is None:
        return xp.float64
    if isinstance(dtype, str):
        if dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', not {dtype!r}")
        return getattr(xp, dtype)
    # NumPy types given for another namespace. Compared by identity: "==" between a NumPy type and
    # array-api-strict's dtype warns (the standard leaves cross-library comparison undefined).
    if dtype is np.float32 or dtype is np.float64 or isinstance(dtype, np.dtype):
        return getattr(xp, np.dtype(dtype).name)
    return dtype


_CLASSES: dict = {}


def one_hot(labels, n_classes: int, dtype=None):
    """(N,) integer labels -> (N, C) one-hot rows: row n is 1 at column labels[n], 0 elsewhere.

    Any array library: rows are compared with 0..C-1 (the array API has no index assignment), and
    the result has ``dtype`` (default float64), on the labels' device. The one place the course
    builds one-hot rows: the losses, notebook 02's softmax gradient and the character RNN's inputs.
    Labels outside 0..C-1 give a row of zeros; callers facing students check the range first.
    """
    xp = xp_of(labels)
    device = getattr(labels, "device", None)
    key = (type(labels), int(n_classes), labels.dtype, str(device))
    classes = _CLASSES.get(key)
    if classes is None:  # one small arange per (library, C, dtype, device), reused every batch
        classes = _CLASSES[key] = xp.arange(int(n_classes), dtype=labels.dtype, device=device)
    return xp.astype(xp.reshape(labels, (-1, 1)) == classes, resolve_dtype(xp, dtype))


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
        xp = default_namespace()
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
    out = [Backend("numpy", default_namespace(), None, "default")]
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
