"""Law (G2) of validation/basin_scaling_law.py: the OLS fit of log alpha on spectrum intercepts, log p and
log d, and its prediction interval, checked on synthetic alphas drawn from a known law."""
import numpy as np

from validation.basin_scaling_law import fit_g2, predicted_alpha_g2


def _points(rng, c, bp, bd, s, reps=1):
    pts = []
    for _ in range(reps):
        for ham, ch in c.items():
            for n in (4, 5, 6, 7):
                for p in (8, 16, 32):
                    mu = ch + bp * np.log(p) + bd * np.log(2.0 ** n)
                    pts.append({"n": n, "p": p, "hamiltonian": ham, "alpha": float(np.exp(mu + s * rng.normal()))})
    return pts


def test_fit_recovers_the_law_and_its_scatter():
    rng = np.random.default_rng(3)
    c, bp, bd, s = {"fidelity": 0.3, "projector:2": 0.5}, 0.8, -0.6, 0.2
    fit = fit_g2(_points(rng, c, bp, bd, s, reps=4))
    cov = np.array(fit["xtx_inv"]) * fit["s"] ** 2
    se = np.sqrt(np.diag(cov))
    # 4 standard errors of the OLS coefficients
    assert abs(fit["beta"][-2] - bp) < 4 * se[-2] and abs(fit["beta"][-1] - bd) < 4 * se[-1]
    # residual s.d.: relative s.e. about 1 / sqrt(2 df)
    assert abs(fit["s"] / s - 1) < 4 / np.sqrt(2 * fit["df"])
    assert np.isclose(fit["kappa"], -fit["beta"][-1] / fit["beta"][-2])


def test_prediction_interval_covers_new_draws_at_its_nominal_rate():
    rng = np.random.default_rng(4)
    c, bp, bd, s = {"fidelity": 0.3, "projector:2": 0.5}, 0.8, -0.6, 0.3
    hits, trials = 0, 400
    for _ in range(trials):
        fit = fit_g2(_points(rng, c, bp, bd, s))
        a = predicted_alpha_g2(fit, 6, 24, "fidelity")
        new = c["fidelity"] + bp * np.log(24) + bd * np.log(64) + s * rng.normal()
        hits += abs(new - np.log(a["alpha"])) <= 1.96 * a["se_log"]
    # nominal about 0.95 (t quantile with 19 df slightly above 1.96: expected about 0.94); 4 binomial s.e.
    assert abs(hits / trials - 0.94) < 4 * np.sqrt(0.94 * 0.06 / trials)
    assert predicted_alpha_g2(fit, 6, 24, "randspec:1") is None
