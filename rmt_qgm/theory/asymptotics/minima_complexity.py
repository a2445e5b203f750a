"""Where local minima of circuits concentrate, for any spectrum: the index-0 complexity at exponential order.

Fixed-law limit of :mod:`.spherical` (D = 2^(n+1) -> inf at fixed gamma = p/D and fixed
spectral law nu of H; circuits, |psi| = 1). Kac–Rice for the number of local minima with value near f,
per unit D, up to f-independent constants (derivations/step_15):

    Sigma_0(f) = max over rho^2 of [ -J(f, rho^2) - (gamma/2) log rho^2 + gamma Phi(f, gamma rho^2) ],

subject to the left edge of M(f) = B + rho Z' being >= 0 (otherwise the Hessian has a macroscopic number
of negative eigenvalues and the index-0 probability is exp(-O(D^2))). The three terms:

- J(f, rho^2): the large-deviation rate of a Haar state having <K> = f and |(K - f)psi|^2 = rho^2 (Cramér
  for psi = g/|g|, g Gaussian): J = sup_{a,b} (1/2) Int log(1 + a c + b (c^2 - rho^2)) dnu, c = E - f. The
  optimal spread is w(E) = 1/(1 + a c + b (c^2 - rho^2)) (relative to nu); b = 0 gives the Haar-typical rho^2.
- -(gamma/2) log rho^2: the density of the gradient at 0, N(0, (4 rho^2 / D) I_p).
- gamma Phi: (1/p) log det of the Hessian, Phi = Int log x dmu(x) for mu the law of M(f) (edge >= 0),
  computed as Int_0^inf [1/(1 + x) + G(-x)] dx with G the Cauchy transform (the root of K(w) = -x left
  of the edge). dPhi/ds = -G(0)^2 / 2 (free Burgers equation) gives the stationarity condition
  b = gamma / rho^2 + gamma^2 G(0)^2.

The threshold f* = argmax_f Sigma_0(f): almost all local minima have F -> f* as D -> inf. For two-level
spectra rho^2 is fixed by f and Sigma_0 increases up to the edge level f_e (measured here on a grid), so
f* = f_e. For general spectra f* lies in [f_typ, f_upper] of :func:`.spherical.edge_level`.

Numerics: float64, in the numba kernels of :mod:`.free_kernels` (the root solves are safeguarded Newton
and Brent to full double precision; Phi by Gauss–Legendre in t with x = t^2/(1 - t^2), which makes the
square-root edge and the 1/x^2 tail smooth). At one f, every rho^2 shares one scan table for w*
(:class:`.spherical.WStarScan`).
An argmax of a smooth function is determined to about sqrt(machine eps) of the spread; the reported
``digits`` compare two quadrature orders and two grid resolutions.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from . import free_kernels as fk
from . import spherical as sa
from ...checks import check_float

_NODES = 160


def cauchy_left(a: np.ndarray, nu: np.ndarray, g: float, s: float, z, wstar: float | None = None) -> np.ndarray:
    """G(z) for an array of real z left of the edge: the root of K(w) = z in (w*, 0).

    K decreases on (w*, 0) from the edge L to -inf; safeguarded Newton (bisection when a step leaves the
    bracket) to a relative step of 1e-15 (numba kernel :func:`.free_kernels.cauchy_left`).
    """
    z = np.ascontiguousarray(np.atleast_1d(np.asarray(z, dtype=float)))
    a = np.ascontiguousarray(a, dtype=float)
    nu = np.ascontiguousarray(nu, dtype=float)
    ws = sa.wstar_float(a, nu, g, s) if wstar is None else wstar
    return fk.cauchy_left(a, nu, float(g), float(s), z, float(ws))


@lru_cache(maxsize=8)
def _gauss_legendre(nodes: int):
    t, wt = np.polynomial.legendre.leggauss(nodes)
    t = 0.5 * (t + 1)
    return t, 0.5 * wt


def log_potential(levels, weights, f: float, gamma: float, s: float, nodes: int = _NODES,
                  scan: sa.WStarScan | None = None) -> float:
    """Phi = Int log x dmu(x) for the law of M(f) with semicircle variance s; requires its left edge >= 0.

    ``scan``: a :class:`.spherical.WStarScan` of levels - f and gamma, to reuse.
    """
    a = np.asarray(levels, dtype=float) - f
    nu = np.asarray(weights, dtype=float)
    scan = sa.WStarScan(a, nu, gamma) if scan is None else scan
    ws = scan.wstar(s)
    if ws is None:
        return -np.inf
    L = scan.K(ws, s)
    if L < -1e-10 * max(1.0, float(np.max(np.abs(a)))):     # round-off at an edge-constrained optimum
        raise ValueError("log_potential needs a non-negative left edge")
    t, wt = _gauss_legendre(nodes)
    x = t ** 2 / (1 - t ** 2)
    dx = 2 * t / (1 - t ** 2) ** 2
    G = cauchy_left(scan.a, scan.nu, scan.gamma, s, -x, ws)
    return float(np.sum(wt * dx * (1.0 / (1.0 + x) + G)))


def profile_rate(levels, weights, f: float, rho2: float) -> tuple[float, float]:
    """(J, b) of :func:`profile_optimum` (the rate and the multiplier of the rho^2 constraint)."""
    J, _, b = profile_optimum(levels, weights, f, rho2)
    return J, b


def profile_optimum(levels, weights, f: float, rho2: float) -> tuple[float, float, float]:
    """(J, a, b): the rate J(f, rho^2) (module docstring) and its maximisers; the optimal spread is
    w = nu / (1 + a c + b (c^2 - rho^2)).

    Concave maximisation over (a, b) by damped Newton (:func:`.free_kernels.profile_newton`). Two-level
    spectra: the spread is fixed by f, J is closed form and (a, b) are not defined (nan). Outside the
    feasible rho^2 range: (inf, nan, nan).
    """
    E = np.asarray(levels, dtype=float)
    nu = np.ascontiguousarray(weights, dtype=float)
    c = E - f
    if c[0] >= 0 or c[-1] <= 0:
        return np.inf, np.nan, np.nan
    if E.size == 2:
        w1 = -c[0] / (c[1] - c[0])
        w = np.array([1 - w1, w1])
        return float(0.5 * np.sum(nu * np.log(nu / w))), np.nan, np.nan
    lo, hi = sa.rho2_minimal_float(E, f), float(-c[0] * c[-1])
    if not lo < rho2 < hi:
        return np.inf, np.nan, np.nan
    try:
        J, a, b = fk.profile_newton(np.ascontiguousarray(c), nu, float(rho2))
    except np.linalg.LinAlgError:           # spread condensed on two levels: rho^2 at its range's end
        return np.inf, np.nan, np.nan
    if not (np.isfinite(a) and np.isfinite(b)):
        return np.inf, np.nan, np.nan
    return float(J), float(a), float(b)


def _rho2_edge(scan: sa.WStarScan, gamma, lo, hi):
    """Largest rho^2 in [lo, hi] with left edge >= 0 (the edge falls with rho^2); None if edge(lo) < 0."""
    e = lambda r2: scan.edge(gamma * r2)  # noqa: E731
    if e(lo) < 0:
        return None
    if e(hi) >= 0:
        return hi
    return brentq(e, lo, hi, xtol=1e-300, rtol=1e-14)


def minima_complexity(levels, weights, f: float, gamma: float, nodes: int = _NODES) -> tuple[float, float]:
    """(Sigma_0(f), rho^2 at the optimum) per unit D, up to an f-independent constant (module docstring)."""
    E = np.asarray(levels, dtype=float)
    nu = np.ascontiguousarray(weights, dtype=float)
    c = E - f
    if c[0] >= 0 or c[-1] <= 0:
        return -np.inf, np.nan
    if E.size == 2:
        r2 = float(-c[0] * c[1])
        if sa.left_edge_float(E, nu, f, gamma, gamma * r2) < 0:
            return -np.inf, r2
        J, _ = profile_rate(E, nu, f, r2)
        return -J - 0.5 * gamma * np.log(r2) + gamma * log_potential(E, nu, f, gamma, gamma * r2, nodes), r2
    scan = sa.WStarScan(c, nu, gamma, table=True)     # w* at every rho^2 below costs one pass over its grid
    lo, hi = sa.rho2_minimal_float(E, f), float(-c[0] * c[-1])
    lo, hi = lo + 1e-9 * (hi - lo), hi - 1e-9 * (hi - lo)
    top = _rho2_edge(scan, gamma, lo, hi)
    if top is None:
        return -np.inf, np.nan

    def dpsi(r2):
        """d/d rho^2 of the objective: b/2 - gamma/(2 rho^2) - (gamma^2/2) G(0)^2 (module docstring)."""
        _, b = profile_rate(E, nu, f, r2)
        if not np.isfinite(b):               # spread condensed at an end of the feasible range: J -> inf there
            return np.inf if r2 < np.sqrt(lo * hi) else -np.inf
        s = gamma * r2
        G0 = float(cauchy_left(scan.a, scan.nu, gamma, s, 0.0, scan.wstar(s))[0])
        return 0.5 * b - 0.5 * gamma / r2 - 0.5 * gamma ** 2 * G0 ** 2

    def psi(r2):
        J, _ = profile_rate(E, nu, f, r2)
        return -J - 0.5 * gamma * np.log(r2) + gamma * log_potential(E, nu, f, gamma, gamma * r2, nodes, scan)

    # dpsi -> +inf at the lower end (J -> inf there); the optimum is its first zero, or the edge-constrained end
    us = np.log(lo) + (np.log(top) - np.log(lo)) * np.linspace(0, 1, 25)[1:]
    ds = np.array([dpsi(np.exp(u)) for u in us])
    cand = [float(np.exp(us[-1]))] if ds[-1] > 0 else []
    prev = np.log(lo)
    for u, dv in zip(us, ds):
        if dv <= 0:
            cand.append(float(np.exp(brentq(lambda v: dpsi(np.exp(v)), prev, u, xtol=1e-12))) if prev < u else
                        float(np.exp(u)))
            break
        prev = u
    if not cand:                             # no sign change resolved: fall back to a bounded search
        res = minimize_scalar(lambda v: -psi(np.exp(v)), bounds=(np.log(lo), np.log(top)), method="bounded",
                              options={"xatol": 1e-10})
        cand = [float(np.exp(res.x))]
    vals = [psi(r2) for r2 in cand]
    best_r2 = cand[int(np.argmax(vals))]
    best = -max(vals)
    best_u = np.log(best_r2)
    return -float(best), float(np.exp(best_u))


def concentration_level(spectrum, gamma: float, grid: int = 32, nodes: int = _NODES,
                        edges: tuple[sa.EdgeLevel, sa.EdgeLevel] | None = None) -> dict:
    """f* = argmax Sigma_0(f) in raw loss units, with the curve it came from (module docstring).

    Scans ``grid`` levels in (E0, f_upper], refines the best one by a bounded Brent search between its
    neighbours, and repeats the refinement with 2 * nodes quadrature nodes to report the agreement
    (``digits``: decimal digits on which the two agree, relative to the spectral width). ``edges``: the
    (typical, minimal) :class:`.spherical.EdgeLevel` of this spectrum and gamma, if the caller
    has them already.
    """
    g = check_float("gamma", gamma, 0.0, open_min=True)
    levels, weights = sa.spectral_law(spectrum)
    if edges is None:
        typ, up = sa.edge_level(spectrum, g, "typical", dps=20), sa.edge_level(spectrum, g, "minimal", dps=20)
    else:
        typ, up = edges
    width = float(levels[-1] - levels[0])
    if up.at_ground:
        return {"F": float(levels[0]), "at_ground": True, "edge_typical": typ.F, "edge_upper": up.F,
                "curve": [], "digits": 15}

    fs = levels[0] + (up.F - levels[0]) * np.linspace(0, 1, grid + 1)[1:]
    span = up.F - levels[0]
    # just inside: the edge is exactly 0 at f_upper (near gamma_c the whole range can be tinier than the margin)
    fs[-1] -= 1e-10 * width if span > 1e-7 * width else 1e-3 * span
    sig = np.array([minima_complexity(levels, weights, f, g, nodes)[0] for f in fs])
    i = int(np.argmax(sig))
    a = fs[i - 1] if i > 0 else levels[0] + min(1e-9 * width, 0.5 * (fs[0] - levels[0]))
    b = fs[min(i + 1, len(fs) - 1)]

    def refine(n_nodes):
        if i == len(fs) - 1 and levels.size == 2:
            return float(up.F)                    # two-level: the maximum is the edge level itself
        if not a < b:                             # a range below float resolution near gamma_c: the scan's best
            return float(fs[i])
        res = minimize_scalar(lambda f: -minima_complexity(levels, weights, f, g, n_nodes)[0], bounds=(a, b),
                              method="bounded", options={"xatol": 1e-9 * width})
        return float(res.x) if -res.fun >= sig[i] else float(fs[i])

    f1, f2 = refine(nodes), refine(2 * nodes)
    rel = abs(f1 - f2) / width
    digits = 15 if rel == 0 else int(max(0, min(15, np.floor(-np.log10(rel)))))
    return {"F": f1, "at_ground": False, "edge_typical": typ.F, "edge_upper": up.F,
            "curve": [[float(f), float(s)] for f, s in zip(fs, sig)], "digits": digits}


#: predict computes the concentration level f* for spectra with at most this many distinct levels; beyond it,
#: call :func:`concentration_level` directly. Cost of asymptotic_summary at
#: dps 30, measured 2026-12-02 (this AMD EPYC host, 1 thread, numba cache warm, second call in the process):
#: 0.03 s for two levels (fidelity n = 8), 0.22-0.26 s for 64 levels (randspec n = 6), 0.73 s for 256 levels
#: (randspec n = 8; about 2 s for 512). The first call in a process adds ~1.3 s to load the compiled kernels.
CONCENTRATION_MAX_LEVELS = 256


def asymptotic_summary(spectrum, gamma: float, dps: int = 20) -> dict:
    """``predict``'s ``asymptotic`` block for the spherical and circuit models (raw loss units).

    ``edge``: the edge level of Haar-typical critical points (mpmath, digits lost reported);
    ``edge_interval``: [typical, upper limit]; ``threshold``: f* = argmax of the minima complexity
    (:func:`concentration_level`, float64, ``threshold_digits``), equal to the edge for two-level spectra.
    Edge levels from :mod:`.spherical`. (Here rather than there: it needs both modules, and
    minima_complexity is built on spherical_asymptotics, so this keeps the import graph acyclic.)
    """
    levels, _ = sa.spectral_law(spectrum)
    typ = sa.edge_level(spectrum, gamma, "typical", dps)
    up = sa.edge_level(spectrum, gamma, "minimal", dps)
    out = {"edge": typ.F, "edge_rule": "typical", "edge_interval": [typ.F, up.F],
           "digits_lost": max(typ.digits_lost, up.digits_lost), "dps": dps}
    c = (concentration_level(spectrum, gamma, edges=(typ, up)) if levels.size <= CONCENTRATION_MAX_LEVELS
         else None)
    if levels.size == 2 and c["F"] == up.F:
        out["threshold"] = typ.F
        out["threshold_digits"] = dps - typ.digits_lost
        out["note"] = ("two-level spectrum: rho^2 = (F - E0)(E1 - F) is fixed by F and the minima complexity "
                       "increases up to the edge level, so local minima of circuits (|psi| = 1) concentrate "
                       "there as 2^n -> inf at fixed gamma and fixed spectral law; convergence is slow, small "
                       "circuits sit well above it (rmt_qgm/theory/asymptotics/spherical.py, "
                       "minima_complexity.py, derivations/step_14-15, docs/studies/asymptotic_edge.md)")
    elif c is not None:
        out["threshold"] = c["F"]
        out["threshold_digits"] = c["digits"]
        out["note"] = ("general spectrum: threshold = argmax of the minima complexity over F, maximised over "
                       "how the state spreads over the eigenvectors (edge_interval: edge levels of Haar-typical "
                       "and of least-spread states; no minima of circuits above its upper end); fixed-law "
                       "limit 2^n -> inf, slow convergence (rmt_qgm/theory/asymptotics/minima_complexity.py)")
    else:
        out["threshold"] = None
        out["note"] = (f"more than {CONCENTRATION_MAX_LEVELS} distinct levels: threshold not computed by predict "
                       "(rmt_qgm.theory.asymptotics.minima_complexity.concentration_level); minima lie below "
                       "edge_interval[1]")
    return out
