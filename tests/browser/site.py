"""The course website for tests: built once per test session, and served on 127.0.0.1.

tests/course/test_site.py (the built HTML) and tests/integration/test_browser.py (the site in Chromium) share one
build: the first caller builds both editions into a temporary folder, later callers reuse it.
Without the site extra the build is skipped with the reason (CI installs it).
"""
from __future__ import annotations

import functools
import http.server
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

_BUILT: dict[str, object] = {}


def built_site(tmp_path_factory) -> tuple[Path, float]:
    """(folder holding index.html, students/ and instructors/, seconds the build took)."""
    if "out" not in _BUILT:
        from coursekit.course.site import build_site, load_settings, sphinx_available

        problem = sphinx_available()
        if problem:
            pytest.skip(f"course website not built: {problem}")
        out = tmp_path_factory.mktemp("site")
        started = time.monotonic()
        build_site(out, settings=load_settings(), log=lambda msg: None)
        _BUILT["out"], _BUILT["seconds"] = out, time.monotonic() - started
        print(f"course website built in {_BUILT['seconds']:.0f} s")
    return _BUILT["out"], _BUILT["seconds"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@contextmanager
def serve(root: Path):
    """A static file server for ``root`` on 127.0.0.1 (a free port); yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
