"""A kernel for untrusted code: memory cap, one thread per BLAS, its own process group.

The limits are set in the kernel process itself, by a tiny launcher that calls ``setrlimit``
and then ``exec``s ipykernel, so they hold for everything the student's code starts. They are
not a sandbox (DESIGN.md): the network and the file system stay open. What they guarantee is
that an allocation loop fails with MemoryError (or kills only the kernel) and that, when the
process group is killed at the end, nothing the submission started outlives its grading.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient

# Runs as ``python -c LAUNCHER <bytes> -f <connection file>``: cap the address space, then
# become the kernel (exec keeps the pid, so the process group and the limit stay with it).
LAUNCHER = (
    "import os, resource, sys\n"
    "limit = int(sys.argv[1])\n"
    "if limit > 0:\n"
    "    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'ipykernel_launcher'] + sys.argv[2:])\n"
)

#: Environment of a grading kernel. One BLAS/OpenMP thread: each thread reserves address space,
#: and a capped kernel with many threads fails at start-up (DESIGN.md). Two malloc arenas: glibc
#: otherwise reserves 64 MB of address space for each thread that allocates (up to 8 per CPU the
#: machine shows, which in a container can be the host's), and the cap counts reservations, not
#: use. Without it notebook 09's kernel (PyTorch loaded) peaks at 1.56 GB of a 2 GB cap and dies
#: under a 1 GB cap; with it, 1.04 GB, and it runs under 600 MB.
KERNEL_ENV = {
    "COURSEKIT_GRADING": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
    "MPLBACKEND": "Agg",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


class LimitedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel starts under an RLIMIT_AS of ``memory_bytes`` (0: none)."""

    memory_bytes = 0

    def format_kernel_cmd(self, extra_arguments=None):
        # The kernel is always this interpreter's ipykernel, whatever kernelspecs are installed.
        return [sys.executable, "-c", LAUNCHER, str(int(self.memory_bytes)), "-f",
                self.connection_file] + list(extra_arguments or [])

    @property
    def pgid(self) -> int | None:
        provisioner = getattr(self, "provisioner", None)
        return getattr(provisioner, "pgid", None)


class GradingClient(NotebookClient):
    """nbclient's client, remembering whether the last cell ran past its time limit."""

    timed_out = False
    memory_bytes = 0
    on_kernel_start = None

    async def _async_handle_timeout(self, timeout, cell=None):
        self.timed_out = True
        return await super()._async_handle_timeout(timeout, cell)


def kill_process_group(pgid: int | None) -> None:
    """SIGKILL a kernel's whole process group (the kernel and anything it started)."""
    if not pgid or pgid <= 1 or pgid == os.getpgid(0):
        return
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def new_client(nb, *, timeout: float, memory_mb: int, cwd: str, on_kernel_start=None) -> GradingClient:
    """A client for ``nb`` with a capped kernel; start it with ``start_kernel(client, ...)``."""
    client = GradingClient(
        nb,
        timeout=int(max(1, round(timeout))),
        interrupt_on_timeout=True,
        allow_errors=True,
        # After interrupting a runaway cell, end it at once with this error instead of waiting
        # for a reply that an uninterruptible loop never sends.
        error_on_timeout={"ename": "TimeoutError",
                          "evalue": f"the cell ran longer than {timeout:g} s and was interrupted",
                          "traceback": []},
        iopub_timeout=2,
        startup_timeout=60,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": cwd}},
    )
    client.on_kernel_start = on_kernel_start
    client.memory_bytes = int(memory_mb) * 1024 * 1024 if memory_mb else 0
    return client


async def start_kernel(client: GradingClient) -> None:
    """Start (or start again) the client's kernel with the grading environment."""
    env = dict(os.environ)
    env.update(KERNEL_ENV)
    # A fresh manager each time: a manager that shut its kernel down has closed its ZMQ context.
    client.km = LimitedKernelManager(kernel_name="python3")
    client.km.memory_bytes = client.memory_bytes
    # The kernel's own stdout/stderr carry only start-up chatter; cell output goes over ZMQ.
    await client.async_start_new_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    await client.async_start_new_kernel_client()
    if client.on_kernel_start is not None:
        client.on_kernel_start(client.km.pgid)


async def stop_kernel(client: GradingClient) -> None:
    """Shut the kernel down and kill its process group, whatever state it is in."""
    km = client.km
    pgid = km.pgid if km is not None else None
    try:
        if client.kc is not None:
            await ensure_async(client.kc.stop_channels())
        if km is not None and km.has_kernel:
            await ensure_async(km.shutdown_kernel(now=True))
    except Exception:
        pass  # a dead or wedged kernel: the kill below settles it
    finally:
        kill_process_group(pgid)
        if km is not None:
            try:
                await ensure_async(km.cleanup_resources())
            except Exception:
                pass
        client.kc = None
