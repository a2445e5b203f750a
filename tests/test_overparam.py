"""Issue 20, item 2: exact gates of Pauli-sum generators, the QFIM rank against p (params_c, against the
orbit dimension) and the landscape transition, each against an independent dense-matrix computation
(scipy expm, finite differences, SVD)."""
from __future__ import annotations

import json
import numpy as np
import pytest
from scipy.linalg import expm

from rmt_qgm.algebra.dla import analyse_dla, parse_state
from rmt_qgm.algebra.gates import circuit_state, loss_and_gradient, prepare_gate, prepare_gates
from rmt_qgm.algebra.generators import parse_generator_line, preset_generators, write_generators
from rmt_qgm.algebra.overparam import (analyse_overparam, certified_minima, landscape_transition,
                                       optimise_orbit, orbit_hessian, qfim_rank_curve, reach_depth)
from rmt_qgm.hamiltonians import parse_hamiltonian


@pytest.fixture(autouse=True)
def _one_blas_thread():
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1):
        yield


def gens_of(n, texts):
    return [parse_generator_line(t, n, "test") for t in texts]


def dense_circuit(gens, theta, psi0):
    psi = psi0.astype(complex)
    for k, t in enumerate(theta):
        psi = expm(-1j * t * gens[k % len(gens)].to_dense()) @ psi
    return psi


def dense_qfim_rank(gens, theta, psi0, h=1e-6):
    """Rank of the horizontal Jacobian by central differences of the dense circuit, decided at the largest
    gap of the singular values (an independent route: no Heisenberg frame, no incremental rank)."""
    psi = dense_circuit(gens, theta, psi0)
    cols = []
    for a in range(theta.size):
        e = np.zeros(theta.size)
        e[a] = h
        dpsi = (dense_circuit(gens, theta + e, psi0) - dense_circuit(gens, theta - e, psi0)) / (2 * h)
        dpsi -= psi * np.vdot(psi, dpsi)
        cols.append(np.concatenate([dpsi.real, dpsi.imag]))
    s = np.linalg.svd(np.array(cols), compute_uv=False)
    s = s[s > 1e-300]
    if s.size == 0 or s[0] < 1e-8:
        return 0
    ratios = s[1:] / s[:-1]
    small = np.nonzero(ratios < 1e-4)[0]
    return int(small[0] + 1) if small.size else int(s.size)


# ------------------------------------------------------------------------------------------- gates

@pytest.mark.parametrize("text,kind", [("XIY", "commuting"), ("0.5*ZZI-0.3*IZZ+ZIZ", "diagonal"),
                                       ("XII+IXI+IIX", "commuting"), ("XII+0.4*ZZI", "dense"),
                                       ("0.5*XXI+0.5*YYI+0.2*ZII", "dense"), ("0.3*ZZI+1.7*XII", "dense")])
def test_gate_exponentials_are_exact(text, kind):
    g = parse_generator_line(text, 3, "test")
    gate = prepare_gate(g)
    assert gate.kind == kind
    m = g.to_dense()
    sq = m @ m
    rng = np.random.default_rng(3)
    v = rng.standard_normal((8, 2)) + 1j * rng.standard_normal((8, 2))
    for th in (0.37, 2.9, -1.3):
        assert np.allclose(gate.apply(v, th), expm(-1j * th * m) @ v, atol=1e-12)
        assert np.allclose(gate.apply(v, th, dagger=True), expm(1j * th * m) @ v, atol=1e-12)
    assert np.allclose(gate.apply_generator(v), m @ v, atol=1e-12)
    if text in ("XII+IXI+IIX", "XII+0.4*ZZI"):      # sums whose squares are not the identity
        assert not np.allclose(sq, np.eye(8))


def test_circuit_and_adjoint_gradient_match_dense():
    n = 3
    gens = gens_of(n, ["XII+0.4*ZZI", "0.5*ZZI-0.3*IZZ", "XII+IXI+IIX", "YIZ"])
    rng = np.random.default_rng(11)
    theta = rng.uniform(0, 2 * np.pi, 9)
    psi0, _ = parse_state("random:4", n)
    gates = prepare_gates(gens)
    assert np.allclose(circuit_state(gates, theta, psi0), dense_circuit(gens, theta, psi0), atol=1e-12)
    hd = parse_hamiltonian("heisenberg", n).to_dense()
    f, g = loss_and_gradient(gates, theta, psi0, hd)
    F = lambda t: float(np.real(np.vdot(dense_circuit(gens, t, psi0), hd @ dense_circuit(gens, t, psi0))))
    assert abs(f - F(theta)) < 1e-12
    fd = np.array([(F(theta + e) - F(theta - e)) / 2e-6 for e in np.eye(theta.size) * 1e-6])
    assert np.allclose(g, fd, atol=1e-7)


# ---------------------------------------------------------------------------------------- QFIM rank

def test_haar_like_generators_reach_the_full_projective_dimension():
    n = 3
    gens, _ = preset_generators("local:xy-zz-ring", n)          # closes to su(8)
    psi0, _ = parse_state("zero", n)
    cur = qfim_rank_curve(gens, psi0, 60, seed=1)
    assert cur["qfim_rank_max"] == 2 ** (n + 1) - 2
    assert np.all(np.diff(cur["ranks"]) >= 0) and np.all(np.diff(cur["ranks"]) <= 1)


def test_commuting_generators_have_rank_the_number_of_distinct_generators():
    n = 3
    gens = gens_of(n, ["ZII", "IZI", "ZZI", "ZII", "IZI", "ZZI", "ZII"])   # 3 distinct commuting words
    psi0, _ = parse_state("plus", n)
    cur = qfim_rank_curve(gens, psi0, 7, seed=2)
    assert cur["ranks"] == [1, 2, 3, 3, 3, 3, 3]
    zero, _ = parse_state("zero", n)                            # |000> is an eigenstate: nothing moves
    assert qfim_rank_curve(gens, zero, 7, seed=2)["qfim_rank_max"] == 0


@pytest.mark.parametrize("name,n,psi0", [("hva:tfim-ring", 3, "zero"), ("hva:tfim-ring", 5, "plus"),
                                         ("local:x-zz-line", 4, "zero"), ("hea:ry-cz", 4, "zero"),
                                         ("hva:xxz-ring", 4, "random:1"), ("qaoa:maxcut-line", 4, "plus"),
                                         ("local:xy-zz-ring", 3, "random:2")])
def test_qfim_rank_max_equals_the_orbit_dimension(name, n, psi0):
    gens, _ = preset_generators(name, n)
    res = analyse_overparam(gens, n, psi0=psi0, seed=0)
    orbit = analyse_dla(gens, n, psi0=psi0)["orbit_dim"]
    assert res["orbit_dim"] == orbit
    assert res["qfim_rank_max"] == orbit
    # rank decisions were clear: a wide gap between kept and dropped residuals
    rd = res["rank_decision"]
    assert rd["smallest_accepted_residual"] > 1e4 * max(rd["largest_rejected_residual"], 1e-14)


@pytest.mark.parametrize("texts,n,psi0", [(["XII+0.4*ZZI", "IYZ", "0.5*ZZI-0.3*IZZ"], 3, "random:5"),
                                         (["XX+YY", "ZI"], 2, "random:1"),
                                         (["XIII+IXII+IIXI+IIIX", "ZZII+IZZI+IIZZ+0.7*ZIIZ"], 4, "plus"),
                                         (["XIIZI+0.3*ZZIII", "IYIIX", "0.5*IIZZI-0.7*IIIZZ+XIIII"], 5, "random:2")])
def test_rank_curve_matches_dense_finite_differences(texts, n, psi0):
    gens = gens_of(n, texts)
    psi, _ = parse_state(psi0, n)
    cur = qfim_rank_curve(gens, psi, 40, seed=3)
    assert cur["qfim_rank_max"] == analyse_dla(gens, n, psi0=psi0)["orbit_dim"]          # saturated within 40
    rng = np.random.default_rng(99)
    for p in sorted({1, 2, cur["params_c"] - 1, cur["params_c"], len(cur["ranks"])}):
        if p < 1:
            continue
        theta = rng.uniform(0, 2 * np.pi, p)
        assert dense_qfim_rank(gens, theta, psi) == cur["ranks"][p - 1], p


# ------------------------------------------------------------------------------- landscape transition

def test_orbit_hessian_equals_the_parameter_hessian_at_the_optimum():
    n = 3
    gens = gens_of(n, ["XII+0.4*ZZI", "IYZ", "0.5*ZZI-0.3*IZZ", "IIX"])
    psi0, _ = parse_state("random:7", n)
    hd = parse_hamiltonian("tfim:0.8", n).to_dense()
    gates = prepare_gates(gens)
    opt = optimise_orbit(gates, psi0, hd, 16, starts=3, seed=1)
    assert opt["grad_norm"] < 1e-7
    q = orbit_hessian(gates, opt["theta"], psi0, hd)
    th = opt["theta"]
    fd = np.array([(loss_and_gradient(gates, th + e, psi0, hd)[1] - loss_and_gradient(gates, th - e, psi0, hd)[1])
                   / 2e-5 for e in np.eye(th.size) * 1e-5])
    assert np.allclose(q, 0.5 * (fd + fd.T), atol=1e-6)


@pytest.mark.parametrize("preset,spec", [("local:xy-zz-ring", "fidelity"), ("local:xy-zz-ring", "projector:2"),
                                         ("local:xy-zz-ring", "projector:5"), ("hea:ry-rz-cz", "randspec:1")])
def test_haar_case_gives_2_d_minus_d0(preset, spec):
    """For a circuit whose algebra is su(2^n), R_opt = dim CP^(d-1) - dim CP^(d0-1) = 2(d - d0) (§12.1).
    hea:ry-rz-cz with randspec:1: the circuit's Jacobian at its optimum loses rank, the algebra's does not."""
    n = 3
    gens, _ = preset_generators(preset, n)
    h = parse_hamiltonian(spec, n)
    d0 = int(np.sum(np.isclose(h.spectrum, h.spectrum[0])))
    res = analyse_overparam(gens, n, psi0="random:3", hamiltonian=spec, seed=0, starts=3)
    assert res["ground_state_reachable"]
    assert res["hessian_rank_at_optimum"] == 2 * (2 ** n - d0)
    assert res["optimal_set_dim"] == 2 * (d0 - 1)
    assert res["landscape_params_c_rank"] == next(i + 1 for i, r in enumerate(res["ranks"]) if r >= 2 * (2 ** n - d0))
    assert res["reach_params_c"] is not None and res["landscape_regime"] in ("transversal", "non-transversal")


def test_landscape_params_c_against_certified_minima():
    """Certified minima of simulated circuits switch to the optimum within 2 parameters of the prediction."""
    n = 4
    gens, _ = preset_generators("hva:tfim-ring", n)
    psi0, _ = parse_state("zero", n)
    hd = parse_hamiltonian("tfim:1.0", n).to_dense()
    cur = qfim_rank_curve(gens, psi0, 20, seed=0)
    land = landscape_transition(gens, psi0, hd, cur["ranks"], cur["params_c"], starts=4, seed=0)
    pc = land["landscape_params_c"]
    assert land["optimal_set_dim"] >= 0 and pc <= cur["params_c"]
    below = certified_minima(gens, psi0, hd, pc - 2, 8, 1, land["E_opt"])
    above = certified_minima(gens, psi0, hd, pc + 2, 8, 1, land["E_opt"])
    assert below["certified"] >= 4 and above["certified"] >= 4
    assert below["fraction_at_optimum"] < 0.5
    assert above["fraction_at_optimum"] == 1.0


# ------------------------------------------------------------------------ the reach depth and the regimes

def test_reach_depth_single_qubit_by_hand():
    """Generators Z, Y (gate k uses line k mod 2) on |0>, H = X (optimum |->, E_opt = -1): the first gate only
    changes the phase (r(1) = 0), r(2) = 1, r(3) = 2 = dim CP^1 = R_opt, so the dimension count is 3; but
    exp(-i t Y) exp(-i s Z)|0> = (|0> - |1>)/sqrt 2 at t = -pi/4, so the optimum is attained at p = 2 < 3:
    the non-transversal regime, landscape_params_c = max(reach, count) = 3. With H = Y instead (optimum
    (|0> - i|1>)/sqrt 2, which no real rotation of |0> reaches) the sequence Y, Z has count 2 and attains it
    only at p = 2: transversal, 2."""
    psi0, _ = parse_state("zero", 1)
    res = analyse_overparam(gens_of(1, ["Z", "Y"]), 1, psi0="zero", hamiltonian="pauli:X", starts=4)
    assert abs(res["E_opt"] + 1.0) < 1e-9
    assert res["ranks"][:3] == [0, 1, 2] and res["landscape_params_c_rank"] == 3
    assert res["reach_params_c"] == 2 and res["landscape_regime"] == "non-transversal"
    assert res["landscape_params_c"] == 3
    res = analyse_overparam(gens_of(1, ["Y", "Z"]), 1, psi0="zero", hamiltonian="pauli:Y", starts=4)
    assert res["landscape_params_c_rank"] == 2 and res["reach_params_c"] == 2
    assert res["landscape_regime"] == "transversal" and res["landscape_params_c"] == 2
    # at p = 1 the state is real, <Y> = 0 everywhere: every certified minimum is above E_opt = -1
    low = certified_minima(gens_of(1, ["Y", "Z"]), psi0, parse_hamiltonian("pauli:Y", 1).to_dense(), 1, 4, 0, -1.0)
    assert low["certified"] == 4 and low["at_optimum"] == 0


def test_reach_depth_continuation_never_rises():
    """The best value found at p is at most the one at p - 1 (the continuation start), and the search stops at
    the first p that attains E_opt."""
    n = 4
    gens, _ = preset_generators("hva:xxz-ring", n)
    psi0, _ = parse_state("random:1", n)
    hd = parse_hamiltonian("heisenberg", n).to_dense()
    e_opt = optimise_orbit(prepare_gates(gens), psi0, hd, 18, 4, 0)["value"]
    rd = reach_depth(prepare_gates(gens), psi0, hd, e_opt, 1, 18, 2, 0)
    v = rd["reach_best_values"]
    assert all(b <= a + 1e-12 for a, b in zip(v, v[1:]))
    assert rd["reach_params_c"] == len(v) and v[-1] <= e_opt + 1e-6 * 20
    assert all(x > e_opt + 1e-6 for x in v[:-1])


def test_reach_is_where_certified_minima_switch_xxz():
    """hva:xxz-ring, n = 4, random:1, heisenberg (§10.1's table): the dimension count says 6, the sequence
    attains the optimum later; below the reach an independent search (other seed, more starts) does not attain
    it, and from the reach on every certified minimum is at the optimum (the transversal claim)."""
    n = 4
    gens, _ = preset_generators("hva:xxz-ring", n)
    psi0, _ = parse_state("random:1", n)
    hd = parse_hamiltonian("heisenberg", n).to_dense()
    cur = qfim_rank_curve(gens, psi0, 40, seed=0)
    land = landscape_transition(gens, psi0, hd, cur["ranks"], cur["params_c"], starts=8, seed=0)
    pr = land["reach_params_c"]
    assert land["landscape_regime"] == "transversal" and land["landscape_params_c"] == pr
    assert pr > land["landscape_params_c_rank"]
    width = float(np.ptp(np.linalg.eigvalsh(hd)))
    below = optimise_orbit(prepare_gates(gens), psi0, hd, pr - 1, 16, 7)
    assert below["value"] > land["E_opt"] + 1e-6 * width
    for p in (pr, pr + 1):
        r = certified_minima(gens, psi0, hd, p, 12, 3, land["E_opt"])
        assert r["certified"] >= 6 and r["fraction_at_optimum"] == 1.0


# ----------------------------------------------------------------------------------------------- CLI

# the CLI runs in process (tests/conftest.py cli_inprocess: same exit code, stdout and stderr, without 1-3 s of
# interpreter start-up per call); the subprocess entry point is covered by tests/test_cli_errors.py

def test_cli_overparam_json(tmp_path, cli_inprocess):
    gens, header = preset_generators("hva:tfim-ring", 4)
    f = write_generators(str(tmp_path / "g.txt"), gens, header)
    r = cli_inprocess(["overparam", "--qubits", "4", "--generators-file", f, "--hamiltonian", "tfim:1.0", "--starts", "2",
                 "--check-minima", "3", "--json"])
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for key in ("qfim_rank_max", "params_c", "orbit_dim", "landscape_params_c", "ranks", "hessian_rank_at_optimum"):
        assert key in out
    assert out["qfim_rank_max"] == out["orbit_dim"] == out["ranks"][out["params_c"] - 1]
    assert out["params_c"] == 1 or out["ranks"][out["params_c"] - 2] < out["qfim_rank_max"]
    ps = [r["p"] for r in out["minima_check"]]
    marks = (out["landscape_params_c_rank"], out["reach_params_c"])
    assert ps == list(range(max(1, min(marks) - 4), max(*marks, out["params_c"]) + 5))
    m = out["measured_params_c"]
    assert m is None or all(r["at_optimum"] == r["certified"] > 0 for r in out["minima_check"] if r["p"] >= m)


@pytest.mark.parametrize("extra,needle", [(["--qubits", "9"], "--qubits"), (["--qubits", "3", "--starts", "0"], "--starts"),
                                          (["--qubits", "3", "--max-params", "0"], "--max-params"),
                                          (["--qubits", "3", "--seed", "-1"], "--seed"),
                                          (["--qubits", "3", "--psi0", "bogus"], "--psi0"),
                                          (["--qubits", "3", "--hamiltonian", "projector:99"], "projector"),
                                          (["--qubits", "3", "--check-minima", "2"], "--check-minima"),
                                          (["--qubits", "3", "-H", "fidelity", "--check-minima", "-1"], "--check-minima"),
                                          (["--qubits", "4"], "line 1")])
def test_cli_overparam_bad_input(tmp_path, extra, needle, cli_inprocess):
    f = tmp_path / "g.txt"
    f.write_text("XII\nZZI+IZZ\n")
    r = cli_inprocess(["overparam", "--generators-file", str(f), *extra])
    assert r.returncode == 2, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.stderr


def test_a_state_that_does_not_move():
    """Z generators on |000>: orbit dimension 0, params_c 0, a constant landscape (transition at 0)."""
    n = 3
    gens = gens_of(n, ["ZII", "IZI"])
    res = analyse_overparam(gens, n, psi0="zero", hamiltonian="fidelity", starts=2)
    assert res["orbit_dim"] == res["qfim_rank_max"] == res["params_c"] == 0
    assert res["landscape_params_c"] == 0 and res["ground_state_reachable"]
