"""Fourth held-out test of predict's default at n = 7 and n = 8 (declared in docs/studies/heldout_predictive.md before
it ran), after the optimiser-found law became predictive: averaged over the fitted basin exponent's uncertainty
(rmt_qgm.theory.laws.optimiser.predictive_weighted).

The statistics and pass rule are those of validation/heldout_predict.py (issue 19's "must show"): at n = 7 three
spectra (the fidelity, a degenerate projector, a general diagonal spectrum) and at n = 8 two new spectra, gamma =
0.125, 0.25, 0.5, each against its own simulation (seed SIM["seed"]); n = 8 with the fidelity against the
paper-figure runs (validation/results/paper-fig1/paper-fig1.csv, 52 instances x 1 start).

python -m validation.heldout_predictive [--workers 2] [--render-only] [--out DIR]     (about an hour on 2 cores)
"""
from __future__ import annotations

import sys

from validation.heldout_predict import heldout_study, sim_and_fig1_rows

GAMMAS = (0.125, 0.25, 0.5)
ROWS = ([(7, g, h) for g in GAMMAS for h in ("fidelity", "projector:6", "randspec:227")]
        + [(8, g, h) for g in GAMMAS for h in ("projector:10", "randspec:241")])
FIG1_ROWS = [(8, g, "fidelity") for g in GAMMAS]
SIM = dict(starts=2, instances=12, seed=12812, batch=2)

#: the simulated rows first, then the paper-figure rows
TODO, _ROW = sim_and_fig1_rows(ROWS, FIG1_ROWS, SIM)

STUDY = heldout_study("heldout_predictive", TODO, SIM, __doc__, row=_ROW)

if __name__ == "__main__":
    sys.exit(STUDY.main())
