"""Total complexity of critical points and their typical index, any spectrum (fixed-law limit, docs/theory.md §19.4).

In the fixed-law limit of docs/theory.md §13 (D = 2^(n+1) -> inf at fixed gamma = p/D and spectral law nu), the
expected number of critical points of every index with value near f behaves as exp{D Sigma_tot(f)}, up to the
same f-independent constants as the minima complexity Sigma_0 of §14:

    Sigma_tot(f) = max over rho^2 of [ -J(f, rho^2) - (gamma/2) log rho^2 + gamma Phi_abs(f, gamma rho^2) ],

the functional of §14 without the edge constraint and with Phi_abs = Int log|x| dmu_f (the Kac–Rice |det| of a
Hessian whose spectrum crosses 0; :func:`~rmt_qgm.theory.models.edge.log_potential_abs`). At the maximiser the critical points
have the typical index fraction

    kappa(f) = mu_f((-inf, 0)) = Int_L^0 |Im G(x + i0)| / pi dx   (0 when the left edge L >= 0),

i.e. about kappa p negative Hessian eigenvalues. Where the optimum has L >= 0, Sigma_tot = Sigma_0 (minima
dominate; below the edge level f_e). Above it kappa > 0: a fixed index k costs exp(-O(D^2)) there, so the
index-k complexity for fixed k is -inf at exponential order above f_e; below f_e it is Sigma_0 minus k times a
one-eigenvalue large-deviation rate, which is not derived here (open, docs/theory.md §19.4).

Two-level spectra: rho^2 = (f - E0)(E1 - f) is fixed by f. Otherwise the maximum over rho^2 is a bounded scalar
search on log rho^2 in its feasible range (the quadrature and root solves are those of §14 and §19.2).
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

from . import minima_complexity as mc
from . import spherical as sa
from ..models.edge import cauchy_on_axis, log_potential_abs

_NODES = 80


def negative_mass(a: np.ndarray, nu: np.ndarray, gamma: float, s: float, nodes: int = _NODES) -> float:
    """mu((-inf, 0)) for the law mu of B + rho Z' (a = levels - f, s = gamma rho^2): Gauss–Legendre in u with
    x = L + u^2 over (L, 0) of the density |Im G(x + i0)|/pi (:func:`~rmt_qgm.theory.models.edge.cauchy_on_axis`)."""
    a = np.asarray(a, dtype=float)
    nu = np.asarray(nu, dtype=float)
    _, L, _ = log_potential_abs(a, nu, gamma, s, nodes=16)
    if L >= 0:
        return 0.0
    t, wt = mc._gauss_legendre(nodes)
    U = np.sqrt(-L)
    u = U * t
    G = cauchy_on_axis(a, nu, gamma, s, L + u ** 2, scale=max(abs(L), float(np.max(np.abs(a)))))
    return float(np.sum(U * wt * 2 * u * np.abs(G.imag)) / np.pi)


def _objective(E, nu, f, gamma, r2):
    J, _ = mc.profile_rate(E, nu, f, r2)
    if not np.isfinite(J):
        return -np.inf
    phi, _, _ = log_potential_abs(E - f, nu, gamma, gamma * r2)
    return -J - 0.5 * gamma * np.log(r2) + gamma * phi


def total_complexity(levels, weights, f: float, gamma: float) -> tuple[float, float, float]:
    """(Sigma_tot(f), rho^2 at the optimum, kappa(f)) per unit D (module docstring); (-inf, nan, nan) outside
    (E0, Emax)."""
    E = np.asarray(levels, dtype=float)
    nu = np.ascontiguousarray(weights, dtype=float)
    c = E - f
    if c[0] >= 0 or c[-1] <= 0:
        return -np.inf, np.nan, np.nan
    if E.size == 2:
        r2 = float(-c[0] * c[1])
    else:
        lo, hi = sa.rho2_minimal_float(E, f), float(-c[0] * c[-1])
        lo, hi = lo + 1e-9 * (hi - lo), hi - 1e-9 * (hi - lo)
        res = minimize_scalar(lambda v: -_objective(E, nu, f, gamma, np.exp(v)), bounds=(np.log(lo), np.log(hi)),
                              method="bounded", options={"xatol": 1e-8})
        r2 = float(np.exp(res.x))
    val = _objective(E, nu, f, gamma, r2)
    return float(val), r2, negative_mass(c, nu, gamma, gamma * r2)


def complexity_curve(spectrum, gamma: float, points: int) -> list[dict]:
    """Sigma_tot, Sigma_0 and kappa on ``points`` levels F evenly inside (E0, Emax) (raw units; module docstring).
    Sigma_0 is -inf where the Hessian's edge is below 0 (no minima at exponential order)."""
    levels, weights = sa.spectral_law(spectrum)
    E0, E1 = float(levels[0]), float(levels[-1])
    out = []
    for F in E0 + (E1 - E0) * (np.arange(1, points + 1) / (points + 1)):
        tot, r2, kappa = total_complexity(levels, weights, float(F), gamma)
        s0, _ = mc.minima_complexity(levels, weights, float(F), gamma)
        out.append({"F": float(F), "total": tot, "minima": float(s0), "index_fraction": kappa, "rho2": r2})
    return out
