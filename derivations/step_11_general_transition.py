"""Step 11: the transition for a general spectrum, gamma_c = 1 - d0/d (rmt_qgm/theory/laws/transition.py).

Claim. At a critical point with value f, Hess = (2/r^2)[J^T (A - f) J + B] with B zero-diagonal
(spherical model: step_04; circuits: d_i^2 psi = -psi makes the diagonal of the b.v term vanish).
(1) Sylvester's law of inertia: J^T (A - f) J has at most n_>(f) positive eigenvalues for any J (exact,
checked on random J over many shapes). (2) Hence for p > n_>(f) at least k = p - n_>(f) directions are
non-positive before B, and positive definiteness needs the traceless B to lift all k of them: in the
spherical model's conditional law the probability that Hess is positive definite falls with k (sampled).
(3) n_>(f) <= 2(d - d0) for f > E0, so p_c = 2(d - d0), gamma_c = 1 - d0/d: 1 - 2^-n for a non-degenerate
ground state, 1 - D/2^n for projector:D (checked against the spectra the package builds). Circuit
simulations of the sharp transition at p_c are the validate check ``transition/spectrum``.
"""
import numpy as np

from rmt_qgm.hamiltonians import parse_hamiltonian
from rmt_qgm.theory.models.spherical import real_form_spectrum
from rmt_qgm.theory.laws.transition import minima_ceiling, spectral_transition


def test_inertia_bound_exact():
    rng = np.random.default_rng(0)
    for _ in range(300):
        D = int(rng.integers(4, 16))
        p = int(rng.integers(1, D))
        a = np.sort(rng.normal(size=D))
        f = float(rng.uniform(a[0], a[-1]))
        n_pos = int(np.sum(a > f))
        J = rng.normal(size=(D, p))
        ev = np.linalg.eigvalsh(J.T @ np.diag(a - f) @ J)
        assert np.sum(ev > 1e-10 * np.abs(ev).max()) <= n_pos


def _p_positive_definite(a, f, p, rng, draws=20000):
    """P(C + |b| Z > 0) in the spherical model's conditional law at value f (step_04's Hessian)."""
    D = a.size
    pd = 0
    for _ in range(draws // 500):
        y = rng.normal(size=(500, D))
        # a draw at value ~f is not needed for the inertia effect: use b from a random direction
        b = (a - f) * y
        bn = np.linalg.norm(b, axis=1, keepdims=True)
        U = rng.normal(size=(500, D, p))
        U -= (b / bn)[:, :, None] * np.einsum("sd,sdp->sp", b / bn, U)[:, None, :]
        C = np.einsum("sdi,d,sdj->sij", U, a - f, U)
        Z = np.triu(rng.normal(size=(500, p, p)), 1)
        M = C + bn[:, :, None] * (Z + Z.transpose(0, 2, 1))
        pd += int(np.sum(np.linalg.eigvalsh(M)[:, 0] > 0))
    return pd / draws


def test_positive_definite_probability_falls_with_excess():
    rng = np.random.default_rng(1)
    a = real_form_spectrum(np.array([0.0, 1.0, 1.0, 1.0]))         # fidelity, n = 2: D = 8
    f = 0.3
    n_pos = int(np.sum(a > f))                                      # 6
    draws = 20000
    probs = [_p_positive_definite(a, f, n_pos + k, rng, draws) for k in (-2, 1, 2)]
    # below the bound minima are common (measured 0.06: binomial s.e. 0.002); above it B must lift k
    # directions: measured 0 of 20000 for k = 1, 2, i.e. below the rule-of-three 95% bound 3 / draws
    se0 = np.sqrt(probs[0] * (1 - probs[0]) / draws)
    assert probs[0] - 4 * se0 > 0.01
    assert probs[1] <= 3 / draws and probs[2] <= 3 / draws


def test_gamma_c_for_package_spectra():
    for n in (2, 3, 4):
        d = 2 ** n
        for spec, d0 in (("fidelity", 1), ("randspec:3", 1), ("projector:2", 2), (f"projector:{d // 2}", d // 2)):
            tr = spectral_transition(parse_hamiltonian(spec, n).spectrum)
            assert tr["ground_degeneracy"] == d0, (spec, n)
            assert tr["params_c"] == 2 * (d - d0)
            assert abs(tr["gamma_c"] - (1 - d0 / d)) < 1e-15
    s = parse_hamiltonian("fidelity", 3).spectrum                 # 0, then seven 1s
    assert minima_ceiling(s, 14) == 1.0 and minima_ceiling(s, 15) == 0.0


if __name__ == "__main__":
    from _run import run_module
    run_module(__name__)
