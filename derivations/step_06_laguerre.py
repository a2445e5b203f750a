"""Step 6: E det(W' - x I) = p! L_p^(n' - p)(x) for W' ~ Wishart_p(n', I) (docs/theory.md §5.4).

Argument. det(W' - xI) = sum_k (-x)^(p-k) e_k(W'), e_k the sum of the k x k principal minors. A k x k
principal minor of W' = G^T G (G n' x p Gaussian) is a Wishart_k(n', I) determinant, whose mean is the
falling factorial n'(n'-1)...(n'-k+1) (Bartlett decomposition: a product of independent chi-square
variables with n', n'-1, ... degrees of freedom). Hence E det(W' - xI) = sum_k C(p, k) (n')_k (-x)^(p-k),
which equals p! L_p^(n'-p)(x) identically (checked symbolically for p <= 6). In the engine's
normalisation (W = W'/m, n' = m - 1, x = m t): E det(W - tI) = m^(-p) p! L_p^(m-1-p)(m t).
The p = 2 case is also checked from the Wishart second moments E W'_ii W'_jj = n'^2 + 2 n' delta_ij,
E W'_ij^2 = n' (i != j).
"""
import sympy as sp


def test_laguerre_identity():
    x, n = sp.symbols("x n")
    for p in range(1, 7):
        lhs = sum(sp.binomial(p, k) * sp.ff(n, k) * (-x) ** (p - k) for k in range(p + 1))
        rhs = sp.factorial(p) * sp.assoc_laguerre(p, n - p, x)
        assert sp.expand(lhs - rhs) == 0, p


def test_p2_from_second_moments():
    x, n = sp.symbols("x n")
    E_w11w22 = n ** 2          # i != j: E W11 W22 = n^2 (independent chi-squares... plus 0 correlation)
    E_w12sq = n
    E_w11 = n
    expected = E_w11w22 - 2 * x * E_w11 + x ** 2 - E_w12sq
    assert sp.expand(expected - (x ** 2 - 2 * n * x + n * (n - 1))) == 0
    assert sp.expand(expected - 2 * sp.assoc_laguerre(2, n - 2, x)) == 0


def test_bartlett_minor_mean_by_sampling():
    import numpy as np
    rng = np.random.default_rng(0)
    n, k, N = 7, 3, 200000
    G = rng.standard_normal((N, n, k))
    d = np.linalg.det(np.einsum("sai,saj->sij", G, G))
    assert abs(d.mean() - 7 * 6 * 5) < 5 * d.std() / np.sqrt(N)


if __name__ == "__main__":
    from _run import run_module
    run_module(__name__)
