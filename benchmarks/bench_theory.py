"""Theory timings (issue 3 targets) with a peer figure from the same run; prints JSON.

- asymptotic quantities at default precision (dps 30): t_e(gamma) and the MP edge with digits-lost
  recomputation, plus the spectral edges of mu_t (target <= 2 s);
- finite-size Kac–Rice counts at p = 64 (m = 128, gamma = 0.5) through ``predict`` (target <= 60 s);
- peer: a plain numpy Monte Carlo of D_0(t) at the same sample size and t-grid without common random
  numbers (fresh matrices at every node), the straightforward way to evaluate Kac–Rice.
- exact circuit Kac–Rice (``kac_rice_circuit``) at n = 5, p = 16 and n = 6, p = 32, cost per draw; peer:
  the same estimator written the plain way, with each G_k a dense d x d matrix built from a full Haar
  unitary (QR of a d x d complex Gaussian) instead of a rank-d/2 isometry, timed on a subset of draws.
- asymptotic threshold of the spherical/circuit models (``asymptotic_summary``: edge levels in mpmath and
  the concentration level f*) for the infidelity at n = 8 (two levels) and randspec at n = 6 and 8 (64 and
  256 levels), second call in the process (the first loads the numba kernels); peer: locating the edge
  level by sampling instead, one D = 2048 conditional Hessian per bisection step (30 steps), which gives
  2-3 digits at best.

Run:  python benchmarks/bench_theory.py
"""
from __future__ import annotations

import json
import time

import numpy as np

from rmt_qgm.theory.asymptotics.whrf import edge_threshold, mp_edge, spectral_edges
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
    out.extend(bench_circuit_model())
    out.extend(bench_general_asymptotics())
    print(json.dumps(out, indent=2))
    return 0


def _dense_peer_draw(rng, s_H, p):
    """One draw of the circuit Kac–Rice integrand the plain way: dense Haar unitaries for every G_k."""
    d = s_H.size
    psi = rng.standard_normal(d) + 1j * rng.standard_normal(d)
    psi /= np.linalg.norm(psi)
    G = []
    for _ in range(p):
        q, _ = np.linalg.qr(rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d)))
        G.append(q @ np.diag(np.r_[np.ones(d // 2), -np.ones(d // 2)]) @ q.conj().T)
    v = [g @ psi for g in G]
    hess = np.empty((p, p))
    for k in range(p):
        for l in range(k, p):
            hess[k, l] = hess[l, k] = 2 * np.real(v[k].conj() @ (s_H * v[l]) - (s_H * psi).conj() @ G[l] @ v[k])
    return np.linalg.eigvalsh(hess)


def bench_circuit_model() -> list[dict]:
    from rmt_qgm.hamiltonians import parse_hamiltonian
    from rmt_qgm.theory.models.circuit import kac_rice_circuit
    rows = []
    for n, p, draws in ((5, 16, 2000), (6, 32, 1000)):
        s_H = parse_hamiltonian("fidelity", n).spectrum
        t0 = time.perf_counter()
        kr = kac_rice_circuit(s_H, p, seed=0, n_mc=draws)
        per = (time.perf_counter() - t0) / kr.n_draws
        rng = np.random.default_rng(0)
        t0 = time.perf_counter()
        for _ in range(20):
            _dense_peer_draw(rng, s_H, p)
        peer = (time.perf_counter() - t0) / 20
        rows.append({"case": f"exact circuit Kac-Rice, n={n} p={p} (fidelity), per draw", "seconds_per_draw": per,
                     "draws": kr.n_draws, "dense_haar_peer_seconds_per_draw": peer, "speedup_vs_dense": peer / per,
                     "seconds_for_8000_draws (predict default)": 8000 * per})
    return rows


def bench_general_asymptotics() -> list[dict]:
    from rmt_qgm.hamiltonians import parse_hamiltonian
    from rmt_qgm.theory.asymptotics import spherical as sa
    from rmt_qgm.theory.asymptotics.minima_complexity import asymptotic_summary
    rows = []
    for n, spec_name, g in ((8, "fidelity", 0.25), (6, "randspec:1", 0.25), (8, "randspec:1", 0.25)):
        spec = parse_hamiltonian(spec_name, n).spectrum
        asymptotic_summary(spec, g, 30)                 # warm-up: the first call loads the numba kernels
        t0 = time.perf_counter()
        a = asymptotic_summary(spec, g, 30)
        t_engine = time.perf_counter() - t0
        # peer: bisection on F with one sampled conditional Hessian (D = 2048) per step
        rng = np.random.default_rng(0)
        D = 2048
        p = int(g * D)
        levels, weights = sa.spectral_law(spec)
        av0 = np.repeat(np.sort(spec), D // spec.size)
        t0 = time.perf_counter()
        lo, hi = float(levels[0]), float(levels[-1])
        for _ in range(30):
            f = 0.5 * (lo + hi)
            rho = np.sqrt(sa.rho2_typical_float(levels, weights, f))
            X = rng.standard_normal((D, p))
            Z = rng.standard_normal((p, p)) / np.sqrt(2 * D)
            Z = Z + Z.T
            np.fill_diagonal(Z, 0.0)
            lmin = np.linalg.eigvalsh((X.T * (av0 - f)) @ X / D + rho * Z)[0]
            lo, hi = (f, hi) if lmin >= 0 else (lo, f)
        t_peer = time.perf_counter() - t0
        rows.append({"case": f"asymptotic threshold (spherical/circuit model), {spec_name} n={n} gamma={g}",
                     "seconds": t_engine, "threshold": a["threshold"], "edge": a["edge"],
                     "peer_sampled_bisection_seconds": t_peer, "peer_edge_level": 0.5 * (lo + hi),
                     "speedup_vs_sampling": t_peer / t_engine})
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
