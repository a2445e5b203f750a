"""The finite-size edge law (docs/theory.md §19) against the exact circuit model and simulated circuits.

Post hoc: the law was derived with these numbers in view; it has no fitted constant. Two comparisons, in
t = (F - E0)/(Ebar - E0):

- count-weighted: the edge law's median against the exact circuit model's (the replicate mean ± s.e. of the
  table of docs/studies/circuits_vs_theory.md, two-level rows, n = 4-6);
- optimiser-found: the edge law tilted by (B1')/(G3) (what `predict --model edge` reports) against the median of
  certified minima of simulated circuits (the same table, and the paper-figure runs at n = 6 and 8,
  validation/results/paper-fig1/paper-fig1.csv, 52 instances x 1 start).

A third part separates the two error sources: at n = 6, p = 64 (gamma = 0.5) the Kac–Rice terms of the
normalised-state model itself, E[|det M| 1{M > 0}] for M = B + rho Z' at finite (D, p), are sampled directly
(SURR_DRAWS matrices per level, seed SURR_SEED) and set beside the edge law's approximation exp(p Phi) F_1(s).

python -m validation.edge_law [--render-only] [--out DIR]     (about 10 min on 2 cores)
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

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "results", "edge_law.json")
SPECTRA = ("fidelity", "projector:2", "randspec:1")


def edge_row(n: int, p: int, ham: str) -> dict:
    from rmt_qgm.theory.predict import predict
    t0 = time.perf_counter()
    r = predict(n, p, ham, model="edge", budget=600).to_dict()
    out = {"n": n, "p": p, "hamiltonian": ham, "seconds": time.perf_counter() - t0}
    m, o = r["minima"], r["optimiser_minima"]
    if not m.get("available", True):
        out["window_limited"] = True
        return out
    from rmt_qgm.problem import parse_problem
    law = parse_problem(n, p, ham).law
    t = lambda F: (F - law.E0) / (law.Ebar - law.E0)          # noqa: E731
    out.update(window_limited=False, count_t=t(m["median"]), count_q10=t(m["q10"]), count_q90=t(m["q90"]),
               edge_t=t(m["details"]["edge_level"]))
    if o.get("available", True):
        out.update(opt_t=t(o["median"]), opt_q10=t(o["q10"]), opt_q90=t(o["q90"]))
    return out


SURR = (6, 64)
SURR_LEVELS = tuple(round(0.04 + 0.01 * k, 2) for k in range(9))
SURR_DRAWS = 20000
SURR_SEED = 11


def surrogate_terms(n: int, p: int, levels, draws: int, seed: int) -> list[dict]:
    """log E[|det M| 1{M > 0}] and P(M > 0) for the normalised-state model's conditional Hessian at finite size
    (fidelity: A = diag(-f (2 real dims), 1 - f (D - 2)), M = X^T A X / D + rho Z', Z' GOE zero diagonal), against
    the edge law's p Phi(f) + log F_1(s(f)) (docs/theory.md §19.1)."""
    from rmt_qgm.seeding import generator
    from rmt_qgm.theory.asymptotics import tracy_widom as tw
    from rmt_qgm.theory.models.edge import hessian_factor
    d = 2 ** n
    D = 2 * d
    g = p / D
    rng = generator(seed, "edge_law_surrogate", n, p)
    out = []
    for f in levels:
        a = np.r_[np.full(2, -f), np.full(D - 2, 1 - f)]
        r2 = f * (1 - f)
        vals, pos = [], 0
        for _ in range(draws // 500):
            X = rng.standard_normal((500, D, p))
            B = np.einsum("bik,i,bil->bkl", X, a, X, optimize=True) / D
            Z = rng.standard_normal((500, p, p)) / np.sqrt(D)
            Z = (Z + np.transpose(Z, (0, 2, 1))) / np.sqrt(2)
            Z[:, np.arange(p), np.arange(p)] = 0.0
            ev = np.linalg.eigvalsh(B + np.sqrt(r2) * Z)
            ok = ev[:, 0] > 0
            pos += int(ok.sum())
            vals.append(np.sum(np.log(np.abs(ev[ok])), axis=1))
        v = np.concatenate(vals)
        mc = float(v.max() + np.log(np.sum(np.exp(v - v.max())) / draws)) if v.size else float("-inf")
        hess, s, _ = hessian_factor([0.0, 1.0], [1 / d, 1 - 1 / d], [1, d - 1], p, g, f, r2)
        out.append({"f": f, "positive": pos, "draws": draws, "log_det_pos_mc": mc,
                    "log_det_pos_edge": hess, "p_pos_mc": pos / draws,
                    "log_p_pos_tw": float(tw.log_cdf(s)), "s": float(s)})
        print(json.dumps(out[-1]), flush=True)
    return out


def _run(a) -> dict:
    from rmt_qgm import __version__
    t0 = time.perf_counter()
    with open(CVT_JSON, encoding="utf-8") as fh:
        cvt = json.load(fh)
    rows = []
    for r in cvt["rows"]:
        if r["hamiltonian"] not in SPECTRA:
            continue
        E0, Eb = r["E0"], r["Ebar"]
        t = lambda F: (F - E0) / (Eb - E0)                    # noqa: E731
        row = edge_row(r["n"], r["p"], r["hamiltonian"])
        c = r["circuit"]
        row.update(source="circuits_vs_theory", gamma=r["gamma"], circuit_t=t(c["median"]),
                   circuit_se_t=c["median_se"] / (Eb - E0), emp_t=t(r["empirical"]["median"]),
                   emp_ci_t=[t(x) for x in r["empirical"]["median_ci95"]])
        rows.append(row)
        print(json.dumps(row), flush=True)
    with open(FIG1_CSV, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            n, g = int(r["n_qubits"]), float(r["gamma"])
            if g >= 1:
                continue
            row = edge_row(n, int(round(g * 2 ** (n + 1))), "fidelity")
            row.update(source="paper-fig1", gamma=g, emp_t=float(r["median_t"]),
                       emp_q10_t=float(r["q10_t"]), emp_q90_t=float(r["q90_t"]))
            rows.append(row)
            print(json.dumps(row), flush=True)
    surr = surrogate_terms(*SURR, SURR_LEVELS, SURR_DRAWS, SURR_SEED)
    return {"version": __version__, "date": time.strftime("%Y-%m-%d"), "seconds": time.perf_counter() - t0,
            "rows": rows, "surrogate": {"n": SURR[0], "p": SURR[1], "draws": SURR_DRAWS, "seed": SURR_SEED,
                                        "levels": surr}}


def _lr(a, b):
    return math.log(a / b) if a and b and a > 0 and b > 0 else float("nan")


def render(res: dict) -> str:
    L = ["# The finite-size edge law against the circuit model and circuits", "",
         f"Generated by `python -m validation.edge_law` on {res['date']} ({res['seconds']:.0f} s, rmt_qgm "
         f"{res['version']}). Law: docs/theory.md §19 (`predict --model edge`). **Post hoc**: the law was derived "
         "with these numbers in view; it has no fitted constant. Values in t = (F - E0)/(Ebar - E0).", "",
         "## Count-weighted law against the exact circuit model", "",
         "| n | p | γ | H | edge level f_e | edge law median [q10, q90] | circuit model median ± s.e. | log ratio |",
         "|---|---|---|---|---|---|---|---|"]
    by_g = {}
    for r in res["rows"]:
        if r["source"] != "circuits_vs_theory":
            continue
        if r["window_limited"]:
            L.append(f"| {r['n']} | {r['p']} | {r['gamma']} | {r['hamiltonian']} | – | window-limited (§19.3) | "
                     f"{r['circuit_t']:.3f} ± {r['circuit_se_t']:.3f} | – |")
            continue
        lr = _lr(r["count_t"], r["circuit_t"])
        by_g.setdefault(r["gamma"], []).append(lr)
        L.append(f"| {r['n']} | {r['p']} | {r['gamma']} | {r['hamiltonian']} | {r['edge_t']:.4f} | "
                 f"{r['count_t']:.3f} [{r['count_q10']:.3f}, {r['count_q90']:.3f}] | {r['circuit_t']:.3f} ± "
                 f"{r['circuit_se_t']:.3f} | {lr:+.2f} |")
    L += ["", "Mean log(edge / circuit model) by γ (rows with a law): " +
          ", ".join(f"γ = {g}: {np.mean(v):+.2f} ({len(v)} rows)" for g, v in sorted(by_g.items())) + ".", "",
          "## Optimiser-found law (edge law tilted by (B1′)/(G3)) against simulated circuits", "",
          "| source | n | p | γ | H | predicted median [q10, q90] | empirical median | log ratio | inside |",
          "|---|---|---|---|---|---|---|---|---|"]
    logs = []
    for r in res["rows"]:
        if r["window_limited"] or "opt_t" not in r:
            L.append(f"| {r['source']} | {r['n']} | {r['p']} | {r['gamma']} | {r['hamiltonian']} | "
                     f"{'window-limited' if r['window_limited'] else 'no optimiser law'} | {r['emp_t']:.3f} | – | – |")
            continue
        lr = _lr(r["opt_t"], r["emp_t"])
        logs.append(lr)
        inside = r["opt_q10"] <= r["emp_t"] <= r["opt_q90"]
        L.append(f"| {r['source']} | {r['n']} | {r['p']} | {r['gamma']} | {r['hamiltonian']} | {r['opt_t']:.3f} "
                 f"[{r['opt_q10']:.3f}, {r['opt_q90']:.3f}] | {r['emp_t']:.3f} | {lr:+.2f} | "
                 f"{'yes' if inside else 'no'} |")
    small = [abs(x) for r, x in zip([r for r in res["rows"] if not r["window_limited"] and "opt_t" in r], logs)
             if r["gamma"] <= 0.375]
    L += ["", f"Rows with a law: {len(logs)}; mean |log ratio| {np.mean(np.abs(logs)):.3f}; at γ ≤ 0.375: "
          f"{np.mean(small):.3f} ({len(small)} rows).", "",
          ]
    if "surrogate" in res:
        sv = res["surrogate"]
        L += ["## Where the edge law's error comes from: its approximation of the normalised-state model", "",
              f"n = {sv['n']}, p = {sv['p']} (γ = {sv['p'] / 2 ** (sv['n'] + 1):g}), fidelity: the Kac–Rice Hessian "
              f"factor of the normalised-state model sampled at finite size ({sv['draws']} matrices per level, seed "
              f"{sv['seed']}) against the edge law's approximation. Standard error of a log-mean over k positive draws "
              "is roughly 1/sqrt(k) when their log-determinants are close. The approximation is p Φ + log w(s) + log (Cp)^(2/3) "
              "(docs/theory.md §19.1, the pinned-eigenvalue factor w = F_1′ e^((2/3) max(s,0)^(3/2))), up to an "
              "f-independent constant: a constant difference is what it predicts.", "",
              "| f | s = L (Cp)^(2/3) | P(M > 0) sampled (k / draws) | F_1(s) | log E[\\|det\\| 1{M > 0}] sampled | edge law "
              "p Φ + log w + log (Cp)^(2/3) | difference |", "|---|---|---|---|---|---|---|"]
        for r in sv["levels"]:
            mc = float(r["log_det_pos_mc"])             # -inf (stored as text) when no draw was positive definite
            dlt = mc - float(r["log_det_pos_edge"])
            L.append(f"| {r['f']:.2f} | {r['s']:.2f} | {r['p_pos_mc']:.4f} ({r['positive']}) | "
                     f"{math.exp(r['log_p_pos_tw']):.4f} | {mc:.2f} | {r['log_det_pos_edge']:.2f} | "
                     + (f"{dlt:+.2f} |" if math.isfinite(dlt) else "– (no positive-definite draw) |"))
        L += ["", "With the distribution function F_1(s) in place of w(s) (the law before 2026-12-07) the difference grew "
              "from +1.0 at s ≈ 0 to +2.9 at s ≈ −4.3; with the pinned-eigenvalue factor it drifts by about −0.5 over "
              "the same range (the O(1/p) shift of the edge that the pinned eigenvalue brings is not in the law, "
              "docs/theory.md §19.3 item 2).", ""]
    L += ["## Reading", "",
          "- Where the window does not limit it (p ≥ 32 here), the count-weighted edge law reproduces the exact circuit "
          "model at γ ≤ 0.5 and falls below it at γ = 0.75: the circuit's conditional Hessian is not the "
          "normalised-state model's (its ordered second-derivative term lowers the smallest eigenvalue far less than "
          "an independent Gaussian matrix does; docs/theory.md §20.1, docs/studies/circuit_edge.md), which the circuit "
          "edge law (§20) takes from sampled circuit Hessians instead.",
          "- At small p the Tracy–Widom edge expansion does not determine the law (window-limited rows); `predict` "
          "uses the exact circuit model there (it fits the budget).",
          "- The optimiser-found column combines the derived edge law with the fitted basin law (G3), calibrated on "
          "the circuit model at n = 4-7; its errors at γ ≥ 0.5 inherit the edge law's deficit.", ""]
    return "\n".join(L)


STUDY = Study("edge_law", doc="edge_law.md", summary=OUT, run=_run, render=render, description=__doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
