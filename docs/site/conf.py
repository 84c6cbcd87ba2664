"""Sphinx configuration of the course website, for both editions (coursekit/course/site.py).

`coursekit site` writes each edition's sources and the settings (docs/site/site.toml plus the
command line) to a JSON file named by COURSEKIT_SITE_SETTINGS, then runs Sphinx with `-c
docs/site -W`. Nothing is executed (the outputs are the masters') and nothing is loaded from a
network: the theme, the search and MathJax are all copied into the site.
"""
import importlib.util
import json
import os
from pathlib import Path

_settings = json.loads(Path(os.environ["COURSEKIT_SITE_SETTINGS"]).read_text(encoding="utf-8"))
_edition = _settings["edition"]

project = _settings["title"]
author = "the course authors"
copyright = "the course authors"
html_title = project + (" · instructors" if _edition == "instructors" else "")

extensions = ["myst_nb", "coursekit.course.site_sphinx"]
exclude_patterns = ["notebooks/**", "_coursekit_site.json", "**.ipynb_checkpoints"]
root_doc = "index"

# MyST-NB: never run a notebook, show what the masters stored.
nb_execution_mode = "off"
nb_ipywidgets_js = {}                       # widgets become notes (site.py); load no widget scripts
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# MathJax 3 from the sphinx-mathjax-offline package, copied into _static/mathjax/.
_mathjax = Path(importlib.util.find_spec("sphinx-mathjax-offline").submodule_search_locations[0]) / "static"
html_static_path = [str(_mathjax), str(Path(__file__).parent / "static")]
html_css_files = ["coursekit-site.css"]
mathjax_path = "mathjax/tex-chtml.js"

html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": False,            # each page links its own notebook (site.py)
    "use_fullscreen_button": False,
    "show_toc_level": 2,
}
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
language = "en"
