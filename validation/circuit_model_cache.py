"""The studies' cache of the exact circuit model's replicates (validation/results/circuit_model_cache/).

The cache itself (file format, validity by source hash or model fingerprint) is the package's
:class:`rmt_qgm.theory.models.circuit_cache.ReplicateCache`; here it is pointed at the studies' directory, whose
committed entries are kept compressed in validation/artefacts/circuit_model_cache.tar.xz and read through
validation/artefacts.py (a plain file wins). All stored entries were drawn with the legacy tilt ladder
(rmt_qgm.theory.models.spherical.LEGACY_LADDER), which this cache pins, so that they stay reproducible from their
seeds; some 450 of them are reused by the validation scripts.
"""
from __future__ import annotations

import os

from rmt_qgm.theory.models import circuit_cache as cc
from rmt_qgm.theory.models.spherical import LEGACY_LADDER
from validation import artefacts

HERE = os.path.dirname(os.path.abspath(__file__))
CIRCUIT_CACHE = os.path.join(HERE, "results", "circuit_model_cache")
CACHE = cc.ReplicateCache(CIRCUIT_CACHE, LEGACY_LADDER, exists=artefacts.exists, load=artefacts.load_json)
LADDER = cc.LADDER


def _cache_file(n: int, p: int, ham: str, seed: int, n_mc: int = 8000) -> str:
    return CACHE.path(n, p, ham, seed, n_mc)


def circuit_minima(n: int, p: int, ham: str, seed: int, n_mc: int = 8000) -> dict:
    """predict_raw(n, p, ham, model="circuit", seed, n_mc, ladder=LADDER)["minima"] with the legacy ladder, cached
    in CIRCUIT_CACHE."""
    return CACHE.minima(n, p, ham, seed, n_mc)
