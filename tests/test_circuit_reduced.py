"""The reduced sampler of the exact circuit model (docs/theory.md §11.6) draws the same law as the dense one.

Both estimate the expected number of critical points of every index per [0, pi)^p from independent draws, each
with its own Monte Carlo standard error (s.d. over draws / sqrt(draws)). Under the claim that the two laws are
equal, z_k = (N_k^dense - N_k^reduced) / sqrt(se_dense^2 + se_reduced^2) is approximately standard normal. Over
the ~20 indices compared here, |z| < 4 for all of them has family-wise false-alarm probability about 1e-3.
p = 1 has an exact answer: F is a sinusoid in 2 theta, so one minimum and one maximum per [0, pi).
"""
import numpy as np
import pytest

from rmt_qgm.hamiltonians import parse_hamiltonian
from rmt_qgm.theory.models.circuit import kac_rice_circuit


@pytest.mark.parametrize("n,p,spec", [(2, 3, "fidelity"), (3, 4, "projector:2"), (3, 6, "randspec:1"),
                                      (4, 5, "fidelity")])
def test_reduced_and_dense_samplers_agree_in_distribution(n, p, spec):
    s = parse_hamiltonian(spec, n).spectrum
    a = kac_rice_circuit(s, p, seed=11, n_mc=16000, sampler="dense")
    b = kac_rice_circuit(s, p, seed=11, n_mc=16000, sampler="reduced")
    se = np.hypot(a.stderr, b.stderr)
    both = (a.counts > 0) | (b.counts > 0)
    z = (a.counts - b.counts)[both] / se[both]
    assert np.all(np.abs(z) < 4), z


def test_reduced_sampler_exact_at_p1():
    kr = kac_rice_circuit(parse_hamiltonian("randspec:1", 3).spectrum, 1, seed=2, n_mc=8000, sampler="reduced")
    assert np.all(np.abs(kr.counts - 1.0) < 4 * kr.stderr), (kr.counts, kr.stderr)


def test_reduced_sampler_is_reproducible_and_its_own_stream():
    s = parse_hamiltonian("fidelity", 3).spectrum
    a = kac_rice_circuit(s, 4, seed=5, n_mc=400, sampler="reduced")
    b = kac_rice_circuit(s, 4, seed=5, n_mc=400, sampler="reduced")
    c = kac_rice_circuit(s, 4, seed=5, n_mc=400, sampler="dense")
    assert np.array_equal(a.logw, b.logw) and not np.array_equal(a.logw, c.logw)
