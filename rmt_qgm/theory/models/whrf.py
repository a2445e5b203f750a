"""Finite-size Kac–Rice for the isotropic WHRF (docs/theory.md §5.1–5.3, derivations/step_05).

Per fundamental domain [0, pi)^p, in normalised units t = F / E[F]:

    E N_k(t in B) = pi^p (m / (8 pi))^(p/2) 2^p  int_B p_t(t) t^(-p/2) D_k(t) dt,
    D_k(t) = E[ |det M(t)| 1{index M(t) = k} ],   M(t) = W - t I + sqrt(t) Z      (pointlaw).

Factors: pi^p the volume of the domain; (2 pi 4t/m)^(-p/2) the density of grad F at 0 given t;
2^p from Hess F = 2 M; p_t the Gamma(m/2, 2/m) law of t.

Evaluation. p = 1 is exact (no Z; W ~ chi^2_(m-1)/m), by incomplete gamma functions and mpmath
quadrature (:func:`exact_counts_p1`). For p >= 2, D_k is estimated by Monte Carlo with common random
numbers: N draws (W_s, Z_s) are reused at every node of a fixed t-quadrature, so each estimate is a mean
of i.i.d. per-draw contributions Y_s = sum_j w_j g(t_j) |det M_s(t_j)| 1{index = k}, and its standard
error is std(Y_s)/sqrt(N) exactly. The quadrature is the trapezoid rule in u = sqrt(t) (which removes
the t^(-1/2) singularity of the overparameterised regime p >= m, docs/theory.md §5.5) on (0, sqrt(t_max)],
where t_max is the 1 - 1e-10 quantile of Gamma((m + p)/2, 2/m): for large t, |det M| ~ t^p, so
p_t(t) t^(-p/2) |det M| decays like that Gamma density and the neglected mass is below about 1e-10
(relative). Log-determinants are accumulated with a common shift (logsumexp style) to avoid overflow.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import mpmath as mp
import numpy as np
from scipy import special, stats

from ...checks import check_int
from ...seeding import generator
from .whrf_pointlaw import sample_wz


@dataclass
class KacRiceCounts:
    """Expected numbers of critical points per index k = 0..p per [0, pi)^p, with MC standard errors."""

    m: int
    p: int
    counts: np.ndarray
    stderr: np.ndarray
    mean_value: np.ndarray
    mean_value_stderr: np.ndarray
    euler: float
    euler_stderr: float
    t_grid: np.ndarray = field(repr=False)
    density_grid: np.ndarray = field(repr=False)     # [k, t]: rho_k(t), expected count per unit t
    n_mc: int = 0
    method: str = "monte-carlo"

    def density(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(t, rho_k(t)): expected number of index-k critical points per unit t, per [0, pi)^p."""
        return self.t_grid, self.density_grid[k]

    def as_dict(self) -> dict:
        return {"m": self.m, "p": self.p, "counts": self.counts.tolist(), "stderr": self.stderr.tolist(),
                "mean_value": self.mean_value.tolist(), "mean_value_stderr": self.mean_value_stderr.tolist(),
                "euler": self.euler, "euler_stderr": self.euler_stderr, "n_mc": self.n_mc,
                "method": self.method, "domain": "[0, pi)^p"}


#: threads for the batched eigenvalue problems of :func:`expected_counts` (independent chunks)
EIGEN_THREADS = max(1, min(2, os.cpu_count() or 1))


def log_prefactor(m: int, p: int) -> float:
    """log[ pi^p (m / 8 pi)^(p/2) 2^p ]."""
    return p * math.log(math.pi) + 0.5 * p * math.log(m / (8 * math.pi)) + p * math.log(2.0)


def t_max(m: int, p: int, tail: float = 1e-10) -> float:
    """Upper end of the t-integral (module docstring)."""
    return float(stats.gamma(a=(m + p) / 2.0, scale=2.0 / m).isf(tail))


def _log_weight(m: int, p: int, t: np.ndarray) -> np.ndarray:
    """log[ p_t(t) t^(-p/2) ] + log prefactor."""
    a = m / 2.0
    logpt = a * math.log(m / 2.0) + (a - 1) * np.log(t) - m * t / 2.0 - special.gammaln(a)
    return logpt - 0.5 * p * np.log(t) + log_prefactor(m, p)


def expected_counts(m: int, p: int, *, seed: int = 0, n_mc: int = 4000, t_grid: int = 200) -> KacRiceCounts:
    """Finite-size Kac–Rice counts by index for the isotropic WHRF(m, p) (module docstring)."""
    m = check_int("dof", m, 2)
    p = check_int("params", p, 1)
    n_mc = check_int("n_mc", n_mc, 10)
    t_grid = check_int("t_grid", t_grid, 20)
    u = np.linspace(0.0, math.sqrt(t_max(m, p)), t_grid + 1)[1:]
    h = u[1] - u[0]
    t = u ** 2
    wq = np.full(t_grid, h)
    wq[-1] = h / 2           # trapezoid in u; the integrand vanishes at u = 0 (or is finite: dropped node)
    logw = _log_weight(m, p, t) + np.log(2 * u) + np.log(wq)     # dt = 2u du

    rng = generator(seed, "kacrice", m, p)
    chunk = max(1, min(n_mc, 2_000_000 // max(1, p * p * t_grid)))
    logdet = np.empty((n_mc, t_grid))
    index = np.empty((n_mc, t_grid), dtype=np.int64)
    sq = np.sqrt(t)
    eye = np.eye(p)

    def spectra(s0: int, s1: int, M: np.ndarray) -> None:
        ev = np.linalg.eigvalsh(M)
        with np.errstate(divide="ignore"):
            logdet[s0:s1] = np.log(np.abs(ev)).sum(axis=-1)
        index[s0:s1] = (ev < 0).sum(axis=-1)

    # the draws are made in order in this thread (same numbers for any thread count); the eigenvalue
    # chunks are independent and go to EIGEN_THREADS threads (LAPACK releases the GIL), BLAS at 1 thread each
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits
    with threadpool_limits(1), ThreadPoolExecutor(EIGEN_THREADS) as pool:
        pending = []
        for s0 in range(0, n_mc, chunk):
            s1 = min(n_mc, s0 + chunk)
            W, Z = sample_wz(m, p, rng, s1 - s0)
            M = W[:, None] - t[None, :, None, None] * eye + sq[None, :, None, None] * Z[:, None]
            pending.append(pool.submit(spectra, s0, s1, M))
            if len(pending) > EIGEN_THREADS:          # bound the memory held by queued chunks
                pending.pop(0).result()
        for fut in pending:
            fut.result()

    logterm = logdet + logw[None, :]                  # log of per-draw, per-node contribution
    shift = float(np.max(logterm[np.isfinite(logterm)]))
    contrib = np.exp(logterm - shift)                # [s, j]
    scale = math.exp(shift)
    counts = np.empty(p + 1)
    stderr = np.empty(p + 1)
    mean_value = np.full(p + 1, np.nan)
    mean_se = np.full(p + 1, np.nan)
    dens = np.empty((p + 1, t_grid))
    jac = 1.0 / (2 * u * wq)                          # back from quadrature weight to density per unit t
    for k in range(p + 1):
        ck = np.where(index == k, contrib, 0.0)
        Y = ck.sum(axis=1)                            # i.i.d. over draws
        Yt = (ck * t[None, :]).sum(axis=1)
        counts[k] = Y.mean() * scale
        stderr[k] = Y.std(ddof=1) / math.sqrt(n_mc) * scale
        if Y.mean() > 0:
            r = Yt.mean() / Y.mean()
            mean_value[k] = r
            # delta method for a ratio of means
            cov = np.cov(np.vstack([Yt, Y]), ddof=1)
            var_r = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (Y.mean() ** 2 * n_mc)
            mean_se[k] = math.sqrt(max(var_r, 0.0))
        dens[k] = ck.mean(axis=0) * scale * jac
    E = (np.where(index % 2 == 0, contrib, -contrib)).sum(axis=1)
    return KacRiceCounts(m, p, counts, stderr, mean_value, mean_se, float(E.mean() * scale),
                         float(E.std(ddof=1) / math.sqrt(n_mc) * scale), t, dens, n_mc,
                         "monte-carlo (common random numbers)")


def exact_counts_p1(m: int, dps: int = 30) -> tuple[mp.mpf, mp.mpf]:
    """Exact (E N_0, E N_1) per [0, pi) for p = 1: D_0 = E[(W - t)_+], D_1 = E[(t - W)_+],
    W ~ Gamma((m-1)/2, 2/m), by incomplete gamma functions and mpmath quadrature (docs/theory.md §5.4).
    Both equal 1 for every m (a single harmonic in 2 theta: derivations/step_05)."""
    m = check_int("dof", m, 2)
    with mp.workdps(dps):
        a = mp.mpf(m - 1) / 2
        sc = mp.mpf(2) / m
        EW = a * sc

        def Q(s, x):
            return mp.gammainc(s, x, mp.inf, regularized=True)

        def d0(t):
            x = t / sc
            return EW * Q(a + 1, x) - t * Q(a, x)

        def d1(t):
            return d0(t) - (EW - t)            # E[(t-W)_+] = E[(W-t)_+] - E[W - t]

        am = mp.mpf(m) / 2

        def pt(t):
            return am ** am * t ** (am - 1) * mp.exp(-am * t) / mp.gamma(am)

        pref = mp.pi * mp.sqrt(mp.mpf(m) / (8 * mp.pi)) * 2
        # t = u^2 removes the t^(-1/2) endpoint singularity: p_t(t) t^(-1/2) dt = 2 p_t(u^2) du
        cuts = [0, mp.mpf(1) / 2, 1, 2, 4, mp.inf]
        n0 = pref * mp.quad(lambda u: 2 * pt(u * u) * d0(u * u), cuts)
        n1 = pref * mp.quad(lambda u: 2 * pt(u * u) * d1(u * u), cuts)
        return n0, n1


def local_minima_density(m: int, p: int, *, seed: int = 0, n_mc: int = 4000,
                         t_grid: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Normalised density (*) of local-minimum values t (docs/theory.md §5.5) on a grid:
    rho_0(t) proportional to t^(m/2 - 1 - p/2) e^(-m t / 2) E[det M(t) 1{M(t) > 0}]."""
    kr = expected_counts(m, p, seed=seed, n_mc=n_mc, t_grid=t_grid)
    t, rho = kr.density(0)
    return t, rho / kr.counts[0]
