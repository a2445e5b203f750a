"""Step 16: the density of local minima just above E0 is a power law, rho_0 ∝ (F − E0)^((p_c − p)/2 − 1) (rmt_qgm/theory/asymptotics/small_loss.py).

Claim. For the randomized (Haar) circuit ansatz with spectrum E_1 = ... = E_d0 = E0 < E_(d0+1) <= ... and
p < p_c = 2(d − d0), write f = F − E0. Then, as f -> 0,
(1) Haar psi0 gives f a density ∝ f^(d − d0 − 1): the weights |psi_i|^2 are uniform on the simplex, the
    excited weight is Beta(d − d0, d0) (sympy: leading power of the Beta density; exact CDF of F for a small
    spectrum, leading term ∝ f^(d − d0));
(2) |b|^2 = |(H − F) psi0|^2 = sum_i x_i (E_i − E0)^2 − f^2 (sympy identity) lies in [g f − f^2, W f], g the gap,
    W the width: |b| ≍ f^(1/2), so the gradient density at 0, ∝ |b|^(−p) (step 13), is ≍ f^(−p/2);
(3) the Hessian is unchanged by H -> H + c (numerically, step-13 formulas with random gates), so take E0 = 0;
    then Hess = 2 Re[V^† H V] + O(|b|), and conditioning on grad = 0 puts each eta_k orthogonal to
    u = i b/|b|, a direction of the excited subspace: the excited parts of the v_k live in real dimension
    2(d − d0) − 1 = p_c − 1, so Hess tends to a Gram matrix that is positive definite with det > 0 for
    p <= p_c − 1 (numerically on the circuit model's draws at t < 1e-5: index 0 in >= 90 % at p = p_c − 2; at
    p = p_c the smallest |eigenvalue| shrinks as f^(1/2), slope within 0.1 of 1/2);
(4) the Kac–Rice density is the product, ∝ f^(d − d0 − 1 − p/2) = f^((p_c − p)/2 − 1) (sympy), integrable for
    every p < p_c. The comparison with the model's Kac–Rice draws is tests/test_small_loss.py.
"""
import numpy as np
import sympy as sp

from rmt_qgm.hamiltonians import parse_hamiltonian
from rmt_qgm.theory.models.circuit import kac_rice_circuit


def test_haar_excited_weight_leading_power():
    w, d, d0 = sp.symbols("w d d0", positive=True)
    beta_pdf = w ** (d - d0 - 1) * (1 - w) ** (d0 - 1) / sp.beta(d - d0, d0)
    # leading behaviour at w -> 0: the ratio to w^(d - d0 - 1) tends to the constant 1/B(d - d0, d0)
    assert sp.simplify(sp.limit(beta_pdf / w ** (d - d0 - 1), w, 0) - 1 / sp.beta(d - d0, d0)) == 0
    # exact CDF of F = x2 E2 + x3 E3 (E1 = 0, d = 3, d0 = 1) for x uniform on the simplex (density 2):
    s, x2, x3 = sp.symbols("s x2 x3", positive=True)
    E2, E3 = sp.Integer(1), sp.Integer(2)
    cdf = sp.integrate(sp.integrate(2, (x3, 0, (s - E2 * x2) / E3)), (x2, 0, s / E2))
    assert sp.simplify(cdf - s ** 2 / 2) == 0                    # ∝ s^(d - d0) = s^2: density ∝ s^(d - d0 - 1)


def test_gradient_norm_is_order_sqrt_f():
    n = 5
    x = sp.symbols(f"x1:{n + 1}", nonnegative=True)
    E = sp.symbols(f"E1:{n + 1}", real=True)
    E0 = sp.Symbol("E0", real=True)
    sub = {x[-1]: 1 - sum(x[:-1])}
    F = sum(xi * Ei for xi, Ei in zip(x, E))
    b2 = sum(xi * (Ei - F) ** 2 for xi, Ei in zip(x, E))
    rhs = sum(xi * (Ei - E0) ** 2 for xi, Ei in zip(x, E)) - (F - E0) ** 2
    assert sp.expand((b2 - rhs).subs(sub)) == 0
    # bounds g f <= sum x_i (E_i - E0)^2 <= W f (E_i - E0 in {0} ∪ [g, W]): random simplex points near E0
    rng = np.random.default_rng(0)
    spec = np.sort(parse_hamiltonian("randspec:1", 3).spectrum)
    g, W = spec[1] - spec[0], spec[-1] - spec[0]
    for _ in range(200):
        xs = rng.dirichlet(np.ones(spec.size))
        xs[1:] *= 10.0 ** rng.uniform(-8, 0)                     # push towards the ground state
        xs[0] = 1 - xs[1:].sum()
        f = xs @ (spec - spec[0])
        m2 = xs @ (spec - spec[0]) ** 2
        assert g * f * (1 - 1e-12) <= m2 <= W * f * (1 + 1e-12)


def _random_g(d, rng):
    z = rng.normal(size=(d, d // 2)) + 1j * rng.normal(size=(d, d // 2))
    q, _ = np.linalg.qr(z)
    return 2 * q @ q.conj().T - np.eye(d)


def _hessian(H, G, psi0):
    """Step 13's Hessian at theta = 0 (gate order 1..p)."""
    p = len(G)
    v = [g @ psi0 for g in G]
    F = np.vdot(psi0, H @ psi0).real
    M = np.empty((p, p))
    for k in range(p):
        M[k, k] = 2 * np.vdot(v[k], H @ v[k]).real - 2 * F
        for l in range(k + 1, p):
            M[k, l] = M[l, k] = 2 * (np.vdot(v[k], H @ v[l]) - np.vdot(psi0, H @ (G[l] @ v[k]))).real
    return M


def test_hessian_is_shift_invariant():
    rng = np.random.default_rng(1)
    d, p = 8, 5
    H = np.diag(rng.normal(size=d))
    G = [_random_g(d, rng) for _ in range(p)]
    psi0 = rng.normal(size=d) + 1j * rng.normal(size=d)
    psi0 /= np.linalg.norm(psi0)
    assert np.allclose(_hessian(H, G, psi0), _hessian(H + 3.7 * np.eye(d), G, psi0), atol=1e-12)


def test_limit_hessian_is_positive_below_p_c_and_singular_at_p_c():
    spec = parse_hamiltonian("projector:2", 3).spectrum             # d = 8, d0 = 2: p_c = 12
    t_of = lambda kr: (kr.f - spec.min()) / (spec.mean() - spec.min())   # noqa: E731
    kr, ev = kac_rice_circuit(spec, 10, seed=5, n_mc=6000, deep_levels=8, return_eigenvalues=True)
    low = t_of(kr) < 1e-5
    assert low.sum() >= 200 and np.mean(kr.index[low] == 0) >= 0.9
    kr, ev = kac_rice_circuit(spec, 12, seed=6, n_mc=8000, deep_levels=8, return_eigenvalues=True)
    t = t_of(kr)
    small = np.min(np.abs(ev), axis=1)
    edges = np.geomspace(1e-7, 1e-3, 5)
    x, y = [], []
    for a, b in zip(edges[:-1], edges[1:]):
        sel = (t >= a) & (t < b)
        assert sel.sum() >= 100
        x.append(np.log(np.sqrt(a * b)))
        y.append(np.log(np.median(small[sel])))
    slope = np.polyfit(x, y, 1)[0]
    assert abs(slope - 0.5) < 0.1, slope


def test_exponent_assembly():
    d, d0, p, f = sp.symbols("d d0 p f", positive=True)
    density = f ** (d - d0 - 1) * (f ** sp.Rational(1, 2)) ** (-p)     # (1) Haar times (2) |b|^(-p); (3) det -> const
    pc = 2 * (d - d0)
    beta = sp.simplify(sp.log(density).expand(force=True).coeff(sp.log(f)))
    assert sp.simplify(beta - ((pc - p) / 2 - 1)) == 0
    # integrable at f -> 0 (beta > -1) exactly when p < p_c
    assert sp.solve(sp.Eq(beta, -1), p) == [pc]


if __name__ == "__main__":
    from _run import run_module
    run_module(__name__)
