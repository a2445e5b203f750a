"""Finite-size Kac–Rice: exact p = 1, Monte Carlo consistency, Morse/Euler identity."""
import numpy as np
import pytest

from rmt_qgm.precision import with_digits_lost
from rmt_qgm.theory.kacrice import exact_counts_p1, expected_counts


@pytest.mark.parametrize("m", [2, 3, 6, 17])
def test_exact_p1_one_min_one_max(m):
    # a single harmonic in 2 theta: exactly one minimum and one maximum per [0, pi)
    n0 = with_digits_lost(lambda: exact_counts_p1(m, 30)[0], 30)
    n1 = with_digits_lost(lambda: exact_counts_p1(m, 30)[1], 30)
    assert abs(float(n0.value) - 1) < 1e-20 and abs(float(n1.value) - 1) < 1e-20
    assert n0.digits_lost <= 5


def test_mc_p1_agrees_with_exact():
    kr = expected_counts(6, 1, seed=3, n_mc=4000)
    for k in (0, 1):
        assert abs(kr.counts[k] - 1.0) < 4 * kr.stderr[k]


@pytest.mark.parametrize("m,p", [(6, 2), (8, 3), (12, 4)])
def test_euler_identity(m, p):
    kr = expected_counts(m, p, seed=1, n_mc=3000)
    assert abs(kr.euler) < 4 * kr.euler_stderr
    assert np.all(kr.counts > 0)


def test_stderr_shrinks_like_sqrt_n():
    a = expected_counts(6, 2, seed=5, n_mc=500)
    b = expected_counts(6, 2, seed=5, n_mc=4500)
    ratio = a.stderr[0] / b.stderr[0]
    assert 2.0 < ratio < 4.5          # sqrt(9) = 3, sampling noise of the stderr itself


def test_two_seeds_agree_within_errors():
    a = expected_counts(8, 3, seed=1, n_mc=2000)
    b = expected_counts(8, 3, seed=2, n_mc=2000)
    z = np.abs(a.counts - b.counts) / np.hypot(a.stderr, b.stderr)
    assert np.all(z < 4)


def test_density_integrates_to_counts():
    kr = expected_counts(10, 2, seed=0, n_mc=1000)
    for k in range(3):
        t, rho = kr.density(k)
        integral = np.trapezoid(np.concatenate([[0], rho]), np.concatenate([[0], t]))
        assert integral == pytest.approx(kr.counts[k], rel=0.02)
