"""What every demo shares: controls on top, the picture as a PNG below, a status line.

The picture is an ``ipywidgets.Image`` holding PNG bytes rather than an ``Output`` widget: it
shows the same in JupyterLab, in a saved notebook and under nbval, and a test can read
``demo.image.value`` and ``demo.result`` without a browser or a kernel.
Figures are plain ``matplotlib.figure.Figure`` objects (no pyplot), so nothing leaks into the
notebook's inline figures and nothing needs ``plt.show()``.
"""
from __future__ import annotations

import io
from contextlib import contextmanager
from typing import Callable

import ipywidgets as widgets
from matplotlib.figure import Figure

__all__ = ["Demo", "figure_png", "slider_layout"]

DPI = 100


def _image_width(figsize) -> str:
    """The picture's own pixel width: shown in a wider box, the PNG is stretched and blurred."""
    return f"{int(round(figsize[0] * DPI))}px"


def figure_png(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure rendered to PNG bytes (off-screen, Agg)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def slider_layout(width="320px"):
    return widgets.Layout(width=width)


STYLE = {"description_width": "110px"}


class Demo(widgets.VBox):
    """A demo widget: ``controls`` drive ``compute``, whose result ``draw`` turns into a figure.

    Parameters
    ----------
    controls : dict name -> ipywidgets value widget (sliders, dropdowns...)
    compute : callable(**values) -> dict, the plain function of the demo (testable alone)
    draw : callable(result, values, fig) -> str, draws on the empty Figure ``fig`` and returns the
        status line shown under the picture (HTML allowed)
    figsize : size of the figure in inches
    observe : names of the controls whose change redraws (default: all); a demo that keeps
        some controls in step itself (presets filling boxes) redraws for those with ``hold``

    Attributes
    ----------
    result : the latest dict returned by ``compute``
    image : ipywidgets.Image with the latest picture as PNG bytes
    status : ipywidgets.HTML with the latest status line (or the error, in plain words)
    n_updates : how many times the picture was redrawn
    """

    def __init__(self, controls: dict, compute: Callable, draw: Callable, figsize=(5.0, 4.0),
                 control_box=None, title=None, observe=None):
        self.controls = controls
        self._compute, self._draw, self._figsize = compute, draw, figsize
        self._held = False
        self._title = title or "demo"
        self.result = None
        self.n_updates = 0
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=_image_width(figsize),
                                                                     max_width="100%", height="auto"))
        self.status = widgets.HTML()
        for name in (controls if observe is None else observe):
            controls[name].observe(self._changed, names="value")
        box = control_box or widgets.VBox(list(controls.values()))
        children = ([widgets.HTML(f"<b>{title}</b>")] if title else []) + [box, self.image, self.status]
        super().__init__(children)
        self.update()

    def __repr__(self) -> str:
        # Short and stable: a notebook's text/plain output (compared by nbval) must not carry
        # PNG bytes or widget internals that change between library versions.
        settings = ", ".join(f"{k}={v!r}" for k, v in self.values().items())
        return f"<{self._title}: {settings}>"

    def values(self) -> dict:
        """The current value of every control, by name."""
        return {k: c.value for k, c in self.controls.items()}

    @contextmanager
    def hold(self):
        """Change several controls and redraw once at the end."""
        self._held = True
        try:
            yield
        finally:
            self._held = False
        self.update()

    def _changed(self, change):
        if not self._held:
            self.update()

    def update(self):
        """Recompute and redraw from the controls' current values."""
        values = self.values()
        try:
            self.result = self._compute(**values)
            fig = Figure(figsize=self._figsize, layout="constrained")
            status = self._draw(self.result, values, fig)
            self.image.value = figure_png(fig)
            self.status.value = status or ""
        except Exception as err:  # a callback's traceback would vanish: show it in the widget
            self.status.value = f"<span style='color:#D55E00'>Could not draw this: {err}</span>"
            raise
        finally:
            self.n_updates += 1
