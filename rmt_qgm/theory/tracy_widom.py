"""The GOE Tracy–Widom law F_1 (largest eigenvalue of a real symmetric random matrix at a soft edge).

docs/theory.md §19.2. Used by :mod:`.edge_law` for the finite-size fluctuation of the lowest Hessian
eigenvalue at a critical point.

Formulae (published):

- F_1(s) = det(I − K_s) on L²(0, ∞), K_s(x, y) = ½ Ai((x + y)/2 + s) (Sasorov; Ferrari–Spohn; evaluated as in
  Bornemann, Math. Comp. 79 (2010) 871, by Gauss–Legendre quadrature of the Fredholm determinant: Nyström
  matrix I − (w_i w_j)^½ K_s(x_i, x_j) on (0, X], X = 14 + max(0, −s), m = 60 nodes; the error decays
  exponentially in m, measured < 1e-9 in log F_1 against 40-digit mpmath at s = −4..3, tests/test_edge_law.py).
- Left tail (Baik–Buckingham–DiFranco, Comm. Math. Phys. 280 (2008) 463):
  log F_1(s) = log τ_1 − |s|³/24 − |s|^(3/2)/(3√2) − (1/16) log|s| + o(1), s → −∞,
  τ_1 = 2^(−11/48) e^(ζ′(−1)/2). Used below s = −5, where it differs from the determinant by 2.5e-3 in log F_1
  (1e-3 at s = −6 in 40-digit arithmetic); the determinant is used above.

``log_cdf`` is a cubic spline of the determinant on a fixed grid of s in [−5, 8] (261 nodes, built once per
process in float64, about 0.1 s), the tail formula below it and 0 above 8 (1 − F_1(8) < 1e-9).
"""
from __future__ import annotations

from functools import lru_cache

import mpmath as mp
import numpy as np

#: where the left-tail asymptotic takes over from the Fredholm determinant
TAIL_S = -5.0
#: above this, log F_1 = 0 to better than 1e-9
TOP_S = 8.0
_NODES = 60


def log_cdf_det(s: float, nodes: int = _NODES) -> float:
    """log F_1(s) by the Nyström discretisation of det(I − K_s) (module docstring); float64."""
    from scipy.special import airy
    X = 14.0 + max(0.0, -float(s))
    x, w = np.polynomial.legendre.leggauss(nodes)
    x = X * (x + 1) / 2
    w = X * w / 2
    A = airy((x[:, None] + x[None, :]) / 2 + s)[0]
    sign, logdet = np.linalg.slogdet(np.eye(nodes) - np.sqrt(w[:, None] * w[None, :]) * A / 2)
    if sign <= 0:
        raise ArithmeticError(f"Fredholm determinant not positive at s = {s}: too few nodes")
    return float(logdet)


@lru_cache(maxsize=1)
def _log_tau1() -> float:
    with mp.workdps(30):
        return float(-mp.mpf(11) / 48 * mp.log(2) + mp.diff(mp.zeta, -1) / 2)


def log_cdf_tail(s):
    """The left-tail expansion of log F_1 (module docstring), for s < 0."""
    a = -np.asarray(s, dtype=float)
    return _log_tau1() - a ** 3 / 24 - a ** 1.5 / (3 * np.sqrt(2)) - np.log(a) / 16


@lru_cache(maxsize=1)
def _spline():
    from scipy.interpolate import CubicSpline
    grid = np.linspace(TAIL_S, TOP_S, 261)
    return CubicSpline(grid, [log_cdf_det(s) for s in grid])


def log_cdf(s):
    """log F_1(s), vectorised (module docstring)."""
    s = np.asarray(s, dtype=float)
    mid = _spline()(np.clip(s, TAIL_S, TOP_S))
    out = np.where(s < TAIL_S, log_cdf_tail(np.minimum(s, TAIL_S)), mid)
    out = np.where(s > TOP_S, 0.0, out)
    return out if out.ndim else float(out)
