"""Step 4: the Hessian at a critical point, isotropic WHRF and spherical model (docs/theory.md §4, §6.2).

Isotropic. d_i d_j F = 2 u_i.u_j + 2 x.v_ij, d_i^2 F = 2|u_i|^2 - 2F. grad F = 0 forces u_i . x = 0,
so u_i lies in x-perp (m - 1 dimensions, i.i.d. N(0, sigma^2)), and x.v_ij = |x| Z_ij with
Z_ij ~ N(0, sigma^2): Hess / 2 = W - F I + sqrt(F) Z, W ~ Wishart_p(m - 1, sigma^2 I). Checked by sampling:
the (F, grad, Hess) sampler conditioned near grad = 0 against the conditional sampler (moments).

Spherical. f = y^T A y / y^T y. Symbolically (sympy, generic symbols, dimension 3, p = 2):
d_i f = 2 u_i^T (A - f) y / r^2; at a critical point Hess_ij = (2/r^2)[u_i^T (A - f) u_j + y^T (A - f) v_ij],
with no -f I diagonal shift because d_i^2 y = -y gives y^T (A - f)(-y) = 0.
"""
import numpy as np
import sympy as sp


def _is_zero(e) -> bool:
    """Exact zero test of a rational function: its numerator over a common denominator expands to 0
    (sympy.simplify(e) == 0 reaches the same verdict here, ~2x slower)."""
    return sp.expand(sp.numer(sp.together(e))) == 0


def test_spherical_hessian_symbolic():
    D = 3
    y0 = sp.Matrix(sp.symbols("y1:4", real=True))
    u1 = sp.Matrix(sp.symbols("a1:4", real=True))
    u2 = sp.Matrix(sp.symbols("b1:4", real=True))
    v12 = sp.Matrix(sp.symbols("c1:4", real=True))
    A = sp.diag(*sp.symbols("l1:4", real=True))
    t1, t2 = sp.symbols("t1 t2", real=True)
    # local second-order expansion with d_i^2 y = -y (hypertoroidal structure)
    y = y0 + t1 * u1 + t2 * u2 + t1 * t2 * v12 - (t1 ** 2 + t2 ** 2) / 2 * y0
    f = (y.T * A * y)[0] / (y.T * y)[0]
    at0 = {t1: 0, t2: 0}
    r2 = (y0.T * y0)[0]
    f0 = (y0.T * A * y0)[0] / r2
    B = A - f0 * sp.eye(D)
    g1 = sp.diff(f, t1).subs(at0)
    assert _is_zero(g1 - 2 * (u1.T * B * y0)[0] / r2)
    H11 = sp.diff(f, t1, 2).subs(at0)
    H12 = sp.diff(f, t1, t2).subs(at0)
    # impose the critical-point conditions u_i^T (A - f) y0 = 0 by eliminating a1 and b1
    crit = sp.solve([(u1.T * B * y0)[0], (u2.T * B * y0)[0]], [u1[0], u2[0]], dict=True)[0]
    exp11 = 2 * (u1.T * B * u1)[0] / r2
    exp12 = 2 * ((u1.T * B * u2)[0] + (y0.T * B * v12)[0]) / r2
    assert _is_zero((H11 - exp11).subs(crit))
    assert _is_zero((H12 - exp12).subs(crit))


def test_isotropic_conditional_hessian_by_sampling():
    rng = np.random.default_rng(0)
    m, p, n = 6, 2, 400000
    s = 1 / np.sqrt(m)
    x = rng.standard_normal((n, m)) * s
    u = rng.standard_normal((n, p, m)) * s
    v = rng.standard_normal((n, m)) * s
    F = (x * x).sum(1)
    g = 2 * np.einsum("nm,npm->np", x, u)
    H01 = 2 * np.einsum("nm,nm->n", u[:, 0], u[:, 1]) + 2 * (x * v).sum(1)
    H00 = 2 * (u[:, 0] ** 2).sum(1) - 2 * F
    sel = (np.abs(g).max(1) < 0.05) & (np.abs(F - 1) < 0.1)       # near a critical point at F ~ 1
    # conditional sampler at the same F values: W ~ Wishart(m - 1, I/m), Z ~ N(0, 1/m)
    Fs = F[sel]
    k = sel.sum()
    gp = rng.standard_normal((k, m - 1, p)) * s
    W = np.einsum("kai,kaj->kij", gp, gp)
    Z = rng.standard_normal(k) * s
    M00 = 2 * (W[:, 0, 0] - Fs)
    M01 = 2 * (W[:, 0, 1] + np.sqrt(Fs) * Z)
    # compare means and second moments within 5 standard errors
    for a, b in ((H00[sel], M00), (H01[sel], M01), (H01[sel] ** 2, M01 ** 2)):
        se = np.hypot(a.std() / np.sqrt(a.size), b.std() / np.sqrt(b.size))
        assert abs(a.mean() - b.mean()) < 5 * se + 0.02   # + window bias: |g| < 0.05, |F - 1| < 0.1


if __name__ == "__main__":
    from _run import run_module
    run_module(__name__)
