"""Step 3: joint law of (F, grad F, Hess F) of the isotropic WHRF at a point (docs/theory.md §4).

Claim. x_k(theta) = a_k . w(theta) has covariance C(theta, theta') = sigma^2 prod_j cos(t_j - t'_j).
Differentiating the kernel at theta = theta': x, u_i = d_i x, v_ij = d_i d_j x (i < j) are uncorrelated
with variance sigma^2 (Gaussian, hence independent), and d_i^2 x = -x exactly (Var(d_i^2 x + x) = 0). Then
F = |x|^2 ~ sigma^2 chi^2_m (E F = m sigma^2, Var F = 2 m sigma^4), d_i F = 2 x.u_i with
Var d_i F = 4 m sigma^4, and E exp(i s d_i F) = E exp(-2 s^2 sigma^2 |x|^2) = (1 + 4 sigma^4 s^2)^(-m/2).
"""
import sympy as sp


def test_kernel_derivatives():
    p = 3
    t = sp.symbols("t1:4", real=True)
    tp = sp.symbols("s1:4", real=True)
    sig2 = sp.symbols("sigma2", positive=True)
    C = sig2 * sp.prod([sp.cos(t[j] - tp[j]) for j in range(p)])
    at = {tp[j]: t[j] for j in range(p)}

    def cov(da, db):
        expr = C
        for v in da:
            expr = sp.diff(expr, t[v])
        for v in db:
            expr = sp.diff(expr, tp[v])
        return sp.simplify(expr.subs(at))

    assert cov((), ()) == sig2
    assert cov((0,), ()) == 0 and cov((0,), (0,)) == sig2 and cov((0,), (1,)) == 0
    assert cov((0, 1), ()) == 0 and cov((0, 1), (0, 1)) == sig2 and cov((0, 1), (0,)) == 0
    assert cov((0, 1), (1, 2)) == 0
    # d_0^2 x + x has zero variance: Var = c(2,2) + 2 c(2,0) + c(0,0)
    var = cov((0, 0), (0, 0)) + 2 * cov((0, 0), ()) + cov((), ())
    assert sp.simplify(var) == 0


def test_moments_and_characteristic_function():
    m = sp.symbols("m", positive=True, integer=True)
    sig2, s = sp.symbols("sigma2 s", positive=True)
    # chi-square moment generating function of |x|^2 / sigma^2: (1 - 2 z)^(-m/2)
    z = sp.symbols("z")
    mgf = (1 - 2 * z) ** (-m / 2)
    EF = sig2 * sp.diff(mgf, z).subs(z, 0)
    EF2 = sig2 ** 2 * sp.diff(mgf, z, 2).subs(z, 0)
    assert sp.simplify(EF - m * sig2) == 0
    assert sp.simplify(EF2 - EF ** 2 - 2 * m * sig2 ** 2) == 0
    # given x, d_iF = 2 x.u ~ N(0, 4 sigma^2 |x|^2): Var d_iF = 4 sigma^2 E|x|^2
    assert sp.simplify(4 * sig2 * EF - 4 * m * sig2 ** 2) == 0
    # E exp(i s dF) = E exp(-2 s^2 sigma^2 |x|^2) = mgf of |x|^2/sigma^2 at z = -2 s^2 sigma^4
    cf = mgf.subs(z, -2 * s ** 2 * sig2 ** 2)
    assert sp.simplify(cf - (1 + 4 * sig2 ** 2 * s ** 2) ** (-m / 2)) == 0


if __name__ == "__main__":
    from _run import run_module
    run_module(__name__)
