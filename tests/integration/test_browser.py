"""The course as a student meets it: JupyterLab in a real (headless) Chromium.

Starts JupyterLab on 127.0.0.1 with a token over copies of the notebooks, opens a lecture, runs
all cells from the menu and checks what is on screen: the notebook renders, every cell before
the first exercise stub runs without an error, the stub shows its NotImplementedError, the plots
shown are really drawn, a widget's slider is drawn and moving it changes its picture (the widget
cell is run by itself when it comes after the exercise, where Run All stops). Then the lecture's
master in solutions/ runs to the end without an error, with a plot and a working widget.
Screenshots go to test-output/browser/.

Needs Debian's chromium (/usr/bin/chromium or `chromium` on PATH) and the Playwright client
(`pip install -e ".[browser]"`); skips with a message otherwise.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from browser import page as lab_page
from browser.server import start_lab, stop_lab

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "browser"
SHOTS = REPO / "test-output" / "browser"

# Budgets, in seconds, that keep the whole module under 3 minutes on a 2-core machine.
OPEN_TIMEOUT = 60
LECTURE_RUN_TIMEOUT = 60
SOLUTION_RUN_TIMEOUT = 90

STUB_MESSAGE = "Exercise "  # raise NotImplementedError("Exercise 01.name: ...")


WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _code_cells(path: Path) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def widget_cell_sources(solution: Path) -> set[str]:
    """Sources of the cells that display a widget, read from the master's stored outputs.

    Masters are stored executed, so they know which cells show a widget, however the widget is
    called (coursekit.widgets.perceptron_demo(), or a helper such as ex.pulse_explorer(...)).
    Teaching cells reach the lecture unchanged, so the same sources find the lecture's cells.
    """
    return {"".join(c["source"]) for c in _code_cells(solution)
            if any(WIDGET_MIME in o.get("data", {}) for o in c.get("outputs", []))}


def pick_notebooks(repo: Path = REPO) -> tuple[Path, Path]:
    """(lecture, solution): the first lecture with a widget, and its master in solutions/.

    A lecture "has a widget" when a code cell mentions `widgets.` (coursekit.widgets.xxx_demo()
    or ipywidgets) or its master's stored outputs show one. Until such a lecture exists, a small
    lecture-like fixture stands in.
    """
    for lecture in sorted((repo / "lectures").glob("*.ipynb")):
        solution = repo / "solutions" / lecture.name
        if not solution.is_file():
            continue
        if any("widgets." in "".join(c["source"]) for c in _code_cells(lecture)) or widget_cell_sources(solution):
            return lecture, solution
    return FIXTURES / "lectures" / "99_browser_demo.ipynb", FIXTURES / "solutions" / "99_browser_demo.ipynb"


def _copy_notebook_dir(src_dir: Path, dst_dir: Path) -> None:
    # The whole folder, so a notebook that reads a file next to it still finds it.
    shutil.copytree(src_dir, dst_dir, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    # Run All in JupyterLab ignores the `skip-execution` tag that nbclient honours, and such a cell
    # (an infinite-loop demo) would hang the run: take those cells out of the copies, as CI does.
    for path in dst_dir.glob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        kept = [c for c in nb["cells"] if "skip-execution" not in c.get("metadata", {}).get("tags", [])]
        if len(kept) != len(nb["cells"]):
            nb["cells"] = kept
            path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
def notebooks():
    return pick_notebooks()


@pytest.fixture(scope="module")
def lab(tmp_path_factory, notebooks):
    """A JupyterLab server over copies of the chosen notebooks; shut down however the test ends."""
    chromium = lab_page.find_chromium()
    if chromium is None:
        pytest.skip("no Chromium: install Debian's `chromium` (apt-get install chromium) for the browser test")
    pytest.importorskip("playwright.sync_api", reason="Playwright's Python client is missing: pip install -e '.[browser]'")
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    root.mkdir()
    lecture, solution = notebooks
    _copy_notebook_dir(lecture.parent, root / "lectures")
    _copy_notebook_dir(solution.parent, root / "solutions")
    server = start_lab(root, base / "state")
    try:
        yield server
    finally:
        stop_lab(server)


@pytest.fixture(scope="module")
def browser_context(lab, tmp_path_factory):
    with lab_page.chromium_context(lab_page.find_chromium(), tmp_path_factory.mktemp("chromium-profile")) as ctx:
        yield ctx


@pytest.fixture
def page(browser_context, request):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg = browser_context.new_page()
    js_errors: list[str] = []
    pg.on("pageerror", lambda exc: js_errors.append(str(exc)))
    pg.js_errors = js_errors
    try:
        yield pg
    finally:
        # The last thing on screen, whatever happened: the first place to look when this fails.
        try:
            pg.screenshot(path=str(SHOTS / f"{request.node.name}-last.png"))
        except Exception:
            pass
        pg.close()


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _describe(cell: dict) -> str:
    first_line = cell["source"].splitlines()[0] if cell["source"] else ""
    return f"cell {cell['index']} ({first_line!r})"


def _first_stub(state: list[dict]) -> int | None:
    for cell in state:
        if any(e["ename"] == "NotImplementedError" and STUB_MESSAGE in e["evalue"] for e in cell["errors"]):
            return cell["index"]
    return None


def _check_widget(page, label: str) -> None:
    """A slider is drawn, and moving it changes what its widget shows."""
    slider = page.locator(".jp-OutputArea .widget-slider").first
    slider.scroll_into_view_if_needed()
    assert slider.is_visible(), f"{label}: the widget's slider is not visible"
    handle = slider.locator(".noUi-handle").first
    assert handle.is_visible(), f"{label}: the slider has no handle a student could drag"
    cell = slider.element_handle().evaluate_handle("n => n.closest('.jp-Cell')")
    before = lab_page.wait_for_widget_output(cell)
    assert before["text"].strip() or before["images"], f"{label}: the widget shows nothing besides its slider"
    cell.as_element().screenshot(path=str(SHOTS / f"{label}-widget-before.png"))
    readout_before = slider.inner_text()

    # Keyboard on the focused handle: the same event path as a student's drag, without pixel maths.
    handle.focus()
    for _ in range(2):
        handle.press("ArrowRight")
    after = lab_page.wait_for_widget_change(cell, before)
    if after != before:
        # Two key presses may redraw twice: screenshot the last drawing, not the one in between.
        after = lab_page.wait_for_widget_output(cell)
    cell.as_element().screenshot(path=str(SHOTS / f"{label}-widget-after.png"))
    assert slider.inner_text() != readout_before, f"{label}: the slider did not move on ArrowRight"
    assert after != before, f"{label}: moving the slider did not change the widget's output"


def _check_plots(page, label: str, required: bool) -> None:
    """Every inline PNG in the outputs is really drawn (decoded, with a size); one at least if required."""
    plots = lab_page.png_images(page)
    if required:
        assert plots.count() > 0, f"{label}: no plot image (data:image/png) appeared in any output"
    for i in range(plots.count()):
        plot = plots.nth(i)
        plot.scroll_into_view_if_needed()
        assert plot.is_visible() and lab_page.image_is_drawn(plot), f"{label}: plot image {i} is not drawn"
    if plots.count():
        plots.first.scroll_into_view_if_needed()
        _shot(page, f"{label}-plot")


def _run_single_cell(page, index: int, timeout_s: float = 30) -> None:
    """Click into a cell and press Shift+Enter; wait until it has run."""
    target = page.locator(".jp-Notebook .jp-Cell").nth(index)
    target.scroll_into_view_if_needed()
    target.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        cell = lab_page.cells(page)[index]
        if cell["execution_count"] is not None and "*" not in cell["prompt"]:
            return
        time.sleep(0.2)
    raise AssertionError(f"cell {index} did not finish within {timeout_s:.0f} s")


def test_lecture_runs_to_first_exercise_with_widget_and_plot(lab, page, notebooks):
    lecture, solution = notebooks
    started = time.monotonic()
    lab_page.open_notebook(page, lab.lab_url(f"lectures/{lecture.name}"), timeout_s=OPEN_TIMEOUT)
    # The notebook renders: its first markdown cell as formatted text (not raw source), and code.
    first_markdown = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown").first
    assert first_markdown.is_visible() and first_markdown.inner_text().strip(), \
        "the lecture's markdown is not rendered"
    assert page.locator(".jp-CodeCell").count() > 0, "the lecture shows no code cells"
    _shot(page, "lecture-opened")

    lab_page.clear_all_outputs(page)
    lab_page.run_all_from_menu(page)
    state = lab_page.wait_until_run_finished(page, LECTURE_RUN_TIMEOUT)

    stub = _first_stub(state)
    errors = [c for c in state if c["errors"]]
    if stub is None and not any(c["source"].startswith("# EXERCISE") for c in state):
        stub = len(state)  # a lecture without exercises must run to the end
    assert stub is not None, (
        "no exercise stub raised NotImplementedError('Exercise ...'); errors seen: "
        + "; ".join(f"{_describe(c)}: {c['errors']}" for c in errors))
    early = [c for c in errors if c["index"] < stub]
    assert not early, "cells before the first exercise failed: " + "; ".join(
        f"{_describe(c)}: {c['errors'][0]['ename']}: {c['errors'][0]['evalue']}" for c in early)
    not_run = [c for c in state if c["type"] == "code" and c["index"] < stub
               and c["execution_count"] is None and c["source"].strip()]
    assert not not_run, "cells before the first exercise did not run: " + ", ".join(map(_describe, not_run))
    if stub < len(state):
        assert "NotImplementedError" in state[stub]["traceback_text"], \
            "the exercise stub's NotImplementedError is not shown on screen"
        page.locator(".jp-Notebook .jp-Cell").nth(stub).scroll_into_view_if_needed()
    _shot(page, "lecture-after-run-all")

    # Plots before the first exercise are drawn. A lecture may have none there (its plots use the
    # student's answer); the solution test then requires them.
    _check_plots(page, "lecture", required=False)

    if page.locator(".jp-OutputArea .widget-slider").count() == 0:
        # Run All stopped at the exercise, before the widget: run the widget cells after it one
        # by one, as a student who skips the exercise would.
        shows_widget = widget_cell_sources(solution)
        # The master says which cells show a widget; without stored widget outputs, guess by name.
        later = [c for c in state if c["type"] == "code" and c["index"] > stub
                 and (c["source"] in shows_widget if shows_widget else "widgets." in c["source"])]
        assert later, "the lecture's widget did not render before its first exercise"
        for cell in later:
            _run_single_cell(page, cell["index"])
            if page.locator(".jp-OutputArea .widget-slider").count():
                break
    if page.locator(".jp-OutputArea .widget-slider").count():
        _check_widget(page, "lecture")
    else:
        # Every widget cell needs the student's answer first: the solution test checks the widget.
        print("lecture: the widget needs a solved exercise; checked in the solution notebook")
    widget_errors = [e for e in page.js_errors if "widget" in e.lower()]
    assert not widget_errors, f"widget errors in the page: {widget_errors}"
    print(f"lecture {lecture.name}: {time.monotonic() - started:.1f} s")


def test_solution_runs_to_the_end(lab, page, notebooks):
    _, solution = notebooks
    started = time.monotonic()
    lab_page.open_notebook(page, lab.lab_url(f"solutions/{solution.name}"), timeout_s=OPEN_TIMEOUT)
    lab_page.clear_all_outputs(page)
    lab_page.run_all_from_menu(page)
    state = lab_page.wait_until_run_finished(page, SOLUTION_RUN_TIMEOUT)
    page.locator(".jp-Notebook .jp-Cell").last.scroll_into_view_if_needed()
    _shot(page, "solution-after-run-all")

    errors = [c for c in state if c["errors"] or "Traceback" in c["traceback_text"]]
    assert not errors, "the solution notebook shows errors: " + "; ".join(
        f"{_describe(c)}: {c['errors'] or c['traceback_text'][:300]}" for c in errors)
    not_run = [c for c in state if c["type"] == "code" and c["execution_count"] is None and c["source"].strip()]
    assert not not_run, "cells of the solution never ran: " + ", ".join(map(_describe, not_run))
    assert page.locator(".jp-OutputArea .widget-slider").count(), "the solution's widget did not render"
    _check_widget(page, "solution")
    _check_plots(page, "solution", required=True)
    print(f"solution {solution.name}: {time.monotonic() - started:.1f} s")
