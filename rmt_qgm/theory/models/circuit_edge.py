"""Circuit edge law: the finite-size Kac–Rice law of local minima of the randomized circuit at fixed F, with the
Hessian factor read off sampled circuit Hessians (docs/theory.md §20).

The Kac–Rice density of local minima at value F (docs/theory.md §11, §19.1) is

    ρ_0(F) = p_F(F) · p_∇F(0 | F) · E[ |det Hess| 1{Hess > 0} | F, ∇F = 0 ].

The normalised-state model's conditional Hessian B + ρZ′ (§13, §19) does not describe circuits near its edge:
the circuit's second-derivative term Re⟨G_k ψ0|G_l (H − F)ψ0⟩ (k < l) is ordered and built from the same vectors
as the first-derivative Gram matrix, and it lowers the smallest Hessian eigenvalue far less than an independent
Gaussian matrix of the same entry variance (docs/theory.md §20.1; the gap does not shrink from n = 6 to 8). Its
limiting law is not known in closed form here. This module therefore keeps every factor that is known exactly and
samples the rest:

- p_F: two levels, exact (the excited weight of a Haar state is Beta(d − d0, d0)); more levels, exp(−D J(F)) at the
  Haar-typical spread (as the edge law, docs/theory.md §19.3 item 4);
- p_∇F(0 | F) = κ^p ∏_k 1/(4 √(c_k(1 − c_k)) |b|) (§11.2), |b|² = ρ²(F) (exact for two levels, the typical spread
  otherwise); the 1/√(c_k(1 − c_k)) factors are kept per draw;
- the Hessian factor from N exact circuit Hessians at F (ψ0 at F with the spread above, gates drawn by the reduced
  sampler of §11.6, conditioned on ∇F = 0 as in §11.3): with m(F) the mean of log|det Hess| − Σ_k log 2√(c_k(1 − c_k))
  and the smallest eigenvalue's mean and standard deviation matched to the GOE Tracy–Widom law (λ_min = L − χ/σ,
  χ ~ TW_1: σ = sd(χ)/sd(λ_min), L = mean(λ_min) + E[χ]/σ),

      log E[|det Hess| 1{Hess > 0} ∏ …] ≈ m(F) − c_p(s) + log w(s + σ ΔL) + log σ + const,  s = L σ,

  w(s) = F_1′(s) e^((2/3) max(s, 0)^(3/2)) the pinned-eigenvalue factor (docs/theory.md §19.1,
  :func:`~rmt_qgm.theory.asymptotics.tracy_widom.log_edge_weight`), and the two edge terms of §20.3 (exact for the
  GOE, carried over by edge universality): c_p(s) the edge part of a sampled mean log-determinant
  (:func:`~rmt_qgm.theory.asymptotics.edge_logdet.edge_logdet`), and ΔL = E λ_min − E λ_min(principal minor), the
  edge shift of one more eigenvalue, so that w is the pinned density of p + 1 eigenvalues as the GOE identity has it
  (``edge_correction=False`` gives the law without them). L, log σ, m and ΔL are smoothed over F by cubic least
  squares on the F nodes;
  the draws share their random numbers across the nodes (common random numbers), so the smoothed curves are
  smooth in F and their differences across F are much more precise than each node's values.

Cost: N × nodes draws of O(d p² + p³) each (no importance weights, no ladder); the median's standard error comes
from a bootstrap over the draws (resampled jointly across nodes). Errors (measured in docs/studies/circuit_edge.md):
the TW shape of λ_min at finite p (the same order as §19.3 item 1), the mean of log|det| instead of the log of its
mean (an F-independent constant at leading order), and the typical spread for more than two levels.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ..asymptotics import tracy_widom as tw
from ..asymptotics.edge_logdet import edge_logdet
from .edge import _median

#: mean and standard deviation of the GOE Tracy–Widom law F_1 (:mod:`~rmt_qgm.theory.asymptotics.tracy_widom`)
TW_MEAN, TW_SD = tw.TW_MEAN, tw.TW_SD
#: mean and standard deviation of the second eigenvalue of the GOE soft edge (β = 1, in the units of F_1); measured
#: here: 6 000 GOE matrices of size 4 000 (Dumitriu–Edelman tridiagonal form), −3.303 and 1.032 ± 0.01, with the
#: mean moved by the same finite-size offset (+0.025) that the largest eigenvalue shows against its exact mean
TW2_MEAN, TW2_SD = -3.27, 1.025
#: nodes and draws per node of the coarse scan and the fine law
COARSE_NODES, COARSE_DRAWS = 14, 8
FINE_NODES = 12
#: the fine stage covers where the coarse scan's log density exceeds its maximum minus this (and the node beyond)
COARSE_DROP = 20.0
#: the zoom pass (draws per node) and the final range: where the zoomed law is within ZOOM_DROP of its maximum
ZOOM_DRAWS, ZOOM_DROP = 12, 16.0
#: at most this many zoom passes
MAX_ZOOM = 4
#: the fine range is widened (at most twice) while the law's log density at a soft end is within this of its maximum
END_DROP = 10.0
#: the Tracy–Widom window above the edge, as the edge law's (docs/theory.md §19.3 item 1)
S_CUT = 10.0
#: the window also ends where the coarse scan's s rises again by more than this above the edge (noise of s from
#: COARSE_DRAWS draws is about 0.2-0.4 near the edge)
S_TURN = 0.5
#: the tabulated law: this many points on the fine range
GRID = 241
#: bootstrap replicates for the median's standard error
BOOTSTRAP = 100
#: draws per node of the fine stage: at least / at most
MIN_FINE_DRAWS, MAX_FINE_DRAWS = 16, 400


def planned_draws(draws_per_node: int) -> int:
    """Hessians drawn by :func:`circuit_edge_law` with ``draws_per_node`` when its fine range is not widened (at
    most COARSE_NODES x COARSE_DRAWS in the coarse scan, FINE_NODES x ZOOM_DRAWS in the zoom pass)."""
    return COARSE_NODES * COARSE_DRAWS + FINE_NODES * (min(draws_per_node, ZOOM_DRAWS) + draws_per_node)


def seconds_per_draw(dim: int, p: int) -> float:
    """Seconds per exact circuit Hessian (reduced sampler, batches of 16, 2-core reference host with other work on
    it; measured 2026-12-07: 3.1 ms at n = 6, p = 64; 4.7 ms at (6, 96); 30-60 ms at (8, 256)); conservative. The
    principal minor of §20.3 adds one eigvalsh per draw (CPU 1.39 -> 1.48 ms at (6, 64), 25 -> 31 ms at (8, 256)),
    inside the formula's margin (2.0 and 68 ms there)."""
    return 1.0e-3 + 2.0e-9 * (dim * p * p + p ** 3)


def level_weights(levels: np.ndarray, counts: np.ndarray, F: float) -> np.ndarray:
    """Weights w_j of the state on the spectral levels at energy F: exact for two levels (w = (1 − u, u),
    u = (F − E0)/(E1 − E0)); otherwise the Haar-typical spread w_j ∝ ν_j/(1 + β(E_j − F)) with β such that
    Σ w_j E_j = F (docs/theory.md §14, :func:`~rmt_qgm.theory.asymptotics.spherical.rho2_typical_float`)."""
    E = np.asarray(levels, dtype=float)
    if E.size == 2:
        u = (F - E[0]) / (E[1] - E[0])
        return np.array([1.0 - u, u])
    from ..asymptotics.spherical import _gibbs_beta_float
    nu = np.asarray(counts, dtype=float) / float(np.sum(counts))
    c = E - F
    b, _, _ = _gibbs_beta_float(c, nu)
    w = nu / (1.0 + b * c)
    return w / w.sum()


def _log_pF_rho2(levels, counts, n: int, F: float) -> tuple[float, float]:
    """(log p_F(F) up to a constant, ρ²(F)) exactly as the edge law has them (:func:`.edge.log_pF_rho2`)."""
    from .edge import log_pF_rho2
    cnt = np.asarray(counts, dtype=float)
    return log_pF_rho2(levels, cnt / cnt.sum(), cnt, n, F)


class _Sampler:
    """Exact circuit Hessians at fixed F (module docstring), batched."""

    def __init__(self, levels, counts, p: int, minors: bool = False, second: bool = False):
        from .circuit import _Setup
        self.minors = minors
        self.second = second
        self.levels = np.asarray(levels, dtype=float)
        self.counts = np.asarray(counts, dtype=int)
        self.spectrum = np.repeat(self.levels, self.counts)
        self.S = _Setup(self.spectrum, p)
        self.d = self.spectrum.size
        self.bounds = np.concatenate([[0], np.cumsum(self.counts)])

    def draw(self, F: float, rng: np.random.Generator, m: int, batch: int = 16) -> tuple[np.ndarray, ...]:
        """(λ_min, log|det Hess| − Σ log 2√(c(1 − c))) of m draws at F, with single-threaded BLAS (threaded LAPACK
        on 256 x 256 matrices was measured 4-20x slower on the shared 2-core host); with ``minors``, the smallest
        eigenvalue of a principal minor is appended, and with ``second`` (then always four arrays: the minors NaN
        when not drawn) the second-smallest eigenvalue λ_2."""
        from threadpoolctl import threadpool_limits
        with threadpool_limits(1):
            return self._draw(F, rng, m, batch)

    def _draw(self, F, rng, m, batch):
        from .circuit import _gates_reduced
        S, d = self.S, self.d
        w = level_weights(self.levels, self.counts, F)
        amp_l = np.repeat(np.sqrt(w), self.counts)
        iu = S.iu
        lmin, logd, lminor, l2 = [], [], [], []
        for start in range(0, m, batch):
            s = min(batch, m - start)
            z = rng.standard_normal((s, d)) + 1j * rng.standard_normal((s, d))
            for j in range(self.levels.size):                 # a random unit vector in each level, weight w_j
                a, b = self.bounds[j], self.bounds[j + 1]
                z[:, a:b] /= np.linalg.norm(z[:, a:b], axis=1)[:, None]
            psi = z * amp_l[None, :]
            psi /= np.linalg.norm(psi, axis=1)[:, None]
            Fv = np.einsum("sd,d,sd->s", np.conj(psi), self.spectrum, psi).real
            bvec = (self.spectrum[None, :] - Fv[:, None]) * psi
            u = 1j * bvec / np.linalg.norm(bvec, axis=1)[:, None]
            amp, Hess, cross = _gates_reduced(S, rng, psi, Fv, u)
            Hess[:, iu[0], iu[1]] -= 2.0 * cross[:, iu[0], iu[1]]
            Hess[:, iu[1], iu[0]] = Hess[:, iu[0], iu[1]]
            ev = np.linalg.eigvalsh(Hess)
            lmin.append(ev[:, 0])
            l2.append(ev[:, min(1, S.p - 1)])
            with np.errstate(divide="ignore"):
                logd.append(np.log(np.abs(ev)).sum(axis=1) - np.log(2.0 * amp).sum(axis=1))
            if self.minors:                  # the principal minor without gate j = draw number mod p (§20.3)
                keep = np.ones((s, S.p), dtype=bool)
                keep[np.arange(s), (start + np.arange(s)) % S.p] = False
                sub = Hess[keep].reshape(s, S.p - 1, S.p)
                sub = sub.transpose(0, 2, 1)[keep].reshape(s, S.p - 1, S.p - 1)
                lminor.append(np.linalg.eigvalsh(sub)[:, 0])
        if self.second:
            minor = np.concatenate(lminor) if self.minors else np.full(m, np.nan)
            return np.concatenate(lmin), np.concatenate(logd), minor, np.concatenate(l2)
        if not self.minors:
            return np.concatenate(lmin), np.concatenate(logd)
        return np.concatenate(lmin), np.concatenate(logd), np.concatenate(lminor)


def sampled_hessian_parts(n: int, p: int, f: float, draws: int, rng: np.random.Generator
                          ) -> tuple[np.ndarray, np.ndarray]:
    """(B′, T′) of ``draws`` exact circuit Hessians at F = f for the fidelity (docs/theory.md §20.1): Hessian/2 =
    B′ − T′ with B′_kl = Re⟨v_k|(H − F)|v_l⟩ (diagonal included) and T′ the ordered term Re⟨v_k|G_l b⟩ (k < l),
    symmetrised, b = (H − F)ψ0. Drawn by the reduced sampler with the spectrum shifted by F, which leaves the law of
    the gates and b unchanged and removes the F⟨v_k|v_l⟩ parts that cancel between the two terms."""
    from .circuit import _Setup, _gates_reduced
    d = 2 ** n
    spec = np.ones(d)
    spec[0] = 0.0
    S = _Setup(spec - f, p)
    iu = S.iu
    g0 = np.exp(2j * np.pi * rng.random(draws))
    z = rng.standard_normal((draws, d - 1)) + 1j * rng.standard_normal((draws, d - 1))
    z /= np.linalg.norm(z, axis=1)[:, None]
    psi = np.concatenate([math.sqrt(1 - f) * g0[:, None], math.sqrt(f) * z], axis=1)
    b = (spec - f)[None, :] * psi
    u = 1j * b / np.linalg.norm(b, axis=1)[:, None]
    _, Hess, cross = _gates_reduced(S, rng, psi, np.zeros(draws), u)
    Bp = Hess / 2.0
    Bp[:, iu[1], iu[0]] = Bp[:, iu[0], iu[1]]
    Tp = np.zeros_like(Bp)
    Tp[:, iu[0], iu[1]] = cross[:, iu[0], iu[1]]
    return Bp, Tp + np.transpose(Tp, (0, 2, 1))


def _node_stats(lmin: np.ndarray, logd: np.ndarray, lminor: np.ndarray | None = None,
                l2: np.ndarray | None = None) -> tuple[float, ...]:
    """(L, log σ, m, ΔL) of one node's draws (module docstring); ΔL = mean λ_min − mean λ_min(minor), the edge's
    shift per added parameter (docs/theory.md §20.3), 0 without minors. With ``l2`` (the second-smallest
    eigenvalues) also (L₂, log σ₂): the same edge read off λ_2 with the second eigenvalue's Tracy–Widom mean and
    spread (σ₂ = TW2_SD/sd(λ_2), L₂ = mean λ_2 + TW2_MEAN/σ₂), for :func:`_log_rho0_bounded`."""
    if lminor is not None and np.all(np.isnan(lminor)):
        lminor = None
    sd = float(np.std(lmin, ddof=1))
    sigma = TW_SD / max(sd, 1e-300)
    dL = 0.0 if lminor is None else float(np.mean(lmin) - np.mean(lminor))
    out = (float(np.mean(lmin) + TW_MEAN / sigma), math.log(sigma), float(np.mean(logd)), dL)
    if l2 is None:
        return out
    sigma2 = TW2_SD / max(float(np.std(l2, ddof=1)), 1e-300)
    return out + (float(np.mean(l2) + TW2_MEAN / sigma2), math.log(sigma2))


def _log_rho0(lpF, r2, p, L, logsig, m, dL=0.0, edge_correction=True):
    """log ρ_0 of docs/theory.md §20.2, with the §20.3 edge terms: m − c(s) (the sampled mean log|det| less its
    edge part) and the pinned factor at the edge of p + 1 eigenvalues, w(s + σ ΔL)."""
    sig = np.exp(logsig)
    s = L * sig
    if not edge_correction:
        return lpF - 0.5 * p * np.log(r2) + m + tw.log_edge_weight(s) + logsig
    return (lpF - 0.5 * p * np.log(r2) + m - edge_logdet(s, p) + tw.log_edge_weight(s + sig * dL) + logsig)


def _log_rho0_bounded(lpF, r2, p, L, logsig, m, dL, L2=None, logsig2=None, edge_correction=True, cap=True):
    """log ρ_0 read off λ_1 (:func:`_log_rho0`), capped by the same reading off λ_2 (docs/theory.md §20.2 item 2).

    Hess > 0 needs λ_2 > 0 as well. Where λ_1 leaves the bulk (a ground-level outlier at the top of a two-level
    spectrum: (E λ_2 − E λ_1)/sd(λ_2) grows from the soft edge's 2.0 to 4–17), λ_1's spread is wider than a soft
    edge's and reads as a shallow Tracy–Widom tail, so that p_F, which grows towards the top, carries the law there
    (window-limited laws); the λ_2 reading (the bulk's own edge, far in its tail) caps it. Where λ_1 is the soft edge
    both readings estimate the same edge (s₁ below s₂ by 0.2–0.7 at n = 5–6, fidelity), but the cap still takes the
    lower of two noisy readings: measured, it moves multi-level laws by up to −0.14 in log at n = 7, γ = 0.5, and the
    two-level laws it gives at γ ≤ 0.25 are 4–11 % high (docs/studies/edge_fixes.md). Hence optional
    (``bulk_cap=True``), not the default."""
    a = _log_rho0(lpF, r2, p, L, logsig, m, dL, edge_correction)
    if not cap:
        return a
    b = _log_rho0(lpF, r2, p, L2, logsig2, m, 0.0, edge_correction)
    return np.minimum(a, b)


@dataclass
class CircuitEdgeResult:
    """The tabulated law with its diagnostics."""

    F: np.ndarray                     # grid of the law
    log_density: np.ndarray
    median_se: float                  # bootstrap standard error of the median (in F)
    nodes: np.ndarray                 # F of the fine nodes
    node_stats: dict                  # per node: L, log_sigma, m, s = L sigma, P(Hess > 0) among the draws
    draws: int                        # all Hessians drawn (three stages)
    draws_per_node: int
    spread: str                       # "exact" (two levels) or "typical"
    seconds: float
    edge_limited: bool                # the law's mass reaches s < -S_DEEP (the TW tail extrapolated far)
    window_limited: bool              # the law reaches the window's end (s = -S_CUT) with non-negligible density
    truncated: bool                   # the deadline stopped the widening of the range: the law is cut at an end
    components: dict = field(default_factory=dict)


#: beyond this depth into the Tracy–Widom left tail (s = L σ < −S_DEEP) the law leans on the TW shape far from
#: where the draws sample λ_min; flagged in ``edge_limited``
S_DEEP = 9.0


def _fit(x, y, deg):
    deg = min(deg, x.size - 1)
    return np.polynomial.polynomial.Polynomial.fit(x, y, deg)


def circuit_edge_law(levels, counts, n: int, p: int, *, seed: int = 0, draws_per_node: int | None = 64,
                     deadline: float | None = None, progress=None, edge_correction: bool = True,
                     tilt=None, bulk_cap: bool = False) -> CircuitEdgeResult:
    """The circuit edge law (module docstring) for distinct ``levels`` with multiplicities ``counts`` (sum 2^n).

    Three stages, each with common random numbers across its nodes: a coarse scan of COARSE_NODES nodes geometric in
    F − E0 over (1e-4, 0.98) of the spectral width (COARSE_DRAWS draws each), upward until the Tracy–Widom window
    ends (s < −S_CUT twice, or s rising again above the edge); zoom passes of FINE_NODES nodes (ZOOM_DRAWS draws each)
    from where the coarse log density is within COARSE_DROP of its maximum until the law spans half of them; and the
    fine law: FINE_NODES nodes where the zoomed law is within ZOOM_DROP of its maximum, ``draws_per_node`` draws each,
    widened (at most twice) while the law is not negligible at a soft end of its range. L, log σ and m are cubic least-squares fits over the fine nodes; the law is tabulated on GRID
    points. ``progress(k)`` is called after each node's k draws. ``draws_per_node`` None: chosen after the zoom pass
    from the measured seconds per draw so that the final pass ends by ``deadline`` (a time.perf_counter() value;
    between MIN_FINE_DRAWS and MAX_FINE_DRAWS); the number used is in the result (pass it to reproduce).

    ``bulk_cap``: the density read off λ_1 capped by the reading off λ_2 (:func:`_log_rho0_bounded`; optional, not
    the default: docs/studies/edge_fixes.md). ``tilt(F, log_density)`` (optional): the log weight by which the caller
    will tilt the law (e.g. the basin law (B1′) of the optimiser-found law, docs/theory.md §16.5). The zoomed and final
    ranges then also cover where the tilted law is within ZOOM_DROP / END_DROP of its maximum, so that a tilt that
    grows towards low F does not pile the tilted law up at a range end that only the untilted law made negligible.
    """
    from ...seeding import generator
    t0 = time.perf_counter()
    E = np.asarray(levels, dtype=float)
    cnt = np.asarray(counts, dtype=int)
    smp = _Sampler(E, cnt, p, minors=edge_correction, second=bulk_cap)
    width = E[-1] - E[0]
    total = 0

    def scan(Fs, m, stage):
        nonlocal total
        rows = []
        for F in Fs:
            rng = generator(seed, "circuit_edge", stage)          # common random numbers across the nodes
            rows.append(smp.draw(float(F), rng, m))
            total += m
            if progress is not None:
                progress(m)
        return rows

    def curve(Fs, rows):
        st = np.array([_node_stats(*r) for r in rows])
        pf = np.array([_log_pF_rho2(E, cnt, n, float(F)) for F in Fs])
        return _log_rho0_bounded(pf[:, 0], pf[:, 1], p, *st.T, edge_correction=edge_correction, cap=bulk_cap), st

    # coarse scan upward until the Tracy–Widom window ends (s < -S_CUT at two nodes in a row after the edge), as
    # the edge law does; the fine range may reach one coarse node beyond (the coarse s is noisy)
    Fc, vc, sc_ = [], [], []
    coarse_nodes = E[0] + width * np.geomspace(1e-4, 0.98, COARSE_NODES)
    hard_hi = float(E[-1] - 1e-9 * width)
    for k, F in enumerate(coarse_nodes):
        row, = scan([F], COARSE_DRAWS, "coarse")
        v, st = curve([F], [row])
        Fc.append(F)
        vc.append(float(v[0]))
        s1 = float(st[0, 0] * np.exp(st[0, 1]))
        sc_.append(min(s1, float(st[0, 4] * np.exp(st[0, 5]))) if bulk_cap else s1)   # the capping reading's s
        if len(sc_) > 2 and sc_[-1] < -S_CUT and sc_[-2] < -S_CUT:
            if k + 1 < coarse_nodes.size:
                hard_hi = float(coarse_nodes[k + 1])
            break
        if len(sc_) > 1 and sc_[-2] < 0 and sc_[-1] > sc_[-2] + S_TURN:
            # s rises again above the edge: the smallest eigenvalue is no longer at a soft edge (a few outliers from
            # the ground level, as at the top of a two-level spectrum); the Tracy–Widom reading ends here
            hard_hi = float(F)
            Fc, vc = Fc[:-1], vc[:-1]
            break
    Fc, vc = np.array(Fc), np.array(vc)
    hard_lo = float(E[0] + 1e-7 * width)
    keep = np.flatnonzero(vc > np.nanmax(vc) - COARSE_DROP)
    a = Fc[keep[0] - 1] if keep[0] > 0 else hard_lo
    b = Fc[keep[-1] + 1] if keep[-1] + 1 < Fc.size else hard_hi

    def fine(a, b, m, tag):
        Ff = np.linspace(a, b, FINE_NODES)
        rows = scan(Ff, m, tag)
        grid = np.linspace(a, b, GRID)
        pg = np.array([_log_pF_rho2(E, cnt, n, float(F)) for F in grid])
        x = (Ff - Ff.mean()) / max(Ff.std(), 1e-300)
        xg = (grid - Ff.mean()) / max(Ff.std(), 1e-300)

        def law(idx):
            st = np.array([_node_stats(*(c[idx] for c in r)) for r in rows])
            fits = [_fit(x, st[:, k], 3)(xg) for k in range(st.shape[1])]
            return (_log_rho0_bounded(pg[:, 0], pg[:, 1], p, *fits, edge_correction=edge_correction, cap=bulk_cap),
                    st, fits)
        return Ff, rows, grid, law

    # a zoom pass on the coarse range, then the final pass where the zoomed law is within ZOOM_DROP of its maximum,
    # widened (at most twice) while the law is not negligible at a soft end of its range
    zoom = ZOOM_DRAWS if draws_per_node is None else min(draws_per_node, ZOOM_DRAWS)

    def within(grid, logd, drop):
        """Grid points where the law, or the tilted law, is within ``drop`` of its maximum."""
        ok = logd > logd.max() - drop
        if tilt is not None:
            lw = logd + tilt(grid, logd)
            if np.any(np.isfinite(lw)):
                ok |= lw > np.max(lw[np.isfinite(lw)]) - drop
        return ok

    for z_it in range(MAX_ZOOM):          # zoom until the law spans at least half of the nodes
        Fz, _, grid, law = fine(a, b, zoom, f"zoom{z_it}")
        logd, _, _ = law(np.arange(zoom))
        keep = np.flatnonzero(within(grid, logd, ZOOM_DROP))
        a, b = grid[max(keep[0] - 2, 0)], grid[min(keep[-1] + 2, grid.size - 1)]
        if b - a >= 0.5 * (Fz[-1] - Fz[0]):
            break
    if draws_per_node is None:
        per_draw = (time.perf_counter() - t0) / max(total, 1)
        left = (deadline - time.perf_counter()) if deadline is not None else 30.0
        draws_per_node = int(min(MAX_FINE_DRAWS, max(MIN_FINE_DRAWS, left / (1.6 * per_draw * FINE_NODES))))
    truncated, pass_seconds = False, 0.0
    for attempt in range(3):
        t_pass = time.perf_counter()
        Ff, rows, grid, law = fine(a, b, draws_per_node, f"fine{attempt}")
        logd, st, fits = law(np.arange(draws_per_node))
        ends = within(grid, logd, END_DROP)
        grow_lo = bool(ends[0]) and a > hard_lo
        grow_hi = bool(ends[-1]) and b < hard_hi
        if not (grow_lo or grow_hi):
            break
        pass_seconds = max(pass_seconds, time.perf_counter() - t_pass)
        if deadline is not None and time.perf_counter() + pass_seconds > deadline:
            truncated = True             # no time for a wider pass: the law is cut at a soft end of its range
            break
        span = b - a
        a = max(hard_lo, a - span / 2) if grow_lo else a
        b = min(hard_hi, b + span / 2) if grow_hi else b
    window_limited = bool(logd[-1] > logd.max() - END_DROP and b >= hard_hi)
    truncated = bool(truncated and not window_limited)
    med = _median(grid, logd)
    rng = generator(seed, "circuit_edge", "bootstrap")
    meds = []
    for _ in range(BOOTSTRAP):
        ld, _, _ = law(rng.integers(0, draws_per_node, draws_per_node))
        if np.all(np.isfinite(ld)):
            meds.append(_median(grid, ld))
    se = float(np.std(meds, ddof=1)) if len(meds) > 1 else float("nan")
    s_grid = fits[0] * np.exp(fits[1])
    if bulk_cap:
        s_grid = np.minimum(s_grid, fits[4] * np.exp(fits[5]))
    w = np.exp(logd - logd.max())
    deep = float(np.sum(w[s_grid < -S_DEEP]) / np.sum(w))
    node_stats = {"L": st[:, 0].tolist(), "log_sigma": st[:, 1].tolist(), "m": st[:, 2].tolist(),
                  "dL": st[:, 3].tolist(),
                  "s": (st[:, 0] * np.exp(st[:, 1])).tolist(),
                  "p_positive": [float(np.mean(r[0] > 0)) for r in rows]}
    if bulk_cap:
        node_stats["s2"] = (st[:, 4] * np.exp(st[:, 5])).tolist()
    return CircuitEdgeResult(F=grid, log_density=logd, median_se=se, nodes=Ff, node_stats=node_stats, draws=total,
                             draws_per_node=int(draws_per_node), spread="exact" if E.size == 2 else "typical",
                             seconds=time.perf_counter() - t0, edge_limited=deep > 0.01,
                             window_limited=window_limited, truncated=truncated,
                             components={"median_F": med, "mass_beyond_s_deep": deep,
                                         "density_at_range_ends": [float(logd[0] - logd.max()),
                                                                   float(logd[-1] - logd.max())]})
