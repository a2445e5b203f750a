"""scipy.stats-style predicted distributions: normalisation, cdf/ppf inverse, rvs vs cdf, units."""
import numpy as np
import pytest
from scipy import stats

from rmt_qgm.hamiltonians import parse_hamiltonian
from rmt_qgm.theory.distributions import (AffineUnits, CriticalValueDistribution, LocalMinimaDistribution,
                                          TabulatedDistribution)
from rmt_qgm.theory.models.whrf import expected_counts


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


# --- scipy.stats frozen interface (issue 18, item 6) ---------------------------------------------------------

from scipy.stats._distn_infrastructure import rv_continuous_frozen  # noqa: E402

from rmt_qgm.errors import UserInputError  # noqa: E402
from rmt_qgm.theory.distributions import tabulated_gen  # noqa: E402

OFF, SC = -1.3, 0.625                  # F = OFF + SC t


def _beta_law(n_cells: int):
    """Beta(2, 5) tabulated on n_cells + 1 equispaced nodes of [0, 1] (h = 1/n_cells), in F = OFF + SC t, and
    scipy's exact frozen Beta(2, 5, loc=OFF, scale=SC). Its density f has max|f'| = 30, max|f''| = 240."""
    t = np.linspace(0.0, 1.0, n_cells + 1)
    return (TabulatedDistribution(t, stats.beta(2, 5).pdf(t), AffineUnits(OFF, SC, "F"), name="beta(2, 5)"),
            stats.beta(2, 5, loc=OFF, scale=SC), 1.0 / n_cells)


def test_is_a_scipy_frozen_distribution_in_raw_units():
    d, _, _ = _beta_law(200)
    assert isinstance(d, rv_continuous_frozen) and isinstance(d.dist, tabulated_gen)
    assert d.kwds == {"loc": OFF, "scale": SC}
    assert (d.dist.a, d.dist.b) == (0.0, 1.0)
    # scale/loc: F = loc + scale t for every quantity
    assert d.ppf(0.3) == pytest.approx(OFF + SC * d.dist.ppf(0.3), rel=1e-15)
    assert d.pdf(OFF + SC * 0.2) == pytest.approx(d.dist.pdf(0.2) / SC, rel=1e-15)
    assert d.cdf(OFF + SC * 0.2) == pytest.approx(d.dist.cdf(0.2), rel=1e-15)
    assert d.mean() == pytest.approx(OFF + SC * d.dist.mean(), rel=1e-15)
    assert d.var() == pytest.approx(SC ** 2 * d.dist.var(), rel=1e-14)
    assert d.entropy() == pytest.approx(d.dist.entropy() + np.log(SC), rel=1e-14)
    assert d.support() == pytest.approx((OFF, OFF + SC))   # no leading zeros: the same as scipy's support
    # the generator on its own, frozen by hand, is the same law
    g = tabulated_gen(d._t, d._d)(loc=OFF, scale=SC)
    x = np.linspace(OFF - 0.1, OFF + SC + 0.1, 41)
    assert np.allclose(g.cdf(x), d.cdf(x), rtol=0, atol=1e-15) and g.median() == pytest.approx(d.median())
    with pytest.raises(ValueError, match="scale > 0"):
        TabulatedDistribution(d._t, d._d, AffineUnits(0.0, -1.0))
    with pytest.raises(ValueError, match="scale > 0"):
        TabulatedDistribution(d._t, d._d, AffineUnits(0.0, 0.0))
    with pytest.raises(ValueError, match="strictly increasing"):
        TabulatedDistribution([0.0, 0.5, 0.5, 1.0], [0.0, 1.0, 1.0, 0.0])


def test_against_exact_beta_within_the_second_order_grid_error():
    """The tabulated law differs from the exact one by O(h^2) (module docstring), with constants from the
    density's derivatives (max|f''| = 240, max|f'| = 30): pdf <= max|f''| h^2/8 = 30 h^2 (in t), cdf and sf
    <= (max|f''|/12 + max|f'|/8) h^2 < 25 h^2, quantiles <= that / pdf (>= 0.5 for q in [0.05, 0.95]); the
    trapezoid moments, entropy and expect are well inside 5 h^2 (observed <= 1.1 h^2)."""
    d, ref, h = _beta_law(2000)
    e2 = h * h
    t = np.sort(np.random.default_rng(1).uniform(0, 1, 2000))      # off the nodes
    x = OFF + SC * t
    assert np.max(np.abs(d.pdf(x) - ref.pdf(x))) < 40 * e2 / SC
    assert np.max(np.abs(d.cdf(x) - ref.cdf(x))) < 25 * e2
    assert np.max(np.abs(d.sf(x) - ref.sf(x))) < 25 * e2
    body = x[(t > 0.05) & (t < 0.95)]     # relative pdf error <= max|f''/f| h^2/8 < 600 h^2 there
    assert np.max(np.abs(d.logpdf(body) - ref.logpdf(body))) < 1e3 * e2
    q = np.linspace(0.05, 0.95, 19)
    assert np.max(np.abs(d.ppf(q) - ref.ppf(q))) < 50 * e2 * SC
    assert np.max(np.abs(d.isf(q) - ref.isf(q))) < 50 * e2 * SC
    assert np.allclose(d.interval(0.9), ref.interval(0.9), rtol=0, atol=50 * e2 * SC)
    assert d.median() == pytest.approx(ref.median(), abs=50 * e2 * SC)
    assert d.mean() == pytest.approx(ref.mean(), abs=5 * e2 * SC)
    assert d.var() == pytest.approx(ref.var(), abs=5 * e2 * SC ** 2)
    assert d.std() == pytest.approx(ref.std(), rel=5 * e2 / ref.var() * SC ** 2)
    assert d.moment(2) == pytest.approx(ref.moment(2), abs=5 * e2)
    s, k = d.stats("sk")
    rs, rk = ref.stats("sk")
    assert s == pytest.approx(rs, abs=20 * e2) and k == pytest.approx(rk, abs=20 * e2)
    assert d.entropy() == pytest.approx(ref.entropy(), abs=5 * e2)
    assert d.expect(lambda F: F ** 2) == pytest.approx(ref.expect(lambda F: F ** 2), abs=5 * e2)
    assert d.expect() == pytest.approx(d.mean(), abs=5 * e2)
    assert d.expect(lambda F: 1.0, lb=OFF + 0.2 * SC, ub=OFF + 0.5 * SC) == pytest.approx(
        ref.cdf(OFF + 0.5 * SC) - ref.cdf(OFF + 0.2 * SC), abs=25 * e2)
    assert d.expect(lambda F: F, lb=OFF, ub=OFF + 0.5 * SC, conditional=True) == pytest.approx(
        ref.expect(lambda F: F, lb=OFF, ub=OFF + 0.5 * SC, conditional=True), abs=5 * e2)
    # logcdf / logsf: logs of the above
    assert d.logcdf(x[100]) == pytest.approx(np.log(d.cdf(x[100])), rel=1e-14)
    assert d.logsf(x[100]) == pytest.approx(np.log(d.sf(x[100])), rel=1e-14)


def test_errors_are_second_order_in_the_spacing():
    """Halving h divides the error of the cdf (at fixed off-node points) and of the mean by about 4."""
    t = np.random.default_rng(2).uniform(0.02, 0.9, 50)
    errs = []
    for n in (250, 500, 1000):
        d, ref, _ = _beta_law(n)
        errs.append((np.max(np.abs(d.cdf(OFF + SC * t) - ref.cdf(OFF + SC * t))), abs(d.mean() - ref.mean())))
    for (c0, m0), (c1, m1) in zip(errs, errs[1:]):
        assert 3.0 < c0 / c1 < 5.0 and 3.5 < m0 / m1 < 4.5


def test_upper_tail_sf_and_isf_keep_relative_accuracy():
    """sf and isf are summed from the right: relative error O((h / (1 - t))^2) in the upper tail of this
    density (f ~ (1 - t)^4), down to sf ~ 1e-16, where 1 - cdf has lost its digits to rounding."""
    d, ref, h = _beta_law(20000)
    tt = np.array([0.9, 0.99, 0.999, 0.9995])
    x = OFF + SC * tt
    assert np.all(np.abs(d.sf(x) / ref.sf(x) - 1) < 3 * (h / (1 - tt)) ** 2)
    assert abs((1 - d.cdf(x[-1])) / ref.sf(x[-1]) - 1) > 10 * abs(d.sf(x[-1]) / ref.sf(x[-1]) - 1)
    q = np.array([1e-4, 1e-8, 1e-12, 1e-16])
    assert np.allclose(d.isf(q) - OFF, ref.isf(q) - OFF, rtol=1e-5, atol=0)
    assert np.allclose(d.sf(d.isf(q)), q, rtol=1e-9, atol=0)                 # isf is the exact inverse of sf
    q = np.array([1e-4, 0.01, 0.3, 0.7])
    assert np.allclose(d.isf(1 - q), d.ppf(q), rtol=0, atol=1e-12)           # and ppf(1 - q) up to rounding
    assert d.isf(0.0) == OFF + SC and d.isf(1.0) == OFF


def test_rvs_reproducible_with_a_generator_and_ks():
    d, ref, _ = _beta_law(2000)
    a = d.rvs(20000, random_state=np.random.default_rng(0))
    b = d.rvs(20000, random_state=np.random.default_rng(0))
    assert a.shape == (20000,) and np.array_equal(a, b)
    assert stats.kstest(a, ref.cdf).pvalue > 1e-3
    assert stats.kstest(a, d.cdf).pvalue > 1e-3
    assert np.array_equal(d.rvs(5, random_state=7), d.rvs(5, random_state=np.random.default_rng(7)))
    assert d.rvs(random_state=1).shape == (1,)              # one variate by default (the package's convention)
    assert np.array_equal(d.rvs((3, 2), random_state=np.random.default_rng(4)),
                          d.ppf(np.random.default_rng(4).random((3, 2))))


def test_importing_the_units_does_not_import_scipy_stats():
    """AffineUnits alone (circuit_kacrice, small_loss) stays light; the scipy classes come on first use."""
    import subprocess
    import sys
    code = ("import sys, rmt_qgm.theory; before = 'scipy.stats' in sys.modules; "
            "import rmt_qgm.theory.distributions as d; assert before or 'scipy.stats' not in sys.modules; "
            "assert 'TabulatedDistribution' in dir(d); T = d.TabulatedDistribution; "
            "assert 'scipy.stats' in sys.modules and T is d.TabulatedDistribution "
            "and issubclass(d.LocalMinimaDistribution, T) and T.__module__ == d.__name__")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_pickles():
    import pickle
    d, _, _ = _beta_law(100)
    e = pickle.loads(pickle.dumps(d))
    assert type(e) is TabulatedDistribution and e.units == d.units and e.median() == d.median()
    assert np.array_equal(e.cdf(np.linspace(OFF, OFF + SC, 9)), d.cdf(np.linspace(OFF, OFF + SC, 9)))


class _Before:
    """The package's TabulatedDistribution before it became a scipy distribution (commit 3efd6a9), kept to
    check that the numbers are bit-for-bit the same (the circuit-model cache fingerprints them)."""

    def __init__(self, t, density_t, units=None):
        t = np.asarray(t, dtype=float)
        d = np.clip(np.asarray(density_t, dtype=float), 0.0, None)
        if t[0] > 0:
            t = np.concatenate([[0.0], t])
            d = np.concatenate([[0.0], d])
        cdf = np.concatenate([[0.0], np.cumsum(0.5 * (d[1:] + d[:-1]) * np.diff(t))])
        total = cdf[-1]
        self._t, self._d, self._cdf = t, d / total, cdf / total
        self.units = units or AffineUnits()

    def pdf(self, x):
        return np.interp(self.units.to_t(x), self._t, self._d, left=0.0, right=0.0) / abs(self.units.scale)

    def cdf(self, x):
        return np.interp(self.units.to_t(x), self._t, self._cdf, left=0.0, right=1.0)

    def ppf(self, q):
        keep = np.concatenate([[True], np.diff(self._cdf) > 0])
        return self.units.to_F(np.interp(np.asarray(q, dtype=float), self._cdf[keep], self._t[keep]))

    def mean(self):
        return float(self.units.to_F(np.trapezoid(self._t * self._d, self._t)))

    def support(self):
        nz = np.nonzero(self._d > 0)[0]
        lo, hi = self._t[max(nz[0] - 1, 0)], self._t[min(nz[-1] + 1, len(self._t) - 1)]
        return float(self.units.to_F(lo)), float(self.units.to_F(hi))

    def mode(self):
        return float(self.units.to_F(self._t[np.argmax(self._d)]))

    def rvs(self, size, random_state):
        rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
        return self.ppf(rng.random(size))

    def grid(self):
        return self.units.to_F(self._t), self._d / abs(self.units.scale)


def _grids():
    t = np.linspace(0.1, 2.0, 60)
    bump = np.exp(-0.5 * ((t - 1.0) / 0.2) ** 2)
    lead, gap, tail = bump.copy(), bump.copy(), bump.copy()
    lead[:12] = 0.0                                     # a run of zero nodes at the start (plus the origin)
    gap[25:31] = 0.0                                    # a gap inside
    tail[40:] = 0.0                                     # zeros at the end, and a tail below the cdf's rounding
    tail[35:40] = 1e-300
    ham = parse_hamiltonian("projector:3", 3)
    tk, rho = expected_counts(16, 4, seed=0, n_mc=800).density(0)
    return [("gamma", np.linspace(1e-4, 12, 600), stats.gamma(3.0, scale=0.5).pdf(np.linspace(1e-4, 12, 600)),
             AffineUnits()),
            ("uniform from 0", np.linspace(0, 1, 11), np.ones(11), AffineUnits()),
            ("leading zeros", t, lead, AffineUnits(-0.4, 1.7, "F")),
            ("gap", t, gap, AffineUnits(2.0, 0.3, "F")),
            ("trailing zeros, tiny tail", t, tail, AffineUnits(0.0, 5.0, "F")),
            ("geometric grid", np.geomspace(1e-3, 3, 80), np.geomspace(1e-3, 3, 80) * np.exp(-np.geomspace(1e-3, 3, 80)),
             AffineUnits(0.1, 0.9, "F")),
            ("Kac-Rice minima", tk, rho, AffineUnits.for_hamiltonian(ham))]


@pytest.mark.parametrize("label,t,dens,units", _grids(), ids=[g[0] for g in _grids()])
def test_numbers_bit_for_bit_as_before(label, t, dens, units):
    new, old = TabulatedDistribution(t, dens, units), _Before(t, dens, units)
    for a in ("_t", "_d", "_cdf"):
        assert np.array_equal(getattr(new, a), getattr(old, a))
    lo, hi = units.to_F(old._t[0]), units.to_F(old._t[-1])
    x = np.concatenate([np.linspace(lo - 0.1, hi + 0.1, 997), units.to_F(old._t), [lo, hi]])
    assert np.array_equal(new.pdf(x), old.pdf(x)) and np.array_equal(new.cdf(x), old.cdf(x))
    q = np.concatenate([[0.0, 1e-12, 0.1, 0.5, 0.9, 1 - 1e-12, 1.0], np.linspace(0, 1, 501)])
    assert np.array_equal(new.ppf(q), old.ppf(q))
    assert new.median() == float(old.ppf(0.5)) and new.mean() == old.mean()
    assert new.interval(0.8) == (float(old.ppf((1 - 0.8) / 2)), float(old.ppf((1 + 0.8) / 2)))
    assert new.interval(1.0) == (float(old.ppf(0.0)), float(old.ppf(1.0)))
    assert new.support() == old.support() and new.mode() == old.mode()
    assert all(np.array_equal(a, b) for a, b in zip(new.grid(), old.grid()))
    assert np.array_equal(new.rvs(300, random_state=3), old.rvs(300, 3))
    assert np.array_equal(new.rvs(300, random_state=np.random.default_rng(5)),
                          old.rvs(300, np.random.default_rng(5)))
    with pytest.raises(ValueError, match="q must lie"):
        new.ppf([0.5, 1.5])
    with pytest.raises(UserInputError, match="confidence"):
        new.interval(1.2)
    # scipy's own support (loc + a scale, loc + b scale) starts at the first node; support() keeps where the
    # mass is, and the two agree unless the density has two or more leading zero nodes
    s_lo, s_hi = new.dist.support(loc=units.offset, scale=units.scale)
    assert s_hi == new.support()[1] and (s_lo == new.support()[0]) == (label != "leading zeros")
    # the scipy methods scale like the law and stay inside [0, 1]
    assert np.all((new.sf(x) >= 0) & (new.sf(x) <= 1)) and np.allclose(new.sf(x), 1 - new.cdf(x), atol=1e-12)
    qq = np.linspace(0.01, 0.99, 99)
    assert np.allclose(new.sf(new.isf(qq)), qq, rtol=1e-9)
    assert new.var() > 0 and np.isfinite(new.entropy()) and np.isfinite(new.expect(lambda F: F ** 2))
