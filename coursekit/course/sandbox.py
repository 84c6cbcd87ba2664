"""The grading sandbox: the bubblewrap command line that every grading kernel starts under.

A student's code runs as a Jupyter kernel inside ``bwrap`` (bubblewrap: unprivileged Linux
namespaces, no daemon). Seen from inside, the sandbox lets through only this, and why:

- **Read-only**: ``/usr`` and the ``/bin``, ``/lib*``, ``/sbin`` links into it (the C library and
  the interpreter's shared libraries); the interpreter's prefix, the virtual environment and every
  site-packages folder (Python and the installed packages the notebooks import); the ``coursekit``
  package folder itself (an editable install points into the repository: only the package folder
  is bound, never the repository around it, so ``solutions/`` stays out); ``/etc/ld.so.cache``
  and a ``/etc/passwd`` naming the sandbox's one user. Nothing else of the host: not the masters,
  not ``--out``, not the submissions, not the job files, not any home directory.
- **Writable**: ``/tmp``, a size-capped tmpfs private to this kernel (also its working directory
  and ``HOME``), gone when the kernel stops; and the folder of the kernel's IPC sockets, which
  must be shared with the grader (ZMQ creates the sockets there). When the grader runs as root
  that folder is handed to another owner as soon as the kernel has bound its sockets, so the
  kernel can no longer write to it.
- **Namespaces**: new user (one unprivileged uid, no capabilities, no nested namespaces), PID
  (the kernel and what it starts only; ``/proc`` is fresh), network (no interface but an unused
  loopback: the host, its loopback included, is unreachable, so the kernel's channels are IPC
  sockets, not TCP), IPC, UTS and cgroup.
- **Lifetime**: ``--die-with-parent`` and a PID namespace: when the kernel's launcher is killed,
  everything started inside dies with it, double-forked ``setsid`` daemons included;
  ``--new-session`` keeps the kernel off the grader's terminal.
- **Limits** (set before bwrap starts, inherited by all inside): address space (``--memory``),
  file size, core dumps off, a process count; as root, where a ``pids`` cgroup can be made, the
  process count is also enforced there (the kernel ignores RLIMIT_NPROC for root's uid).

``check_available()`` proves that bwrap can start such a sandbox on this machine, or raises
SandboxUnavailable with the reason and what to do; the grader never falls back silently.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import site
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

#: The sandbox's one user (``nobody``): an unprivileged uid inside the user namespace.
SANDBOX_UID = 65534
SANDBOX_HOME = "/tmp/home"
SANDBOX_WORKDIR = "/tmp/work"


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces here; the message says what to do."""


@dataclass(frozen=True)
class Limits:
    """What one sandboxed kernel may use. 0 means no limit for ``memory_bytes``."""

    memory_bytes: int = 0
    tmp_bytes: int = 256 * 1024 * 1024
    file_bytes: int = 64 * 1024 * 1024
    processes: int = 64


def bwrap_executable() -> str | None:
    return shutil.which("bwrap")


def _host_links() -> list[str]:
    """/bin, /lib, /lib64, /sbin as on the host: links into /usr (merged /usr) or folders."""
    args = []
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
    return args


def package_folder() -> Path:
    """The installed ``coursekit`` package folder (for an editable install, inside the repo)."""
    spec = importlib.util.find_spec("coursekit")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def python_paths() -> list[Path]:
    """Folders the interpreter and the installed packages live in, outermost first, no repeats."""
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  *site.getsitepackages(), sysconfig.get_paths()["stdlib"],
                  os.path.dirname(os.path.realpath(sys.executable))]
    if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
        candidates.append(site.getusersitepackages())
    candidates.append(str(package_folder()))
    paths: list[Path] = []
    for c in sorted({Path(p).resolve() for p in candidates if p and os.path.isdir(p)},
                    key=lambda p: len(p.parts)):
        if not any(p == c or p in c.parents for p in paths) and not _under_usr(c):
            paths.append(c)
    return paths


def _under_usr(path: Path) -> bool:
    return path == Path("/usr") or Path("/usr") in path.parents


def readonly_paths() -> list[Path]:
    """Everything bound read-only into the sandbox (besides /usr and the /etc files)."""
    return python_paths()


def refuse_overlap(protected: list[Path]) -> None:
    """Refuse to start a sandbox that would show a protected folder (masters, --out, submissions)."""
    bound = [Path("/usr"), *readonly_paths()]
    for prot in protected:
        prot = Path(prot).resolve()
        for b in bound:
            if prot == b or b in prot.parents:
                raise SandboxUnavailable(
                    f"{prot} lies inside {b}, which the grading sandbox must show to student code "
                    "(it holds Python or the installed packages); move it elsewhere and grade again")


def bwrap_command(kernel_argv: list[str], *, ipc_dir: Path, etc_dir: Path, limits: Limits,
                  env: dict[str, str]) -> list[str]:
    """The full command line: ``bwrap [options] -- kernel_argv``, run by ``launcher_command``.

    ipc_dir: the host folder of the kernel's connection file and IPC sockets, bound read-write
    at the same path. etc_dir: a host folder with the sandbox's ``passwd`` and ``group`` files.
    env: the kernel's whole environment (bwrap clears the grader's).
    """
    ipc = str(Path(ipc_dir).resolve())
    cmd = [bwrap_executable() or "bwrap",
           "--unshare-all", "--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
           "--disable-userns", "--cap-drop", "ALL",
           "--die-with-parent", "--new-session",
           "--ro-bind", "/usr", "/usr", *_host_links(),
           # /tmp first: a course installed under /tmp (a clone in CI) is bound on top of it.
           "--size", str(int(limits.tmp_bytes)), "--tmpfs", "/tmp",
           "--dir", SANDBOX_HOME, "--dir", SANDBOX_WORKDIR]
    for path in readonly_paths():
        cmd += ["--ro-bind", str(path), str(path)]
    cmd += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--ro-bind", str(Path(etc_dir) / "passwd"), "/etc/passwd",
            "--ro-bind", str(Path(etc_dir) / "group"), "/etc/group",
            "--proc", "/proc", "--dev", "/dev"]
    fontlist = _matplotlib_fontlist()
    if fontlist is not None:  # saves every kernel a second of font scanning
        cmd += ["--dir", "/tmp/matplotlib", "--ro-bind", str(fontlist), f"/tmp/matplotlib/{fontlist.name}"]
    cmd += ["--bind", ipc, ipc, "--chdir", SANDBOX_WORKDIR, "--clearenv"]
    for key, value in sorted(env.items()):
        cmd += ["--setenv", key, value]
    return cmd + ["--", *kernel_argv]


#: Run as ``python -c LAUNCHER <limits...> <cgroup or ''> -- <bwrap command>``: set the rlimits,
#: join the pids cgroup, then become bwrap, so that everything inside inherits all of them.
LAUNCHER = (
    "import os, resource, sys\n"
    "mem, fsize, nproc, cgroup = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]\n"
    "if mem > 0:\n"
    "    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))\n"
    "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
    "resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))\n"
    "if cgroup:\n"
    "    with open(os.path.join(cgroup, 'cgroup.procs'), 'w') as f:\n"
    "        f.write(str(os.getpid()))\n"
    "os.execv(sys.argv[6], sys.argv[6:])\n"
)


def launcher_command(bwrap_cmd: list[str], limits: Limits, cgroup: str = "") -> list[str]:
    return [sys.executable, "-c", LAUNCHER, str(int(limits.memory_bytes)), str(int(limits.file_bytes)),
            str(int(limits.processes)), cgroup, "--", *bwrap_cmd]


def write_etc(etc_dir: Path) -> None:
    """The passwd and group files of the sandbox's one user."""
    etc_dir = Path(etc_dir)
    etc_dir.mkdir(parents=True, exist_ok=True)
    (etc_dir / "passwd").write_text(f"student:x:{SANDBOX_UID}:{SANDBOX_UID}:student:{SANDBOX_HOME}:/bin/sh\n")
    (etc_dir / "group").write_text(f"student:x:{SANDBOX_UID}:\n")


@functools.lru_cache(maxsize=1)
def _matplotlib_fontlist() -> Path | None:
    """The grader's matplotlib font cache (built here once), to show read-only to kernels."""
    try:
        import matplotlib
        from matplotlib import font_manager  # noqa: F401  (builds the cache when missing)
        found = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-v*.json"))
        return found[-1].resolve() if found else None
    except Exception:
        return None


# -- the pids cgroup (root only) ---------------------------------------------------------------
def _pids_root() -> Path | None:
    """Where pids cgroups can be made: cgroup v1's pids hierarchy, or v2 with pids enabled."""
    v1 = Path("/sys/fs/cgroup/pids")
    if (v1 / "cgroup.procs").exists() and os.access(v1, os.W_OK):
        return v1
    v2 = Path("/sys/fs/cgroup")
    try:
        if "pids" in (v2 / "cgroup.subtree_control").read_text() and os.access(v2, os.W_OK):
            return v2
    except OSError:
        pass
    return None


def make_pids_cgroup(name: str, processes: int) -> str:
    """A cgroup capping the number of processes, or '' where none can be made (not root)."""
    if os.geteuid() != 0:
        return ""
    root = _pids_root()
    if root is None:
        return ""
    path = root / name
    try:
        path.mkdir(exist_ok=True)
        (path / "pids.max").write_text(str(int(processes)))
    except OSError:
        return ""
    return str(path)


def remove_cgroup(path: str) -> None:
    if not path:
        return
    procs = Path(path) / "cgroup.procs"
    try:
        for pid in procs.read_text().split():
            try:
                os.kill(int(pid), 9)
            except (ProcessLookupError, ValueError):
                pass
        os.rmdir(path)
    except OSError:
        pass  # still draining: the PID namespace ends those processes anyway


def seal_ipc_dir(ipc_dir: Path) -> None:
    """After the kernel bound its sockets: as root, give the folder away so it is not writable."""
    if os.geteuid() == 0:
        try:
            os.chmod(ipc_dir, 0o755)
            os.chown(ipc_dir, SANDBOX_UID + 1, SANDBOX_UID + 1)
        except OSError:
            pass


# -- can it run here? --------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def why_unavailable() -> str:
    """'' when a sandbox starts here, else why not."""
    exe = bwrap_executable()
    if exe is None:
        return "bubblewrap (`bwrap`) is not installed"
    import tempfile
    with tempfile.TemporaryDirectory(prefix="ck-probe-") as tmp:
        write_etc(Path(tmp) / "etc")
        (Path(tmp) / "ipc").mkdir()
        cmd = bwrap_command([sys.executable, "-c", "print('sandbox ok')"], ipc_dir=Path(tmp) / "ipc",
                            etc_dir=Path(tmp) / "etc", limits=Limits(), env={"PATH": "/usr/bin:/bin"})
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"bubblewrap could not start: {err}"
    if done.returncode != 0 or "sandbox ok" not in done.stdout:
        reason = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return f"bubblewrap cannot create a sandbox here ({reason})"
    return ""


def check_available() -> None:
    """Raise SandboxUnavailable with what to do when grading kernels cannot be sandboxed here."""
    if not sys.platform.startswith("linux"):
        why = f"the grading sandbox needs Linux namespaces, and this is {sys.platform}"
    else:
        why = why_unavailable()
    if why:
        raise SandboxUnavailable(
            f"{why}. Student code would run with your files, processes and network. Install "
            "bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; Fedora: `sudo dnf install "
            "bubblewrap`) on a Linux machine that allows unprivileged user namespaces, or grade in a "
            "Linux VM; or pass --no-sandbox to grade anyway, and every grade will say it was made "
            "without a sandbox.")
