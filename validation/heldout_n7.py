"""Held-out test of predict's default at n = 7 (declared in docs/studies/heldout_n7.md).

The rows, statistics and pass rule are those of validation/heldout_predict.py (issue 18's and issue 19's "must
show"), at n = 7, gamma = 0.125, 0.25, 0.5, with its own simulation seed.

python -m validation.heldout_n7 [--workers 1] [--render-only] [--out DIR]
"""
from __future__ import annotations

import os
import sys

from validation.common import STUDIES_DOCS, Study
from validation.heldout_predict import page_with_declaration, run_rows

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "results", "heldout_n7.json")
PARTIAL = OUT + ".partial"
DOC = os.path.join(STUDIES_DOCS, "heldout_n7.md")
ROWS = [(7, g, h) for g in (0.125, 0.25, 0.5) for h in ("fidelity", "projector:4", "randspec:7")]
SIM = dict(starts=2, instances=16, seed=7707)


def _run(a) -> dict:
    return run_rows(ROWS, SIM, PARTIAL, a.workers)


def page(res: dict) -> str:
    return page_with_declaration(DOC, res)


STUDY = Study("heldout_n7", doc="heldout_n7.md", summary=OUT, run=_run, render=page,
              after_write=lambda: os.remove(PARTIAL), description=__doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
