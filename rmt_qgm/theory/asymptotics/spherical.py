"""Large-size asymptotics of the spherical (normalised-state) model for any spectrum (derivations/step_14).

Setting (docs/theory.md §6.2). At a critical point of value f, with x = y/|y| the state, A = K - f (K the real
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
(:mod:`~rmt_qgm.theory.laws.transition`). The isotropic WHRF is the case nu = delta_1, s = gamma t, shifted by -t
(:func:`rmt_qgm.theory.asymptotics.whrf.spectral_edges`), a test of this module.
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath as mp
import numpy as np
from mpmath.libmp import fone, mpf_div, mpf_mul, mpf_sub, mpf_sum, round_nearest

from ...checks import check_choice, check_float
from ...errors import UserInputError
from ...precision import digits_agreeing
from . import free_kernels as fk

RHO_RULES = ("typical", "minimal")
_LEVEL_TOL = 1e-12


def spectral_law(spectrum) -> tuple[np.ndarray, np.ndarray]:
    """(levels, weights): distinct eigenvalues of H (merged within 1e-12 of the spread) and their fractions.

    ``spectrum`` may also be a spectral law given as levels and weights (an object with ``levels`` and
    ``weights`` attributes, e.g. :class:`rmt_qgm.problem.SpectralLaw`), which is returned as it is: the
    asymptotic levels depend on the spectrum only through its law, so sizes whose 2^n eigenvalues would not
    fit in memory still have them."""
    if hasattr(spectrum, "levels") and hasattr(spectrum, "weights"):
        return np.asarray(spectrum.levels, dtype=float), np.asarray(spectrum.weights, dtype=float)
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
# float64: numba kernels (free_kernels); mpmath: term lists over the levels (_ratios, _products, _dot below).

_POLE_STEPS = 1 - np.geomspace(0.5, 1e-13, 400)[1:]            # scan grid next to the pole of R
_FAR_STEPS = -np.geomspace(1e-9, 1e12, 1200)                     # scan grid when R has no pole below 0
_GIBBS_U = np.concatenate([np.geomspace(1e-15, 0.5, 200), 1 - np.geomspace(0.5, 1e-15, 200)[1:]])
_NO_TABLE = np.empty(0)


class WStarScan:
    """The first-zero search of K' below 0 for one shifted law (a = E - f, nu) and gamma, any s.

    K'(w) = P(w) + s - 1/w^2 with P(w) = Int gamma a^2 / (1 - gamma a w)^2 dnu independent of s, so with
    ``table=True`` P is evaluated once on the scan grid and each :meth:`wstar` costs one pass over the grid
    plus a Brent solve: the same bracket and root as scanning K' itself.
    """

    def __init__(self, a: np.ndarray, nu: np.ndarray, gamma: float, table: bool = False):
        self.a = np.ascontiguousarray(a, dtype=float)
        self.nu = np.ascontiguousarray(nu, dtype=float)
        self.gamma = float(gamma)
        self.grid = self._grid()
        self.table = fk.kprime_table(self.grid, self.a, self.nu, self.gamma) if table else _NO_TABLE
        self._buf = np.empty(self.a.size)

    def _grid(self) -> np.ndarray:
        """w from 0- down to the pole of R (geometric, then geometric towards the pole), or far out if none."""
        a, nu, g = self.a, self.nu, self.gamma
        scale = float(np.max(np.abs(a)))
        amin = float(a.min())
        if amin < 0 and nu[np.argmin(a)] > 0:
            wlo = 1.0 / (g * amin)                       # pole of R: K' -> +inf there
            wmin = min(1e-9 / (g * scale), 0.25 * abs(wlo))
            return np.concatenate([-np.geomspace(wmin, 0.5 * abs(wlo), 600), wlo * _POLE_STEPS])
        return _FAR_STEPS / (g * scale)

    def solve(self, s: float) -> tuple[float, tuple[float, float]] | None:
        """(w*, its grid bracket (w_left, w_right)): w* the first zero of K' below 0 in float64 (Brent in the
        bracket), or None if K' < 0 on all of (-inf, 0)."""
        w, i, status = fk.wstar(self.grid, self.table, self.a, self.nu, self.gamma, float(s))
        if status == -1:
            return None
        if status == -2:
            raise ArithmeticError("K' positive next to w = 0: grid too coarse")
        _check_brent(status)
        return float(w), (float(self.grid[i]), float(self.grid[i - 1]))

    def wstar(self, s: float) -> float | None:
        """float64 w* (:meth:`solve`), or None if there is none."""
        r = self.solve(s)
        return None if r is None else r[0]

    def K(self, w: float, s: float) -> float:
        """float64 K(w) = Int a / (1 - gamma a w) dnu + s w + 1/w."""
        return float(fk.kfun(float(w), self.a, self.nu, self.gamma, float(s), self._buf))

    def edge(self, s: float) -> float:
        """float64 left edge K(w*) (0 when K' has no zero below 0)."""
        w = self.wstar(s)
        return 0.0 if w is None else self.K(w, s)


def _check_brent(status: int) -> None:
    if status == fk.BRENT_SIGN:
        raise ValueError("f(a) and f(b) must have different signs")
    if status == fk.BRENT_NAN:
        raise ValueError("function value is NaN; root finder cannot continue")
    if status == fk.BRENT_MAXITER:
        raise RuntimeError("root finder failed to converge after 100 iterations")


def wstar_float(a: np.ndarray, nu: np.ndarray, gamma: float, s: float) -> float | None:
    """float64 w*: the first zero of K' below 0 (:class:`WStarScan`), or None if there is none."""
    return WStarScan(a, nu, gamma).wstar(s)


def left_edge_float(levels, weights, f: float, gamma: float, s: float) -> float:
    """float64 :func:`left_edge` (scans and brackets only; results are refined in mpmath)."""
    return WStarScan(np.asarray(levels, dtype=float) - float(f), weights, gamma).edge(s)


def _bracketed_newton(FdF, lo, hi, x0=None, F=None):
    """Root of F in [lo, hi] (F(lo), F(hi) of opposite signs): Newton steps from x0 (a float64 root, say),
    bisection when a step leaves the bracket, until the step is below 4 ulp at the current mp precision.
    FdF(x) returns (F(x), F'(x)); F(x) alone, if given, serves for the sign at lo."""
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    flo = F(lo) if F is not None else FdF(lo)[0]
    x = (lo + hi) / 2 if x0 is None else mp.mpf(x0)
    eps = mp.eps * 4 * max(abs(lo), abs(hi))     # absolute: the root may sit near 0 (beta at f = mean)
    for _ in range(20 * mp.mp.dps):
        fx, d = FdF(x)
        if fx == 0:
            return x
        if (fx > 0) == (flo > 0):
            lo, flo = x, fx
        else:
            hi = x
        if d != 0 and abs(fx / d) <= eps:
            return x - fx / d
        xn = x - fx / d if d != 0 else (lo + hi) / 2
        if not (min(lo, hi) < xn < max(lo, hi)):
            xn = (lo + hi) / 2
        if abs(hi - lo) <= eps:
            return xn
        x = xn
    raise ArithmeticError("root finder did not converge")


# mpmath sums over the levels: lists of raw mpf values (mpmath.libmp tuples) at the current precision and
# rounding, the same numbers as mpf arithmetic without building an mpf object per operation (these lists
# are what the mp edge costs).

def _ratios(num: list, coef: list, x: tuple) -> list:
    """[num_j / (1 - coef_j x)] (raw values)."""
    prec, rnd = mp.mp.prec, round_nearest
    return [mpf_div(n, mpf_sub(fone, mpf_mul(c, x, prec, rnd), prec, rnd), prec, rnd) for n, c in zip(num, coef)]


def _products(A: list, B: list) -> list:
    """[A_j B_j] (raw values)."""
    prec, rnd = mp.mp.prec, round_nearest
    return [mpf_mul(a, b, prec, rnd) for a, b in zip(A, B)]


def _dot(A: list, B: list) -> mp.mpf:
    """sum_j A_j B_j as mp.fdot computes it: exact products, one rounding."""
    return mp.make_mpf(mpf_sum([mpf_mul(a, b) for a, b in zip(A, B)], mp.mp.prec, round_nearest))


class _MpLaw:
    """Levels, weights, gamma and gamma * weights as exact raw mpf values (float64 inputs), built once for many
    mp evaluations."""

    def __init__(self, levels, weights, gamma):
        self.levels = np.asarray(levels, dtype=float)
        self.weights = np.asarray(weights, dtype=float)
        self.gamma = float(gamma)
        self.g = mp.mpf(gamma)
        self.E = [mp.mpf(x)._mpf_ for x in self.levels]
        self.nu = [mp.mpf(x)._mpf_ for x in self.weights]
        self.gnu = [mpf_mul(self.g._mpf_, n) for n in self.nu]

    def shifted(self, f) -> list:
        """a_j = E_j - f at the current precision (raw values; f an mpf or float)."""
        prec, rnd = mp.mp.prec, round_nearest
        F = mp.mpf(f)._mpf_
        return [mpf_sub(x, F, prec, rnd) for x in self.E]


def _K_mp(w, a, ga, law: _MpLaw, s) -> mp.mpf:
    """K(w) = Int a/(1 - gamma a w) dnu + s w + 1/w (a, ga = [gamma a_j] raw; w, s mpf)."""
    return _dot(law.nu, _ratios(a, ga, w._mpf_)) + s * w + 1 / w


def _kprime_mp(a, ga, law: _MpLaw, s):
    """(K', (K', K'')) as functions of w: with t_j = a_j / (1 - gamma a_j w), K' = Int gamma t^2 dnu + s - 1/w^2
    and K'' = 2 gamma Int gamma t^3 dnu + 2/w^3."""
    def value(w):
        t = _ratios(a, ga, w._mpf_)
        return _dot(law.gnu, _products(t, t)) + s - 1 / w ** 2

    def both(w):
        t = _ratios(a, ga, w._mpf_)
        t2 = _products(t, t)
        return (_dot(law.gnu, t2) + s - 1 / w ** 2, 2 * law.g * _dot(law.gnu, _products(t2, t)) + 2 / w ** 3)
    return value, both


def _shifted_and_scaled(law: _MpLaw, f) -> tuple[list, list]:
    """(a, [gamma a_j]) at the current precision, raw."""
    a = law.shifted(f)
    return a, _products([law.g._mpf_] * len(a), a)


def _left_edge_mp(law: _MpLaw, f, s) -> mp.mpf:
    """:func:`left_edge` for a prepared law."""
    sol = WStarScan(law.levels - float(f), law.weights, law.gamma).solve(float(s))
    if sol is None:
        return mp.mpf(0)
    w0, br = sol
    a, ga = _shifted_and_scaled(law, f)
    sm = mp.mpf(s)
    value, both = _kprime_mp(a, ga, law, sm)
    wstar = _bracketed_newton(both, br[0], br[1], w0, value)
    return _K_mp(wstar, a, ga, law, sm)


def left_edge(levels, weights, f, gamma, s) -> mp.mpf:
    """Left edge L of compound-Poisson(nu shifted by -f; gamma) boxplus semicircle(s), at the current mp precision.

    Formula: L = K(w*), K(w) = Int a/(1 - gamma a w) dnu(a) + s w + 1/w with a = E - f, K'(w*) = 0 (module
    docstring). Returns 0 when K' has no zero below 0 (then s = 0 and B has zero modes: gamma at least the
    weight of the levels above f).
    """
    return _left_edge_mp(_MpLaw(levels, weights, gamma), f, s)


def cauchy_left_of_edge(levels, weights, f, gamma, s, z) -> mp.mpf:
    """Cauchy transform G(z) = Int dmu(x) / (z - x) of the same limiting law at a real z left of its edge.

    G(z) is the root w in (w*, 0) of K(w) = z (K decreases from L to -inf there), so it tests the R-transform
    and the branch that defines the edge; it is what the validation compares with sampled matrices.
    """
    law = _MpLaw(levels, weights, gamma)
    sol = WStarScan(law.levels - float(f), law.weights, law.gamma).solve(float(s))
    if sol is None:
        raise ValueError("no left edge below 0 for these parameters")
    br = sol[1]
    a, ga = _shifted_and_scaled(law, f)
    sm, z = mp.mpf(s), mp.mpf(z)
    value, both = _kprime_mp(a, ga, law, sm)
    wstar = _bracketed_newton(both, br[0], br[1], F=value)
    if z >= _K_mp(wstar, a, ga, law, sm):
        raise ValueError("z must lie left of the edge")
    hi = wstar / 2
    while _K_mp(hi, a, ga, law, sm) > z:
        hi /= 2
    return _bracketed_newton(lambda w: (_K_mp(w, a, ga, law, sm) - z, value(w)), wstar, hi, (wstar + hi) / 2)


# --- rho^2 = |(K - f) x|^2 under each rule -------------------------------------------------------------

def _gibbs_beta_float(c: np.ndarray, nu: np.ndarray) -> tuple[float, float, float]:
    """(beta, bracket_left, bracket_right) of h(beta) = Int c / (1 + beta c) dnu = 0 in float64."""
    b, b0, b1, status = fk.gibbs_beta(np.ascontiguousarray(c, dtype=float), np.ascontiguousarray(nu, dtype=float),
                                      _GIBBS_U)
    if status == -1:
        raise ArithmeticError("h(beta) has no sign change on the scan grid")
    _check_brent(status)
    return float(b), float(b0), float(b1)


def _rho2_typical_mp(law: _MpLaw, f) -> mp.mpf:
    """:func:`rho2_typical` for a prepared law."""
    c = law.shifted(f)
    if mp.make_mpf(c[0]) >= 0 or mp.make_mpf(c[-1]) <= 0:
        return mp.mpf(0)
    if len(c) == 2:
        return -mp.make_mpf(c[0]) * mp.make_mpf(c[1])
    bf, b0, b1 = _gibbs_beta_float(law.levels - float(f), law.weights)

    def h(b):                                   # t_j = c_j / (1 + b c_j)
        return _dot(law.nu, _ratios(c, c, (-b)._mpf_))

    def h_dh(b):                                # (h, h') with h' = -Int t^2 dnu
        t = _ratios(c, c, (-b)._mpf_)
        return _dot(law.nu, t), -_dot(law.nu, _products(t, t))

    b = _bracketed_newton(h_dh, b0, b1, bf, h)
    u = _ratios([fone] * len(c), c, (-b)._mpf_)   # 1 / (1 + b c_j)
    return _dot(law.nu, _products(_products(c, c), u)) / _dot(law.nu, u)


def rho2_typical(levels, weights, f) -> mp.mpf:
    """Haar-typical |(K - f)x|^2 at <x|K|x> = f: Int (E - f)^2 w(E) dnu / Int w(E) dnu, w = 1/(1 + beta (E - f)).

    beta solves h(beta) = Int (E - f) w(E) dnu = 0 in (-1/(E_max - f), 1/(f - E0)) (Gibbs conditioning of a
    uniform point on the sphere; h decreases from +inf to -inf there, so the root is unique). For two
    levels this is (f - E0)(E1 - f) whatever beta.
    """
    return _rho2_typical_mp(_MpLaw(levels, weights, 1.0), f)


def rho2_typical_float(levels, weights, f: float) -> float:
    """float64 :func:`rho2_typical`."""
    lv = np.asarray(levels, dtype=float)
    nu = np.ascontiguousarray(weights, dtype=float)
    c = lv - float(f)
    if c[0] >= 0 or c[-1] <= 0:
        return 0.0
    if c.size == 2:
        return float(-c[0] * c[1])
    b, _, _ = _gibbs_beta_float(c, nu)
    return float(fk.rho2_of_beta(b, c, nu))


def rho2_minimal(levels, f) -> mp.mpf:
    """Smallest |(K - f)x|^2 over states with <x|K|x> = f: (f - E_a)(E_b - f), E_a <= f <= E_b adjacent."""
    lv = np.asarray(levels, dtype=float)
    j = int(np.searchsorted(lv, float(f), side="right"))
    j = min(max(j, 1), lv.size - 1)
    fa, fb = mp.mpf(lv[j - 1]), mp.mpf(lv[j])
    return max(mp.mpf(0), (mp.mpf(f) - fa) * (fb - mp.mpf(f)))


def rho2_minimal_float(levels, f: float) -> float:
    """float64 :func:`rho2_minimal`."""
    lv = np.asarray(levels, dtype=float)
    j = int(np.searchsorted(lv, float(f), side="right"))
    j = min(max(j, 1), lv.size - 1)
    return max(0.0, (float(f) - float(lv[j - 1])) * (float(lv[j]) - float(f)))


def _edge_mp(law: _MpLaw, f, rule: str) -> mp.mpf:
    """:func:`edge_at` for a prepared law."""
    r2 = _rho2_typical_mp(law, f) if rule == "typical" else rho2_minimal(law.levels, f)
    return _left_edge_mp(law, f, law.g * r2)


def edge_at(levels, weights, f, gamma: float, rule: str = "typical") -> mp.mpf:
    """Left edge of the limiting conditional Hessian spectrum M(f) at level f (module docstring), mp precision."""
    check_choice("rule", rule, RHO_RULES)
    return _edge_mp(_MpLaw(levels, weights, gamma), f, rule)


def edge_at_float(levels, weights, f: float, gamma: float, rule: str = "typical") -> float:
    """float64 :func:`edge_at`."""
    r2 = rho2_typical_float(levels, weights, f) if rule == "typical" else rho2_minimal_float(levels, f)
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
    # at small gamma f_e sits within ~2 sqrt(gamma) of E_max, above the uniform scan: continue geometrically
    tail = Emax - width * np.geomspace(1.0 / (2 * n_scan), 1e-14, 4 * n_scan)
    prev = E0
    for fv in np.concatenate([fs, tail]):
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


def _edge_root_float(levels, weights, gamma, rule, bracket) -> tuple[float, float | None]:
    """float64 zero f0 of edge(f) in the bracket (Brent) and the slope of edge(f) there (central difference
    over 1e-6 of the spread; None when that leaves (E0, E_max) or is not a finite nonzero number)."""
    from scipy.optimize import brentq

    def e(f):
        return edge_at_float(levels, weights, f, gamma, rule)

    f0 = brentq(e, bracket[0], bracket[1], xtol=1e-300, rtol=1e-15)
    h = 1e-6 * float(levels[-1] - levels[0])
    if not levels[0] < f0 - h < f0 + h < levels[-1]:
        return f0, None
    slope = (e(f0 + h) - e(f0 - h)) / (2 * h)
    return f0, (slope if np.isfinite(slope) and slope != 0 else None)


def _edge_level_mp(law: _MpLaw, rule: str, f0: float, slope: float | None) -> mp.mpf:
    """Refine the zero of edge(f) at the current mp precision by secant (mp.findroot) from the float64 root f0.

    The second secant point is f0 - edge(f0) / slope (one Newton step with the float64 slope, so the secant
    starts with two close points), or f0 + 1e-9 of the spread without a slope. Edge values are memoised:
    findroot evaluates its first point twice.
    """
    width = float(law.levels[-1] - law.levels[0])
    memo = {}

    def edge(f):
        key = (mp.mp.prec, f)
        if key not in memo:
            memo[key] = _edge_mp(law, f, rule)
        return memo[key]

    x0 = mp.mpf(f0)
    x1 = x0 + 1e-9 * width
    if slope is not None:
        with mp.extraprec(20):                   # findroot works 20 bits above the current precision
            x = x0 - edge(x0) / slope
            if x != x0 and abs(x - x0) < 1e-6 * width:
                x1 = x
    return mp.findroot(edge, (x0, x1), solver="secant", maxsteps=50)


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
    f0, slope = _edge_root_float(levels, weights, g, rule, bracket)
    law = _MpLaw(levels, weights, g)
    with mp.workdps(dps):
        lo = _edge_level_mp(law, rule, f0, slope)
    with mp.workdps(2 * dps):
        hi = _edge_level_mp(law, rule, f0, slope)
    lost = dps - digits_agreeing(lo - levels[0], hi - levels[0], dps)
    return EdgeLevel(rule, float(lo), dps, int(lost), False)
