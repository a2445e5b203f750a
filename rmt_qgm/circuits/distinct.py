"""Distinct local minima among multi-start results (count weighting instead of basin weighting).

Optimiser-found minima are basin-weighted: a minimum is reported once per start that lands in it. The
Kac–Rice law counts each minimum once. :func:`distinct_minima` deduplicates the certified minima of one
instance modulo the period pi of every angle (exp(-i(theta + pi)G) = -exp(-i theta G), a global phase) and
returns each distinct minimum with its hit count; :func:`chao1` estimates how many were never hit
(Chao 1984: S_obs + f1^2 / (2 f2), f1/f2 = minima hit once/twice), a completeness diagnostic.
"""
from __future__ import annotations

import numpy as np


def distinct_minima(theta: np.ndarray, F: np.ndarray, *, tol_theta: float = 1e-5,
                    tol_F: float = 1e-8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, hits, representatives) of the distinct points among ``theta`` (S, p) with losses ``F``.

    Two points are the same if |F - F'| <= tol_F and every angle agrees modulo pi within tol_theta."""
    theta = np.mod(np.asarray(theta, dtype=float), np.pi)
    F = np.asarray(F, dtype=float)
    order = np.argsort(F, kind="stable")
    reps: list[int] = []
    hits: list[int] = []
    for s in order:
        found = False
        for r in range(len(reps) - 1, -1, -1):          # sorted by F: only recent representatives can match
            q = reps[r]
            if F[s] - F[q] > tol_F:
                break
            d = np.abs(theta[s] - theta[q])
            if np.max(np.minimum(d, np.pi - d)) <= tol_theta:
                hits[r] += 1
                found = True
                break
        if not found:
            reps.append(s)
            hits.append(1)
    idx = np.array(reps, dtype=int)
    return F[idx], np.array(hits, dtype=int), theta[idx]


def chao1(hits: np.ndarray) -> float:
    """Chao1 estimate of the number of distinct minima, observed plus unseen (bias-corrected if f2 = 0)."""
    hits = np.asarray(hits)
    f1, f2 = int(np.sum(hits == 1)), int(np.sum(hits == 2))
    return float(hits.size + (f1 * f1 / (2 * f2) if f2 > 0 else f1 * (f1 - 1) / 2))
