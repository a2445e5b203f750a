"""Step 1: hypertoroidal expansion of products of exp(-i theta G) with G^2 = I (docs/theory.md §2.2).

Claim. Since exp(-i theta G) = cos(theta) I - i sin(theta) G for G^2 = I,
    prod_j exp(-i theta_j G_j) |psi0> = sum_s w_s(theta) |phi_s>,  w = (cos t1, sin t1) x ... x (cos tp, sin tp),
with |phi_s> = prod_j (-i G_j)^(s_j) |psi0> (ordered products, fixed unitaries in between allowed), hence
F(theta) = <psi|H|psi> = w^T M w, M_ss' = Re <phi_s|H|phi_s'>, rank M <= 2d, and F is pi-periodic.
Checked exactly in sympy for p = 1, 2, 3 with Pauli-string involutions and fixed unitaries in between.
"""
import itertools

import sympy as sp


def _pauli(word):
    mats = {"I": sp.eye(2), "X": sp.Matrix([[0, 1], [1, 0]]), "Y": sp.Matrix([[0, -sp.I], [sp.I, 0]]),
            "Z": sp.Matrix([[1, 0], [0, -1]])}
    out = sp.Matrix([[1]])
    for c in reversed(word):
        out = sp.kronecker_product(out, mats[c])
    return out


def _check(p, gens, fixed):
    th = sp.symbols(f"t1:{p + 1}", real=True)
    d = gens[0].shape[0]
    psi0 = sp.Matrix([sp.Rational(1, 2), sp.I / 2, sp.Rational(-1, 2), sp.I / 2])[:d, :]
    psi = psi0
    for j in range(p):
        G = gens[j]
        assert sp.simplify(G * G - sp.eye(d)) == sp.zeros(d, d)
        psi = fixed[j] * ((sp.cos(th[j]) * sp.eye(d) - sp.I * sp.sin(th[j]) * G) * psi)
    total = sp.zeros(d, 1)
    phis = {}
    for s in itertools.product((0, 1), repeat=p):
        phi = psi0
        ws = 1
        for j in range(p):
            if s[j]:
                phi = -sp.I * gens[j] * phi
            phi = fixed[j] * phi
            ws *= sp.sin(th[j]) if s[j] else sp.cos(th[j])
        phis[s] = phi
        total += ws * phi
    assert sp.simplify(sp.expand(total - psi)) == sp.zeros(d, 1)
    H = sp.Matrix(d, d, lambda i, j: sp.Rational(i + 2 * j + 1, 3) if i <= j else sp.Rational(j + 2 * i + 1, 3))
    keys = list(phis)
    M = sp.Matrix(len(keys), len(keys), lambda a, b: sp.re(sp.expand((phis[keys[a]].H * H * phis[keys[b]])[0])))
    w = sp.Matrix([sp.prod([sp.sin(th[j]) if s[j] else sp.cos(th[j]) for j in range(p)]) for s in keys])
    F = sp.expand((psi.H * H * psi)[0])
    assert sp.simplify(sp.expand((w.T * M * w)[0]) - F) == 0
    assert M.rank() <= 2 * d
    shifted = F.subs(th[0], th[0] + sp.pi)
    assert sp.simplify(shifted - F) == 0


def test_p1_single_qubit():
    _check(1, [_pauli("X")], [sp.eye(2)])


def test_p2_two_qubits_with_fixed_gate():
    cz = sp.diag(1, 1, 1, -1)
    _check(2, [_pauli("XY"), _pauli("ZX")], [cz, sp.eye(4)])


def test_p3_rank_bound():
    # p = 3 on one qubit: 2^p = 8 > 2d = 4, so M (8 x 8) must be rank deficient: rank <= 4
    _check(3, [_pauli("X"), _pauli("Y"), _pauli("Z")], [sp.eye(2)] * 3)


if __name__ == "__main__":
    from _run import run_module
    run_module(__name__)
