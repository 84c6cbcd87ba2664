"""Shared fixtures: the array backends every layer, loss and training test runs on."""
from __future__ import annotations


import numpy as np
import pytest

# Draw off-screen in this process only: an environment variable would leak into the kernels
# that nbval, the grader and the browser test start, and a kernel on Agg shows no figures.
import matplotlib  # noqa: E402

matplotlib.use("Agg")


def _backends():
    import array_api_compat

    params = [pytest.param(("numpy", array_api_compat.array_namespace(np.empty(0)), None), id="numpy")]
    try:
        import array_api_strict

        params.append(pytest.param(("array-api-strict", array_api_strict, None), id="strict"))
        # A second, non-default device: array-api-strict refuses to combine arrays from two
        # devices, as PyTorch refuses cuda + cpu. Any array made without device= (a zeros, an
        # arange, a mask from NumPy) lands on the default device and fails here, in CI, without
        # a GPU: the same code path a CUDA run takes.
        params.append(pytest.param(("strict-device1", array_api_strict,
                                    array_api_strict.Device("device1")), id="strict-device1"))
    except ImportError:  # pragma: no cover
        pass
    try:
        import torch
        from array_api_compat import torch as xtorch

        params.append(pytest.param(("torch-cpu", xtorch, torch.device("cpu")), id="torch"))
    except ImportError:
        params.append(pytest.param(("torch-cpu", None, None), id="torch",
                                   marks=pytest.mark.skip(reason="PyTorch is not installed")))
    return params


@pytest.fixture(params=_backends())
def backend(request):
    """(name, xp, device) for NumPy, array-api-strict and (when installed) torch on the CPU."""
    return request.param


@pytest.fixture
def xp(backend):
    return backend[1]


@pytest.fixture(params=["torch-cuda", "cupy"])
def cuda_backend(request):
    """(name, xp, device) for PyTorch on CUDA, then CuPy; each skips cleanly without a GPU."""
    if request.param == "torch-cuda":
        try:
            import torch
            from array_api_compat import torch as xtorch
        except ImportError:
            pytest.skip("PyTorch is not installed")
        if not torch.cuda.is_available():
            pytest.skip("no CUDA GPU here for PyTorch")
        return ("torch-cuda", xtorch, torch.device("cuda"))
    try:
        import cupy
        from array_api_compat import cupy as xcupy

        if cupy.cuda.runtime.getDeviceCount() < 1:
            raise RuntimeError("no device")
    except Exception:  # CuPy missing, or installed without a usable GPU
        pytest.skip("no CuPy with a CUDA GPU here")
    return ("cupy", xcupy, cupy.cuda.Device(0))


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# Tests that grade through the sandbox need bubblewrap: without it they skip and say what to
# install (CI installs it, as it installs Chromium). The modules and tests that grade:
_GRADING_MODULES = {"test_grade.py", "test_course_qa.py", "test_grade_sandbox.py", "test_lms.py",
                    "test_workers.py"}
_GRADING_TESTS = ("round_trip", "heaviest_master")


def pytest_collection_modifyitems(config, items):
    from coursekit.course import sandbox

    why = sandbox.why_unavailable()
    if not why:
        return
    skip = pytest.mark.skip(reason=f"grading sandbox unavailable ({why}): install bubblewrap "
                                   "(sudo apt-get install bubblewrap) to run the grading tests")
    for item in items:
        if item.path.name in _GRADING_MODULES or any(t in item.name for t in _GRADING_TESTS):
            item.add_marker(skip)
