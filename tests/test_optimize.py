"""Certified optimisation: minima are critical with PSD Hessians, saddles get their index,
and results do not depend on the number of workers."""
import numpy as np
import pytest

from rmt_qgm.circuits.ansatz import build_circuit, initial_state
from rmt_qgm.circuits.optimize import GRAD_TOL, classify, newton_polish
from rmt_qgm.errors import UserInputError
from rmt_qgm.hamiltonians import parse_hamiltonian
from rmt_qgm.simulate import evaluate_circuit, run_simulation
from rmt_qgm.spec import parse_psi0


def test_certified_minima_are_minima():
    res = run_simulation(3, 4, ansatz="randomized", hamiltonian="randspec:2", starts=6, instances=2, seed=5)
    a = res.arrays()
    assert a["certified"].all()
    assert (a["grad_norm"] <= GRAD_TOL).all()
    # re-evaluate independently: gradient small and Hessian PSD at every reported minimum
    from rmt_qgm.simulate import _instance_objects
    ham = parse_hamiltonian("randspec:2", 3)
    for i, theta, idx, F in zip(a["instance"], a["theta"], a["index"], a["F"]):
        circ, psi0 = _instance_objects(res.params, int(i))
        f, g = circ.loss_and_grad(theta, psi0, ham)
        assert abs(f - F) < 1e-12 and np.max(np.abs(g)) <= GRAD_TOL
        eigs = np.linalg.eigvalsh(circ.hessian(theta, psi0, ham))
        assert (eigs < -1e-6).sum() == idx


def test_planted_saddle_index():
    # generators Y on qubit 0 and X on qubit 1, H = Z0 + Z1, psi0 = |00>:
    # F = cos(2 t1) + cos(2 t2); at (0, pi/2) the Hessian is diag(-4, +4) -> index 1.
    n = 2
    ham = parse_hamiltonian("pauli:1.0*ZI+1.0*IZ", n)
    circ = build_circuit("pauli", n, 2, None, ["YI", "IX"])
    psi0 = initial_state(parse_psi0("zero"), n, None)
    theta, _ = newton_polish(circ, psi0, ham, np.array([0.01, np.pi / 2 - 0.02]))
    eigs = np.linalg.eigvalsh(circ.hessian(theta, psi0, ham))
    assert classify(eigs) == (1, "saddle")
    assert np.allclose(np.sort(eigs), [-4, 4], atol=1e-8)
    theta, _ = newton_polish(circ, psi0, ham, np.array([np.pi / 2 + 0.03, np.pi / 2 - 0.02]))
    assert classify(np.linalg.eigvalsh(circ.hessian(theta, psi0, ham))) == (0, "minimum")
    assert circ.loss(theta, psi0, ham) == pytest.approx(-2.0, abs=1e-12)


def test_degenerate_classification():
    assert classify(np.array([-1e-12, 2.0])) == (0, "degenerate")
    assert classify(np.array([-0.5, 2.0])) == (1, "saddle")
    assert classify(np.array([0.1, 2.0])) == (0, "minimum")


def test_workers_do_not_change_results():
    kw = dict(ansatz="pauli", hamiltonian="tfim:0.8", starts=5, instances=2, seed=9)
    a = run_simulation(3, 6, workers=1, **kw).arrays()
    b = run_simulation(3, 6, workers=2, **kw).arrays()
    for k in a:
        if k != "seconds":
            assert np.array_equal(a[k], b[k]), k


def test_bounded_task_queue_keeps_results(monkeypatch):
    # more tasks (chunks of 4 starts) than may be in flight, so the queue is refilled many times
    import rmt_qgm.simulate as sim
    monkeypatch.setattr(sim, "IN_FLIGHT_PER_WORKER", 1)
    kw = dict(hamiltonian="randspec:1", starts=24, instances=3, seed=4)
    a = run_simulation(2, 3, workers=1, **kw).arrays()
    b = run_simulation(2, 3, workers=2, **kw).arrays()
    assert b["F"].size == 72
    for k in a:
        if k != "seconds":
            assert np.array_equal(a[k], b[k]), k


def test_overparameterised_reaches_global_minimum():
    # gamma = p / 2^(n+1) = 2 for n = 2, p = 16: every run should reach E0 (docs/theory.md §6.3)
    res = run_simulation(2, 16, hamiltonian="fidelity", starts=4, instances=2, seed=3)
    s = res.summary()
    assert s["gamma"] == 2.0
    assert s["minima"]["certified"] == 8 and s["minima"]["frac_global"] == 1.0


def test_evaluate_circuit_and_errors():
    out = evaluate_circuit(2, ["YI", "IX"], "pauli:1.0*ZI+1.0*IZ", np.array([0.3, 0.2]))
    assert out["loss"] == pytest.approx(np.cos(0.6) + np.cos(0.4), abs=1e-12)
    assert np.allclose(out["gradient"], [-2 * np.sin(0.6), -2 * np.sin(0.4)], atol=1e-12)
    assert np.allclose(out["hessian"], np.diag([-4 * np.cos(0.6), -4 * np.cos(0.4)]), atol=1e-12)
    with pytest.raises(UserInputError, match="psi0"):
        evaluate_circuit(2, ["YI"], "fidelity", np.array([0.1]), psi0="haar")
    with pytest.raises(UserInputError, match="theta"):
        evaluate_circuit(2, ["YI"], "fidelity", np.array([0.1, 0.2]))
    with pytest.raises(UserInputError, match="starts"):
        run_simulation(2, 2, starts=0)
