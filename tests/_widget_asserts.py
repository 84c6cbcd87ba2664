"""Assertions shared by the widget tests."""
from __future__ import annotations


def assert_redraws(demo, control, value):
    """Setting ``control`` to ``value`` recomputes the result and changes the picture."""
    before_png, before_n, before_result = demo.image.value, demo.n_updates, demo.result
    demo.controls[control].value = value
    assert demo.n_updates == before_n + 1
    assert demo.result is not before_result
    assert demo.image.value != before_png and demo.image.value[:4] == b"\x89PNG"
