"""The ``coursekit`` command: ``coursekit build [--check]``, ``coursekit grade ...`` and
``coursekit export --lms canvas|moodle --out DIR``.

Exit codes: 0 success; 1 ``build --check`` found stale lectures, or a grade record could not be
written; 2 bad input (a corrupt master, a missing folder, no sandbox), with the reason printed in
one line per problem.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coursekit", description="Course tools: build student "
                                     "notebooks from the masters, grade submissions.")
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="write lectures/ from solutions/ (docs/AUTHORING.md)")
    b.add_argument("--solutions", type=Path, default=Path("solutions"), help="masters (default: solutions/)")
    b.add_argument("--lectures", type=Path, default=Path("lectures"), help="output (default: lectures/)")
    b.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 naming each stale, missing or extra lecture")

    g = sub.add_parser("grade", help="grade submitted notebooks (docs/GRADING.md)")
    g.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                   help="a notebook file, a student's folder, a folder of student folders, or the "
                        "zip of Canvas's 'Download Submissions' or Moodle's 'Download all submissions'")
    g.add_argument("--out", type=Path, required=True, help="grades.csv, records/ and feedback/ go here")
    g.add_argument("--solutions", type=Path, default=Path("solutions"), help="masters (default: solutions/)")
    g.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    g.add_argument("--scheduler", metavar="tcp://HOST:8786", default=None,
                   help="grade on the Dask cluster of this scheduler (pip install \"coursekit[cluster]\")")
    g.add_argument("--cluster", choices=["local"], default=None,
                   help="local: grade on a Dask LocalCluster of --jobs single-threaded processes")
    g.add_argument("--timeout", type=float, default=None,
                   help="seconds one cell may run before it is interrupted (default 120)")
    g.add_argument("--memory", type=int, default=None, metavar="MB",
                   help="address-space cap of a grading kernel in MiB (default 2048; 0: none)")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    g.add_argument("--no-sandbox", action="store_true",
                   help="grade without the bubblewrap sandbox (where it cannot run); every grade "
                        "then says so, since student code can read your files and change grades")

    e = sub.add_parser("export", help="write the grades of a graded DIR as a file Canvas or Moodle "
                       "imports (docs/GRADING.md)")
    e.add_argument("--lms", choices=["canvas", "moodle"], required=True, help="which LMS imports the file")
    e.add_argument("--out", type=Path, required=True,
                   help="the --out DIR of `coursekit grade`: reads DIR/records/, writes DIR/<lms>_grades.csv")
    e.add_argument("--roster", type=Path, default=None,
                   help="the LMS's gradebook export, used as the template (Canvas: optional; Moodle: required)")
    e.add_argument("--id-field", default=None,
                   help="Moodle: the roster column Moodle's import matches users on (default 'Email address')")

    s = sub.add_parser("site", help="build the course website, students' and instructors' editions "
                       "(README.md, 'The course website')")
    s.add_argument("--out", type=Path, default=Path("build/site"), help="output (default: build/site/)")
    s.add_argument("--solutions", type=Path, default=Path("solutions"), help="masters (default: solutions/)")
    s.add_argument("--edition", choices=["students", "instructors", "both"], default="both",
                   help="which edition to build (default: both)")
    s.add_argument("--config", type=Path, default=None,
                   help="settings file (default: docs/site/site.toml)")
    s.add_argument("--hub", help="JupyterHub URL for the nbgitpuller links (default from the config)")
    s.add_argument("--repo", help="git repository the hub clones (default from the config)")
    s.add_argument("--branch", help="branch the hub checks out (default from the config)")
    return parser


def _build(args) -> int:
    from .build import build

    report = build(args.solutions, args.lectures, check=args.check)
    for err in report.errors:
        print(f"error: {err}", file=sys.stderr)
    if args.check:
        for line in report.stale:
            print(line, file=sys.stderr)
        if report.errors:
            return 2
        if report.stale:
            print(f"{len(report.stale)} lecture notebook(s) out of date: run `coursekit build`",
                  file=sys.stderr)
            return 1
        print(f"lectures up to date ({len(report.unchanged)} notebooks)")
        return 0
    for path in report.written:
        print(f"wrote {path}")
    for path in report.removed:
        print(f"removed {path} (its master is gone)")
    print(f"{len(report.written)} written, {len(report.unchanged)} unchanged, {len(report.removed)} removed")
    return 2 if report.errors else 0


def _grade(args) -> int:
    from .grade import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, grade

    if args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    if args.scheduler and args.cluster:
        print("error: give --scheduler or --cluster local, not both", file=sys.stderr)
        return 2
    timeout = DEFAULT_TIMEOUT if args.timeout is None else args.timeout
    if timeout <= 0:
        print("error: --timeout must be a positive number of seconds", file=sys.stderr)
        return 2
    memory = DEFAULT_MEMORY_MB if args.memory is None else args.memory
    if args.no_sandbox:
        print("warning: grading WITHOUT a sandbox: student code can read your files, reach your "
              "network and change grades; the CSV, records and feedback say so", file=sys.stderr)
    report = grade(args.submissions, args.out, args.solutions, jobs=args.jobs, timeout=timeout,
                   memory_mb=memory, sandboxed=not args.no_sandbox,
                   progress=False if args.no_progress else None, cluster=args.scheduler or args.cluster,
                   log=lambda msg: print(msg, file=sys.stderr))
    print(f"{len(report.graded)} graded, {len(report.skipped)} already graded (skipped); "
          f"grades in {report.csv}")
    if report.unwritten:
        print(f"error: {len(report.unwritten)} record(s) could not be written (above); fix the "
              "folder and run the same command again", file=sys.stderr)
        return 1
    return 0


def _export(args) -> int:
    from .export import export

    report = export(args.out, args.lms, roster=args.roster, id_field=args.id_field)
    for line in report.warnings:
        print(f"warning: {line}", file=sys.stderr)
    print(f"{report.students} students, {len(report.assignments)} assignments: {report.path}")
    return 0


def _site(args) -> int:
    from .site import EDITIONS, SiteError, build_site, load_settings

    try:
        settings = load_settings(args.config, hub=args.hub, repo=args.repo, branch=args.branch)
        editions = EDITIONS if args.edition == "both" else (args.edition,)
        report = build_site(args.out, args.solutions, editions, settings,
                            log=lambda msg: print(msg, file=sys.stderr))
    except SiteError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"site built in {sum(report.seconds.values()):.0f} s: {report.out / 'index.html'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .cluster import ClusterError
    from .markers import MasterError
    from .sandbox import SandboxUnavailable

    try:
        if args.command == "site":
            return _site(args)
        if args.command == "export":
            return _export(args)
        return _build(args) if args.command == "build" else _grade(args)
    except (MasterError, FileNotFoundError, ValueError, SandboxUnavailable, ClusterError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
