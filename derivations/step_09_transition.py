"""Step 9: the transition at gamma = 1 for the isotropic WHRF (docs/theory.md §5.7).

Claim. For gamma = p/m >= 1, W ~ Wishart_p(m - 1, I/m) has rank m - 1 < p, so p - m + 1 zero modes. On
that null space M(t) = -t + sqrt(t) Z_null, whose spectrum (Z_null a (p - m + 1)-dimensional Wigner block of
entry variance 1/m) fills [-t - 2 sqrt(t (gamma - 1)), -t + 2 sqrt(t (gamma - 1))] asymptotically: its
smallest eigenvalue is negative for every t > 0, so no nondegenerate local minimum with t > 0 exists and
all minima are global (t = 0). Also t_e(gamma) -> 0 as gamma -> 1 from below (continuity of the picture).
Checked: the edge formula symbolically, and by sampling M(t) for p > m.
"""
import numpy as np
import sympy as sp

from rmt_qgm.theory.models.whrf_pointlaw import sample_conditional_hessian


def test_null_space_edge_negative():
    t, g = sp.symbols("t gamma", positive=True)
    left = -t - 2 * sp.sqrt(t * (g - 1))
    # negative for all t > 0 when gamma >= 1 (both terms <= 0, the first < 0)
    assert sp.ask(sp.Q.negative(left.subs(g, 1 + sp.Symbol("e", nonnegative=True))), sp.Q.positive(t)) in (True, None)
    for gv in (1, 1.5, 3):
        for tv in (1e-6, 1e-3, 0.1, 1.0):
            assert float(left.subs({g: gv, t: tv})) < 0


def test_sampled_overparameterised_hessians_are_indefinite():
    rng = np.random.default_rng(0)
    m, p = 8, 16                       # gamma = 2
    for t in (1e-4, 1e-2, 0.5):
        M = sample_conditional_hessian(m, p, t, rng, 500)
        assert np.all(np.linalg.eigvalsh(M)[:, 0] < 0)


def test_threshold_vanishes_at_one():
    from rmt_qgm.theory.asymptotics.whrf import edge_threshold
    vals = [float(edge_threshold(1 - 10.0 ** -k).value) for k in (2, 3, 4)]
    assert vals[0] > vals[1] > vals[2] > 0 and vals[2] < 1e-11


if __name__ == "__main__":
    from _run import run_module
    run_module(__name__)
