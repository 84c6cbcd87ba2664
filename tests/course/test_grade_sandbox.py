"""The grading sandbox, attacked from inside real grading kernels, one submission per attack class.

Every attack is graded in one batch with a correct submission (``honest``), from a copy of the
fixture master. An attack that finds what it looks for uses it to score (it execs the master's
solution, or forges a record); one that finds nothing raises ``ATTACK-RAN <class>: <what it
saw>``, so each test first proves that its attack ran (the message is in the record) and then
that it gained nothing. Expected points are per exercise (99.add 1, 99.square 2, 99.mean 1).
"""
from __future__ import annotations

import copy
import csv
import hashlib
import json
import os
import shutil
import socket
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from _course_fixture import MASTER, solved_lecture
from _course_fixture import answer as _answer

from coursekit.course import sandbox
from coursekit.course.cli import main
from coursekit.course.records import record_path

pytestmark = pytest.mark.notebooks  # and skipped without bubblewrap (conftest.py)

TIMEOUT = 5
FULL = {"99.add": 1, "99.square": 2, "99.mean": 1}
NO_ADD = {"99.add": 0, "99.square": 2, "99.mean": 1}
DAEMON_MARK = f"ckdaemon{uuid.uuid4().hex[:10]}"
DIE_ONCE_COMM = "ck-die-once"
WRONG_ADD = "def add(a, b):\n    return a - b\n"

# The master's solution of 99.add, which a successful snoop would exec.
SOLVE_FROM = '''
def _solve_from(text):
    import json
    nb = json.loads(text)
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if src.startswith("# EXERCISE 99.add"):
            exec(src, globals())
            return True
    return False
'''


def _attack(name: str, code: str) -> str:
    """An answer to 99.add that runs ``code`` (which sets ``seen``, a list of strings, and
    returns early by ``found = True`` when it solved the exercise by cheating)."""
    return (SOLVE_FROM + "seen, found = [], False\n" + code +
            f"\nif not found:\n    raise RuntimeError('ATTACK-RAN {name}: ' + ' | '.join(map(str, seen))[:1500])\n")


def _attacks(paths: dict[str, str], port: int) -> dict[str, tuple[str, str]]:
    """student -> (exercise attacked, answer source)."""
    return {
        "proc_snoop": ("99.add", _attack("proc_snoop", '''
import os
pids = sorted(p for p in os.listdir("/proc") if p.isdigit())
seen.append(f"{len(pids)} processes")
for pid in pids + ["self", str(os.getppid())]:
    for what in ("cmdline", "environ"):
        try:
            text = open(f"/proc/{pid}/{what}", "rb").read().replace(b"\\0", b" ").decode()
        except OSError as err:
            seen.append(f"{pid}/{what}: {type(err).__name__}")
            continue
        seen.append(f"{pid}/{what}: {text[:160]}")
        for word in text.split():
            if word.endswith((".json", ".ipynb")) and os.path.exists(word) and not found:
                try:
                    job = json.load(open(word)) if word.endswith(".json") else None
                    master = job.get("master") if isinstance(job, dict) else word
                    found = bool(master) and _solve_from(open(master).read())
                except Exception as err:
                    seen.append(f"{word}: {type(err).__name__}")
    for link in ("cwd", "root"):
        try:
            seen.append(f"{pid}/{link} -> {os.readlink(f'/proc/{pid}/{link}')}")
        except OSError as err:
            seen.append(f"{pid}/{link}: {type(err).__name__}")
''')),
        "fs_walk": ("99.add", _attack("fs_walk", '''
import os, time
count, notebooks, start = 0, [], time.monotonic()
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(root, d) not in ("/proc", "/sys", "/dev")]
    count += len(files)
    for f in files:
        if f.endswith(".ipynb") or f in ("job.json", "grades.csv"):
            notebooks.append(os.path.join(root, f))
            try:
                text = open(os.path.join(root, f)).read()
                if "BEGIN SOLUTION" in text and "99.add" in text and not found:
                    found = _solve_from(text)
            except Exception:
                pass
    if time.monotonic() - start > 3:
        seen.append("stopped walking after 3 s")
        break
seen.append(f"walked {count} files; notebooks and job files: {notebooks[:20]}")
''')),
        "known_paths": ("99.add", _attack("known_paths", f'''
import os, pathlib, glob, coursekit
guesses = {sorted(paths.values())!r} + [
    str(pathlib.Path(coursekit.__file__).resolve().parents[1] / "tests/fixtures/course/solutions/99_demo.ipynb"),
    str(pathlib.Path(coursekit.__file__).resolve().parents[1] / "solutions"),
    "../solutions/99_demo.ipynb", "../../solutions/99_demo.ipynb", os.path.expanduser("~"),
    "/root", "/home"]
for g in guesses:
    try:
        if os.path.isdir(g):
            seen.append(f"{{g}}: listed {{sorted(os.listdir(g))[:8]}}")
            for p in glob.glob(os.path.join(g, "**", "*.*"), recursive=True)[:200]:
                try:
                    found = found or _solve_from(open(p).read())
                except Exception:
                    pass
        else:
            found = found or _solve_from(open(g).read())
            seen.append(f"{{g}}: read")
    except Exception as err:
        seen.append(f"{{g}}: {{type(err).__name__}}")
''')),
        "forge_record": ("99.add", _attack("forge_record", f'''
import json, os
forged = {{"student": "honest", "notebook": "99_demo.ipynb", "status": "ok", "sandbox": True,
          "exercises": [{{"id": "99.add", "points": 1000, "max_points": 1, "status": "ok", "message": "FORGED"}}]}}
for path in {[paths["records"] + "/honest__99_demo.json", paths["records"] + "/forge_record__99_demo.json"]!r}:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        json.dump(forged, open(path, "w"))
        seen.append(f"{{path}}: written")
    except Exception as err:
        seen.append(f"{{path}}: {{type(err).__name__}}")
''')),
        "network": ("99.add", _attack("network", f'''
import socket
for host in ("127.0.0.1", "localhost", "::1"):
    try:
        s = socket.create_connection((host, {port}), timeout=2)
        s.sendall(b"STOLEN ANSWER")
        s.close()
        seen.append(f"{{host}}: sent")
    except Exception as err:
        seen.append(f"{{host}}: {{type(err).__name__}} {{err}}")
''')),
        "daemon": ("99.add", _attack("daemon", f'''
import os, sys
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(120)", "{DAEMON_MARK}"])
    os._exit(0)
os.waitpid(pid, 0)
import time; time.sleep(0.5)
alive = [p for p in os.listdir("/proc") if p.isdigit() and b"{DAEMON_MARK}" in open(f"/proc/{{p}}/cmdline", "rb").read()]
seen.append(f"daemon started, alive as pid {{alive}}")
''')),
        "fork_bomb": ("99.add", _attack("fork_bomb", '''
import os, time
children = []
try:
    for _ in range(500):
        pid = os.fork()
        if pid == 0:
            time.sleep(3)
            os._exit(0)
        children.append(pid)
except OSError as err:
    seen.append(f"fork refused after {len(children)} processes ({err.strerror})")
else:
    seen.append(f"forked all {len(children)}")
for pid in children:
    os.waitpid(pid, 0)
''')),
        "disk_fill": ("99.add", _attack("disk_fill", '''
import os
block = b"x" * (1 << 20)
for name, limit in (("one_big_file", 200), ("/tmp/many", 400)):
    written = 0
    try:
        if name == "one_big_file":
            with open(name, "wb") as f:
                for _ in range(limit):
                    f.write(block); f.flush(); written += 1
        else:
            for i in range(limit // 32):
                with open(f"{name}{i}", "wb") as f:
                    for _ in range(32):
                        f.write(block); f.flush(); written += 1
    except OSError as err:
        seen.append(f"{name}: stopped at {written} MB ({err.strerror})")
    else:
        seen.append(f"{name}: wrote all {written} MB")
for f in os.listdir("."):
    os.remove(f)
for f in os.listdir("/tmp"):
    if f.startswith("many"):
        os.remove("/tmp/" + f)
''')),
        "output_flood": ("99.add", "for _ in range(40):\n    print('x' * 1_000_000)\n"
                                   "print('y' * 40_000_000)\n" + "def add(a, b):\n    return a + b\n"),
        # Changing IPython's execution machinery to fabricate observations: each is detected.
        "input_transformer": ("99.add", WRONG_ADD + (
            "get_ipython().input_transformers_cleanup.append(\n"
            "    lambda lines: [l.replace('add(', '(lambda a, b: a + b)(') for l in lines])\n")),
        "ast_transformer": ("99.add", WRONG_ADD + (
            "import ast\nclass Fix(ast.NodeTransformer):\n"
            "    def visit_Name(self, node):\n"
            "        return ast.copy_location(ast.Name('right_add', node.ctx), node) if node.id == 'add' else node\n"
            "right_add = lambda a, b: a + b\nget_ipython().ast_transformers.append(Fix())\n")),
        "pre_run_cell": ("99.add", WRONG_ADD + (
            "def swap(*args):\n    globals()['add'] = lambda a, b: a + b\n"
            "get_ipython().events.register('pre_run_cell', swap)\n")),
        "display_patch": ("99.add", WRONG_ADD + (
            "ip = get_ipython()\n_publish = ip.display_pub.publish\n"
            "def publish(data, *a, **k):\n    return _publish(data, *a, **k)\n"
            "ip.display_pub.publish = publish\n")),
        "displayhook": ("99.add", WRONG_ADD + (
            "type(get_ipython().displayhook).__call__ = lambda self, value: None\n")),
        "settrace": ("99.add", WRONG_ADD + "import sys\nsys.settrace(lambda *a: None)\n"),
        "replaces_observe": ("99.add", WRONG_ADD + (
            "from coursekit.checks import core\n"
            "def observe(exercise, name, value, **kw):\n    pass\n")),
        # The course's reference code for what the exercise asks to build: graded, and flagged.
        "private_helper": ("99.add", "from coursekit.checks import core\n"
                                     "def add(a, b):\n    core._short(a)\n    return a + b\n"),
        "forbidden_name": ("99.square", "import numpy as np\ndef square(x):\n    return np.square(x)\n"),
        # Printing the checks' words: feedback keeps them apart from the checks' verdicts.
        "prints_passed": ("99.add", "def add(a, b):\n    print('public checks passed (1/1)')\n"
                                    "    return 0\n"),
        # Killed from outside once (as the machine might): the second chance gives full marks.
        "dies_once": ("99.square", (
            f"import time\nopen('/proc/self/comm', 'w').write('{DIE_ONCE_COMM}')\ntime.sleep(2)\n"
            "open('/proc/self/comm', 'w').write('python')\n"
            "def square(x):\n    return x * x\n")),
        "kills_parent": ("99.square", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
                                      "os.kill(1, signal.SIGKILL)\n"),
    }


EXPECTED = {
    "honest": (FULL, {}),
    "proc_snoop": (NO_ADD, {}), "fs_walk": (NO_ADD, {}), "known_paths": (NO_ADD, {}),
    "forge_record": (NO_ADD, {}), "network": (NO_ADD, {}), "daemon": (NO_ADD, {}),
    "fork_bomb": (NO_ADD, {}), "disk_fill": (NO_ADD, {}),
    "output_flood": (NO_ADD, {"99.add": "crashed"}),
    **{name: (NO_ADD, {"99.add": "tampered"}) for name in
       ("input_transformer", "ast_transformer", "pre_run_cell", "display_patch", "displayhook",
        "settrace", "replaces_observe")},
    "private_helper": (FULL, {}), "forbidden_name": (FULL, {}),
    "prints_passed": (NO_ADD, {}),
    "dies_once": (FULL, {}),
    "kills_parent": ({"99.add": 1, "99.square": 0, "99.mean": 1}, {}),
    # Student names a spreadsheet would run as formulas.
    "=HYPERLINK(\"evil.example\",\"x\")": (FULL, {}),
    "@SUM(1+1)": (FULL, {}),
    "+1+1": (FULL, {}),
    "-2+3": (FULL, {}),
    # A folder sits where this student's record should go: only this record is lost.
    "blocked_record": (FULL, {}),
}


class _Listener:
    """A TCP server on the host's loopback that records whatever reaches it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                self.received.append(conn.recv(100) or b"(connected)")
            except OSError:
                self.received.append(b"(connected)")
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()


class _KillOnce:
    """Kills, once, the first host process whose name is DIE_ONCE_COMM (a death from outside)."""

    def __init__(self):
        self.killed: list[int] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self):
        while not self.stop.is_set() and not self.killed:
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    if Path(f"/proc/{pid}/comm").read_text().strip() == DIE_ONCE_COMM:
                        os.kill(int(pid), 9)
                        self.killed.append(int(pid))
                        break
                except OSError:
                    continue
            time.sleep(0.02)

    def close(self):
        self.stop.set()
        self.thread.join()


def _tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _host_processes_with(text: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmd:
            found.append(f"{pid}: {cmd[:200]}")
    return found


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    root = tmp_path_factory.mktemp("sandboxed")
    solutions = root / "solutions"
    solutions.mkdir()
    master = nbformat.read(str(MASTER), as_version=4)
    for cell in master.cells:
        if cell.source.startswith("# EXERCISE 99.square"):
            lines = cell.source.splitlines()
            cell.source = "\n".join([lines[0], "# FORBIDDEN: np.square, np.power"] + lines[1:])
    nbformat.write(master, str(solutions / "99_demo.ipynb"))
    out, subs = root / "out", root / "subs"
    listener, killer = _Listener(), _KillOnce()
    paths = {"master": str(solutions / "99_demo.ipynb"), "solutions": str(solutions), "out": str(out),
             "records": str(out / "records"), "reference": str(out / "reference"), "subs": str(subs),
             "honest": str(subs / "honest" / "99_demo.ipynb")}
    solved = solved_lecture()
    attacks = _attacks(paths, listener.port)
    for student in EXPECTED:
        nb = copy.deepcopy(solved)
        if student in attacks:
            _answer(nb, *attacks[student])
        (subs / student).mkdir(parents=True)
        nbformat.write(nb, str(subs / student / "99_demo.ipynb"))
    record_path(out, "blocked_record", "99_demo.ipynb").mkdir(parents=True)
    before = {"solutions": _tree_digest(solutions), "subs": _tree_digest(subs)}
    try:
        rc = main(["grade", str(subs), "--out", str(out), "--solutions", str(solutions), "--jobs", "2",
                   "--timeout", str(TIMEOUT), "--memory", "1024", "--no-progress"])
    finally:
        listener.close()
        killer.close()
    time.sleep(0.5)
    records = {}
    for p in (out / "records").glob("*.json"):
        if p.is_dir():  # the blocked record
            continue
        rec = json.loads(p.read_text())
        records[rec["student"]] = rec
    with open(out / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    shutil.rmtree(record_path(out, "blocked_record", "99_demo.ipynb"))
    return {"rc": rc, "out": out, "records": records, "rows": rows, "before": before,
            "after": {"solutions": _tree_digest(solutions), "subs": _tree_digest(subs)},
            "listener": listener, "killer": killer, "solutions": solutions, "subs": subs}


def _exercise(attacked, student, ex_id):
    return next(e for e in attacked["records"][student]["exercises"] if e["id"] == ex_id)


def _proof(attacked, student, name) -> str:
    """The attack's own report: it ran, and this is what it saw."""
    err = _exercise(attacked, student, "99.add")["error"] or ""
    assert f"ATTACK-RAN {name}:" in err, f"the {name} attack did not report that it ran: {err!r}"
    return err


@pytest.mark.parametrize("student", [s for s in EXPECTED if s != "blocked_record"])
def test_attackers_get_what_their_own_code_earns(attacked, student):
    expected, statuses = EXPECTED[student]
    rows = [r for r in attacked["rows"] if r["student"].lstrip("'") == student]
    got = {r["exercise"]: float(r["points"]) for r in rows}
    assert got == {k: float(v) for k, v in expected.items()}, rows
    for row in rows:
        assert row["status"] == statuses.get(row["exercise"], "ok"), row
        assert row["sandbox"] == "yes"


def test_no_process_of_the_grader_is_visible(attacked):
    seen = _proof(attacked, "proc_snoop", "proc_snoop")
    assert "2 processes" in seen or "3 processes" in seen, seen
    assert "coursekit.course.worker" not in seen and "pytest" not in seen and "job.json" not in seen


def test_walking_the_file_system_finds_no_master(attacked):
    seen = _proof(attacked, "fs_walk", "fs_walk")
    assert "99_demo.ipynb" not in seen and "job.json" not in seen, seen


def test_the_instructors_paths_are_not_there(attacked):
    seen = _proof(attacked, "known_paths", "known_paths").split("ATTACK-RAN known_paths: ", 1)[1]
    reports = dict(part.rsplit(": ", 1) for part in seen.split(" | "))
    repo_solutions = Path(__file__).resolve().parents[2] / "solutions"
    for path in (attacked["solutions"], attacked["out"], attacked["subs"], repo_solutions):
        assert reports.get(str(path), "").startswith("FileNotFoundError"), (path, reports)
    assert not any(r == "read" for r in reports.values()), reports
    # The home folders show only the sandbox's own: its empty HOME, and the interpreter's prefix.
    assert reports.get("/root", "FileNotFoundError") in ("FileNotFoundError", "listed ['.pyenv']")


def test_a_forged_record_is_never_written(attacked):
    # It may write to those paths inside its own private /tmp (the host's /tmp is not there) ...
    _proof(attacked, "forge_record", "forge_record")
    # ... but the grader's records are its own.
    assert all("FORGED" not in json.dumps(r) for r in attacked["records"].values())
    assert sum(float(r["points"]) for r in attacked["rows"] if r["student"] == "honest") == 4


def test_no_network_not_even_the_hosts_loopback(attacked):
    seen = _proof(attacked, "network", "network")
    assert "sent" not in seen, seen
    assert attacked["listener"].received == []


def test_a_setsid_daemon_dies_with_the_sandbox(attacked):
    seen = _proof(attacked, "daemon", "daemon")
    assert "daemon started, alive as pid ['" in seen, seen  # it lived while its exercise ran
    assert _host_processes_with(DAEMON_MARK) == []


def test_nothing_of_a_grading_kernel_outlives_the_batch(attacked):
    assert _host_processes_with("ipykernel_launcher -f /tmp/ck-") == []
    assert _host_processes_with("--unshare-all --unshare-user") == []


def test_processes_are_capped(attacked):
    seen = _proof(attacked, "fork_bomb", "fork_bomb")
    assert "fork refused after" in seen, seen
    assert int(seen.split("fork refused after ")[1].split()[0]) < sandbox.Limits().processes


def test_writes_are_capped_and_private(attacked):
    seen = _proof(attacked, "disk_fill", "disk_fill")
    assert "one_big_file: stopped at 64 MB" in seen, seen           # the file size cap
    assert "/tmp/many: stopped at" in seen and "wrote all" not in seen, seen  # the tmpfs cap


def test_a_huge_print_costs_its_exercise_and_not_the_feedback(attacked):
    ex = _exercise(attacked, "output_flood", "99.add")
    assert "printed more than 32 MB at once" in ex["message"], ex
    text = (attacked["out"] / "feedback" / "output_flood.md").read_text()
    assert len(text) < 20_000


def test_a_200_mb_print_does_not_reach_the_graders_memory(tmp_path):
    """Today's figure without the limit: the worker process peaked at 660 MB on this print."""
    from coursekit.course.markers import parse_master
    from coursekit.course.workers import run_worker

    master = parse_master(MASTER)
    answers = {ex: master.nb.cells[e.cell].source for ex, e in master.exercises.items()}
    answers["99.add"] = ("# EXERCISE 99.add (1 point)\nprint('x' * 200_000_000)\n"
                         "def add(a, b):\n    return a + b\n")
    run = run_worker({"master": str(MASTER), "answers": answers, "timeout": 60, "memory_mb": 2048,
                      "sandboxed": True}, tmp_path, 300)
    assert run["status"]["99.add"][0] == "crashed" and "32 MB" in run["status"]["99.add"][1]
    assert run["status"]["99.square"] == ["ok", ""] and run["status"]["99.mean"] == ["ok", ""]
    assert run["worker_peak_mb"] < 250, run["worker_peak_mb"]


def test_tampering_is_named_in_the_feedback(attacked):
    words = {"input_transformer": "input transformer", "ast_transformer": "AST transformer",
             "pre_run_cell": "event callback", "display_patch": "DisplayPublisher.publish",
             "displayhook": "IPython's displayhook", "settrace": "trace or profile", "replaces_observe": "observe function"}
    for student, word in words.items():
        ex = _exercise(attacked, student, "99.add")
        assert ex["status"] == "tampered" and word in ex["message"], (student, ex["message"])
        feedback = (attacked["out"] / "feedback" / f"{student}.md").read_text()
        assert "changed how the grader runs its checks" in feedback


def test_shortcuts_are_graded_and_flagged(attacked):
    ex = _exercise(attacked, "private_helper", "99.add")
    assert ex["points"] == 1 and ex["shortcuts"] == ["`coursekit.checks.core._short`, a private helper of the course's checks"]
    ex = _exercise(attacked, "forbidden_name", "99.square")
    assert ex["points"] == 2 and "np.square" in ex["shortcuts"][0] and "flagged" in ex["message"]
    text = (attacked["out"] / "feedback" / "forbidden_name.md").read_text()
    assert "flagged for your instructor" in text and "np.square" in text
    assert _exercise(attacked, "honest", "99.square")["shortcuts"] == []


def test_feedback_never_passes_the_students_words_off_as_the_checks(attacked):
    text = (attacked["out"] / "feedback" / "prints_passed.md").read_text()
    verdicts, _, printed = text.partition("Printed by your own code")
    assert "public checks passed (1/1)" not in verdicts.split("## 99_demo.ipynb")[1]
    assert "public checks passed (1/1)" in printed
    assert "raised an error before this case" not in text


def test_a_death_from_outside_gets_a_second_chance(attacked):
    assert len(attacked["killer"].killed) == 1
    assert attacked["records"]["dies_once"]["restarts"] >= 1


def test_spreadsheets_read_student_names_as_text(attacked):
    raw = (attacked["out"] / "grades.csv").read_text()
    for row in attacked["rows"]:
        for key in ("student", "notebook", "exercise", "message"):
            assert not row[key].startswith(("=", "+", "-", "@")), row
    assert "'=HYPERLINK(" in raw and "'@SUM(1+1)" in raw and "'+1+1" in raw and "'-2+3" in raw


def test_an_unwritable_record_costs_only_that_record(attacked):
    assert attacked["rc"] == 1
    rows = [r for r in attacked["rows"] if r["student"] == "blocked_record"]
    assert len(rows) == 3 and sum(float(r["points"]) for r in rows) == 4
    students = {r["student"].lstrip("'") for r in attacked["rows"]}
    assert students == set(EXPECTED)
    assert len(attacked["rows"]) == 3 * len(EXPECTED)  # one row per student and exercise


def test_the_graders_own_files_are_untouched(attacked):
    assert attacked["before"] == attacked["after"]
    assert not (attacked["subs"] / "honest" / "died_once").exists()
