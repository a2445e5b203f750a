"""Spherical (normalised-state) model and its finite-size Kac–Rice count (docs/theory.md §6.2, §9.4).

Model. y(theta) = G w(theta) in R^(2d), G a 2d x 2^p matrix of i.i.d. N(0, 1) entries (the scale
cancels), w the hypertoroidal coordinates; the loss is the Rayleigh quotient
f(theta) = y^T A y / y^T y with A the real 2d x 2d form of H (each eigenvalue of H twice). Because
w, d_i w, d_i d_j w (i < j) are orthonormal, y, u_i = d_i y, v_ij = d_i d_j y are independent
N(0, I_2d) and d_i^2 y = -y (derivations/step_02). By rotation invariance A = diag(a).

Derivatives (derivations/step_04). With r = |y| and b = (A - f) y:
  d_i f = 2 b.u_i / r^2;
  at a critical point (b.u_i = 0 for all i):  Hess_ij = (2 / r^2) [ u_i^T (A - f) u_j + b.v_ij ]  (i != j),
  Hess_ii = (2 / r^2) u_i^T (A - f) u_i  (no -f I shift: b.(-y) = 0).
Given y, grad f ~ N(0, 4 |b|^2 / r^4 I_p); conditioning on grad f = 0 restricts the u_i to b-perp, and
b.v_ij = |b| Z_ij with Z_ij ~ N(0, 1). Kac–Rice per [0, pi)^p then reads, as an expectation over y,

  E N_k(f in B) = pi^p E_y[ 1{f in B} (2 pi)^(-p/2) |b|^(-p) E|det(C + |b| Z)| 1{index = k} ],
  C = U_perp^T (A - f) U_perp,  U_perp: 2d x p, columns N(0, I) projected on b-perp,

using |det Hess| p_grad(0 | y) = (2/r^2)^p |det(C + |b|Z)| (8 pi |b|^2 / r^4)^(-p/2).

Monte Carlo. Low loss values are exponentially rare under the Gaussian law of y (for the infidelity
loss P(f < 1/2) = 2^(1-d)), so the direction x = y/|y| is drawn from a ladder of angular central Gaussian
laws (the directions of N(0, (I + 2 lam K)^(-1)), K = A - a_min >= 0), with equal numbers of draws per
level, and the radius from its true chi_D law. Draws are weighted by p(x) / mean_l q_l(x) (multiple
importance sampling, balance heuristic: unbiased), where
q_l(x) / p(x) = prod_k (1 + 2 lam_l k_k)^(1/2) (1 + 2 lam_l (f - a_min))^(-D/2) depends on f only, so
tilting adds no weight variance at fixed f.
Each draw contributes an i.i.d. term, so a count's standard error is the sample standard deviation over
draws / sqrt(draws) (conservative for the stratified design).
"""
from __future__ import annotations

import contextlib
import contextvars
import math

import numpy as np
from scipy.special import logsumexp

from ...checks import check_int
from ...seeding import generator
from ..laws.transition import minima_ceiling, spectral_transition
from ..kacrice.draws import MIN_DRAWS, MIN_ESS, KacRiceDraws


def real_form_spectrum(spectrum: np.ndarray) -> np.ndarray:
    """Eigenvalues of the real 2d x 2d form of H: each eigenvalue of H twice."""
    s = np.asarray(spectrum, dtype=float)
    return np.sort(np.concatenate([s, s]))


def _typical_f(k: np.ndarray, lam: float) -> float:
    w = 1.0 / (1.0 + 2.0 * lam * k)
    return float(np.sum(k * w) / np.sum(w))


#: versions of the tilt ladder (:func:`tilt_ladder`): 1, the original search, whose update above the mean of k
#: is reversed (kept so that stored results stay reproducible from their seeds); 2, the corrected search
LEGACY_LADDER, CORRECTED_LADDER = 1, 2
LADDER_VERSIONS = (LEGACY_LADDER, CORRECTED_LADDER)
#: the ladder version :func:`tilt_ladder` (and so the spherical and circuit models) uses when a call does not name
#: one: CORRECTED_LADDER for new runs; a study whose stored results were drawn with the legacy ladder pins it with
#: :func:`ladder_version`
_LADDER_VERSION = contextvars.ContextVar("tilt_ladder_version", default=CORRECTED_LADDER)


@contextlib.contextmanager
def ladder_version(version: int):
    """Within the block, :func:`tilt_ladder` (and so :func:`kac_rice_spherical`, ``kac_rice_circuit`` and
    ``predict(..., model="spherical" | "circuit")``) uses tilt ladder ``version`` unless a call names its own (the
    studies that reproduce stored spherical or circuit-model results pin LEGACY_LADDER)."""
    if version not in LADDER_VERSIONS:
        raise ValueError(f"ladder version must be one of {LADDER_VERSIONS}, got {version!r}")
    token = _LADDER_VERSION.set(version)
    try:
        yield
    finally:
        _LADDER_VERSION.reset(token)


def tilt_ladder(a: np.ndarray, levels: int = 24, version: int | None = None) -> np.ndarray:
    """Tilts lam whose typical f spans (E0, Emax): targets evenly spaced in f (module docstring).

    ``version`` None: the version pinned by :func:`ladder_version`, else CORRECTED_LADDER. Version 1
    (LEGACY_LADDER) has a known defect: for targets above the mean of k (lam < 0) the bisection update is
    reversed, so those levels collapse to lam ~ 0 or lam ~ -1/(2 max k) and np.unique merges them (e.g. 16 instead
    of 25 levels for randspec:1, n = 5). The estimators stay exactly unbiased (the balance heuristic uses the levels
    actually drawn from); only the upper half of the spectrum gets fewer draws, which matters for counts of
    high-index critical points, not for minima. Version 2 (CORRECTED_LADDER) bisects the right way on both sides
    (the search of :func:`.circuit.tilt_for_typical_f`), so every target gets its own level; its levels at or
    below the mean of k are those of version 1, bit for bit (so the weighted model, which keeps only lam >= 0,
    draws the same under both)."""
    if version is None:
        version = _LADDER_VERSION.get()
    if version not in LADDER_VERSIONS:
        raise ValueError(f"ladder version must be one of {LADDER_VERSIONS}, got {version!r}")
    k = a - a.min()
    kmax = k.max()
    mean = k.mean()
    lo_target = 0.01 * mean
    hi_target = kmax - 0.01 * (kmax - mean)
    targets = np.linspace(lo_target, hi_target, levels)
    lams = []
    for tgt in targets:
        if tgt <= mean:      # lam >= 0: bisection on log lam
            lo, hi = 0.0, 1.0
            while _typical_f(k, hi) > tgt and hi < 1e12:
                hi *= 4
            for _ in range(80):
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if _typical_f(k, mid) > tgt else (lo, mid)
            lams.append(0.5 * (lo + hi))
        else:                # lam in (-1/(2 kmax), 0)
            lo, hi = -0.5 / kmax * (1 - 1e-9), 0.0
            for _ in range(80):
                mid = 0.5 * (lo + hi)
                if version == LEGACY_LADDER:        # the reversed update (docstring)
                    lo, hi = (lo, mid) if _typical_f(k, mid) > tgt else (mid, hi)
                else:                               # the typical f decreases with lam: move lo up while above
                    lo, hi = (mid, hi) if _typical_f(k, mid) > tgt else (lo, mid)
            lams.append(0.5 * (lo + hi))
    lams.append(0.0)
    return np.unique(np.array(lams))


#: Spherical-model Kac–Rice result (importance-weighted draws).
SphericalKacRice = KacRiceDraws


def kac_rice_spherical(spectrum: np.ndarray, p: int, *, seed: int = 0, n_mc: int = 4000,
                       levels: int = 24, ladder_version: int | None = None) -> SphericalKacRice:
    """Finite-size Kac–Rice counts of the spherical model for a Hamiltonian ``spectrum`` (eigenvalues of
    H, length d = 2^n; module docstring). ``n_mc`` draws in total, spread over the tilt ladder of version
    ``ladder_version`` (:func:`tilt_ladder`; None: CORRECTED_LADDER, or the version pinned by
    :func:`ladder_version`). Both versions are unbiased; for the same seed they draw different samples."""
    p = check_int("params", p, 1)
    n_mc = check_int("n_mc", n_mc, 10)
    a = real_form_spectrum(spectrum)
    D = a.size
    kvec = a - a.min()
    lams = tilt_ladder(a, levels, ladder_version)
    L = lams.size
    per = max(1, n_mc // L)
    rng = generator(seed, "spherical-kacrice", p, D)
    fs, logws, idxs = [], [], []
    const = p * math.log(math.pi) - 0.5 * p * math.log(2 * math.pi)
    # log q_l(y) - log p(y) = sum_k [ -lam_l k_k y_k^2 + 0.5 log(1 + 2 lam_l k_k) ]
    half_logdet = 0.5 * np.log1p(2.0 * np.outer(lams, kvec)).sum(axis=1)     # [L]
    chunk = 256
    for li, lam in enumerate(lams):
        sd = 1.0 / np.sqrt(1.0 + 2.0 * lam * kvec)
        for s0 in range(0, per, chunk):
            s = min(chunk, per - s0)
            y = rng.standard_normal((s, D)) * sd
            # tilt the direction only: x = y/|y| has the angular central Gaussian law of level l, and
            # the radius is redrawn from its true chi_D law (f does not depend on it)
            x = y / np.linalg.norm(y, axis=1)[:, None]
            y = x * np.sqrt(rng.chisquare(D, s))[:, None]
            y2 = y * y
            r2 = y2.sum(axis=1)
            f = (y2 @ a) / r2
            # ACG density vs uniform: prod(1 + 2 lam k)^(1/2) (x^T (I + 2 lam K) x)^(-D/2), a function of f
            log_q_over_p = half_logdet[None, :] - 0.5 * D * np.log1p(2.0 * np.outer(f - a.min(), lams))
            log_iw = -(logsumexp(log_q_over_p, axis=1) - math.log(L))
            b = (a[None, :] - f[:, None]) * y
            bn = np.linalg.norm(b, axis=1)
            bh = b / bn[:, None]
            U = rng.standard_normal((s, D, p))
            U -= bh[:, :, None] * np.einsum("sd,sdp->sp", bh, U)[:, None, :]
            C = np.einsum("sdi,sd,sdj->sij", U, a[None, :] - f[:, None], U)
            z = np.triu(rng.standard_normal((s, p, p)), 1)
            Hs = C + bn[:, None, None] * (z + z.transpose(0, 2, 1))
            ev = np.linalg.eigvalsh(Hs)
            with np.errstate(divide="ignore"):
                logdet = np.log(np.abs(ev)).sum(axis=1)
            fs.append(f)
            logws.append(const + logdet - p * np.log(bn) + log_iw)
            idxs.append((ev < 0).sum(axis=1))
    return KacRiceDraws.from_draws(p, np.concatenate(fs), np.concatenate(logws), np.concatenate(idxs))


def predict_model(n_qubits: int, n_params: int, hamiltonian: str, *, seed: int = 0, n_mc: int = 2000,
                  dps: int = 30, return_draws: bool = False):
    """``predict`` for the spherical model: local-minimum law in raw loss units F, counts by index.

    Counts by index and the local-minimum law come from :func:`kac_rice_spherical` with
    ``max(n_mc, MIN_DRAWS)`` importance-sampled draws (the heavier weights of this model need more draws than
    the isotropic WHRF). The transition is the spectral inertia bound of :mod:`~rmt_qgm.theory.laws.transition`:
    gamma_c = 1 - d0/d with d0 the ground-state degeneracy, plus the ceiling below which local minima
    sit at this p. The asymptotic block is the fixed-law limit of :mod:`~rmt_qgm.theory.asymptotics.spherical` (edge level
    of the conditional Hessian; for two-level spectra the threshold where minima concentrate).
    """
    import time

    from ...hamiltonians import parse_hamiltonian

    t0 = time.perf_counter()
    ham = parse_hamiltonian(hamiltonian, n_qubits)
    p = check_int("params", n_params, 1)
    kr = kac_rice_spherical(ham.spectrum, p, seed=seed, n_mc=max(n_mc, MIN_DRAWS))
    out = prediction_from_draws(kr, ham, "spherical",
                                {"value": 2 * ham.dim, "rule": "dimension (state space R^(2d), exact in this "
                                                               "model)"}, seed, dps, t0)
    return (out, kr) if return_draws else out


def prediction_from_draws(kr: KacRiceDraws, ham, model: str, dof: dict, seed: int, dps: int, t0: float) -> dict:
    """The ``predict`` JSON of a model whose Kac–Rice counts are importance-weighted draws ``kr``."""
    import time

    from ... import gamma_of
    from ..distributions import AffineUnits, LocalMinimaDistribution
    from ..asymptotics.minima_complexity import asymptotic_summary

    p = kr.p
    if not np.any((kr.index == 0) & np.isfinite(kr.logw)):
        from ...errors import MonteCarloError
        tr = spectral_transition(ham.spectrum)
        where = (f"p >= p_c = {tr['params_c']}, the transition of this spectrum (gamma_c = {tr['gamma_c']:.4g}): "
                 "local minima above the ground energy are absent or rare there, and an optimiser ends at a "
                 "global minimum (t = 0)" if p >= tr["params_c"] else
                 "near the transition minima are rare at typical points")
        raise MonteCarloError(f"--samples (n_mc): none of the {kr.n_draws} Monte Carlo draws of the {model} model "
                             f"is a local minimum (n = {ham.n}, p = {p}, gamma = {gamma_of(ham.n, p):.4g}; {where}); "
                             "use more draws or another model")
    units = AffineUnits.for_hamiltonian(ham)
    E0, Emax = ham.ground_energy, float(ham.spectrum[-1])
    edges = kr.adaptive_edges(0, E0, Emax)
    centres, rho = kr.density(0, edges)
    dist = LocalMinimaDistribution(units.to_t(centres), rho * units.scale, units,
                                   name=f"local minima, {model} model (n={ham.n}, p={p})")
    Fg, dens = dist.grid()
    ess = kr.effective_sample_size(0)
    asym = asymptotic_summary(ham.spectrum, gamma_of(ham.n, p), dps)
    for key in ("edge", "threshold"):
        asym[f"{key}_t"] = None if asym[key] is None else float(units.to_t(asym[key]))
    return {
        "gamma": gamma_of(ham.n, p), "model": model, "n_qubits": ham.n, "n_params": p,
        "hamiltonian": ham.spec, "dof": dof,
        "transition": {**spectral_transition(ham.spectrum),
                       "minima_ceiling_F": minima_ceiling(ham.spectrum, p)},
        "minima": {"units": units.units, "support": list(dist.support()), "q10": float(dist.ppf(0.1)),
                   "median": dist.median(), "q90": float(dist.ppf(0.9)), "mode": dist.mode(),
                   "mean": dist.mean(), "pdf": [[float(f), float(d)] for f, d in zip(Fg, dens)],
                   "weighting": "uniform over critical points (Kac–Rice), not basin-weighted",
                   "effective_sample_size": ess, "reliable": ess >= MIN_ESS,
                   "warning": (None if ess >= MIN_ESS else
                               "effective sample size below 30: the Monte Carlo estimate of this law rests "
                               "on a few draws; its quantiles are not reliable (increase n_mc)")},
        "critical_points": {"expected_counts_by_index": kr.counts.tolist(),
                            "stderr_by_index": kr.stderr.tolist(), "euler": kr.euler,
                            "euler_stderr": kr.euler_stderr, "domain": "[0, pi)^p", "n_mc": kr.n_draws},
        "asymptotic": asym,
        "dps": dps, "digits_lost": asym["digits_lost"], "seed": seed, "seconds": time.perf_counter() - t0,
    }
