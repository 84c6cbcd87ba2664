"""The course website (`coursekit site`): both editions build offline with warnings as errors,
the students' edition leaks no solution, every image has alt text, every internal link resolves.

The site is built once per session (tests/browser/site.py, shared with the browser test) into a
temporary folder; without the site extra (`pip install -e '.[site]'`) those tests skip and say so.
The alt-text and link helpers are tested without a build.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from browser.site import built_site
from coursekit.course.build import lecture_notebook, master_paths, notebook_bytes
from coursekit.course.markers import BEGIN_CODE, END_CODE, parse_master, solution_regions
from coursekit.course.site import (load_settings, nbgitpuller_link, repo_folder, students_notebook,
                                   SiteError)
from coursekit.plotting.alt_text import describe_cell_figures, describe_figure

ROOT = Path(__file__).resolve().parents[2]
MASTERS = master_paths(ROOT / "solutions")


# --- reading built HTML -----------------------------------------------------------------------

class _Page(HTMLParser):
    """Everything a test needs from one HTML file: text, images, links, ids, scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.images: list[dict] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.external_assets: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag == "img":
            self.images.append(a)
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key])
        asset = a.get("src") if tag in ("script", "img", "iframe") else (
            a.get("href") if tag == "link" else None)
        if asset and re.match(r"^(https?:)?//", asset):
            self.external_assets.append(asset)
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


_PARSED: dict[Path, _Page] = {}


def parse(path: Path) -> _Page:
    if path not in _PARSED:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        _PARSED[path] = page
    return _PARSED[path]


def html_files(folder: Path) -> list[Path]:
    """The site's pages (the theme's Jinja macro files it copies into _static/ are no pages)."""
    return sorted(p for p in folder.rglob("*.html") if "_static" not in p.relative_to(folder).parts)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return built_site(tmp_path_factory)


# --- the build --------------------------------------------------------------------------------

def test_both_editions_build_offline(site):
    out, _ = site
    for edition in ("students", "instructors"):
        pages = {p.name for p in (out / edition).glob("*.html")}
        assert {"index.html", "search.html"} <= pages
        assert {f"{m.stem}.html" for m in MASTERS} <= pages, f"{edition}: a lecture page is missing"
        assert (out / edition / "searchindex.js").is_file(), f"{edition}: no search index"
        assert (out / edition / "_static" / "mathjax" / "tex-chtml.js").is_file(), \
            f"{edition}: MathJax is not shipped with the site"
    assert (out / "index.html").is_file()


def test_no_page_loads_anything_from_a_network(site):
    out, _ = site
    found = {f"{p.relative_to(out)}: {a}" for p in html_files(out) for a in parse(p).external_assets}
    assert not found, "pages load scripts, styles or images from outside the site: " + ", ".join(sorted(found)[:5])


def test_every_internal_link_resolves(site):
    """Every relative href/src names a file of the site, and its #fragment an id in that file."""
    out, _ = site
    broken = []
    for page in html_files(out):
        for link in parse(page).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:")):
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(out)} -> {link}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in parse(target).ids:
                broken.append(f"{page.relative_to(out)} -> {link} (no such anchor)")
    assert not broken, f"{len(broken)} broken internal link(s): " + "; ".join(broken[:10])


_FILE_NAME = re.compile(r"^[\w./-]+\.(png|jpe?g|gif|svg|webp)$", re.I)


def test_every_image_has_alt_text(site):
    out, _ = site
    bad = []
    count = 0
    for page in html_files(out):
        for img in parse(page).images:
            count += 1
            alt = (img.get("alt") or "").strip()
            src = img.get("src", "")
            if not alt or _FILE_NAME.match(alt) or alt == Path(src).name or alt == Path(src).stem:
                bad.append(f"{page.relative_to(out)}: {src} alt={alt!r}")
    assert count > 50, f"only {count} images in the site: the figures did not make it"
    assert not bad, f"{len(bad)} image(s) without alt text that says what they show: " + "; ".join(bad[:5])


def test_pages_are_in_course_order_with_their_links(site):
    out, _ = site
    for edition, folder in (("students", "lectures"), ("instructors", "solutions")):
        index = (out / edition / "index.html").read_text(encoding="utf-8")
        positions = [index.find(f'href="{m.stem}.html"') for m in MASTERS]
        assert -1 not in positions and positions == sorted(positions), f"{edition}: navigation not in course order"
        for master in MASTERS:
            page = out / edition / f"{master.stem}.html"
            links = parse(page).links
            downloads = [l for l in links if l.startswith("_downloads/") and l.endswith(master.name)]
            assert downloads, f"{page}: no 'Download this notebook' link"
            got = (page.parent / downloads[0]).read_bytes()
            want = (notebook_bytes(lecture_notebook(parse_master(master))) if edition == "students"
                    else master.read_bytes())
            assert got == want, f"{page}: the download is not the {folder} notebook"
            settings = load_settings()
            hub = html.escape(nbgitpuller_link(settings["hub"], settings["repo"], settings["branch"],
                                               f"{folder}/{master.name}"))
            assert hub in page.read_text(encoding="utf-8"), f"{page}: no nbgitpuller link to {folder}/{master.name}"


# --- what the students' edition must not show --------------------------------------------------

def _secret_lines(master) -> set[str]:
    """Lines of solution regions and HIDDEN cells that the lecture itself does not contain
    (the rule tests/course/test_build.py applies to lectures/)."""
    lecture_text = "\n".join(c.source for c in lecture_notebook(master).cells)
    public = {line.strip() for line in lecture_text.splitlines()}
    secret = set()
    for cell, (kind, _) in zip(master.nb.cells, master.kinds):
        lines = cell.source.splitlines()
        inside = set()
        if cell.cell_type == "code" and kind == "exercise":
            for begin, end in solution_regions(lines, BEGIN_CODE, END_CODE, "cell"):
                inside.update(range(begin, end + 1))
        for i, line in enumerate(lines):
            if (kind == "hidden" or i in inside) and line.strip():
                secret.add(line.strip())
    return {s for s in secret - public if len(s) > 3}


def _check_output_lines(master) -> set[str]:
    """Text the master's CHECK cells printed (verdicts on the master's own answers)."""
    lines = set()
    for cell, (kind, _) in zip(master.nb.cells, master.kinds):
        if kind == "check":
            for output in cell.get("outputs", []):
                text = output.get("text") or output.get("data", {}).get("text/plain", "")
                lines.update(line.strip() for line in "".join(text).splitlines() if len(line.strip()) > 12)
    return lines


def _page_lines(path: Path) -> set[str]:
    return {line.strip() for line in "".join(parse(path).text).splitlines() if line.strip()}


@pytest.mark.parametrize("master_path", MASTERS, ids=lambda p: p.stem)
def test_students_edition_shows_no_solution_hidden_cell_or_check_output(site, master_path):
    out, _ = site
    master = parse_master(master_path)
    secret = _secret_lines(master)
    assert secret, f"{master_path.name}: no solution lines found; the test would prove nothing"
    students = _page_lines(out / "students" / f"{master_path.stem}.html")
    instructors = _page_lines(out / "instructors" / f"{master_path.stem}.html")
    leaked = sorted(secret & students)
    assert not leaked, f"{master_path.name}: solution or HIDDEN-cell lines on the students' page: {leaked[:5]}"
    assert secret & instructors, f"{master_path.name}: the instructors' page lacks the solutions"
    # A teaching cell may show a check's verdicts on purpose (a buggy answer, in notebook 00).
    shown = students_notebook(master_path)
    public = {line.strip() for c in shown.cells for line in c.source.splitlines()}
    for cell in shown.cells:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            public.update(line.strip() for line in "".join(text).splitlines())
    verdicts = sorted((_check_output_lines(master) - public) & students)
    assert not verdicts, f"{master_path.name}: CHECK output on the students' page: {verdicts[:5]}"
    text = "\n".join(parse(out / "students" / f"{master_path.stem}.html").text)
    assert "# HIDDEN" not in text and "BEGIN SOLUTION" not in text and "END SOLUTION" not in text


def test_students_notebook_takes_teaching_outputs_only():
    master = parse_master(ROOT / "solutions" / "07_activations_initialization_normalization.ipynb")
    nb = students_notebook(master.path)
    lecture = lecture_notebook(master)
    assert [c.source for c in nb.cells] == [c.source for c in lecture.cells]
    kinds = [k for k, _ in master.kinds if k != "hidden"]
    images = 0
    for cell, kind in zip(nb.cells, kinds):
        if cell.cell_type != "code":
            continue
        if kind in ("exercise", "check"):
            assert cell.outputs == [], f"a {kind} cell kept outputs: {cell.source.splitlines()[0]}"
        images += sum("image/png" in o.get("data", {}) for o in cell.outputs)
    assert images >= 3, "the teaching cells' figures were not copied from the master"


# --- settings and links -----------------------------------------------------------------------

def test_nbgitpuller_link_form():
    link = nbgitpuller_link("https://hub.uni.edu/", "https://github.com/uni/nn-course.git", "main",
                            "lectures/03_logistic_and_softmax_regression.ipynb")
    assert link == ("https://hub.uni.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Funi"
                    "%2Fnn-course.git&urlpath=lab%2Ftree%2Fnn-course%2Flectures%2F03_logistic_and_"
                    "softmax_regression.ipynb&branch=main")
    assert repo_folder("https://gitlab.com/a/b/") == "b"


def test_settings_file_then_command_line(tmp_path):
    config = tmp_path / "site.toml"
    config.write_text('hub = "https://hub.a.edu/"\nbranch = "spring"\n')
    settings = load_settings(config, repo="https://git.a.edu/nn")
    assert (settings["hub"], settings["branch"], settings["repo"]) == ("https://hub.a.edu", "spring", "https://git.a.edu/nn")
    config.write_text('hubb = "x"\n')
    with pytest.raises(SiteError, match="hubb"):
        load_settings(config)
    assert load_settings()["hub"].startswith("https://")   # docs/site/site.toml is valid


# --- alt text ---------------------------------------------------------------------------------

def test_describe_figure_reads_titles_labels_and_legend():
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2)
    a.plot([0, 1], [1, 0], label="training loss")
    a.plot([0, 1], [1, 1], label="validation loss")
    a.set(title="Loss per epoch", xlabel="epoch", ylabel="loss")
    a.legend()
    b.set_title(r"Learning rate $\eta$")
    fig.suptitle("Training a network")
    alt = describe_figure(fig)
    plt.close(fig)
    for word in ("Training a network", "2 panels", "Loss per epoch", "Learning rate eta",
                 "loss against epoch", "training loss", "validation loss"):
        assert word in alt, f"{word!r} missing from {alt!r}"


def test_describe_cell_figures_one_text_per_shown_figure():
    source = ('fig = ckp.layer_histograms(rows, title="tanh units: activations per layer")\nplt.show()\n'
              'fig, ax = plt.subplots()\nax.plot(x, y, label=f"lr {lr}")\n'
              'ax.set(xlabel="epoch", ylabel="loss", title="Loss")\nplt.show()\n')
    first, second = describe_cell_figures(source, 2, "4. Initialisation")
    assert "tanh units: activations per layer" in first and "Initialisation" in first
    assert "Loss" in second and "loss against epoch" in second and "lr …" in second
    (only,) = describe_cell_figures("fig = ckp.activation_functions(('relu', 'tanh'), ncols=2);", 1, "",
                                    ["<Figure size 600x300 with 2 Axes>"])
    assert "Activation functions of relu, tanh" in only and "2 panels" in only
    (fallback,) = describe_cell_figures("%time show_it()", 1, "5. Results")
    assert "Results" in fallback


def test_kernel_hook_stores_alt_text_in_the_output(tmp_path):
    """A notebook that imports coursekit.plotting gets metadata['image/png']['alt'] per figure."""
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nimport coursekit.plotting as ckp"),
        nbformat.v4.new_code_cell("fig, ax = plt.subplots()\nax.plot([1, 2], [3, 4], label='loss')\n"
                                  "ax.set(title='Loss per epoch', xlabel='epoch', ylabel='loss')\n"
                                  "ax.legend()\nplt.show()"),
    ]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    (output,) = [o for o in nb.cells[1].outputs if "image/png" in o.get("data", {})]
    assert output.metadata["image/png"]["alt"] == "Loss per epoch. loss against epoch. legend: loss."
