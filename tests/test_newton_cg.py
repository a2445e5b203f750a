"""Truncated-Newton endgame (rmt_qgm.circuits.newton_cg, issue 22): the stored-state kernels against the
exact kernels, Steihaug-CG against its defining properties, and the endgame against the L-BFGS and
exact-Hessian paths on the same starts."""
import numpy as np
import pytest

from rmt_qgm.circuits import newton_cg as NC
from rmt_qgm.circuits import optimize as O
from rmt_qgm.circuits.ansatz import build_circuit, initial_state
from rmt_qgm.circuits.lbfgs import lbfgs
from rmt_qgm.hamiltonians import parse_hamiltonian, random_pauli_sum
from rmt_qgm.simulate import run_simulation
from rmt_qgm.spec import parse_psi0


def _case(ansatz, n, p, ham_spec, seed):
    rng = np.random.default_rng(seed)
    circ = build_circuit(ansatz, n, p, rng)
    ham = parse_hamiltonian(ham_spec if ham_spec else random_pauli_sum(n, 6, rng), n)
    return circ, ham, initial_state(parse_psi0("haar"), n, rng), rng


@pytest.mark.parametrize("ansatz,n,p,ham", [("randomized", 3, 7, "fidelity"), ("pauli", 4, 9, None),
                                            ("hea", 3, 14, "tfim:0.7")])
def test_stored_state_kernels_match_the_exact_kernels(ansatz, n, p, ham):
    """loss_grad_states = loss_and_grad, and hvp_stored = (exact dressed-block Hessian) @ v, to rounding."""
    circ, h, psi0, rng = _case(ansatz, n, p, ham, 3)
    assert NC.supported(circ)
    for _ in range(3):
        _check_stored_kernels(circ, h, psi0, rng.uniform(0, 2 * np.pi, p), rng)


def _check_stored_kernels(circ, h, psi0, th, rng):
    """loss_grad_states = loss_and_grad and hvp_stored = Circuit.hessian @ v at th, to rounding; the Hessian."""
    p = th.size
    f, g, PS, LS = NC.loss_grad_states(circ.ops, th, psi0, circ.dense, circ.diags, h.xmasks, h.coeffs)
    f0, g0 = circ.loss_and_grad(th, psi0, h)
    hess = circ.hessian(th, psi0, h)
    scale = max(1.0, np.abs(hess).max())
    assert abs(f - f0) <= 1e-12 * scale and np.abs(g - g0).max() <= 1e-12 * scale
    for v in (rng.standard_normal(p), np.eye(p)[p - 1], np.eye(p)[0]):
        hv = NC.hvp_stored(circ.ops, th, circ.dense, circ.diags, h.xmasks, h.coeffs, PS, LS, v)
        assert np.abs(hv - hess @ v).max() <= 1e-11 * scale * max(1.0, np.abs(v).sum())
    return hess


def _model(g, h, s):
    return g @ s + 0.5 * s @ h @ s


def test_steihaug_cg_properties():
    """Inside the radius; at least the Cauchy decrease (Nocedal & Wright Thm. 7.2's premise: the first CG
    step is the Cauchy point); the exact Newton step when H > 0 and it fits; and a shorter radius read off
    the stored path equals a fresh run at that radius."""
    rng = np.random.default_rng(11)
    for trial in range(40):
        p = 8
        a = rng.standard_normal((p, p))
        h = a + a.T if trial % 2 else a @ a.T + 0.1 * np.eye(p)
        g = rng.standard_normal(p)
        delta = float(rng.uniform(0.05, 5.0))
        path, k = NC.steihaug(lambda x: h @ x, g, delta, 1e-12, 50)
        s, pred, boundary = path.step(delta)
        assert np.linalg.norm(s) <= delta * (1 + 1e-12)
        assert pred == pytest.approx(-_model(g, h, s), rel=1e-9, abs=1e-12)
        gHg = g @ h @ g
        tau = 1.0 if gHg <= 0 else min(1.0, np.linalg.norm(g) ** 3 / (delta * gHg))
        cauchy = -tau * delta * g / np.linalg.norm(g)
        assert _model(g, h, s) <= _model(g, h, cauchy) + 1e-10
        newton = np.linalg.solve(h, -g)
        if trial % 2 == 0 and np.linalg.norm(newton) < delta:
            assert not boundary and np.allclose(s, newton, atol=1e-8)
        small = 0.3 * np.linalg.norm(s)
        s2, pred2, _ = path.step(small)
        fresh, _ = NC.steihaug(lambda x: h @ x, g, small, 1e-12, 50)
        s3, pred3, _ = fresh.step(small)
        assert np.allclose(s2, s3, atol=1e-12) and pred2 == pytest.approx(pred3, rel=1e-9, abs=1e-14)


@pytest.mark.parametrize("precondition", [True, False])
def test_truncated_newton_finishes_in_the_lbfgs_minimum(precondition):
    circ, h, psi0, rng = _case("randomized", 4, 32, "fidelity", 8)       # gamma = 1: degenerate minima
    for j in range(4):
        th0 = rng.uniform(0, 2 * np.pi, 32)
        args = (circ.ops, th0, psi0, circ.dense, circ.diags, h.xmasks, h.coeffs, 30, 20000, 1e-11)
        x_full, f_full, *_ = lbfgs(*args)
        x_sw, *_ = lbfgs(*args, 1e-5)
        th, f, g, steps, n_hv, n_hess = NC.newton_cg_trust_region(
            circ, psi0, h, x_sw, gtol=O.LBFGS_GTOL, max_iter=O.TR_MAX_ITER, eta=O.TR_ETA,
            eig_rel_tol=O.EIG_REL_TOL, precondition=precondition)
        assert np.max(np.abs(g)) <= 1e-11 and steps >= 1 and n_hv >= 1
        assert n_hess >= 1 if precondition else n_hess == 0
        assert abs(f - f_full) <= 1e-9


def test_unconverged_endgame_returns_its_best_point():
    """Stopped by max_iter before the gradient tolerance, the endgame returns the accepted point of smallest
    max|grad| (the last point can be far worse near a degenerate minimum), with that point's F and gradient."""
    circ, h, psi0, rng = _case("randomized", 4, 32, "fidelity", 8)
    checked = 0
    for j in range(6):
        th0 = rng.uniform(0, 2 * np.pi, 32)
        x_sw, *_ = lbfgs(circ.ops, th0, psi0, circ.dense, circ.diags, h.xmasks, h.coeffs, 30, 20000, 1e-11,
                         3e-2, 100, 0.1)
        g0 = float(np.max(np.abs(circ.loss_and_grad(x_sw, psi0, h)[1])))
        for m in (2, 4, 6):
            trace = []
            th, f, g, steps, _, _ = NC.newton_cg_trust_region(circ, psi0, h, x_sw, gtol=1e-11, max_iter=m,
                                                              eta=O.TR_ETA, eig_rel_tol=O.EIG_REL_TOL, trace=trace)
            gn = float(np.max(np.abs(g)))
            if gn <= 1e-11:
                continue
            accepted = [row[1] for row in trace if row[-1]]
            assert gn == pytest.approx(min([g0] + accepted), rel=1e-10)
            f_c, g_c = circ.loss_and_grad(th, psi0, h)
            assert f == pytest.approx(f_c, abs=1e-13) and np.allclose(g, g_c, atol=1e-13)
            checked += 1
    assert checked >= 6


def test_radius_reset_after_a_refresh_keeps_the_minimum(monkeypatch):
    """A hand-over far from the minimum (max|grad| 3e-2, n = 4, gamma = 1) makes the preconditioner refresh;
    restarting the trust radius from the last accepted step after a refresh (NC.REFRESH_RADIUS) still
    reaches the gradient tolerance, and at the same minimum as keeping the radius."""
    circ, h, psi0, rng = _case("randomized", 4, 32, "fidelity", 8)
    kw = dict(gtol=O.LBFGS_GTOL, max_iter=O.TR_MAX_ITER, eta=O.TR_ETA, eig_rel_tol=O.EIG_REL_TOL)
    rule = NC.REFRESH_RADIUS
    assert rule is not None
    refreshed = 0
    for j in range(4):
        th0 = rng.uniform(0, 2 * np.pi, 32)
        x_sw, *_ = lbfgs(circ.ops, th0, psi0, circ.dense, circ.diags, h.xmasks, h.coeffs, 30, 20000, 1e-11,
                         3e-2, 100, 0.1)
        out = {}
        for r in (None, rule):
            monkeypatch.setattr(NC, "REFRESH_RADIUS", r)
            th, f, g, steps, n_hv, n_hess = NC.newton_cg_trust_region(circ, psi0, h, x_sw, **kw)
            assert np.max(np.abs(g)) <= 1e-11
            out[r] = (f, n_hess)
        assert abs(out[None][0] - out[rule][0]) <= 1e-9
        refreshed += out[rule][1] >= 2
    assert refreshed >= 2


def test_cg_endgame_agrees_with_plain_and_exact_paths():
    """run_simulation with endgame="cg" against the plain L-BFGS path and the exact-Hessian endgame on the
    same instances and starts (gamma = 0.75, where local minima at finite loss exist, and gamma = 1):
    every start certified, and the same minimum value (1e-9) from the same start. The endgame changes
    only how the last stretch from the hand-over point is walked; a start may still end in a different
    minimum where the hand-over point lies near a basin boundary. In a pilot (n = 5, p = 48, 4 x 24
    starts) all 96 starts agreed; here 2 x 12 starts per gamma must agree in at least 21 of 24: with a
    true disagreement rate of 2 % the chance of 4 or more disagreements is 1.2e-3 (binomial), and at
    20 % the test fails with probability 0.74."""
    for p in (24, 32):
        kw = dict(ansatz="randomized", hamiltonian="fidelity", starts=12, instances=2, seed=4)
        a = run_simulation(4, p, **kw).arrays()
        b = run_simulation(4, p, **kw, endgame="exact").arrays()
        c = run_simulation(4, p, **kw, endgame="cg").arrays()
        assert c["certified"].all()
        assert np.sum(np.abs(a["F"] - c["F"]) <= 1e-9) >= 21
        assert np.sum(np.abs(b["F"] - c["F"]) <= 1e-9) >= 21
        assert np.any(c["endgame_steps"] > 0)


def test_endgame_is_a_method_parameter_of_sweep_tasks():
    """A task's endgame is passed to the simulation but changes neither its identity nor its seed, so
    paper-fig1's runs at gamma >= 0.75 (endgame "cg") are the same instances and store entries as before."""
    from rmt_qgm.paper_fig1 import ENDGAME, ENDGAME_MIN_GAMMA, sweep_config
    from rmt_qgm.sweep.config import parse_config
    from rmt_qgm.sweep.task import Task
    kw = dict(n_qubits=3, n_params=12, ansatz="randomized", hamiltonian="fidelity", psi0="haar", starts=1,
              instance=0)
    a, b = Task.make(root_seed=5, **kw), Task.make(root_seed=5, **kw, endgame="cg")
    assert a.identity == b.identity and a.seed == b.seed and b.as_dict()["endgame"] == "cg"
    cfg = sweep_config((3, 4), (0.5, 1.0), 0, instances=2)
    plain = parse_config({"seed": 0, "axes": {"qubits": [3, 4], "gamma": [0.5, 1.0], "ansatz": "randomized",
                                              "hamiltonian": "fidelity", "psi0": "haar", "starts": 1,
                                              "instances": 2}})
    assert cfg.config_hash == plain.config_hash
    assert [(t.identity, t.seed) for t in cfg.tasks] == [(t.identity, t.seed) for t in plain.tasks]
    for t in cfg.tasks:
        d = t.as_dict()
        high = d["n_params"] >= ENDGAME_MIN_GAMMA * 2 ** (d["n_qubits"] + 1)
        assert d.get("endgame") == (ENDGAME if high else None)


@pytest.mark.parametrize("ansatz,n,p,ham", [("randomized", 3, 7, "fidelity"), ("randomized", 4, 40, "fidelity"),
                                            ("pauli", 4, 9, None), ("hea", 3, 14, "tfim:0.7")])
def test_blas_hessian_is_the_exact_hessian(ansatz, n, p, ham):
    """hessian_blas (dressed states as rows, dense gates as one matrix product) = Circuit.hessian to rounding,
    at random points and at an L-BFGS minimum (same eigenvalues there, so the same certification)."""
    circ, h, psi0, rng = _case(ansatz, n, p, ham, 5)
    assert NC.hessian_rows_ok(circ)
    for _ in range(3):
        th = rng.uniform(0, 2 * np.pi, p)
        ref = circ.hessian(th, psi0, h)
        got = NC.hessian_blas(circ, th, psi0, h)
        assert got.shape == (p, p) and np.array_equal(got, got.T)
        assert np.abs(got - ref).max() <= 1e-12 * max(1.0, np.abs(ref).max())
    x, *_ = lbfgs(circ.ops, rng.uniform(0, 2 * np.pi, p), psi0, circ.dense, circ.diags, h.xmasks, h.coeffs,
                  30, 20000, 1e-11)
    w_ref, w = np.linalg.eigvalsh(circ.hessian(x, psi0, h)), np.linalg.eigvalsh(NC.hessian_blas(circ, x, psi0, h))
    assert np.abs(w - w_ref).max() <= 1e-12 * max(1.0, np.abs(w_ref).max())
    assert O.classify(w) == O.classify(w_ref)


def test_cg_endgame_certifies_with_the_blas_hessian(monkeypatch):
    """With endgame="cg" the refreshes and the certification use hessian_blas (counted here); the records
    equal those certified with Circuit.hessian (same F, kind, index; smallest eigenvalues to rounding)."""
    circ, h, psi0, rng = _case("randomized", 4, 32, "fidelity", 8)
    ref = [O._record(circ, psi0, h, O.optimise_start(circ, psi0, h, np.random.default_rng(j), endgame="cg").theta,
                     0, 0.0) for j in range(3)]
    calls = []
    blas = NC.hessian_blas
    monkeypatch.setattr(NC, "hessian_blas", lambda *a: calls.append(1) or blas(*a))
    for j in range(3):
        rec = O.optimise_start(circ, psi0, h, np.random.default_rng(j), endgame="cg")
        assert rec.certified and rec.F == pytest.approx(ref[j].F, abs=1e-12)
        assert (rec.kind, rec.index) == (ref[j].kind, ref[j].index)
        assert np.allclose(rec.min_eigs, ref[j].min_eigs, rtol=0, atol=1e-10)
    assert len(calls) >= 3


def test_collapsed_radius_refreshes_the_preconditioner_instead_of_stopping(monkeypatch):
    """After a first accepted step, every step is rejected while the first H_0 is in use (step_ratio patched),
    so the trust radius collapses at a point H_0 was not taken at. With STALL_REFRESH the endgame takes H_0
    anew there, restarts the radius and reaches the gradient tolerance at the unpatched run's minimum; without
    it, it stops above the tolerance (the behaviour before; paper-fig1 n = 8, gamma = 1 instance 7 once
    ended so, uncertified, at max|grad| 2e-8)."""
    circ, h, psi0, rng = _case("randomized", 4, 32, "fidelity", 8)
    kw = dict(gtol=O.LBFGS_GTOL, max_iter=O.TR_MAX_ITER, eta=O.TR_ETA, eig_rel_tol=O.EIG_REL_TOL)
    x_sw, *_ = lbfgs(circ.ops, rng.uniform(0, 2 * np.pi, 32), psi0, circ.dense, circ.diags, h.xmasks, h.coeffs,
                     30, 20000, 1e-11, 1e-5)
    f_ref = NC.newton_cg_trust_region(circ, psi0, h, x_sw, **kw)[1]
    calls, state = [], {"accepted": False}
    blas, real = NC.hessian_blas, NC.step_ratio
    monkeypatch.setattr(NC, "hessian_blas", lambda *a: calls.append(1) or blas(*a))

    def ratio(*a):
        if len(calls) == 1 and state["accepted"]:
            return 0.0, False
        r = real(*a)
        state["accepted"] |= r[1]
        return r

    monkeypatch.setattr(NC, "step_ratio", ratio)
    for stall in (False, True):
        calls.clear()
        state["accepted"] = False
        monkeypatch.setattr(NC, "STALL_REFRESH", stall)
        th, f, g, steps, n_hv, n_hess = NC.newton_cg_trust_region(circ, psi0, h, x_sw, **kw)
        if stall:
            assert np.max(np.abs(g)) <= 1e-11 and n_hess >= 2 and abs(f - f_ref) <= 1e-9
        else:
            assert np.max(np.abs(g)) > 1e-11 and n_hess == 1


def _generator_case(lines, n, p, ham_spec, seed):
    from rmt_qgm.algebra.generators import parse_generator_line
    from rmt_qgm.circuits.structured import circuit_forms, generator_circuit
    gens = [parse_generator_line(g, n, "generators") for g in lines]
    rng = np.random.default_rng(seed)
    return (generator_circuit(n, p, gens), circuit_forms(gens), parse_hamiltonian(ham_spec, n),
            initial_state(parse_psi0("haar"), n, rng), rng)


# every compiled form of a generators-file line: a Pauli word (rotation), a diagonal sum (OP_PDIAG), a commuting
# sum behind fixed Clifford rotations (OP_FROT + OP_PDIAG) and a non-commuting sum (dense basis change + OP_PDIAG)
GEN_LINES = ["XYI", "0.5*ZZI-0.3*IZZ+0.2*ZII", "XXI+YYI", "0.7*XII+0.4*IZI-0.2*IYY"]


def test_stored_state_kernels_take_generators_file_gates():
    """The Hessian-free kernels on a generators-file circuit (coefficient-carrying gates, D^2 != I): loss and
    gradient equal loss_and_grad, and hvp_stored equals the exact Hessian (Circuit.hessian, which handles D^2)
    times v, to rounding; the BLAS Hessian is not used for such circuits."""
    circ, forms, h, psi0, rng = _generator_case(GEN_LINES, 3, 11, "heisenberg", 7)
    assert len(set(forms)) == 4, forms          # the four compiled forms are all exercised
    assert NC.supported(circ) and not NC.hessian_rows_ok(circ)
    for _ in range(3):
        th = rng.uniform(0, 2 * np.pi, circ.n_params)
        hess = _check_stored_kernels(circ, h, psi0, th, rng)
        assert np.abs(NC.hessian_blas(circ, th, psi0, h) - hess).max() == 0.0     # handed to Circuit.hessian


def test_cg_endgame_runs_generators_files(tmp_path):
    """simulate with a generators file and endgame "cg": every start certified, and the same minimum value
    (1e-9) as the exact-Hessian endgame from the same start in at least 10 of 12 starts (a start may end in
    another minimum when the hand-over point lies near a basin boundary, as in
    test_cg_endgame_agrees_with_plain_and_exact_paths; there all 96 pilot starts agreed)."""
    f = tmp_path / "gens.txt"
    f.write_text("\n".join(GEN_LINES) + "\n")
    kw = dict(hamiltonian="tfim:0.7", starts=6, instances=2, seed=3, generators_file=str(f))
    b = run_simulation(3, 16, **kw, endgame="exact").arrays()
    c = run_simulation(3, 16, **kw, endgame="cg").arrays()
    assert c["certified"].all()
    assert np.sum(np.abs(b["F"] - c["F"]) <= 1e-9) >= 10
