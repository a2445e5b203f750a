"""predict(): keys, units, transition, and bad input (per model; the auto rule and the two laws are in
tests/test_predict_auto.py)."""
import json

import numpy as np
import pytest

from rmt_qgm.errors import MonteCarloError, UserInputError
from rmt_qgm.theory.predict import predict
from rmt_qgm.theory.laws.published import compare_published, natcomm_crt0, natcomm_mode


def test_predict_keys_and_units():
    r = predict(3, 4, hamiltonian="fidelity", model="whrf", n_mc=500)
    assert r["gamma"] == 4 / 16 and r["dof"]["value"] == 16 and r["dof"]["rule"] == "dimension"
    # the circuit's transition p_c = 2 (d - d0) = 14; the WHRF surrogate's own (m = 16) is reported beside it
    assert r["transition"]["gamma_c"] == 1 - 1 / 8 and r["transition"]["params_c"] == 14
    assert r["transition"]["model_transition"]["params_c"] == 16
    m = r["minima"]
    assert m["q10"] < m["median"] < m["q90"]
    Ebar = 7 / 8
    assert 0 <= m["support"][0] < m["support"][1]
    # threshold and edge in raw units: t * (Ebar - E0)
    assert r["asymptotic"]["threshold"] == pytest.approx(r["asymptotic"]["threshold_t"] * Ebar)
    counts = r["critical_points"]["expected_counts_by_index"]
    assert len(counts) == 5
    pdf = np.array(m["pdf"])
    assert pdf.shape[1] == 2 and np.all(pdf[:, 1] >= 0)
    assert json.loads(r.to_json())["minima"]["median"] == m["median"]


def test_predict_pure_whrf_and_p1_exact():
    r = predict(None, 1, dof=6, n_mc=300, model="whrf")
    assert r["critical_points"]["expected_counts_by_index"] == pytest.approx([1.0, 1.0], abs=1e-12)
    assert r["gamma"] == pytest.approx(1 / 6)


def test_dof_rules_differ_for_spread_spectra():
    a = predict(3, 4, hamiltonian="diag:0,1,2,3,4,5,6,7", model="whrf", dof_rule="trace_ratio", n_mc=200)
    assert a["dof"]["rule"] == "trace_ratio"
    # Tr K^2 / ... : K = 0..7: (28)^2 / 140 = 5.6 -> ceil 6 -> m_real = 12
    assert a["dof"]["value"] == 12


@pytest.mark.parametrize("kw,match", [(dict(n_qubits=3, n_params=0), "params"),
                                      (dict(n_qubits=3, n_params=2, dps=10), "dps"),
                                      (dict(n_qubits=3, n_params=2, model="nope"), "model"),
                                      (dict(n_qubits=2, n_params=2, hamiltonian="diag:1,2"), "2\\^n")])
def test_bad_input(kw, match):
    with pytest.raises(UserInputError, match=match):
        predict(**kw)


def test_published_curves():
    x = np.linspace(0, 0.5, 20001)
    y = natcomm_crt0(x, 64, 16)
    assert np.trapezoid(y, x) == pytest.approx(1.0, abs=1e-3)
    # the large-m mode formula vs the numerical argmax of the curve (m = 512: 1/m corrections small)
    y = natcomm_crt0(x, 512, 128)
    assert x[np.argmax(y)] == pytest.approx(natcomm_mode(512, 128), abs=5e-3)
    c = compare_published(32, 8, n_mc=500)
    assert c["engine_asymptotic_t_e"] < c["engine_median_t"]


def test_cli_predict_json(cli_inprocess):
    # in process (tests/conftest.py); `python -m rmt_qgm.cli predict --json` runs in tests/test_predict_auto.py
    out = cli_inprocess(["predict", "--qubits", "3", "--params", "2", "--model", "whrf", "--samples", "200", "--json"])
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    for key in ("gamma", "model", "dof", "transition", "minima", "critical_points", "asymptotic", "dps",
                "digits_lost", "schema_version", "model_reason"):
        assert key in r
    for key in ("support", "q10", "median", "q90", "mode", "pdf"):
        assert key in r["minima"]


def test_spherical_predict_reports_spectral_transition():
    # gamma_c = 1 - d0/d from the ground-state degeneracy d0 (theory/laws/transition.py)
    from rmt_qgm.theory.predict import predict
    r = predict(3, 4, "projector:2", model="spherical", n_mc=2000)
    assert r["transition"]["ground_degeneracy"] == 2
    assert r["transition"]["params_c"] == 12 and abs(r["transition"]["gamma_c"] - 0.75) < 1e-15
    assert r["transition"]["minima_ceiling_F"] == 1.0


def test_complexity_curve_in_predict():
    # S(t) rises to its maximum at t_e (docs/theory.md §5.6): the last point (just below t_e) is the largest
    from rmt_qgm.theory.predict import predict
    r = predict(None, 8, dof=32, n_mc=200, complexity_points=3, model="whrf")
    c = r["asymptotic"]["complexity"]
    assert len(c) == 3 and c[-1][0] <= r["asymptotic"]["threshold_t"]
    assert c[0][1] < c[1][1] < c[2][1]


def test_complexity_rejected_for_other_models():
    import pytest
    from rmt_qgm.errors import MonteCarloError, UserInputError
    from rmt_qgm.theory.predict import predict
    with pytest.raises(UserInputError, match="complexity"):
        predict(3, 4, model="spherical", complexity_points=3)


def test_circuit_model_predict():
    """--model circuit: exact randomized-ansatz Kac–Rice; p = 1 counts are exactly 1 each (F is a
    sinusoid in 2 theta), so the estimate must hold them within 4 of its own standard errors."""
    r = predict(3, 1, "randspec:1", model="circuit", n_mc=8000)
    assert r["model"] == "circuit" and r["ansatz"] == "randomized"
    c = np.array(r["critical_points"]["expected_counts_by_index"])
    se = np.array(r["critical_points"]["stderr_by_index"])
    assert np.all(np.abs(c - 1) < 4 * se)
    m = r["minima"]
    assert m["support"][0] <= m["q10"] < m["median"] < m["q90"] <= m["support"][1]


def test_no_local_minimum_among_the_draws_is_one_clear_error():
    # near the transition a Monte Carlo run can contain no index-0 draw (n = 4, p = 28, projector:2 at 8000
    # draws did); predict must then say so in one line naming the draw count, not fail inside the tabulation
    from rmt_qgm.hamiltonians import parse_hamiltonian
    from rmt_qgm.theory.models.spherical import prediction_from_draws
    from rmt_qgm.theory.kacrice.draws import KacRiceDraws
    rng = np.random.default_rng(0)
    f = rng.uniform(0.0, 1.0, 50)
    kr = KacRiceDraws.from_draws(3, f, rng.normal(size=50), np.full(50, 2))     # every draw has index 2
    with pytest.raises(MonteCarloError, match="samples") as exc:
        prediction_from_draws(kr, parse_hamiltonian("fidelity", 2), "circuit", {}, 0, 30, 0.0)
    assert "p_c" not in str(exc.value)               # p = 3 < p_c = 6 for the infidelity at n = 2
    # at or beyond the spectrum's transition (n = 2, projector:2: p_c = 2 (4 - 2) = 4) the line says so
    kr = KacRiceDraws.from_draws(4, f, rng.normal(size=50), np.full(50, 2))
    with pytest.raises(MonteCarloError, match="p_c = 4") as exc:
        prediction_from_draws(kr, parse_hamiltonian("projector:2", 2), "circuit", {}, 0, 30, 0.0)
    assert "\n" not in str(exc.value) and "global minimum" in str(exc.value)
