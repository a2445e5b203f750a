"""Held-out test of predict's default at n = 7 (declared in docs/studies/heldout_n7.md).

The rows, statistics and pass rule are those of validation/heldout_predict.py (issue 18's and issue 19's "must
show"), at n = 7, gamma = 0.125, 0.25, 0.5, with its own simulation seed.

python -m validation.heldout_n7 [--workers 1] [--render-only] [--out DIR]
"""
from __future__ import annotations

import sys

from validation.heldout_predict import heldout_study

ROWS = [(7, g, h) for g in (0.125, 0.25, 0.5) for h in ("fidelity", "projector:4", "randspec:7")]
SIM = dict(starts=2, instances=16, seed=7707)


STUDY = heldout_study("heldout_n7", ROWS, SIM, __doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
