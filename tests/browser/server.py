"""Start and stop a JupyterLab server that cannot touch the repository or the user's settings.

The server serves COPIES of the notebooks from a temporary root, keeps its config, settings,
workspaces and runtime files in that temporary directory, and still sees the virtual
environment's kernelspec and lab extensions (jupyterlab_widgets), which live under sys.prefix
and are found through Jupyter's sys.prefix search paths, not through JUPYTER_CONFIG_DIR/DATA_DIR.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# JupyterLab's user settings for the test: every cell stays in the DOM (the default windowing
# removes cells scrolled out of view, which would make "no cell shows an error" unprovable), and
# no news or update toast covers the notebook in the screenshots.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


@dataclass
class LabServer:
    url: str  # http://127.0.0.1:PORT/
    token: str
    root: Path  # the server's root_dir: notebook paths in URLs are relative to it
    process: subprocess.Popen
    log_path: Path

    def lab_url(self, notebook: str) -> str:
        # ?reset: start from an empty workspace, not the tabs an earlier page of the test left open.
        return f"{self.url}lab/tree/{notebook}?reset&token={self.token}"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no server log)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _isolated_env(state: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("config", "data", "runtime", "settings", "workspaces", "ipython", "mpl"):
        (state / name).mkdir(parents=True, exist_ok=True)
    env.update(
        JUPYTER_CONFIG_DIR=str(state / "config"),
        JUPYTER_DATA_DIR=str(state / "data"),
        JUPYTER_RUNTIME_DIR=str(state / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(state / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"),
        IPYTHONDIR=str(state / "ipython"),
        MPLCONFIGDIR=str(state / "mpl"),
        # One BLAS thread per kernel: the machine running CI may have two cores for everything.
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
    )
    # A caller may have set MPLBACKEND=Agg (common in CI); a kernel inheriting it would draw
    # no inline plots, which is exactly what this test must see.
    env.pop("MPLBACKEND", None)
    # The kernel must be the venv's Python with coursekit importable, as in `make lab`.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    for name, value in LAB_SETTINGS.items():
        plugin, _, file = name.rpartition("/")
        target = state / "settings" / plugin / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value))
    return env


def start_lab(root: Path, state: Path, timeout: float = 90.0) -> LabServer:
    """Start `jupyter lab` on 127.0.0.1, a free port and a random token; wait until it answers."""
    token = secrets.token_hex(16)
    port = free_port()
    log_path = state / "server.log"
    cmd = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser", "--allow-root",  # CI runs as root
        "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.open_browser=False",
        # Lets the test ask the running app about the kernel instead of trusting the toolbar.
        "--LabApp.expose_app_in_browser=True",
        # Nothing the test needs and nothing to reach offline: terminals, news, extension manager.
        "--ServerApp.terminals_enabled=False",
        "--LabApp.news_url=",
        "--LabServerApp.extension_manager=readonly",
    ]
    env = _isolated_env(state)  # also creates the state folders, the log's included
    log = open(log_path, "wb")
    process = subprocess.Popen(
        cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so stop_lab can kill all of it
    )
    log.close()
    server = LabServer(f"http://127.0.0.1:{port}/", token, root, process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    stop_lab(server)
    raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{server.log_tail()}")


def stop_lab(server: LabServer) -> None:
    """Shut the server and its kernels down; kill whatever is left, by process id.

    Kernels run in sessions of their own (jupyter_client starts them that way so that an
    interrupt reaches only the kernel), so killing the server's process group is not enough:
    the kernels' pids are collected first and killed one by one if the polite shutdown fails.
    """
    proc = server.process
    if proc.poll() is not None:
        return
    try:
        import psutil  # a dependency of ipykernel, so present wherever JupyterLab runs

        children = psutil.Process(proc.pid).children(recursive=True)
    except Exception:
        children = []
    try:
        req = urllib.request.Request(f"{server.url}api/shutdown?token={server.token}", method="POST")
        urllib.request.urlopen(req, timeout=5).close()
        proc.wait(timeout=15)
    except Exception:
        pass
    if proc.poll() is None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                continue
    for child in children:
        try:
            if child.is_running():
                child.kill()
        except Exception:
            pass
