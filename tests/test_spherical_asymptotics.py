"""Asymptotic edge level of the spherical model for any spectrum (rmt_qgm/theory/asymptotics/spherical.py).

The formulas themselves are checked in derivations/step_14 (isotropic reduction to t_e to 25 digits, Wick
cumulants, two-level identity, fixed-law transition, sampled Gibbs conditioning) and against sampled
matrices in the validate check ``asymptotic/spherical-edge``; here: structure, monotonicity, precision
reporting and the predict/CLI plumbing.
"""
import mpmath as mp
import numpy as np
import pytest

from rmt_qgm.errors import UserInputError
from rmt_qgm.theory.asymptotics import spherical as sa
from rmt_qgm.theory.predict import predict


def test_spectral_law_merges_degenerate_levels():
    lv, w = sa.spectral_law(np.r_[0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0])
    assert lv.tolist() == [0.0, 1.0, 2.0]
    assert w.tolist() == [0.25, 0.375, 0.375]


@pytest.mark.parametrize("bad", [np.ones(8), np.r_[1.0], np.r_[0.0, np.nan]])
def test_bad_spectra_rejected(bad):
    with pytest.raises(UserInputError, match="spectrum"):
        sa.spectral_law(bad)


def test_bad_gamma_and_rule_rejected():
    spec = np.r_[0.0, np.ones(15)]
    with pytest.raises(UserInputError, match="gamma"):
        sa.edge_level(spec, 0.0)
    with pytest.raises(UserInputError, match="rule"):
        sa.edge_level(spec, 0.5, rule="median")


def test_edge_falls_as_the_semicircle_widens():
    lv, w = sa.spectral_law(np.random.default_rng(2).standard_normal(32))
    with mp.workdps(20):
        edges = [sa.left_edge(lv, w, -0.5, 0.3, s) for s in (0.0, 0.05, 0.2, 0.8)]
    assert all(a > b for a, b in zip(edges, edges[1:]))


def test_edge_level_falls_with_gamma_and_typical_below_minimal():
    spec = np.random.default_rng(4).standard_normal(64)
    typ = [sa.edge_level(spec, g, "typical").F for g in (0.125, 0.25, 0.5, 0.75)]
    mnl = [sa.edge_level(spec, g, "minimal").F for g in (0.125, 0.25, 0.5, 0.75)]
    assert all(a > b for a, b in zip(typ, typ[1:]))
    assert all(t <= m + 1e-12 for t, m in zip(typ, mnl))
    assert typ[-1] > spec.min()


def test_edge_at_edge_level_is_zero_and_digits_reported():
    spec = np.r_[np.zeros(2), np.ones(30)]
    e = sa.edge_level(spec, 0.375, dps=25)
    assert 0 <= e.digits_lost <= 3
    lv, w = sa.spectral_law(spec)
    with mp.workdps(25):
        assert abs(sa.edge_at(lv, w, mp.mpf(e.F), 0.375)) < 1e-14
        assert sa.edge_at(lv, w, mp.mpf(e.F) * 0.9, 0.375) > 0
        assert sa.edge_at(lv, w, mp.mpf(e.F) * 1.1, 0.375) < 0


def test_predict_reports_asymptotics_for_circuit_and_spherical_models():
    r = predict(4, 8, "projector:2", model="circuit", n_mc=200)
    a = r["asymptotic"]
    assert a["threshold"] == a["edge"] and 0 < a["edge"] < 1            # two-level: a threshold
    assert a["threshold_t"] == pytest.approx(a["threshold"] / (14 / 16))  # t = (F - E0)/(Ebar - E0)
    r = predict(4, 8, "randspec:1", model="spherical", n_mc=200)
    a = r["asymptotic"]
    lo, hi = a["edge_interval"]
    assert lo == a["edge"] and lo < hi
    assert lo <= a["threshold"] <= hi and a["threshold_digits"] >= 6


def test_concentration_level_rejects_bad_gamma_and_reports_the_ground_above_gamma_c():
    from rmt_qgm.theory.asymptotics.minima_complexity import concentration_level
    spec = np.r_[np.zeros(4), np.ones(12)]
    with pytest.raises(UserInputError, match="gamma"):
        concentration_level(spec, -1)
    r = concentration_level(spec, 0.8)                  # gamma_c = 1 - 4/16 = 0.75
    assert r["at_ground"] and r["F"] == 0.0
