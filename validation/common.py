"""Constants and helpers shared by the validation scripts (no script imports another script's helpers
through a cycle: circuits_vs_theory.py, basin_weighting.py, basin_gamma_law.py, basin_scaling_law.py,
basin_ceiling_law.py, empirical_ci_coverage.py and circuit_model_convergence.py take these from here).

The issue-3 table's grid, replicate counts and cost budget (validation/circuits_vs_theory.py's docstring
states the replicate rules), its circuit Monte Carlo of one row (:func:`simulate_row`), the circuit model's
replicate count per row, the results file of the table (CVT_JSON), and the reading of the measured
coverage of the table's empirical interval (:func:`ci_widening`, :func:`widen`, :func:`verdict_pair`).
"""
from __future__ import annotations

import json
import os
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

#: the issue-3 table (validation/circuits_vs_theory.py) and its results
CVT_JSON = os.path.join(HERE, "results", "circuits_vs_theory.json")
QUBITS = (4, 5, 6)
GAMMAS = (0.125, 0.25, 0.5, 0.75)
HAMILTONIANS = ("fidelity", "projector:2", "randspec:1")
REPLICATES = 4
#: replicates of the exact circuit model on the table's rows (module docstring: raised from 4 on 2026-12-02)
CIRCUIT_REPLICATES = 8
#: table rows with 16 circuit-model replicates: UNRELIABLE under some circuit-model-based prediction at 8
#: replicates (module docstring, declared 2026-12-03)
SIXTEEN_REPLICATE_ROWS = frozenset({(4, 24, "randspec:1"), (6, 64, "projector:2"), (6, 64, "randspec:1"),
                                    (6, 96, "randspec:1")})
#: draws per replicate for a row where some 8000-draw replicate has no local-minimum draw (near the transition;
#: basin_weighting.circuit_laws; declared in validation/basin_ceiling_law.py)
FALLBACK_DRAWS = 32000
#: the exact circuit model draws O(p d^2) Gaussians per Monte Carlo draw; rows with p d^2 above this budget
#: are not predicted with it (measured, one core, one replicate of 8000 draws at n = 6: p = 16 21 s, p = 32
#: 61 s). Rows above it are predicted only if their replicates are in CIRCUIT_CACHE (--fill-cache).
CIRCUIT_MAX_COST = 32 * 64 ** 2


def bootstrap_median_ci(values: np.ndarray, groups: np.ndarray, rng: np.random.Generator,
                        n_boot: int = 2000, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap CI of the median, resampling whole instances (groups)."""
    ids = np.unique(groups)
    by = [values[groups == g] for g in ids]
    meds = np.empty(n_boot)
    for b in range(n_boot):
        pick = rng.integers(0, len(by), len(by))
        meds[b] = np.median(np.concatenate([by[i] for i in pick]))
    lo, hi = np.quantile(meds, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def simulate_row(n: int, p: int, ham: str, starts: int, instances: int, workers: int, seed: int,
                 rng: np.random.Generator) -> dict:
    """One table row's circuit Monte Carlo: certified multi-start minima of the randomized ansatz and their
    median, q10, q90 and the median's 95 % bootstrap interval over instances (``rng``)."""
    from rmt_qgm.simulate import run_simulation
    t0 = time.perf_counter()
    sim = run_simulation(n, p, ansatz="randomized", hamiltonian=ham, starts=starts,
                         instances=instances, seed=seed, workers=workers)
    arr = sim.arrays()
    mask = (arr["kind"] == 0) & arr["certified"].astype(bool)
    F, inst = arr["F"][mask], arr["instance"][mask]
    row = {"n": n, "p": p, "gamma": p / 2 ** (n + 1), "hamiltonian": ham,
           "E0": sim.params["E0"], "Ebar": sim.params["Ebar"],
           "n_minima": int(F.size), "sim_seconds": time.perf_counter() - t0}
    if F.size:
        row["empirical"] = {"median": float(np.median(F)), "q10": float(np.quantile(F, .1)),
                            "q90": float(np.quantile(F, .9)),
                            "median_ci95": bootstrap_median_ci(F, inst, rng)}
    return row


#: the exact circuit model's replicate results (predict_raw()["minima"]), one JSON per (n, p, H, seed), valid while
#: the model's sources or its fingerprint are unchanged (circuit_model_cache.py); shared with basin_weighting.py
#: and basin_gamma_law.py, which tilt the same laws
from circuit_model_cache import _cache_file, circuit_minima  # noqa: E402,F401  (re-exported)


def circuit_replicates(n: int, p: int, ham: str) -> int:
    """Replicates of the exact circuit model for (n, p, H): 16 on SIXTEEN_REPLICATE_ROWS, CIRCUIT_REPLICATES on
    the table's other rows (n in QUBITS, gamma in GAMMAS), REPLICATES elsewhere (n = 7 and the scaling law's
    test rows, 2-9 min per replicate)."""
    if (n, p, ham) in SIXTEEN_REPLICATE_ROWS:
        return 16
    return CIRCUIT_REPLICATES if n in QUBITS and p / 2 ** (n + 1) in GAMMAS else REPLICATES


CI_COVERAGE = os.path.join(HERE, "results", "empirical_ci_coverage", "summary.json")


def load_json_if_present(path: str) -> dict | None:
    """A results file written by another validation script, or None if that script has not been run."""
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def ci_widening(path: str = CI_COVERAGE) -> dict | None:
    """The measured coverage of the table's 8-instance bootstrap interval and the factor c on its half-widths
    that restores 95 % on held-out replicates (validation/empirical_ci_coverage.py), if that has been run."""
    s = load_json_if_present(path)
    if s is None:
        return None
    return {"c": s["widening"]["c"], "coverage": s["coverage"], "intervals": s["intervals"],
            "validation_coverage": s["widening"]["validation_coverage"]}


def widen(ci, median: float, c: float = 1.0) -> tuple[float, float]:
    """An interval's half-widths about ``median`` multiplied by c."""
    return median - c * (median - ci[0]), median + c * (ci[1] - median)


def verdict_pair(v: str, vw: str | None, c: float | None) -> str:
    """A verdict, with the one under the widened empirical interval beside it where that differs."""
    return v if vw is None or vw == v else f"{v} ({vw} at CI × {c:.2f})"
