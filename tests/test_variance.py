"""Issue 20, item 3: Var[l] ([R24] Theorem 1) and Var[dl/dtheta_k] (docs/theory.md §10.2) of deep circuits
predicted from the DLA, against sampled deep circuits with a tolerance from the sampling statistics, and the
ideal decomposition against dense matrices."""
from __future__ import annotations

import json

import numpy as np
import pytest

from rmt_qgm.algebra.dla import lie_closure, parse_state, structure
from rmt_qgm.algebra.generators import parse_generator_line, preset_generators, write_generators
from rmt_qgm.algebra.pauli import PauliSum
from rmt_qgm.algebra.variance import (ad_frobenius2, ad_matrix, hamiltonian_pauli_sum, ideal_bases,
                                      predict_variance, sample_variance)
from rmt_qgm.hamiltonians import parse_hamiltonian

#: z-score bound of a prediction against a sampled variance (|z| > 4 has probability ~6e-5 under the null)
Z_MAX = 4.0


@pytest.fixture(autouse=True)
def _one_blas_thread():
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1):
        yield


def test_haar_value_for_su_d():
    """su(2^n): P(rho) = 1 - 1/d, P(O) = Tr O^2 = d for a Pauli word, Var[l] = (d - 1)/(d^2 - 1) = 1/(d + 1)
    (the Haar value), and ||ad_P||_F^2 = 4 * (number of words anticommuting with P) = 2 d^2."""
    n = 3
    d = 2 ** n
    gens, _ = preset_generators("local:xy-zz-ring", n)
    res = predict_variance(gens, n, "random:3", PauliSum.word("ZIX"))
    assert res["applicable"] and len(res["ideals"]) == 1
    assert res["var_loss"] == pytest.approx(1.0 / (d + 1), rel=1e-12)
    basis = lie_closure(gens, n)
    assert ad_frobenius2(basis, PauliSum.word("XII")) == pytest.approx(2 * d * d)
    assert np.allclose(res["var_grad"], (1 - 1 / d) * d * 2 * d * d / (d * d - 1) ** 2)


def test_ideal_bases_are_orthogonal_invariant_and_match_the_structure():
    """tfim ring, n = 4: three su(2) ideals and a 2-dimensional centre; every ideal is mapped into itself by
    each ad_G (an ideal), the centre is killed by them, and all are mutually orthogonal."""
    n = 4
    gens, _ = preset_generators("hva:tfim-ring", n)
    basis = lie_closure(gens, n)
    st = structure(basis)
    ib = ideal_bases(basis, st)
    qs = [q for _, q in ib["ideals"]]
    assert sorted(q.shape[1] for q in qs) == sorted(t["dim"] for t in st["ideals"])
    assert ib["centre"].shape[1] == st["centre_dim"]
    allq = np.hstack([ib["centre"]] + qs)
    assert np.allclose(allq.T @ allq, np.eye(basis.dim), atol=1e-9)
    ads = [ad_matrix(basis, g) for g in gens]
    for q in qs:
        proj = q @ q.T
        for a in ads:
            assert np.allclose(proj @ a @ q, a @ q, atol=1e-9)
    for a in ads:
        assert np.allclose(a @ ib["centre"], 0.0, atol=1e-9)


def test_ideals_found_when_dla_left_them_undetermined():
    """dla leaves large non-Pauli algebras undecomposed ('undetermined'); variance then separates the ideals
    itself. Forced here on the tfim ring: the same projectors and types as from dla's decomposition."""
    n = 4
    gens, _ = preset_generators("hva:tfim-ring", n)
    basis = lie_closure(gens, n)
    st = structure(basis)
    fake = dict(st, ideals=[{"dim": sum(t["dim"] for t in st["ideals"]), "type": "undetermined", "simple": None}])
    own, ref = ideal_bases(basis, fake), ideal_bases(basis, st)
    assert sorted(r["type"] for r, _ in own["ideals"]) == sorted(r["type"] for r, _ in ref["ideals"])
    p_own = sum(np.kron(q @ q.T, q @ q.T) for _, q in own["ideals"])     # order-free comparison
    p_ref = sum(np.kron(q @ q.T, q @ q.T) for _, q in ref["ideals"])
    assert np.allclose(p_own, p_ref, atol=1e-9)


def test_so4_ideals_and_purities_match_dense():
    """The imaginary antisymmetric 4 x 4 matrices: so(4) = su(2) + su(2) (ideals {YI, XY, ZY} and
    {IY, YX, YZ}); the purities P_a(rho) against dense matrices."""
    n = 2
    gens = [parse_generator_line(t, n, "t") for t in ("YI", "IY", "XY", "YX")]
    basis = lie_closure(gens, n)
    st = structure(basis)
    assert [t["type"] for t in st["ideals"]] == ["su(2)", "su(2)"]
    ib = ideal_bases(basis, st)
    for _, q in ib["ideals"]:
        assert q.shape[1] == 3
        proj = q @ q.T
        assert np.allclose(proj @ proj, proj, atol=1e-10)
    labels = basis.labels()
    spans = sorted(sorted(lab for lab, w in zip(labels, np.diag(q @ q.T)) if w > 0.5) for _, q in ib["ideals"])
    assert spans == [["IY", "YX", "YZ"], ["XY", "YI", "ZY"]]
    # rho = |00><00| projected on the two ideals, by dense matrices: P_a(rho) = sum_j Tr(B_j rho)^2
    psi, _ = parse_state("zero", n)
    res = predict_variance(gens, n, "zero", PauliSum.word("YI"))
    rho = np.outer(psi, psi.conj())
    words = basis.elements()
    for comp, (_, q) in zip(res["ideals"], ib["ideals"]):
        ref = 0.0
        for col in q.T:
            b = sum(c * w.to_dense() for c, w in zip(col, words)) / 2.0   # Tr(B^2) = 1
            ref += np.real(np.trace(b @ rho)) ** 2
        assert comp["P_rho"] == pytest.approx(ref, abs=1e-12)


def test_diagonal_observable_walsh_hadamard():
    n = 3
    ps = hamiltonian_pauli_sum("randspec:4", n)
    assert np.allclose(ps.to_dense(), parse_hamiltonian("randspec:4", n).to_dense(), atol=1e-12)


def test_outside_the_algebra_is_not_applicable():
    n = 3
    gens = [parse_generator_line(t, n, "t") for t in ("XII", "IXI", "IIX")]   # abelian, local
    res = predict_variance(gens, n, "zero", PauliSum.word("ZZI"))
    assert not res["applicable"] and res["var_loss"] is None


# samples: 200 in the default suite, 800 in the slow one (the first 200 draws are the same: one seeded stream).
# z = (sampled - predicted) / se with se = sqrt((m4 - s^4) / N) from the samples themselves, so |z| < Z_MAX keeps
# its false-alarm rate (~6e-5 per z, normal approximation) at either N; what N sets is the smallest relative error
# of the prediction that is caught: about Z_MAX * se / var, twice as large at 200 draws as at 800.
@pytest.mark.parametrize("samples", [200, pytest.param(800, marks=pytest.mark.slow)])
@pytest.mark.parametrize("name,n,psi0,obs,depth", [
    ("local:xy-zz-ring", 3, "zero", "pauli:ZII", 150),                     # su(8)
    ("hva:tfim-ring", 4, "zero", "pauli:ZZII+IZZI+IIZZ+ZIIZ", 80),        # 3 x su(2) + centre
    ("hva:xxz-ring", 4, "random:1", "pauli:ZZII+IIZZ", 120),              # su(3) + centre
])
def test_prediction_against_sampled_deep_circuits(name, n, psi0, obs, depth, samples):
    gens, _ = preset_generators(name, n)
    res = predict_variance(gens, n, psi0, hamiltonian_pauli_sum(obs, n))
    assert res["applicable"]
    psi, _ = parse_state(psi0, n)
    smp = sample_variance(gens, psi, parse_hamiltonian(obs, n).to_dense(), depth, samples, seed=7)
    z_l = (smp["var_loss"] - res["var_loss"]) / smp["var_loss_se"]
    z_g = (smp["var_grad"] - res["var_grad"][smp["generator_line"]]) / smp["var_grad_se"]
    assert abs(z_l) < Z_MAX, (smp, res["var_loss"])
    assert abs(z_g) < Z_MAX, (smp, res["var_grad"])


# the CLI runs in process (tests/conftest.py cli_inprocess: same exit code, stdout and stderr, without 1-3 s of
# interpreter start-up per call); the subprocess entry point is covered by tests/test_cli_errors.py

def test_cli_variance(tmp_path, cli_inprocess):
    gens, header = preset_generators("hva:tfim-ring", 4)
    f = write_generators(str(tmp_path / "g.txt"), gens, header)
    r = cli_inprocess(["variance", "-n", "4", "-g", f, "--observable", "pauli:ZZII+IZZI+IIZZ+ZIIZ", "--samples", "50",
                 "--depth", "20", "--json"])
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["applicable"] and len(out["ideals"]) == 3 and "sampled" in out and "z_loss" in out
    assert out["var_loss"] == pytest.approx(sum(c["var_loss"] for c in out["ideals"]))


@pytest.mark.parametrize("extra,needle", [(["-n", "11"], "--qubits"), (["-n", "4", "--samples", "1"], "--samples"),
                                          (["-n", "4", "--depth", "0"], "--depth"),
                                          (["-n", "4", "--observable", "bogus"], "--observable"),
                                          (["-n", "4", "--psi0", "nope"], "--psi0"),
                                          (["-n", "3"], "line 1")])
def test_cli_variance_bad_input(tmp_path, extra, needle, cli_inprocess):
    f = tmp_path / "g.txt"
    f.write_text("XIII\nZZII+IZZI\n")
    args = ["variance", "-g", str(f), *extra]
    if "--observable" not in extra:
        args += ["--observable", "pauli:ZIII"]
    r = cli_inprocess(args)
    assert r.returncode == 2, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.stderr
