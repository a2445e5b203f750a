"""The cache of the exact circuit model's replicates (validation/results/circuit_model_cache/).

New entries are written there as plain files; the committed ones are kept compressed in
validation/artefacts/circuit_model_cache.tar.xz and read through validation/artefacts.py (a plain file wins).

A replicate, predict_raw(n, p, H, model="circuit", seed, n_mc)["minima"], costs seconds to ten minutes, and
the validation scripts reuse some 450 of them. An entry is valid when the code that made it would make
it again:

- it was written with the same CIRCUIT_SOURCES (sha256 of the files), or
- the circuit model's *fingerprint* is unchanged: the exact output (12 significant digits) of the
  FINGERPRINT_PROBES, small circuit-model runs that go through the same path (spec parsing, ladder,
  Kac–Rice weights, tabulated law) as the table's replicates. The fingerprint of every source version
  that wrote entries is recorded in FINGERPRINTS, so an edit of those files that leaves the model's
  numbers unchanged (a new Hamiltonian preset, a docstring, a refactor) keeps the cache, and any edit
  that changes them invalidates it. What the probes cannot see (a change that only acts at other n, p)
  is the residual risk; the probes span n = 2-4, p = 2-12 and the three spectra of the tables.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from functools import lru_cache

from validation import artefacts

HERE = os.path.dirname(os.path.abspath(__file__))
CIRCUIT_CACHE = os.path.join(HERE, "results", "circuit_model_cache")
#: the files the circuit model's numbers come from (spherical.py: the ladder and prediction_from_draws;
#: weighted_draws.py: the Kac–Rice estimates; seeding.py: the random streams)
CIRCUIT_SOURCES = ("theory/circuit_kacrice.py", "theory/predict.py", "theory/distributions.py", "hamiltonians.py",
                   "theory/spherical.py", "theory/weighted_draws.py", "seeding.py")
#: (n, p, H, draws) of the fingerprint runs (seed FINGERPRINT_SEED)
FINGERPRINT_PROBES = ((2, 2, "fidelity", 400), (3, 6, "projector:2", 1000), (4, 12, "randspec:1", 1000))
FINGERPRINT_SEED = 97
#: every entry is a plain-ladder prediction (predict's ladder="plain"; the default "auto" adds deep levels near
#: the transition, docs/studies/circuit_model.md): the cached tables keep the estimator they were computed with
LADDER = "plain"
FINGERPRINTS = "source_fingerprints.json"


def _cache_file(n: int, p: int, ham: str, seed: int, n_mc: int = 8000) -> str:
    return os.path.join(CIRCUIT_CACHE, f"n{n}_p{p}_{ham.replace(':', '')}_s{seed}_mc{n_mc}.json")


@lru_cache(maxsize=1)
def source_hash() -> str:
    """sha256 of CIRCUIT_SOURCES as they are now."""
    import rmt_qgm
    h = hashlib.sha256()
    for src in CIRCUIT_SOURCES:
        with open(os.path.join(os.path.dirname(rmt_qgm.__file__), src), "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()


def _rounded(x):
    if isinstance(x, float):
        return float(f"{x:.12g}")
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in sorted(x.items())}
    if isinstance(x, (list, tuple)):
        return [_rounded(v) for v in x]
    return x


@lru_cache(maxsize=1)
def model_fingerprint() -> str:
    """sha256 of the probes' outputs (12 significant digits) under the code as it is now."""
    from rmt_qgm.theory.predict import predict_raw
    h = hashlib.sha256()
    for n, p, ham, n_mc in FINGERPRINT_PROBES:
        m = predict_raw(n, p, hamiltonian=ham, model="circuit", seed=FINGERPRINT_SEED, n_mc=n_mc, ladder=LADDER)["minima"]
        h.update(json.dumps(_rounded(m), sort_keys=True).encode())
    return h.hexdigest()


def known_fingerprints() -> dict:
    """{source sha256: model fingerprint} recorded so far."""
    path = os.path.join(CIRCUIT_CACHE, FINGERPRINTS)
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def record_fingerprint() -> str:
    """Record the current sources' fingerprint (computing it if needed); returns it."""
    from rmt_qgm.store import atomic_write_json
    known = known_fingerprints()
    fp = model_fingerprint()
    if known.get(source_hash()) != fp:
        known[source_hash()] = fp
        os.makedirs(CIRCUIT_CACHE, exist_ok=True)
        atomic_write_json(os.path.join(CIRCUIT_CACHE, FINGERPRINTS), known)
    return fp


def entry_valid(entry: dict) -> bool:
    """Whether a cached entry would be reproduced by the current code (module docstring)."""
    if entry["source_sha256"] == source_hash():
        return True
    known = known_fingerprints()
    fp = entry.get("model_fingerprint") or known.get(entry["source_sha256"])
    # the current sources' fingerprint, recorded when they last wrote an entry, else computed now
    return fp is not None and fp == (known.get(source_hash()) or model_fingerprint())


def circuit_minima(n: int, p: int, ham: str, seed: int, n_mc: int = 8000) -> dict:
    """predict_raw(n, p, ham, model="circuit", seed, n_mc, ladder=LADDER)["minima"], cached in CIRCUIT_CACHE (written
    atomically)."""
    import rmt_qgm
    from rmt_qgm.store import atomic_write_json
    from rmt_qgm.theory.predict import predict_raw
    f = _cache_file(n, p, ham, seed, n_mc)
    if artefacts.exists(f):                # a plain file, or archived (validation/artefacts.py)
        c = artefacts.load_json(f)
        if entry_valid(c):
            return c["minima"]
    t0 = time.perf_counter()
    m = predict_raw(n, p, hamiltonian=ham, model="circuit", seed=seed, n_mc=n_mc, ladder=LADDER)["minima"]
    seconds = time.perf_counter() - t0
    fp = record_fingerprint()
    os.makedirs(CIRCUIT_CACHE, exist_ok=True)
    atomic_write_json(f, {"version": rmt_qgm.__version__, "n": n, "p": p, "hamiltonian": ham, "seed": seed,
                          "n_mc": n_mc, "seconds": seconds, "source_sha256": source_hash(),
                          "model_fingerprint": fp, "minima": m})
    return m
