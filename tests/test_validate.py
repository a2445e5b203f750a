"""Validation checks: they pass on the engine, and they fail when the theory is wrong."""
import json

import numpy as np

import rmt_qgm.theory.pointlaw as pointlaw
from rmt_qgm.seeding import generator
from rmt_qgm.theory.enumerate import WHRFField, enumerate_critical_points
from rmt_qgm.theory.kacrice import expected_counts
from rmt_qgm.validate import _count_check, check_point_law_whrf, run_validation


def test_point_law_check_fails_for_a_wrong_law(monkeypatch):
    assert check_point_law_whrf(m=10, n=20000).passed
    real = pointlaw.t_law
    monkeypatch.setattr(pointlaw, "t_law", lambda m: real(m + 4))   # a wrong degrees-of-freedom count
    assert not check_point_law_whrf(m=10, n=20000).passed


def test_count_check_fails_for_wrong_counts():
    sets = []
    for i in range(60):
        rng = generator(1, "t", i)
        sets.append(enumerate_critical_points(WHRFField.sample(6, 2, rng), rng=rng))
    kr = expected_counts(6, 2, seed=0, n_mc=2000)
    import time
    ok = _count_check("c", sets, kr.counts, kr.stderr, {}, 0, time.perf_counter())
    bad = _count_check("c", sets, 1.3 * kr.counts, kr.stderr, {}, 0, time.perf_counter())
    assert ok.passed and not bad.passed


def test_run_validation_quick_writes_report(tmp_path):
    results, passed = run_validation("quick", str(tmp_path))
    rep = json.loads((tmp_path / "report.json").read_text())
    assert rep["passed"] == passed and len(rep["checks"]) == len(results)
    for c in rep["checks"]:
        for key in ("name", "params", "statistic", "threshold", "passed", "seconds", "seed"):
            assert key in c
    assert (tmp_path / "report.md").exists() and (tmp_path / "critical-counts.png").exists()
    assert np.isfinite([c["statistic"] for c in rep["checks"]]).all()


def test_circuit_count_check_agrees_for_a_nondegenerate_spectrum():
    # randomized circuits at n = 2, p = 2 with a non-degenerate random spectrum: enumeration (Euler
    # identity per circuit) against the exact circuit Kac–Rice, Bonferroni z threshold from the check itself
    from rmt_qgm.validate import check_critical_count_circuit
    r = check_critical_count_circuit(2, 2, "randspec:5", circuits=12, seed=1)
    assert r.details["all_fields_euler_zero"]
    assert r.passed, r.details


def test_hessian_at_minima_check_statistic_is_a_t_statistic():
    from scipy import stats
    from rmt_qgm.validate import check_hessian_at_minima
    r = check_hessian_at_minima(3, 8, starts=6, instances=5, seed=2, draws=2000)
    d = r.details
    assert d["instances_used"] >= 3 and d["distinct_minima"] >= d["instances_used"]
    assert np.isfinite(r.statistic) and r.statistic >= 0
    assert abs(r.threshold - stats.t.ppf(0.995, d["instances_used"] - 1)) < 1e-12
    assert r.passed == (r.statistic <= r.threshold)
