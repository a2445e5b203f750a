"""Third held-out test of predict's default at n = 7 and n = 8 (declared in docs/studies/heldout_n78_ml.md before it
ran): spectra with more than two levels at gamma <= 0.375, after auto started to answer them with the circuit edge
law (rmt_qgm.theory.registry.circuit_edge_region; docs/theory.md §20.2).

The statistics and pass rule are those of validation/heldout_predict.py (issue 19's "must show"): at n = 7 and at
n = 8 three new multi-level spectra each (a general diagonal spectrum, a transverse-field Ising ring, a Pauli sum),
gamma = 0.1875, 0.25, 0.375, each against its own simulation (seed SIM["seed"]).

python -m validation.heldout_n78_ml [--workers 2] [--render-only] [--out DIR]     (about an hour on 2 cores)
"""
from __future__ import annotations

import sys

from validation.heldout_predict import heldout_study, sim_and_fig1_rows

GAMMAS = (0.1875, 0.25, 0.375)
PAULI8 = "pauli:ZZIIIIII+IZZIIIII+IIZZIIII+IIIZZIII+IIIIZZII+IIIIIZZI+IIIIIIZZ+0.5*XIIIIIII+0.5*IIIIIIIX"
ROWS = ([(7, g, h) for g in GAMMAS for h in ("randspec:131", "tfim:0.6", "heisenberg")]
        + [(8, g, h) for g in GAMMAS for h in ("randspec:149", "tfim:1.2", PAULI8)])
SIM = dict(starts=2, instances=12, seed=9191, batch=2)

TODO, _ROW = sim_and_fig1_rows(ROWS, [], SIM)

STUDY = heldout_study("heldout_n78_ml", TODO, SIM, __doc__, row=_ROW)

if __name__ == "__main__":
    sys.exit(STUDY.main())
