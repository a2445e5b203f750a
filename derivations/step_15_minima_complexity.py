"""Step 15: the minima complexity of circuits for any spectrum, and where minima concentrate (docs/theory.md §9.4–9.5).

Claims (rmt_qgm/theory/asymptotics/minima_complexity.py), fixed-law limit D = 2^(n+1) -> inf at fixed gamma.
1. Haar measure of a spread w over the levels: the mass fraction on a level of weight nu_0 is
   Beta(D nu_0/2, D (1 - nu_0)/2), whose log-density per D tends to -(1/2) sum nu log(nu/w) (sympy, Stirling);
   the constrained minimum is the Cramér form J = sup_{a,b} (1/2) Int log(1 + a c + b (c^2 - rho^2)) dnu
   with optimal spread w = nu / q, which meets the constraints and gives J = (1/2) sum nu log(nu/w).
2. Envelope: dJ/d rho^2 = -b/2, and b = 0 at the Haar-typical rho^2 (J = 0 unconstrained in rho^2 ...
   only the level constraint costs).
3. Free Burgers: dPhi/ds = -G(0)^2 / 2 for Phi(s) = Int log x d(mu boxplus semicircle_s)(x) (finite
   differences of the quadrature).
4. Two-level spectra: Sigma_0 increases up to the edge level, so f* = f_e (fidelity and projector loss,
   n = 4 and 6, gamma = 0.125 ... 0.75).
5. General spectra: f* lies in [f_typ, f_upper], and at f* the optimal rho^2 is a zero of
   dPsi/d rho^2 = b/2 - gamma/(2 rho^2) - (gamma^2/2) G(0)^2 or sits on the edge constraint.
"""
import numpy as np
import sympy as sp

from rmt_qgm.theory.asymptotics import minima_complexity as mc
from rmt_qgm.theory.asymptotics import spherical as sa


def test_beta_log_density_per_dimension():
    D, nu0, w = sp.symbols("D nu_0 w", positive=True)
    a, b = D * nu0 / 2, D * (1 - nu0) / 2
    # log Beta density at w, with log B(a, b) by Stirling (the O(log D) terms vanish per D)
    stirling = lambda x: x * sp.log(x) - x  # noqa: E731
    logB = stirling(a) + stirling(b) - stirling(a + b)
    logpdf = (a - 1) * sp.log(w) + (b - 1) * sp.log(1 - w) - logB
    per_D = sp.limit(sp.expand(logpdf / D), D, sp.oo)
    rate = -(nu0 * sp.log(nu0 / w) + (1 - nu0) * sp.log((1 - nu0) / (1 - w))) / 2
    assert sp.simplify(sp.expand_log(per_D - rate, force=True)) == 0


def test_cramer_spread_meets_constraints_and_envelope():
    lv, nu = sa.spectral_law(np.random.default_rng(1).standard_normal(64))
    f = -0.9
    c = lv - f
    for r2 in (0.8, 1.4, 2.5):
        J, a, b = mc.profile_optimum(lv, nu, f, r2)
        q = 1 + a * c + b * (c ** 2 - r2)
        w = nu / q
        assert abs(w.sum() - 1) < 1e-9 and abs((w * c).sum()) < 1e-9 and abs((w * c ** 2).sum() - r2) < 1e-8
        assert abs(J - 0.5 * np.sum(nu * np.log(nu / w))) < 1e-9
        h = 1e-5
        dJ = (mc.profile_rate(lv, nu, f, r2 + h)[0] - mc.profile_rate(lv, nu, f, r2 - h)[0]) / (2 * h)
        assert abs(dJ + b / 2) < 1e-6 * max(1, abs(b))
    # at the Haar-typical rho^2 the rho^2 constraint is free: b = 0
    import mpmath as mp
    with mp.workdps(20):
        r2t = float(sa.rho2_typical(lv, nu, f))
    assert abs(mc.profile_rate(lv, nu, f, r2t)[1]) < 1e-7


def test_free_burgers_identity():
    for lv, nu, f, g, r2 in [(np.array([0.0, 1.0]), np.array([1 / 16, 15 / 16]), 0.15, 0.25, 0.15 * 0.85),
                             (*sa.spectral_law(np.random.default_rng(1).standard_normal(64)), -1.3, 0.125, 1.2)]:
        for s in (0.5 * g * r2, g * r2):            # left edge >= 0 at both (checked by log_potential)
            h = 1e-5
            d = (mc.log_potential(lv, nu, f, g, s + h) - mc.log_potential(lv, nu, f, g, s - h)) / (2 * h)
            G0 = mc.cauchy_left(lv - f, nu, g, s, 0.0)[0]
            assert abs(d + G0 ** 2 / 2) < 1e-6 * max(1.0, G0 ** 2)


def test_two_level_minima_concentrate_at_the_edge():
    for n, d0 in [(4, 1), (6, 1), (6, 16)]:
        spec = np.r_[np.zeros(d0), np.ones(2 ** n - d0)]
        for g in (0.125, 0.25, 0.5, 0.75):
            r = mc.concentration_level(spec, g)
            if r["at_ground"]:                              # gamma >= gamma_c = 1 - d0/2^n
                assert g >= 1 - d0 / 2 ** n
                continue
            sig = np.array(r["curve"])[:, 1]
            assert np.all(np.diff(sig) > 0)                 # increasing all the way to the edge
            assert r["F"] == r["edge_upper"] == r["edge_typical"]


def test_general_spectrum_optimum_is_stationary_or_edge_constrained():
    spec = np.random.default_rng(1).standard_normal(64)
    lv, nu = sa.spectral_law(spec)
    for g in (0.125, 0.25):
        r = mc.concentration_level(spec, g)
        assert r["edge_typical"] <= r["F"] <= r["edge_upper"]
        assert r["digits"] >= 6
        _, r2 = mc.minima_complexity(lv, nu, r["F"], g)
        _, b = mc.profile_rate(lv, nu, r["F"], r2)
        G0 = mc.cauchy_left(lv - r["F"], nu, g, g * r2, 0.0)[0]
        dpsi = b / 2 - g / (2 * r2) - g ** 2 * G0 ** 2 / 2
        edge = sa.left_edge_float(lv, nu, r["F"], g, g * r2)
        assert abs(dpsi) < 1e-5 * max(1, abs(b)) or abs(edge) < 1e-9


if __name__ == "__main__":
    from _run import run_module
    run_module(__name__)
