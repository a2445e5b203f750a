"""A cache of the exact circuit model's replicates, valid while the code would reproduce them.

A replicate is ``predict_raw(n, p, H, model="circuit", seed, n_mc, ladder="plain")["minima"]`` (docs/theory.md §11)
drawn with tilt-ladder version ``ladder_version`` (:func:`.spherical.tilt_ladder`); at n = 5–6 one costs seconds
to ten minutes, and comparison tables reuse hundreds. :class:`ReplicateCache` keeps them as JSON files in one
directory (one file per (n, p, H, seed, n_mc), written atomically, with the package version, the parameters, the
time taken and the code's identity). An entry is valid when the code that made it would make it again:

- it was written with the same :data:`CIRCUIT_SOURCES` (sha256 of the files, :func:`source_hash`), or
- the circuit model's *fingerprint* is unchanged (:func:`model_fingerprint`): the output, rounded to
  FINGERPRINT_DIGITS significant digits, of :data:`FINGERPRINT_PROBES`, small circuit-model runs through the same
  path as the replicates (spec parsing, ladder, Kac–Rice weights, tabulated law). The fingerprint of every source
  version that wrote entries is recorded beside them (``source_fingerprints.json``), so an edit that leaves the
  model's numbers unchanged (a new Hamiltonian preset, a docstring, a refactor) keeps the cache and any edit that
  changes them invalidates it. The rounding absorbs last-bit differences between hosts (BLAS, SIMD: relative
  1e-15) while any change of the model's draws moves the probes by 1e-3 or more. What the probes cannot see (a
  change that acts only at other n, p) is the residual risk; they span n = 2–4, p = 2–12 and three spectra.

The directory and how files are read are the caller's (``exists``/``load`` hooks: e.g. a study that keeps its
entries in a compressed archive).
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from functools import lru_cache
from typing import Any, Callable

from .spherical import LADDER_VERSIONS, ladder_version

#: the package files the circuit model's numbers come from (spherical.py: the ladder and prediction_from_draws;
#: kacrice/draws.py: the Kac–Rice estimates; seeding.py: the random streams), relative to the package
CIRCUIT_SOURCES = ("theory/models/circuit.py", "theory/predict.py", "theory/distributions.py", "hamiltonians.py",
                   "theory/models/spherical.py", "theory/kacrice/draws.py", "seeding.py")
#: (n, p, H, draws) of the fingerprint runs (seed FINGERPRINT_SEED)
FINGERPRINT_PROBES = ((2, 2, "fidelity", 400), (3, 6, "projector:2", 1000), (4, 12, "randspec:1", 1000))
FINGERPRINT_SEED = 97
FINGERPRINT_DIGITS = 9
#: every entry is a plain-ladder prediction (predict's ladder="plain"; the default "auto" adds deep levels near
#: the transition): a cache keeps the estimator its entries were computed with
LADDER = "plain"
FINGERPRINTS = "source_fingerprints.json"


@lru_cache(maxsize=1)
def source_hash() -> str:
    """sha256 of :data:`CIRCUIT_SOURCES` as they are now."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    h = hashlib.sha256()
    for src in CIRCUIT_SOURCES:
        with open(os.path.join(root, src), "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()


def _rounded(x):
    if isinstance(x, float):
        return float(f"{x:.{FINGERPRINT_DIGITS}g}")
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in sorted(x.items())}
    if isinstance(x, (list, tuple)):
        return [_rounded(v) for v in x]
    return x


def replicate(n: int, p: int, ham: str, seed: int, n_mc: int, version: int) -> dict:
    """One replicate as the cache stores it (module docstring)."""
    from ..predict import predict_raw
    with ladder_version(version):
        return predict_raw(n, p, hamiltonian=ham, model="circuit", seed=seed, n_mc=n_mc, ladder=LADDER)["minima"]


@lru_cache(maxsize=4)
def model_fingerprint(version: int) -> str:
    """sha256 of the probes' outputs (FINGERPRINT_DIGITS significant digits) under the code as it is now, drawn
    with tilt-ladder ``version``."""
    h = hashlib.sha256()
    for n, p, ham, n_mc in FINGERPRINT_PROBES:
        h.update(json.dumps(_rounded(replicate(n, p, ham, FINGERPRINT_SEED, n_mc, version)), sort_keys=True).encode())
    return h.hexdigest()


def _load_json(path: str):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


class ReplicateCache:
    """Circuit-model replicates in ``directory`` (module docstring), drawn with tilt-ladder ``version``.

    ``exists(path)`` and ``load(path)`` read entries (default: plain JSON files); new entries are written there
    as plain files."""

    def __init__(self, directory: str, version: int, *, exists: Callable[[str], bool] = os.path.exists,
                 load: Callable[[str], Any] = _load_json):
        if version not in LADDER_VERSIONS:
            raise ValueError(f"version: tilt-ladder version must be one of {LADDER_VERSIONS}, got {version!r}")
        self.directory, self.version, self._exists, self._load = directory, version, exists, load

    def path(self, n: int, p: int, ham: str, seed: int, n_mc: int = 8000) -> str:
        return os.path.join(self.directory, f"n{n}_p{p}_{ham.replace(':', '')}_s{seed}_mc{n_mc}.json")

    def known_fingerprints(self) -> dict:
        """{source sha256: model fingerprint} recorded so far in this cache."""
        path = os.path.join(self.directory, FINGERPRINTS)
        return _load_json(path) if os.path.exists(path) else {}

    def record_fingerprint(self) -> str:
        """Record the current sources' fingerprint (computing it if needed); returns it."""
        from ...store import atomic_write_json
        known = self.known_fingerprints()
        fp = model_fingerprint(self.version)
        if known.get(source_hash()) != fp:
            known[source_hash()] = fp
            os.makedirs(self.directory, exist_ok=True)
            atomic_write_json(os.path.join(self.directory, FINGERPRINTS), known)
        return fp

    def entry_valid(self, entry: dict) -> bool:
        """Whether a cached entry would be reproduced by the current code (module docstring). Entries without a
        ``ladder_version`` were drawn with the legacy ladder (version 1)."""
        if entry.get("ladder_version", 1) != self.version:
            return False
        if entry["source_sha256"] == source_hash():
            return True
        known = self.known_fingerprints()
        fp = entry.get("model_fingerprint") or known.get(entry["source_sha256"])
        # the current sources' fingerprint, recorded when they last wrote an entry, else computed now
        return fp is not None and fp == (known.get(source_hash()) or model_fingerprint(self.version))

    def minima(self, n: int, p: int, ham: str, seed: int, n_mc: int = 8000) -> dict:
        """The replicate (n, p, ham, seed, n_mc): from the cache when a valid entry is there, else computed and
        stored (atomically)."""
        import rmt_qgm
        from ...store import atomic_write_json
        f = self.path(n, p, ham, seed, n_mc)
        if self._exists(f):
            c = self._load(f)
            if self.entry_valid(c):
                return c["minima"]
        t0 = time.perf_counter()
        m = replicate(n, p, ham, seed, n_mc, self.version)
        seconds = time.perf_counter() - t0
        fp = self.record_fingerprint()
        os.makedirs(self.directory, exist_ok=True)
        atomic_write_json(f, {"version": rmt_qgm.__version__, "n": n, "p": p, "hamiltonian": ham, "seed": seed,
                              "n_mc": n_mc, "ladder_version": self.version, "seconds": seconds,
                              "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                              "source_sha256": source_hash(), "model_fingerprint": fp, "minima": m})
        return m
