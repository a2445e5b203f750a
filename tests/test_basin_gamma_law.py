"""The prediction rule of validation/basin_gamma_law.py (hypothesis (G)): alpha for a row comes only from
other qubit counts at the same spectrum and gamma, inverse-variance weighted with the between-n scatter."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "validation"))
from basin_gamma_law import gamma_key, predicted_alpha  # noqa: E402


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
