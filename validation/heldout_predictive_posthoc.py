"""Post hoc (after docs/studies/heldout_predictive.md ran): how much the predictive averaging over alpha' widened the
optimiser law's band on six of that test's rows (its four misses and two rows inside), against the law at the point
estimate of alpha' (the result's details["at_alpha_point_estimate"]), in t units. The circuit edge law's draws are
budget-limited, so a rerun's median can differ from the test's by about 1-2 %. Prints a table (no page of its own;
the numbers are quoted on docs/studies/heldout_predictive.md).

python -m validation.heldout_predictive_posthoc [--render-only]     (about 3 minutes)
"""
from __future__ import annotations

import os
import sys

from validation.common import Study

ROWS = [(8, 128, "randspec:241"), (8, 256, "projector:10"), (8, 128, "fidelity"), (8, 256, "fidelity"),
        (8, 64, "randspec:241"), (7, 128, "projector:6")]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "heldout_predictive_posthoc.json")


def run(_args) -> dict:
    from rmt_qgm.hamiltonians import parse_hamiltonian
    from rmt_qgm.theory import predict
    from rmt_qgm.theory.distributions import AffineUnits
    rows = []
    for n, p, h in ROWS:
        r = predict(n, p, h).to_dict()
        o = r["optimiser_minima"]
        u = AffineUnits.for_hamiltonian(parse_hamiltonian(h, n))
        pe = o["details"]["at_alpha_point_estimate"]
        rows.append({"n": n, "p": p, "h": h, "model": r["model"],
                     "pred": [float(u.to_t(o[k])) for k in ("q10", "median", "q90")],
                     "point": [float(u.to_t(pe[k])) for k in ("q10", "median", "q90")],
                     "se_log": o["details"]["alpha_prime_se_log"]})
    return {"rows": rows}


def render(summary: dict) -> str:
    lines = ["| n | p | H | model | point-estimate [q10, median, q90] | predictive | width / median: point -> "
             "predictive |", "|---|---|---|---|---|---|---|"]
    for r in summary["rows"]:
        w0 = (r["point"][2] - r["point"][0]) / r["point"][1]
        w1 = (r["pred"][2] - r["pred"][0]) / r["pred"][1]
        fmt = ", ".join
        lines.append(f"| {r['n']} | {r['p']} | {r['h']} | {r['model']} | {fmt(f'{x:.3f}' for x in r['point'])} | "
                     f"{fmt(f'{x:.3f}' for x in r['pred'])} | {w0:.3f} -> {w1:.3f} |")
    return "\n".join(lines) + "\n"


STUDY = Study("heldout_predictive_posthoc", doc=None, summary=OUT, run=run, render=render, echo=True,
              description=__doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
