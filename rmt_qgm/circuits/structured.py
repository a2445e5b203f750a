"""Circuits of a generators file in kernel form: exact gates exp(-i theta G) for real Pauli sums G.

A generators file (:mod:`rmt_qgm.algebra.generators`, issue 20) gives L Hermitian lines G_j = sum_t c_t P_t;
gate k is exp(-i theta_k G_(k mod L)) and G^2 need not be I. Each line is compiled once
(:func:`compile_generator`) into the operations of :mod:`.kernels`, so loss, adjoint gradient, exact
Hessian, Hessian-vector product and the compiled L-BFGS run unchanged on it. Forms, cheapest first:

- ``rotation``: one word with coefficient 1: OP_ROT, as the pauli ansatz (O(2^n) per application);
- ``diagonal``: every word is a product of Z's: one coefficient-carrying OP_PDIAG with D = diag(G),
  O(2^n) per application whatever the number of terms;
- ``clifford``: the words commute pairwise (one word with c != 1, sum_i X_i, XX + YY, ...): a Clifford
  W = exp(-i pi/4 Q_r) ... exp(-i pi/4 Q_1) with W G W^dagger = D diagonal, and then exactly
  exp(-i theta G) = W^dagger exp(-i theta D) W: r fixed rotations (OP_FROT), one OP_PDIAG, r inverse
  rotations, O((2r + 1) 2^n) per application, r <= the number of non-diagonal words;
- ``dense``: words that do not commute: G = V diag(lam) V^dagger (numpy.linalg.eigh of the 2^n x 2^n
  matrix, once per line) and exp(-i theta G) = V exp(-i theta diag(lam)) V^dagger: two fixed dense
  products (OP_DENSE) around an OP_PDIAG, O(4^n) per application and 2 x 16 x 4^n bytes per line.

An OP_PDIAG gate whose D has at most ``kernels.PHASE_TABLE`` distinct values (every generator at n <= 6, and sums of
few terms at any n) carries a phase table (:func:`_with_phase_table`): per application the phases of the distinct
values are computed once and each amplitude looks its own up by index, instead of searching among remembered values
(``benchmarks/bench_structured.py``, per gate against a Pauli rotation in the same run: a diagonal line 0.8-1.0x, was
3.0-4.0x; a Clifford-form line with one word 3.1-3.2x, was 6.0-11x; the kernel operations per gate are 1 and 3).

The exact Hessian (:mod:`.hessian`) costs O(p 2^n) per fixed rotation or diagonal gate and O(p 4^n) per dense
product on top of the O(p^2 2^n) of the pauli ansatz.

Construction of W (``clifford``). Take the words in order; while word t has x-part x != 0, choose
Q = P(x, v) with v = 0 if |x & z| is odd and v = the lowest set bit of x otherwise. Then Q anticommutes
with P_t (symplectic product |x & z| + |v & x| is odd) and exp(-i pi/4 Q) P exp(i pi/4 Q) = -i Q P for
every word P that anticommutes with Q (P itself otherwise): P_t becomes +-P(0, z ^ v), a Z-word. Q commutes
with the words already made diagonal: a Z-word P(0, u) commutes with P_t (the words commute and conjugation
keeps that), so |x & u| is even, which is Q's symplectic product with it. So each step adds a diagonal word
and keeps the earlier ones; after at most T steps all are diagonal and D = sum_t c'_t Z^(z'_t).

Periods (``Circuit.periods``, used to reduce reported angles): F is pi-periodic in theta_k when the
eigenvalue differences of G_k are even integers (exp(-i pi G) a phase: every word with coefficient +-1 in
a commuting sum), 2 pi-periodic when they are integers, and is left unreduced otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..algebra.pauli import PauliSum, anticommute, product_phase
from ..errors import UserInputError
from . import kernels as K
from .ansatz import MAX_DENSE_BYTES, Circuit

#: relative tolerance of the period test on eigenvalue differences
PERIOD_TOL = 1e-9


@dataclass
class CompiledGenerator:
    """One generator line in kernel form (module docstring). ``ops`` rows use parameter index 0 and,
    for OP_PDIAG / OP_DENSE, local indices into ``diag`` / ``dense``, relocated by
    :func:`generator_circuit`."""

    form: str                          # rotation | diagonal | clifford | dense
    ops: list                          # [kind, a, b, c] rows
    diag: np.ndarray | None            # real D (OP_PDIAG), 2^n
    dense: list                        # [V^dagger, V] for the dense form
    period: float


def _popcount(v: int) -> int:
    return bin(v).count("1")


def diagonalising_rotations(g: PauliSum) -> tuple[list[tuple[int, int]], np.ndarray]:
    """For a Pauli sum with pairwise commuting words: the rotations Q_1..Q_r (as (x, z) masks, applied in
    this order) and the real diagonal D = W G W^dagger, W = exp(-i pi/4 Q_r) ... exp(-i pi/4 Q_1)
    (module docstring). ValueError if two words anticommute."""
    if not _commuting(g):
        raise ValueError("diagonalising_rotations needs pairwise commuting words")
    xs = [int(x) for x in g.x]
    zs = [int(z) for z in g.z]
    cs = [float(c) for c in g.c]
    qs: list[tuple[int, int]] = []
    for t in range(len(xs)):
        x, z = xs[t], zs[t]
        if x == 0:
            continue
        v = 0 if _popcount(x & z) % 2 == 1 else (x & -x)
        qs.append((x, v))
        for u in range(len(xs)):
            if anticommute(np.uint64(x), np.uint64(v), np.uint64(xs[u]), np.uint64(zs[u])):
                e = int(product_phase(np.uint64(x), np.uint64(v), np.uint64(xs[u]), np.uint64(zs[u])))
                if e not in (1, 3):  # pragma: no cover - anticommuting Hermitian words have an odd phase
                    raise AssertionError("anticommuting words with an even product phase")
                xs[u] ^= x
                zs[u] ^= v
                cs[u] *= 1.0 if e == 1 else -1.0     # -i Q P = -i i^e P' = i^(e-1) P'
        if xs[t] != 0:  # pragma: no cover - by construction
            raise AssertionError("rotation did not make the word diagonal")
    y = np.arange(2 ** g.n, dtype=np.int64)
    d = np.zeros(2 ** g.n)
    for z, c in zip(zs, cs):
        par = np.bitwise_count(y & np.int64(z)) & 1
        d += c * (1.0 - 2.0 * par)
    return qs, d


def spectrum_period(values: np.ndarray) -> float:
    """pi if the differences of ``values`` are even integers, 2 pi if integers, inf otherwise (module
    docstring)."""
    diff = np.asarray(values, dtype=float) - float(np.min(values))
    tol = PERIOD_TOL * max(1.0, float(np.max(np.abs(values))))
    for mult, per in ((0.5, np.pi), (1.0, 2.0 * np.pi)):
        h = diff * mult
        if np.all(np.abs(h - np.round(h)) <= tol):
            return per
    return float("inf")


def _commuting(g: PauliSum) -> bool:
    return all(not anticommute(g.x[i], g.z[i], g.x[j], g.z[j])
               for i in range(g.num_terms) for j in range(i + 1, g.num_terms))


def compile_generator(g: PauliSum) -> CompiledGenerator:
    """The cheapest exact kernel form of exp(-i theta G) (module docstring)."""
    if g.num_terms == 1 and float(g.c[0]) == 1.0:
        return CompiledGenerator("rotation", [[K.OP_ROT, int(g.x[0]), int(g.z[0]), 0]], None, [], np.pi)
    if _commuting(g):
        qs, d = diagonalising_rotations(g)
        ops = [[K.OP_FROT, x, z, 1] for x, z in qs] + [[K.OP_PDIAG, 0, 0, 0]] + \
              [[K.OP_FROT, x, z, -1] for x, z in reversed(qs)]
        return CompiledGenerator("clifford" if qs else "diagonal", ops, d, [], spectrum_period(d))
    lam, vec = np.linalg.eigh(g.to_dense())
    vd = np.ascontiguousarray(vec.conj().T)
    # G = V diag(lam) V^dagger: apply V^dagger (dense 0, adjoint in 1), the phases, then V (dense 1, adjoint 0)
    ops = [[K.OP_DENSE, 0, 1, 0], [K.OP_PDIAG, 0, 0, 0], [K.OP_DENSE, 1, 0, 0]]
    return CompiledGenerator("dense", ops, lam, [vd, np.ascontiguousarray(vec)], spectrum_period(lam))


def _with_phase_table(d: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The diags row of a real diagonal generator D and its phase table (:func:`.kernels._table_phases`): with at
    most PHASE_TABLE distinct values v_u, the row is D + i u(y) (u(y) the index of D_y among the sorted v) and the
    table holds the v in its real parts and their number in the imaginary part of entry 0; else (D, None)."""
    d = np.asarray(d, dtype=float)
    vals, idx = np.unique(d, return_inverse=True)
    if vals.size > K.PHASE_TABLE:
        return d.astype(np.complex128), None
    table = np.zeros(d.size, dtype=np.complex128)
    table[:vals.size] = vals
    table[0] += 1j * vals.size
    return d + 1j * idx.astype(float), table


def generator_circuit(n: int, p: int, generators: list[PauliSum]) -> Circuit:
    """The circuit prod_k exp(-i theta_k G_(k mod L)) of a generators file, k = 0 .. p-1, first gate first
    (module docstring). Raises UserInputError if the dense lines would exceed MAX_DENSE_BYTES."""
    if not generators:
        raise UserInputError("generators file holds no generator")
    if any(g.n != n for g in generators):
        raise UserInputError(f"generators must act on n = {n} qubits")
    if p < 1:
        raise UserInputError(f"params must be >= 1; got {p}")
    L = len(generators)
    n_dense = sum(1 for g in generators if not _commuting(g))
    need = 2 * n_dense * 16 * 4 ** n
    if need > MAX_DENSE_BYTES:
        raise UserInputError(f"generators file: {n_dense} line(s) with non-commuting words need {need:,} bytes "
                             f"of dense eigenvectors at n = {n} (limit {MAX_DENSE_BYTES:,}); use fewer qubits")
    comp = [compile_generator(g) for g in generators[:min(L, p)]]
    diag_rows: list[np.ndarray] = []
    dense_mats: list[np.ndarray] = []
    diag_base, dense_base, tables = [], [], []
    for c in comp:
        diag_base.append(len(diag_rows))
        dense_base.append(len(dense_mats))
        tables.append(0)
        if c.diag is not None:
            row, table = _with_phase_table(c.diag)
            diag_rows.append(row)
            if table is not None:            # the table row follows its diagonal: op[2] = its index + 1
                diag_rows.append(table)
                tables[-1] = len(diag_rows)
        dense_mats.extend(c.dense)
    ops = []
    for k in range(p):
        j = k % L
        c = comp[j]
        for kind, a, b, s in c.ops:
            if kind == K.OP_ROT:
                ops.append([kind, a, b, k])
            elif kind == K.OP_PDIAG:
                ops.append([kind, diag_base[j], tables[j], k])
            elif kind == K.OP_DENSE:
                ops.append([kind, dense_base[j] + a, dense_base[j] + b, 0])
            else:
                ops.append([kind, a, b, s])
    diags = np.ascontiguousarray(np.array(diag_rows)) if diag_rows else np.zeros((1, 1), dtype=np.complex128)
    dense = np.ascontiguousarray(np.array(dense_mats)) if dense_mats else np.zeros((1, 1, 1), dtype=np.complex128)
    periods = np.array([comp[k % L].period for k in range(p)])
    return Circuit(n, p, np.array(ops, dtype=np.int64).reshape(-1, 4), dense, diags, "generators",
                   [g.to_string() for g in generators], periods)


def circuit_forms(generators: list[PauliSum]) -> list[str]:
    """The compiled form of each line (rotation, diagonal, clifford or dense)."""
    return [compile_generator(g).form for g in generators]
