"""The circuit edge law with and without the edge terms of docs/theory.md §20.3 (post hoc).

The edge terms (the sampled mean log-determinant less its edge part c_p(s), and the pinned density of p + 1
eigenvalues) were derived from the GOE and checked there (tests/test_circuit_edge.py) before this comparison; no
constant of them is fitted. This page compares the law with them (``edge_correction=True``, the default) and without
(the law before 2026-12-07), paired (same seed, same draws per node, ``predict --model circuit-edge`` with
DRAWS draws per node as validation/circuit_edge.py), on

1. the count-weighted median against the exact circuit model (docs/studies/circuits_vs_theory.md), n = 5, 6,
   γ = 0.25, 0.5, 0.75;
2. the optimiser-found median ((G3)-tilted) against certified minima of simulated circuits: the same rows, and the
   rows of the n = 7-8 held-out test (docs/studies/heldout_n8.md) at γ = 0.5 and, at n = 8, γ = 0.25 (where auto
   uses the edge law, not this one).

Post hoc: the held-out rows' outcomes were known when the terms were derived (the terms were motivated by the
GOE identity, not by these rows).

python -m validation.edge_terms [--render-only]     (about 40 min on 2 cores)
"""
from __future__ import annotations

import functools
import json
import os
import sys

import numpy as np

from validation.circuit_edge import DRAWS, predict_row
from validation.common import CVT_JSON, Study
from validation.edge_law import _lr

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "results", "edge_terms.json")
HELDOUT_N8 = os.path.join(HERE, "results", "heldout_n8.json")
GAMMAS = (0.25, 0.5, 0.75)


def _rows() -> list[dict]:
    rows = []
    with open(CVT_JSON, encoding="utf-8") as fh:
        for r in json.load(fh)["rows"]:
            if r["n"] in (5, 6) and r["gamma"] in GAMMAS:
                E0, Eb, c = r["E0"], r["Ebar"], r["circuit"]
                rows.append(dict(src="circuits_vs_theory", n=r["n"], p=r["p"], gamma=r["gamma"], H=r["hamiltonian"],
                                 ref=(c["median"] - E0) / (Eb - E0), ref_se=c["median_se"] / (Eb - E0),
                                 emp=(r["empirical"]["median"] - E0) / (Eb - E0)))
    with open(HELDOUT_N8, encoding="utf-8") as fh:
        for r in json.load(fh)["rows"]:
            if r["gamma"] == 0.5 or (r["gamma"] == 0.25 and r["n"] == 8):
                rows.append(dict(src="heldout_n8", n=r["n"], p=r["p"], gamma=r["gamma"], H=r["hamiltonian"],
                                 emp=r["t_emp"]))
    return rows


def paired(row: dict) -> dict:
    """The row with the law without (``old``) and with (``new``) the edge terms, each as validation.circuit_edge's
    predict_row."""
    from rmt_qgm.theory.models import circuit_edge as ce
    orig = ce.circuit_edge_law
    res = {}
    try:
        for corr in (False, True):
            ce.circuit_edge_law = functools.partial(orig, edge_correction=corr)
            res[corr] = predict_row(row["n"], row["p"], row["H"])
    finally:
        ce.circuit_edge_law = orig
    out = dict(row, old=res[False], new=res[True])
    print(json.dumps(out), flush=True)
    return out


def _run(a) -> dict:
    import subprocess
    import time
    from rmt_qgm import __version__
    rows = [paired(r) for r in _rows()]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout
    return {"version": __version__, "commit": commit.strip(), "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "draws_per_node": DRAWS, "rows": rows}


def _fmt(v, k):
    x = v.get(k)
    return "–" if x is None or not np.isfinite(x) else f"{x:.4f}"


def render(res: dict) -> str:
    L = ["# The circuit edge law with and without the edge terms of §20.3", "",
         "Post hoc, paired comparison (same seed and draws per node; `python -m validation.edge_terms`; run "
         f"{res.get('time', '?')}, rmt_qgm {res.get('version', '?')}, commit {res.get('commit', '?')}, "
         f"{res.get('draws_per_node', '?')} draws per node). Old: the law before 2026-12-07 (exp{{m}} w(s) σ); new: "
         "with the edge part of the sampled log-determinant removed and the pinned density of p + 1 eigenvalues "
         "(docs/theory.md §20.3). The terms come from the GOE identity and were checked on the GOE first; nothing was "
         "fitted to these rows.", "",
         "## 1. Count-weighted median against the exact circuit model", "",
         "| n | p | γ | H | circuit model | old | new | log(old/ref) | log(new/ref) |", "|---|---|---|---|---|---|---|---|---|"]
    agg = {}
    for r in res["rows"]:
        if r["src"] != "circuits_vs_theory":
            continue
        o, nw = r["old"].get("count_t"), r["new"].get("count_t")
        if o is None or nw is None:
            L.append(f"| {r['n']} | {r['p']} | {r['gamma']} | {r['H']} | {r['ref']:.4f} | no law (window-limited) | "
                     "no law | – | – |")
            continue
        a, b = _lr(o, r["ref"]), _lr(nw, r["ref"])
        agg.setdefault(r["gamma"], []).append((a, b))
        L.append(f"| {r['n']} | {r['p']} | {r['gamma']} | {r['H']} | {r['ref']:.4f} ± {r['ref_se']:.4f} | {o:.4f} | "
                 f"{nw:.4f} | {a:+.3f} | {b:+.3f} |")
    L += ["", "Mean log ratio to the circuit model (mean |log|), old → new: " + "; ".join(
        f"γ = {g}: {np.mean([x[0] for x in v]):+.3f} ({np.mean([abs(x[0]) for x in v]):.3f}) → "
        f"{np.mean([x[1] for x in v]):+.3f} ({np.mean([abs(x[1]) for x in v]):.3f}), {len(v)} rows"
        for g, v in sorted(agg.items())) + ".", "",
          "## 2. Optimiser-found median against certified minima of simulated circuits", "",
          "| source | n | p | γ | H | empirical | old [q10, q90] | new [q10, q90] | log(old/emp) | log(new/emp) | "
          "new inside |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    per = {}
    for r in res["rows"]:
        o, nw = r["old"], r["new"]
        if "opt_t" not in o or "opt_t" not in nw:
            L.append(f"| {r['src']} | {r['n']} | {r['p']} | {r['gamma']} | {r['H']} | {r['emp']:.4f} | no law | "
                     "no law | – | – | – |")
            continue
        a, b = _lr(o["opt_t"], r["emp"]), _lr(nw["opt_t"], r["emp"])
        inside = nw["opt_q10"] <= r["emp"] <= nw["opt_q90"]
        inside_old = o["opt_q10"] <= r["emp"] <= o["opt_q90"]
        per.setdefault((r["src"], r["gamma"]), []).append((a, b, inside_old, inside))
        L.append(f"| {r['src']} | {r['n']} | {r['p']} | {r['gamma']} | {r['H']} | {r['emp']:.4f} | "
                 f"{o['opt_t']:.4f} [{o['opt_q10']:.4f}, {o['opt_q90']:.4f}] | {nw['opt_t']:.4f} "
                 f"[{nw['opt_q10']:.4f}, {nw['opt_q90']:.4f}] | {a:+.3f} | {b:+.3f} | {'yes' if inside else 'no'} |")
    L += [""]
    for (src, g), v in sorted(per.items()):
        L.append(f"- {src}, γ = {g}: {len(v)} rows, mean |log ratio| {np.mean([abs(x[0]) for x in v]):.3f} → "
                 f"{np.mean([abs(x[1]) for x in v]):.3f}, mean log ratio {np.mean([x[0] for x in v]):+.3f} → "
                 f"{np.mean([x[1] for x in v]):+.3f}, inside [q10, q90] {sum(x[2] for x in v)} → {sum(x[3] for x in v)}.")
    L += ["", "## Reading", "",
          "- Against simulated circuits at n = 5-6 the terms move the optimiser-found law down by 5-12 % and remove "
          "most of its upward offset at γ = 0.5 and 0.75 (the rows where auto uses this law when the circuit model "
          "is over budget). Against the exact circuit model they fix γ = 0.5 but overshoot at γ = 0.75 (count law "
          "now about 10 % low there); the circuit model's own medians carry 5-20 % standard errors at γ = 0.75.",
          "- At n = 7-8 the law's mass lies deep in the Tracy-Widom left tail (s ≈ -3.5 … -6.5, fewer than 1 % of the "
          "sampled Hessians positive definite), where c(s) is nearly flat, so the terms move it by only 1-2 %: the "
          "+0.06 to +0.14 offsets of the two-level spectra at γ = 0.5 remain and are not explained by these terms.",
          "- γ = 0.25: the law stays window-limited for the fidelity and too high for `projector:2` at n = 6; auto "
          "keeps the edge law there.", ""]
    return "\n".join(L)


STUDY = Study("edge_terms", doc="edge_terms.md", summary=OUT, run=_run, render=render, description=__doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
