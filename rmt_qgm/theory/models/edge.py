"""Finite-size law of local-minimum values from the asymptotic edge: Kac–Rice with a Tracy–Widom edge.

docs/theory.md §19. At a critical point of value f of the normalised-state model (and, to the accuracy
measured in docs/studies/edge_law.md, of circuits), the Kac–Rice density of local minima is

    ρ_0(f) = p_F(f) · p_∇F(0 | f) · E[ |det Hess| 1{Hess > 0} | f, ∇F = 0 ].

The asymptotic theory (§13–§14) keeps only the exponential order in D = 2^(n+1), where the index-0 indicator
is a hard wall at the edge level f_e. Here each factor is kept at finite (n, p):

- p_F: the exact law of ⟨ψ|H|ψ⟩ for a Haar state when H has two levels (excited weight ~ Beta(d − d0, d0));
  for more levels exp(−D J(f, ρ²)) at the Haar-typical spread (§14, b = 0);
- p_∇F(0 | f) ∝ ρ^(−p), ρ² = |(H − f)ψ|² (two levels: (f − E0)(E1 − f); otherwise its Haar-typical value);
- E|det| ≈ exp(p Φ(f)), Φ = ∫ log|x| dμ_f(x), μ_f the limiting law of the conditional Hessian
  M(f) = B + ρZ′ (§13.1), computed on both sides of the edge (:func:`log_potential_abs`);
- the positivity under the |det| weight, w(s) (C p)^(2/3) with s = L(f) (C(f) p)^(2/3) and
  w(s) = F_1′(s) e^((2/3) max(s, 0)^(3/2)): the lowest of the p eigenvalues sits at the left edge L(f) of μ_f with
  GOE Tracy–Widom fluctuations of width (C p)^(−2/3), where μ_f(x) ≈ (C/π) √(x − L) near the edge
  (C = (2/|K″(w*)|)^½ from the inverse Cauchy function K of §13.1), and the |det| weight pins one more eigenvalue
  at 0, so that the density F_1′ of the smallest eigenvalue enters, not its distribution function F_1
  (docs/theory.md §19.1; :func:`~rmt_qgm.theory.asymptotics.tracy_widom.log_edge_weight`).

Below f_e (L > 0) the last factor varies slowly (as s^(−1/4)) and ρ_0 is the asymptotic density with its exact
finite-d prefactors; above f_e the TW left tail exp(−|s|³/24) replaces the hard wall. As
n → ∞ at fixed γ the law collapses onto f_e (the asymptotic level); at finite n it sits above it by the
balance of the entropy growth D Σ′ δ against p² C² L′³ δ³/24, δ ~ D^(−1/2).

Approximations and their orders: the TW factor is the edge expansion of the smallest-eigenvalue law,
exact as p → ∞ at |s| = O(1), with relative corrections O(p^(−2/3)) in s; deep in the left tail its cubic
rate is the edge limit of the pushed-Coulomb-gas rate (for a pure GOE it gives p²/3 against the exact
(ln 3)/4 p² at the far end). The law is therefore evaluated only on the window s ≥ −S_CUT above f_e
(``window_limited`` in the result when the density at the window's end is not negligible: then the edge
expansion does not determine the law, as at small p). Corrections O(1) in log ρ_0 (finite-p corrections of
E log|det|, the non-Gaussian prefactors) shift the law by O(1/D) in f. The conditional Hessian of circuits
is not B + ρZ′: its ordered second-derivative term lowers the smallest eigenvalue far less (docs/theory.md §20.1),
which is this law's main error for circuits near the transition; :mod:`.circuit_edge` samples the circuit's own
Hessian instead.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit

from ..asymptotics import minima_complexity as mc
from ..asymptotics import spherical as sa
from ..asymptotics import tracy_widom as tw

#: the window above the edge: s = L (C p)^(2/3) >= -S_CUT (module docstring); log F_1(-10) = -49.5
S_CUT = 10.0
#: a density at the window's end within exp(-WINDOW_DROP) of the maximum marks the law window_limited
WINDOW_DROP = 10.0
#: the law counts as window_limited when cutting the window at S_CUT - 1 moves its median by more than this
#: (relative to median - E0)
WINDOW_SENSITIVITY = 0.01
#: at most this many zoom passes of the fine grid
MAX_REFINE = 8
#: the law is tabulated where log rho_0 > max - TAIL_DROP
TAIL_DROP = 40.0
_NODES = 80


def _K(w, a, nu, g, s):
    return np.sum(nu * a / (1 - g * a * w)) + s * w + 1 / w


def _Kprime(w, a, nu, g, s):
    return np.sum(nu * g * a * a / (1 - g * a * w) ** 2) + s - 1 / w ** 2


def log_potential_abs(a: np.ndarray, nu: np.ndarray, gamma: float, s: float,
                      nodes: int = _NODES) -> tuple[float, float, float]:
    """(Φ, L, K″(w*)): Φ = ∫ log|x| dμ(x) for the law μ of B + ρZ′ (docs/theory.md §13.1, §19.1), its left edge L
    and the curvature of K at w* (μ(x) ≈ (1/π)(2(x − L)/|K″|)^½ near L).

    a = levels − f, nu their weights, s = γρ². For L ≥ 0 this is :func:`~rmt_qgm.theory.asymptotics.minima_complexity.log_potential`.
    For L < 0: Φ = Φ(z0) + ∫_{z0}^{0} Re G(x + i0) dx with z0 = 1.5 L left of the support (dΦ/dz = G(z));
    Φ(z0) by the same quadrature as for L ≥ 0, G real on (z0, L) (:func:`~rmt_qgm.theory.asymptotics.minima_complexity.cauchy_left`), and on
    (L, 0) the root of K(w) = x continued from w* + i(2(x − L)/|K″|)^½ by complex Newton steps. Gauss–Legendre in
    u with x = L ∓ u² (smooth at the square-root edge). Checked against sampled matrices (tests/test_edge_law.py).
    """
    a = np.ascontiguousarray(a, dtype=float)
    nu = np.ascontiguousarray(nu, dtype=float)
    scan = sa.WStarScan(a, nu, gamma)
    ws = scan.wstar(s)
    if ws is None:
        raise ArithmeticError("no left edge: K' has no zero below 0")
    L = scan.K(ws, s)
    K2 = float(np.sum(2 * nu * gamma ** 2 * a ** 3 / (1 - gamma * a * ws) ** 3) + 2 / ws ** 3)
    t, wt = mc._gauss_legendre(nodes)
    y = t ** 2 / (1 - t ** 2)
    dy = 2 * t / (1 - t ** 2) ** 2
    if L >= 0:
        G = mc.cauchy_left(a, nu, gamma, s, -y, ws)
        return float(np.sum(wt * dy * (1 / (1 + y) + G))), float(L), K2
    z0 = 1.5 * L
    G = mc.cauchy_left(a, nu, gamma, s, z0 - y, ws)
    phi0 = float(np.sum(wt * dy * (1 / (1 + y) + G)))
    U = np.sqrt(L - z0)
    u = U * t
    G = mc.cauchy_left(a, nu, gamma, s, L - u ** 2 - 1e-15 * abs(L), ws)
    left = float(np.sum(U * wt * 2 * u * G))
    U = np.sqrt(-L)
    u = U * t
    re = _re_cauchy_inside(a, nu, gamma, s, L + u ** 2, scale=max(abs(L), float(np.max(np.abs(a)))))
    inside = float(np.sum(U * wt * 2 * u * re))
    return phi0 + left + inside, float(L), K2


def _re_cauchy_inside(a, nu, gamma, s, x, scale):
    """Re G(x + i0) for real x (inside the support or in a gap): the root of K(w) = x + iy followed from
    y = 10 scale, where G ≈ 1/z, down to y = 1e-12 scale (geometric steps, Newton at each); G is analytic in the
    upper half plane, so the homotopy stays on its branch (numba kernel :func:`_homotopy`)."""
    return cauchy_on_axis(a, nu, gamma, s, x, scale).real


def cauchy_on_axis(a: np.ndarray, nu: np.ndarray, gamma: float, s: float, x: np.ndarray,
                   scale: float) -> np.ndarray:
    """G(x + i0) (complex) for real x, by the homotopy of :func:`_re_cauchy_inside`; the density of μ at x is
    |Im G(x + i0)|/π (docs/theory.md §19.2)."""
    x = np.ascontiguousarray(np.atleast_1d(x), dtype=float)
    re, im = np.empty(x.size), np.empty(x.size)
    status = _homotopy(np.ascontiguousarray(a, dtype=float), np.ascontiguousarray(nu, dtype=float), float(gamma),
                       float(s), x, float(scale), float(np.sum(nu * a)), re, im)
    if status != 0:
        raise ArithmeticError("G(x + iy): Newton did not converge along the homotopy")
    return re + 1j * im


@njit(cache=True)
def _homotopy(a, nu, g, s, x, scale, mean, out, out_im):
    """Kernel of :func:`_re_cauchy_inside`: 0 on success, 1 if a Newton solve failed (residual > 1e-9 scale)."""
    steps = 60
    ratio = (1e-12 / 10.0) ** (1.0 / (steps - 1))
    for k in range(x.size):
        y = 10.0 * scale
        w = 1.0 / complex(x[k] - mean, y)
        for _ in range(steps):
            z = complex(x[k], y)
            ok = False
            for _it in range(200):
                Kv = s * w + 1.0 / w
                Kp = s - 1.0 / (w * w)
                for j in range(a.size):
                    den = 1.0 - g * a[j] * w
                    Kv += nu[j] * a[j] / den
                    Kp += nu[j] * g * a[j] * a[j] / (den * den)
                step = (Kv - z) / Kp
                w = w - step
                if abs(step) <= 1e-12 * abs(w):
                    ok = True
                    break
            if not ok:                      # next to a branch point Newton is linear: accept a small residual
                Kv = s * w + 1.0 / w
                for j in range(a.size):
                    Kv += nu[j] * a[j] / (1.0 - g * a[j] * w)
                if abs(Kv - z) > 1e-9 * scale:
                    return 1
            y *= ratio
        out[k] = w.real
        out_im[k] = w.imag
    return 0


@dataclass
class EdgeLawResult:
    """The tabulated law (raw F nodes and log density) with its diagnostics."""

    F: np.ndarray
    log_density: np.ndarray
    edge_F: float                       # f_e: where L(f) crosses 0 going up (the asymptotic level)
    window_F: float                     # the window's end (s = -S_CUT), or the top of the spectrum
    window_limited: bool                # the density at the window's end is not negligible
    spread: str                         # "exact" (two levels) or "typical"
    components: dict = field(default_factory=dict)


def finite_rank_ground(counts, p: int) -> bool:
    """True when a two-level spectrum's ground level enters the Hessian as a finite-rank perturbation rather than
    as part of its bulk (docs/theory.md §19.1): its real dimension 2 d0 is at most sqrt(p)."""
    return len(counts) == 2 and 2 * float(counts[0]) <= np.sqrt(p)


def hessian_factor(levels, weights, counts, p: int, gamma: float, F: float, r2: float) -> tuple[float, float, float]:
    """(p Φ(F) + log w(s) + log (C p)^(2/3), s, L): the edge law's log E[|det Hess| 1{Hess > 0}] at F up to an
    F-independent constant (docs/theory.md §19.1), w(s) = F_1′(s) e^((2/3) max(s, 0)^(3/2)) the pinned-eigenvalue
    factor (:func:`~rmt_qgm.theory.asymptotics.tracy_widom.log_edge_weight`).

    For a two-level spectrum whose ground level is a finite-rank perturbation (:func:`finite_rank_ground`) the law
    μ_F is that of the excited level alone: a rank-2d0 perturbation below the BBP threshold does not move the
    bulk's edge, while smearing it into the fixed law would (it adds a small component of 2d0 eigenvalues whose
    'edge' is not a soft edge of the p-eigenvalue bulk)."""
    E = np.asarray(levels, dtype=float)
    nu = np.asarray(weights, dtype=float)
    if E.size == 2 and finite_rank_ground(counts, p):
        E, nu = E[1:], nu[1:]
    phi, L, K2 = log_potential_abs(E - F, nu, gamma, gamma * r2)
    scale = (np.sqrt(2 / abs(K2)) * p) ** (2 / 3)
    sarg = L * scale
    return p * phi + float(tw.log_edge_weight(sarg)) + float(np.log(scale)), sarg, L


def log_pF_rho2(levels, weights, counts, n: int, F: float) -> tuple[float, float]:
    """(log p_F(F) up to an F-independent constant, ρ²(F)) (module docstring): for two levels the exact Beta law of the
    excited weight and ρ² = (F − E0)(E1 − F); otherwise exp(−D J) and ρ² at the Haar-typical spread. Shared with
    :mod:`.circuit_edge`."""
    d = 2 ** n
    E = np.asarray(levels, dtype=float)
    nu = np.asarray(weights, dtype=float)
    if E.size == 2:
        u = (F - E[0]) / (E[1] - E[0])
        d0 = int(counts[0])
        return (d - d0 - 1) * np.log(u) + (d0 - 1) * np.log1p(-u), (F - E[0]) * (E[1] - F)
    r2 = sa.rho2_typical_float(E, nu, F)
    J, _ = mc.profile_rate(E, nu, F, r2)
    return -2 * d * J, r2


def _log_rho0(levels, weights, counts, n, p, F):
    """log ρ_0(F) up to an F-independent constant, and (s, L) at F (module docstring)."""
    g = p / 2 ** (n + 1)
    E = np.asarray(levels, dtype=float)
    nu = np.asarray(weights, dtype=float)
    lpF, r2 = log_pF_rho2(E, nu, counts, n, F)
    hess, sarg, L = hessian_factor(E, nu, counts, p, g, F, r2)
    return lpF - 0.5 * p * np.log(r2) + hess, sarg, L


def edge_law(levels, counts, n: int, p: int, coarse: int = 48, fine: int = 80) -> EdgeLawResult:
    """The finite-size law of local-minimum values (module docstring) for a spectrum given as distinct
    ``levels`` with integer multiplicities ``counts`` (sum 2^n), n qubits, p parameters (p < p_c).

    Coarse scan of F from just above E0 (geometric in F − E0) upward until the window ends above the edge;
    then ``fine`` uniform nodes where log ρ_0 > max − TAIL_DROP.
    """
    E = np.asarray(levels, dtype=float)
    cnt = np.asarray(counts, dtype=float)
    nu = cnt / cnt.sum()
    width = E[-1] - E[0]
    xs = E[0] + width * np.geomspace(1e-7, 0.999, coarse)
    vals, Fs, ss = [], [], []
    end = E[-1]
    for F in xs:
        v, sarg, L = _log_rho0(E, nu, cnt, n, p, F)
        Fs.append(F)
        vals.append(v)
        ss.append(sarg)
        if sarg < -S_CUT and F > E[0] + 1e-6 * width and len(ss) > 1 and ss[-2] > sarg:
            end = F
            break
    Fs, vals, ss = np.array(Fs), np.array(vals), np.array(ss)
    i = int(np.argmax(vals))
    lo_idx = np.flatnonzero(vals[:i] < vals[i] - TAIL_DROP)
    F_lo = Fs[lo_idx[-1]] if lo_idx.size else E[0] + 1e-9 * width
    hi_idx = np.flatnonzero(vals[i:] < vals[i] - TAIL_DROP)
    F_hi = Fs[i + hi_idx[0]] if hi_idx.size else Fs[-1]
    for it in range(MAX_REFINE):    # zoom onto where log rho_0 > max - TAIL_DROP until it spans fine/3 nodes
        grid = np.linspace(F_lo, F_hi, fine)
        evals = [_log_rho0(E, nu, cnt, n, p, F) for F in grid]
        out = np.array([e[0] for e in evals])
        s_fine = np.array([e[1] for e in evals])
        keep = np.flatnonzero(out > out.max() - TAIL_DROP)
        if it > 0 and keep.size >= fine // 3:
            break
        F_lo = grid[max(keep[0] - 1, 0)]
        F_hi = grid[min(keep[-1] + 1, grid.size - 1)]
    # the edge (s = 0 crossing) from the coarse scan
    cross = np.flatnonzero((ss[:-1] >= 0) & (ss[1:] < 0))
    edge_F = float(np.interp(0.0, [ss[cross[0] + 1], ss[cross[0]]], [Fs[cross[0] + 1], Fs[cross[0]]])) \
        if cross.size else float(E[0])
    limited = bool(F_hi >= Fs[-1] and out[-1] > out.max() - WINDOW_DROP)
    # sensitivity of the median to the window: the law cut at s >= -(S_CUT - 1) instead of -S_CUT
    med = _median(grid, out)
    k = int(np.argmax(out))
    past = np.flatnonzero(s_fine[k:] < -(S_CUT - 1.0))
    if past.size == 0:
        sens = 0.0                   # the law lies inside the smaller window too
    else:
        j = k + int(past[0])
        sens = abs(_median(grid[:j], out[:j]) - med) / max(med - E[0], 1e-300) if j > 3 else np.inf
    return EdgeLawResult(F=grid, log_density=out, edge_F=edge_F, window_F=float(end),
                         window_limited=bool(limited or sens > WINDOW_SENSITIVITY),
                         spread="exact" if E.size == 2 else "typical",
                         components={"window_sensitivity_of_median": float(sens), "median_F": float(med)})


def _median(F, logd):
    """The median of the law tabulated as log density ``logd`` on the grid ``F`` (trapezoid rule)."""
    w = np.exp(logd - logd.max())
    c = np.concatenate([[0.0], np.cumsum(0.5 * (w[1:] + w[:-1]) * np.diff(F))])
    return float(np.interp(0.5 * c[-1], c, F))
