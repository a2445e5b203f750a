"""The small-loss law of local minima, rho_0(F) ∝ (F − E0)^((p_c − p)/2 − 1) (rmt_qgm/theory/asymptotics/small_loss.py,
derivations/step_16), against the exact circuit model's Kac–Rice draws with deep tilt levels."""
import pytest

from rmt_qgm.errors import UserInputError
from rmt_qgm.hamiltonians import parse_hamiltonian
from rmt_qgm.theory.models.circuit import kac_rice_circuit
from rmt_qgm.theory.predict import predict_raw as predict   # the circuit model's own result
from rmt_qgm.theory.asymptotics.small_loss import fit_small_loss_exponent, small_loss_exponent


def test_exponent_values():
    fid = parse_hamiltonian("fidelity", 3).spectrum              # d0 = 1: p_c = 14
    proj = parse_hamiltonian("projector:2", 3).spectrum          # d0 = 2: p_c = 12
    assert small_loss_exponent(fid, 10) == 1.0 and small_loss_exponent(fid, 13) == -0.5
    assert small_loss_exponent(proj, 10) == 0.0 and small_loss_exponent(proj, 12) is None
    with pytest.raises(UserInputError, match="params"):
        small_loss_exponent(fid, 0)


# (n, p, spectrum): predicted beta = 2, 1, 0 (p_c = 12, 14, 12)
ROWS = [(3, 6, "projector:2"), (3, 10, "fidelity"), (3, 10, "projector:2")]


@pytest.mark.parametrize("n,p,name", ROWS)
def test_fitted_exponent_matches_the_law(n, p, name):
    spec = parse_hamiltonian(name, n).spectrum
    kr = kac_rice_circuit(spec, p, seed=11, n_mc=16000, deep_levels=8)
    fit = fit_small_loss_exponent(kr, spec, 1e-5, 1e-3, 6)
    beta = small_loss_exponent(spec, p)
    # z = (fit - law) / s.e. of the weighted least-squares slope; |z| < 3.3 is a two-sided 0.1 % test per row.
    # The s.e. neglects the bins' small negative covariance (-C_i C_j / draws), which only widens it.
    assert min(fit["draws_per_bin"]) >= 100
    assert abs(fit["beta"] - beta) < 3.3 * fit["se"], (fit, beta)
    # and the test has power: with s.e. < 0.15, a law off by 1/2 (the step between neighbouring p) fails
    assert fit["se"] < 0.15


def test_fit_needs_draws_below_the_floor():
    spec = parse_hamiltonian("fidelity", 3).spectrum
    kr = kac_rice_circuit(spec, 4, seed=1, n_mc=300)             # plain ladder: hardly any draw at t < 1e-3
    with pytest.raises(UserInputError, match="deep tilt levels"):
        fit_small_loss_exponent(kr, spec, 1e-7, 1e-5, 6)


def test_predict_reports_the_exponent():
    r = predict(3, 10, hamiltonian="fidelity", model="circuit", seed=0, n_mc=8000)
    assert r["transition"]["minima_density_exponent_at_E0"] == 1.0
