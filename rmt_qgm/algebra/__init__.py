"""Lie-algebraic tools for structured circuits (issue 20; docs/theory.md §10).

- :mod:`.pauli`: Pauli words and real Pauli sums on bit masks (numba kernels for products, brackets).
- :mod:`.clifford`: conjugation of Pauli words by Clifford gates (absorbing fixed gates of a circuit).
- :mod:`.generators`: the generators-file format and named presets (``rmt-qgm circuit``).
- :mod:`.dla`: Lie closure, centre, simple ideals and orbit dimension (``rmt-qgm dla``).
"""
