"""The prediction rule of validation/basin_gamma_law.py (hypothesis (G)): alpha for a row comes only from
other qubit counts at the same spectrum and gamma, inverse-variance weighted with the between-n scatter."""
import numpy as np
import pytest

from validation.basin_gamma_law import finite_d_fit, gamma_key, predicted_alpha, predicted_alpha_g1


def _a(n, p, alpha, se, ham="fidelity"):
    return {"n": n, "p": p, "hamiltonian": ham, "gamma": gamma_key(n, p), "alpha": alpha, "se": se,
            "source": "complete"}


def test_prediction_never_uses_the_rows_own_qubit_count():
    alphas = [_a(3, 4, 1.0, 0.1), _a(4, 8, 2.0, 0.1), _a(5, 16, 9.0, 0.1, "projector:2")]
    got = predicted_alpha(alphas, 4, 8, "fidelity", 0.0)
    assert got["alpha"] == 1.0 and got["from"] == ["n = 3, p = 4"]
    assert np.isclose(got["se"], 0.1)
    # another gamma, spectrum or only the own n: no prediction
    assert predicted_alpha(alphas, 4, 10, "fidelity", 0.0) is None
    assert predicted_alpha([_a(4, 8, 2.0, 0.1)], 4, 8, "fidelity", 0.0) is None


def test_prediction_weights_and_carries_the_between_n_scatter():
    alphas = [_a(3, 4, 1.0, 0.1), _a(5, 16, 2.0, 0.2)]
    sigma = 0.3
    w = np.array([1 / (0.1 ** 2 + sigma ** 2), 1 / (0.2 ** 2 + sigma ** 2)])
    got = predicted_alpha(alphas, 4, 8, "fidelity", sigma)
    assert np.isclose(got["alpha"], (w[0] * 1.0 + w[1] * 2.0) / w.sum())
    assert np.isclose(got["se"], np.sqrt(1 / w.sum() + sigma ** 2))


def test_finite_d_fit_recovers_a_known_slope_and_moves_alpha_to_the_rows_d():
    # alpha = a(group) - 4 / 2^n + noise(s.e. 0.05) at n = 3..6 in 12 groups: b within 4 of its s.e.
    rng = np.random.default_rng(5)
    alphas = []
    for k in range(12):
        a = rng.uniform(0.8, 3.0)
        for n in (3, 4, 5, 6):
            p = 2 ** (n + 1) // 8 * (k + 1)          # gamma = (k + 1) / 8, the same at every n
            alphas.append(_a(n, p, a - 4.0 / 2 ** n + 0.05 * rng.standard_normal(), 0.05))
    fit = finite_d_fit(alphas)
    assert abs(fit["b"] + 4.0) < 4 * fit["b_se"]
    # the prediction for n = 6 from n = 3, 4, 5 lands near the n = 6 truth, within 4 of its s.e.
    row = [x for x in alphas if x["n"] == 6][0]
    got = predicted_alpha_g1(alphas, 6, row["p"], "fidelity")
    truth = np.mean([x["alpha"] + 4.0 / 2 ** x["n"] for x in alphas if x["gamma"] == row["gamma"]]) - 4.0 / 64
    assert abs(got["alpha"] - truth) < 4 * np.hypot(got["se"], 0.05)


@pytest.mark.parametrize("law", ["B2", "B2'"])
def test_matching_alpha_recovers_the_tilt_that_produced_a_median(law):
    from validation.basin_gamma_law import matching_alpha

    from rmt_qgm.theory.laws.basin import basin_weighted, ceiling_weighted
    from rmt_qgm.theory.distributions import TabulatedDistribution
    tilt = basin_weighted if law == "B2" else ceiling_weighted
    t = np.linspace(0.0, 1.0, 401)
    dists = [TabulatedDistribution(t, t ** a * (1 - t) ** 3) for a in (2.0, 2.5)]
    p, alpha0 = 16, 1.3 if law == "B2" else 0.4
    target = float(np.mean([tilt(d, p, alpha0).median() for d in dists]))
    # brentq's xtol is 1e-4; the tilted median is smooth in alpha, so alpha0 is recovered to that order
    assert abs(matching_alpha(dists, p, target, tilt=tilt) - alpha0) < 1e-3
    # the untilted median is the largest reachable one: a target above it has no alpha >= 0
    top = float(np.mean([d.median() for d in dists]))
    assert matching_alpha(dists, p, top + 0.01, tilt=tilt) is None
