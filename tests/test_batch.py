"""Batched multi-start (rmt_qgm.circuits.batch, issue 22): the batched kernel against the single-start
kernel, the lock-step L-BFGS against the single-start L-BFGS, and run_simulation's two paths against
each other on the same instances and starts."""
import numpy as np
import pytest
from scipy.stats import ks_2samp

from rmt_qgm.circuits import batch as BT
from rmt_qgm.circuits.ansatz import Circuit, build_circuit, initial_state
from rmt_qgm.circuits.lbfgs import lbfgs
from rmt_qgm.circuits.optimize import GRAD_TOL
from rmt_qgm.hamiltonians import parse_hamiltonian, random_pauli_sum
from rmt_qgm.simulate import run_simulation
from rmt_qgm.spec import parse_psi0


def _case(ansatz, n, p, ham_spec, seed):
    rng = np.random.default_rng(seed)
    circ = build_circuit(ansatz, n, p, rng)
    ham = parse_hamiltonian(ham_spec if ham_spec else random_pauli_sum(n, 6, rng), n)
    return circ, ham, initial_state(parse_psi0("haar"), n, rng), rng


def _without_adjoints(circ):
    """The same randomized circuit with the adjoint stack dropped (the large-stack layout)."""
    ops = circ.ops.copy()
    ops[ops[:, 0] == 1, 2] = 0
    return Circuit(circ.n, circ.n_params, ops, circ.dense[:circ.n_params + 1].copy(), circ.diags,
                   circ.ansatz)


@pytest.mark.parametrize("ansatz,n,p,ham", [("randomized", 3, 5, "fidelity"), ("pauli", 4, 9, None),
                                            ("hea", 3, 8, "tfim:0.7")])
@pytest.mark.parametrize("store", [0, 1 << 30])
def test_batched_kernel_matches_single(ansatz, n, p, ham, store):
    circ, h, psi0, rng = _case(ansatz, n, p, ham, 3)
    circs = [circ] + ([_without_adjoints(circ)] if ansatz == "randomized" else [])
    thetas = rng.uniform(0, 2 * np.pi, (5, p))
    for c in circs:
        F, G = BT.loss_and_grad_batch(c.ops, thetas, psi0, c.dense, c.diags, h.xmasks, h.coeffs, store)
        for b in range(5):
            f, g = circ.loss_and_grad(thetas[b], psi0, h)
            assert abs(F[b] - f) < 1e-12
            assert np.max(np.abs(G[b] - g)) < 1e-12


# every compiled form of a generators-file line, and a circuit of them (shared with the Hessian-free kernels' tests)
from test_newton_cg import GEN_LINES, _generator_case  # noqa: E402


@pytest.mark.parametrize("store", [0, 1 << 30])
def test_batched_kernel_takes_generators_file_gates(store):
    """Coefficient-carrying gates (OP_PDIAG) and fixed Clifford rotations (OP_FROT) in the batched kernel: loss
    and gradient of every column equal the single-start kernel's, with and without stored states."""
    from rmt_qgm.circuits.kernels import OP_FROT, OP_PDIAG
    circ, forms, h, psi0, rng = _generator_case(GEN_LINES, 3, 13, "heisenberg", 21)
    assert len(set(forms)) == 4
    assert {OP_PDIAG, OP_FROT} <= set(circ.ops[:, 0].tolist())
    thetas = rng.uniform(0, 2 * np.pi, (6, 13))
    F, G = BT.loss_and_grad_batch(circ.ops, thetas, psi0, circ.dense, circ.diags, h.xmasks, h.coeffs, store)
    for b in range(6):
        f, g = circ.loss_and_grad(thetas[b], psi0, h)
        assert abs(F[b] - f) < 1e-12
        assert np.max(np.abs(G[b] - g)) < 1e-12


def test_batch_path_takes_generators_files(tmp_path):
    """run_simulation with a generators file, batched and one start at a time, same starts: every start certified
    and at least 90 % of them at the same minimum value (1e-9), as test_batch_path_agrees_with_single_path_on_the_
    same_starts requires of the randomized ansatz."""
    f = tmp_path / "gens.txt"
    f.write_text("\n".join(GEN_LINES) + "\n")
    kw = dict(hamiltonian="tfim:0.7", starts=12, instances=2, seed=5, generators_file=str(f))
    a = run_simulation(3, 16, **kw).arrays()
    b = run_simulation(3, 16, batch=4, **kw).arrays()
    assert np.array_equal(a["instance"], b["instance"]) and np.array_equal(a["start"], b["start"])
    assert a["certified"].all() and b["certified"].all()
    assert np.mean(np.abs(a["F"] - b["F"]) <= 1e-9) >= 0.9


def test_lockstep_lbfgs_is_the_single_start_algorithm():
    # same algorithm per start; the batched products round differently, so compare results, not bits
    circ, h, psi0, rng = _case("randomized", 4, 16, "fidelity", 5)
    th0 = rng.uniform(0, 2 * np.pi, (12, 16))
    x, f, g, it, ev, st = BT.lbfgs_batch(circ.ops, th0, psi0, circ.dense, circ.diags, h.xmasks, h.coeffs,
                                         30, 20000, 1e-11, 5)           # a window of 5: starts enter late
    for s in range(12):
        x1, f1, g1, it1, ev1, st1 = lbfgs(circ.ops, th0[s], psi0, circ.dense, circ.diags, h.xmasks,
                                          h.coeffs, 30, 20000, 1e-11)
        assert st[s] == st1 == 0
        assert abs(f[s] - f1) < 1e-12 and np.max(np.abs(g[s])) <= 1e-11
        assert abs(it[s] - it1) <= max(3, 0.1 * it1)     # rounding may change the last few iterations


def test_batch_path_agrees_with_single_path_on_the_same_starts():
    """Same instances, same start seeds: the minima agree start by start, and in distribution.

    A start's certified point is a critical point with max|grad| <= GRAD_TOL = 1e-8; two runs that end
    in the same minimum agree in F to O(GRAD_TOL^2 / lambda_min), far below 1e-9, and in every angle
    modulo pi. The paths differ only in rounding, which can at most divert a rare start into a
    neighbouring basin: at least 90 % of the starts must end in the same minimum, and the certified
    minima values must pass a two-sample Kolmogorov-Smirnov test at level 0.01."""
    kw = dict(ansatz="randomized", hamiltonian="randspec:3", starts=24, instances=2, seed=11)
    a = run_simulation(4, 12, **kw).arrays()
    b = run_simulation(4, 12, batch=8, **kw).arrays()
    assert np.array_equal(a["instance"], b["instance"]) and np.array_equal(a["start"], b["start"])
    assert a["certified"].all() and b["certified"].all()
    assert (b["grad_norm"] <= GRAD_TOL).all()
    d = np.abs(np.mod(a["theta"], np.pi) - np.mod(b["theta"], np.pi))
    same = (np.abs(a["F"] - b["F"]) <= 1e-9) & (np.max(np.minimum(d, np.pi - d), axis=1) <= 1e-5)
    assert same.mean() >= 0.9, same.mean()
    assert np.array_equal(a["index"][same], b["index"][same])
    ma, mb = a["F"][a["index"] == 0], b["F"][b["index"] == 0]
    assert ks_2samp(ma, mb).pvalue >= 0.01


def test_batch_results_do_not_depend_on_workers():
    kw = dict(ansatz="pauli", hamiltonian="tfim:0.8", starts=9, instances=2, seed=9, batch=4)
    a = run_simulation(3, 6, workers=1, **kw).arrays()
    b = run_simulation(3, 6, workers=2, **kw).arrays()
    for k in a:
        if k != "seconds":
            assert np.array_equal(a[k], b[k]), k


# --- second-order endgame (issue 22 item 2) -------------------------------------------------------

def test_trust_region_step_solves_the_subproblem():
    from rmt_qgm.circuits.optimize import _tr_step
    rng = np.random.default_rng(4)
    for trial in range(20):
        p = 6
        a = rng.standard_normal((p, p))
        h = a + a.T if trial % 2 else a @ a.T + 0.1 * np.eye(p)       # indefinite / positive definite
        g = rng.standard_normal(p)
        delta = float(rng.uniform(0.05, 3.0))
        w, v = np.linalg.eigh(h)
        s = _tr_step(w, v, g, delta)

        def model(x):
            return g @ x + 0.5 * x @ h @ x

        assert np.linalg.norm(s) <= delta * (1 + 1e-9)
        # no feasible point does better: random points of the ball and the scaled steepest descent
        cands = rng.standard_normal((4000, p))
        cands *= (delta * rng.uniform(0, 1, (4000, 1)) ** (1 / p)) / np.linalg.norm(cands, axis=1)[:, None]
        cands = np.vstack([cands, -delta * g / np.linalg.norm(g)])
        best = min(model(c) for c in cands)
        assert model(s) <= best + 1e-9


def test_lbfgs_hands_over_to_the_endgame():
    from rmt_qgm.circuits.lbfgs import SWITCHED
    circ, h, psi0, rng = _case("randomized", 4, 16, "fidelity", 5)
    th0 = rng.uniform(0, 2 * np.pi, 16)
    args = (circ.ops, th0, psi0, circ.dense, circ.diags, h.xmasks, h.coeffs, 30, 20000, 1e-11)
    x, f, g, it, ev, st = lbfgs(*args, 1e-4)
    assert st == SWITCHED and 1e-11 < np.max(np.abs(g)) <= 1e-4
    x2, f2, g2, it2, ev2, st2 = lbfgs(*args, 0.0)
    assert st2 == 0 and it2 > it
    # a stall window of 3 iterations that demands a factor 1e-30 of progress: hand over at iteration 3
    x3, f3, g3, it3, ev3, st3 = lbfgs(*args, 0.0, 3, 1e-30)
    assert st3 == SWITCHED and it3 == 3
    xb, fb, gb, itb, evb, stb = BT.lbfgs_batch(circ.ops, th0[None, :], psi0, circ.dense, circ.diags,
                                               h.xmasks, h.coeffs, 30, 20000, 1e-11, 1, 0.0, 3, 1e-30)
    assert stb[0] == SWITCHED and itb[0] == 3


def test_trust_region_newton_finishes_in_the_same_minimum():
    from rmt_qgm.circuits.optimize import trust_region_newton
    circ, h, psi0, rng = _case("randomized", 4, 32, "fidelity", 8)       # gamma = 1
    for j in range(4):
        th0 = rng.uniform(0, 2 * np.pi, 32)
        args = (circ.ops, th0, psi0, circ.dense, circ.diags, h.xmasks, h.coeffs, 30, 20000, 1e-11)
        x_full, f_full, *_ = lbfgs(*args)
        x_sw, *_ = lbfgs(*args, 1e-5)
        th, f, g, steps = trust_region_newton(circ, psi0, h, x_sw)
        assert np.max(np.abs(g)) <= 1e-11 and steps >= 1
        assert abs(f - f_full) <= 1e-9


def test_endgame_path_agrees_with_plain_path():
    """Same starts with and without the endgame (batched and single-start): every result certified,
    and at least 90 % of the starts end in the same minimum value (the endgame only changes how the
    last stretch is walked)."""
    kw = dict(ansatz="randomized", hamiltonian="fidelity", starts=12, instances=2, seed=2)
    a = run_simulation(4, 32, **kw).arrays()
    for extra in ({"endgame": True}, {"endgame": True, "batch": 4}):
        b = run_simulation(4, 32, **kw, **extra).arrays()
        assert b["certified"].all()
        assert np.mean(np.abs(a["F"] - b["F"]) <= 1e-9) >= 0.9
