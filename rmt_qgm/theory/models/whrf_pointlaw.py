"""Joint law of (F, grad F, Hess F) of the isotropic WHRF at a point (docs/theory.md §4).

Isotropic WHRF(m, p) in normalised units (sigma^2 = 1/m, so t = F and E[t] = 1): with x, u_i, v_ij
i.i.d. N(0, I_m / m) (derivations/step_03),

    F = |x|^2 ~ Gamma(m/2, scale 2/m),  dF/dtheta_i = 2 x.u_i,
    d_i d_j F = 2 u_i.u_j + 2 x.v_ij (i != j),  d_i^2 F = 2|u_i|^2 - 2F.

Gradient component: given F = t, N(0, 4t/m); unconditionally a symmetric variance-gamma law with
characteristic function (1 + 4 s^2 / m^2)^(-m/2) and variance 4/m.
At a critical point with F = t (derivations/step_04):  Hess F / 2 = M(t) = W - t I + sqrt(t) Z,
W ~ Wishart_p(m - 1, I/m), Z symmetric with zero diagonal and N(0, 1/m) off-diagonal entries.
"""
from __future__ import annotations

import mpmath as mp
import numpy as np
from scipy import integrate, special, stats

from ...checks import check_float, check_int


def t_law(m: int):
    """Law of t = F / E[F]: Gamma(shape m/2, scale 2/m) (scipy.stats frozen distribution)."""
    m = check_int("dof", m, 1)
    return stats.gamma(a=m / 2.0, scale=2.0 / m)


class GradientComponentLaw:
    """Symmetric variance-gamma law of one gradient component (docs/theory.md §4), scipy.stats-like.

    dF/dtheta_i = sqrt(4 t / m) g with t ~ Gamma(m/2, 2/m), g ~ N(0, 1); with lam = m/2, alpha = m/2:
    pdf(x) = alpha^(2 lam) |x|^(lam - 1/2) K_(lam - 1/2)(alpha |x|) / (sqrt(pi) Gamma(lam) (2 alpha)^(lam - 1/2)).
    """

    def __init__(self, m: int):
        self.m = check_int("dof", m, 1)
        self.lam = self.alpha = self.m / 2.0

    def pdf(self, x):
        x = np.abs(np.asarray(x, dtype=float))
        lam, al = self.lam, self.alpha
        nu = lam - 0.5
        with np.errstate(divide="ignore", invalid="ignore"):
            logp = (2 * lam * np.log(al) + nu * np.log(x) + np.log(special.kve(nu, al * x)) - al * x
                    - 0.5 * np.log(np.pi) - special.gammaln(lam) - nu * np.log(2 * al))
        out = np.exp(logp)
        if nu > 0:
            # x -> 0 limit: K_nu(z) ~ Gamma(nu) 2^(nu-1) z^(-nu)
            at0 = np.exp(2 * lam * np.log(al) + special.gammaln(nu) + (nu - 1) * np.log(2) - nu * np.log(al)
                         - 0.5 * np.log(np.pi) - special.gammaln(lam) - nu * np.log(2 * al))
            out = np.where(x == 0, at0, out)
        return out

    def cdf(self, x):
        x = np.atleast_1d(np.asarray(x, dtype=float))
        out = np.empty_like(x)
        for i, xi in enumerate(x):
            half = integrate.quad(lambda y: float(self.pdf(y)), 0.0, abs(xi), limit=200)[0]
            out[i] = 0.5 + np.sign(xi) * half
        return out if out.size > 1 else out[0]

    def var(self) -> float:
        """Variance 2 lam / alpha^2 = 4 / m (= 4 E[F]^2 / m)."""
        return 2 * self.lam / self.alpha ** 2

    def rvs(self, size, random_state: np.random.Generator):
        t = random_state.gamma(self.m / 2.0, 2.0 / self.m, size)
        return np.sqrt(4 * t / self.m) * random_state.standard_normal(size)


def laguerre_expected_det(m: int, p: int, t, dps: int = 30):
    """E det(W - t I) for W ~ Wishart_p(m - 1, I/m):  m^(-p) p! L_p^(m-1-p)(m t)  (docs/theory.md §5.4,
    derivations/step_06). Returned as an mpmath number computed under ``mp.workdps(dps)``."""
    m = check_int("dof", m, 2)
    p = check_int("params", p, 1)
    with mp.workdps(dps):
        return mp.mpf(m) ** (-p) * mp.factorial(p) * mp.laguerre(p, m - 1 - p, m * mp.mpf(t))


def sample_point(m: int, p: int, rng: np.random.Generator, size: int):
    """Samples of (F, grad, Hess) of the isotropic WHRF at one point, from (x, u_i, v_ij) (module doc)."""
    m = check_int("dof", m, 1)
    p = check_int("params", p, 1)
    s = 1.0 / np.sqrt(m)
    x = rng.standard_normal((size, m)) * s
    u = rng.standard_normal((size, p, m)) * s
    v = rng.standard_normal((size, p, p, m)) * s
    v = np.triu(v.transpose(0, 3, 1, 2), 1).transpose(0, 2, 3, 1)
    v = v + v.transpose(0, 2, 1, 3)
    F = np.einsum("sm,sm->s", x, x)
    grad = 2 * np.einsum("sm,spm->sp", x, u)
    hess = 2 * np.einsum("sim,sjm->sij", u, u) + 2 * np.einsum("sm,sijm->sij", x, v)
    idx = np.arange(p)
    hess[:, idx, idx] = 2 * np.einsum("sim,sim->si", u, u) - 2 * F[:, None]
    return F, grad, hess


def sample_wz(m: int, p: int, rng: np.random.Generator, size: int):
    """(W, Z) of the conditional Hessian: W ~ Wishart_p(m-1, I/m), Z symmetric zero-diagonal N(0, 1/m)."""
    g = rng.standard_normal((size, m - 1, p)) / np.sqrt(m)
    W = np.einsum("ski,skj->sij", g, g)
    z = np.triu(rng.standard_normal((size, p, p)) / np.sqrt(m), 1)
    return W, z + z.transpose(0, 2, 1)


def sample_conditional_hessian(m: int, p: int, t: float, rng: np.random.Generator, size: int):
    """Samples of M(t) = Hess F / 2 at a critical point with F = t (module docstring)."""
    m = check_int("dof", m, 2)
    p = check_int("params", p, 1)
    t = check_float("t", t, 0.0)
    W, Z = sample_wz(m, p, rng, size)
    return W - t * np.eye(p) + np.sqrt(t) * Z
