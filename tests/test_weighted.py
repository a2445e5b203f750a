"""Weighted WHRF: exact p = 1 counts, Euler identity, and exhaustive enumeration at p = 2.

Tolerances: 3 combined standard errors (Monte Carlo stderr of Kac–Rice, sample stderr of enumeration)."""
import numpy as np

from rmt_qgm.hamiltonians import parse_hamiltonian
from rmt_qgm.seeding import generator
from rmt_qgm.theory.kacrice.enumerate import WHRFField, enumerate_critical_points
from rmt_qgm.theory.predict import predict
from rmt_qgm.theory.models.spherical import real_form_spectrum
from rmt_qgm.theory.models.weighted import kac_rice_weighted

SPEC = parse_hamiltonian("randspec:5", 2).spectrum


def test_p1_one_min_one_max_and_euler():
    kr = kac_rice_weighted(SPEC, 1, seed=1, n_mc=20000)
    assert np.all(np.abs(kr.counts - 1.0) < 3 * kr.stderr)
    kr3 = kac_rice_weighted(parse_hamiltonian("randspec:5", 3).spectrum, 3, seed=1, n_mc=20000)
    assert abs(kr3.euler) < 3 * kr3.euler_stderr


def test_enumeration_p2():
    mu = real_form_spectrum(SPEC)
    mu = mu - mu.min()
    C = []
    for i in range(120):
        rng = generator(7, "weighted-enum", i)
        X = rng.standard_normal((mu.size, 4)) * np.sqrt(mu)[:, None]   # f = |diag(sqrt mu) X w|^2
        cs = enumerate_critical_points(WHRFField(X), rng=rng)
        assert cs.euler == 0
        C.append(cs.counts_by_index)
    C = np.array(C, dtype=float)
    kr = kac_rice_weighted(SPEC, 2, seed=2, n_mc=20000)
    z = np.abs(C.mean(0) - kr.counts) / np.hypot(C.std(0, ddof=1) / np.sqrt(len(C)), kr.stderr)
    assert np.all(z < 3), z


def test_predict_weighted_keys():
    r = predict(3, 2, hamiltonian="randspec:2", model="weighted")
    h = parse_hamiltonian("randspec:2", 3)
    assert r["model"] == "weighted"
    assert h.ground_energy <= r["minima"]["q10"] <= r["minima"]["median"] <= r["minima"]["q90"]
    assert len(r["critical_points"]["expected_counts_by_index"]) == 3


def test_adaptive_edges_resolve_a_narrow_law():
    # all index-0 weight in [0.010, 0.012] of a [0, 1] range: the equal bins alone (width 1/40) cannot
    # resolve it; the weighted-quantile refinement must put many edges inside it
    import numpy as np
    from rmt_qgm.theory.kacrice.draws import KacRiceDraws
    rng = np.random.default_rng(0)
    f = np.concatenate([rng.uniform(0.010, 0.012, 500), rng.uniform(0.0, 1.0, 500)])
    index = np.concatenate([np.zeros(500, int), np.ones(500, int)])
    kr = KacRiceDraws.from_draws(1, f, np.zeros(1000), index)
    edges = kr.adaptive_edges(0, 0.0, 1.0)
    assert np.all(np.diff(edges) > 0) and edges[0] == 0.0 and edges[-1] == 1.0
    assert np.sum((edges > 0.010) & (edges < 0.012)) >= 70
