"""Second held-out test of predict's default at n = 5 and 6 (declared in docs/studies/heldout_n56.md before it ran).

The statistics and pass rule are those of validation/heldout_predict.py (issue 18's "must show"), at new spectra
and a new simulation seed, after the circuit edge law joined `auto` (docs/theory.md §20).

python -m validation.heldout_n56 [--workers 2] [--render-only] [--out DIR]     (about 20 min on 2 cores)
"""
from __future__ import annotations

import sys

from validation.heldout_predict import heldout_study

ROWS = [(n, g, h) for n, hams in ((5, ("fidelity", "projector:6", "randspec:31")),
                                   (6, ("fidelity", "projector:10", "randspec:31")))
        for g in (0.25, 0.5, 0.75) for h in hams]
SIM = dict(starts=4, instances=16, seed=5656, batch=4)


STUDY = heldout_study("heldout_n56", ROWS, SIM, __doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
