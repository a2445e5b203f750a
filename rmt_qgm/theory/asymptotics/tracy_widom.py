"""The GOE Tracy–Widom law F_1 (largest eigenvalue of a real symmetric random matrix at a soft edge).

docs/theory.md §19.2. Used by :mod:`~rmt_qgm.theory.models.edge` for the finite-size fluctuation of the lowest Hessian
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

``log_cdf`` is a cubic spline of the determinant on a fixed grid of s in [−5, 16] (step 0.05, stored in
``rmt_qgm/data/tracy_widom_goe.json``, rebuilt by ``python -m rmt_qgm.theory.asymptotics.tracy_widom``; a spline error below
1e-7), the tail formula below it and 0 above 8 (1 − F_1(8) < 1e-9).

The density F_1′ (docs/theory.md §19.2), for the edge law's pinned-eigenvalue factor:

- d log F_1/ds = −tr[(I − K_s)^(−1) ∂_s K_s], ∂_s K_s(x, y) = ½ Ai′((x + y)/2 + s), in the same Nyström
  discretisation (no differencing: accurate in relative terms where F_1′ is tiny, s up to 16);
- left tail: d log F_1/ds = s²/8 + |s|^(1/2)/(2√2) + 1/(16|s|) (the derivative of the expansion above);
- right tail: F_1′(s) = e^(−(2/3)s^(3/2)) s^(−1/4)/(4√π) (1 + O(s^(−3/2))) (from 1 − F_1 ≈ e^(−(2/3)s^(3/2))/(4√π s^(3/4))),
  joined at s = 16 with its O(s^(−3/2)) term matched to the determinant.

``log_edge_weight(s)`` = log F_1′(s) + (2/3) max(s, 0)^(3/2): the factor that multiplies e^(pΦ) in
E[|det M| 1{M > 0}] (docs/theory.md §19.1); it tends to −(1/4) log s − log(4√π) as s → ∞.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache

import mpmath as mp
import numpy as np

#: mean and standard deviation of F_1 (published values; tests/test_circuit_edge.py checks them against the
#: density of this module); the edge laws read a sampled smallest eigenvalue as a TW_1 variable by them
TW_MEAN = -1.2065335745820
TW_SD = 1.6077810345810 ** 0.5

#: where the left-tail asymptotic takes over from the Fredholm determinant
TAIL_S = -5.0
#: above this, log F_1 = 0 to better than 1e-9
TOP_S = 8.0
_NODES = 60


@lru_cache(maxsize=4)
def _legendre(nodes: int):
    return np.polynomial.legendre.leggauss(nodes)


def _nystrom(s: float, nodes: int = _NODES) -> tuple[float, float]:
    """(log F_1(s), d log F_1/ds) by the Nyström discretisation of det(I − K_s) and the trace formula
    (module docstring); float64."""
    from scipy.linalg import lu_factor, lu_solve
    from scipy.special import airy
    X = 14.0 + max(0.0, -float(s))
    x, w = _legendre(nodes)
    x = X * (x + 1) / 2
    w = X * w / 2
    Ai, Aip, _, _ = airy((x[:, None] + x[None, :]) / 2 + s)
    sw = np.sqrt(w[:, None] * w[None, :])
    lu, piv = lu_factor(np.eye(nodes) - sw * Ai / 2)
    diag = np.diag(lu)
    if np.any(diag <= 0) and np.prod(np.sign(diag)) * (-1) ** np.sum(piv != np.arange(nodes)) <= 0:
        raise ArithmeticError(f"Fredholm determinant not positive at s = {s}: too few nodes")
    logdet = float(np.sum(np.log(np.abs(diag))))
    return logdet, float(-np.trace(lu_solve((lu, piv), sw * Aip / 2)))


def log_cdf_det(s: float, nodes: int = _NODES) -> float:
    """log F_1(s) by the Nyström discretisation of det(I − K_s) (module docstring); float64."""
    return _nystrom(s, nodes)[0]


@lru_cache(maxsize=1)
def _log_tau1() -> float:
    with mp.workdps(30):
        return float(-mp.mpf(11) / 48 * mp.log(2) + mp.diff(mp.zeta, -1) / 2)


def log_cdf_tail(s):
    """The left-tail expansion of log F_1 (module docstring), for s < 0."""
    a = -np.asarray(s, dtype=float)
    return _log_tau1() - a ** 3 / 24 - a ** 1.5 / (3 * np.sqrt(2)) - np.log(a) / 16


def dlog_cdf_det(s: float, nodes: int = _NODES) -> float:
    """d log F_1/ds by the trace formula in the Nyström discretisation (module docstring); float64."""
    return _nystrom(s, nodes)[1]


def dlog_cdf_tail(s):
    """The derivative of the left-tail expansion of log F_1 (module docstring), for s < 0."""
    a = -np.asarray(s, dtype=float)
    return a ** 2 / 8 + np.sqrt(a) / (2 * np.sqrt(2)) + 1 / (16 * a)


#: above this, the right-tail form of F_1′ (matched here) replaces the determinant
RIGHT_S = 16.0


def _right_tail_weight(s):
    """−(1/4) log s − log(4√π): the s → ∞ limit of log F_1′(s) + (2/3)s^(3/2)."""
    return -0.25 * np.log(s) - np.log(4 * np.sqrt(np.pi))


#: the stored table (docs/theory.md §19.2): log F_1 and the edge weight on s = TAIL_S … RIGHT_S, step TABLE_STEP,
#: written by :func:`write_table` from the determinant (tests/test_edge_law.py recomputes points of it)
TABLE_FILE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "data",
                                           "tracy_widom_goe.json"))
TABLE_STEP = 0.05


def table_grid() -> np.ndarray:
    return np.round(np.arange(TAIL_S, RIGHT_S + TABLE_STEP / 2, TABLE_STEP), 10)


def build_table() -> dict:
    """log F_1(s) and log F_1(s) + log(d log F_1/ds) + (2/3) max(s, 0)^(3/2) on :func:`table_grid` from the
    Nyström determinant (about 420 evaluations, seconds)."""
    lf, lw = [], []
    for x in table_grid():
        a, d = _nystrom(float(x))
        lf.append(a)
        lw.append(a + float(np.log(d)) + (2.0 / 3.0) * max(float(x), 0.0) ** 1.5)
    return {"what": "GOE Tracy-Widom: log F_1(s) and log F_1'(s) + (2/3) max(s,0)^(3/2) (docs/theory.md §19.2)",
            "nodes": _NODES, "s_min": TAIL_S, "s_max": RIGHT_S, "step": TABLE_STEP,
            "log_cdf": lf, "log_edge_weight": lw}


def write_table(path: str | None = None) -> None:
    """Rebuild the stored table (``python -m rmt_qgm.theory.asymptotics.tracy_widom``)."""
    from ...store import atomic_write_json
    atomic_write_json(path or TABLE_FILE, build_table())


@lru_cache(maxsize=1)
def _tables():
    from scipy.interpolate import CubicSpline
    with open(TABLE_FILE) as fh:
        t = json.load(fh)
    grid = table_grid()
    if len(t["log_cdf"]) != grid.size or t["step"] != TABLE_STEP:
        raise RuntimeError(f"{TABLE_FILE} does not match the grid; rebuild it with write_table()")
    match = (t["log_edge_weight"][-1] - _right_tail_weight(RIGHT_S)) * RIGHT_S ** 1.5
    return CubicSpline(grid, t["log_cdf"]), CubicSpline(grid, t["log_edge_weight"]), float(match)


def log_edge_weight(s):
    """log F_1′(s) + (2/3) max(s, 0)^(3/2), vectorised (module docstring; docs/theory.md §19.1)."""
    s = np.asarray(s, dtype=float)
    _, spl, match = _tables()
    mid = spl(np.clip(s, TAIL_S, RIGHT_S))
    lo = np.minimum(s, TAIL_S)
    left = log_cdf_tail(lo) + np.log(dlog_cdf_tail(lo))
    hi = np.maximum(s, RIGHT_S)
    right = _right_tail_weight(hi) + match * hi ** -1.5
    out = np.where(s < TAIL_S, left, np.where(s > RIGHT_S, right, mid))
    return out if out.ndim else float(out)


def log_pdf(s):
    """log F_1′(s), vectorised (module docstring)."""
    s = np.asarray(s, dtype=float)
    out = log_edge_weight(s) - (2.0 / 3.0) * np.maximum(s, 0.0) ** 1.5
    return out if out.ndim else float(out)


def log_cdf(s):
    """log F_1(s), vectorised (module docstring)."""
    s = np.asarray(s, dtype=float)
    mid = _tables()[0](np.clip(s, TAIL_S, TOP_S))
    out = np.where(s < TAIL_S, log_cdf_tail(np.minimum(s, TAIL_S)), mid)
    out = np.where(s > TOP_S, 0.0, out)
    return out if out.ndim else float(out)


if __name__ == "__main__":
    write_table()
    print("wrote", TABLE_FILE)
