"""The finite-size edge law (docs/theory.md §19): its pieces against published constants, sampled matrices and
the asymptotic limit, and predict's use of it at sizes no simulation reaches."""
import numpy as np
import pytest

from rmt_qgm.theory.asymptotics import tracy_widom as tw
from rmt_qgm.theory.models.edge import edge_law, log_potential_abs
from rmt_qgm.theory.asymptotics import minima_complexity as mc
from rmt_qgm.theory.asymptotics import spherical as sa


def test_tracy_widom_goe_moments_match_published_values():
    # F_1 mean and variance (Bornemann 2010, Table 4): -1.2065335745820, 1.6077810345810
    s = np.linspace(-12, 10, 8001)
    F = np.exp(tw.log_cdf(s))
    dens = np.gradient(F, s)
    mean = np.trapezoid(s * dens, s)
    var = np.trapezoid((s - mean) ** 2 * dens, s)
    assert abs(mean - (-1.2065335745820)) < 1e-5
    assert abs(var - 1.6077810345810) < 1e-4


def test_tracy_widom_tail_joins_the_determinant():
    # the left-tail expansion and the Fredholm determinant agree where they meet (module docstring: 2.5e-3)
    assert abs(tw.log_cdf_tail(-5.0) - tw.log_cdf_det(-5.0)) < 5e-3
    assert abs(tw.log_cdf_tail(-4.0) - tw.log_cdf_det(-4.0)) < 5e-3
    assert tw.log_cdf(9.0) == 0.0 and tw.log_cdf(-20.0) < -300


def test_log_potential_abs_equals_log_potential_right_of_zero():
    E, d = np.array([0.0, 1.0]), 256
    nu = np.array([1 / d, 1 - 1 / d])
    f, g = 0.15, 0.25                                  # below the edge level (0.258): left edge > 0
    phi, L, _ = log_potential_abs(E - f, nu, g, g * f * (1 - f))
    assert L > 0
    assert abs(phi - mc.log_potential(E, nu, f, g, g * f * (1 - f))) < 1e-10


@pytest.mark.parametrize("f", [0.45, 0.7])
def test_log_potential_abs_against_sampled_matrices(f):
    """Int log|x| dmu for B + rho Z' with its edge below 0, against the mean of log|eigenvalues| of sampled
    p x p matrices (D = 1024, p = 256): 4 samples, tolerance 5 standard errors of their mean plus the O(1/p)
    finite-size bias of E log|det| / p (bounded by 2/p)."""
    rng = np.random.default_rng(7)
    D, g = 1024, 0.25
    p, d = int(g * D), D // 2
    E, nu = np.array([0.0, 1.0]), np.array([1 / d, 1 - 1 / d])
    a = E - f
    r2 = f * (1 - f)
    phi, L, _ = log_potential_abs(a, nu, g, g * r2)
    assert L < 0
    Aw = np.r_[np.full(2, a[0]), np.full(D - 2, a[1])]
    vals = []
    for _ in range(4):
        X = rng.standard_normal((D, p))
        Z = rng.standard_normal((p, p)) / np.sqrt(D)
        Z = (Z + Z.T) / np.sqrt(2)
        np.fill_diagonal(Z, 0)
        ev = np.linalg.eigvalsh((X.T * Aw) @ X / D + np.sqrt(r2) * Z)
        vals.append(np.mean(np.log(np.abs(ev))))
    se = np.std(vals, ddof=1) / 2
    assert abs(np.mean(vals) - phi) < 5 * se + 2 / p


def test_edge_law_collapses_onto_the_asymptotic_edge_and_sits_above_it_at_finite_n():
    """As n grows at fixed gamma the law concentrates at the edge level f_e (docs/theory.md §19.1); at n = 8 its
    median lies above f_e (the Tracy–Widom spill-over), at n = 20 within 1 % of f_e."""
    g = 0.25
    from rmt_qgm.problem import SpectralLaw
    fe = sa.edge_level(SpectralLaw(np.array([0.0, 1.0]), np.array([1, 2 ** 20 - 1])), g, "typical", dps=20).F
    r8 = edge_law([0.0, 1.0], [1, 2 ** 8 - 1], 8, int(g * 2 ** 9))
    r20 = edge_law([0.0, 1.0], [1, 2 ** 20 - 1], 20, int(g * 2 ** 21))
    assert not r8.window_limited and not r20.window_limited
    m8, m20 = r8.components["median_F"], r20.components["median_F"]
    assert m8 > r8.edge_F * 1.1
    assert abs(m20 - r20.edge_F) < 0.01 * r20.edge_F
    assert abs(r20.edge_F - fe) < 2e-3


def test_edge_law_flags_small_p_as_window_limited():
    # p = 4 at n = 4: the edge expansion does not determine the law (docs/theory.md §19.3); p = 16 at n = 6 does,
    # once the fidelity's rank-2 ground level is a perturbation, not part of the bulk (§19.1)
    assert edge_law([0.0, 1.0], [1, 15], 4, 4).window_limited
    assert not edge_law([0.0, 1.0], [1, 63], 6, 16).window_limited


def test_predict_answers_large_sizes_with_the_derived_edge_law():
    from rmt_qgm.theory.predict import predict
    for n, p in ((12, 2048), (20, 1000)):
        r = predict(n, p)
        assert r.model == "edge"
        assert r.minima.provenance.kind == "derived"
        o = r.optimiser_minima          # the fitted basin law, or a reason where its extrapolation is not trusted
        assert (o.provenance.kind == "fitted") if o.available else ("calibrated at n = 4-7" in o.reason)
        assert r.minima.q10 < r.minima.median < r.minima.q90
        assert r.seconds < 60


def test_circuit_second_derivative_term_lowers_the_edge_less_than_an_independent_matrix():
    """docs/theory.md §19.3 item 3, §20.1: the circuit's ordered term Re<v_k|G_l b> (k < l) is the upper triangle of
    V^T U with V the *same* vectors that build B = V^T A V (and U independent of them). With U, V both independent of
    B the triangle acts like the GOE term of the normalised-state model (means within 4 s.e. of their difference);
    built from B's own vectors it lowers the smallest eigenvalue far less (difference above 4 s.e.). D = 1024,
    p = 256, f = 0.3 just above the edge level, 6 samples each."""
    rng = np.random.default_rng(17)
    D, p, f = 1024, 256, 0.3
    a = np.r_[np.full(2, -f), np.full(D - 2, 1 - f)]
    rho = np.sqrt(f * (1 - f))
    low = {"goe": [], "independent": [], "same": []}
    for _ in range(6):
        X = rng.standard_normal((D, p))
        B = (X.T * a) @ X / D
        Z = rng.standard_normal((p, p)) / np.sqrt(D)
        Z = (Z + Z.T) / np.sqrt(2)
        np.fill_diagonal(Z, 0)
        low["goe"].append(np.linalg.eigvalsh(B + rho * Z)[0])
        U, V = (rng.standard_normal((D, p)) / np.sqrt(D) for _ in range(2))
        T = np.triu(V.T @ U, 1)
        low["independent"].append(np.linalg.eigvalsh(B + rho * (T + T.T))[0])
        T = np.triu((X / np.sqrt(D)).T @ U, 1)
        low["same"].append(np.linalg.eigvalsh(B - rho * (T + T.T))[0])
    g, t, c = (np.array(low[k]) for k in ("goe", "independent", "same"))

    def se(x, y):
        return np.sqrt(x.var(ddof=1) / x.size + y.var(ddof=1) / y.size)
    assert abs(g.mean() - t.mean()) < 4 * se(g, t)
    assert c.mean() - g.mean() > 4 * se(c, g)
