"""Lie-algebraic tools for structured circuits (issue 20; docs/theory.md §10).

- :mod:`.pauli`: Pauli words and real Pauli sums on bit masks (numba kernels for products, brackets).
- :mod:`.clifford`: conjugation of Pauli words by Clifford gates (absorbing fixed gates of a circuit).
- :mod:`.generators`: the generators-file format and named presets (``rmt-qgm circuit``).
- :mod:`.dla`: Lie closure, centre, simple ideals and orbit dimension (``rmt-qgm dla``).
- :mod:`.gates`: exact gates exp(-i theta G) of Pauli-sum generators, circuits, adjoint gradients.
- :mod:`.overparam`: QFIM rank against p, params_c and the landscape transition (``rmt-qgm overparam``).
- :mod:`.variance`: deep-circuit Var[loss] and Var[gradient] per simple ideal (``rmt-qgm variance``).
"""
