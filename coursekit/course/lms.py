"""Submissions as an LMS hands them out: Canvas's and Moodle's "download all" zips.

``unpack_zip`` checks every name in the zip before it writes a byte (no absolute paths, no
``..``, a cap on the file count and the uncompressed size), decides the layout from the names,
and writes each student's files into a folder of its own under a temporary folder the caller
owns. What it returns is what ``discover`` needs: the student (named as the LMS names them),
the file to grade, and the LMS's metadata for the record (user id, display name, late).

The layouts (docs/GRADING.md, "Submissions and grades from an LMS", says where each was read):

- Canvas, Assignments > (assignment) > Download Submissions: flat files
  ``<name>_[LATE_]<user id>_<attachment id>_<file name>``, ``<name>`` the student's sortable
  name lowercased with every non-word character dropped (``doejane``); an anonymous assignment
  has ``anon_<id>`` for name and user id. A file re-uploaded under the same name is renamed by
  Canvas with a ``-N`` suffix (``03_softmax-1.ipynb``).
- Moodle, Assignment > View all submissions > Download all submissions:
  ``<Full Name>_<participant id>_assignsubmission_file_/<file name>`` (the default, "Download
  submissions in folders") or the same prefix glued to the file name (older Moodle, or the
  option off). Underscores in the name are turned into spaces by Moodle.
"""
from __future__ import annotations

import re
import shutil
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_FILES = 5000
MAX_BYTES = 1 << 30  # 1 GiB uncompressed, all files together

CANVAS_EXPECTED = ("Canvas's 'Download Submissions': files named "
                   "<name>_[LATE_]<user id>_<file id>_<file name>, e.g. doejane_LATE_1234_5678_03_softmax.ipynb")
MOODLE_EXPECTED = ("Moodle's 'Download all submissions': <Full Name>_<participant id>_assignsubmission_file_"
                   "/<file name> (a folder per student) or that prefix glued to the file name")

_CANVAS = re.compile(r"^(?:(?P<name>.*?)_)??(?:(?P<late>LATE)_)?(?P<uid>anon_[A-Za-z0-9]+|\d+)_"
                     r"(?P<fid>\d+)_(?P<file>.+)$", re.IGNORECASE)
#: Canvas's own pages for a text entry or a URL submission: no file, not graded.
_CANVAS_ONLINE = re.compile(r"^(?:(?P<name>.*?)_)??(?:LATE_)?(?:anon_[A-Za-z0-9]+|\d+)_(?:text|link)\.html$",
                            re.IGNORECASE)
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<pid>\d+)_assignsubmission_(?P<plugin>[a-z0-9]+)_(?P<rest>.*)$", re.S)
_VERSION = re.compile(r"^(?P<base>.+)-(?P<n>\d+)$")


class LmsError(ValueError):
    """A zip the grader will not unpack; the message says what was expected."""


@dataclass
class LmsFile:
    student: str   # as the LMS names them (disambiguated by id when two share a name)
    path: Path     # the unpacked file, under the caller's temporary folder
    lms: dict      # {"lms", "id", "name", "late", "source"} for the record
    notes: list[str] = field(default_factory=list)


@dataclass
class _Member:
    info: zipfile.ZipInfo
    name: str              # the decoded name, "/"-separated, wrapper folder removed
    orig: str = ""         # the decoded name as it is in the zip
    student_key: str = ""  # the LMS's id of the student
    display: str = ""
    late: bool = False
    file_name: str = ""    # the file name the grader sees (LMS prefix and -N suffix removed)
    version: int = 0


def _decoded(info: zipfile.ZipInfo) -> str:
    """The member's name: zips from Windows tools mark no UTF-8 flag, so Python reads cp437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return unicodedata.normalize("NFC", name.replace("\\", "/"))


def _checked_members(zf: zipfile.ZipFile, source: Path) -> list[_Member]:
    """Every file member, after refusing absolute names, '..', links and oversized zips."""
    infos = zf.infolist()
    files = [i for i in infos if not i.is_dir()]
    if len(files) > MAX_FILES:
        raise LmsError(f"{source}: {len(files)} files in the zip, more than the {MAX_FILES} the grader "
                       "unpacks; split the download")
    total = sum(i.file_size for i in files)
    if total > MAX_BYTES:
        raise LmsError(f"{source}: {total / 2**20:.0f} MiB uncompressed, more than the "
                       f"{MAX_BYTES // 2**20} MiB the grader unpacks; split the download")
    members = []
    for info in files:
        name = _decoded(info)
        parts = PurePosixPath(name).parts
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts or not parts:
            raise LmsError(f"{source}: refusing the zip: the member {name!r} would be written outside "
                           "the folder it is unpacked into")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise LmsError(f"{source}: refusing the zip: the member {name!r} is a symbolic link")
        if any(p.startswith(".") for p in parts) or parts[0] == "__MACOSX":
            continue  # .DS_Store, macOS resource forks: never a submission
        members.append(_Member(info, "/".join(parts), "/".join(parts)))
    return members


def _strip_wrapper(members: list[_Member]) -> None:
    """A download re-zipped with its folder around it: drop that one common folder."""
    tops = {m.name.split("/", 1)[0] for m in members}
    if (len(tops) == 1 and all("/" in m.name for m in members)
            and not _MOODLE.match(next(iter(tops)))):
        for m in members:
            m.name = m.name.split("/", 1)[1]


def _parse_canvas(m: _Member) -> bool:
    if "/" in m.name:
        return False
    match = _CANVAS.match(m.name)
    if not match:
        return False
    m.student_key = match["uid"]
    m.display = match["name"] or match["uid"]
    m.late = bool(match["late"])
    file_name = match["file"]
    stem, dot, ext = file_name.rpartition(".") if "." in file_name else (file_name, "", "")
    version = _VERSION.match(stem)
    if version:
        file_name, m.version = f"{version['base']}{dot}{ext}", int(version["n"])
    m.file_name = file_name
    return True


def _parse_moodle(m: _Member) -> bool:
    top, _, inner = m.name.partition("/")
    match = _MOODLE.match(top)
    if not match:
        return False
    m.student_key, m.display = match["pid"], match["name"]
    if match["plugin"] != "file":
        m.file_name = ""  # online text and other plugins: not a file the student uploaded
    elif inner:  # folders: <prefix>_assignsubmission_file_/<path inside the submission>
        m.file_name = PurePosixPath(inner).name if match["rest"] == "" else ""
    else:        # flat: <prefix>_assignsubmission_file_<file name>
        m.file_name = match["rest"]
    return True


def detect_layout(members: list[_Member], source: Path) -> str:
    if not members:
        raise LmsError(f"{source}: the zip holds no files; expected {CANVAS_EXPECTED}, or {MOODLE_EXPECTED}")
    if all(_MOODLE.match(m.name.split("/", 1)[0]) for m in members):
        return "moodle"
    canvas = [m for m in members if "/" not in m.name and (_CANVAS.match(m.name) or _CANVAS_ONLINE.match(m.name))]
    if len(canvas) == len(members):
        return "canvas"
    odd = next(m.orig for m in members if m not in canvas and not _MOODLE.match(m.name.split("/", 1)[0]))
    raise LmsError(f"{source}: not a zip of an LMS layout this grader knows ({odd!r} fits neither); "
                   f"expected {CANVAS_EXPECTED}; or {MOODLE_EXPECTED}. For a zip of your own, unzip "
                   "it and grade the folder")


def _student_names(members: list[_Member]) -> dict[str, str]:
    """Student id -> the name used for grading: the LMS's name, with the id added where two
    different students share a name (two 'smithjohn's)."""
    names: dict[str, set[str]] = {}
    display = {}
    for m in members:
        display[m.student_key] = m.display
    for key, name in display.items():
        names.setdefault(name, set()).add(key)
    return {key: (name if len(names[name]) == 1 else f"{name} ({key})") for key, name in display.items()}


def _safe_folder(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("._") or "student"


def _latest_versions(members):
    """({(student, file): the member graded}, {(student, file): every version}): of several
    versions of one file (Canvas's -N suffix), the latest is graded."""
    latest: dict[tuple[str, str], _Member] = {}
    versions: dict[tuple[str, str], list[_Member]] = {}
    for m in members:
        key = (m.student_key, m.file_name)
        versions.setdefault(key, []).append(m)
        if key not in latest or m.version > latest[key].version:
            latest[key] = m
    return latest, versions


def _extract(zf, member, target: Path, written: int, source: Path) -> int:
    """Copy one member to ``target``; returns the bytes written so far in the whole zip, and
    stops at MAX_BYTES counting what really comes out (a zip header's sizes may lie)."""
    with zf.open(member.info) as src, open(target, "wb") as dst:
        while chunk := src.read(1 << 20):
            written += len(chunk)
            if written > MAX_BYTES:
                raise LmsError(f"{source}: more than {MAX_BYTES // 2**20} MiB once "
                               "uncompressed; split the download")
            dst.write(chunk)
    return written


def unpack_zip(source: Path, dest: Path, log=print) -> tuple[str, list[LmsFile]]:
    """Unpack an LMS download into ``dest`` (an empty folder the caller owns and deletes).

    Returns (layout, files to grade). Raises LmsError, before writing anything, for a zip that
    is not one, that would write outside ``dest``, that is too big, or whose layout is unknown.
    """
    source, dest = Path(source), Path(dest)
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as err:
        raise LmsError(f"{source}: not a readable zip file ({err}); expected the zip downloaded "
                       "from Canvas or Moodle") from None
    with zf:
        members = _checked_members(zf, source)
        _strip_wrapper(members)
        layout = detect_layout(members, source)
        parse = _parse_canvas if layout == "canvas" else _parse_moodle
        skipped = []
        for m in members:
            if not parse(m):  # a Canvas text entry or URL page
                m.file_name = ""
            if not m.file_name:
                skipped.append(m.orig)
        members = [m for m in members if m.file_name]
        names = _student_names(members)
        latest, versions = _latest_versions(members)
        out: list[LmsFile] = []
        written = 0
        for key, m in sorted(latest.items()):
            folder = dest / f"{_safe_folder(names[m.student_key])}-{_safe_folder(m.student_key)}"
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / _safe_file(m.file_name)
            written = _extract(zf, m, target, written, source)
            meta = {"lms": layout, "id": m.student_key, "name": m.display, "late": m.late,
                    "source": f"{source.name}!{m.orig}"}
            rec = LmsFile(names[m.student_key], target, meta)
            others = [v for v in versions[key] if v is not m]
            if others:
                meta["versions"] = len(versions[key])
                note = (f"{names[m.student_key]}: {len(versions[key])} versions of {m.file_name} in "
                        f"{source.name}; graded the latest, {m.orig}")
                rec.notes.append(note)
                log(note)
            out.append(rec)
        for name in skipped:
            log(f"{source.name}: {name} is not an uploaded file (a text entry, a link or another "
                "plugin's page): not graded")
    return layout, out


def _safe_file(name: str) -> str:
    name = name.replace("/", "_").replace("\0", "")
    return name if name not in ("", ".", "..") else "unnamed"


def is_zip_argument(path: Path) -> bool:
    return Path(path).suffix.lower() == ".zip" and Path(path).is_file()


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
