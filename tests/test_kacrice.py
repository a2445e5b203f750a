"""Finite-size Kac–Rice: Monte Carlo consistency with the exact p = 1 counts, Morse/Euler identity.

The exact p = 1 counts themselves (E N_0 = E N_1 = 1 for every m, mpmath at 30 digits to 1e-25) are checked in
derivations/step_05_kacrice_assembly.py::test_p1_counts_are_one; the copy that was here (m = 2, 3, 6, 17, to
1e-20, plus a digits-lost bound that could not fail) cost ~20 s and was removed."""
import numpy as np
import pytest

from rmt_qgm.theory.models.whrf import expected_counts


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
