"""Issue 20, item 3: the JAWS degrees of freedom r_alpha per simple ideal (docs/theory.md §10.3,
rmt_qgm/algebra/jaws.py), against an independent dense computation (partial traces) and the Haar case
(su(2^n): the trace_ratio rule of docs/theory.md §3.2)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from rmt_qgm.algebra.dla import lie_closure, parse_state
from rmt_qgm.algebra.generators import preset_generators
from rmt_qgm.algebra.jaws import ideal_modules, trace_ratio_dof
from rmt_qgm.algebra.pauli import PauliSum
from rmt_qgm.algebra.variance import hamiltonian_pauli_sum, ideal_bases, predict_variance, word_coords
from rmt_qgm.hamiltonians import parse_hamiltonian
from rmt_qgm.theory.models.whrf_dof import dof_trace_ratio


@pytest.fixture(autouse=True)
def _one_blas_thread():
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1):
        yield


def _ratio(eigs) -> int | None:
    k = np.asarray(eigs) - np.min(eigs)
    if np.sum(k * k) < 1e-20:
        return None
    return int(math.ceil(k.sum() ** 2 / np.sum(k * k) - 1e-9))


def _random_pauli_sum(n: int, terms: int, seed: int) -> PauliSum:
    rng = np.random.default_rng(seed)
    words = {"".join(rng.choice(list("IXYZ"), n)) for _ in range(terms)}
    s = PauliSum.word("I" * n, 0.0)
    for w in sorted(words):
        s = s + PauliSum.word(w, float(rng.normal()))
    return s


@pytest.mark.parametrize("spec", ["heisenberg", "randspec:1", "projector:2", "tfim:0.7"])
def test_haar_case_reduces_to_trace_ratio_rule(spec):
    """su(2^n) on C^(2^n): one module V = C^(2^n), O^alpha = O - E0, and r_alpha is the trace_ratio rule of
    docs/theory.md §3.2 (m_real = 2 r), both through the su(d) short cut and through the dense Casimir route."""
    n = 3
    gens, _ = preset_generators("local:xy-zz-ring", n)
    obs = hamiltonian_pauli_sum(spec, n)
    spectrum = parse_hamiltonian(spec, n).spectrum
    res = predict_variance(gens, n, "zero", obs)
    (comp,) = res["jaws"]["components"]
    assert comp["n_alpha"] == 8 and comp["beta"] == 2 and comp["pure"] and comp["single_module"]
    assert 2 * comp["r_alpha"] == dof_trace_ratio(spectrum)
    # the dense route on the same ideal (Casimir, generic element, cyclic spaces)
    basis = lie_closure(gens, n)
    ib = ideal_bases(basis)
    (_, sel), = ib["ideals"]
    ident = PauliSum.word("I" * n)
    o0 = obs + ident.scaled(-float(obs.c[(obs.x == 0) & (obs.z == 0)].sum()))
    o_coords, _ = word_coords(basis, o0)
    psi, _ = parse_state("random:5", n)
    (mod,) = ideal_modules(basis, sel, o_coords, psi)
    assert mod["n"] == 8 and mod["multiplicity"] == 1 and mod["pure"] and mod["weight"] == pytest.approx(1.0)
    assert 2 * mod["r"] == dof_trace_ratio(spectrum)
    assert mod["lambda_min"] + float(obs.c[(obs.x == 0) & (obs.z == 0)].sum()) == pytest.approx(spectrum.min())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_product_algebra_against_partial_traces(seed):
    """g = su(4) on qubits (0, 1) + su(2) on qubit 2 (n = 3): the modules are C^4 (x) C^2 and C^2 (x) C^4, and
    O^alpha is the traceless part of the normalised partial trace of O, which numpy computes independently."""
    n = 3
    gens = [PauliSum.word(w) for w in ("XII", "YII", "IXI", "IYI", "ZZI", "IIX", "IIZ")]
    rng = np.random.default_rng(100 + seed)
    obs = _random_pauli_sum(n, 12, seed)
    for w in ("IIX", "IIY", "IIZ", "XZI", "ZYI"):                  # parts in both ideals, whatever the draw
        obs = obs + PauliSum.word(w, float(rng.normal()))
    res = predict_variance(gens, n, "zero", obs)
    comps = sorted(res["jaws"]["components"], key=lambda c: -c["dim"])
    assert [c["dim"] for c in comps] == [15, 3]
    # qubit k is bit k of the dense index (qubit 0 least significant): indices (q2 q1 q0, q2' q1' q0')
    o = obs.to_dense().reshape(2, 2, 2, 2, 2, 2)
    o01 = np.einsum("cbaced->baed", o).reshape(4, 4) / 2                               # Tr_2(O) / 2
    o2 = np.einsum("cbafba->cf", o) / 4                                                # Tr_01(O) / 4
    for comp, block, nv, mult in ((comps[0], o01, 4, 2), (comps[1], o2, 2, 4)):
        eigs = np.linalg.eigvalsh(block)
        (mod,) = comp["modules"]
        assert (mod["n"], mod["multiplicity"], mod["beta"]) == (nv, mult, 2)
        assert mod["pure"] and mod["weight"] == pytest.approx(1.0)
        assert mod["r"] == _ratio(eigs)
        k = eigs - eigs.min()
        assert mod["trace_K"] == pytest.approx(k.sum(), rel=1e-9, abs=1e-12)
        assert mod["trace_K2"] == pytest.approx(np.sum(k * k), rel=1e-9, abs=1e-12)
        assert mod["obar"] == pytest.approx(k.sum() / nv, rel=1e-9, abs=1e-12)


def test_entangled_input_is_not_pure():
    """A state entangled between qubit 2 and qubits (0, 1) has a mixed image in the su(2) module."""
    n = 3
    gens = [PauliSum.word(w) for w in ("XII", "YII", "IXI", "IYI", "ZZI", "IIX", "IIZ")]
    basis = lie_closure(gens, n)
    ib = ideal_bases(basis)
    obs = PauliSum.word("IIZ") + PauliSum.word("ZII", 0.5)
    o_coords, _ = word_coords(basis, obs)
    psi = np.zeros(8, dtype=complex)
    psi[0] = psi[7] = 1 / math.sqrt(2)                              # GHZ
    for rec, sel in ib["ideals"]:
        (mod,) = ideal_modules(basis, sel, o_coords, psi)
        assert not mod["pure"]


def test_so8_spinor_modules_split_and_free_fermion_su2():
    """local:x-zz-line (so(8), n = 4): |0000> has weight 1/2 on each of the two 8-dimensional spinor modules,
    which share a Casimir value and are split by the generic element; both real (beta = 1). hva:tfim-ring
    (n = 4): each su(2) ideal acts on 2-dimensional modules, r_alpha = 1 (a 2-level spectrum shifted to 0)."""
    n = 4
    gens, _ = preset_generators("local:x-zz-line", n)
    res = predict_variance(gens, n, "zero", hamiltonian_pauli_sum("heisenberg", n))
    (comp,) = res["jaws"]["components"]
    mods = comp["modules"]
    assert [m["n"] for m in mods] == [8, 8] and all(m["beta"] == 1 and m["resolved"] for m in mods)
    assert [m["weight"] for m in mods] == pytest.approx([0.5, 0.5])
    gens, _ = preset_generators("hva:tfim-ring", n)
    ring = PauliSum.from_terms([], n)
    for i in range(n):
        w = ["I"] * n
        w[i] = w[(i + 1) % n] = "Z"
        ring = ring + PauliSum.word("".join(w))
    res = predict_variance(gens, n, "zero", ring)
    for comp in res["jaws"]["components"]:
        assert comp["n_alpha"] == 2 and comp["r_alpha"] in (1, None)


def test_trace_ratio_dof_flat_is_none():
    assert trace_ratio_dof(np.array([1.0, 1.0, 1.0])) is None
    assert trace_ratio_dof(np.array([0.0, 1.0, 1.0, 1.0])) == 3      # (1 + 1 + 1)^2 / 3
    assert trace_ratio_dof(np.array([-2.0, 0.0])) == 1


def test_cli_reports_jaws(tmp_path, capsys):
    """variance --json and dla --observable --json carry the jaws block; a bad observable is one line, exit 2."""
    import json
    from rmt_qgm.cli import main
    f = tmp_path / "g.txt"
    assert main(["circuit", "--preset", "local:xy-zz-ring", "--qubits", "3", "--out", str(f)]) == 0
    capsys.readouterr()
    assert main(["variance", "-n", "3", "-g", str(f), "-O", "heisenberg", "--json"]) == 0
    v = json.loads(capsys.readouterr().out)
    assert main(["dla", "-n", "3", "-g", str(f), "-O", "heisenberg", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    spectrum = parse_hamiltonian("heisenberg", 3).spectrum
    for res in (v, d):
        (comp,) = res["jaws"]["components"]
        assert 2 * comp["r_alpha"] == dof_trace_ratio(spectrum)
    assert main(["dla", "-n", "3", "-g", str(f), "-O", "nonsense"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--observable" in err[0]
