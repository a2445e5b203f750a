"""Point law of the isotropic WHRF: closed forms vs sampling and vs high-precision numerics."""
import math

import mpmath as mp
import numpy as np
import pytest
from scipy import stats

from rmt_qgm.theory.models.whrf_pointlaw import (GradientComponentLaw, laguerre_expected_det, sample_point,
                                     sample_wz, t_law)

ALPHA = 1e-3  # per-test significance level of the KS tests below


def test_t_law_and_gradient_from_samples():
    m, p, n = 10, 3, 20000
    rng = np.random.default_rng(1)
    F, grad, hess = sample_point(m, p, rng, n)
    assert stats.kstest(F, t_law(m).cdf).pvalue > ALPHA
    # given F, each gradient component is N(0, 4F/m)
    z = grad / np.sqrt(4 * F[:, None] / m)
    assert stats.kstest(z.ravel()[:n], "norm").pvalue > ALPHA
    law = GradientComponentLaw(m)
    sub = grad[:2000, 0]
    assert stats.kstest(sub, law.cdf).pvalue > ALPHA
    # variance 4/m: standard error of a sample variance ~ sqrt(Var(g^2)/n); 5 sigma
    v = grad[:, 0].var()
    se = np.sqrt(np.var(grad[:, 0] ** 2) / n)
    assert abs(v - law.var()) < 5 * se
    # Hessian diagonal mean: E[2|u|^2 - 2F] = 2 - 2 = 0; off-diagonal mean 0
    se_d = hess[:, 0, 0].std() / np.sqrt(n)
    assert abs(hess[:, 0, 0].mean()) < 5 * se_d


def test_gradient_pdf_normalised_and_matches_quadrature():
    law = GradientComponentLaw(7)
    from scipy.integrate import quad
    total = quad(lambda x: float(law.pdf(x)), -np.inf, np.inf)[0]
    assert total == pytest.approx(1.0, abs=1e-8)
    var = quad(lambda x: x * x * float(law.pdf(x)), -np.inf, np.inf)[0]
    assert var == pytest.approx(4 / 7, rel=1e-7)
    # characteristic function (1 + 4 s^2/m^2)^(-m/2) at s = 1.3
    s = 1.3
    cf = quad(lambda x: math.cos(s * x) * float(law.pdf(x)), -np.inf, np.inf, limit=400)[0]
    assert cf == pytest.approx((1 + 4 * s * s / 49) ** (-3.5), abs=1e-7)


@pytest.mark.parametrize("m,p,t", [(6, 1, 0.3), (6, 2, 0.5), (10, 3, 1.2), (5, 4, 0.2)])
def test_laguerre_expected_det_vs_sampling(m, p, t):
    rng = np.random.default_rng(m * 10 + p)
    W, _ = sample_wz(m, p, rng, 200000)
    d = np.linalg.det(W - t * np.eye(p))
    exact = float(laguerre_expected_det(m, p, t))
    # 5 standard errors of the sample mean
    assert abs(d.mean() - exact) < 5 * d.std() / np.sqrt(d.size)


def test_laguerre_p1_p2_closed_forms():
    # E det(W' - x) = n' - x (p=1), x^2 - 2n'x + n'(n'-1) (p=2) for W' ~ Wishart(n', I): normalised form
    m, t = 9, mp.mpf("0.37")
    with mp.workdps(40):
        n1 = m - 1
        p1 = (n1 - m * t) / m
        p2 = ((m * t) ** 2 - 2 * n1 * m * t + n1 * (n1 - 1)) / m ** 2
        assert abs(laguerre_expected_det(m, 1, t, dps=40) - p1) < mp.mpf(10) ** -35
        assert abs(laguerre_expected_det(m, 2, t, dps=40) - p2) < mp.mpf(10) ** -35
