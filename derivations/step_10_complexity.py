"""Step 10: the complexity S(t) of local minima and the spectral law mu_t behind it (docs/theory.md §5.6).

Claim. For m -> infinity at fixed gamma = p/m, rho_0(t) ~ exp{m S(t)},
S(t) = ((1 - gamma)/2) log t - t/2 + gamma Phi(t), Phi(t) = int log lambda dmu_t, where mu_t is the law of
W + sqrt(t) Z shifted by -t. Its Stieltjes transform solves z = R(G) + 1/G, R(G) = 1/(1 - gamma G) + gamma t G,
equivalently the cubic gamma^2 t G^3 - gamma (z + t) G^2 + (z - 1 + gamma) G - 1 = 0. Checked:
(1) the cubic, symbolically; (2) the moments it implies (series of G at infinity) equal the free-cumulant
moments kappa_1 = 1, kappa_2 = gamma (1 + t), kappa_3 = gamma^2, symbolically; (3) the quadrature of the
density -Im G / pi reproduces those moments to >= 20 digits at 30 digits, with no digits lost at 60;
(4) S is finite and increasing on (0, t_e(gamma)) and -inf above t_e, so local minima concentrate at t_e.
The Monte Carlo comparison of Phi with sampled log-determinants is the validate check
``complexity/log-potential``.
"""
import mpmath as mp
import sympy as sp

from rmt_qgm.theory.asymptotics.whrf import edge_threshold
from rmt_qgm.theory.asymptotics.whrf_complexity import complexity, spectral_moment

G, z, g, t, w = sp.symbols("G z gamma t w")


def _cubic(Gs, zs):
    return g ** 2 * t * Gs ** 3 - g * (zs + t) * Gs ** 2 + (zs - 1 + g) * Gs - 1


def test_cubic_from_r_transform():
    R = 1 / (1 - g * G) + g * t * G
    eq = sp.together(R + 1 / G - z)
    num = sp.numer(eq)
    # numerator of R(G) + 1/G - z is -(cubic) (up to sign)
    assert sp.expand(num + _cubic(G, z)) == 0 or sp.expand(num - _cubic(G, z)) == 0


def test_moments_from_series():
    # G(z) = sum_k m_k / z^(k+1); substitute G = w * sum m_k w^k with w = 1/z, solve order by order
    ms = sp.symbols("m0:5")
    Gs = w * sum(ms[k] * w ** k for k in range(5))
    expr = sp.expand(_cubic(Gs, 1 / w) * w)          # multiply by w: polynomial in w
    sol = {}
    for order in range(0, 5):
        coeff = sp.expand(expr.coeff(w, order).subs(sol))
        unknown = [mm for mm in ms if coeff.has(mm)]
        if unknown:
            sol[unknown[0]] = sp.solve(coeff, unknown[0])[0]
    k1, k2, k3 = 1, g * (1 + t), g ** 2                  # free cumulants: MP(gamma, mean 1) + semicircle(gamma t)
    assert sp.simplify(sol[ms[0]] - 1) == 0
    assert sp.simplify(sol[ms[1]] - k1) == 0
    assert sp.simplify(sol[ms[2]] - (k2 + k1 ** 2)) == 0
    assert sp.simplify(sol[ms[3]] - (k3 + 3 * k2 * k1 + k1 ** 3)) == 0


def test_density_quadrature_reproduces_moments():
    gf, tf = 0.3, 0.07                                   # the engine takes floats: compare at their exact values
    with mp.workdps(50):
        gv, tv = mp.mpf(gf), mp.mpf(tf)
        # moments of mu_t = nu shifted by -t: E (X - t)^k with nu's moments 1, 1, 1 + g(1+t), g^2 + 3g(1+t) + 1
        n1, n2, n3 = 1, 1 + gv * (1 + tv), gv ** 2 + 3 * gv * (1 + tv) + 1
        exact = [mp.mpf(1), n1 - tv, n2 - 2 * tv * n1 + tv ** 2, n3 - 3 * tv * n2 + 3 * tv ** 2 * n1 - tv ** 3]
    for k in range(4):
        r = spectral_moment(k, gf, tf, dps=30)
        assert abs(r.value - exact[k]) < mp.mpf(10) ** -20, (k, r.value, exact[k])
        assert r.digits_lost <= 5


def test_complexity_increases_up_to_t_e_then_minus_infinity():
    for gv in (0.2, 0.5):
        te = float(edge_threshold(gv).value)
        vals = [complexity(gv, f * te, dps=20).value for f in (0.2, 0.5, 0.8, 0.98)]
        assert all(mp.isfinite(v) for v in vals)
        assert vals[0] < vals[1] < vals[2] < vals[3]
        assert complexity(gv, 1.02 * te, dps=20).value == mp.ninf


if __name__ == "__main__":
    from _run import run_module
    run_module(__name__)
