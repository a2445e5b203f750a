"""The edge part of a sampled mean log-determinant: c(s), a universal function of the Tracy–Widom edge variable.

docs/theory.md §20.3. Used by :mod:`~rmt_qgm.theory.models.circuit_edge`, whose Kac–Rice factor starts from
m = E log|det M| of *sampled* Hessians. For the GOE the exact identity of §19.1,

    E[|det(M − x)| 1{M > x}] = K_N e^(N x²/4) ρ_min^(N+1)(x),

has the *smooth* log-determinant N x²/4 = NΦ(x) + const (inside the support; outside, the rate (2/3)s^(3/2) that the
pinned factor w carries) and the smallest-eigenvalue density of N + 1 eigenvalues. A sampled mean is not smooth:

    m_N(x) = E log|det(M − x)| = NΦ(x) + c(s) + const_N,

where c(s) is the discrete-minus-continuum contribution of the few eigenvalues at the edge, s = σ L the edge variable
(λ_min = L − χ/σ, χ ~ TW_1). By edge universality (the edge point process of any real symmetric matrix with a soft
edge is the GOE's Airy_1 process) c depends on s only, up to a constant, so it is tabulated once from the GOE:

    c(s) = mean_i Σ_j log|λ_ij − x(s)| − N Φ_sc(x(s)),  x(s) = mean λ_min − (s − E χ)/σ,  σ = sd χ / sd λ_min,

with Φ_sc the semicircle's log-potential (radius 2: Φ = x²/4 − 1/2 inside, minus |x|√(x² − 4)/4 − log((|x| +
√(x² − 4))/2) outside), the moments read exactly as the circuit edge law reads them (so the finite-N
moment-matching is the same on both sides). The shape of c still changes with N at the rate N^(−1/3) (measured:
0.06 between N = 128 and 256 on s ∈ [−10, 20], 0.3 between 48 and 256 on s ∈ [0, 3]), so c is tabulated for
N = 32, 64, 128, 256, 512 and interpolated linearly in N^(−1/3) (held at the end tables outside), each point with its
Monte Carlo standard error. Stored in ``rmt_qgm/data/goe_edge_logdet.json`` (rebuilt by
``python -m rmt_qgm.theory.asymptotics.edge_logdet``, a few minutes). The additive constant is irrelevant (the
law is normalised over F).
"""
from __future__ import annotations

import json
import math
import os
from functools import lru_cache

import numpy as np

from .tracy_widom import TW_MEAN, TW_SD

#: the tabulated range and step of s; outside it c is held at its end value (the circuit edge law's window is
#: s >= -10; beyond s = 30 the slope of c is below 0.01 per unit s, an error stated in §20.3)
S_MIN, S_MAX, S_STEP = -12.0, 30.0, 0.25
TABLE_FILE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "data",
                                           "goe_edge_logdet.json"))


def semicircle_log_potential(x: np.ndarray) -> np.ndarray:
    """Φ(x) = ∫ log|x − y| dμ_sc(y) for the semicircle on [−2, 2] (module docstring)."""
    x = np.asarray(x, dtype=float)
    a = np.abs(x)
    inside = x * x / 4.0 - 0.5
    r = np.sqrt(np.maximum(a * a - 4.0, 0.0))
    outside = inside - (a * r / 4.0 - np.log((a + r) / 2.0))
    return np.where(a <= 2.0, inside, outside)


def s_grid() -> np.ndarray:
    return np.round(np.arange(S_MIN, S_MAX + S_STEP / 2, S_STEP), 10)


def sample_c(N: int, samples: int, seed: int, batch: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """(c, its standard error) on :func:`s_grid` from ``samples`` GOE N × N matrices (off-diagonal variance 1/N)."""
    from threadpoolctl import threadpool_limits
    from ...seeding import generator
    rng = generator(seed, "goe_edge_logdet", N)
    evs = []
    with threadpool_limits(1):
        for start in range(0, samples, batch):
            k = min(batch, samples - start)
            A = rng.standard_normal((k, N, N))
            evs.append(np.linalg.eigvalsh((A + np.transpose(A, (0, 2, 1))) / math.sqrt(2.0 * N)))
    ev = np.concatenate(evs)
    lmin = ev[:, 0]
    sigma = TW_SD / float(np.std(lmin, ddof=1))
    xs = float(np.mean(lmin)) - (s_grid() - TW_MEAN) / sigma
    c, se = [], []
    for x in xs:
        ld = np.log(np.abs(ev - x)).sum(axis=1)
        c.append(float(np.mean(ld) - N * semicircle_log_potential(x)))
        se.append(float(np.std(ld, ddof=1) / math.sqrt(ld.size)))
    return np.array(c), np.array(se)


#: matrix sizes of the stored tables and the GOE draws of each (about the same cost per size)
SIZES = (32, 64, 128, 256, 512)
SAMPLES = {32: 24000, 64: 12000, 128: 6000, 256: 3000, 512: 1500}


def build_table(seed: int = 0) -> dict:
    """The stored table: c(s) for N in SIZES, with standard errors."""
    out = {"what": "c(s) = E log|det(M - x)| - N Phi_sc(x) of GOE N x N at the edge variable s (docs/theory.md §20.3)",
           "s_min": S_MIN, "s_max": S_MAX, "step": S_STEP, "sizes": list(SIZES),
           "samples": {str(k): v for k, v in SAMPLES.items()}, "seed": seed}
    for N in SIZES:
        c, se = sample_c(N, SAMPLES[N], seed)
        out[f"c_{N}"] = c.tolist()
        out[f"se_{N}"] = se.tolist()
    return out


def write_table(path: str | None = None) -> None:
    from ...store import atomic_write_json
    atomic_write_json(path or TABLE_FILE, build_table())


@lru_cache(maxsize=1)
def _table() -> tuple[np.ndarray, np.ndarray]:
    with open(TABLE_FILE) as fh:
        t = json.load(fh)
    grid = s_grid()
    if tuple(t.get("sizes", ())) != SIZES or t["step"] != S_STEP or len(t[f"c_{SIZES[0]}"]) != grid.size:
        raise RuntimeError(f"{TABLE_FILE} does not match the grid; rebuild it with write_table()")
    return grid, np.array([t[f"c_{N}"] for N in SIZES])


def edge_logdet(s, N: int):
    """c(s) of the module docstring for N × N matrices: the tables linearly interpolated in s (held constant
    outside [S_MIN, S_MAX]) and in N^(−1/3) between the bracketing sizes (the end tables outside SIZES)."""
    grid, c = _table()
    x = np.asarray(SIZES, dtype=float) ** (-1.0 / 3.0)          # decreasing in N
    t = float(np.clip(N, SIZES[0], SIZES[-1])) ** (-1.0 / 3.0)
    k = int(np.clip(np.searchsorted(-x, -t), 1, len(SIZES) - 1))
    a = (t - x[k]) / (x[k - 1] - x[k])
    row = a * c[k - 1] + (1.0 - a) * c[k]
    out = np.interp(np.asarray(s, dtype=float), grid, row)
    return out if np.ndim(out) else float(out)


if __name__ == "__main__":
    write_table()
    print("wrote", TABLE_FILE)
