"""The edge law with the state's spread integrated out instead of held at its Haar-typical value (post hoc).

For a spectrum with more than two levels the edge law (docs/theory.md §19, item 4 of §19.3) evaluates Kac–Rice at
the Haar-typical spread of the state over the eigenvectors, i.e. at rho^2 = rho2_typical(F). The exponential-order
theory of §14 instead maximises over rho^2, and at finite size the Kac–Rice integral runs over it:

  rho_0(F) ∝ ∫ exp{ -D J(F, rho^2) - (p/2) log rho^2 + p Phi(F, gamma rho^2) + log w(s) + log (C p)^(2/3) } d log rho^2,

every term as in §19.1 (J the rate of §14 at the given rho^2). This page computes the count-weighted median both
ways (the integral on 56 nodes in log(rho^2 / rho2_typical) from log 0.15 to log 1.4, and on 90 nodes in F up to
the Tracy–Widom window's end) and sets them beside the exact circuit model (`randspec:1`, n = 4-6, gamma <= 0.5,
docs/studies/circuits_vs_theory.md) and, for the multi-level rows of the n = 7-8 held-out test at gamma = 0.25
(docs/studies/heldout_n78.md), beside the optimiser-found log ratio the law had there.

Post hoc: run after the held-out test showed the edge law low for multi-level spectra at gamma = 0.25; no
constant is fitted. The question was whether integrating the spread out removes that spectrum dependence.

python -m validation.edge_spread [--render-only]     (about 10 min on 2 cores)
"""
from __future__ import annotations

import json
import math
import os
import sys
import time

import numpy as np

from validation.common import CVT_JSON, Study

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "results", "edge_spread.json")
HELDOUT = os.path.join(HERE, "results", "heldout_n78.json")
LOG_Q = (math.log(0.15), math.log(1.4), 56)
F_NODES = 90


def spread_medians(n: int, p: int, ham: str) -> dict:
    """Count-weighted medians (in t) of the edge law at the typical spread and with the spread integrated out."""
    from rmt_qgm.problem import parse_problem
    from rmt_qgm.theory.asymptotics import minima_complexity as mc
    from rmt_qgm.theory.asymptotics import spherical as sa
    from rmt_qgm.theory.models import edge as ed
    from rmt_qgm.theory.registry import ASYMPTOTIC_MAX_LEVELS
    t0 = time.perf_counter()
    prob = parse_problem(n, p, ham)
    law = prob.law.coarse(ASYMPTOTIC_MAX_LEVELS)
    E = np.asarray(law.levels, float)
    cnt = np.asarray(law.counts, float)
    nu = cnt / cnt.sum()
    d, g = 2 ** n, p / 2 ** (n + 1)

    def logw(f, r2):
        J, _ = mc.profile_rate(E, nu, f, r2)
        if not np.isfinite(J):
            return -np.inf
        return -2 * d * J - 0.5 * p * np.log(r2) + ed.hessian_factor(E, nu, cnt, p, g, f, r2)[0]

    res = ed.edge_law(E, cnt, n, p)
    if res.window_limited:
        return {"window_limited": True}
    F = np.linspace(res.F[0], min(res.F[-1] + 1.5 * (res.F[-1] - res.F[0]), res.window_F), F_NODES)
    lq = np.linspace(*LOG_Q)
    typ, marg, at_edge = [], [], 0
    for f in F:
        r2t = sa.rho2_typical_float(E, nu, f)
        vals = np.array([logw(f, r2t * math.exp(x)) for x in lq])
        typ.append(logw(f, r2t))
        ok = np.isfinite(vals)
        if not ok.any():                   # no admissible spread on the grid at this F (rho^2 range too narrow)
            marg.append(-np.inf)
            continue
        m = vals[ok].max()
        k = int(np.argmax(np.where(ok, vals, -np.inf)))
        at_edge += int(k == 0 or k == lq.size - 1)
        marg.append(m + math.log(np.trapezoid(np.where(ok, np.exp(vals - m), 0.0), lq)))
    typ, marg = np.array(typ), np.array(marg)
    keep = marg > marg.max() - 40          # the integrated law's support, for the share of boundary maxima
    to_t = prob.units.to_t
    return {"window_limited": False, "levels": int(E.size),
            "typical_t": float(to_t(ed._median(F, typ))), "integrated_t": float(to_t(ed._median(F, marg))),
            "boundary_maxima": at_edge, "F_nodes": F_NODES, "support_nodes": int(keep.sum()),
            "seconds": time.perf_counter() - t0}


def _one(task):
    from threadpoolctl import threadpool_limits
    row = dict(task)
    with threadpool_limits(1):
        row.update(spread_medians(task["n"], task["p"], task["hamiltonian"]))
    return row


def _run(a) -> dict:
    from concurrent.futures import ProcessPoolExecutor

    from rmt_qgm import __version__
    t0 = time.perf_counter()
    tasks = []
    with open(CVT_JSON, encoding="utf-8") as fh:
        for r in json.load(fh)["rows"]:
            if r["hamiltonian"] == "randspec:1" and r["gamma"] <= 0.5:
                E0, Eb = r["E0"], r["Ebar"]
                c = r["circuit"]
                tasks.append({"source": "circuits_vs_theory", "n": r["n"], "p": r["p"], "gamma": r["gamma"],
                              "hamiltonian": r["hamiltonian"], "circuit_t": (c["median"] - E0) / (Eb - E0),
                              "circuit_se_t": c["median_se"] / (Eb - E0)})
    with open(HELDOUT, encoding="utf-8") as fh:
        for r in json.load(fh)["rows"]:
            if r["gamma"] == 0.25 and r["model"] == "edge" and not r["hamiltonian"].startswith(("projector", "fidelity")):
                tasks.append({"source": "heldout_n78", "n": r["n"], "p": r["p"], "gamma": r["gamma"],
                              "hamiltonian": r["hamiltonian"], "opt_log_ratio": math.log(r["t_pred"] / r["t_emp"])})
    with ProcessPoolExecutor(max(1, a.workers)) as pool:
        rows = list(pool.map(_one, tasks))
    for r in rows:
        print(json.dumps(r), flush=True)
    return {"version": __version__, "date": time.strftime("%Y-%m-%d"), "seconds": time.perf_counter() - t0,
            "log_q": list(LOG_Q), "rows": rows}


def render(res: dict) -> str:
    L = ["# The edge law with the state's spread integrated out", "",
         f"Generated by `python -m validation.edge_spread` on {res['date']} ({res['seconds']:.0f} s, rmt_qgm "
         f"{res['version']}). **Post hoc** (module docstring): the edge law (docs/theory.md §19) for spectra with "
         "more than two levels holds the state's spread at its Haar-typical value (§19.3 item 4); here the "
         "Kac–Rice integral over rho^2 is done instead, every other term unchanged. Medians in t = (F - E0)/(Ebar - E0), "
         "count-weighted.", "",
         "## Against the exact circuit model (`randspec:1`)", "",
         "| n | p | γ | typical spread | spread integrated | circuit model ± s.e. | log ratio, typical | log ratio, integrated |",
         "|---|---|---|---|---|---|---|---|"]
    lr = []
    for r in res["rows"]:
        if r["source"] != "circuits_vs_theory":
            continue
        if r.get("window_limited"):
            L.append(f"| {r['n']} | {r['p']} | {r['gamma']:g} | window-limited | – | {r['circuit_t']:.3f} | – | – |")
            continue
        a, b = math.log(r["typical_t"] / r["circuit_t"]), math.log(r["integrated_t"] / r["circuit_t"])
        lr.append((a, b))
        L.append(f"| {r['n']} | {r['p']} | {r['gamma']:g} | {r['typical_t']:.3f} | {r['integrated_t']:.3f} | "
                 f"{r['circuit_t']:.3f} ± {r['circuit_se_t']:.3f} | {a:+.2f} | {b:+.2f} |")
    if lr:
        L += ["", f"Mean |log ratio|: typical spread {np.mean([abs(a) for a, _ in lr]):.2f}, spread integrated "
                  f"{np.mean([abs(b) for _, b in lr]):.2f} ({len(lr)} rows)."]
    L += ["", "## The n = 7-8 held-out rows at γ = 0.25 (multi-level spectra)", "",
          "The shift is log(integrated / typical) of the count-weighted median; the optimiser-found law moves by about "
          "as much (its (G3) tilt does not depend on the spread).", "",
          "| n | p | H | typical spread | spread integrated | shift | optimiser log ratio in the test | after the shift |",
          "|---|---|---|---|---|---|---|---|"]
    for r in res["rows"]:
        if r["source"] != "heldout_n78" or r.get("window_limited"):
            continue
        s = math.log(r["integrated_t"] / r["typical_t"])
        L.append(f"| {r['n']} | {r['p']} | {r['hamiltonian']} | {r['typical_t']:.3f} | {r['integrated_t']:.3f} | "
                 f"{s:+.2f} | {r['opt_log_ratio']:+.2f} | {r['opt_log_ratio'] + s:+.2f} |")
    nb = sum(r.get("boundary_maxima", 0) for r in res["rows"])
    L += ["", f"Maxima over rho^2 on the end of its grid: {nb} of {sum(r.get('F_nodes', 0) for r in res['rows'])} "
              "F nodes (at those the integral is cut, so the shift is if anything larger than shown).", "",
          "## Reading", "",
          "Integrating the spread out moves every multi-level law up, as §19.3 item 4 says it would, but by far too "
          "much against the exact circuit model at n = 4-6 (by up to +1.4 in log, where the typical spread is within "
          "0.16), and by too much at n = 7 in the held-out rows. A likely reason, not measured "
          "here: the normalised-state Hessian's noise term ρZ′ lowers the smallest eigenvalue more than the "
          "circuit's own second-derivative term does (§20.1), so in the model positivity gains too much from a "
          "smaller ρ². The typical spread, which leaves that gain out, is the better approximation for circuits; "
          "the edge law keeps it, and this page is the measurement behind that choice. The spectrum dependence of "
          "the edge law's error at γ = 0.25 (multi-level rows 0.05-0.1 lower than two-level rows at n = 7-8) stays "
          "open.", ""]
    return "\n".join(L)


STUDY = Study("edge_spread", doc="edge_spread.md", summary=OUT, run=_run, render=render, description=__doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
