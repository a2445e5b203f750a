"""Local minima just above the ground energy: the power law of their density (derivations/step_16).

Claim (exact model of the randomized circuit ansatz, Haar psi0; derived in derivations/step_16, measured on
the model's Kac–Rice draws in tests/test_small_loss.py and validation/deep_ladder.py). For p < p_c = 2(d − d0)
(d0 the ground-state degeneracy), the Kac–Rice density of local minima per unit loss behaves as

    rho_0(F) ∝ (F − E0)^beta,   beta = (p_c − p) / 2 − 1,   as F -> E0,

because (i) Haar psi0 puts F − E0 = f with density ∝ f^(d − d0 − 1) (the excited weight is Beta(d − d0, d0));
(ii) the gradient's density at 0 is ∝ |b|^(−p) with |b|^2 = Var_psi0(H) ≍ f; (iii) the Hessian at a critical
point tends to a Gram matrix of p vectors in a space of real dimension p_c − 1 (the excited subspace minus the
gradient-constraint direction), positive definite with a non-zero determinant for p ≤ p_c − 1. Hence
d − d0 − 1 − p/2 = (p_c − p)/2 − 1. Consequences: the share of minima within f of E0 grows as f^((p_c − p)/2)
as f -> 0, and as p -> p_c the minima pile up at E0 (beta -> −1/2 at p = p_c − 1), the finite-size face of
the transition. At p >= p_c the limit Hessian is singular and the law is not covered here.
"""
from __future__ import annotations

import numpy as np

from ...checks import check_float, check_int
from ...errors import UserInputError
from ..distributions import AffineUnits
from ..laws.transition import spectral_transition
from ..kacrice.draws import KacRiceDraws


def small_loss_exponent(spectrum: np.ndarray, n_params: int) -> float | None:
    """beta = (p_c − p)/2 − 1 of rho_0(F) ∝ (F − E0)^beta as F -> E0 (module docstring); None for p >= p_c."""
    p = check_int("params", n_params, 1)
    pc = spectral_transition(spectrum)["params_c"]
    return None if p >= pc else (pc - p) / 2 - 1


def fit_small_loss_exponent(kr: KacRiceDraws, spectrum: np.ndarray, t_lo: float = 1e-5, t_hi: float = 1e-3,
                            bins: int = 6) -> dict:
    """Fit beta from importance-weighted Kac–Rice draws (use deep tilt levels so that t < 0.01 is sampled).

    The expected number of minima with t = (F − E0)/(Ē − E0) in a geometric bin [a_j, r a_j) is
    C_j ∝ a_j^(beta + 1) under rho_0 ∝ f^beta, so log C_j is linear in log a_j with slope beta + 1. Each C_j is
    the mean over draws of w 1{index 0, t in bin j}, with standard error s.d./sqrt(draws); the slope comes from
    weighted least squares with var(log C_j) = (se_j / C_j)^2 (the bins' covariances, −C_i C_j / draws, are
    neglected). Returns beta, its standard error, chi^2, degrees of freedom and the draws per bin."""
    t_lo = check_float("t_lo", t_lo, 0.0, 1.0, open_min=True)
    t_hi = check_float("t_hi", t_hi, t_lo, 1.0, open_min=True)
    bins = check_int("bins", bins, 3, 100)
    t = AffineUnits.for_spectrum(spectrum).to_t(kr.f)
    edges = np.geomspace(t_lo, t_hi, bins + 1)
    ok = np.isfinite(kr.logw)
    w = np.where(ok, np.exp(kr.logw - np.max(kr.logw[ok])), 0.0)
    C, se, n = [], [], []
    for a, b in zip(edges[:-1], edges[1:]):
        Y = np.where((kr.index == 0) & (t >= a) & (t < b), w, 0.0)
        C.append(Y.mean())
        se.append(Y.std(ddof=1) / np.sqrt(Y.size))
        n.append(int(np.count_nonzero(Y)))
    C, se = np.array(C), np.array(se)
    use = C > 0
    if use.sum() < 3:
        raise UserInputError(f"fit_small_loss_exponent: fewer than 3 of {bins} bins in t = [{t_lo:g}, {t_hi:g}) hold "
                             "a local-minimum draw; use deep tilt levels or more draws")
    x, y, sy = np.log(edges[:-1][use]), np.log(C[use]), se[use] / C[use]
    W = 1.0 / sy ** 2
    X = np.column_stack([np.ones_like(x), x])
    cov = np.linalg.inv(X.T @ (W[:, None] * X))
    coef = cov @ X.T @ (W * y)
    return {"beta": float(coef[1] - 1.0), "se": float(np.sqrt(cov[1, 1])),
            "chi2": float(np.sum(W * (y - X @ coef) ** 2)), "dof": int(use.sum() - 2), "draws_per_bin": n,
            "t_range": [t_lo, t_hi]}
