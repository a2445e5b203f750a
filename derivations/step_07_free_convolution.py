"""Step 7: Marchenko–Pastur and its free convolution with a semicircle (docs/theory.md §5.6).

Claim. MP(gamma) with mean 1 has R-transform R(z) = 1/(1 - gamma z): free cumulants kappa_n = gamma^(n-1),
and moments given by the Narayana polynomials m_n = sum_k N(n, k) gamma^(k-1). Adding a free semicircle of
variance gamma t adds gamma t z to R (only kappa_2 changes). Checked by expanding the functional equation
G(z) = 1 / (z - R(G(z))) in powers of 1/z (moments = coefficients), for n <= 6.
"""
import sympy as sp


def _moments_from_R(R, nmax):
    w = sp.symbols("w")          # w = 1/z; G = w * (1 + m1 w + m2 w^2 + ...)
    ms = sp.symbols(f"m1:{nmax + 1}")
    G = w * (1 + sum(ms[i] * w ** (i + 1) for i in range(nmax)))
    # G (z - R(G)) = 1  with z = 1/w
    eq = sp.expand(sp.series(G * (1 / w - R(G)) - 1, w, 0, nmax + 1).removeO())
    sol = sp.solve([eq.coeff(w, k) for k in range(1, nmax + 1)], ms, dict=True)[0]
    return [sp.expand(sol[m]) for m in ms]


def test_mp_moments_are_narayana():
    g = sp.symbols("gamma", positive=True)
    mom = _moments_from_R(lambda z: 1 / (1 - g * z), 6)
    for n in range(1, 7):
        narayana = sum(sp.binomial(n, k) * sp.binomial(n, k - 1) / n * g ** (k - 1) for k in range(1, n + 1))
        assert sp.expand(mom[n - 1] - narayana) == 0


def test_semicircle_adds_to_second_cumulant():
    g, t = sp.symbols("gamma t", positive=True)
    mom = _moments_from_R(lambda z: 1 / (1 - g * z) + g * t * z, 4)
    assert sp.expand(mom[0] - 1) == 0
    assert sp.expand(mom[1] - (1 + g + g * t)) == 0
    # third moment: kappa_3 + 3 kappa_2 kappa_1 + kappa_1^3 with kappa_1 = 1, kappa_2 = g + g t, kappa_3 = g^2
    assert sp.expand(mom[2] - (g ** 2 + 3 * (g + g * t) + 1)) == 0


if __name__ == "__main__":
    from _run import run_module
    run_module(__name__)
