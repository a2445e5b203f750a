"""Step 17: the pieces of the finite-size edge law and of the total complexity (docs/theory.md §19).

Claims.
(1) Soft-edge scale. If K(w) = R(w) + 1/w has K'(w*) = 0 at the left edge L = K(w*), the density of mu near L is
    (1/pi) sqrt(2 (x - L)/|K''(w*)|), i.e. mu(x) ≈ (C/pi) sqrt(x - L) with C = (2/|K''(w*)|)^(1/2). Checked
    symbolically for the semicircle of variance s (K = s w + 1/w): C = s^(-3/4), the coefficient of its exact
    density (1/(2 pi s)) sqrt(4 s - x^2) at x = -2 sqrt(s).
(2) Phi beyond the edge. Phi(z) = Int log|x - z| dmu(x) has dPhi/dz = Re G(z + i0) on the whole real line
    (left of the support Phi is analytic with derivative G; inside, Re G is the principal value). Checked
    symbolically for the semicircle (Re G(t) = t/(2 s) inside), and the closed form
    Int log|x| dmu = log sqrt(s) - 1/2 for the centred semicircle against the engine's log_potential_abs
    (which uses the continuation of §19.2) to 1e-9.
(3) The index fraction mu((-inf, 0)) of the centred semicircle is 1/2 (engine: negative_mass), and of a
    two-level law against sampled matrices in tests/test_critical_complexity.py.
"""
import numpy as np
import sympy as sp

from rmt_qgm.theory.asymptotics.critical_complexity import negative_mass
from rmt_qgm.theory.models.edge import log_potential_abs

# a law with all weight at a = 0 (B = 0): M = rho Z' is a semicircle of variance s (a second level of weight
# 1e-12 keeps the edge scan's scale defined)
_A0 = np.array([0.0, 1.0])
_NU0 = np.array([1 - 1e-12, 1e-12])


def test_soft_edge_scale_of_the_semicircle():
    s, w, x = sp.symbols("s w x", positive=True)
    K = s * w + 1 / w
    wstar = -1 / sp.sqrt(s)
    assert sp.simplify(sp.diff(K, w).subs(w, wstar)) == 0
    L = sp.simplify(K.subs(w, wstar))
    assert sp.simplify(L + 2 * sp.sqrt(s)) == 0
    C = sp.sqrt(2 / sp.Abs(sp.diff(K, w, 2).subs(w, wstar)))
    # exact density (1/(2 pi s)) sqrt(4 s - x^2); near x = L: (1/(2 pi s)) sqrt(4 sqrt(s)) sqrt(x - L)
    coeff = sp.sqrt(4 * sp.sqrt(s)) / (2 * s)
    assert sp.simplify(C - coeff) == 0
    assert sp.simplify(C - s ** sp.Rational(-3, 4)) == 0


def test_log_potential_derivative_is_re_G_inside_the_semicircle():
    s, t = sp.symbols("s t", positive=True)
    R = 2 * sp.sqrt(s)
    Phi = sp.log(R / 2) + t ** 2 / R ** 2 - sp.Rational(1, 2)        # Int log|x - t| dsigma_R, |t| <= R
    ReG = t / (2 * s)                                                # Re of (z - sqrt(z^2 - 4 s)) / (2 s) at z = t
    assert sp.simplify(sp.diff(Phi, t) - ReG) == 0


def test_log_potential_abs_reproduces_the_semicircle_closed_form():
    for s in (0.05, 0.3, 1.7):
        phi, L, _ = log_potential_abs(_A0, _NU0, 0.25, s)
        assert L < 0
        assert abs(phi - (np.log(np.sqrt(s)) - 0.5)) < 1e-9
        assert abs(negative_mass(_A0, _NU0, 0.25, s) - 0.5) < 1e-9
