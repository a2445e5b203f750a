"""numba kernels of the free-probability solves (rmt_qgm/theory/asymptotics/free_kernels.py).

The kernels replaced numpy/scipy code operation for operation; these tests pin that: numpy's pairwise sum,
scipy's brentq iteration and the vectorised G(z) solver (reference below) are reproduced bit for bit, and
the w* scan gives the same root with or without its s-independent table.
"""
import mpmath as mp
import numpy as np
import pytest
from scipy.optimize import brentq

from rmt_qgm.theory.asymptotics import free_kernels as fk
from rmt_qgm.theory.asymptotics import spherical as sa


def _law(n=40, seed=0):
    rng = np.random.default_rng(seed)
    lv, w = sa.spectral_law(rng.standard_normal(n))
    return lv, w, lv[0] + 0.2 * (lv[-1] - lv[0])


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 127, 128, 129, 256, 300, 1000, 4097])
def test_psum_is_numpys_sum_bitwise(n):
    x = np.random.default_rng(n).standard_normal(n) * np.exp(3 * np.random.default_rng(n + 1).standard_normal(n))
    assert fk.psum(x) == x.sum()


def test_brent_is_scipys_brentq_bitwise():
    lv, w, f = _law()
    a, g = lv - f, 0.3
    for s in (0.01, 0.3, 1.5):
        scan = sa.WStarScan(a, w, g)
        _, (wl, wr) = scan.solve(s)
        buf = np.empty(a.size)
        ref = brentq(lambda x: fk.kprime_rest(x, a, w, g, buf) + s - 1.0 / (x * x), wl, wr, xtol=1e-300, rtol=1e-15)
        root, status = fk.brent(0, wl, wr, a, w, g, s, buf)
        assert status == fk.BRENT_OK and root == ref


def test_wstar_table_gives_the_same_first_zero():
    lv, w, f = _law(64, 3)
    a, g = lv - f, 0.25
    plain, tabled = sa.WStarScan(a, w, g), sa.WStarScan(a, w, g, table=True)
    buf = np.empty(a.size)
    for s in g * np.array([0.05, 0.5, 1.0, 3.0]):
        ws = plain.wstar(s)
        assert ws == tabled.wstar(s)
        assert abs(fk.kprime_rest(ws, a, w, g, buf) + s - 1 / ws ** 2) < 1e-10 / ws ** 2
        above = plain.grid[plain.grid > ws]               # K' < 0 between w* and 0 on the scan grid
        assert np.all([fk.kprime_rest(x, a, w, g, buf) + s - 1 / x ** 2 < 0 for x in above])


def _cauchy_numpy(a, nu, g, s, z, ws):
    """The vectorised numpy G(z) solver the kernel replaced (all z stepped until all converge together)."""
    def K(w):
        return (nu * a / (1.0 - g * np.multiply.outer(w, a))).sum(axis=-1) + s * w + 1.0 / w
    lo, hi = np.full_like(z, ws), np.full_like(z, ws / 2)
    for _ in range(200):
        bad = K(hi) > z
        if not bad.any():
            break
        hi[bad] /= 2
    guess = 1.0 / (z - float(np.sum(nu * a)))
    w = np.where((guess > np.minimum(lo, hi)) & (guess < np.maximum(lo, hi)), guess, 0.5 * (lo + hi))
    for _ in range(100):
        den = 1.0 - g * np.multiply.outer(w, a)
        Kw = (nu * a / den).sum(axis=-1) + s * w + 1.0 / w
        dK = (nu * g * a ** 2 / den ** 2).sum(axis=-1) + s - 1.0 / w ** 2
        above = Kw > z
        lo, hi = np.where(above, w, lo), np.where(above, hi, w)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = (Kw - z) / dK
        step = np.where(np.isfinite(step), step, 0.0)
        conv = np.abs(step) <= 4e-15 * np.abs(w)
        wn = w - step
        out = ~((wn > np.minimum(lo, hi)) & (wn < np.maximum(lo, hi))) & ~conv
        w = np.where(out, 0.5 * (lo + hi), wn)
        if np.all(conv):
            break
    return w


@pytest.mark.parametrize("n, seed", [(40, 0), (256, 5)])
def test_cauchy_left_is_the_numpy_solver_bitwise_and_inverts_K(n, seed):
    lv, w, _ = _law(n, seed)
    f = lv[0] + 0.1 * (lv[-1] - lv[0])
    a, g = lv - f, 0.25
    s = 0.5 * g * sa.rho2_typical_float(lv, w, f)           # left edge > 0 here
    scan = sa.WStarScan(a, w, g)
    ws = scan.wstar(s)
    assert scan.K(ws, s) > 0
    z = -np.r_[0.0, np.geomspace(1e-4, 1e5, 60)]
    G = fk.cauchy_left(a, w, g, s, z, ws)
    assert np.array_equal(G, _cauchy_numpy(a, w, g, s, z, ws))
    assert np.allclose([scan.K(x, s) for x in G], z, rtol=1e-12, atol=1e-12)
    single = fk.cauchy_left(a, w, g, s, z[3:4], ws)
    assert single[0] == _cauchy_numpy(a, w, g, s, z[3:4], ws)[0]


def test_cauchy_left_on_quadrature_nodes_where_some_never_converge():
    """log_potential's nodes at the optimal rho^2 of randspec n = 5: a few z never meet the step test, so
    all z take the full 100 steps and the others' states are read off their cycles."""
    from rmt_qgm.hamiltonians import parse_hamiltonian
    from rmt_qgm.theory.asymptotics import minima_complexity as mcx

    lv, w = sa.spectral_law(parse_hamiltonian("randspec:1", 5).spectrum)
    f, g = lv[0] + 0.15 * (lv[-1] - lv[0]), 0.25
    s = g * mcx.minima_complexity(lv, w, f, g)[1]
    a = lv - f
    ws = sa.wstar_float(a, w, g, s)
    t, _ = mcx._gauss_legendre(160)
    z = -t ** 2 / (1 - t ** 2)
    assert np.array_equal(fk.cauchy_left(a, w, g, s, z, ws), _cauchy_numpy(a, w, g, s, z, ws))


def test_mp_dot_is_fdot_and_left_edge_matches_float():
    lv, w, f = _law(64, 7)
    with mp.workdps(30):
        A = [mp.mpf(x) for x in lv]
        B = [mp.mpf(x) / 3 for x in w]
        assert sa._dot([x._mpf_ for x in A], [x._mpf_ for x in B]) == mp.fdot(A, B)
        L = sa.left_edge(lv, w, f, 0.25, 0.1)
    assert abs(float(L) - sa.left_edge_float(lv, w, f, 0.25, 0.1)) < 1e-13 * (lv[-1] - lv[0])
