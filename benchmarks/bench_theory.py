"""Theory timings (issue 3 targets) with a peer figure from the same run; prints JSON.

- asymptotic quantities at default precision (dps 30): t_e(gamma) and the MP edge with digits-lost
  recomputation, plus the spectral edges of mu_t (target <= 2 s);
- finite-size Kac–Rice counts at p = 64 (m = 128, gamma = 0.5) through ``predict`` (target <= 60 s);
- peer: a plain numpy Monte Carlo of D_0(t) at the same sample size and t-grid without common random
  numbers (fresh matrices at every node), the straightforward way to evaluate Kac–Rice.

Run:  python benchmarks/bench_theory.py
"""
from __future__ import annotations

import json
import time

import numpy as np

from rmt_qgm.theory.asymptotics import edge_threshold, mp_edge, spectral_edges
from rmt_qgm.theory.predict import predict


def main() -> int:
    out = []
    t0 = time.perf_counter()
    for g in (0.125, 0.25, 0.5, 0.75):
        te = edge_threshold(g)
        mp_edge(g)
        spectral_edges(g, float(te.value))
    t_asym = time.perf_counter() - t0
    out.append({"case": "asymptotic (4 gammas: t_e, MP edge, spectral edges; dps 30, digits lost)",
                "seconds": t_asym, "target_s": 2.0})

    t0 = time.perf_counter()
    r = predict(6, 64, hamiltonian="fidelity", model="whrf", n_mc=2000)
    t_fs = time.perf_counter() - t0
    m, p, n_mc, grid = 128, 64, 2000, 160

    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    ts = np.linspace(0.01, 2.0, grid)
    nodes = 8  # time a few nodes with fresh matrices, extrapolate to the full grid
    for t in ts[:nodes]:
        g = rng.standard_normal((n_mc, m - 1, p)) / np.sqrt(m)
        W = np.einsum("ski,skj->sij", g, g)
        z = np.triu(rng.standard_normal((n_mc, p, p)) / np.sqrt(m), 1)
        np.linalg.eigvalsh(W - t * np.eye(p) + np.sqrt(t) * (z + z.transpose(0, 2, 1)))
    t_peer = (time.perf_counter() - t0) * grid / nodes
    out.append({"case": "finite-size Kac-Rice via predict, n=6 p=64 (m=128, gamma=0.5), 2000 samples",
                "seconds": t_fs, "target_s": 60.0,
                "numpy_fresh_samples_per_node_s (extrapolated)": t_peer, "speedup_vs_numpy": t_peer / t_fs,
                "counts_by_index_head": r["critical_points"]["expected_counts_by_index"][:3]})
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
