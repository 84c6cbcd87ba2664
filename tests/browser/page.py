"""Drive a notebook in JupyterLab the way a student does, and read back what the student sees.

The page is asked two ways: the DOM (what is on screen: a slider, an image, a traceback) and the
running app (window.jupyterapp, exposed by --LabApp.expose_app_in_browser) for facts the screen
shows unreliably, such as whether the kernel is really connected.
"""
from __future__ import annotations

import shutil
import time
from contextlib import contextmanager
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium",)

# Headless flags this closed network needs: no sandbox as root, no GPU, and no background
# requests (component updates, first-run pages) that would hang or slow down offline.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
]


def find_chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def chromium_context(executable: str, user_data_dir: Path, viewport=(1400, 1300)):
    """A headless Chromium with a fresh profile; always closed, also when the test fails."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # A persistent context is how Playwright takes --user-data-dir: a fresh empty profile
        # per run, so no cached JupyterLab state or cookies leak between runs.
        context = pw.chromium.launch_persistent_context(
            str(user_data_dir),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": viewport[0], "height": viewport[1]},
        )
        try:
            yield context
        finally:
            context.close()


# --- the running app ---------------------------------------------------------------------------

_KERNEL_READY_JS = """() => {
    const app = window.jupyterapp;
    const w = app && app.shell.currentWidget;
    const kernel = w && w.sessionContext && w.sessionContext.session
        && w.sessionContext.session.kernel;
    return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""

# One record per cell of the current notebook: its type, source, execution count, the prompt the
# student sees ("[*]:" while queued or running), its error outputs and whether a traceback is
# rendered on screen.
_CELLS_JS = """() => {
    const nb = window.jupyterapp.shell.currentWidget.content;
    return nb.widgets.map((cell, index) => {
        const m = cell.model;
        const outputs = m.type === 'code' ? m.outputs.toJSON() : [];
        const prompt = cell.node.querySelector('.jp-InputArea-prompt');
        return {
            index,
            type: m.type,
            source: m.sharedModel.getSource(),
            execution_count: m.type === 'code' ? m.executionCount : null,
            prompt: prompt ? prompt.innerText.trim() : '',
            errors: outputs.filter(o => o.output_type === 'error')
                           .map(o => ({ename: o.ename, evalue: o.evalue})),
            traceback_text: Array.from(cell.node.querySelectorAll(
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
                .map(n => n.innerText).join('\\n'),
        };
    });
}"""


def open_notebook(page, url: str, timeout_s: float = 60) -> None:
    """Open a notebook and wait until its kernel can really run code.

    The trap: the notebook toolbar shows an idle kernel about 1.5 s before the kernel's
    websocket is connected, and "Run All Cells" in that window is silently lost. So wait for the
    session's kernel to report connectionStatus == "connected", and for the status bar to say
    "Idle" as a student would read it.
    """
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_s * 1000)
    page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(
        state="visible", timeout=timeout_s * 1000)
    page.wait_for_function(_KERNEL_READY_JS, timeout=timeout_s * 1000, polling=200)
    page.locator("#jp-main-statusbar").get_by_text("Idle").first.wait_for(
        state="visible", timeout=timeout_s * 1000)


def clear_all_outputs(page) -> None:
    """Clear every output and execution count, so what is on screen afterwards is from this run.

    Masters in solutions/ are stored executed: without this, their saved outputs and counts
    would pass for a run that never happened.
    """
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function("""() => window.jupyterapp.shell.currentWidget.content.widgets.every(
        c => c.model.type !== 'code' || (c.model.executionCount === null && c.model.outputs.length === 0))""",
        timeout=10_000)


def run_all_from_menu(page) -> None:
    """Run > Run All Cells in the menu bar, as a student would."""
    page.locator("#jp-menu-panel .lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu .lm-Menu-item:visible .lm-Menu-itemLabel").filter(
        has_text="Run All Cells").first.click()


def cells(page) -> list[dict]:
    return page.evaluate(_CELLS_JS)


def wait_until_run_finished(page, timeout_s: float, settle_s: float = 1.5) -> list[dict]:
    """Wait until the run started by Run All is over; return the cells.

    Over means: the first code cell has an execution count (the run did start), no prompt shows
    "[*]" (nothing queued or running), the kernel is idle, and this holds for settle_s (an idle
    kernel between two queued cells is not the end).
    """
    deadline = time.monotonic() + timeout_s
    quiet_since = None
    while True:
        state = cells(page)
        code = [c for c in state if c["type"] == "code"]
        started = bool(code) and code[0]["execution_count"] is not None
        pending = any("*" in c["prompt"] for c in code)
        idle = page.evaluate(_KERNEL_READY_JS)
        if started and not pending and idle:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= settle_s:
                return state
        else:
            quiet_since = None
        if time.monotonic() > deadline:
            running = [c["index"] for c in code if "*" in c["prompt"]]
            raise AssertionError(
                f"the notebook was still running after {timeout_s:.1f} s "
                f"(started={started}, cells showing [*]: {running}, kernel idle={idle})")
        time.sleep(0.25)


# --- what the student sees -----------------------------------------------------------------------

# What a widget shows besides its own controls: the text and images of its output, with the
# sliders (and their readouts, which change with the value by themselves) taken out.
_WIDGET_VIEW_JS = """(cell) => {
    const area = cell.querySelector('.jp-Cell-outputWrapper') || cell;
    const clone = area.cloneNode(true);
    clone.querySelectorAll('.widget-slider').forEach(n => n.remove());
    const images = Array.from(area.querySelectorAll('img')).map(i => i.src);
    return {text: clone.innerText, images};
}"""


def widget_view(cell_handle) -> dict:
    return cell_handle.evaluate(_WIDGET_VIEW_JS)


def wait_for_widget_output(cell_handle, timeout_s: float = 20, settle_s: float = 1.0) -> dict:
    """Wait until the widget shows something besides its sliders and stops changing.

    Its first drawing arrives asynchronously (text, then the image): a view taken half-way would
    make the later "did the slider change it?" comparison pass for the wrong reason.
    """
    deadline = time.monotonic() + timeout_s
    view, since = widget_view(cell_handle), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = widget_view(cell_handle)
        if now != view:
            view, since = now, time.monotonic()
        elif (view["text"].strip() or view["images"]) and time.monotonic() - since >= settle_s:
            break
    return view


def wait_for_widget_change(cell_handle, before: dict, timeout_s: float = 20) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = widget_view(cell_handle)
        if now != before and (now["text"].strip() or now["images"]):
            return now
        time.sleep(0.2)
    return widget_view(cell_handle)


def png_images(page):
    """Inline PNG plots in output areas (matplotlib's inline backend, or an Output widget)."""
    return page.locator('.jp-OutputArea-output img[src^="data:image/png"]')


def image_is_drawn(locator) -> bool:
    """True when the browser decoded the image and gave it a size: a real picture, not a stub."""
    return locator.evaluate("img => img.complete && img.naturalWidth > 0 && img.naturalHeight > 0")
