"""Large-size asymptotics at fixed gamma = p / m (docs/theory.md §5.6–5.7; derivations/step_07, step_08).

The limiting spectral law mu_t of M(t) = W - t I + sqrt(t) Z is the free additive convolution of
Marchenko–Pastur (ratio gamma, mean 1) with a semicircle of variance gamma t, shifted by -t. Its
R-transform (before the shift) is R(z) = 1/(1 - gamma z) + gamma t z; the spectral edges are the values
z(G) = R(G) + 1/G at the real critical points R'(G) = 1/G^2 (the left edge on the branch G < 0 nearest 0).

- ``edge_threshold``: t_e(gamma), the level where the left edge of mu_t touches 0:
  t_e = 16 (1 - gamma)^3 (q - gamma) / [(q + 3 gamma)(q + 4 - gamma)^2],  q = sqrt(gamma (gamma + 8)),
  for 0 < gamma < 1 (t_e -> 1 as gamma -> 0, ~ (4/27)(1 - gamma)^3 as gamma -> 1); 0 for gamma >= 1.
- ``mp_edge``: (1 - sqrt gamma)^2, the Marchenko–Pastur lower edge (the Z term dropped).
- ``transition_gamma``: gamma_c = 1 for the isotropic WHRF: for gamma >= 1 the Wishart part has
  p - m + 1 zero modes on which M(t) has negative eigenvalues for every t > 0 (derivations/step_09).
"""
from __future__ import annotations

import mpmath as mp

from ...checks import check_float
from ...precision import HPResult, with_digits_lost


def edge_threshold(gamma: float, dps: int = 30) -> HPResult:
    """Closed-form t_e(gamma) (module docstring), with digits lost at 2*dps."""
    g = check_float("gamma", gamma, 0.0, open_min=True)

    def f():
        gm = mp.mpf(g)
        if gm >= 1:
            return mp.mpf(0)
        q = mp.sqrt(gm * (gm + 8))
        return 16 * (1 - gm) ** 3 * (q - gm) / ((q + 3 * gm) * (q + 4 - gm) ** 2)

    return with_digits_lost(f, dps)


def mp_edge(gamma: float, dps: int = 30) -> HPResult:
    """Marchenko–Pastur lower edge (1 - sqrt(gamma))^2 (0 for gamma >= 1)."""
    g = check_float("gamma", gamma, 0.0, open_min=True)
    return with_digits_lost(lambda: (1 - mp.sqrt(mp.mpf(g))) ** 2 if g < 1 else mp.mpf(0), dps)


def spectral_edges(gamma: float, t: float, dps: int = 30) -> tuple[mp.mpf, mp.mpf]:
    """(left, right) edges of mu_t, the limiting spectrum of M(t) (shift -t included).

    Solves R'(G) = 1/G^2, i.e. gamma G^2 + gamma t G^2 (1 - gamma G)^2 = (1 - gamma G)^2, a quartic in G;
    the left edge comes from the negative root nearest 0, the right edge from the smallest positive root
    (below the pole 1/gamma)."""
    g = check_float("gamma", gamma, 0.0, open_min=True)
    tt = check_float("t", t, 0.0)
    with mp.workdps(dps):
        g, tt = mp.mpf(g), mp.mpf(tt)
        # gamma t G^2 (1 - gamma G)^2 + gamma G^2 - (1 - gamma G)^2 = 0, expanded in powers of G
        c4 = tt * g ** 3
        c3 = -2 * tt * g ** 2
        c2 = g * tt + g - g ** 2
        c1 = 2 * g
        c0 = -1
        coeffs = [c4, c3, c2, c1, c0] if c4 != 0 else [c2, c1, c0]
        roots = [r.real for r in mp.polyroots(coeffs, maxsteps=200, extraprec=2 * dps)
                 if abs(r.imag) < mp.mpf(10) ** (-dps // 2)]
        neg = [r for r in roots if r < 0]
        pos = [r for r in roots if 0 < r < 1 / g]
        z = lambda G: 1 / (1 - g * G) + g * tt * G + 1 / G  # noqa: E731
        left = z(max(neg)) - tt
        right = z(min(pos)) - tt
        return left, right


def transition_gamma() -> float:
    """gamma_c = 1 for the isotropic WHRF (module docstring)."""
    return 1.0
