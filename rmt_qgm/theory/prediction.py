"""The result of ``predict``: one typed :class:`Prediction` with the two laws users ask for.

- ``minima``: the law of the values of *all* local minima, each counted once (Kac–Rice; docs/theory.md §5.5).
- ``optimiser_minima``: the law of the values where a local optimiser from uniform random starts ends,
  each minimum weighted by its basin of attraction (docs/theory.md §16, §17).

Each is a :class:`Law` (quantiles, mean, mode, support, a smooth pdf, the median's standard error, the
effective sample size where Monte Carlo enters, ``reliable`` with its reason, and ``provenance``: ``derived``
or ``fitted`` with the calibration's file, date and fit range), or a :class:`NoLaw` that says why no law is
given. Raw loss units F = <psi|H|psi> throughout (``units``).

Median standard error of a law estimated from importance-weighted draws (f_i, w_i) (self-normalised
weights w~_i = w_i / sum w): the median m solves F(m) = 1/2 with F^(m) = sum w~_i 1{f_i <= m}; by the delta
method Var F^(m) ~= sum w~_i^2 (1{f_i <= m} - 1/2)^2 and se(m) = sqrt(Var F^(m)) / pdf(m) (the asymptotic law
of a sample quantile, with the Kish-weighted variance; error O(1/ESS) relative).

Smooth pdf: the tabulated density (a weighted histogram on adaptive bins) convolved with a Gaussian kernel of
bandwidth h = 0.9 min(sd, IQR/1.34) ESS^(-1/5) (Silverman's rule with the Kish effective sample size),
reflected at the ground energy E0 so no mass leaks below it. It removes single-draw spikes; quantiles and
moments are those of the unsmoothed law (the smoothing would bias them by O(h^2)).
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

#: version of the JSON layout of :class:`Prediction`
SCHEMA_VERSION = 1
#: points of the reported pdf
PDF_POINTS = 160


@dataclass
class Provenance:
    """Where a law comes from: ``derived`` (a derivation in derivations/, no fitted constant) or ``fitted``
    (a law with constants fitted to simulation data: ``calibration`` names the file, date and fit range)."""

    kind: str                                   # "derived" | "fitted"
    model: str
    source: str                                 # docs/theory.md section or module
    calibration: dict | None = None


@dataclass
class Law:
    """One predicted law of loss values, in raw units (module docstring)."""

    weighting: str                              # what is counted: "each local minimum once" | "optimiser-found"
    units: str
    q10: float
    median: float
    q90: float
    mean: float
    mode: float
    support: list
    pdf: list | None                            # [[F, density], ...] (None for a point mass)
    median_stderr: float | None
    reliable: bool
    reason: str | None                          # why not reliable (None when reliable)
    provenance: Provenance
    effective_sample_size: float | None = None
    details: dict = field(default_factory=dict)
    available: bool = True

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class NoLaw:
    """No law can be given; ``reason`` says why."""

    reason: str
    available: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def smooth_pdf(dist, ess: float | None, E0: float, points: int = PDF_POINTS) -> list:
    """[[F, density]] of ``dist`` (a tabulated law) smoothed by a reflected Gaussian kernel (module
    docstring); the raw tabulated density when ``ess`` is None (no Monte Carlo)."""
    Fg, dens = dist.grid()
    lo, hi = dist.support()
    if ess is None or not np.isfinite(ess) or ess <= 1:
        step = max(1, len(Fg) // points)
        return [[float(f), float(d)] for f, d in zip(Fg[::step], dens[::step])]
    q = dist.ppf([0.25, 0.75])
    sd = float(np.sqrt(max(dist.var(), 0.0))) if hasattr(dist, "var") else float(q[1] - q[0]) / 1.349
    spread = min(sd, float(q[1] - q[0]) / 1.34) or sd
    h = 0.9 * spread * ess ** (-0.2)
    x = np.linspace(max(E0, lo - 2 * h), hi + 2 * h, points)
    # quadrature of the tabulated density on a fine grid (trapezoid)
    y = np.linspace(lo, hi, 4000)
    py = dist.pdf(y)
    wy = py * np.gradient(y)
    K = np.exp(-0.5 * ((x[:, None] - y[None, :]) / h) ** 2)
    K += np.exp(-0.5 * ((x[:, None] + y[None, :] - 2 * E0) / h) ** 2)
    out = (K @ wy) / (h * np.sqrt(2 * np.pi))
    out[x < E0] = 0.0
    return [[float(a), float(b)] for a, b in zip(x, out)]


def law_from_distribution(dist, *, weighting: str, provenance: Provenance, E0: float,
                          median_stderr: float | None = None, ess: float | None = None,
                          reliable: bool = True, reason: str | None = None, details: dict | None = None) -> Law:
    """A :class:`Law` from a tabulated distribution in raw units (quantiles of the unsmoothed law)."""
    return Law(weighting=weighting, units=dist.units.units, q10=float(dist.ppf(0.1)), median=float(dist.median()),
               q90=float(dist.ppf(0.9)), mean=float(dist.mean()), mode=float(dist.mode()),
               support=[float(v) for v in dist.support()], pdf=smooth_pdf(dist, ess, E0),
               median_stderr=None if median_stderr is None else float(median_stderr), reliable=bool(reliable),
               reason=None if reliable else reason, provenance=provenance,
               effective_sample_size=None if ess is None else float(ess), details=details or {})


def point_law(F: float, *, weighting: str, units: str, provenance: Provenance, reliable: bool,
              reason: str | None, details: dict | None = None, band: tuple[float, float] | None = None,
              median_stderr: float | None = None) -> Law:
    """A law concentrated at ``F`` (an asymptotic level, or the global minimum above the transition).
    ``band`` (optional) is reported as [q10, q90] when the theory gives an interval for the level;
    ``median_stderr`` None: the level has no sampling error, and its finite-size error is in ``reason``."""
    lo, hi = band if band is not None else (F, F)
    return Law(weighting=weighting, units=units, q10=float(lo), median=float(F), q90=float(hi), mean=float(F),
               mode=float(F), support=[float(lo), float(hi)], pdf=None, median_stderr=median_stderr, reliable=reliable,
               reason=None if reliable else reason, provenance=provenance, effective_sample_size=None,
               details=details or {})


def weighted_median_stderr(f: np.ndarray, logw: np.ndarray, median: float, pdf_at_median: float) -> float:
    """se of the median of the self-normalised weighted law of draws (f_i, e^logw_i) (module docstring)."""
    f, logw = np.asarray(f, float), np.asarray(logw, float)
    ok = np.isfinite(logw)
    if not np.any(ok) or not pdf_at_median > 0:
        return float("nan")
    w = np.exp(logw[ok] - logw[ok].max())
    w /= w.sum()
    var = float(np.sum(w * w * ((f[ok] <= median) - 0.5) ** 2))
    return float(np.sqrt(var) / pdf_at_median)


@dataclass
class Prediction:
    """What ``predict`` returns (``to_dict()``/``to_json()``; item access reads the dict form)."""

    model: str
    model_reason: str
    n_qubits: int | None
    n_params: int
    gamma: float
    hamiltonian: str | None
    regime: str
    minima: Law | NoLaw
    optimiser_minima: Law | NoLaw
    transition: dict
    critical_points: dict | None = None
    ansatz: str | None = None                   # the circuit family the laws are for
    asymptotic: dict | None = None
    sampling: dict | None = None
    dof: dict | None = None
    models_considered: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    dps: int = 30
    digits_lost: int = 0
    seed: int = 0
    seconds: float = 0.0
    budget_seconds: float | None = None
    schema_version: int = SCHEMA_VERSION
    version: str = ""
    created: str = ""

    def __post_init__(self):
        if not self.version:
            from .. import __version__
            self.version = __version__
        if not self.created:
            self.created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    def to_dict(self) -> dict:
        d = asdict(self)
        return d

    def to_json(self, **kw) -> str:
        from ..store import to_jsonable
        return json.dumps(to_jsonable(self.to_dict()), **kw)

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.to_dict().get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self.to_dict()
