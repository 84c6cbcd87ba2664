"""``python -m coursekit build|grade ...``: the same commands as the ``coursekit`` script."""
import sys

from .course.cli import main

sys.exit(main())
