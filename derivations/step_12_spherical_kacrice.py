"""Step 12: the Kac–Rice assembly of the spherical model (rmt_qgm/theory/models/spherical.py, docs/theory.md §6.2, §9.4).

Claim. With y = G w(theta) (G i.i.d. N(0, 1)), r = |y|, b = (A - f) y:
(1) given y, grad f = (2/r^2) (b.u_i)_i ~ N(0, (4 |b|^2 / r^4) I_p) (u_i i.i.d. N(0, I_D));
(2) |det Hess| p_grad(0 | y) = (2/r^2)^p |det(C + |b| Z)| (8 pi |b|^2 / r^4)^(-p/2)
    = (2 pi)^(-p/2) |b|^(-p) |det(C + |b| Z)|  (the r-dependence cancels), so per [0, pi)^p
    E N_k = pi^p (2 pi)^(-p/2) E_y[ |b|^(-p) E|det(C + |b| Z)| 1{index = k} ];
(3) end to end at p = 1: f(theta) is a ratio of two first harmonics in 2 theta, so every field has exactly
    one minimum and one maximum per period, and the assembled estimator gives E N_0 = E N_1 = 1 within
    its standard error; at p = 2 the Euler identity E N_0 - E N_1 + E N_2 = 0 holds within error.
(1) is sampled, (2) is sympy, (3) runs the package's estimator.
"""
import numpy as np
import sympy as sp

from rmt_qgm.theory.models.spherical import kac_rice_spherical, real_form_spectrum


def test_gradient_law_given_y():
    rng = np.random.default_rng(3)
    a = real_form_spectrum(np.array([0.0, 0.4, 1.0, 2.5]))
    D, p, N = a.size, 3, 200000
    y = rng.normal(size=D)
    r2 = y @ y
    f = (a * y) @ y / r2
    b = (a - f) * y
    U = rng.normal(size=(N, D, p))
    g = 2.0 / r2 * np.einsum("d,ndp->np", b, U)
    var = 4.0 * (b @ b) / r2 ** 2
    # sample variance vs theory: relative s.e. of a variance estimate is sqrt(2/N)
    assert np.all(np.abs(g.var(axis=0) / var - 1) < 5 * np.sqrt(2.0 / N))
    cov = np.cov(g.T) / var
    off = cov[~np.eye(p, dtype=bool)]
    assert np.all(np.abs(off) < 5 / np.sqrt(N))


def test_constant_assembly_symbolic():
    p = sp.Symbol("p", positive=True, integer=True)
    r, bn, detm = sp.symbols("r b_norm det_M", positive=True)
    lhs = (2 / r ** 2) ** p * detm * (8 * sp.pi * bn ** 2 / r ** 4) ** (-p / 2)
    rhs = (2 * sp.pi) ** (-p / 2) * bn ** (-p) * detm
    assert sp.simplify(sp.powsimp(sp.expand_power_base(lhs / rhs, force=True), force=True)) == 1


def test_p1_exact_counts_and_p2_euler():
    spec = np.array([0.0, 0.3, 0.7, 1.0])
    kr = kac_rice_spherical(spec, 1, seed=5, n_mc=20000)
    for k in (0, 1):
        assert abs(kr.counts[k] - 1.0) < 4 * kr.stderr[k], (k, kr.counts[k], kr.stderr[k])
    kr2 = kac_rice_spherical(spec, 2, seed=6, n_mc=20000)
    assert abs(kr2.euler) < 4 * kr2.euler_stderr


if __name__ == "__main__":
    from _run import run_module
    run_module(__name__)
