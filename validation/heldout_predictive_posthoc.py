"""Post hoc (after docs/studies/heldout_predictive.md ran): how much the predictive averaging over alpha' widened the
optimiser law's band on six of that test's rows (its four misses and two rows inside), against the law at the point
estimate of alpha' (the result's details["at_alpha_point_estimate"]), in t units. The circuit edge law's draws are
budget-limited, so a rerun's median can differ from the test's by about 1-2 %.

python -m validation.heldout_predictive_posthoc     (about 3 minutes; writes validation/results/heldout_predictive_posthoc.json)
"""
from __future__ import annotations

import json
import os
import sys

ROWS = [(8, 128, "randspec:241"), (8, 256, "projector:10"), (8, 128, "fidelity"), (8, 256, "fidelity"),
        (8, 64, "randspec:241"), (7, 128, "projector:6")]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "heldout_predictive_posthoc.json")


def main() -> int:
    from rmt_qgm.hamiltonians import parse_hamiltonian
    from rmt_qgm.store import atomic_write_json
    from rmt_qgm.theory import predict
    from rmt_qgm.theory.distributions import AffineUnits
    out = []
    for n, p, h in ROWS:
        r = predict(n, p, h).to_dict()
        o = r["optimiser_minima"]
        u = AffineUnits.for_hamiltonian(parse_hamiltonian(h, n))
        pe = o["details"]["at_alpha_point_estimate"]
        row = {"n": n, "p": p, "h": h, "model": r["model"],
               "pred": [float(u.to_t(o[k])) for k in ("q10", "median", "q90")],
               "point": [float(u.to_t(pe[k])) for k in ("q10", "median", "q90")],
               "se_log": o["details"]["alpha_prime_se_log"]}
        print(json.dumps(row), flush=True)
        out.append(row)
    atomic_write_json(OUT, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
