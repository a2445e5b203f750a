"""Large-size asymptotics of the spherical (normalised-state) model for any spectrum (derivations/step_14).

Setting (THEORY 6.2). At a critical point of value f, with x = y/|y| the state, A = K - f (K the real
2d x 2d form of H, eigenvalues doubled) and D = 2d real dimensions, the conditional Hessian in units of
2 D sigma^2 / r^2 is

    M(f) = B + rho Z',   B = X^T A X / D,   X ~ D x p standard Gaussian,   rho^2 = |(K - f) x|^2,

with Z' symmetric, zero diagonal, N(0, 1/D) off the diagonal. Limit: D -> infinity at fixed
gamma = p / D = p / 2^(n+1) and with the *law* nu of the spectrum of H held fixed (each eigenvalue's
multiplicity grows with D). In that limit

- B is a free compound Poisson law (rate 1/gamma, jumps gamma a, a ~ nu shifted by -f), with R-transform
  R_B(w) = Int a / (1 - gamma a w) dnu(a); the free cumulants are kappa_k = gamma^(k-1) Int a^k dnu;
- rho Z' is a semicircle of variance s = gamma rho^2, free from B; so R(w) = R_B(w) + s w;
- the left edge of the limiting spectrum is L = K(w*), K(w) = R(w) + 1/w, where w* < 0 is the first zero
  of K'(w) met going down from w = 0- (on (w*, 0) K is the functional inverse of the Cauchy transform,
  which maps (-inf, L) onto (w*, 0) monotonically: the Silverstein–Choi characterisation of the support).

rho^2 is fixed by f when H has two distinct eigenvalues E_a < E_b: rho^2 = (f - E_a)(E_b - f) (fidelity,
projector:d). For a general spectrum it depends on how x spreads over the eigenvectors at that f:

- ``typical``: the Haar-typical spread at value f (Gibbs conditioning of a uniform point on the sphere:
  x_j^2 proportional to 1/(1 + beta (E_j - f)), beta fixed by the mean f);
- ``minimal``: the smallest rho^2 any state of value f can have, (f - E_a)(E_b - f) with E_a <= f <= E_b
  adjacent eigenvalues (two-level spread).

The left edge falls as s grows (free convolution with a semicircle widens the support), so the level
f_upper where the ``minimal`` edge reaches 0 is an upper limit for local minima at exponential order: above
it every critical point has a macroscopic number of negative Hessian eigenvalues (for circuits; see Scale). ``typical`` gives the
edge level f_typ <= f_upper of critical points with the Haar-typical spread. For two-level spectra the two
coincide and f_e is where minima concentrate (as t_e(gamma) for the isotropic WHRF: below f_e the bulk is
positive, above it index-0 points need a macroscopic deformation; :mod:`.minima_complexity` checks that
the minima complexity increases up to f_e). For general spectra Kac–Rice weights the spread too (through
1/rho^p and |det M|); :mod:`.minima_complexity` maximises over it and locates f* in [f_typ, f_upper].

Scale. In circuits |psi| = 1 and every tangent and second-derivative vector has unit norm, so the
relative weight of the two terms is fixed, and M(f) above is their limit (u_i ~ N(0, I/D) and the
projections of the second derivatives on (K - f)psi/rho ~ N(0, 1/D)). The Gaussian surrogate's radius r
fluctuates instead, and a large deviation of r (cost O(D), the same order as the complexity) rescales the
semicircle part; that freedom of the surrogate is not included: the statements below are for circuits
(and the surrogate at its typical radius).

At f -> E0, A >= 0 has an atom at 0 of weight q0 = d0/d, so B has zero modes iff gamma > 1 - q0: the fixed-
law limit puts the transition at gamma_c = 1 - d0/2^n, the same location as the finite-size inertia bound
(:mod:`.transition`). The isotropic WHRF is the case nu = delta_1, s = gamma t, shifted by -t
(:func:`rmt_qgm.theory.asymptotics.spectral_edges`), a test of this module.
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath as mp
import numpy as np

from ..checks import check_choice, check_float
from ..errors import UserInputError
from ..precision import digits_agreeing

RHO_RULES = ("typical", "minimal")
_LEVEL_TOL = 1e-12


def spectral_law(spectrum) -> tuple[np.ndarray, np.ndarray]:
    """(levels, weights): distinct eigenvalues of H (merged within 1e-12 of the spread) and their fractions."""
    s = np.sort(np.asarray(spectrum, dtype=float).ravel())
    if s.size < 2 or not np.all(np.isfinite(s)):
        raise UserInputError("spectrum must hold at least 2 finite values")
    width = s[-1] - s[0]
    if width <= 0:
        raise UserInputError("spectrum must not be constant (every state would be a critical point)")
    breaks = np.flatnonzero(np.diff(s) > _LEVEL_TOL * width) + 1
    groups = np.split(s, breaks)
    levels = np.array([g.mean() for g in groups])
    weights = np.array([g.size for g in groups], dtype=float) / s.size
    return levels, weights


# --- the R-transform and its inverse-Cauchy function K(w) = R(w) + 1/w ---------------------------------

def _kprime_np(w, a, nu, gamma, s):
    den = 1.0 - gamma * np.multiply.outer(w, a)
    return (nu * gamma * a ** 2 / den ** 2).sum(axis=-1) + s - 1.0 / w ** 2


def _K_np(w, a, nu, gamma, s):
    return float((nu * a / (1.0 - gamma * a * w)).sum() + s * w + 1.0 / w)


def _K_mp(w, a, nu, gamma, s):
    return mp.fsum(n * x / (1 - gamma * x * w) for x, n in zip(a, nu)) + s * w + 1 / w


def _Kprime_mp(w, a, nu, gamma, s):
    return mp.fsum(n * gamma * x ** 2 / (1 - gamma * x * w) ** 2 for x, n in zip(a, nu)) + s - 1 / w ** 2


def _Ksecond_mp(w, a, nu, gamma, s):
    return mp.fsum(2 * n * gamma ** 2 * x ** 3 / (1 - gamma * x * w) ** 3 for x, n in zip(a, nu)) + 2 / w ** 3


def _bracketed_newton(F, dF, lo, hi, x0=None):
    """Root of F in [lo, hi] (F(lo), F(hi) of opposite signs): Newton steps from x0 (a float64 root, say),
    bisection when a step leaves the bracket, until the step is below 4 ulp at the current mp precision."""
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    flo = F(lo)
    x = (lo + hi) / 2 if x0 is None else mp.mpf(x0)
    eps = mp.eps * 4 * max(abs(lo), abs(hi))     # absolute: the root may sit near 0 (beta at f = mean)
    for _ in range(20 * mp.mp.dps):
        fx = F(x)
        if fx == 0:
            return x
        if (fx > 0) == (flo > 0):
            lo, flo = x, fx
        else:
            hi = x
        d = dF(x)
        if d != 0 and abs(fx / d) <= eps:
            return x - fx / d
        xn = x - fx / d if d != 0 else (lo + hi) / 2
        if not (min(lo, hi) < xn < max(lo, hi)):
            xn = (lo + hi) / 2
        if abs(hi - lo) <= eps:
            return xn
        x = xn
    raise ArithmeticError("root finder did not converge")


def _bracket_wstar(a: np.ndarray, nu: np.ndarray, gamma: float, s: float) -> tuple[float, float] | None:
    """Float bracket (w_left, w_right) of the first zero of K' below 0, or None if K' < 0 on all of (-inf, 0)."""
    scale = float(np.max(np.abs(a)))
    amin = float(a.min())
    if amin < 0 and nu[np.argmin(a)] > 0:
        wlo = 1.0 / (gamma * amin)                   # pole of R: K' -> +inf there
        wmin = min(1e-9 / (gamma * scale), 0.25 * abs(wlo))
        w = np.concatenate([-np.geomspace(wmin, 0.5 * abs(wlo), 600),
                            wlo * (1 - np.geomspace(0.5, 1e-13, 400)[1:])])
    else:
        w = -np.geomspace(1e-9, 1e12, 1200) / (gamma * scale)
    kp = _kprime_np(w, a, nu, gamma, s)
    pos = np.flatnonzero(kp > 0)
    if pos.size == 0:
        return None
    i = pos[0]
    if i == 0:
        raise ArithmeticError("K' positive next to w = 0: grid too coarse")
    return float(w[i]), float(w[i - 1])


def wstar_float(a: np.ndarray, nu: np.ndarray, gamma: float, s: float) -> float | None:
    """float64 w*: the first zero of K' below 0 (Brent inside :func:`_bracket_wstar`), or None if there is none."""
    from scipy.optimize import brentq

    br = _bracket_wstar(a, nu, float(gamma), float(s))
    if br is None:
        return None
    return brentq(lambda x: float(_kprime_np(np.array([x]), a, nu, float(gamma), float(s))[0]), br[0], br[1],
                  xtol=1e-300, rtol=1e-15)


def left_edge_float(levels, weights, f: float, gamma: float, s: float) -> float:
    """float64 :func:`left_edge` (scans and brackets only; results are refined in mpmath)."""
    a = np.asarray(levels, dtype=float) - float(f)
    nu = np.asarray(weights, dtype=float)
    w = wstar_float(a, nu, gamma, s)
    return 0.0 if w is None else _K_np(w, a, nu, gamma, s)


def left_edge(levels, weights, f, gamma, s) -> mp.mpf:
    """Left edge L of compound-Poisson(nu shifted by -f; gamma) boxplus semicircle(s), at the current mp precision.

    Formula: L = K(w*), K(w) = Int a/(1 - gamma a w) dnu(a) + s w + 1/w with a = E - f, K'(w*) = 0 (module
    docstring). Returns 0 when K' has no zero below 0 (then s = 0 and B has zero modes: gamma at least the
    weight of the levels above f).
    """
    a_np = np.asarray(levels, dtype=float) - float(f)
    nu_np = np.asarray(weights, dtype=float)
    br = _bracket_wstar(a_np, nu_np, float(gamma), float(s))
    if br is None:
        return mp.mpf(0)
    w0 = wstar_float(a_np, nu_np, gamma, s)
    a = [mp.mpf(x) - mp.mpf(f) for x in np.asarray(levels, dtype=float)]
    nu = [mp.mpf(x) for x in nu_np]
    g, sm = mp.mpf(gamma), mp.mpf(s)
    wstar = _bracketed_newton(lambda w: _Kprime_mp(w, a, nu, g, sm), lambda w: _Ksecond_mp(w, a, nu, g, sm),
                              br[0], br[1], w0)
    return _K_mp(wstar, a, nu, g, sm)


def cauchy_left_of_edge(levels, weights, f, gamma, s, z) -> mp.mpf:
    """Cauchy transform G(z) = Int dmu(x) / (z - x) of the same limiting law at a real z left of its edge.

    G(z) is the root w in (w*, 0) of K(w) = z (K decreases from L to -inf there), so it tests the R-transform
    and the branch that defines the edge; it is what the validation compares with sampled matrices.
    """
    a_np = np.asarray(levels, dtype=float) - float(f)
    nu_np = np.asarray(weights, dtype=float)
    br = _bracket_wstar(a_np, nu_np, float(gamma), float(s))
    a = [mp.mpf(x) - mp.mpf(f) for x in np.asarray(levels, dtype=float)]
    nu = [mp.mpf(x) for x in nu_np]
    g, sm, z = mp.mpf(gamma), mp.mpf(s), mp.mpf(z)
    if br is None:
        raise ValueError("no left edge below 0 for these parameters")
    wstar = _bracketed_newton(lambda w: _Kprime_mp(w, a, nu, g, sm), lambda w: _Ksecond_mp(w, a, nu, g, sm),
                              br[0], br[1])
    if z >= _K_mp(wstar, a, nu, g, sm):
        raise ValueError("z must lie left of the edge")
    hi = wstar / 2
    while _K_mp(hi, a, nu, g, sm) > z:
        hi /= 2
    return _bracketed_newton(lambda w: _K_mp(w, a, nu, g, sm) - z, lambda w: _Kprime_mp(w, a, nu, g, sm),
                             wstar, hi, (wstar + hi) / 2)


# --- rho^2 = |(K - f) x|^2 under each rule -------------------------------------------------------------

def _gibbs_beta_bracket(c: np.ndarray, nu: np.ndarray) -> tuple[float, float]:
    lo, hi = -1.0 / c[-1], -1.0 / c[0]
    u = np.concatenate([np.geomspace(1e-15, 0.5, 200), 1 - np.geomspace(0.5, 1e-15, 200)[1:]])
    b = lo + (hi - lo) * u
    h = (nu * c / (1.0 + np.multiply.outer(b, c))).sum(axis=-1)
    i = int(np.flatnonzero(h < 0)[0])
    return float(b[i - 1]), float(b[i])


def rho2_typical(levels, weights, f) -> mp.mpf:
    """Haar-typical |(K - f)x|^2 at <x|K|x> = f: Int (E - f)^2 w(E) dnu / Int w(E) dnu, w = 1/(1 + beta (E - f)).

    beta solves h(beta) = Int (E - f) w(E) dnu = 0 in (-1/(E_max - f), 1/(f - E0)) (Gibbs conditioning of a
    uniform point on the sphere; h decreases from +inf to -inf there, so the root is unique). For two
    levels this is (f - E0)(E1 - f) whatever beta.
    """
    lv = np.asarray(levels, dtype=float)
    nu_np = np.asarray(weights, dtype=float)
    c = [mp.mpf(x) - mp.mpf(f) for x in lv]
    nu = [mp.mpf(x) for x in nu_np]
    if c[0] >= 0 or c[-1] <= 0:
        return mp.mpf(0)
    if len(c) == 2:
        return -c[0] * c[1]
    from scipy.optimize import brentq

    cf = lv - float(f)
    b0, b1 = _gibbs_beta_bracket(cf, nu_np)
    bf = brentq(lambda b: float((nu_np * cf / (1 + b * cf)).sum()), b0, b1, xtol=1e-300, rtol=1e-15)
    b = _bracketed_newton(lambda b: mp.fsum(n * x / (1 + b * x) for x, n in zip(c, nu)),
                          lambda b: -mp.fsum(n * x ** 2 / (1 + b * x) ** 2 for x, n in zip(c, nu)), b0, b1, bf)
    num = mp.fsum(n * x ** 2 / (1 + b * x) for x, n in zip(c, nu))
    den = mp.fsum(n / (1 + b * x) for x, n in zip(c, nu))
    return num / den


def rho2_typical_float(levels, weights, f: float) -> float:
    """float64 :func:`rho2_typical`."""
    from scipy.optimize import brentq

    lv = np.asarray(levels, dtype=float)
    nu = np.asarray(weights, dtype=float)
    c = lv - float(f)
    if c[0] >= 0 or c[-1] <= 0:
        return 0.0
    if c.size == 2:
        return float(-c[0] * c[1])
    b0, b1 = _gibbs_beta_bracket(c, nu)
    b = brentq(lambda b: float((nu * c / (1 + b * c)).sum()), b0, b1, xtol=1e-300, rtol=1e-15)
    return float((nu * c ** 2 / (1 + b * c)).sum() / (nu / (1 + b * c)).sum())


def rho2_minimal(levels, f) -> mp.mpf:
    """Smallest |(K - f)x|^2 over states with <x|K|x> = f: (f - E_a)(E_b - f), E_a <= f <= E_b adjacent."""
    lv = np.asarray(levels, dtype=float)
    j = int(np.searchsorted(lv, float(f), side="right"))
    j = min(max(j, 1), lv.size - 1)
    fa, fb = mp.mpf(lv[j - 1]), mp.mpf(lv[j])
    return max(mp.mpf(0), (mp.mpf(f) - fa) * (fb - mp.mpf(f)))


def edge_at(levels, weights, f, gamma: float, rule: str = "typical") -> mp.mpf:
    """Left edge of the limiting conditional Hessian spectrum M(f) at level f (module docstring), mp precision."""
    check_choice("rule", rule, RHO_RULES)
    r2 = rho2_typical(levels, weights, f) if rule == "typical" else rho2_minimal(levels, f)
    return left_edge(levels, weights, f, gamma, mp.mpf(gamma) * r2)


def edge_at_float(levels, weights, f: float, gamma: float, rule: str = "typical") -> float:
    """float64 :func:`edge_at`."""
    r2 = rho2_typical_float(levels, weights, f) if rule == "typical" else float(rho2_minimal(levels, f))
    return left_edge_float(levels, weights, f, gamma, gamma * r2)


# --- the edge level f_e: the first F above E0 at which the edge reaches 0 -------------------------------

@dataclass(frozen=True)
class EdgeLevel:
    """f_e under one rho rule, in raw loss units, with the digits lost at 2*dps."""

    rule: str
    F: float
    dps: int
    digits_lost: int
    at_ground: bool          # True when the edge is already < 0 just above E0 (gamma >= gamma_c)


def _bracket_edge_level(levels, weights, gamma, rule, n_scan):
    """float scan: (f_lo, f_hi) with edge(f_lo) >= 0 > edge(f_hi), or None if the edge is < 0 just above E0."""
    E0, Emax = float(levels[0]), float(levels[-1])
    width = Emax - E0
    fs = E0 + width * np.linspace(0, 1, n_scan + 1)[1:-1]
    prev = E0
    for fv in fs:
        if edge_at_float(levels, weights, fv, gamma, rule) < 0:
            break
        prev = fv
    else:
        raise ArithmeticError("edge never reaches 0 below E_max")
    if prev == E0:
        tiny = E0 + width * 1e-10
        if edge_at_float(levels, weights, tiny, gamma, rule) < 0:
            return None
        prev = tiny
    return prev, fv


def _edge_level_mp(levels, weights, gamma, rule, bracket):
    """Refine the bracketed zero of edge(f) at the current mp precision: float64 Brent root, then secant."""
    from scipy.optimize import brentq

    f0 = brentq(lambda f: edge_at_float(levels, weights, f, gamma, rule), bracket[0], bracket[1], xtol=1e-300,
                rtol=1e-15)
    g = mp.mpf(gamma)
    width = float(levels[-1] - levels[0])
    return mp.findroot(lambda f: edge_at(levels, weights, f, g, rule), (mp.mpf(f0), mp.mpf(f0) + 1e-9 * width),
                       solver="secant", maxsteps=50)


def edge_level(spectrum, gamma: float, rule: str = "typical", dps: int = 20, n_scan: int = 64) -> EdgeLevel:
    """f_e(gamma): smallest F > E0 where the left edge of M(F) reaches 0 (module docstring), in raw loss units.

    Scans n_scan levels between E0 and E_max in float64, then refines the bracketed zero in mpmath at dps
    and at 2*dps (digits lost: their agreement in F - E0).
    """
    g = check_float("gamma", gamma, 0.0, open_min=True)
    check_choice("rule", rule, RHO_RULES)
    levels, weights = spectral_law(spectrum)
    bracket = _bracket_edge_level(levels, weights, g, rule, n_scan)
    if bracket is None:
        return EdgeLevel(rule, float(levels[0]), dps, 0, True)
    with mp.workdps(dps):
        lo = _edge_level_mp(levels, weights, g, rule, bracket)
    with mp.workdps(2 * dps):
        hi = _edge_level_mp(levels, weights, g, rule, bracket)
    lost = dps - digits_agreeing(lo - levels[0], hi - levels[0], dps)
    return EdgeLevel(rule, float(lo), dps, int(lost), False)


#: predict computes the concentration level f* for spectra with at most this many distinct levels (cost
#: ~ 0.5 s for two levels, 10-30 s for 64-256 levels on this machine); beyond it, call
#: :func:`rmt_qgm.theory.minima_complexity.concentration_level` directly
CONCENTRATION_MAX_LEVELS = 256


def asymptotic_summary(spectrum, gamma: float, dps: int = 20) -> dict:
    """``predict``'s ``asymptotic`` block for the spherical and circuit models (raw loss units).

    ``edge``: the edge level of Haar-typical critical points (mpmath, digits lost reported);
    ``edge_interval``: [typical, upper limit]; ``threshold``: f* = argmax of the minima complexity
    (:mod:`.minima_complexity`, float64, ``threshold_digits``), equal to the edge for two-level spectra.
    """
    from .minima_complexity import concentration_level

    levels, _ = spectral_law(spectrum)
    typ = edge_level(spectrum, gamma, "typical", dps)
    up = edge_level(spectrum, gamma, "minimal", dps)
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
                       "circuits sit well above it (rmt_qgm/theory/spherical_asymptotics.py, "
                       "minima_complexity.py, derivations/step_14-15, docs/asymptotic_edge.md)")
    elif c is not None:
        out["threshold"] = c["F"]
        out["threshold_digits"] = c["digits"]
        out["note"] = ("general spectrum: threshold = argmax of the minima complexity over F, maximised over "
                       "how the state spreads over the eigenvectors (edge_interval: edge levels of Haar-typical "
                       "and of least-spread states; no minima of circuits above its upper end); fixed-law "
                       "limit 2^n -> inf, slow convergence (rmt_qgm/theory/minima_complexity.py)")
    else:
        out["threshold"] = None
        out["note"] = (f"more than {CONCENTRATION_MAX_LEVELS} distinct levels: threshold not computed by predict "
                       "(rmt_qgm.theory.minima_complexity.concentration_level); minima lie below "
                       "edge_interval[1]")
    return out
