"""The studies behind docs/studies/: one module per study on the shared runner of validation/common.py.

Run a study from the repository's root: ``python -m validation.<study> [--workers N] [--render-only] [--out DIR]``.
validation/results/ holds what the pages are rendered from; the large raw results (enumerations, the circuit-model
cache, simulation arrays) are kept compressed in validation/artefacts/ and read transparently
(validation/artefacts.py; after a run, ``python -m validation.artefacts pack STUDY`` moves new raw files there).
"""
