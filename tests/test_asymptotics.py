"""Asymptotic edge and threshold: closed form vs numerically solved edge, limits, large matrices."""
import mpmath as mp
import numpy as np
import pytest

from rmt_qgm.errors import UserInputError
from rmt_qgm.theory.asymptotics.whrf import edge_threshold, mp_edge, spectral_edges
from rmt_qgm.theory.models.whrf_pointlaw import sample_conditional_hessian


@pytest.mark.parametrize("gamma", [0.02, 0.1, 0.25, 0.5, 0.8, 0.97])
def test_left_edge_vanishes_at_threshold(gamma):
    te = edge_threshold(gamma, dps=40)
    left, _ = spectral_edges(gamma, te.value, dps=40)
    assert abs(left) < 1e-12
    # the edge is positive just below t_e and negative just above
    assert spectral_edges(gamma, te.value * 0.9)[0] > 0 > spectral_edges(gamma, te.value * 1.1)[0]


def test_limits():
    assert float(edge_threshold(1e-8).value) == pytest.approx(1.0, abs=1e-3)
    g = 0.999
    with mp.workdps(30):
        assert float(edge_threshold(g).value) / (4 / 27 * (1 - g) ** 3) == pytest.approx(1.0, rel=1e-2)
    assert float(edge_threshold(1.0).value) == 0.0 and float(edge_threshold(2.0).value) == 0.0


def test_edges_at_t0_are_marchenko_pastur():
    for g in (0.1, 0.36, 0.7):
        left, right = spectral_edges(g, 0.0)
        assert float(left) == pytest.approx((1 - np.sqrt(g)) ** 2, abs=1e-12)
        assert float(right) == pytest.approx((1 + np.sqrt(g)) ** 2, abs=1e-12)
        assert float(mp_edge(g).value) == pytest.approx((1 - np.sqrt(g)) ** 2, abs=1e-15)


def test_edges_vs_large_sampled_matrices():
    # p = 400, m = 1600 (gamma = 0.25): the smallest/largest eigenvalues of M(t) fluctuate on the
    # Tracy-Widom scale ~ p^(-2/3) ~ 0.02 around the edges; allow 0.06 (3x that scale).
    rng = np.random.default_rng(0)
    m, p, t = 1600, 400, 0.3
    ev = np.linalg.eigvalsh(sample_conditional_hessian(m, p, t, rng, 1)[0])
    left, right = spectral_edges(p / m, t)
    assert abs(ev[0] - float(left)) < 0.06 and abs(ev[-1] - float(right)) < 0.06
    # first two moments of the spectrum of M(t): mean (m-1)/m - t, E tr(M^2)/p = free-cumulant sum
    g = p / m
    assert ev.mean() == pytest.approx((m - 1) / m - t, abs=0.01)
    second = 1 + g + g * t + t * t - 2 * t   # (1 + gamma) + gamma t - 2t + t^2 for MP(gamma) + SC(gamma t) - t
    assert np.mean(ev ** 2) == pytest.approx(second, abs=0.02)


def test_digits_lost_reported_and_bad_gamma():
    r = edge_threshold(0.3, dps=30)
    assert r.dps == 30 and 0 <= r.digits_lost <= 3
    with pytest.raises(UserInputError, match="gamma"):
        edge_threshold(0.0)
