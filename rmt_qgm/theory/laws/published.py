"""Published formulas, available as named comparison curves (docs/theory.md §5.6, §7.2).

- ``natcomm_crt0``: the local-minima density plotted by Anschuetz & Kiani (Nat. Commun. 13, 7760 (2022),
  authors' plotting code): Crt_0(x) proportional to e^(-m x) x^(m - p/2) (1 - 2x)^p on x in [0, 1/2],
  m complex degrees of freedom. Its mode solves 2x^2 - (3 + 2g) x + (1 - g) = 0, g = p/(2m)
  (docs/theory.md §7.2); it reaches 0 at g = 1.
- ``mp_edge_interval``: the Marchenko–Pastur edges (1 -+ sqrt(gamma))^2 (docs/theory.md §5.6).

:func:`compare_published` puts them beside the engine's finite-size prediction (median and mode of the
local-minimum law (*) of docs/theory.md §5.5) and its asymptotic threshold t_e(gamma). The Nat. Commun. x axis is
read two ways, x and 2x, because of the unresolved factor-2 question (docs/theory.md §9.3); both are reported.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import integrate

from ...checks import check_float, check_int


def natcomm_crt0(x, m_complex: int, p: int) -> np.ndarray:
    """Normalised Crt_0(x) on [0, 1/2] (module docstring); 0 outside."""
    m = check_int("m_complex", m_complex, 1)
    p = check_int("params", p, 1)
    x = np.asarray(x, dtype=float)

    def logf(y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return -m * y + (m - p / 2) * np.log(y) + p * np.log1p(-2 * y)

    grid = np.linspace(1e-9, 0.5 - 1e-9, 4001)
    lg = logf(grid)
    shift = np.max(lg[np.isfinite(lg)])
    norm = integrate.trapezoid(np.exp(lg - shift), grid)
    inside = (x > 0) & (x < 0.5)
    out = np.zeros_like(x)
    out[inside] = np.exp(logf(x[inside]) - shift) / norm
    return out


def natcomm_mode(m_complex: int, p: int) -> float:
    """Mode of Crt_0: root in [0, 1/2] of 2x^2 - (3 + 2g)x + (1 - g) = 0, g = p / (2m), in the
    large-m reading of docs/theory.md §7.2 (x* = [3 + 2g - sqrt(4g^2 + 20g + 1)]/4, 0 for g >= 1)."""
    g = p / (2.0 * check_int("m_complex", m_complex, 1))
    if g >= 1:
        return 0.0
    return (3 + 2 * g - math.sqrt(4 * g * g + 20 * g + 1)) / 4


def mp_edge_interval(gamma: float) -> tuple[float, float]:
    """((1 - sqrt gamma)^2, (1 + sqrt gamma)^2)."""
    g = check_float("gamma", gamma, 0.0)
    return (max(0.0, 1 - math.sqrt(g)) ** 2 if g < 1 else 0.0, (1 + math.sqrt(g)) ** 2)


def compare_published(m_real: int, p: int, *, seed: int = 0, n_mc: int = 2000) -> dict:
    """Engine (finite-size (*), asymptotic t_e) beside the published curves, in t = F / E[F]."""
    from ..asymptotics.whrf import edge_threshold
    from ..distributions import LocalMinimaDistribution
    from ..models.whrf import expected_counts
    m_real = check_int("dof", m_real, 2)
    gamma = p / m_real
    dist = LocalMinimaDistribution.from_kacrice(expected_counts(m_real, p, seed=seed, n_mc=n_mc))
    xs = natcomm_mode(m_real // 2, p)
    return {"m_real": m_real, "p": p, "gamma": gamma,
            "engine_median_t": dist.median(), "engine_mode_t": dist.mode(),
            "engine_asymptotic_t_e": float(edge_threshold(gamma).value) if gamma < 1 else 0.0,
            "mp_lower_edge_t": mp_edge_interval(gamma)[0],
            "natcomm_mode_x": xs, "natcomm_mode_2x": 2 * xs,
            "natcomm_minus_engine_mode_x": xs - dist.mode(),
            "natcomm_minus_engine_mode_2x": 2 * xs - dist.mode()}
