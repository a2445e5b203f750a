"""The basin-weighting law (rmt_qgm/theory/laws/basin.py): the exponent fit recovers a known alpha from synthetic
hit counts, the tilt has the closed form it should, and bad input is refused."""
import numpy as np
import pytest

from rmt_qgm.errors import UserInputError
from rmt_qgm.theory.laws.basin import (basin_weighted, between_group_scatter, ceiling_t, ceiling_weighted, fisher_se,
                                  fit_basin_exponent, fit_truncated, log_depth)
from rmt_qgm.theory.distributions import TabulatedDistribution


def _synthetic(alpha: float, p: int, rng: np.random.Generator, instances: int = 40, minima: int = 20,
               starts: int = 2000):
    """Instances whose hits are multinomial with probabilities proportional to (1 - t)^(alpha p / 2)."""
    out = []
    for _ in range(instances):
        t = rng.uniform(0.2, 0.8, minima)
        w = np.exp(alpha * log_depth(t, p))
        out.append((t, rng.multinomial(starts, w / w.sum()).astype(float)))
    return out


@pytest.mark.parametrize("alpha,p", [(0.9, 8), (1.3, 4), (0.0, 12)])
def test_fit_recovers_a_known_exponent(alpha, p):
    data = _synthetic(alpha, p, np.random.default_rng(11))
    a = fit_basin_exponent(data, p)
    se = fisher_se(data, p, a)
    # The MLE is asymptotically normal with the Fisher s.e. (the model is exact here): 4 s.e. is a
    # two-sided 6e-5 false-alarm rate, and the s.e. itself (~0.01) is far below the effects measured.
    assert abs(a - alpha) < 4 * se, (a, alpha, se)
    assert se < 0.05


def test_fit_ignores_instances_without_contrast():
    rng = np.random.default_rng(3)
    data = _synthetic(0.8, 8, rng, instances=10)
    lonely = [(np.array([0.4]), np.array([500.0]))]           # one minimum: no within-instance contrast
    assert fit_basin_exponent(data + lonely, 8) == pytest.approx(fit_basin_exponent(data, 8), abs=1e-9)


def test_tilt_of_a_uniform_law_is_a_beta_law():
    # uniform density on [0, 1) tilted by (1 - t)^k is Beta(1, k + 1): median 1 - 2^(-1/(k+1)) exactly;
    # the trapezoid error of the tabulated cdf on 20001 points is O(h^2 k^2) < 1e-6
    t = np.linspace(0.0, 1.0, 20001)
    dist = TabulatedDistribution(t, np.ones_like(t))
    for alpha, p in [(1.0, 8), (0.7, 16), (0.0, 8)]:
        k = alpha * p / 2
        tilted = basin_weighted(dist, p, alpha)
        assert tilted.median() == pytest.approx(1 - 2 ** (-1 / (k + 1)), abs=1e-5)
        assert tilted.cdf(0.25) == pytest.approx(1 - 0.75 ** (k + 1), abs=1e-5)


def test_ceiling_tilt_of_a_uniform_law_is_a_scaled_beta_law():
    # uniform on [0, 1): t_c = q exactly, and (1 - t/q)^k on [0, q) gives q * Beta(1, k + 1): median
    # q (1 - 2^(-1/(k+1))), cdf(q/4) = 1 - 0.75^(k+1); trapezoid error O(h^2 k^2) < 1e-5 on 40001 points
    t = np.linspace(0.0, 1.0, 40001)
    dist = TabulatedDistribution(t, np.ones_like(t))
    for alpha, p, q in [(0.4, 24, 0.99), (0.2, 48, 0.5), (0.0, 8, 0.9)]:
        k = alpha * p / 2
        assert ceiling_t(dist, q) == pytest.approx(q, abs=1e-9)
        tilted = ceiling_weighted(dist, p, alpha, q)
        if alpha > 0:
            assert tilted.median() == pytest.approx(q * (1 - 2 ** (-1 / (k + 1))), abs=1e-5)
            assert tilted.cdf(q / 4) == pytest.approx(1 - 0.75 ** (k + 1), abs=1e-5)
        else:
            assert tilted.median() == pytest.approx(dist.median(), abs=1e-9)
    with pytest.raises(UserInputError, match="q"):
        ceiling_t(dist, 1.0)


def test_tilt_moves_mass_to_deeper_minima_and_keeps_units():
    t = np.linspace(0.0, 1.0, 501)
    dist = TabulatedDistribution(t, np.exp(-0.5 * ((t - 0.5) / 0.1) ** 2))
    tilted = basin_weighted(dist, 16, 1.0)
    assert tilted.median() < dist.median()
    assert tilted.units is dist.units


@pytest.mark.parametrize("kwargs,name", [({"n_params": 0, "alpha": 1.0}, "n_params"),
                                         ({"n_params": 8, "alpha": float("nan")}, "alpha"),
                                         ({"n_params": 8, "alpha": 50.0}, "alpha")])
def test_bad_input_names_the_parameter(kwargs, name):
    t = np.linspace(0.0, 1.0, 11)
    with pytest.raises(UserInputError, match=name):
        basin_weighted(TabulatedDistribution(t, np.ones_like(t)), **kwargs)


def test_fit_refuses_unusable_data():
    with pytest.raises(UserInputError, match="instances"):
        fit_basin_exponent([(np.array([0.3, 0.5]), np.array([1.0]))], 8)
    with pytest.raises(UserInputError, match="instances"):
        fit_basin_exponent([(np.array([0.3]), np.array([4.0]))], 8)


def _seen_minima(alpha: float, p: int, rng: np.random.Generator, instances: int = 12, minima: int = 300,
                 log_scale: float = 0.0):
    """All minima (t) and the seen ones (t, hits >= 1): hits Poisson(exp(c + alpha (p/2) log(1 - t))), so
    that with c = 0 most shallow minima are never hit (an incomplete enumeration)."""
    every, seen = [], []
    for _ in range(instances):
        t = rng.beta(2.0, 2.0, minima)
        lam = np.exp(log_scale + rng.normal(0.0, 0.5) + alpha * log_depth(t, p))
        h = rng.poisson(lam).astype(float)
        every.append(t)
        seen.append((t[h > 0], h[h > 0]))
    return every, seen


@pytest.mark.parametrize("alpha,p", [(1.0, 12), (1.4, 16)])
def test_truncated_fit_recovers_alpha_from_incomplete_enumerations(alpha, p):
    every, seen = _seen_minima(alpha, p, np.random.default_rng(21))
    assert sum(len(t) for t, _ in seen) < 0.5 * sum(len(t) for t in every)    # most minima unseen
    fit = fit_truncated(seen, p)
    # the model is exact here, so the MLE is asymptotically normal with the observed-information s.e.
    assert abs(fit.alpha - alpha) < 4 * fit.alpha_se, (fit.alpha, alpha, fit.alpha_se)


def test_horvitz_thompson_recovers_the_law_of_all_minima():
    # 16 independent synthetic data sets: the error of the weighted median of the seen minima (weights 1/pi)
    # against the median of all minima must have mean 0 within 4 of its standard errors (sd / sqrt(16)),
    # while the unweighted median of the seen minima is biased low by many standard errors.
    rng = np.random.default_rng(8)
    err_ht, err_seen, err_count = [], [], []
    for _ in range(16):
        every, seen = _seen_minima(1.2, 12, rng)
        fit = fit_truncated(seen, 12)
        t, w = fit.horvitz_thompson(seen, 12)
        o = np.argsort(t)
        med_ht = t[o][np.searchsorted(np.cumsum(w[o]), 0.5 * w.sum())]
        truth = np.median(np.concatenate(every))
        err_ht.append(med_ht - truth)
        err_seen.append(np.median(t) - truth)
        err_count.append(w.sum() / sum(len(x) for x in every) - 1.0)
    se = np.std(err_ht, ddof=1) / 4
    assert abs(np.mean(err_ht)) < 4 * se, (np.mean(err_ht), se)
    assert np.mean(err_seen) < -4 * np.std(err_seen, ddof=1) / 4
    se_c = np.std(err_count, ddof=1) / 4
    assert abs(np.mean(err_count)) < 4 * se_c, (np.mean(err_count), se_c)


def test_truncated_fit_refuses_unusable_data():
    with pytest.raises(UserInputError, match="hits"):
        fit_truncated([(np.array([0.3, 0.5]), np.array([0.0, 2.0]))], 8)
    with pytest.raises(UserInputError, match="instances"):
        fit_truncated([(np.array([0.3, 0.5]), np.array([1.0]))], 8)
    with pytest.raises(UserInputError, match="instances"):
        fit_truncated([(np.array([0.3, 1.2]), np.array([1.0, 3.0]))], 8)
    singletons = [(np.linspace(0.1, 0.6, 50), np.ones(50))] * 4     # every minimum seen once: no MLE
    with pytest.raises(UserInputError, match="not identified"):
        fit_truncated(singletons, 8)


def _meta_data(rng, sigma, groups=20, members=3):
    """Synthetic groups: true group means, members scattered by sigma, measured with s.e.s 0.05-0.2."""
    mu = np.repeat(rng.normal(1.0, 0.5, groups), members)
    se = rng.uniform(0.05, 0.2, groups * members)
    x = mu + sigma * rng.standard_normal(mu.size) + se * rng.standard_normal(mu.size)
    return x, se, np.repeat(np.arange(groups), members).tolist()


def test_between_group_scatter_q_is_chi_square_when_homogeneous():
    # sigma = 0: Q ~ chi2(df), df = 20 * 2 = 40; the mean of 300 Q has s.e. sqrt(2 df / 300) = 0.52, so 4 s.e.
    rng = np.random.default_rng(11)
    qs = []
    for _ in range(300):
        sig, q, df = between_group_scatter(*_meta_data(rng, 0.0))
        qs.append(q)
    assert df == 40
    assert abs(np.mean(qs) - df) < 4 * np.sqrt(2 * df / 300)


def test_between_group_scatter_recovers_a_known_scatter():
    # sigma = 0.3 >> s.e.s: the DL estimate of sigma^2 is unbiased up to its truncation at 0, which is
    # negligible here; compare the mean over 300 data sets with 0.09 within 4 s.e. of that mean
    rng = np.random.default_rng(12)
    s2 = np.array([between_group_scatter(*_meta_data(rng, 0.3))[0] ** 2 for _ in range(300)])
    assert abs(s2.mean() - 0.09) < 4 * s2.std(ddof=1) / np.sqrt(s2.size)
    # singleton groups carry no information about the scatter
    assert between_group_scatter([1.0, 2.0], [0.1, 0.1], ["a", "b"]) == (0.0, 0.0, 0)


def test_between_group_scatter_refuses_bad_input():
    with pytest.raises(UserInputError, match="ses"):
        between_group_scatter([1.0, 2.0], [0.1, 0.0], [0, 0])
    with pytest.raises(UserInputError, match="same length"):
        between_group_scatter([1.0, 2.0], [0.1], [0, 0])


def test_tilt_puts_no_mass_below_the_tabulated_grid():
    """A count law tabulated on [0.30, 0.36] (cut where its density is still e^-10 of its maximum) tilted by a
    steep (B1') factor: the tilted law has no mass below the grid's first node (the origin a tabulated law adds
    below its grid carried a linear ramp, which the tilt turned into mass down to t = 0), and a law whose grid
    reaches down to t = 0 is tilted exactly as before."""
    t = np.linspace(0.30, 0.36, 121)
    logd = -10.0 * ((t - 0.345) / 0.045) ** 2
    law = TabulatedDistribution(t, np.exp(logd))
    tilted = ceiling_weighted(law, 128, 2.0)
    assert float(tilted.ppf(1e-6)) >= 0.30 * (1 - 1e-6)
    assert tilted.cdf(0.2999) == 0.0
    grid = np.linspace(0.0, 0.36, 361)
    full = TabulatedDistribution(grid, np.exp(-10.0 * ((grid - 0.345) / 0.045) ** 2))
    a = ceiling_weighted(full, 128, 2.0)
    w = np.where(grid < ceiling_t(full), (1 - grid / ceiling_t(full)) ** 128, 0.0) * full._d
    ref = TabulatedDistribution(grid, w)
    assert abs(a.median() - ref.median()) < 1e-12


def test_predictive_law_is_the_average_over_alpha():
    """The predictive law (Gauss-Hermite in log alpha') equals a brute-force average of the tilted laws over
    log alpha' ~ N(log alpha, se^2) (a fine grid quadrature, error << the tolerance), is the point law at se = 0,
    and is wider than the point law: averaging over alpha' mixes laws whose medians differ."""
    from rmt_qgm.theory.laws.optimiser import predictive_weighted
    t = np.linspace(0.0, 1.0, 801)
    d = np.exp(-0.5 * ((t - 0.5) / 0.08) ** 2)
    dist = TabulatedDistribution(t, d)
    p, alpha, se = 128, 0.1, 0.43
    pred = predictive_weighted(dist, p, alpha, se)
    z = np.linspace(-7, 7, 1401)
    wz = np.exp(-0.5 * z ** 2)
    wz /= wz.sum()
    grid = pred._t
    ref = np.zeros_like(grid)
    for zi, wi in zip(z, wz):
        law = ceiling_weighted(dist, p, alpha * np.exp(se * zi))
        ref += wi * np.interp(grid, law._t, law._d, left=0.0, right=0.0)
    ref_law = TabulatedDistribution(grid, ref)
    for q in (0.1, 0.5, 0.9):
        assert pred.ppf(q) == pytest.approx(ref_law.ppf(q), abs=2e-3)
    point = ceiling_weighted(dist, p, alpha)
    same = predictive_weighted(dist, p, alpha, 0.0)
    assert np.allclose(same._d, point._d) and np.allclose(same._t, point._t)
    assert pred.ppf(0.9) - pred.ppf(0.1) > 1.1 * (point.ppf(0.9) - point.ppf(0.1))
    assert np.trapezoid(pred._d, pred._t) == pytest.approx(1.0, abs=1e-9)
