"""Importance-weighted Monte Carlo draws of a Kac–Rice expectation, shared by the spherical and weighted
models: each draw carries a loss value ``f``, the log of its Kac–Rice contribution ``logw`` and the Hessian
index. Counts are means of i.i.d. per-draw terms, so a standard error is the sample standard deviation
over draws / sqrt(draws)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

#: the fewest importance-weighted draws the Monte Carlo models (spherical, weighted, circuit) take: a smaller
#: ``n_mc`` is raised to it (predict reports that it did)
MIN_DRAWS = 8000
#: below this Kish effective sample size of the index-0 weights a law's quantiles rest on a few draws and are
#: reported as not reliable
MIN_ESS = 30


@dataclass
class KacRiceDraws:
    """Expected critical points by index per [0, pi)^p, from importance-weighted draws."""

    p: int
    counts: np.ndarray
    stderr: np.ndarray
    mean_value: np.ndarray
    euler: float
    euler_stderr: float
    f: np.ndarray = field(repr=False)
    logw: np.ndarray = field(repr=False)
    index: np.ndarray = field(repr=False)
    n_draws: int = 0
    log_counts: np.ndarray | None = field(default=None, repr=False)   # natural log of counts (finite past 1e308)
    stopped_at_deadline: bool = False                                   # fewer draws than planned (a time limit)

    @classmethod
    def from_draws(cls, p: int, f: np.ndarray, logw: np.ndarray, index: np.ndarray) -> "KacRiceDraws":
        N = f.size
        shift = float(np.max(logw))
        w = np.exp(logw - shift)
        # counts beyond the float range (large p) are inf; their logarithms stay in log_counts
        scale = math.exp(shift) if shift < 709.0 else math.inf
        counts = np.empty(p + 1)
        stderr = np.empty(p + 1)
        log_counts = np.full(p + 1, -np.inf)
        mean_value = np.full(p + 1, np.nan)
        for k in range(p + 1):
            Y = np.where(index == k, w, 0.0)
            m = Y.mean()
            counts[k] = m * scale if m > 0 else 0.0
            stderr[k] = Y.std(ddof=1) / math.sqrt(N) * scale if m > 0 else 0.0
            if m > 0:
                log_counts[k] = math.log(m) + shift
            if Y.sum() > 0:
                mean_value[k] = float(np.sum(Y * f) / Y.sum())
        E = np.where(index % 2 == 0, w, -w)
        return cls(p, counts, stderr, mean_value, float(E.mean() * scale),
                   float(E.std(ddof=1) / math.sqrt(N) * scale), f, logw, index, N, log_counts)

    def effective_sample_size(self, k: int = 0) -> float:
        """Kish effective sample size (sum w)^2 / sum w^2 of the index-k weights: how many draws effectively
        carry the estimate. Below about 30 the law of index-k values is dominated by a few draws and its
        quantiles are unreliable."""
        sel = self.index == k
        if not np.any(sel):
            return 0.0
        w = np.exp(self.logw[sel] - np.max(self.logw[sel]))
        return float(w.sum() ** 2 / np.sum(w * w))

    def adaptive_edges(self, k: int, lo: float, hi: float, base: int = 40, quantiles: int = 80) -> np.ndarray:
        """Bin edges for :meth:`density`: ``base`` equal bins on [lo, hi] refined at the weighted quantiles
        of the index-k values, so a law concentrated in a small part of [lo, hi] (e.g. minima near E0 at
        large gamma) is resolved instead of falling into one bin."""
        edges = np.linspace(lo, hi, base + 1)
        sel = self.index == k
        if np.any(sel):
            f = self.f[sel]
            w = np.exp(self.logw[sel] - np.max(self.logw[sel]))
            order = np.argsort(f)
            cw = np.cumsum(w[order])
            qs = np.interp(np.linspace(0, 1, quantiles + 1), cw / cw[-1], f[order])
            edges = np.union1d(edges, np.clip(qs, lo, hi))
        return edges

    def density(self, k: int, bins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(bin centres, rho_k(f)): expected index-k critical points per unit f (weighted histogram)."""
        sel = self.index == k
        shift = np.max(self.logw[sel]) if np.any(sel) else 0.0
        w = np.where(sel, np.exp(self.logw - shift), 0.0)
        h, edges = np.histogram(self.f, bins=bins, weights=w)
        return 0.5 * (edges[1:] + edges[:-1]), h * math.exp(shift) / self.n_draws / np.diff(edges)
