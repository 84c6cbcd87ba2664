"""The instructor's tools: build lectures from masters, grade submissions (docs/AUTHORING.md,
docs/GRADING.md). Run them as ``coursekit build`` / ``coursekit grade`` or ``python -m coursekit``.
"""
