"""Exact gates exp(-i theta G) of Pauli-sum generators, applied to state vectors and to stacks of them.

A generators-file circuit (:mod:`rmt_qgm.algebra.generators`) has gates R_k = exp(-i theta_k G_k) with G_k
a real Pauli sum sum_t c_t P_t. Its square need not be the identity, so the cos/sin form
cos(theta) I - i sin(theta) G is *not* used for G itself. Each generator is prepared once into one of three
exact forms:

- ``diagonal``: every word is a product of Z's, G = diag(g) and R = diag(exp(-i theta g));
- ``commuting``: the words commute pairwise (a single word, sum X_i, sum Z_i Z_(i+1), ...); then
  exp(-i theta G) = prod_t exp(-i theta c_t P_t) exactly, and each factor is cos(theta c_t) I
  - i sin(theta c_t) P_t because P_t^2 = I for a single Pauli word;
- ``dense``: anything else; G = V diag(lam) V^dagger once (numpy.linalg.eigh), R = V diag(exp(-i theta lam))
  V^dagger, exact up to rounding.

Used by ``rmt-qgm overparam`` and ``variance`` (docs/theory.md §10.1, §10.2). Vectors are complex arrays
whose *first* axis is the 2^n basis index (a state, or a d x m stack of states
applied column by column). Conventions as :mod:`rmt_qgm.algebra.pauli` (character k of a word acts on qubit
k = bit k of the index).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .pauli import PauliSum, anticommute


def _word_action(x: int, z: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(perm, phase) with (P v)[c] = phase[c] v[perm[c]] for the word P(x, z) (module docstring of pauli)."""
    c = np.arange(2 ** n, dtype=np.int64)
    perm = c ^ np.int64(x)
    sign = 1.0 - 2.0 * (np.bitwise_count(perm & np.int64(z)) & 1)
    ny = bin(int(x) & int(z)).count("1") % 4
    return perm, (1j ** ny) * sign.astype(np.complex128)


@dataclass
class Gate:
    """One prepared generator G (module docstring): ``kind`` is ``diagonal``, ``commuting`` or ``dense``."""

    n: int
    generator: PauliSum
    kind: str
    diag: np.ndarray | None = None            # diagonal: g with G = diag(g)
    words: list | None = None                 # commuting: [(coef, perm, phase)]
    evals: np.ndarray | None = None           # dense: G = V diag(evals) V^dagger
    evecs: np.ndarray | None = None
    dense_g: np.ndarray | None = None

    @property
    def norm_bound(self) -> float:
        """sum_t |c_t| >= ||G||_op."""
        return float(np.sum(np.abs(self.generator.c)))

    def apply_generator(self, v: np.ndarray) -> np.ndarray:
        """G v (v: d or d x m)."""
        if self.kind == "diagonal":
            return self.diag.reshape((-1,) + (1,) * (v.ndim - 1)) * v
        if self.kind == "dense":
            return self.dense_g @ v
        out = np.zeros_like(v)
        for c, perm, ph in self.words:
            out += c * ph.reshape((-1,) + (1,) * (v.ndim - 1)) * v[perm]
        return out

    def apply(self, v: np.ndarray, theta: float, dagger: bool = False) -> np.ndarray:
        """exp(-i theta G) v, or exp(+i theta G) v with ``dagger`` (a new array)."""
        t = -theta if dagger else theta
        if self.kind == "diagonal":
            return np.exp(-1j * t * self.diag).reshape((-1,) + (1,) * (v.ndim - 1)) * v
        if self.kind == "dense":
            ph = np.exp(-1j * t * self.evals).reshape((-1,) + (1,) * (v.ndim - 1))
            return self.evecs @ (ph * (self.evecs.conj().T @ v))
        out = v
        for c, perm, ph in self.words:
            out = np.cos(t * c) * out - 1j * np.sin(t * c) * ph.reshape((-1,) + (1,) * (v.ndim - 1)) * out[perm]
        return out if out is not v else v.copy()

    def to_dense(self) -> np.ndarray:
        """G as a dense matrix (tests, small n)."""
        return self.generator.to_dense()


def prepare_gate(g: PauliSum) -> Gate:
    """The exact form of exp(-i theta G) for one generator (module docstring)."""
    n = g.n
    if np.all(g.x == 0):
        d = np.zeros(2 ** n)
        for z, c in zip(g.z, g.c):
            _, ph = _word_action(0, int(z), n)
            d += c * ph.real
        return Gate(n, g, "diagonal", diag=d)
    commuting = all(not anticommute(g.x[i], g.z[i], g.x[j], g.z[j])
                    for i in range(g.num_terms) for j in range(i + 1, g.num_terms))
    if commuting:
        words = []
        for x, z, c in zip(g.x, g.z, g.c):
            perm, ph = _word_action(int(x), int(z), n)
            words.append((float(c), perm, ph))
        return Gate(n, g, "commuting", words=words)
    m = g.to_dense()
    lam, vec = np.linalg.eigh(m)
    return Gate(n, g, "dense", evals=lam, evecs=vec, dense_g=m)


def prepare_gates(generators: list[PauliSum]) -> list[Gate]:
    """:func:`prepare_gate` for each generator line (the circuit uses line k mod L for gate k)."""
    return [prepare_gate(g) for g in generators]


def circuit_state(gates: list[Gate], theta: np.ndarray, psi0: np.ndarray) -> np.ndarray:
    """psi(theta) = R_(p-1) ... R_0 psi0 with R_k = exp(-i theta_k G_(k mod L)), L = len(gates)."""
    psi = np.array(psi0, dtype=np.complex128)
    L = len(gates)
    for k, t in enumerate(np.asarray(theta, dtype=float)):
        psi = gates[k % L].apply(psi, t)
    return psi


def loss_and_gradient(gates: list[Gate], theta: np.ndarray, psi0: np.ndarray,
                      h_dense: np.ndarray) -> tuple[float, np.ndarray]:
    """F(theta) = <psi|H|psi> and its exact gradient by the adjoint method:
    dF/dtheta_k = 2 Im <lambda_k| G_k |psi_k>, psi_k the state after gate k and
    lambda_k = R_(p-1)^dagger ... R_(k+1)^dagger H psi (one forward and one backward sweep)."""
    theta = np.asarray(theta, dtype=float)
    L = len(gates)
    psi = circuit_state(gates, theta, psi0)
    lam = h_dense @ psi
    f = float(np.real(np.vdot(psi, lam)))
    grad = np.empty(theta.size)
    phi = psi
    for k in range(theta.size - 1, -1, -1):
        gk = gates[k % L]
        grad[k] = 2.0 * float(np.imag(np.vdot(lam, gk.apply_generator(phi))))
        phi = gk.apply(phi, theta[k], dagger=True)
        lam = gk.apply(lam, theta[k], dagger=True)
    return f, grad


def heisenberg_vectors(gates: list[Gate], theta: np.ndarray, vecs: np.ndarray) -> np.ndarray:
    """X_k phi for every gate k and every column phi of ``vecs`` (d x m), where

        X_k = M_k^dagger G_k M_k,     M_k = R_k ... R_0   (the circuit up to and including gate k),

    the generator of gate k moved back to the input. For phi = psi0, -i X_k psi0 = M^dagger d psi/d theta_k
    with M the whole circuit: the Jacobian columns of every prefix circuit in one frame, so the QFIM rank of
    the first p gates is the rank of the first p columns (projected orthogonally to psi0). Returns an array
    (p, d, m). Cost: one d x d matrix carried through the circuit."""
    vecs = np.asarray(vecs, dtype=np.complex128)
    d = vecs.shape[0]
    L = len(gates)
    theta = np.asarray(theta, dtype=float)
    m_mat = np.eye(d, dtype=np.complex128)
    cur = vecs.copy()                         # M_k phi
    out = np.empty((theta.size, d, vecs.shape[1]), dtype=np.complex128)
    for k, t in enumerate(theta):
        gk = gates[k % L]
        m_mat = gk.apply(m_mat, t)
        cur = gk.apply(cur, t)
        out[k] = m_mat.conj().T @ gk.apply_generator(cur)
    return out
