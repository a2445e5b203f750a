"""Asymptotic complexity of local minima of the isotropic WHRF (docs/theory.md §5.6; derivations/step_10).

For m -> infinity at fixed gamma = p / m the density of local minima at level t behaves as
rho_0(t) ~ exp{m S(t)} with

    S(t) = ((1 - gamma)/2) log t - t/2 + gamma Phi(t),
    Phi(t) = int log(lambda) dmu_t(lambda)  if supp mu_t is in (0, inf), else -inf,

mu_t = law of M(t) = W + sqrt(t) Z - t I in the limit: the free additive convolution of Marchenko–Pastur
(ratio gamma, mean 1) with a semicircle of variance gamma t, shifted by -t. Its Stieltjes transform
G(z) = int dnu(x)/(z - x) of nu = law of W + sqrt(t) Z solves z = R(G) + 1/G with
R(G) = 1/(1 - gamma G) + gamma t G, i.e. the cubic

    gamma^2 t G^3 - gamma (z + t) G^2 + (z - 1 + gamma) G - 1 = 0,

and the density is -Im G(x + i0) / pi (the root with Im G < 0). Phi is integrated with tanh-sinh
quadrature between the spectral edges (:func:`rmt_qgm.theory.asymptotics.whrf.spectral_edges`), where the
density vanishes like a square root. S = -inf exactly when the left edge of mu_t is <= 0, i.e. for
t >= t_e(gamma): local minima concentrate at t_e, where S is largest (docs/theory.md §5.6).

Everything runs under ``mp.workdps(dps)``; results carry the digits lost at 2 dps.
"""
from __future__ import annotations

import mpmath as mp
import numpy as np

from ...checks import check_float, check_int
from ...precision import HPResult, with_digits_lost
from .whrf import edge_threshold, spectral_edges


def stieltjes(z, gamma, t):
    """G(z) of nu = law of W + sqrt(t) Z (module docstring), the root with Im G < 0 (Im z >= 0)."""
    g, t = mp.mpf(gamma), mp.mpf(t)
    if t == 0:
        coeffs = [-g * z, z - 1 + g, -1]                 # Marchenko–Pastur: quadratic
    else:
        coeffs = [g * g * t, -g * (z + t), z - 1 + g, -1]
    # float roots, then Newton on the cubic at working precision; polyroots if Newton stalls
    # (near an edge two roots merge and Newton slows down)
    start = min(np.roots([complex(c) for c in coeffs]), key=lambda r: r.imag)
    G = mp.mpc(start.real, start.imag)
    tol = mp.mpf(10) ** (-mp.mp.dps + 3)
    for _ in range(40):
        P = mp.polyval(coeffs, G)
        dP = mp.polyval([c * (len(coeffs) - 1 - k) for k, c in enumerate(coeffs[:-1])], G)
        step = P / dP
        G -= step
        if abs(step) <= tol * max(1, abs(G)):
            return G
    roots = mp.polyroots(coeffs, maxsteps=200, extraprec=2 * mp.mp.dps)
    return min(roots, key=lambda r: mp.im(r))


def density(x, gamma: float, t: float):
    """Density of mu_t (shift -t included) at x: -Im G(x + t + i0) / pi."""
    return max(mp.mpf(0), -mp.im(stieltjes(mp.mpf(x) + t, gamma, t)) / mp.pi)


def _edges(gamma, t, dps):
    left, right = spectral_edges(gamma, t, dps=dps)
    return mp.mpf(left), mp.mpf(right)


def _moment_integral(fn, gamma: float, t: float, dps: int):
    a, b = _edges(gamma, t, dps)
    mid = (a + b) / 2
    return mp.quad(lambda x: fn(x) * density(x, gamma, t), [a, mid, b])


def spectral_moment(k: int, gamma: float, t: float, dps: int = 30) -> HPResult:
    """int lambda^k dmu_t(lambda) by quadrature of the density (a check of the density)."""
    k = check_int("k", k, 0)
    g = check_float("gamma", gamma, 0.0, open_min=True)
    tt = check_float("t", t, 0.0, open_min=True)
    return with_digits_lost(lambda: _moment_integral(lambda x: x ** k, g, tt, mp.mp.dps), dps)


def log_potential(gamma: float, t: float, dps: int = 30) -> HPResult:
    """Phi(t) = int log(lambda) dmu_t(lambda), or -inf when the left edge of mu_t is <= 0."""
    g = check_float("gamma", gamma, 0.0, open_min=True)
    tt = check_float("t", t, 0.0, open_min=True)

    def f():
        a, b = _edges(g, tt, mp.mp.dps)
        if a <= 0:
            return mp.ninf
        return _moment_integral(mp.log, g, tt, mp.mp.dps)

    with mp.workdps(dps):
        if _edges(g, tt, dps)[0] <= 0:
            return HPResult(mp.ninf, dps, 0)
    return with_digits_lost(f, dps)


def complexity(gamma: float, t: float, dps: int = 30) -> HPResult:
    """S(t) = ((1 - gamma)/2) log t - t/2 + gamma Phi(t) (module docstring); -inf for t >= t_e."""
    g = check_float("gamma", gamma, 0.0, 1.0, open_min=True, open_max=True)
    tt = check_float("t", t, 0.0, open_min=True)
    # the -inf test of log_potential, without its two quadratures (f below computes Phi itself)
    with mp.workdps(dps):
        if _edges(g, tt, dps)[0] <= 0:
            return HPResult(mp.ninf, dps, 0)

    def f():
        gm, x = mp.mpf(g), mp.mpf(tt)
        if _edges(g, tt, mp.mp.dps)[0] <= 0:
            return mp.ninf
        return (1 - gm) / 2 * mp.log(x) - x / 2 + gm * _moment_integral(mp.log, g, tt, mp.mp.dps)

    return with_digits_lost(f, dps)


def complexity_curve(gamma: float, points: int = 24, dps: int = 20) -> list[tuple[float, float]]:
    """[(t, S(t))] on (0, t_e(gamma)] (geometric grid towards t_e), for plotting and reports."""
    g = check_float("gamma", gamma, 0.0, 1.0, open_min=True, open_max=True)
    points = check_int("points", points, 2, 1000)
    te = float(edge_threshold(g, dps).value)
    ts = [te * (1 - 0.999 * (1 - k / (points - 1)) ** 2) for k in range(points)]
    ts[-1] = te * (1 - 1e-6)
    return [(t, float(complexity(g, t, dps).value)) for t in ts]
