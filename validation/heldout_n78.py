"""Second held-out test of predict's default at n = 7 and n = 8 (declared in docs/studies/heldout_n78.md before it
ran), after the edge terms of the circuit edge law (docs/theory.md §20.3).

The statistics and pass rule are those of validation/heldout_predict.py (issue 19's "must show"): at n = 7 and at
n = 8 three new spectra each (a degenerate projector, a general diagonal spectrum, a Pauli Hamiltonian), gamma =
0.125, 0.25, 0.5, each against its own simulation (seed SIM["seed"]); n = 8 with the fidelity against the paper-figure
runs (validation/results/paper-fig1/paper-fig1.csv, 52 instances x 1 start).

python -m validation.heldout_n78 [--workers 2] [--render-only] [--out DIR]     (about an hour on 2 cores)
"""
from __future__ import annotations

import sys

from validation.heldout_predict import heldout_study, sim_and_fig1_rows

GAMMAS = (0.125, 0.25, 0.5)
ROWS = ([(7, g, h) for g in GAMMAS for h in ("projector:5", "randspec:83", "tfim:0.35")]
        + [(8, g, h) for g in GAMMAS for h in ("projector:11", "randspec:97", "heisenberg")])
FIG1_ROWS = [(8, g, "fidelity") for g in GAMMAS]
SIM = dict(starts=2, instances=12, seed=7878, batch=2)


#: the simulated rows first, then the paper-figure rows
TODO, _ROW = sim_and_fig1_rows(ROWS, FIG1_ROWS, SIM)

STUDY = heldout_study("heldout_n78", TODO, SIM, __doc__, row=_ROW)

if __name__ == "__main__":
    sys.exit(STUDY.main())
