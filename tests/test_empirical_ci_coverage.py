"""The coverage machinery of validation/empirical_ci_coverage.py and the widened verdict of the table
(validation/circuits_vs_theory.py): checked on synthetic intervals whose true coverage is known."""
import numpy as np
from scipy.stats import norm

from validation.circuits_vs_theory import verdict, verdict_pair, widen
from validation.empirical_ci_coverage import covered, widening_factor


def test_widen_scales_each_half_width_about_the_median():
    lo, hi = widen((1.0, 4.0), 2.0, 1.5)
    assert np.isclose(lo, 2.0 - 1.5 * 1.0) and np.isclose(hi, 2.0 + 1.5 * 2.0)
    assert widen((1.0, 4.0), 2.0) == (1.0, 4.0)


def test_widened_verdict_turns_a_near_miss_into_agreement_only_when_wide_enough():
    row = {"empirical": {"median": 0.0, "median_ci95": (-1.0, 1.0)},
           "circuit": {"median": 1.5, "median_se": 0.2, "q10": 0.0, "q90": 3.0}}
    # pred - 2 se = 1.1: outside [-1, 1], inside [-1.2, 1.2]
    assert verdict(row, "circuit") == "MISMATCH"
    assert verdict(row, "circuit", 1.2) == "agree"
    assert verdict(row, "circuit", 1.05) == "MISMATCH"
    assert verdict_pair("MISMATCH", "agree", 1.2) == "MISMATCH (agree at CI × 1.20)"
    assert verdict_pair("agree", "agree", 1.2) == "agree" and verdict_pair("agree", None, None) == "agree"


def test_widening_factor_recovers_the_known_undercoverage():
    # intervals m +- 1.96 s with the block median m ~ N(ref, (s / k)^2): true coverage P(|Z| < 1.96 k);
    # the factor that restores 95 % is 1 / k
    rng = np.random.default_rng(11)
    k, nblocks, ref = 0.7, 2000, 0.3
    m = ref + rng.standard_normal(nblocks) / k
    blocks = [{"median": x, "lo": x - 1.96, "hi": x + 1.96} for x in m]
    rows = [{"blocks": blocks, "reference": ref}]
    cov = covered(blocks, ref).mean()
    p_true = 2 * norm.cdf(1.96 * k) - 1
    # binomial s.e. of the coverage over nblocks intervals; 4 s.e.
    assert abs(cov - p_true) < 4 * np.sqrt(p_true * (1 - p_true) / nblocks)
    c = widening_factor(rows, 1)
    # c estimates the 95 % quantile of |Z| / (1.96 k) from nblocks / 2 blocks: s.e. of a sample quantile
    # sqrt(p (1 - p) / N) / f(q), f the density of |Z| at 1.96; 4 s.e. plus the 0.01 grid
    se = np.sqrt(0.95 * 0.05 / (nblocks / 2)) / (2 * norm.pdf(1.96)) / (1.96 * k)
    assert abs(c - 1 / k) < 4 * se + 0.01
    # coverage on the held-out even blocks once widened
    held = covered(blocks[0::2], ref, c).mean()
    assert abs(held - 0.95) < 4 * np.sqrt(0.95 * 0.05 / (nblocks / 2)) + 0.01
