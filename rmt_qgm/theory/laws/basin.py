"""Basin weighting: from the Kac–Rice law of local minima (each counted once) to the law of the minima a
multi-start optimiser reports (each counted once per start that lands in it).

Empirical law (docs/theory.md §9.8, open question 8; measured in ``validation/basin_weighting.py``, results and
discussion in ``docs/studies/basin_weighting.md``). For the randomized ansatz, with t = (F - E0)/(Ebar - E0) the
normalised loss (Ebar = tr H / d is the mean of F over Haar states, so t = 1 is the typical value at a
random point), the fraction of uniform starts that L-BFGS carries into a minimum at value t is

    v(t)  proportional to  (1 - t)^(alpha p / 2),                                              (B1)

"a p-dimensional ball whose squared radius is the depth 1 - t below the typical value". It is fitted to
complete enumerations (every minimum of every instance found; n = 4-6, p = 4-10, three spectra), where a
minimum's hit fraction measures its basin volume; docs/studies/basin_weighting.md gives the fitted alpha of each
configuration (between about 0.7 and 1.4, depending on the spectrum and, weakly, on p) and compares (B1)
with a linear tilt exp(beta t) and with a harmonic-basin volume depth^(p/2) / sqrt(det Hessian). Given
(B1), the basin-weighted law of minima is

    rho_b(t)  proportional to  rho_c(t) (1 - t)^(alpha p / 2),                                  (B2)

with rho_c the count-weighted Kac–Rice law (e.g. :mod:`rmt_qgm.theory.models.circuit`). (B2) neglects
that each instance's basins share one unit of volume (exact when the number of minima of an instance does
not correlate with their depth). It is a measured law, not a theorem, and at p >= 16 it explains only part
of the gap between Kac–Rice and optimiser medians (docs/studies/basin_weighting.md, part 2).

Ceiling variant (B1'), tested in validation/basin_ceiling_law.py (docs/studies/basin_ceiling_law.md): the depth is
measured below the ceiling t_c of the minima themselves instead of below the typical value t = 1,

    v(t)  proportional to  (1 - t / t_c)_+^(alpha' p / 2),   t_c = the CEILING_Q quantile of rho_c,     (B1')

"a basin's squared radius is its depth below the level where minima stop and the saddles that bound the
basins sit". Far below the transition t_c is near 1 and (B1') is close to (B1); near the transition the
minima crowd into [0, t_c] with t_c << 1 and (B1') tilts steeply there with a moderate alpha', where (B1)
needs alpha of 5 to beyond 10 (docs/studies/basin_gamma_law.md).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from ...checks import check_float, check_int
from ...errors import UserInputError
from ..distributions import TabulatedDistribution

#: search interval of the exponent fit; the measured exponents lie well inside it
ALPHA_BOUNDS = (-10.0, 10.0)
#: fit_truncated needs at least this many minima hit twice or more (all singletons: the MLE does not exist)
MIN_REPEATS = 10


def log_depth(t: np.ndarray, n_params: int) -> np.ndarray:
    """x = (p/2) log(1 - t), the regressor of (B1); -inf at t >= 1 (no basin above the typical value)."""
    t = np.asarray(t, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t < 1.0, 0.5 * n_params * np.log1p(-np.minimum(t, 1.0)), -np.inf)


def _tilted(dist: TabulatedDistribution, n_params: int, alpha: float, ceiling: float,
            name: str) -> TabulatedDistribution:
    """``dist`` tilted by (1 - t/ceiling)_+^(alpha p / 2) (alpha = 0: unchanged); shared by (B2) and (B2').
    ``name`` is formatted with the checked alpha as ``a``."""
    p = check_int("n_params", n_params, 1)
    a = check_float("alpha", alpha, ALPHA_BOUNDS[0], ALPHA_BOUNDS[1])
    t, d = dist._t, dist._d
    if t.size > 2 and t[0] == 0.0 and d[0] == 0.0 and t[1] > 0.0 and d[1] > 0.0 and t[2] - t[1] < 0.5 * t[1]:
        # the origin that a tabulated law adds below its grid (distributions._Tabulated) with a linear ramp up to the
        # grid's first node: the count law says nothing there, and a tilt that grows towards t = 0 would turn the
        # ramp into mass (docs/studies/edge_fixes.md). The tilted law starts at its grid: a zero node just below it
        t = np.concatenate([[0.0, t[1] * (1.0 - 1e-9)], t[1:]])
        d = np.concatenate([[0.0, 0.0], d[1:]])
    below = t < ceiling
    w = np.full_like(d, 1.0 if a == 0.0 else 0.0)      # (.)^0 = 1; no basin at or above the ceiling otherwise
    if a != 0.0 and np.any(below):
        # log weights shifted by their maximum where the law has mass: a narrow law just below the ceiling (large
        # n) would otherwise underflow to zero everywhere; the tabulated law is normalised afterwards anyway
        lw = a * (0.5 * p * np.log1p(-t[below] / ceiling))
        top = np.max(lw[d[below] > 0]) if np.any(d[below] > 0) else np.max(lw)
        w[below] = np.exp(np.minimum(lw - top, 0.0))     # <= 1 where d > 0; capped where d = 0
    return TabulatedDistribution(t, d * w, dist.units, name=f"{dist.name}, {name.format(a=a)}")


def basin_weighted(dist: TabulatedDistribution, n_params: int, alpha: float) -> TabulatedDistribution:
    """The law (B2): ``dist`` (count-weighted, a density in t) tilted by (1 - t)^(alpha p / 2).

    Returns a new distribution in the same output units, with the scipy.stats-like API of ``dist``.
    alpha = 0 returns the same law."""
    return _tilted(dist, n_params, alpha, 1.0, "basin-weighted (alpha = {a:g})")


#: the quantile of the count-weighted law taken as the ceiling t_c of the minima in (B1')
CEILING_Q = 0.99


def ceiling_t(dist: TabulatedDistribution, q: float = CEILING_Q) -> float:
    """t_c of (B1'): the q-quantile of ``dist`` in t (module docstring)."""
    q = check_float("q", q, 0.0, 1.0, open_min=True, open_max=True)
    keep = np.concatenate([[True], np.diff(dist._cdf) > 0])
    return float(np.interp(q, dist._cdf[keep], dist._t[keep]))


def ceiling_weighted(dist: TabulatedDistribution, n_params: int, alpha: float,
                     q: float = CEILING_Q) -> TabulatedDistribution:
    """The law (B2') = ``dist`` (count-weighted, a density in t) tilted by (1 - t/t_c)_+^(alpha p / 2), t_c =
    :func:`ceiling_t` (``dist``, q) (module docstring, (B1')). alpha = 0 returns the same law."""
    tc = ceiling_t(dist, q)
    return _tilted(dist, n_params, alpha, tc, "ceiling-weighted (alpha' = {a:g}, t_c = q" + f"{q:g})")


def informative(t: np.ndarray) -> bool:
    """Whether an instance's minima inform alpha: two or more of them (the instance's normalisation is free),
    all below t = 1 (no basin at or above the typical value)."""
    t = np.asarray(t, dtype=float)
    return t.size >= 2 and bool(np.all(t < 1.0))


def _log_depth_and_hits(instances: Sequence[tuple[np.ndarray, np.ndarray]],
                        n_params: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(log depth x, hits) of every informative instance; refuses instances whose arrays differ in length."""
    out = []
    for t, h in instances:
        t, h = np.asarray(t, dtype=float), np.asarray(h, dtype=float)
        if t.size != h.size:
            raise UserInputError("instances: t and hits must have the same length in every instance")
        if informative(t):
            out.append((log_depth(t, n_params), h))
    return out


def multinomial_nll(etas: Sequence[np.ndarray], hits: Sequence[np.ndarray]) -> float:
    """-log likelihood (constants dropped) of hit counts that are multinomial within each instance with
    probabilities proportional to exp(eta); each instance's normalisation is profiled out."""
    return -sum(h @ e - h.sum() * np.logaddexp.reduce(e) for e, h in zip(etas, hits))


def fit_basin_exponent(instances: Sequence[tuple[np.ndarray, np.ndarray]], n_params: int) -> float:
    """Maximum-likelihood alpha of (B1) from complete enumerations.

    ``instances``: for each circuit instance, (t of every distinct minimum, hits of each). Model: the hits
    of one instance are multinomial with probabilities proportional to (1 - t_j)^(alpha p / 2) (the
    instance's own normalisation is a free constant, so only within-instance contrasts inform alpha).
    Instances that are not :func:`informative` are skipped.
    """
    p = check_int("n_params", n_params, 1)
    data = _log_depth_and_hits(instances, p)
    if not data:
        raise UserInputError("instances: need at least one instance with two or more minima below t = 1")
    xs, hits = [x for x, _ in data], [h for _, h in data]
    res = minimize_scalar(lambda a: multinomial_nll([a * x for x in xs], hits), bounds=ALPHA_BOUNDS,
                          method="bounded", options={"xatol": 1e-6})
    return float(res.x)


def fisher_se(instances: Sequence[tuple[np.ndarray, np.ndarray]], n_params: int, alpha: float) -> float:
    """Standard error of the fit from the multinomial Fisher information at ``alpha``:
    I = sum over instances of S_i Var_{pi_i}(x), pi_i proportional to exp(alpha x), S_i the instance's hits.
    (It assumes (B1) exactly; the bootstrap over instances in validation/basin_weighting.py does not.)"""
    info = 0.0
    for x, h in _log_depth_and_hits(instances, n_params):
        w = np.exp(alpha * x - np.logaddexp.reduce(alpha * x))
        info += h.sum() * (w @ x ** 2 - (w @ x) ** 2)
    return float(1.0 / np.sqrt(info)) if info > 0 else float("inf")


def between_group_scatter(values: Sequence[float], ses: Sequence[float],
                          groups: Sequence) -> tuple[float, float, int]:
    """DerSimonian–Laird moment estimate of the scatter sigma of a quantity between members of one group
    (here: alpha measured at several qubit counts at one spectrum and gamma), beyond the members' own s.e.s,
    pooled over groups (DerSimonian & Laird, Control. Clin. Trials 7, 177 (1986), applied per group and summed):

        Q = sum_g sum_j w_j (x_j - xbar_g)^2,  w_j = 1/se_j^2,  df = sum_g (k_g - 1),
        C = sum_g (sum_j w_j - sum_j w_j^2 / sum_j w_j),   sigma^2 = max(0, (Q - df) / C).

    Groups with one member do not contribute. Returns (sigma, Q, df); under homogeneity (sigma = 0, exact
    s.e.s) Q is chi-square with df degrees of freedom."""
    x, se = np.asarray(values, dtype=float), np.asarray(ses, dtype=float)
    if x.shape != se.shape or len(groups) != x.size:
        raise UserInputError("values, ses, groups: must have the same length")
    if np.any(~np.isfinite(se)) or np.any(se <= 0):
        raise UserInputError("ses: must be finite and > 0")
    index: dict = {}
    labels = np.array([index.setdefault(g, len(index)) for g in groups])
    Q, df, C = 0.0, 0, 0.0
    for g in np.unique(labels):
        m = labels == g
        if m.sum() < 2:
            continue
        w, xg = 1.0 / se[m] ** 2, x[m]
        Q += float(w @ (xg - (w @ xg) / w.sum()) ** 2)
        df += int(m.sum()) - 1
        C += float(w.sum() - (w ** 2).sum() / w.sum())
    return (float(np.sqrt(max(0.0, (Q - df) / C))) if C > 0 else 0.0), Q, df


# ---------------------------------------------------------------------------------------------------------
# Incomplete enumerations (p >= 12): zero-truncated Poisson hits
# ---------------------------------------------------------------------------------------------------------
#
# With S starts per instance, the hits of a minimum of basin volume v are Binomial(S, v) ~ Poisson(S v); a
# minimum is seen only if it is hit at least once. Under (B1), lambda_ij = exp(c_i + alpha x_ij) with
# x = (p/2) log(1 - t) and c_i the instance's log scale, and the hits of the *seen* minima are independent
# zero-truncated Poisson:
#     log L = sum_ij [ h_ij log lambda_ij - log(exp(lambda_ij) - 1) ]        (constants dropped).
# This is an exponential family in log lambda, so -log L is convex in (alpha, c_1..c_I). Unlike the
# multinomial fit, c_i is identified (by how many minima are seen once, twice, ...: the idea behind Chao1),
# so the fit also says how likely each seen minimum was to be seen, pi_ij = 1 - exp(-lambda_ij), and
# weighting each seen minimum by 1/pi_ij (Horvitz–Thompson) estimates the count-weighted law of *all*
# minima, unseen ones included, under (B1).


def _ztp_terms(eta: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-minimum -log L, its derivative and second derivative in eta = log lambda (zero-truncated Poisson)."""
    lam = np.exp(eta)
    # log(e^lam - 1) = lam + log(1 - e^-lam), stable for small and large lam
    log_em1 = lam + np.log(-np.expm1(-lam))
    r = lam / -np.expm1(-lam)                         # E[h | h >= 1] = lam / (1 - e^-lam)
    nll = log_em1 - h * eta
    grad = r - h
    # d r / d eta = Var[h | h >= 1] = r (1 + lam - r)
    hess = r * (1.0 + lam - r)
    return nll, grad, hess


@dataclass(frozen=True)
class TruncatedFit:
    """Result of :func:`fit_truncated`: the exponent, its standard error (inverse observed information,
    the log scales profiled), and the log scale c_i of every input instance (NaN where an instance was
    skipped)."""

    alpha: float
    alpha_se: float
    log_scale: np.ndarray

    def rate(self, t: np.ndarray, instance: int, n_params: int) -> np.ndarray:
        """lambda = exp(c_i + alpha (p/2) log(1 - t)): expected hits of a minimum of ``instance`` at t (0 at
        t >= 1)."""
        with np.errstate(over="ignore"):
            return np.exp(self.log_scale[instance] + self.alpha * log_depth(t, n_params))

    def seen_probability(self, t: np.ndarray, instance: int, n_params: int) -> np.ndarray:
        """pi = 1 - exp(-lambda) (:meth:`rate`): the probability that a minimum of ``instance`` at t is hit
        at least once (0 at t >= 1)."""
        return -np.expm1(-self.rate(t, instance, n_params))

    def horvitz_thompson(self, instances: Sequence[tuple[np.ndarray, np.ndarray]],
                         n_params: int) -> tuple[np.ndarray, np.ndarray]:
        """(t, weight) of every seen minimum of the instances the fit used, weight 1/pi: the weighted law
        estimates the count-weighted law of all minima, unseen ones included (under (B1)); the weights of
        one instance sum to its estimated number of minima below t = 1."""
        ts, ws = [], []
        for i, (t, _) in enumerate(instances):
            if np.isnan(self.log_scale[i]):
                continue
            t = np.asarray(t, dtype=float)
            t = t[t < 1.0]
            ts.append(t)
            ws.append(1.0 / self.seen_probability(t, i, n_params))
        return np.concatenate(ts), np.concatenate(ws)


def fit_truncated(instances: Sequence[tuple[np.ndarray, np.ndarray]], n_params: int,
                  max_iter: int = 200) -> TruncatedFit:
    """Maximum-likelihood (alpha, log scales c_i) of (B1) from *incomplete* enumerations (zero-truncated
    Poisson hits, section comment above). ``instances``: for each instance, (t, hits) of the minima seen
    (hits >= 1). Minima at t >= 1 (no basin under (B1)) are dropped; instances left with fewer than two
    minima are skipped (their c_i and alpha cannot be told apart). Newton's method on the convex -log L."""
    p = check_int("n_params", n_params, 1)
    xs, hs, used = [], [], []
    for i, (t, h) in enumerate(instances):
        t, h = np.asarray(t, dtype=float), np.asarray(h, dtype=float)
        if t.size != h.size:
            raise UserInputError("instances: t and hits must have the same length in every instance")
        if np.any(h < 1):
            raise UserInputError("instances: hits must be >= 1 (only minima that were seen are listed)")
        keep = t < 1.0
        if keep.sum() >= 2:
            xs.append(log_depth(t[keep], p))
            hs.append(h[keep])
            used.append(i)
    if not xs:
        raise UserInputError("instances: need at least one instance with two or more minima below t = 1")
    if sum(int(np.sum(h >= 2)) for h in hs) < MIN_REPEATS:
        raise UserInputError(f"instances: fewer than {MIN_REPEATS} minima were hit twice or more; with (nearly) "
                             "every minimum seen once the scale and alpha of (B1) are not identified")
    I = len(xs)
    theta = np.zeros(I + 1)                            # (alpha, c_1..c_I)
    theta[1:] = [np.log(max(h.mean(), 1.0)) for h in hs]

    def total(th):
        f, g, H = 0.0, np.zeros(I + 1), np.zeros((I + 1, I + 1))
        for i, (x, h) in enumerate(zip(xs, hs)):
            nll, d1, d2 = _ztp_terms(th[1 + i] + th[0] * x, h)
            f += nll.sum()
            g[0] += d1 @ x
            g[1 + i] += d1.sum()
            H[0, 0] += d2 @ x ** 2
            H[0, 1 + i] = H[1 + i, 0] = d2 @ x
            H[1 + i, 1 + i] += d2.sum()
        return f, g, H

    f, g, H = total(theta)
    for _ in range(max_iter):
        step = np.linalg.solve(H + 1e-12 * np.eye(I + 1), g)
        s = 1.0
        while s > 1e-8:                                # backtracking: -log L is convex, so this terminates
            f_new, g_new, H_new = total(theta - s * step)
            if f_new <= f + 1e-12:
                break
            s *= 0.5
        theta, f, g, H = theta - s * step, f_new, g_new, H_new
        if np.max(np.abs(s * step)) < 1e-10:
            break
    cov = np.linalg.inv(H)
    c = np.full(len(instances), np.nan)
    c[used] = theta[1:]
    return TruncatedFit(float(theta[0]), float(np.sqrt(cov[0, 0])), c)


