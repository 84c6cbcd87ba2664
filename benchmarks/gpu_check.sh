#!/usr/bin/env bash
# The GPU proof in one command, for a machine with an NVIDIA GPU (CI has none):
#
#     bash benchmarks/gpu_check.sh            # uses python3; PY=... picks another interpreter
#
# 1. the GPU tests (tests/nn/test_gpu.py: PyTorch CUDA tensors and CuPy arrays) and the device
#    tours of tests/nn/test_devices.py, verbose, with the reason for every skip;
# 2. benchmarks/bench_gpu.py: coursekit on CUDA against PyTorch on CUDA, same work.
#
# It needs PyTorch (or CuPy) built for CUDA, NumPy, scikit-learn, matplotlib, tqdm and pytest,
# plus the two small pure-Python packages array-api-compat and array-api-strict. On a machine
# without a network, bring those two as wheels in .whl/ (git ignores it; fetch them where pip
# works:
#     python3 -m pip download --no-deps -d .whl array-api-compat array-api-strict
# ); this script installs them into a scratch folder when they are missing.
# Exits 0 when no test failed and the benchmark ran or skipped (no GPU), 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

if ! "$PY" -c "import array_api_compat, array_api_strict" 2>/dev/null; then
    if ls .whl/array_api_*.whl >/dev/null 2>&1; then
        "$PY" -m pip install -q --no-index --no-deps --target /tmp/coursekit-site .whl/array_api_*.whl \
            || exit 1
        export PYTHONPATH="$PYTHONPATH:/tmp/coursekit-site"
    else
        echo "gpu_check: array-api-compat and array-api-strict are missing; put their wheels in .whl/" >&2
        exit 1
    fi
fi

"$PY" - <<'EOF'
import numpy, array_api_compat
try:
    import torch
    print(f"PyTorch {torch.__version__}, CUDA available: {torch.cuda.is_available()}"
          + (f" ({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else ""))
except ImportError:
    print("PyTorch: not installed")
try:
    import cupy
    print(f"CuPy {cupy.__version__}, devices: {cupy.cuda.runtime.getDeviceCount()}")
except Exception as err:
    print(f"CuPy: not usable ({type(err).__name__})")
print(f"NumPy {numpy.__version__}, array-api-compat {array_api_compat.__version__}")
EOF

status=0
"$PY" -m pytest -v -rs -o addopts="-p no:cacheprovider --import-mode=importlib" tests/nn/test_gpu.py tests/nn/test_devices.py \
    || status=1
"$PY" benchmarks/bench_gpu.py || status=1
exit $status
