"""Names and descriptions of the generators-file presets (no heavy imports: the CLI's help lists them).

The generators themselves are built by :func:`rmt_qgm.algebra.generators.preset_generators`.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    """A named circuit family: ``build(n, layers)`` -> (generators, header lines)."""

    name: str
    description: str
    min_qubits: int
    has_fixed_gates: bool = False


PRESETS: dict[str, Preset] = {p.name: p for p in [
    Preset("hea:ry-cz", "hardware-efficient: RY on every qubit, then a CZ ladder CZ(0,1)...CZ(n-2,n-1); "
           "the ladders are absorbed (generators Y_q conjugated by the ladders before them)", 1, True),
    Preset("hea:ry-rz-cz", "hardware-efficient, as rmt-qgm's --ansatz hea: RY then RZ on every qubit, then a "
           "CZ ladder (absorbed)", 1, True),
    Preset("hea:ry-cx", "hardware-efficient: RY on every qubit, then a CNOT ladder CX(0,1)...CX(n-2,n-1) "
           "(absorbed)", 1, True),
    Preset("hva:tfim-ring", "Hamiltonian variational, transverse-field Ising ring: sum Z_i Z_(i+1) and "
           "sum X_i (two generators per layer)", 2),
    Preset("hva:tfim-line", "Hamiltonian variational, open transverse-field Ising chain: sum Z_i Z_(i+1) and "
           "sum X_i", 2),
    Preset("hva:xxz-ring", "Hamiltonian variational, XXZ ring (Wiersema et al. 2020): ZZ on even bonds, ZZ "
           "on odd bonds, XX+YY on even bonds, XX+YY on odd bonds (for odd n the bond (n-1, 0) is odd)", 3),
    Preset("qaoa:maxcut-ring", "QAOA for MaxCut on the ring: cost sum Z_i Z_(i+1) (constants dropped) and "
           "mixer sum X_i; the same generators as hva:tfim-ring", 2),
    Preset("qaoa:maxcut-line", "QAOA for MaxCut on the open chain: cost sum Z_i Z_(i+1), mixer sum X_i", 2),
    Preset("local:x-zz-line", "one angle per gate: X_i on every qubit and Z_i Z_(i+1) on every bond of a "
           "line (closes to so(2n))", 2),
    Preset("local:xy-zz-ring", "one angle per gate: X_i and Y_i on every qubit, Z_i Z_(i+1) on every bond "
           "of a ring (closes to su(2^n); 18 generators at n = 6)", 2),
]}
