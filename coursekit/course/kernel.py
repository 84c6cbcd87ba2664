"""One grading kernel: started in the sandbox (sandbox.py), talked to over IPC, stopped for good.

``new_client`` makes an nbclient client whose kernel starts under the grading limits;
``start_kernel``/``stop_kernel`` start it (again, after a crash) and end it with everything it
started. What the kernel prints is bounded here, in the grader: one cell's stored output stops
growing at ``OUTPUT_LIMIT`` characters, and a single message over ``MESSAGE_LIMIT`` bytes is
refused by ZMQ before it is read, so an answer that prints hundreds of megabytes costs its own
exercise, never the grader's memory.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import zmq
import zmq.asyncio
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient

from ..checks.core import OBSERVATION_MIME, VERDICT_MIME
from . import sandbox as sb

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

#: The only variables of the grader's environment a sandboxed kernel sees (the rest may hold
#: the instructor's secrets). OpenBLAS's two are set on some processors where older OpenBLAS
#: builds compute wrong results; the kernel must compute as the grader's machine does.
PASSED_THROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL")

OUTPUT_LIMIT = 200_000          # characters of text kept per cell (feedback shows far less)
OUTPUT_RECORDS_LIMIT = 2_000    # observation/verdict records kept per cell
MESSAGE_LIMIT = 32 * 1024 * 1024  # bytes: a larger message from the kernel is refused by ZMQ

#: Runs inside the sandbox as ``python -c INNER <nproc> <connection file>``: the process cap is
#: set in the kernel's own user namespace, where the kernel counts only the sandbox's processes.
INNER = (
    "import os, resource, sys\n"
    "n = int(sys.argv[1])\n"
    "if n > 0:\n"
    "    resource.setrlimit(resource.RLIMIT_NPROC, (n, n))\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'ipykernel_launcher', '-f', sys.argv[2]])\n"
)


class GradingKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel starts under the limits, in the sandbox unless told not to."""

    limits = sb.Limits()
    sandboxed = True
    workdir: Path | None = None
    cgroup = ""

    def format_kernel_cmd(self, extra_arguments=None):
        # The kernel is always this interpreter's ipykernel, whatever kernelspecs are installed.
        if not self.sandboxed:
            kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file]
            return sb.launcher_command(kernel, self.limits)
        env = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
        env.update(KERNEL_ENV, PATH=f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin",
                   HOME=sb.SANDBOX_HOME, TMPDIR="/tmp", MPLCONFIGDIR="/tmp/matplotlib",
                   IPYTHONDIR=f"{sb.SANDBOX_HOME}/.ipython", JUPYTER_RUNTIME_DIR=f"{sb.SANDBOX_HOME}/.jupyter",
                   PYTHONDONTWRITEBYTECODE="1", PYTHONNOUSERSITE="1")
        kernel = [sys.executable, "-c", INNER, str(self.limits.processes), self.connection_file]
        bwrap = sb.bwrap_command(kernel, ipc_dir=self.workdir / "ipc", etc_dir=self.workdir / "etc",
                                 limits=self.limits, env=env)
        return sb.launcher_command(bwrap, self.limits, self.cgroup)

    @property
    def pgid(self) -> int | None:
        provisioner = getattr(self, "provisioner", None)
        return getattr(provisioner, "pgid", None)

    def client(self, **kwargs):
        """A client whose sockets refuse any single message over MESSAGE_LIMIT bytes."""
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, MESSAGE_LIMIT)
        kc = super().client(context=context, **kwargs)
        kc._created_context = True  # the client terminates it when its channels stop
        return kc


class GradingClient(NotebookClient):
    """nbclient's client: remembers a timeout, bounds what each cell's outputs may hold."""

    timed_out = False
    limits = sb.Limits()
    sandboxed = True
    protected: tuple = ()
    on_kernel_start = None
    _kept: dict

    async def _async_handle_timeout(self, timeout, cell=None):
        self.timed_out = True
        return await super()._async_handle_timeout(timeout, cell)

    def output(self, outs, msg, display_id, cell_index):
        kept = self.__dict__.setdefault("_kept", {})
        chars, records, cut = kept.get(cell_index, (0, 0, False))
        content = msg.get("content", {})
        data = content.get("data") or {}
        if OBSERVATION_MIME in data or VERDICT_MIME in data:
            if records >= OUTPUT_RECORDS_LIMIT:
                return None
            kept[cell_index] = (chars, records + 1, cut)
            return super().output(outs, msg, display_id, cell_index)
        size = len(content.get("text", "")) + sum(len(str(v)) for v in data.values())
        if chars + size > OUTPUT_LIMIT:
            if not cut:
                kept[cell_index] = (chars, records, True)
                outs.append({"output_type": "stream", "name": "stderr",
                             "text": f"\n[output cut: this cell printed more than {OUTPUT_LIMIT:,} "
                                     "characters]\n"})
            return None
        kept[cell_index] = (chars + size, records, cut)
        return super().output(outs, msg, display_id, cell_index)

    def forget_outputs(self, cell_index: int) -> None:
        """Start counting a cell's output afresh (it is about to run again)."""
        self.__dict__.setdefault("_kept", {}).pop(cell_index, None)


def kill_process_group(pgid: int | None) -> None:
    """SIGKILL a kernel's whole process group (the kernel and anything it started)."""
    if not pgid or pgid <= 1 or pgid == os.getpgid(0):
        return
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def new_client(nb, *, timeout: float, memory_mb: int, cwd: str, sandboxed: bool = True,
               on_kernel_start=None) -> GradingClient:
    """A client for ``nb`` with a capped kernel; start it with ``start_kernel(client)``.

    cwd: the kernel's working directory when not sandboxed (in the sandbox: its private /tmp).
    """
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
    client.sandboxed = sandboxed
    client.limits = sb.Limits(memory_bytes=int(memory_mb) * 1024 * 1024 if memory_mb else 0)
    return client


async def start_kernel(client: GradingClient) -> None:
    """Start (or start again) the client's kernel with the grading environment."""
    # A fresh manager each time: a manager that shut its kernel down has closed its ZMQ context.
    km = GradingKernelManager(kernel_name="python3")
    km.limits, km.sandboxed = client.limits, client.sandboxed
    env = dict(os.environ)  # the launcher's; bwrap gives the sandboxed kernel only its own
    if client.sandboxed:
        # A short path: IPC socket names must fit in 107 bytes. A new folder for every start,
        # since the last one was sealed against writes.
        km.workdir = Path(tempfile.mkdtemp(prefix="ck-"))
        (km.workdir / "ipc").mkdir()
        sb.write_etc(km.workdir / "etc")
        km.transport, km.ip = "ipc", str(km.workdir / "ipc" / "k")
        km.connection_file = str(km.workdir / "ipc" / "kernel.json")
        km.cgroup = sb.make_pids_cgroup(f"coursekit-{uuid.uuid4().hex[:12]}", client.limits.processes)
        # bwrap starts the kernel in a session of its own, which a SIGINT to bwrap's process
        # group does not reach: interrupt through the kernel's control channel instead.
        km.kernel_spec.interrupt_mode = "message"
    else:
        env.update(KERNEL_ENV)
    client.km = km
    # The kernel's own stdout/stderr carry only start-up chatter; cell output goes over ZMQ.
    await client.async_start_new_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    await client.async_start_new_kernel_client()
    # ZMQ drops the output connection for good when the kernel sends a message over the limit;
    # this monitor tells the runner, which then stops that kernel (runner.py).
    client.iopub_monitor = client.kc.iopub_channel.socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)
    if client.sandboxed:
        sb.seal_ipc_dir(km.workdir / "ipc")
    if client.on_kernel_start is not None:
        client.on_kernel_start(km.pgid)


async def output_lost(client: GradingClient) -> bool:
    """Has the kernel's output connection been dropped (a message over MESSAGE_LIMIT)?"""
    monitor = getattr(client, "iopub_monitor", None)
    return monitor is not None and bool(await monitor.poll(0))


async def stop_kernel(client: GradingClient) -> None:
    """Shut the kernel down and kill its process group, whatever state it is in."""
    km = client.km
    pgid = km.pgid if km is not None else None
    monitor, client.iopub_monitor = getattr(client, "iopub_monitor", None), None
    if monitor is not None:
        try:
            client.kc.iopub_channel.socket.disable_monitor()
        except Exception:
            pass
        monitor.close(linger=0)
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
            sb.remove_cgroup(getattr(km, "cgroup", ""))
            if getattr(km, "workdir", None) is not None:
                shutil.rmtree(km.workdir, ignore_errors=True)
        client.kc = None
