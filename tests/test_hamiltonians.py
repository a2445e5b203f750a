"""Hamiltonian specs: dense references, spectra, normalised units, bad specs."""
import numpy as np
import pytest

from rmt_qgm.errors import UserInputError
from rmt_qgm.hamiltonians import parse_hamiltonian, random_pauli_sum

MATS = {"I": np.eye(2), "X": np.array([[0, 1], [1, 0]]), "Y": np.array([[0, -1j], [1j, 0]]),
        "Z": np.diag([1.0, -1.0])}


def kron_word(word):
    out = np.array([[1.0 + 0j]])
    for c in reversed(word):  # qubit k = bit k, so qubit 0 is the last Kronecker factor
        out = np.kron(out, MATS[c])
    return out


def test_fidelity_and_projector():
    h = parse_hamiltonian("fidelity", 3)
    assert np.allclose(h.to_dense(), np.eye(8) - np.diag(np.eye(8)[0]))
    assert h.ground_energy == 0.0 and h.mean_energy == pytest.approx(7 / 8)
    p = parse_hamiltonian("projector:3", 3)
    assert np.allclose(p.diagonal(), [0, 0, 0, 1, 1, 1, 1, 1])


def test_pauli_sum_matches_kron():
    rng = np.random.default_rng(1)
    spec = random_pauli_sum(4, 12, rng)
    h = parse_hamiltonian(spec, 4)
    ref = sum(c * kron_word(w.label()) for c, w in h.pauli_terms)
    assert np.abs(h.to_dense() - ref).max() < 1e-13
    psi = rng.standard_normal(16) + 1j * rng.standard_normal(16)
    psi /= np.linalg.norm(psi)
    assert np.allclose(h.apply(psi), ref @ psi, atol=1e-13)
    assert h.expectation(psi) == pytest.approx(np.vdot(psi, ref @ psi).real, abs=1e-13)
    assert np.allclose(h.spectrum, np.linalg.eigvalsh(ref))


def test_presets_against_kron():
    n = 4
    tfim = parse_hamiltonian("tfim:0.7", n).to_dense()
    ref = sum(-kron_word("I" * i + "ZZ" + "I" * (n - i - 2)) for i in range(n - 1))
    ref = ref + sum(-0.7 * kron_word("I" * i + "X" + "I" * (n - i - 1)) for i in range(n))
    assert np.abs(tfim - ref).max() < 1e-13
    heis = parse_hamiltonian("heisenberg", n).to_dense()
    ref = sum(kron_word("I" * i + a + a + "I" * (n - i - 2)) for i in range(n - 1) for a in "XYZ")
    assert np.abs(heis - ref).max() < 1e-13


def test_normalised_units_round_trip():
    h = parse_hamiltonian("randspec:3", 3)
    F = np.linspace(-2, 2, 7)
    assert np.allclose(h.from_normalised(h.to_normalised(F)), F)
    assert h.to_normalised(h.ground_energy) == pytest.approx(0.0)
    assert h.to_normalised(h.mean_energy) == pytest.approx(1.0)


def test_diag_file(tmp_path):
    f = tmp_path / "spec.txt"
    f.write_text("0 1\n2 3\n")
    h = parse_hamiltonian(f"diag:@{f}", 2)
    assert np.allclose(h.diagonal(), [0, 1, 2, 3])


@pytest.mark.parametrize("spec,n,match", [
    ("diag:1,2,3", 2, "exactly 2\\^n = 4 values"),
    ("projector:0", 2, "projector:d"),
    ("projector:4", 2, "projector:d"),
    ("pauli:0.5*ZZ+XQ", 2, "malformed Pauli term"),
    ("pauli:0.5*ZZZ", 2, "exactly 2 letters"),
    ("bogus", 2, "hamiltonian must be one of"),
    ("diag:@/nonexistent/file", 2, "not found"),
    ("tfim:abc", 2, "tfim:h"),
])
def test_bad_specs(spec, n, match):
    with pytest.raises(UserInputError, match=match) as err:
        parse_hamiltonian(spec, n)
    assert "\n" not in str(err.value)


def test_qubit_limit_names_bytes():
    with pytest.raises(UserInputError, match="bytes"):
        parse_hamiltonian("fidelity", 40)
    with pytest.raises(UserInputError, match="qubits"):
        parse_hamiltonian("fidelity", 0)
