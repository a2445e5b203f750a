"""Where the trainability transition sits for a general spectrum (derivations/step_11; docs/theory.md §9.5).

Claim (derived here; confirmed by circuit simulation, validate check ``transition/spectrum``). At a
critical point with value f of the spherical model (and of circuits, whose second derivatives obey
d_i^2 psi = -psi), the Hessian is

    Hess = (2/r^2) [ C + B ],   C = J^T (A - f) J,   B zero-diagonal (the b.v_ij term),

with A the real 2d x 2d form of H and J the p tangent directions (derivations/step_04). By Sylvester's
law of inertia C has at most n_>(f) = 2 #{E_j > f} positive eigenvalues, so for p > n_>(f) it has at
least p - n_>(f) non-positive ones and Hess can be positive definite only through the zero-diagonal B:
k = p - n_>(f) >= 1 directions must all be lifted by a traceless random term, an event whose probability
falls quickly with k. Hence:

- **ceiling**: a local minimum has F below the ceil(p/2)-th largest eigenvalue of H (else F >= E0 only);
- **transition**: with d0 the ground-state degeneracy, n_>(f) <= 2(d - d0) for every f > E0, so for
  p > p_c = 2(d - d0) a local minimum above E0 needs B to lift at least two directions:
  gamma_c = p_c / 2^(n+1) = 1 - d0 / d. This is a statement about rarity, not a strict bound. Measured on
  randomized circuits (validate check ``transition/spectrum``): at n = 3 and p = p_c + 2, 3 of 72 certified
  minima were not global, all shallow (t <= 1e-3); at p_c + 4, 0 of 144; at n = 4 and p_c + 2 (projector:4,
  projector:8), 0 of 64; at p_c - 2 no minimum was global.

For a non-degenerate ground state gamma_c = 1 - 2^-n (the published gamma = 1 up to one parameter pair);
for H = I - P_D (``projector:D``) gamma_c = 1 - D / 2^n.
"""
from __future__ import annotations

import math

import numpy as np

from ...checks import check_int

DEGENERACY_REL_TOL = 1e-9


def ground_degeneracy(spectrum: np.ndarray, rel_tol: float = DEGENERACY_REL_TOL) -> int:
    """Number of eigenvalues within rel_tol (E_max - E0) of the ground energy E0."""
    s = np.sort(np.asarray(spectrum, dtype=float))
    width = max(s[-1] - s[0], 1e-300)
    return int(np.sum(s - s[0] <= rel_tol * width))


def spectral_transition(spectrum: np.ndarray) -> dict:
    """p_c = 2 (d - d0) and gamma_c = 1 - d0/d (module docstring)."""
    s = np.asarray(spectrum, dtype=float)
    d = s.size
    d0 = ground_degeneracy(s)
    p_c = 2 * (d - d0)
    return {"gamma_c": p_c / (2 * d), "params_c": p_c, "ground_degeneracy": d0,
            "basis": "inertia bound: for p > params_c = 2 (d - d0) local minima above E0 are rare and shallow, "
                     "almost all minima are global (rmt_qgm/theory/laws/transition.py, derivations/step_11)"}


def minima_ceiling(spectrum: np.ndarray, n_params: int) -> float:
    """The ceil(p/2)-th largest eigenvalue: local minima sit below it (module docstring).

    Returns E0 when ceil(p/2) exceeds the number of eigenvalues above E0 (then all minima are global).
    """
    p = check_int("params", n_params, 1)
    s = np.sort(np.asarray(spectrum, dtype=float))[::-1]
    k = math.ceil(p / 2)
    above = s.size - ground_degeneracy(s)
    return float(s[-1] if k > above else s[k - 1])
