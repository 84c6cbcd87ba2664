"""The Sphinx side of the course website (loaded by docs/site/conf.py as an extension).

- Alt text: MyST-NB writes each image output to a file named by the SHA-256 of its bytes but
  keeps no alt text from the output's metadata. This extension reads the page's notebook, maps
  each PNG's hash to its ``metadata["image/png"]["alt"]`` and sets the image's alt. An image
  left without alt text is a warning, so the build (``-W``) fails on it.
"""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)


def notebook_alt_texts(path: Path) -> dict[str, str]:
    """SHA-256 of each image output's bytes -> its alt text, for one notebook file."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    alts = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for mime in ("image/png", "image/jpeg"):
                if mime in output.get("data", {}):
                    alt = output.get("metadata", {}).get(mime, {}).get("alt")
                    digest = hashlib.sha256(base64.b64decode(output["data"][mime])).hexdigest()
                    if alt:
                        alts[digest] = str(alt)
    return alts


def _set_alt_text(app, doctree) -> None:
    source = Path(app.env.doc2path(app.env.docname))
    alts = notebook_alt_texts(source) if source.suffix == ".ipynb" else {}
    for image in doctree.findall(nodes.image):
        if image.get("alt"):
            continue
        alt = alts.get(Path(image["uri"]).stem)
        if alt:
            image["alt"] = alt
        else:
            logger.warning(f"image {image['uri']} has no alt text: give its output "
                           "metadata['image/png']['alt'] (coursekit.plotting.alt_text)",
                           location=image)


def setup(app):
    app.connect("doctree-read", _set_alt_text)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
