"""Is the circuit model's count-weighted median at gamma = 0.75 converged, and is its gap to the optimiser real?

At gamma = 0.75 the table's circuit-model estimate rests on a few heavy draws (Kish ESS 1-7 at 8000 draws per
replicate) and the basin law (B2) needs alpha of 5 to beyond 10 to reach the optimiser's median
(docs/studies/basin_gamma_law.md). Either the 8000-draw estimator is biased there (a heavy-tailed self-normalised
estimator can be, and replicates do not reveal it), or the count-weighted law really sits well above the
optimiser's minima. This script separates the two with an independent, better-sampled estimator.

Declared before this script was run (exploratory runs at n = 4, p = 24, fidelity and randspec:1 with other
seeds had been seen: plain and focused ladders, 8000 to 128000 draws, medians 0.017-0.026 in t):

    For the gamma = 0.75 rows at n = 4 (p = 24) and n = 5 (p = 48), three spectra each, estimate the
    count-weighted median with the focused ladder (kac_rice_circuit(..., focus=0); exactly unbiased
    weights, 3-5x the index-0 ESS of the plain ladder at n = 4, p = 24) at DRAWS = 32000 draws per run,
    SEEDS = 4 runs (seeds SEED + s), so 16x the draws of one table replicate per run. Compare with the mean of
    the table's CIRCUIT_REPLICATES plain 8000-draw replicate medians and with the optimiser's 256-instance
    median (validation/results/empirical_ci_coverage/summary.json). All in t = (F - E0)/(Ebar - E0).

    (K1) no bias of the table's estimator is detectable: |table mean - focused mean| <= 3 combined s.e.
         (s.e. = replicate s.d. / sqrt(runs) on each side) in every row;
    (K2) the gap is real: focused mean - 3 s.e. lies above the upper end of the optimiser's 95 % interval
         in every row.

Writes validation/results/circuit_model_convergence/ (one JSON per run, resumable; summary.json) and
docs/studies/circuit_model_convergence.md.

Run:  python -m validation.circuit_model_convergence [--workers 2]   (about 16 min on two cores)
      python -m validation.circuit_model_convergence --render-only
"""
from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
from validation.common import (CIRCUIT_REPLICATES, HAMILTONIANS, Study, circuit_minima,  # noqa: E402
                               load_json_if_present)
from validation.empirical_ci_coverage import OUT as COVERAGE_OUT  # noqa: E402

OUT = os.path.join(HERE, "results", "circuit_model_convergence")
ROWS = [(4, 24), (5, 48)]
DRAWS = 32000
SEEDS = 4
SEED = 7000
TABLE_SEED = 2026          # the table's seed (validation/results/circuits_vs_theory.json)
Z = 3.0


def _run_file(n: int, p: int, ham: str, seed: int) -> str:
    return os.path.join(OUT, f"n{n}_p{p}_{ham.replace(':', '')}_s{seed}_focus0_mc{DRAWS}.json")


def focused_run(job: tuple[int, int, str, int]) -> dict:
    """One focused-ladder run: its count-weighted median in t and index-0 ESS (cached, written atomically)."""
    n, p, ham, seed = job
    f = _run_file(n, p, ham, seed)
    if os.path.exists(f):
        with open(f, encoding="utf-8") as fh:
            return json.load(fh)
    from threadpoolctl import threadpool_limits

    from rmt_qgm import __version__
    from rmt_qgm.hamiltonians import parse_hamiltonian
    from rmt_qgm.store import atomic_write_json
    from rmt_qgm.theory.models.circuit import kac_rice_circuit
    from rmt_qgm.theory.distributions import AffineUnits
    from rmt_qgm.theory.models.spherical import prediction_from_draws
    t0 = time.perf_counter()
    H = parse_hamiltonian(ham, n)
    with threadpool_limits(1):
        kr = kac_rice_circuit(H.spectrum, p, seed=seed, n_mc=DRAWS, focus=0)
        m = prediction_from_draws(kr, H, "circuit", {}, seed, 30, t0)["minima"]
    out = {"version": __version__, "n": n, "p": p, "hamiltonian": ham, "seed": seed, "draws": DRAWS, "focus": 0,
           "median_t": float(AffineUnits.for_hamiltonian(H).to_t(m["median"])), "ess": m["effective_sample_size"],
           "seconds": time.perf_counter() - t0}
    os.makedirs(OUT, exist_ok=True)
    atomic_write_json(f, out)
    return out


def table_replicates_t(n: int, p: int, ham: str) -> np.ndarray:
    """The table's plain 8000-draw replicate medians (circuit-model cache) in t."""
    from rmt_qgm.hamiltonians import parse_hamiltonian
    from rmt_qgm.theory.distributions import AffineUnits
    units = AffineUnits.for_hamiltonian(parse_hamiltonian(ham, n))
    return units.to_t([circuit_minima(n, p, ham, TABLE_SEED + 1000 * r)["median"]
                       for r in range(CIRCUIT_REPLICATES)])


def mean_se(x: np.ndarray) -> tuple[float, float]:
    """Mean of independent replicates and its standard error (s.d. / sqrt(k))."""
    x = np.asarray(x, dtype=float)
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size))


def optimiser_reference(n: int, p: int, ham: str) -> tuple[float, list[float]]:
    """The optimiser's 256-instance median and its 95 % interval (empirical_ci_coverage), in t."""
    s = load_json_if_present(os.path.join(COVERAGE_OUT, "summary.json"))
    r = next(r for r in s["rows"] if (r["n"], r["p"], r["hamiltonian"]) == (n, p, ham))
    sc = r["Ebar"] - r["E0"]
    return (r["reference"] - r["E0"]) / sc, [(x - r["E0"]) / sc for x in r["reference_ci95"]]


def analyse(workers: int) -> dict:
    jobs = [(n, p, ham, SEED + s) for n, p in ROWS for ham in HAMILTONIANS for s in range(SEEDS)]
    with ProcessPoolExecutor(max_workers=max(1, workers)) as ex:
        runs = list(ex.map(focused_run, jobs))
    rows = []
    for n, p in ROWS:
        for ham in HAMILTONIANS:
            mine = [r for r in runs if (r["n"], r["p"], r["hamiltonian"]) == (n, p, ham)]
            foc = np.array([r["median_t"] for r in mine])
            tab = table_replicates_t(n, p, ham)
            fm, fs = mean_se(foc)
            tm, ts = mean_se(tab)
            ref, ci = optimiser_reference(n, p, ham)
            z = (tm - fm) / float(np.hypot(fs, ts))
            rows.append({"n": n, "p": p, "gamma": p / 2 ** (n + 1), "hamiltonian": ham,
                         "focused_medians_t": foc.tolist(), "focused_ess": [r["ess"] for r in mine],
                         "focused_mean_t": fm, "focused_se_t": fs, "table_medians_t": tab.tolist(),
                         "table_mean_t": tm, "table_se_t": ts, "z_table_vs_focused": z,
                         "K1": bool(abs(z) <= Z), "optimiser_median_t": ref, "optimiser_ci95_t": ci,
                         "K2": bool(fm - Z * fs > ci[1]), "ratio": fm / ref,
                         "run_seconds": float(sum(r["seconds"] for r in mine))})
    return {"rows": rows, "K1": all(r["K1"] for r in rows), "K2": all(r["K2"] for r in rows)}


def render(s: dict) -> str:
    out = ["# Circuit model at gamma = 0.75: converged, and above the optimiser", "",
           f"Generated by `python -m validation.circuit_model_convergence` on {s['date']} ({s['seconds']:.0f} s; "
           f"focused ladder, {DRAWS} draws x {SEEDS} runs per row, seeds {SEED}+). Hypotheses (K1), (K2) declared "
           "before the run (module docstring). All values in t = (F − E0)/(Ē − E0); s.e. = replicate s.d. / "
           "sqrt(runs).", "",
           "| n | p | H | table: plain, 8000 draws (mean ± s.e., runs) | focused, 32000 draws (mean ± s.e.; ESS) | "
           "z | (K1) | optimiser median (95 % CI, 256 instances) | ratio | (K2) |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in s["rows"]:
        ess = f"{min(r['focused_ess']):.0f}–{max(r['focused_ess']):.0f}"
        out.append(f"| {r['n']} | {r['p']} | {r['hamiltonian']} | {r['table_mean_t']:.4f} ± {r['table_se_t']:.4f} "
                   f"({len(r['table_medians_t'])}) | {r['focused_mean_t']:.4f} ± {r['focused_se_t']:.4f}; {ess} | "
                   f"{r['z_table_vs_focused']:+.2f} | {'holds' if r['K1'] else 'fails'} | "
                   f"{r['optimiser_median_t']:.4f} ({r['optimiser_ci95_t'][0]:.4f}–{r['optimiser_ci95_t'][1]:.4f}) | "
                   f"{r['ratio']:.2f} | {'holds' if r['K2'] else 'fails'} |")
    k1 = sum(r["K1"] for r in s["rows"])
    k2 = sum(r["K2"] for r in s["rows"])
    ratios = [r["ratio"] for r in s["rows"]]
    out += ["", f"- (K1) no detectable bias of the table's estimator: holds in {k1} of {len(s['rows'])} rows "
                f"(|z| <= {Z:g}).",
            f"- (K2) count-weighted median above the optimiser's interval: holds in {k2} of {len(s['rows'])} rows; "
            f"the count-weighted median is {min(ratios):.1f}–{max(ratios):.1f} times the optimiser's.",
            ("- Reading: both hold in every row, so the gamma = 0.75 mismatches of the basin-weighted columns in "
            "docs/studies/circuits_vs_theory.md are the basin law's, not Monte Carlo noise of the count-weighted law. "
            "(B1), (1 − t)^(αp/2), changes the law by a factor exp(−αp t/2) over the narrow range of t where these "
            "minima sit, so only a very large α moves the median by a factor of two; near the threshold the "
            "optimiser's preference for the deepest minima is stronger than (B1) describes." if s["K1"] and s["K2"] else
             "- Reading: (K1) or (K2) fails in some row, so the gamma = 0.75 mismatches cannot be put on the basin "
             "law alone there; see the rows marked 'fails'."), ""]
    return "\n".join(out)


def _run(a) -> dict:
    from rmt_qgm import __version__
    t0 = time.perf_counter()
    s = analyse(a.workers)
    s.update({"version": __version__, "seed": SEED, "draws": DRAWS, "runs": SEEDS,
              "date": time.strftime("%Y-%m-%d"), "seconds": time.perf_counter() - t0})
    return s


STUDY = Study("circuit_model_convergence", doc="circuit_model_convergence.md",
              summary=os.path.join(OUT, "summary.json"), run=_run, render=render, description=__doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
