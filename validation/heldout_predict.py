"""Held-out test of predict's default against simulated circuits (declared in docs/studies/heldout_predict.md).

python -m validation.heldout_predict [--workers 2] [--render-only] [--out DIR]
"""
from __future__ import annotations

import json
import math
import os
import sys
import time

import numpy as np

from validation.common import STUDIES_DOCS, Study

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "results", "heldout_predict.json")
#: the rows done so far (resumable; removed once the summary is written)
PARTIAL = OUT + ".partial"
DOC = os.path.join(STUDIES_DOCS, "heldout_predict.md")
ROWS = [(n, g, h) for n, hams in ((5, ("fidelity", "projector:4", "randspec:7")),
                                   (6, ("fidelity", "projector:8", "randspec:7")))
        for g in (0.25, 0.5, 0.75) for h in hams]
SIM = dict(starts=8, instances=32, seed=7207)
MARK = "## Results"


def run_row(n: int, gamma: float, ham: str, workers: int, sim: dict | None = None) -> dict:
    from rmt_qgm.hamiltonians import parse_hamiltonian
    from rmt_qgm.simulate import run_simulation
    from rmt_qgm.theory.predict import predict
    p = int(round(gamma * 2 ** (n + 1)))
    t0 = time.perf_counter()
    pred = predict(n, p, ham).to_dict()
    sec = time.perf_counter() - t0
    sim = run_simulation(n, p, hamiltonian=ham, workers=workers, **(sim or SIM))
    rec = sim.arrays()
    ok = rec["certified"].astype(bool) & (rec["index"] == 0)
    H = parse_hamiltonian(ham, n)
    E0, Eb = H.ground_energy, H.mean_energy
    t = lambda F: (np.asarray(F, float) - E0) / (Eb - E0)          # noqa: E731
    F = rec["F"][ok]
    o = pred["optimiser_minima"]
    row = {"n": n, "p": p, "gamma": gamma, "hamiltonian": ham, "model": pred["model"],
           "model_reason": pred["model_reason"], "seconds": sec, "params_c": pred["transition"]["params_c"],
           "certified_minima": int(ok.sum()), "t_emp": float(np.median(t(F)))}
    if o.get("available", True):
        row.update(t_pred=float(t(o["median"])), t_q10=float(t(o["q10"])), t_q90=float(t(o["q90"])),
                   reliable=o["reliable"], reason=o.get("reason"), provenance=o["provenance"]["kind"])
    return row


def verdicts(rows: list[dict]) -> dict:
    logs, out = [], []
    for r in rows:
        tp, te = r.get("t_pred"), r["t_emp"]
        ok_in = tp is not None and r["t_q10"] <= te <= r["t_q90"]
        lr = math.log(tp / te) if tp and tp > 0 and te > 0 else float("inf")
        logs.append(abs(lr))
        n, h = r["n"], r["hamiltonian"]
        d0 = int(h.split(":")[1]) if h.startswith("projector") else (1 if h == "fidelity" else None)
        pc_ok = d0 is None or r["params_c"] == 2 * (2 ** n - d0)
        out.append({**r, "inside": ok_in, "log_ratio": lr, "factor2": abs(lr) <= math.log(2),
                    "seconds_ok": r["seconds"] <= 60, "params_c_ok": pc_ok})
    mean_abs = float(np.mean(logs))
    passed = (all(v["inside"] and v["factor2"] and v["seconds_ok"] and v["params_c_ok"] for v in out)
              and mean_abs <= 0.15)
    return {"rows": out, "mean_abs_log_ratio": mean_abs, "passed": passed}


def render(res: dict) -> str:
    lines = [MARK, "", f"Run {res['date']} (rmt_qgm {res['version']}, commit {res.get('commit')}, {res['seconds']:.0f} s "
                       "on a 2-core host shared with other work, so the seconds column is inflated).",
             "", "| n | p | gamma | H | model | t_pred [q10, q90] | t_emp | log ratio | inside | x2 | s | reliable |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in res["verdict"]["rows"]:
        band = (f"{r['t_pred']:.3f} [{r['t_q10']:.3f}, {r['t_q90']:.3f}]" if r.get("t_pred") is not None else "–")
        lines.append(f"| {r['n']} | {r['p']} | {r['gamma']} | {r['hamiltonian']} | {r['model']} | {band} | "
                     f"{r['t_emp']:.3f} | {r['log_ratio']:+.2f} | {'yes' if r['inside'] else 'NO'} | "
                     f"{'yes' if r['factor2'] else 'NO'} | {r['seconds']:.0f} | {r.get('reliable')} |")
    v = res["verdict"]
    n_in = sum(r["inside"] for r in v["rows"])
    n_f2 = sum(r["factor2"] for r in v["rows"])
    lines += ["", f"Inside [q10, q90]: {n_in} of {len(v['rows'])}; within a factor 2: {n_f2} of {len(v['rows'])}; "
              f"mean |log ratio| {v['mean_abs_log_ratio']:.3f} (pass <= 0.15); params_c right in "
              f"{sum(r['params_c_ok'] for r in v['rows'])} of {len(v['rows'])}; every call <= 60 s: "
              f"{all(r['seconds_ok'] for r in v['rows'])}.", "",
              f"**Declared rule: {'PASSES' if v['passed'] else 'FAILS'}.**", ""]
    by = {}
    for r in v["rows"]:
        by.setdefault(r["model"], []).append(abs(r["log_ratio"]))
    for m, ls in by.items():
        lines.append(f"- rows answered by `{m}`: {len(ls)}, mean |log ratio| {np.mean(ls):.3f}")
    return "\n".join(lines) + "\n"


def run_rows(rows: list, sim: dict, partial: str, workers: int) -> dict:
    """Every row of ``rows`` (resumable: finished rows are kept in ``partial``) with simulation settings ``sim``,
    and the summary with its verdict; shared by the held-out studies."""
    from rmt_qgm import __version__
    from rmt_qgm.store import atomic_write_json
    t0 = time.perf_counter()
    done = {}
    if os.path.exists(partial):
        with open(partial, encoding="utf-8") as fh:
            done = {tuple(k.split("|")): v for k, v in json.load(fh).items()}
    for n, g, h in rows:
        key = (str(n), str(g), h)
        if key not in done:
            done[key] = run_row(n, g, h, workers, sim)
            atomic_write_json(partial, {"|".join(k): v for k, v in done.items()})
            print(json.dumps(done[key]), flush=True)
    out = [done[(str(n), str(g), h)] for n, g, h in rows]
    import subprocess
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=HERE).stdout.strip()
    return {"version": __version__, "commit": commit, "date": time.strftime("%Y-%m-%d"),
            "seconds": time.perf_counter() - t0,
            "simulation": sim, "rows": out, "verdict": verdicts(out)}


def page_with_declaration(doc: str, res: dict) -> str:
    """The page: its hand-written declaration (everything above MARK in the committed page ``doc``) and the
    results."""
    with open(doc, encoding="utf-8") as fh:
        head = fh.read().split(MARK)[0].rstrip() + "\n\n"
    return head + render(res)


def _run(a) -> dict:
    return run_rows(ROWS, SIM, PARTIAL, a.workers)


def page(res: dict) -> str:
    return page_with_declaration(DOC, res)


STUDY = Study("heldout_predict", doc="heldout_predict.md", summary=OUT, run=_run, render=page,
              after_write=lambda: os.remove(PARTIAL), description=__doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
