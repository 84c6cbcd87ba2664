"""``coursekit grade``: grade a batch of submissions against the masters (docs/GRADING.md).

The batch, in order: read every master (a broken one stops everything, before any grade is
written); find the submissions; skip those whose record matches the file's hash and the
master's; run each master once for reference values (cached); grade the rest, each in its own
worker process, ``jobs`` at a time; then rebuild grades.csv and the feedback from all records.
"""
from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import lms
from .build import master_paths
from .markers import Master, MasterError, parse_master
from .records import (atomic_write_json, load_records, record_path, write_csv, write_feedback)
from .reference import master_sha256, reference_observations
from .sandbox import check_available, refuse_overlap
from .scoring import points, score
from .shortcuts import find_shortcuts, forbidden_names, notebook_aliases
from .submission import InvalidSubmission, identify, read_answers
from .workers import WorkerPool, deadline

DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_MB = 2048


@dataclass
class Submission:
    student: str
    path: Path
    sha256: str = ""
    record: Path | None = None
    lms: dict | None = None   # from an LMS zip: {"lms", "id", "name", "late", "source"}
    unpacked: object = None   # the temporary folder the zip was unpacked into (kept alive)


@dataclass
class BatchReport:
    graded: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    unwritten: list[str] = field(default_factory=list)  # records that could not be saved, and why
    csv: Path | None = None


def _looks_like_lecture(stem: str, masters: dict[str, Master]) -> bool:
    return stem in masters or (len(stem) >= 3 and stem[:2].isdigit() and stem[2] in "_- ")


def discover(args: list[str | Path], masters: dict[str, Master], log=print) -> list[Submission]:
    """(student, file) for every argument; see docs/GRADING.md for how students are named."""
    found: list[Submission] = []

    def visible(p: Path) -> bool:
        return not p.name.startswith(".") and p.name != "__pycache__"

    for arg in args:
        p = Path(arg)
        if lms.is_zip_argument(p):  # Canvas's or Moodle's download: docs/GRADING.md
            tmp = tempfile.TemporaryDirectory(prefix="coursekit-lms-")
            _, files = lms.unpack_zip(p, Path(tmp.name), log=log)
            found += [Submission(f.student, f.path, lms=f.lms, unpacked=tmp) for f in files]
        elif p.is_file():
            student = p.parent.name if _looks_like_lecture(p.stem, masters) and p.parent.name else p.stem
            found.append(Submission(student, p))
        elif p.is_dir():
            files = [f for f in sorted(p.iterdir()) if f.is_file() and visible(f)]
            dirs = [d for d in sorted(p.iterdir()) if d.is_dir() and visible(d)]
            if dirs and any(f.is_file() for d in dirs for f in d.iterdir()):
                # A folder of student folders; files lying flat beside them are named by stem.
                for d in dirs:
                    found += [Submission(d.name, f) for f in sorted(d.iterdir()) if f.is_file() and visible(f)]
                found += [Submission(f.stem, f) for f in files]
            elif len(files) > 1 and not any(_looks_like_lecture(f.stem, masters) for f in files):
                # Files lying flat and none named like a lecture (alice.ipynb, bob.ipynb): a
                # folder of one file per student, not one student's folder.
                found += [Submission(f.stem, f) for f in files]
            else:
                found += [Submission(p.resolve().name, f) for f in files]
        else:
            raise FileNotFoundError(f"{p}: no such submission file or folder")
    return found


def load_masters(solutions: Path) -> dict[str, Master]:
    solutions = Path(solutions)
    if not solutions.is_dir():
        raise MasterError(f"{solutions}: no such folder of master notebooks (use --solutions DIR)")
    masters = {p.stem: parse_master(p) for p in master_paths(solutions)}
    if not masters:
        raise MasterError(f"{solutions}: no master notebooks (*.ipynb) to grade against")
    return masters


def _base_record(sub: Submission, masters_fp: str, sandboxed: bool) -> dict:
    return {"student": sub.student, "notebook": sub.path.name, "path": str(sub.path),
            "sha256": sub.sha256, "masters": masters_fp, "sandbox": sandboxed,
            "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            **({"lms": sub.lms, "path": sub.lms["source"]} if sub.lms else {})}


def _is_done(path: Path, sub: Submission, master_shas: dict[str, str], masters_fp: str,
             sandboxed: bool) -> bool:
    """A record counts as done when the same file was graded against the same master (and in a
    sandbox, when this batch has one)."""
    try:
        rec = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    if rec.get("sha256") != sub.sha256 or rec.get("retry") or (sandboxed and not rec.get("sandbox")):
        return False
    lecture = rec.get("lecture")
    if lecture is None:  # invalid: still invalid only if the set of masters is the same
        return rec.get("masters") == masters_fp
    return master_shas.get(lecture) == rec.get("master_sha256")


def _record(sub: Submission, master: Master, master_sha: str, reference: dict, run: dict,
            masters_fp: str, copies: dict[str, int] | None = None, answers: dict | None = None,
            sandboxed: bool = True) -> dict:
    rec = _base_record(sub, masters_fp, sandboxed)
    copies = copies or {}
    answers = answers or {}
    rec.update(lecture=master.name, master_sha256=master_sha, max_points=master.total_points)
    if "worker_error" in run:
        killed = run.get("returncode", 0) < 0
        message = ("the grader's worker process was killed while grading this notebook"
                   if killed else f"the grader failed on this notebook: {run['worker_error']}")
        rec.update(status="crashed", message=message, retry=not killed,
                   exercises=[{"id": ex_id, "points": 0.0, "max_points": ex.points, "status": "crashed",
                               "message": message, "passed": 0, "total": 0}
                              for ex_id, ex in master.exercises.items()])
        return rec
    scores = score(master, reference, run["observations"])
    exercises = []
    imports = notebook_aliases([c.source for c, (kind, _) in zip(master.nb.cells, master.kinds)
                                if c.cell_type == "code" and kind == "teaching"])
    for ex_id, ex in master.exercises.items():
        matched, total, failures = scores[ex_id]
        status, message = run["status"][ex_id]
        raised = run.get("hidden_errors", {}).get(ex_id) if status == "ok" and failures else None
        if raised:  # a value is missing because the student's code raised, not for another reason
            failures = [f.replace("no value was recorded", "no value (your code raised an error "
                                  "before this case)") for f in failures]
        if ex_id in run["missing"]:
            message = f"no answer cell `# EXERCISE {ex_id}` found in the submission"
        elif status == "ok" and failures:
            message = "; ".join(failures)
        shortcuts = ([] if ex_id in run["missing"] else
                     find_shortcuts(answers.get(ex_id, ""), forbidden_names(master.nb.cells[ex.cell].source),
                                    imports))
        if shortcuts:
            message = "; ".join(filter(None, [message, "flagged: uses " + ", ".join(shortcuts)]))
        note = (f"your notebook has {copies[ex_id]} cells `# EXERCISE {ex_id}`: the last one was "
                "graded; delete the others" if copies.get(ex_id, 1) > 1 else None)
        exercises.append({
            "id": ex_id, "max_points": ex.points, "status": status, "message": message,
            "points": points(ex.points, matched, total) if status == "ok" else 0.0,
            "passed": matched if status == "ok" else 0, "total": total,
            "failures": failures if status == "ok" else [],
            "error": run["errors"].get(ex_id) if ex_id not in run["missing"] else None,
            "public_checks": run["public_checks"].get(ex_id, ""),
            "printed": run.get("printed", {}).get(ex_id, ""),
            "raised": _short_error(raised),
            "note": note,
            "shortcuts": shortcuts,
        })
    statuses = {e["status"] for e in exercises}
    overall = next((s for s in ("crashed", "timeout", "tampered") if s in statuses), "ok")
    rec.update(status=overall, message="", exercises=exercises, restarts=run.get("restarts", 0))
    return rec


def _run_local(todo: list, limits: dict, jobs: int, finish, bar) -> None:
    """Grade ``todo`` in ``jobs`` long-lived worker processes of this machine; ``finish(item,
    run)`` writes each record (in the job's thread) as it is done."""
    workers = WorkerPool()

    def job(item):
        master, answers = item[1], item[2]
        with tempfile.TemporaryDirectory(prefix="coursekit-job-") as tmp:
            run = workers.run(dict(limits, master=str(master.path), answers=answers), Path(tmp),
                              deadline(master, limits["timeout"]))
        finish(item, run)

    try:
        with ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
            for fut in as_completed([pool.submit(job, item) for item in todo]):
                fut.result()
                bar.update()
    finally:
        workers.close()


def _short_error(err: str | None, limit: int = 300) -> str | None:
    """The exception a graded check got from the student's code, one line, trimmed."""
    if not err:
        return None
    err = " ".join(err.split())
    return err if len(err) <= limit else err[: limit - 3] + "..."


def _saver(report: BatchReport, kept: dict):
    """save(sub, record): write one record atomically; one that cannot be written costs that
    record (kept for this run's CSV, graded again next run), never the batch."""
    def save(sub: Submission, rec: dict) -> None:
        try:
            atomic_write_json(sub.record, rec)
        except OSError as err:
            kept[sub.record] = rec
            report.unwritten.append(f"{sub.path}: its record {sub.record} could not be written "
                                    f"({err.strerror or err}); its grades are in this run's CSV, and "
                                    "the next run grades it again")
    return save


def _plan(subs, out, masters, master_shas, masters_fp, sandboxed, save, report) -> list:
    """[(submission, master, answers, copies)] still to grade: finished ones are skipped, and an
    invalid file gets its record at once (status "invalid", with the reason)."""
    seen: dict[Path, Submission] = {}
    todo: list[tuple[Submission, Master, dict, dict]] = []
    for sub in subs:
        sub.record = record_path(out, sub.student, sub.path.name)
        if sub.record in seen:
            raise ValueError(f"{sub.path} and {seen[sub.record].path} are both student "
                             f"{sub.student!r}'s {sub.path.name}: grade them in separate batches")
        seen[sub.record] = sub
        sub.sha256 = hashlib.sha256(sub.path.read_bytes()).hexdigest()
        if _is_done(sub.record, sub, master_shas, masters_fp, sandboxed):
            report.skipped.append(sub.path)
            continue
        copies: dict[str, int] = {}
        try:
            answers = read_answers(sub.path, copies)
            master = identify(sub.path.name, answers, masters)
        except InvalidSubmission as err:
            rec = _base_record(sub, masters_fp, sandboxed)
            rec.update(lecture=None, status="invalid", message=str(err), exercises=[], max_points=None)
            save(sub, rec)
            report.graded.append(sub.path)
            continue
        todo.append((sub, master, answers, copies))
    return todo


def grade(submissions: list, out: Path, solutions: Path, *, jobs: int = 1,
          timeout: float = DEFAULT_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB,
          sandboxed: bool = True, progress: bool | None = None, log=print,
          cluster: str | None = None) -> BatchReport:
    """Grade ``submissions`` into ``out``; see the module docstring. Raises MasterError early,
    and SandboxUnavailable before anything is graded when ``sandboxed`` and no sandbox can run.
    ``cluster``: None grades in ``jobs`` local worker processes; a scheduler address
    (``tcp://HOST:8786``) or ``"local"`` grades on Dask (cluster.py), with the same records."""
    from tqdm import tqdm

    out = Path(out)
    if cluster is not None:  # without Dask, say so before any master runs
        from .cluster import require_dask
        require_dask()
    masters = load_masters(solutions)
    if sandboxed:
        check_available()
        refuse_overlap([Path(solutions), out, *map(Path, submissions)])
    master_shas = {name: master_sha256(m) for name, m in masters.items()}
    masters_fp = hashlib.sha256(json.dumps(sorted(master_shas.items())).encode()).hexdigest()
    subs = discover(submissions, masters, log=log)
    report = BatchReport()
    kept: dict[Path, dict] = {}  # records that could not be written: still in this run's CSV
    save = _saver(report, kept)
    todo = _plan(subs, out, masters, master_shas, masters_fp, sandboxed, save, report)
    references = {}
    for name in sorted({m.name for _, m, _, _ in todo}):
        log(f"running the master {masters[name].path} for reference values")
        references[name] = reference_observations(masters[name], out / "reference", timeout=timeout,
                                                  memory_mb=memory_mb, sandboxed=sandboxed)

    def finish(item, run: dict) -> None:
        sub, master, answers, copies = item
        save(sub, _record(sub, master, master_shas[master.name], references[master.name], run,
                          masters_fp, copies, answers, sandboxed))
        report.graded.append(sub.path)

    limits = {"timeout": timeout, "memory_mb": memory_mb, "sandboxed": sandboxed}
    bar = tqdm(total=len(todo), unit="notebook", desc="grading", file=sys.stderr,
               disable=(not todo) if progress is None else not progress)
    try:
        if cluster is None:
            _run_local(todo, limits, jobs, finish, bar)
        else:
            from .cluster import run_on_cluster
            run_on_cluster(cluster, todo, limits, jobs, finish, bar, log=log)
    finally:
        bar.close()
        records = load_records(out, log=log) + list(kept.values())
        report.csv = write_csv(out, records)
        write_feedback(out, records)
        for line in report.unwritten:
            log(f"error: {line}")
    return report
