"""Total complexity and typical index (docs/theory.md §19.4): agreement with the minima complexity where minima
dominate, the index fraction against sampled matrices, and predict's asymptotic complexity block."""
import numpy as np

from rmt_qgm.theory.asymptotics import minima_complexity as mc
from rmt_qgm.theory.asymptotics.critical_complexity import complexity_curve, negative_mass, total_complexity

E = np.array([0.0, 1.0])
NU = np.array([1 / 512, 511 / 512])


def test_total_equals_minima_complexity_below_the_edge_and_exceeds_it_above():
    g = 0.25                                     # edge level of this law ~ 0.258
    for f in (0.1, 0.2):
        tot, _, kappa = total_complexity(E, NU, f, g)
        assert kappa == 0.0
        assert abs(tot - mc.minima_complexity(E, NU, f, g)[0]) < 1e-9
    tot, _, kappa = total_complexity(E, NU, 0.5, g)
    assert kappa > 0 and not np.isfinite(mc.minima_complexity(E, NU, 0.5, g)[0]) and np.isfinite(tot)


def test_index_fraction_against_sampled_hessians():
    """Share of negative eigenvalues of B + rho Z' (D = 1024, p = 256, 3 samples): the count of eigenvalues below a
    point of the bulk fluctuates by O(sqrt(log p)) (rigidity), so the mean share is within 0.02 of its limit
    (s.e. ~ 0.006, plus an O(1/p) finite-size bias)."""
    rng = np.random.default_rng(5)
    D, g = 1024, 0.25
    p = int(g * D)
    for f in (0.4, 0.6):
        r2 = f * (1 - f)
        a = np.r_[np.full(2, -f), np.full(D - 2, 1 - f)]
        fr = []
        for _ in range(3):
            X = rng.standard_normal((D, p))
            Z = rng.standard_normal((p, p)) / np.sqrt(D)
            Z = (Z + Z.T) / np.sqrt(2)
            np.fill_diagonal(Z, 0)
            fr.append(np.mean(np.linalg.eigvalsh((X.T * a) @ X / D + np.sqrt(r2) * Z) < 0))
        assert abs(np.mean(fr) - negative_mass(E - f, NU, g, g * r2)) < 0.02


def test_general_spectrum_curve_and_predict_block():
    from rmt_qgm.problem import parse_problem
    from rmt_qgm.theory.predict import predict
    curve = complexity_curve(parse_problem(5, 16, "randspec:1").law, 0.25, 4)
    k = [c["index_fraction"] for c in curve]
    assert all(0 <= x <= 1 for x in k) and k == sorted(k)             # more negative directions higher up
    for c in curve:
        if np.isfinite(c["minima"]):
            assert c["total"] >= c["minima"] - 1e-9
    r = predict(5, 16, "randspec:1", model="asymptotic", complexity_points=3)
    pts = r.asymptotic["complexity"]["points"]
    assert len(pts) == 3 and all("index_fraction" in p and "t" in p for p in pts)
