"""Step 14: asymptotic Hessian spectrum and edge level of the spherical model for any spectrum (docs/theory.md §6.2, §9.4–9.5).

Claims (rmt_qgm/theory/asymptotics/spherical.py).
1. B = X^T A X / D (X a D x p standard Gaussian, A = diag(a), p/D = gamma) has, as D -> inf with the law nu
   of a fixed, free cumulants kappa_k = gamma^(k-1) Int a^k dnu, i.e. R_B(w) = Int a / (1 - gamma a w) dnu.
   Checked exactly for k = 1, 2 by Wick's theorem at finite D (sympy), and for k <= 4 by expanding the
   R-transform series against the cumulants.
2. Adding rho Z' (semicircle of variance s = gamma rho^2) adds s w to R. With nu = delta_1, s = gamma t and
   a shift -t, the left edge K(w*) is the isotropic WHRF edge of step 8 (closed form t_e(gamma) where it
   reaches 0), to 25 digits.
3. Two-level spectra: |(K - f)x|^2 = (f - E_a)(E_b - f) for every state of value f (sympy).
4. Fixed-law transition: just above E0, B has zero modes iff gamma >= 1 - q0 (q0 the ground weight), so
   the edge level leaves E0 exactly at gamma_c = 1 - d0/2^n, the inertia bound of step 11.
5. Tilting a Gaussian by exp(-beta/2 sum_j c_j g_j^2) leaves the law of x = g/|g| given sum_j c_j x_j^2 = 0
   unchanged (the tilt is 1 on that set), which makes rho2_typical the Haar-conditional |(K - f)x|^2 (sympy
   identity), and a sampled check of it at D = 4096 with conditioning on f.
"""
import mpmath as mp
import numpy as np
import sympy as sp

from rmt_qgm.theory.asymptotics import spherical as sa
from rmt_qgm.theory.asymptotics.whrf import edge_threshold, spectral_edges


def test_compound_wishart_first_two_cumulants_by_wick():
    # E (1/p) tr B = (1/D) sum a_j = m1;  E (1/p) tr B^2 = gamma m2 + m1^2 + m2 / D  (exact, Wick):
    # tr B^2 = D^-2 sum_{jk} a_j a_k (x_j . x_k)^2,  E (x_j.x_j)^2 = p^2 + 2p,  E (x_j.x_k)^2 = p  (j != k)
    D, p = sp.symbols("D p", positive=True)
    S1, S2 = sp.symbols("S1 S2")           # sum a_j, sum a_j^2
    m1, m2 = S1 / D, S2 / D
    tr2 = (S2 * (p ** 2 + 2 * p) + (S1 ** 2 - S2) * p) / D ** 2 / p
    g = p / D
    finite = sp.simplify(tr2 - (g * m2 + m1 ** 2 + m2 / D))
    assert finite == 0
    # free cumulants: kappa_1 = m1, kappa_2 = (second moment) - m1^2 -> gamma m2 as D -> inf
    assert sp.limit((tr2 - m1 ** 2 - g * m2).subs(p, g * D).subs(g, sp.Rational(1, 3)), D, sp.oo) == 0


def test_r_transform_series_is_the_cumulants():
    g, w = sp.symbols("gamma w")
    a = sp.symbols("a1:4")
    nu = sp.symbols("n1:4")
    R = sum(n * x / (1 - g * x * w) for x, n in zip(a, nu))
    ser = sp.series(R, w, 0, 4).removeO()
    for k in range(1, 5):
        kappa_k = g ** (k - 1) * sum(n * x ** k for x, n in zip(a, nu))
        assert sp.expand(ser.coeff(w, k - 1) - kappa_k) == 0


def test_isotropic_reduction_to_whrf_edge():
    with mp.workdps(30):
        for g, t in [(0.25, 0.1), (0.5, 0.02), (0.75, 0.3), (0.1, 0.5)]:
            gm, tm = mp.mpf(g), mp.mpf(t)
            L = sa.left_edge([1.0], [1.0], 0.0, gm, gm * tm) - tm
            assert abs(L - spectral_edges(g, t)[0]) < mp.mpf(10) ** -25
        for g in (0.125, 0.25, 0.5, 0.75):
            te = edge_threshold(g, dps=30).value
            gm = mp.mpf(g)
            assert abs(sa.left_edge([1.0], [1.0], 0.0, gm, gm * te) - te) < mp.mpf(10) ** -25


def test_two_level_rho_squared():
    Ea, Eb, wa = sp.symbols("E_a E_b w_a", real=True)
    f = wa * Ea + (1 - wa) * Eb                      # value of a state with weight w_a on level E_a
    rho2 = wa * (Ea - f) ** 2 + (1 - wa) * (Eb - f) ** 2
    assert sp.simplify(rho2 - (f - Ea) * (Eb - f)) == 0
    with mp.workdps(30):
        r = sa.rho2_typical([0.0, 1.0], [1 / 16, 15 / 16], mp.mpf("0.3"))
        assert abs(r - mp.mpf("0.3") * mp.mpf("0.7")) < mp.mpf(10) ** -28


def test_fixed_law_transition_at_one_minus_ground_weight():
    for n, d0 in [(4, 1), (4, 4), (6, 2)]:
        d = 2 ** n
        spec = np.r_[np.zeros(d0), np.ones(d - d0)]
        gc = 1 - d0 / d
        assert sa.edge_level(spec, gc * 0.98, dps=20).at_ground is False
        assert sa.edge_level(spec, gc * 0.98, dps=20).F > 0
        assert sa.edge_level(spec, min(gc * 1.01, 0.999), dps=20).at_ground is True
    # general spectrum with a non-degenerate ground state: gamma_c = 1 - 1/d
    spec = np.random.default_rng(3).standard_normal(32)
    assert not sa.edge_level(spec, 0.96, rule="minimal", dps=20).at_ground
    assert sa.edge_level(spec, 0.975, rule="minimal", dps=20).at_ground


def test_tilt_is_invisible_on_the_constraint_and_rho2_typical_by_sampling():
    # density ratio tilted/untilted = exp(-beta/2 sum c_j g_j^2); on sum c_j x_j^2 = 0 it is exactly 1
    b, r = sp.symbols("beta r", positive=True)
    c = sp.symbols("c1:4", real=True)
    x = sp.symbols("x1:4", real=True)
    ratio = sp.exp(-b / 2 * sum(ci * (r * xi) ** 2 for ci, xi in zip(c, x)))
    on_set = ratio.subs(x[2] ** 2, -(c[0] * x[0] ** 2 + c[1] * x[1] ** 2) / c[2])
    assert sp.simplify(on_set) == 1
    # sampled: fixed law of randspec levels replicated to D = 4096, tilted Gaussian, condition on f
    rng = np.random.default_rng(14)
    levels = np.sort(np.random.default_rng(1).standard_normal(64))
    nu = np.full(64, 1 / 64)
    E = np.repeat(levels, 64)
    for f in (levels[0] + 0.3 * (levels[-1] - levels[0]), 0.4):
        with mp.workdps(20):
            pred = float(sa.rho2_typical(levels, nu, f))
        cE = E - f
        from scipy.optimize import brentq
        beta = brentq(lambda bb: float((cE / (1 + bb * cE)).mean()), -1 / cE.max() + 1e-12, -1 / cE.min() - 1e-12)
        g = rng.standard_normal((4000, E.size)) / np.sqrt(1 + beta * cE)
        xx = g ** 2 / (g ** 2).sum(1, keepdims=True)
        fv = xx @ E
        r2 = xx @ E ** 2 - fv ** 2
        keep = np.abs(fv - f) < 0.01 * (levels[-1] - levels[0])
        assert keep.sum() > 200
        # sampling s.e. of the conditional mean, plus O(1/D) and window-width bias bounded by the
        # slope d rho^2/df times the window half-width (0.01 of the spread) -- generous 4 s.e.
        se = r2[keep].std(ddof=1) / np.sqrt(keep.sum())
        slope = abs(np.polyfit(fv[keep], r2[keep], 1)[0])
        assert abs(r2[keep].mean() - pred) < 4 * se + slope * 0.01 * (levels[-1] - levels[0]) + 2 * pred / E.size


if __name__ == "__main__":
    from _run import run_module
    run_module(__name__)
