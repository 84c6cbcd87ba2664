"""Build the course website: two static editions of the notebooks, made with Sphinx and MyST-NB.

``coursekit site`` (or ``make site``) writes, under ``build/site/`` by default:

- ``students/``: one page per lecture. The lecture notebook of ``coursekit build`` (exercise
  cells as stubs, no solution region, no HIDDEN cell) with the outputs of its teaching cells
  taken from the master's executed run. Exercise and CHECK cells show no output (a CHECK cell's
  verdicts on the master's answer would give the solution away).
- ``instructors/``: the masters as they are, with every output.
- ``index.html``: a landing page that links both.

Nothing is executed: every output comes from the masters in ``solutions/``. The theme
(sphinx-book-theme), the search (Sphinx's own) and MathJax (from the ``sphinx-mathjax-offline``
package) are all copied into the site, so it works with no network at build or view time.

Each page starts with a link to download its notebook and links that open it in JupyterLab and,
through nbgitpuller, on a JupyterHub. The hub, the repository and the rest come from
``docs/site/site.toml`` or the command line (``--hub``, ``--repo``, ``--branch``).
Every figure gets alt text (``coursekit.plotting.alt_text``): the one stored in the output's
metadata when the notebook ran, else one derived from the code that drew it.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import nbformat

from ..plotting.alt_text import describe_cell_figures
from .build import lecture_notebook, master_paths, notebook_bytes
from .markers import parse_master

REPO = Path(__file__).resolve().parents[2]
SITE_CONFIG_DIR = REPO / "docs" / "site"
EDITIONS = ("students", "instructors")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

#: The settings docs/site/site.toml may override (and the command line after it).
DEFAULTS = {
    "title": "Neural Networks, from the neuron to the network that fools itself",
    "hub": "https://hub.example.edu",
    "repo": "https://github.com/example/nn-course",
    "branch": "main",
    "lab": "http://localhost:8888",
}

WIDGET_NOTE = ('<p class="coursekit-widget-note"><em>An interactive demo (sliders) is shown here '
               'when the notebook runs: open it in JupyterLab to use it.</em></p>')


class SiteError(RuntimeError):
    """The site could not be built; the message says which edition and why."""


def load_settings(config: Path | None = None, **overrides) -> dict:
    """DEFAULTS, then the TOML ``config`` (default docs/site/site.toml), then non-None overrides."""
    settings = dict(DEFAULTS)
    path = Path(config) if config is not None else SITE_CONFIG_DIR / "site.toml"
    if path.is_file():
        try:
            import tomllib
        except ImportError:  # Python 3.10
            import tomli as tomllib
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        unknown = set(data) - set(DEFAULTS)
        if unknown:
            raise SiteError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}; "
                            f"known: {', '.join(DEFAULTS)}")
        settings.update({k: str(v) for k, v in data.items()})
    elif config is not None:
        raise SiteError(f"{path}: no such site configuration file")
    settings.update({k: v for k, v in overrides.items() if v is not None})
    for key in ("hub", "repo", "lab"):
        settings[key] = settings[key].rstrip("/")
    return settings


# --- links ------------------------------------------------------------------------------------

def repo_folder(repo_url: str) -> str:
    """The folder nbgitpuller clones ``repo_url`` into: its last path part without ``.git``."""
    name = repo_url.rstrip("/").rsplit("/", 1)[-1]
    return name[:-4] if name.endswith(".git") else name


def nbgitpuller_link(hub: str, repo: str, branch: str, path: str) -> str:
    """``HUB/hub/user-redirect/git-pull?repo=...&urlpath=lab/tree/FOLDER/PATH&branch=...``.

    ``path`` is the notebook's path in the repository (``lectures/03_x.ipynb``). nbgitpuller
    clones (or updates) the repository in the user's home on the hub and opens the notebook.
    """
    urlpath = f"lab/tree/{repo_folder(repo)}/{path}"
    return (f"{hub.rstrip('/')}/hub/user-redirect/git-pull?repo={quote(repo, safe='')}"
            f"&urlpath={quote(urlpath, safe='')}&branch={quote(branch, safe='')}")


def lab_link(lab: str, name: str) -> str:
    """JupyterLab started by ``make lab`` (root lectures/) or ``jupyter lab solutions/``."""
    return f"{lab.rstrip('/')}/lab/tree/{quote(name)}"


# --- the notebooks of each edition ------------------------------------------------------------

def students_notebook(master_path: Path) -> nbformat.NotebookNode:
    """The lecture as ``coursekit build`` makes it, with the teaching cells' master outputs.

    The lecture's cells are the master's cells minus the HIDDEN ones, in order (build.py's
    ``lecture_notebook``), so the two line up once the HIDDEN cells are dropped; each teaching
    cell's source is checked to be the same before its outputs are copied.
    """
    master = parse_master(master_path)
    lecture = lecture_notebook(master)
    kept = [(cell, kind) for cell, (kind, _) in zip(master.nb.cells, master.kinds) if kind != "hidden"]
    if len(kept) != len(lecture.cells):
        raise SiteError(f"{master_path}: the lecture has {len(lecture.cells)} cells but the master "
                        f"{len(kept)} that are not HIDDEN; build.py changed how it maps cells")
    for new, (old, kind) in zip(lecture.cells, kept):
        if new.cell_type != "code":
            continue
        if kind == "teaching":
            if new.source != old.source:
                raise SiteError(f"{master_path}: a teaching cell's source differs in the lecture; "
                                "cannot take its outputs from the master")
            new.outputs = copy.deepcopy(old.get("outputs", []))
            new.execution_count = old.get("execution_count")
        else:
            new.outputs, new.execution_count = [], None
    return lecture


def _heading_before(cells, index: int) -> str:
    for cell in reversed(cells[:index]):
        if cell.cell_type == "markdown":
            for line in reversed(cell.source.splitlines()):
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def add_alt_text(nb: nbformat.NotebookNode) -> int:
    """Give every image output without alt text one derived from its cell; returns how many."""
    added = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        missing = [o for o in images if not o.get("metadata", {}).get("image/png", {}).get("alt")]
        if not missing:
            continue
        texts = [str(o["data"].get("text/plain", "")) for o in images]
        alts = describe_cell_figures(cell.source, len(images), _heading_before(nb.cells, index), texts)
        for output, alt in zip(images, alts):
            md = output.setdefault("metadata", {}).setdefault("image/png", {})
            if not md.get("alt"):
                md["alt"] = alt
                added += 1
    return added


def _replace_widgets(nb: nbformat.NotebookNode) -> None:
    """A widget needs a kernel: its output becomes a note (the site loads no widget scripts)."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_MIME in data:
                output["data"] = {"text/html": WIDGET_NOTE}
                output.get("metadata", {}).pop(WIDGET_MIME, None)


def _links_markdown(name: str, edition: str, settings: dict) -> str:
    folder = "lectures" if edition == "students" else "solutions"
    hub = nbgitpuller_link(settings["hub"], settings["repo"], settings["branch"], f"{folder}/{name}")
    lab = lab_link(settings["lab"], name)
    return (f'<div class="coursekit-links">\n\n'
            f'[Download this notebook](path:notebooks/{name}) ·\n'
            f'[Open in JupyterLab]({lab}) ·\n'
            f'[Open on the JupyterHub]({hub})\n\n</div>')


def page_notebook(nb: nbformat.NotebookNode, name: str, edition: str, settings: dict) -> nbformat.NotebookNode:
    """The notebook Sphinx renders: links under the title, alt text, widgets as notes."""
    nb = copy.deepcopy(nb)
    _replace_widgets(nb)
    add_alt_text(nb)
    links = _links_markdown(name, edition, settings)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            head, _, rest = cell.source.lstrip().partition("\n")
            cell.source = f"{head}\n\n{links}\n{rest}"
            break
    else:
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(links))
    return nb


def _title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _index_markdown(edition: str, settings: dict, titles: list[tuple[str, str]]) -> str:
    if edition == "students":
        about = ("The course's thirteen notebooks, to read in a browser before you run them. Each "
                 "page shows the lesson with its formulas and figures; the exercises are left for "
                 "you, as in the notebooks you download. Run them in JupyterLab for the checks "
                 "and the interactive demos.")
    else:
        about = ("The instructors' edition: the master notebooks with their solutions, checks and "
                 "hidden checks, and every output of their executed run. Not for students.")
    edition_name = "Students' edition" if edition == "students" else "Instructors' edition"
    toc = "\n".join(stem for stem, _ in titles)
    listing = "\n".join(f"- [{title}]({stem}.ipynb)" for stem, title in titles)
    return (f"# {settings['title']}\n\n*{edition_name}.* {about}\n\n"
            f"```{{toctree}}\n:maxdepth: 1\n:caption: Lectures\n:hidden:\n\n{toc}\n```\n\n"
            f"## Lectures\n\n{listing}\n")


def write_sources(edition: str, solutions: Path, src: Path, settings: dict) -> list[str]:
    """The Sphinx source folder of one edition; returns the page names in course order."""
    if edition not in EDITIONS:
        raise SiteError(f"unknown edition {edition!r}; one of {', '.join(EDITIONS)}")
    if src.exists():
        shutil.rmtree(src)
    (src / "notebooks").mkdir(parents=True)
    titles = []
    for path in master_paths(solutions):
        if edition == "students":
            nb = students_notebook(path)
            # exactly what `coursekit build` writes to lectures/ (no outputs)
            download = notebook_bytes(lecture_notebook(parse_master(path)))
        else:
            nb = nbformat.read(str(path), as_version=4)
            download = path.read_bytes()
        (src / "notebooks" / path.name).write_bytes(download)
        nbformat.write(page_notebook(nb, path.name, edition, settings), str(src / path.name))
        titles.append((path.stem, _title(nb, path.stem)))
    if not titles:
        raise SiteError(f"{solutions}: no master notebooks to publish")
    (src / "index.md").write_text(_index_markdown(edition, settings, titles), encoding="utf-8")
    (src / "_coursekit_site.json").write_text(json.dumps({**settings, "edition": edition}), encoding="utf-8")
    return [stem for stem, _ in titles]


# --- the build ----------------------------------------------------------------------------------

@dataclass
class SiteReport:
    out: Path
    editions: dict[str, Path] = field(default_factory=dict)   # edition -> its html folder
    seconds: dict[str, float] = field(default_factory=dict)


def sphinx_available() -> str | None:
    """None when the site extra is installed, else what is missing (for skips and errors)."""
    import importlib.util

    missing = [m for m in ("sphinx", "myst_nb", "sphinx_book_theme", "sphinx-mathjax-offline")
               if importlib.util.find_spec(m) is None]
    return None if not missing else ("the site extra is not installed (missing "
                                     f"{', '.join(missing)}): pip install -e '.[site]'")


def _landing_page(out: Path, settings: dict) -> None:
    (out / "index.html").write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{settings['title']}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>{settings['title']}</h1>
<ul>
<li><a href="students/index.html">Students' edition</a>: the lectures, with the exercises left to do.</li>
<li><a href="instructors/index.html">Instructors' edition</a>: the master notebooks with solutions.</li>
</ul></body></html>
""", encoding="utf-8")


def build_site(out: Path = Path("build/site"), solutions: Path = REPO / "solutions",
               editions=EDITIONS, settings: dict | None = None, log=print) -> SiteReport:
    """Build each edition into ``out/EDITION/`` with Sphinx (warnings are errors)."""
    problem = sphinx_available()
    if problem:
        raise SiteError(problem)
    settings = settings or load_settings()
    out = Path(out).resolve()
    work = out / "_work"
    report = SiteReport(out)
    for edition in editions:
        started = time.monotonic()
        # Built inside _work/ (MyST-NB writes its output files beside the html folder), then moved.
        src, built, html = work / edition / "src", work / edition / "html", out / edition
        write_sources(edition, Path(solutions), src, settings)
        for old in (built, html):
            if old.exists():
                shutil.rmtree(old)
        cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-E",
               "-c", str(SITE_CONFIG_DIR), "-d", str(work / edition / "doctrees"), str(src), str(built)]
        env = dict(os.environ, COURSEKIT_SITE_SETTINGS=str(src / "_coursekit_site.json"),
                   PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise SiteError(f"{edition} edition: Sphinx failed (exit {result.returncode}):\n"
                            + (result.stderr or result.stdout).strip())
        built.rename(html)
        report.editions[edition] = html
        report.seconds[edition] = time.monotonic() - started
        log(f"{edition}: {html / 'index.html'} ({report.seconds[edition]:.0f} s)")
    _landing_page(out, settings)
    return report
