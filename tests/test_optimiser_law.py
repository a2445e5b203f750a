"""rmt_qgm.theory.optimiser_law: the optimiser-found law (B2') with alpha' from the stored (G3) fit.

The law's agreement with optimiser-found circuit minima is the subject of validation/basin_ceiling_law.py;
the (G3) prediction interval's coverage is tested in tests/test_basin_scaling_law.py (same function). Here:
the stored calibration is the validation's fit, the tilt's ordering properties, the flags outside the
calibrated range, bad input and the CLI block."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from rmt_qgm.errors import UserInputError
from rmt_qgm.theory.optimiser_law import calibration, exponent_from_fit, optimiser_minima, optimiser_weighted
from rmt_qgm.theory.predict import predict, predict_raw

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_stored_calibration_is_the_validation_fit():
    with open(os.path.join(ROOT, "validation", "results", "basin_ceiling_law", "summary.json"), encoding="utf-8") as fh:
        fit = json.load(fh)["fit"]
    cal = calibration()
    for k in ("hamiltonians", "beta", "xtx_inv", "s", "df", "points"):
        assert cal[k] == fit[k], k


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


def test_cli_circuit_prediction_has_the_optimiser_block():
    out = subprocess.run([sys.executable, "-m", "rmt_qgm.cli", "predict", "-n", "3", "-p", "4", "--model", "circuit",
                          "--samples", "400", "--json"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    o = json.loads(out.stdout)["optimiser_minima"]
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
