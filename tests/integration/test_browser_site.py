"""The course website in headless Chromium (a module of its own: Playwright's sync API cannot
start while another module's browser is still open)."""
from __future__ import annotations

from pathlib import Path

import pytest

from browser import page as lab_page

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]


def test_course_website_in_chromium(tmp_path_factory):
    """The built website (tests/browser/site.py) as a reader sees it, with every request outside
    the site refused: the index lists the lectures in order, a lecture page shows a rendered
    formula and a drawn figure with alt text, and the search finds a term. Screenshots go to
    test-output/site/."""
    from browser.site import built_site, serve

    chromium = lab_page.find_chromium()
    if chromium is None:
        pytest.skip("no Chromium: install Debian's `chromium` (apt-get install chromium) for the browser test")
    pytest.importorskip("playwright.sync_api", reason="Playwright's Python client is missing: pip install -e '.[browser]'")
    out, _ = built_site(tmp_path_factory)
    shots = REPO / "test-output" / "site"
    shots.mkdir(parents=True, exist_ok=True)
    lecture = "03_logistic_and_softmax_regression"
    with serve(out) as base, lab_page.chromium_context(
            chromium, tmp_path_factory.mktemp("site-profile"), viewport=(1300, 900)) as ctx:
        page = ctx.new_page()
        outside, js_errors = [], []
        page.on("pageerror", lambda exc: js_errors.append(str(exc)))

        def only_the_site(route):
            if route.request.url.startswith(base):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_the_site)
        try:
            page.goto(f"{base}/students/index.html", wait_until="networkidle")
            nav = page.locator("nav.bd-docs-nav a.reference.internal")
            titles = [t.strip() for t in nav.all_inner_texts()]
            numbers = [t[:2] for t in titles if t[:2].isdigit()]
            assert len(numbers) >= 13 and numbers == sorted(numbers), f"navigation not in course order: {titles}"
            page.screenshot(path=str(shots / "index.png"))

            page.goto(f"{base}/students/{lecture}.html", wait_until="networkidle")
            page.wait_for_selector("mjx-container", timeout=20_000)
            formula = page.locator("mjx-container").first
            box = formula.bounding_box()
            assert box and box["width"] > 0 and box["height"] > 0, "the formula has no size: MathJax did not render it"
            assert page.locator("mjx-container mjx-merror").count() == 0, "MathJax reports a formula error"
            page.screenshot(path=str(shots / "lecture.png"))
            figure = page.locator("img[src*='_images/']").first
            figure.scroll_into_view_if_needed()
            assert lab_page.image_is_drawn(figure), "the lecture's first figure is not drawn"
            fbox = figure.bounding_box()
            assert fbox and fbox["width"] > 50 and fbox["height"] > 50, f"the figure is drawn at {fbox}"
            assert len(figure.get_attribute("alt") or "") > 20, "the figure has no alt text"
            page.screenshot(path=str(shots / "lecture-figure.png"))
            download = page.get_by_role("link", name="Download this notebook")
            assert download.count() == 1 and download.get_attribute("href").endswith(f"{lecture}.ipynb")
            assert "git-pull?repo=" in page.get_by_role("link", name="Open on the JupyterHub").get_attribute("href")

            page.goto(f"{base}/students/search.html?q=backpropagation", wait_until="networkidle")
            page.wait_for_selector("#search-results li", timeout=30_000)
            hits = page.locator("#search-results li a").all_inner_texts()
            assert any("Backpropagation" in h for h in hits), f"search for 'backpropagation' found {hits}"
            page.screenshot(path=str(shots / "search.png"))

            page.goto(f"{base}/instructors/{lecture}.html", wait_until="networkidle")
            assert page.get_by_text("BEGIN SOLUTION").count() > 0, "the instructors' edition lacks the solutions"
        finally:
            page.screenshot(path=str(shots / "last.png"))
        assert not outside, f"the site asked for something outside itself: {outside[:5]}"
        assert not js_errors, f"script errors on the site: {js_errors[:5]}"
