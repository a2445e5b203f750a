"""Expected local minima of the exact circuit model against the Gaussian spherical surrogate.

Prints a Markdown table (docs/studies/circuit_model.md): E N_0 per [0, pi)^p for randspec:1 at n = 4, 5 over a p
grid, 16000 importance-weighted draws per model, seed 3, with Monte Carlo standard errors and Kish ESS.

Run:  python validation/surrogate_vs_circuit_counts.py      (about 1-2 min on 2 cores)
"""
from __future__ import annotations

from rmt_qgm.hamiltonians import parse_hamiltonian
from rmt_qgm.theory.circuit_kacrice import kac_rice_circuit
from rmt_qgm.theory.spherical import kac_rice_spherical

GRID = ((4, (2, 4, 6, 8, 10, 12)), (5, (4, 8, 12, 16)))


def main() -> int:
    print("| n | p | γ | circuit model E N_0 | spherical surrogate E N_0 | surrogate / circuit | ESS circuit, surrogate |")
    print("|---|---|---|---|---|---|---|")
    for n, ps in GRID:
        spec = parse_hamiltonian("randspec:1", n).spectrum
        for p in ps:
            c = kac_rice_circuit(spec, p, seed=3, n_mc=16000)
            s = kac_rice_spherical(spec, p, seed=3, n_mc=16000)
            print(f"| {n} | {p} | {p / 2 ** (n + 1):.4g} | {c.counts[0]:.4g} ± {c.stderr[0]:.2g} | "
                  f"{s.counts[0]:.4g} ± {s.stderr[0]:.2g} | {s.counts[0] / c.counts[0]:.3g} | "
                  f"{c.effective_sample_size(0):.0f}, {s.effective_sample_size(0):.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
