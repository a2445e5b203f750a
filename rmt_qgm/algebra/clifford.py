"""Conjugation of Pauli words by Clifford gates, on bit masks.

A Clifford gate C maps every Pauli word to a signed Pauli word: C P C^dagger = +-P'. This is how fixed
Clifford gates are absorbed into a generators file (issue 20, "Circuits as users write them"): in

    U = C_m ... R_k ... C_1 R_1,           R_k = exp(-i theta_k G_k),

moving every fixed gate to the end of the circuit replaces G_k by W_k^dagger G_k W_k, where W_k is the
product of the fixed gates applied before R_k, and the observable O by W^dagger O W with W the product of
all fixed gates; the initial state is unchanged (:func:`absorb_cliffords`).

Gates (qubit k is bit k, as everywhere in the package): ``h s sdg x y z`` on one qubit, ``cz`` and
``cx`` (control first) on two. The local tables are built once from the gates' 2x2 / 4x4 matrices.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..errors import UserInputError
from .pauli import PauliSum

_I2 = np.eye(2, dtype=complex)
_PX = np.array([[0, 1], [1, 0]], dtype=complex)
_PY = np.array([[0, -1j], [1j, 0]], dtype=complex)
_PZ = np.array([[1, 0], [0, -1]], dtype=complex)
#: single-qubit Paulis by local code x + 2 z (I, X, Z, Y)
_LOCAL = [_I2, _PX, _PZ, _PY]

_MATRICES_1Q = {
    "h": np.array([[1, 1], [1, -1]], dtype=complex) / np.sqrt(2.0),
    "s": np.diag([1, 1j]),
    "sdg": np.diag([1, -1j]),
    "x": _PX, "y": _PY, "z": _PZ,
}
# two-qubit matrices on local index i = b_first + 2 b_second (the first qubit is the low bit)
_CZ = np.diag([1, 1, 1, -1]).astype(complex)
_CX = np.zeros((4, 4), dtype=complex)
for _i in range(4):
    _c, _t = _i & 1, (_i >> 1) & 1
    _CX[_c + 2 * (_t ^ _c), _i] = 1.0
_MATRICES_2Q = {"cz": _CZ, "cx": _CX}

#: gate name -> number of qubits
GATES = {**{g: 1 for g in _MATRICES_1Q}, **{g: 2 for g in _MATRICES_2Q}}
#: inverse of each gate (all are self-inverse except s / sdg)
INVERSE = {g: g for g in GATES} | {"s": "sdg", "sdg": "s"}


def _local_table(mat: np.ndarray, nq: int) -> tuple[np.ndarray, np.ndarray]:
    """code -> (code', sign) with mat P_code mat^dagger = sign P_code'."""
    paulis = []
    for code in range(4 ** nq):
        if nq == 1:
            paulis.append(_LOCAL[code])
        else:
            paulis.append(np.kron(_LOCAL[code >> 2], _LOCAL[code & 3]))   # low qubit = right factor
    new = np.empty(4 ** nq, dtype=np.int64)
    sign = np.empty(4 ** nq, dtype=np.int64)
    for code, p in enumerate(paulis):
        q = mat @ p @ mat.conj().T
        for code2, p2 in enumerate(paulis):
            ov = np.trace(p2 @ q) / (2 ** nq)
            if abs(abs(ov) - 1.0) < 1e-12:
                assert abs(ov.imag) < 1e-12
                new[code], sign[code] = code2, int(round(ov.real))
                break
        else:  # pragma: no cover - not a Clifford
            raise AssertionError("not a Clifford gate")
    return new, sign


_TABLES = {g: _local_table(m, 1) for g, m in _MATRICES_1Q.items()} | \
          {g: _local_table(m, 2) for g, m in _MATRICES_2Q.items()}


@njit(cache=True)
def _conjugate_1q(x, z, c, q, new, sign):
    one = np.uint64(1)
    sh = np.uint64(q)
    for i in range(x.shape[0]):
        code = np.int64((x[i] >> sh) & one) + 2 * np.int64((z[i] >> sh) & one)
        nc = new[code]
        x[i] = (x[i] & ~(one << sh)) | (np.uint64(nc & 1) << sh)
        z[i] = (z[i] & ~(one << sh)) | (np.uint64((nc >> 1) & 1) << sh)
        c[i] *= sign[code]


@njit(cache=True)
def _conjugate_2q(x, z, c, qa, qb, new, sign):
    one = np.uint64(1)
    sa = np.uint64(qa)
    sb = np.uint64(qb)
    for i in range(x.shape[0]):
        ca = np.int64((x[i] >> sa) & one) + 2 * np.int64((z[i] >> sa) & one)
        cb = np.int64((x[i] >> sb) & one) + 2 * np.int64((z[i] >> sb) & one)
        code = ca + 4 * cb
        nc = new[code]
        na = nc & 3
        nb = nc >> 2
        xi = x[i] & ~(one << sa) & ~(one << sb)
        zi = z[i] & ~(one << sa) & ~(one << sb)
        xi |= (np.uint64(na & 1) << sa) | (np.uint64(nb & 1) << sb)
        zi |= (np.uint64((na >> 1) & 1) << sa) | (np.uint64((nb >> 1) & 1) << sb)
        x[i] = xi
        z[i] = zi
        c[i] *= sign[code]


def _check_gate(gate: str, qubits, n: int) -> tuple[str, tuple[int, ...]]:
    g = gate.lower()
    if g == "cnot":
        g = "cx"
    if g not in GATES:
        raise UserInputError(f"clifford gate must be one of {', '.join(sorted(GATES))}; got {gate!r}")
    qs = tuple(int(q) for q in (qubits if np.ndim(qubits) else [qubits]))
    if len(qs) != GATES[g]:
        raise UserInputError(f"clifford gate {g} acts on {GATES[g]} qubit(s); got qubits {qs}")
    if any(q < 0 or q >= n for q in qs) or len(set(qs)) != len(qs):
        raise UserInputError(f"clifford gate {g}: qubits {qs} must be distinct and in [0, {n - 1}]")
    return g, qs


def conjugate(ps: PauliSum, gate: str, qubits, inverse: bool = False) -> PauliSum:
    """C P C^dagger for the gate C on ``qubits`` (``inverse=True``: C^dagger P C), term by term."""
    g, qs = _check_gate(gate, qubits, ps.n)
    if inverse:
        g = INVERSE[g]
    x, z, c = ps.x.copy(), ps.z.copy(), ps.c.copy()
    new, sign = _TABLES[g]
    if len(qs) == 1:
        _conjugate_1q(x, z, c, qs[0], new, sign)
    else:
        _conjugate_2q(x, z, c, qs[0], qs[1], new, sign)
    return PauliSum.from_arrays(ps.n, x, z, c)


def conjugate_by_sequence(ps: PauliSum, gates: list[tuple[str, tuple[int, ...]]], dagger: bool = True) -> PauliSum:
    """W^dagger P W (``dagger=True``) or W P W^dagger for W = g_m ... g_1, ``gates = [g_1, ..., g_m]`` in
    the order they are applied."""
    if dagger:     # W^dag P W = g_1^dag ... g_m^dag P g_m ... g_1: conjugate by g_m^dag first
        for g, q in reversed(gates):
            ps = conjugate(ps, g, q, inverse=True)
    else:          # W P W^dag = g_m ... g_1 P g_1^dag ... g_m^dag: conjugate by g_1 first
        for g, q in gates:
            ps = conjugate(ps, g, q)
    return ps


def absorb_cliffords(ops: list) -> tuple[list[PauliSum], list[tuple[str, tuple[int, ...]]]]:
    """Turn a circuit of rotations and fixed Clifford gates into generators (module docstring).

    ``ops`` in the order they are applied: ``("rot", PauliSum G)`` for exp(-i theta G), or
    ``(gate, qubits)`` for a fixed gate. Returns the absorbed generators W_k^dagger G_k W_k (in circuit
    order) and the list of all fixed gates (W; the observable becomes W^dagger O W).
    """
    fixed: list[tuple[str, tuple[int, ...]]] = []
    gens: list[PauliSum] = []
    for op in ops:
        if op[0] == "rot":
            gens.append(conjugate_by_sequence(op[1], fixed, dagger=True))
        else:
            g, q = op
            fixed.append((g, tuple(q) if np.ndim(q) else (int(q),)))
    return gens, fixed
