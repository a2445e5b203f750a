"""Held-out test of predict's default at n = 7 and n = 8 (declared in docs/studies/heldout_n8.md before it ran).

The statistics and pass rule are those of validation/heldout_predict.py (issue 19's "must show"): at n = 7 three
spectra and at n = 8 two new spectra, gamma = 0.125, 0.25, 0.5, each against its own simulation (seed SIM["seed"]);
n = 8 with the fidelity against the paper-figure runs (validation/results/paper-fig1/paper-fig1.csv, 52 instances x
1 start), which predict has not seen.

python -m validation.heldout_n8 [--workers 2] [--render-only] [--out DIR]     (about an hour on 2 cores)
"""
from __future__ import annotations

import csv
import json
import os
import sys
import time

from validation.common import STUDIES_DOCS, Study
from validation.heldout_predict import page_with_declaration, run_row, verdicts

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "results", "heldout_n8.json")
PARTIAL = OUT + ".partial"
DOC = os.path.join(STUDIES_DOCS, "heldout_n8.md")
FIG1_CSV = os.path.join(HERE, "results", "paper-fig1", "paper-fig1.csv")
GAMMAS = (0.125, 0.25, 0.5)
ROWS = ([(7, g, h) for g in GAMMAS for h in ("fidelity", "projector:12", "randspec:23")]
        + [(8, g, h) for g in GAMMAS for h in ("projector:20", "randspec:29")])
FIG1_ROWS = [(8, g, "fidelity") for g in GAMMAS]
SIM = dict(starts=2, instances=12, seed=8808, batch=2)


def fig1_row(n: int, gamma: float, ham: str) -> dict:
    """A row whose empirical median is the paper-figure run's (no new simulation)."""
    from rmt_qgm.hamiltonians import parse_hamiltonian
    from rmt_qgm.theory.predict import predict
    p = int(round(gamma * 2 ** (n + 1)))
    with open(FIG1_CSV, encoding="utf-8") as fh:
        emp = next(r for r in csv.DictReader(fh) if int(r["n_qubits"]) == n and float(r["gamma"]) == gamma)
    t0 = time.perf_counter()
    pred = predict(n, p, ham).to_dict()
    sec = time.perf_counter() - t0
    H = parse_hamiltonian(ham, n)
    t = lambda F: (F - H.ground_energy) / (H.mean_energy - H.ground_energy)          # noqa: E731
    o = pred["optimiser_minima"]
    row = {"n": n, "p": p, "gamma": gamma, "hamiltonian": ham, "model": pred["model"],
           "model_reason": pred["model_reason"], "seconds": sec, "params_c": pred["transition"]["params_c"],
           "certified_minima": int(emp["minima"]), "t_emp": float(emp["median_t"]), "source": "paper-fig1"}
    if o.get("available", True):
        row.update(t_pred=float(t(o["median"])), t_q10=float(t(o["q10"])), t_q90=float(t(o["q90"])),
                   reliable=o["reliable"], reason=o.get("reason"), provenance=o["provenance"]["kind"])
    return row


def _run(a) -> dict:
    import subprocess

    from rmt_qgm import __version__
    from rmt_qgm.store import atomic_write_json
    t0 = time.perf_counter()
    done = {}
    if os.path.exists(PARTIAL):
        with open(PARTIAL, encoding="utf-8") as fh:
            done = json.load(fh)
    todo = [("sim", r) for r in ROWS] + [("fig1", r) for r in FIG1_ROWS]
    for kind, (n, g, h) in todo:
        key = f"{kind}|{n}|{g}|{h}"
        if key in done:
            continue
        done[key] = fig1_row(n, g, h) if kind == "fig1" else run_row(n, g, h, a.workers, SIM)
        atomic_write_json(PARTIAL, done)
        print(json.dumps(done[key]), flush=True)
    rows = [done[f"{kind}|{n}|{g}|{h}"] for kind, (n, g, h) in todo]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=HERE).stdout.strip()
    return {"version": __version__, "commit": commit, "date": time.strftime("%Y-%m-%d"),
            "seconds": time.perf_counter() - t0, "simulation": SIM, "rows": rows, "verdict": verdicts(rows)}


def page(res: dict) -> str:
    return page_with_declaration(DOC, res)


STUDY = Study("heldout_n8", doc="heldout_n8.md", summary=OUT, run=_run, render=page,
              after_write=lambda: os.remove(PARTIAL), description=__doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
