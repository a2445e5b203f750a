"""Optional cross-check against qulacs (skipped when qulacs is not installed)."""
import numpy as np
import pytest

qulacs = pytest.importorskip("qulacs")

from rmt_qgm.circuits.ansatz import build_circuit, initial_state  # noqa: E402
from rmt_qgm.hamiltonians import parse_hamiltonian, random_pauli_sum  # noqa: E402
from rmt_qgm.spec import parse_psi0  # noqa: E402


def qulacs_objects(circ, ham, theta):
    n = circ.n
    qc = qulacs.ParametricQuantumCircuit(n)
    for k, g in enumerate(circ.generators):
        idx = [q for q in range(n) if g[q] != "I"]
        qc.add_parametric_multi_Pauli_rotation_gate(idx, ["IXYZ".index(g[q]) for q in idx], 0.0)
        # qulacs' rotation is exp(+i phi P / 2); ours is exp(-i theta P): phi = -2 theta
        qc.set_parameter(k, -2.0 * theta[k])
    obs = qulacs.Observable(n)
    for coef, w in ham.pauli_terms:
        obs.add_operator(coef, " ".join(f"{c} {q}" for q, c in enumerate(w.label()) if c != "I"))
    return qc, obs


@pytest.mark.parametrize("n,p,seed", [(3, 10, 0), (5, 24, 1), (6, 40, 2)])
def test_loss_and_gradient_match_qulacs(n, p, seed):
    rng = np.random.default_rng(seed)
    circ = build_circuit("pauli", n, p, rng)
    ham = parse_hamiltonian(random_pauli_sum(n, 16, rng), n)
    theta = rng.uniform(0, 2 * np.pi, p)
    psi0 = initial_state(parse_psi0("zero"), n, None)
    qc, obs = qulacs_objects(circ, ham, theta)
    st = qulacs.QuantumState(n)
    st.set_zero_state()
    qc.update_quantum_state(st)
    f, g = circ.loss_and_grad(theta, psi0, ham)
    assert abs(f - obs.get_expectation_value(st)) < 1e-10
    gq = -2.0 * np.array(qc.backprop(obs))  # chain rule for phi = -2 theta
    assert np.abs(g - gq).max() < 1e-10
