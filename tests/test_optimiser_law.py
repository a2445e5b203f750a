"""rmt_qgm.theory.laws.optimiser: the optimiser-found law (B2') with alpha' from the stored (G3) fit.

The law's agreement with optimiser-found circuit minima is the subject of validation/basin_ceiling_law.py;
the (G3) prediction interval's coverage is tested in tests/test_basin_scaling_law.py (same function). Here:
the stored calibration is the validation's fit, the tilt's ordering properties, the flags outside the
calibrated range, bad input and the CLI block."""
import json
import os

import numpy as np
import pytest

from rmt_qgm.errors import UserInputError
from rmt_qgm.theory.laws.optimiser import calibration, exponent_from_fit, optimiser_minima, optimiser_weighted
from rmt_qgm.theory.predict import predict, predict_raw

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_stored_calibration_is_the_least_squares_fit_of_its_points():
    # Recompute (G3) from its inputs, the implied alpha' of the validation's calibration rows, by a QR solve
    # written here (the validation fits with lstsq in validation/basin_scaling_law.fit_g2), in the design
    # exponent_from_fit evaluates: a stale or mis-fitted rmt_qgm/data/basin_law_g3.json, a changed design
    # (column order, log d) or a wrong residual d.o.f. fails. (It replaces a comparison of the JSON with the
    # summary.json written by the same script run, which could only fail if one file was edited by hand.)
    from scipy.linalg import solve_triangular
    with open(os.path.join(ROOT, "validation", "results", "basin_ceiling_law", "summary.json"), encoding="utf-8") as fh:
        rows = [q for q in json.load(fh)["calibration"] if None not in q["alpha_range"]]
    cal = calibration()
    hams = sorted({q["hamiltonian"] for q in rows})
    assert cal["hamiltonians"] == hams and cal["points"] == len(rows) == 36
    X = np.array([[float(q["hamiltonian"] == h) for h in hams] + [np.log(q["p"]), q["n"] * np.log(2.0)]
                  for q in rows])
    y = np.log([q["alpha_range"][0] for q in rows])
    Q, R = np.linalg.qr(X)
    beta = solve_triangular(R, Q.T @ y)
    Rinv = solve_triangular(R, np.eye(R.shape[0]))
    df = len(y) - X.shape[1]
    assert cal["df"] == df
    np.testing.assert_allclose(cal["beta"], beta, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(cal["xtx_inv"], Rinv @ Rinv.T, rtol=1e-9, atol=1e-12)
    assert cal["s"] == pytest.approx(np.sqrt(np.sum((y - X @ beta) ** 2) / df), rel=1e-9)
    # and the law evaluates that fit: alpha' at a calibration row is exp(x0 . beta)
    q = rows[0]
    assert exponent_from_fit(cal, q["n"], q["p"], q["hamiltonian"])["alpha"] == pytest.approx(
        np.exp(X[0] @ beta), rel=1e-9)


@pytest.fixture(scope="module")
def circuit_prediction():
    return predict_raw(4, 8, hamiltonian="fidelity", model="circuit", seed=1, n_mc=2000)


def test_optimiser_law_is_stochastically_below_the_count_law(circuit_prediction):
    # the basin weight (1 - t/t_c)_+^(alpha' p/2) decreases in t, so every quantile moves down (or stays)
    o, m = optimiser_minima(circuit_prediction), circuit_prediction["minima"]
    assert o["q10"] <= m["q10"] and o["median"] <= m["median"] and o["q90"] <= m["q90"]
    assert o["q10"] < o["median"] < o["q90"]
    # a larger alpha' tilts further: the median at alpha' e^{+se} lies below the one at alpha' e^{-se}
    lo, hi = o["median_range"]
    assert lo <= o["median"] <= hi and lo < hi
    assert o["spectrum_in_fit"] and o["warning"] is None


def test_uncalibrated_spectrum_gets_mean_intercept_and_wider_error():
    cal = calibration()
    inside = [exponent_from_fit(cal, 5, 16, h) for h in cal["hamiltonians"]]
    out = exponent_from_fit(cal, 5, 16, "diag:0,1,2,3")
    assert not out["spectrum_in_fit"]
    assert np.isclose(np.log(out["alpha"]), np.mean([np.log(a["alpha"]) for a in inside]), rtol=0, atol=1e-12)
    # at least the residual scatter, and more than with identical intercepts (the spread is added)
    assert out["se_log"] >= cal["s"]
    k = len(cal["hamiltonians"])
    same = {**cal, "beta": [float(np.mean(cal["beta"][:k]))] * k + list(cal["beta"][k:])}
    assert out["se_log"] > exponent_from_fit(same, 5, 16, "diag:0,1,2,3")["se_log"]


def test_warnings_outside_the_calibrated_range(circuit_prediction):
    from rmt_qgm.theory.distributions import TabulatedDistribution
    t = np.linspace(0, 1, 201)
    law = TabulatedDistribution(t, np.ones_like(t))
    _, a = optimiser_weighted(law, 4, 28, "fidelity")       # gamma = 0.875
    assert "0.875" in a["warning"] and "failed" in a["warning"]
    _, a = optimiser_weighted(law, 3, 4, "fidelity")
    assert "n = 3" in a["warning"]
    _, a = optimiser_weighted(law, 4, 8, "projector:2")
    assert a["warning"] is None


def test_bad_input_is_one_clear_error(circuit_prediction):
    from rmt_qgm.theory.distributions import TabulatedDistribution
    t = np.linspace(0, 1, 11)
    with pytest.raises(UserInputError, match="n_params"):
        optimiser_weighted(TabulatedDistribution(t, np.ones_like(t)), 4, 0, "fidelity")
    with pytest.raises(UserInputError, match="model must be 'circuit'"):
        optimiser_minima({**circuit_prediction, "model": "whrf"})


def test_cli_circuit_prediction_has_the_optimiser_block(capsys):
    # the CLI in process (what `python -m rmt_qgm.cli` runs; a subprocess cost ~4 s of start-up and imports)
    from rmt_qgm.cli import main
    capsys.readouterr()
    code = main(["predict", "-n", "3", "-p", "4", "--model", "circuit", "--samples", "400", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    o = json.loads(out.out)["optimiser_minima"]
    for k in ("median", "q10", "q90", "median_stderr", "reliable", "provenance"):
        assert k in o
    for k in ("median_range_alpha_1se", "alpha_prime", "alpha_prime_se_log"):
        assert k in o["details"]
    assert o["provenance"]["kind"] == "fitted" and o["provenance"]["calibration"]["file"].endswith("basin_law_g3.json")
    # n = 3 lies below the calibrated qubit counts: the law is flagged as not reliable, with that reason
    assert not o["reliable"] and "n = 3" in o["reason"]


def test_few_minima_per_instance_is_flagged(circuit_prediction):
    cp = circuit_prediction["critical_points"]
    few = {**circuit_prediction, "critical_points": {**cp, "expected_counts_by_index": [1.2] + cp[
        "expected_counts_by_index"][1:]}}
    assert "per instance" in optimiser_minima(few)["warning"]
    assert optimiser_minima(circuit_prediction)["warning"] is None    # n = 4, p = 8: E N_0 well above 2


def test_predict_circuit_carries_the_optimiser_block(circuit_prediction):
    # predict() itself attaches the block (not only the CLI); it is the same function of the same result
    block = circuit_prediction["optimiser_minima"]
    again = optimiser_minima({k: v for k, v in circuit_prediction.items() if k != "optimiser_minima"})
    assert block == again
    whrf = predict(None, 4, model="whrf", dof=16, dps=15)["optimiser_minima"]
    assert not whrf["available"] and "calibrated on the exact circuit model" in whrf["reason"]
