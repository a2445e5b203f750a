"""The studies behind docs/studies/: one module per study on the shared runner of validation/common.py.

Run a study from the repository's root: ``python -m validation.<study> [--workers N] [--render-only] [--out DIR]``.
"""
