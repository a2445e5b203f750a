"""Second held-out test of predict's default at n = 5 and 6 (declared in docs/studies/heldout_n56.md before it ran).

The statistics and pass rule are those of validation/heldout_predict.py (issue 18's "must show"), at new spectra
and a new simulation seed, after the circuit edge law joined `auto` (docs/theory.md §20).

python -m validation.heldout_n56 [--workers 2] [--render-only] [--out DIR]     (about 20 min on 2 cores)
"""
from __future__ import annotations

import os
import sys

from validation.common import STUDIES_DOCS, Study
from validation.heldout_predict import page_with_declaration, run_rows

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "results", "heldout_n56.json")
PARTIAL = OUT + ".partial"
DOC = os.path.join(STUDIES_DOCS, "heldout_n56.md")
ROWS = [(n, g, h) for n, hams in ((5, ("fidelity", "projector:6", "randspec:31")),
                                   (6, ("fidelity", "projector:10", "randspec:31")))
        for g in (0.25, 0.5, 0.75) for h in hams]
SIM = dict(starts=4, instances=16, seed=5656, batch=4)


def _run(a) -> dict:
    return run_rows(ROWS, SIM, PARTIAL, a.workers)


def page(res: dict) -> str:
    return page_with_declaration(DOC, res)


STUDY = Study("heldout_n56", doc="heldout_n56.md", summary=OUT, run=_run, render=page,
              after_write=lambda: os.remove(PARTIAL), description=__doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
