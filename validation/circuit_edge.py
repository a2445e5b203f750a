"""The circuit edge law (docs/theory.md §20) against the exact circuit model and simulated circuits.

Post hoc: the law was built with the n = 6 rows of the circuit-model table in view (its Hessian factor has no fitted
constant; its optimiser-found law uses the fitted basin law (G3)). Three parts:

1. Why the edge law (§19) misses circuits near the transition (§20.1): the smallest eigenvalue of exact circuit
   Hessians at fixed F (fidelity, gamma = 0.5, n = 6, 7, 8) against the same Hessian with its ordered
   second-derivative term replaced by an independent Gaussian matrix of the same entry variance (what the
   normalised-state model assumes), and without that term.
2. Count-weighted law (`predict --model circuit-edge`) against the exact circuit model (replicate mean ± s.e. of
   docs/studies/circuits_vs_theory.md), every row of that table with n >= 4.
3. Optimiser-found law against the medians of certified minima of simulated circuits: the same table, the
   paper-figure runs (n = 6, 8, fidelity; 52 instances x 1 start), and the rows of the two held-out studies
   (docs/studies/heldout_predict.md, n = 5-6; docs/studies/heldout_n7.md, n = 7), which are post hoc here.

Every predict call uses DRAWS draws per node and seed 0 (reproducible).

python -m validation.circuit_edge [--render-only] [--workers W]     (about 30 min on 2 cores)
"""
from __future__ import annotations

import csv
import json
import math
import os
import sys
import time

import numpy as np

from validation.common import CVT_JSON, FIG1_CSV, Study
from validation.edge_law import _lr

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "results", "circuit_edge.json")
HELDOUT = (("heldout_predict", os.path.join(HERE, "results", "heldout_predict.json")),
           ("heldout_n7", os.path.join(HERE, "results", "heldout_n7.json")))
DRAWS = 64
HESS_SETTINGS = ((6, 64, 300), (7, 128, 150), (8, 256, 60))     # (n, p, Hessians per level)
HESS_LEVELS = (0.04, 0.08)
HESS_SEED = 20261207


def hessian_parts(n: int, p: int, draws: int, f: float, seed: int) -> dict:
    """Mean smallest eigenvalue (Hessian / 2) of exact circuit Hessians at F = f (fidelity) and of the same with the
    ordered second-derivative term T'_kl = Re<v_k|G_l b> (k < l) replaced by an independent symmetric Gaussian matrix
    of the same entry variance, by T' of another draw, or dropped (docs/theory.md §20.1)."""
    from rmt_qgm.seeding import generator
    from rmt_qgm.theory.models.circuit_edge import sampled_hessian_parts
    rng = generator(seed, "hessian_parts", n, p)
    Bp, Tp = sampled_hessian_parts(n, p, f, draws, rng)
    iu = np.triu_indices(p, 1)
    var = float(np.var(Tp[:, iu[0], iu[1]]))
    cov = float(np.mean(Bp[:, iu[0], iu[1]] * Tp[:, iu[0], iu[1]]) - Bp[:, iu[0], iu[1]].mean() * Tp[:, iu[0], iu[1]].mean())
    Z = rng.standard_normal((draws, p, p)) * math.sqrt(var)
    Z = (Z + np.transpose(Z, (0, 2, 1))) / math.sqrt(2)
    Z[:, np.arange(p), np.arange(p)] = 0.0

    def lmin(A):
        e = np.linalg.eigvalsh(A)[:, 0]
        return float(e.mean()), float(e.std(ddof=1) / math.sqrt(e.size))
    out = {"n": n, "p": p, "f": f, "draws": draws, "var_T": var, "rho2_over_D": f * (1 - f) / 2 ** (n + 1),
           "cov_B_T": cov}
    for key, A in (("circuit", Bp - Tp), ("independent", Bp - Z), ("shuffled", Bp - np.roll(Tp, 1, axis=0)),
                   ("without", Bp)):
        out[key], out[key + "_se"] = lmin(A)
    print(json.dumps(out), flush=True)
    return out


def predict_row(n: int, p: int, ham: str) -> dict:
    from rmt_qgm.problem import parse_problem
    from rmt_qgm.theory.predict import predict
    t0 = time.perf_counter()
    r = predict(n, p, ham, model="circuit-edge", budget=3600, n_mc=DRAWS).to_dict()
    out = {"n": n, "p": p, "hamiltonian": ham, "seconds": time.perf_counter() - t0}
    m, o = r["minima"], r["optimiser_minima"]
    if not m.get("available", True):
        out["no_law"] = m.get("reason")
        return out
    law = parse_problem(n, p, ham).law
    t = lambda F: (F - law.E0) / (law.Ebar - law.E0)          # noqa: E731
    out.update(count_t=t(m["median"]), count_q10=t(m["q10"]), count_q90=t(m["q90"]),
               count_se_t=m["median_stderr"] / (law.Ebar - law.E0), reliable=m["reliable"], reason=m.get("reason"),
               draws=r["sampling"]["draws"])
    if o.get("available", True):
        out.update(opt_t=t(o["median"]), opt_q10=t(o["q10"]), opt_q90=t(o["q90"]))
    return out


def _rows_todo() -> list[dict]:
    todo = []
    with open(CVT_JSON, encoding="utf-8") as fh:
        for r in json.load(fh)["rows"]:
            if r["n"] < 4:
                continue
            E0, Eb = r["E0"], r["Ebar"]
            t = lambda F, E0=E0, Eb=Eb: (F - E0) / (Eb - E0)          # noqa: E731
            c = r["circuit"]
            todo.append({"source": "circuits_vs_theory", "n": r["n"], "p": r["p"], "gamma": r["gamma"],
                         "hamiltonian": r["hamiltonian"], "circuit_t": t(c["median"]),
                         "circuit_se_t": c["median_se"] / (Eb - E0), "emp_t": t(r["empirical"]["median"])})
    with open(FIG1_CSV, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            n, g = int(r["n_qubits"]), float(r["gamma"])
            if g < 1:
                todo.append({"source": "paper-fig1", "n": n, "p": int(round(g * 2 ** (n + 1))), "gamma": g,
                             "hamiltonian": "fidelity", "emp_t": float(r["median_t"])})
    for name, path in HELDOUT:
        with open(path, encoding="utf-8") as fh:
            for r in json.load(fh)["rows"]:
                todo.append({"source": name, "n": r["n"], "p": r["p"], "gamma": r["gamma"],
                             "hamiltonian": r["hamiltonian"], "emp_t": r["t_emp"]})
    return todo


def _one(row: dict) -> dict:
    out = dict(row)
    out.update(predict_row(row["n"], row["p"], row["hamiltonian"]))
    print(json.dumps(out), flush=True)
    return out


def _run(a) -> dict:
    from concurrent.futures import ProcessPoolExecutor

    from rmt_qgm import __version__
    t0 = time.perf_counter()
    parts = [hessian_parts(n, p, k, f, HESS_SEED) for n, p, k in HESS_SETTINGS for f in HESS_LEVELS]
    todo = _rows_todo()
    with ProcessPoolExecutor(max_workers=a.workers) as ex:
        rows = list(ex.map(_one, todo))
    return {"version": __version__, "date": time.strftime("%Y-%m-%d"), "seconds": time.perf_counter() - t0,
            "draws_per_node": DRAWS, "hessian_parts": parts, "rows": rows}


def render(res: dict) -> str:
    L = ["# The circuit edge law against the exact circuit model and circuits", "",
         f"Generated by `python -m validation.circuit_edge` on {res['date']} ({res['seconds']:.0f} s, rmt_qgm "
         f"{res['version']}). Law: docs/theory.md §20 (`predict --model circuit-edge`, {res['draws_per_node']} draws "
         "per node, seed 0). **Post hoc**: the law was built with the n = 6 rows of the circuit-model table in view; "
         "its Hessian factor has no fitted constant, its optimiser-found law uses the fitted basin law (G3). Values "
         "in t = (F - E0)/(Ebar - E0).", "",
         "## 1. The circuit's conditional Hessian is not the normalised-state model's", "",
         "Exact circuit Hessians at fixed F (fidelity, γ = 0.5; Hessian/2 = B′ − T′ with B′_kl = Re⟨v_k|(H − F)|v_l⟩ "
         "and the ordered second-derivative term T′_kl = Re⟨v_k|G_l b⟩, k < l, symmetrised; docs/theory.md §20.1). "
         "Mean smallest eigenvalue ± s.e. of: the circuit's Hessian; T′ replaced by an independent symmetric Gaussian "
         "matrix of the same entry variance (the normalised-state model's B + ρZ′); T′ taken from another draw; "
         "T′ dropped.", "",
         "| n | p | F | var T′ (ρ²/D) | cov(B′, T′) | circuit | independent Gaussian | T′ of another draw | without T′ |",
         "|---|---|---|---|---|---|---|---|---|"]
    for r in res["hessian_parts"]:
        L.append(f"| {r['n']} | {r['p']} | {r['f']} | {r['var_T']:.2e} ({r['rho2_over_D']:.2e}) | {r['cov_B_T']:+.1e} | "
                 f"{r['circuit']:.4f} ± {r['circuit_se']:.4f} | {r['independent']:.4f} ± {r['independent_se']:.4f} | "
                 f"{r['shuffled']:.4f} ± {r['shuffled_se']:.4f} | {r['without']:.4f} ± {r['without_se']:.4f} |")
    L += ["", "The entries of T′ have the variance ρ²/D that the normalised-state model gives its Gaussian term and "
          "are uncorrelated with those of B′, but the circuit's T′ lowers the smallest eigenvalue far less than an "
          "independent matrix (or its own entries from another draw) does, and the gap does not shrink from n = 6 to "
          "n = 8 at fixed γ: it is a leading-order difference between circuits and the normalised-state model, not a "
          "finite-size effect.", "",
          "## 2. Count-weighted law against the exact circuit model", "",
          "| n | p | γ | H | circuit edge median ± s.e. [q10, q90] | circuit model median ± s.e. | log ratio | s |",
          "|---|---|---|---|---|---|---|---|"]
    by_g = {}
    for r in res["rows"]:
        if r["source"] != "circuits_vs_theory":
            continue
        if "count_t" not in r:
            L.append(f"| {r['n']} | {r['p']} | {r['gamma']} | {r['hamiltonian']} | no law: {r.get('no_law')} | "
                     f"{r['circuit_t']:.3f} ± {r['circuit_se_t']:.3f} | – | {r['seconds']:.0f} |")
            continue
        lr = _lr(r["count_t"], r["circuit_t"])
        by_g.setdefault(r["gamma"], []).append(lr)
        L.append(f"| {r['n']} | {r['p']} | {r['gamma']} | {r['hamiltonian']} | {r['count_t']:.3f} ± "
                 f"{r['count_se_t']:.3f} [{r['count_q10']:.3f}, {r['count_q90']:.3f}] | {r['circuit_t']:.3f} ± "
                 f"{r['circuit_se_t']:.3f} | {lr:+.2f} | {r['seconds']:.0f} |")
    L += ["", "Mean log(circuit edge / circuit model) by γ: " +
          ", ".join(f"γ = {g}: {np.mean(v):+.3f} (mean |log| {np.mean(np.abs(v)):.3f}, {len(v)} rows)"
                    for g, v in sorted(by_g.items())) + ".", "",
          "## 3. Optimiser-found law against simulated circuits", "",
          "| source | n | p | γ | H | predicted median [q10, q90] | empirical median | log ratio | inside | x2 |",
          "|---|---|---|---|---|---|---|---|---|---|"]
    per_src = {}
    for r in res["rows"]:
        if "opt_t" not in r:
            L.append(f"| {r['source']} | {r['n']} | {r['p']} | {r['gamma']} | {r['hamiltonian']} | no law | "
                     f"{r['emp_t']:.3f} | – | – | – |")
            continue
        lr = _lr(r["opt_t"], r["emp_t"])
        inside = r["opt_q10"] <= r["emp_t"] <= r["opt_q90"]
        per_src.setdefault(r["source"], []).append((lr, inside, abs(lr) <= math.log(2)))
        L.append(f"| {r['source']} | {r['n']} | {r['p']} | {r['gamma']} | {r['hamiltonian']} | {r['opt_t']:.3f} "
                 f"[{r['opt_q10']:.3f}, {r['opt_q90']:.3f}] | {r['emp_t']:.3f} | {lr:+.2f} | "
                 f"{'yes' if inside else 'no'} | {'yes' if abs(lr) <= math.log(2) else 'no'} |")
    L += [""]
    for src, v in per_src.items():
        a = np.array([x[0] for x in v])
        L.append(f"- {src}: {len(v)} rows, mean |log ratio| {np.mean(np.abs(a)):.3f}, inside [q10, q90] "
                 f"{sum(x[1] for x in v)}, within a factor 2 {sum(x[2] for x in v)}.")
    L += ["", "## Reading", "",
          "- Part 1 is why the edge law (§19) sits below circuits at γ ≥ 0.5: its Hessian model is the normalised-state "
          "model's, whose Gaussian second-derivative term pushes the smallest eigenvalue down much further than the "
          "circuit's ordered term does.",
          "- The circuit edge law keeps the exact p_F and gradient density and reads the Hessian factor off exact "
          "circuit Hessians at fixed F; its cost grows like d p² + p³ per Hessian, so it answers within 60 s up to "
          "n = 8 on this host. Beyond, `predict` falls back to the edge law, whose error near the transition is the "
          "one measured in docs/studies/edge_law.md.", ""]
    return "\n".join(L)


STUDY = Study("circuit_edge", doc="circuit_edge.md", summary=OUT, run=_run, render=render, description=__doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
