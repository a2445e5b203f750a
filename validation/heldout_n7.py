"""Held-out test of predict's default at n = 7 (declared in docs/studies/heldout_n7.md).

The rows, statistics and pass rule are those of validation/heldout_predict.py (issue 18's and issue 19's "must
show"), at n = 7, gamma = 0.125, 0.25, 0.5, with its own simulation seed.

python -m validation.heldout_n7 [--workers 1] [--render-only] [--out DIR]
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from validation.common import STUDIES_DOCS, Study
from validation.heldout_predict import MARK, render, run_row, verdicts

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "results", "heldout_n7.json")
PARTIAL = OUT + ".partial"
DOC = os.path.join(STUDIES_DOCS, "heldout_n7.md")
ROWS = [(7, g, h) for g in (0.125, 0.25, 0.5) for h in ("fidelity", "projector:4", "randspec:7")]
SIM = dict(starts=2, instances=16, seed=7707)


def _run(a) -> dict:
    from rmt_qgm import __version__
    from rmt_qgm.store import atomic_write_json
    t0 = time.perf_counter()
    done = {}
    if os.path.exists(PARTIAL):
        with open(PARTIAL, encoding="utf-8") as fh:
            done = {tuple(k.split("|")): v for k, v in json.load(fh).items()}
    for n, g, h in ROWS:
        key = (str(n), str(g), h)
        if key not in done:
            done[key] = run_row(n, g, h, a.workers, SIM)
            atomic_write_json(PARTIAL, {"|".join(k): v for k, v in done.items()})
            print(json.dumps(done[key]), flush=True)
    rows = [done[(str(n), str(g), h)] for n, g, h in ROWS]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=HERE).stdout.strip()
    return {"version": __version__, "commit": commit, "date": time.strftime("%Y-%m-%d"),
            "seconds": time.perf_counter() - t0, "simulation": SIM, "rows": rows, "verdict": verdicts(rows)}


def page(res: dict) -> str:
    """The hand-written declaration (everything above MARK in the committed page) and the results."""
    with open(DOC, encoding="utf-8") as fh:
        head = fh.read().split(MARK)[0].rstrip() + "\n\n"
    return head + render(res)


STUDY = Study("heldout_n7", doc="heldout_n7.md", summary=OUT, run=_run, render=page,
              after_write=lambda: os.remove(PARTIAL), description=__doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
