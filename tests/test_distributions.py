"""scipy.stats-style predicted distributions: normalisation, cdf/ppf inverse, rvs vs cdf, units."""
import numpy as np
import pytest
from scipy import stats

from rmt_qgm.hamiltonians import parse_hamiltonian
from rmt_qgm.theory.distributions import (AffineUnits, CriticalValueDistribution, LocalMinimaDistribution,
                                          TabulatedDistribution)
from rmt_qgm.theory.kacrice import expected_counts


def test_tabulated_against_exact_gamma():
    law = stats.gamma(a=3.0, scale=0.5)
    t = np.linspace(1e-4, 12, 6000)
    d = TabulatedDistribution(t, law.pdf(t))
    for q in (0.1, 0.5, 0.9):
        assert d.ppf(q) == pytest.approx(law.ppf(q), abs=2e-3)
    assert d.mean() == pytest.approx(1.5, abs=1e-3)
    x = np.linspace(0.1, 5, 7)
    assert np.allclose(d.cdf(d.ppf(d.cdf(x))), d.cdf(x), atol=1e-9)
    s = d.rvs(4000, random_state=np.random.default_rng(0))
    assert stats.kstest(s, law.cdf).pvalue > 1e-3


def test_units_map_to_raw_loss():
    ham = parse_hamiltonian("projector:3", 3)     # E0 = 0, Ebar = 5/8
    kr = expected_counts(16, 4, seed=0, n_mc=800)
    u = AffineUnits.for_hamiltonian(ham)
    dt = LocalMinimaDistribution.from_kacrice(kr)
    dF = LocalMinimaDistribution.from_kacrice(kr, u)
    assert dF.median() == pytest.approx(0.625 * dt.median(), rel=1e-12)
    lo, hi = dF.interval(0.8)
    assert lo == pytest.approx(float(dF.ppf(0.1))) and hi == pytest.approx(float(dF.ppf(0.9)))
    F, pdf = dF.grid()
    assert np.trapezoid(pdf, F) == pytest.approx(1.0, abs=1e-3)
    assert dF.support()[0] >= 0.0
    s = dF.rvs(3000, random_state=1)
    assert stats.kstest(s, dF.cdf).pvalue > 1e-3
    c = CriticalValueDistribution.from_kacrice(kr, 4, u)    # maxima lie above minima
    assert c.median() > dF.median()
