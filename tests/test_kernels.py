"""Kernels vs dense-matrix numpy references (n <= 5) to 1e-10, and vs finite differences."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.linalg import expm

from rmt_qgm.circuits.ansatz import build_circuit, haar_state, initial_state
from rmt_qgm.errors import UserInputError
from rmt_qgm.hamiltonians import parse_hamiltonian, random_pauli_sum
from rmt_qgm.spec import parse_psi0
from rmt_qgm.circuits import kernels as K

MATS = {"I": np.eye(2), "X": np.array([[0, 1], [1, 0]]), "Y": np.array([[0, -1j], [1j, 0]]),
        "Z": np.diag([1.0, -1.0])}


def pauli_dense(xm, zm, n):
    word = "".join("IXZY"[((xm >> q) & 1) + 2 * ((zm >> q) & 1)] for q in range(n))
    out = np.array([[1.0 + 0j]])
    for c in reversed(word):  # qubit k is bit k: qubit 0 is the last Kronecker factor
        out = np.kron(out, MATS[c])
    return out


def dense_ops(circ):
    """Per-op dense matrices and, for rotations, their generator, built independently of the kernels."""
    mats = []
    for op in circ.ops:
        if op[0] == K.OP_ROT:
            mats.append(("rot", pauli_dense(op[1], op[2], circ.n), op[3]))
        elif op[0] == K.OP_DENSE:
            mats.append(("fix", circ.dense[op[1]], None))
        else:
            mats.append(("fix", np.diag(circ.diags[op[1]]), None))
    return mats


def dense_state(mats, theta, psi0, deriv=(), rots=None):
    """U(theta) psi0, with d/dtheta_k inserted for k in deriv (by -i G). ``rots``: the rotations
    expm(-i theta_k G) per op (rotations(mats, theta)), computed once per theta by the caller: scipy's expm
    was ~90 % of this test's cost when redone for each of the p^2 Hessian entries."""
    psi = psi0.copy()
    for o, (kind, m, k) in enumerate(mats):
        if kind == "rot":
            psi = (expm(-1j * theta[k] * m) if rots is None else rots[o]) @ psi
            for d in deriv:
                if d == k:
                    psi = -1j * m @ psi
        else:
            psi = m @ psi
    return psi


def rotations(mats, theta):
    return [expm(-1j * theta[k] * m) if kind == "rot" else None for kind, m, k in mats]


def case(ansatz, n, p, seed):
    rng = np.random.default_rng(seed)
    circ = build_circuit(ansatz, n, p, rng)
    ham = parse_hamiltonian(random_pauli_sum(n, 7, rng), n)
    psi0 = initial_state(parse_psi0("haar"), n, rng)
    theta = rng.uniform(0, 2 * np.pi, p)
    return circ, ham, psi0, theta


@pytest.mark.parametrize("ansatz,n,p,seed", [("pauli", 3, 6, 1), ("pauli", 5, 9, 2),
                                              ("randomized", 3, 4, 3), ("randomized", 4, 5, 4),
                                              ("hea", 3, 8, 5), ("hea", 5, 12, 6)])
def test_against_dense_reference(ansatz, n, p, seed):
    circ, ham, psi0, theta = case(ansatz, n, p, seed)
    H = ham.to_dense()
    mats = dense_ops(circ)
    rots = rotations(mats, theta)
    psi = dense_state(mats, theta, psi0, rots=rots)
    assert np.abs(circ.state(theta, psi0) - psi).max() < 1e-12
    f_ref = np.vdot(psi, H @ psi).real
    f, g = circ.loss_and_grad(theta, psi0, ham)
    assert abs(f - f_ref) < 1e-12
    assert abs(circ.loss(theta, psi0, ham) - f_ref) < 1e-12
    dpsi = [dense_state(mats, theta, psi0, (k,), rots) for k in range(p)]
    g_ref = np.array([2 * np.vdot(psi, H @ d).real for d in dpsi])
    assert np.abs(g - g_ref).max() < 1e-10
    hess_ref = np.empty((p, p))
    for i in range(p):
        for j in range(p):
            ddpsi = dense_state(mats, theta, psi0, (i, j), rots) if i != j else -psi
            hess_ref[i, j] = 2 * (np.vdot(dpsi[i], H @ dpsi[j]).real + np.vdot(psi, H @ ddpsi).real)
    hs = circ.hessian(theta, psi0, ham)
    assert np.abs(hs - hess_ref).max() < 1e-10
    assert np.abs(hs - hs.T).max() < 1e-12
    v = np.random.default_rng(seed + 100).standard_normal(p)
    assert np.abs(circ.hvp(theta, psi0, ham, v) - hess_ref @ v).max() < 1e-10


@pytest.mark.parametrize("ansatz", ["pauli", "randomized", "hea"])
def test_gradient_vs_finite_differences(ansatz):
    circ, ham, psi0, theta = case(ansatz, 4, 7, 11)
    _, g = circ.loss_and_grad(theta, psi0, ham)
    h = 1e-5
    fd = np.array([(circ.loss(theta + h * e, psi0, ham) - circ.loss(theta - h * e, psi0, ham)) / (2 * h)
                   for e in np.eye(7)])
    # central differences: truncation error h^2 |F'''|/6 <= 1e-10 * ||H|| and round-off ~ 1e-16/h
    assert np.abs(g - fd).max() < 1e-8


def test_pi_periodicity():
    circ, ham, psi0, theta = case("pauli", 3, 5, 21)
    shifted = theta + np.pi * np.array([1, 0, 2, 0, 1])
    assert abs(circ.loss(theta, psi0, ham) - circ.loss(shifted, psi0, ham)) < 1e-12


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(1, 12), st.integers(0, 2**31 - 1),
       st.sampled_from(["pauli", "randomized", "hea"]))
def test_norm_preserved(n, p, seed, ansatz):
    rng = np.random.default_rng(seed)
    circ = build_circuit(ansatz, n, p, rng)
    psi0 = haar_state(2 ** n, rng)
    theta = rng.uniform(-10, 10, p)
    assert abs(np.linalg.norm(circ.state(theta, psi0)) - 1.0) < 1e-12


def test_identity_at_zero():
    rng = np.random.default_rng(3)
    circ = build_circuit("pauli", 3, 6, rng)
    psi0 = haar_state(8, rng)
    assert np.abs(circ.state(np.zeros(6), psi0) - psi0).max() < 1e-14


def test_bad_generators():
    with pytest.raises(UserInputError, match="exactly params = 2"):
        build_circuit("pauli", 2, 2, None, ["XZ"])
    with pytest.raises(UserInputError, match="identity"):
        build_circuit("pauli", 2, 1, None, ["II"])
    with pytest.raises(UserInputError, match="bytes"):
        build_circuit("randomized", 12, 40, np.random.default_rng(0))


def test_randomized_without_stored_adjoints_gives_the_same_derivatives():
    """Large Haar stacks do not store adjoints (ansatz.ADJOINT_CACHE_BYTES): the column-wise adjoint path
    must give the same loss, gradient and Hessian-vector product as the row-wise one, up to rounding."""
    from dataclasses import replace
    circ, ham, psi0, theta = case("randomized", 4, 6, 21)
    assert np.all(circ.ops[circ.ops[:, 0] == K.OP_DENSE, 2] > 0)        # small stack: adjoints stored
    ops = circ.ops.copy()
    ops[ops[:, 0] == K.OP_DENSE, 2] = 0
    bare = replace(circ, ops=ops, dense=np.ascontiguousarray(circ.dense[:circ.n_params + 1]))
    f1, g1 = circ.loss_and_grad(theta, psi0, ham)
    f2, g2 = bare.loss_and_grad(theta, psi0, ham)
    assert abs(f1 - f2) < 1e-13 and np.abs(g1 - g2).max() < 1e-12
    v = np.random.default_rng(5).standard_normal(6)
    assert np.abs(circ.hvp(theta, psi0, ham, v) - bare.hvp(theta, psi0, ham, v)).max() < 1e-12
    assert np.abs(circ.hessian(theta, psi0, ham) - bare.hessian(theta, psi0, ham)).max() < 1e-12
