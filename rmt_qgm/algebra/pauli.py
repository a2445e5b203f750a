"""Pauli words and real Pauli sums on bit masks, with numba kernels for products and commutators.

Conventions (the package's, :mod:`rmt_qgm.spec`): character k of a word acts on qubit k, which is bit k
of a computational-basis index and of the masks. A word is the pair ``(x, z)`` of uint64 masks (X sets the
x bit, Z the z bit, Y both) and denotes the *Hermitian* operator

    P(x, z) = i^|x & z| X^x Z^z,         so P|b> = i^|x&z| (-1)^popcount(b & z) |b XOR x>

(the same operator as :func:`rmt_qgm.hamiltonians.pauli_phase_vector`). A word is also one 64-bit *key*
``x | (z << n)``, which orders words and indexes tables of size 4^n.

Products: P(x1, z1) P(x2, z2) = i^e P(x1^x2, z1^z2) with

    e = |x1&z1| + |x2&z2| - |(x1^x2)&(z1^z2)| + 2 |z1 & x2|   (mod 4).

Lie bracket: the algebra is kept in Hermitian form, g_H = {G : iG in the dynamical Lie algebra}, with the
bracket ``[A, B]_H = -i (AB - BA)`` (Hermitian when A and B are). For two words it is 0 if they commute
and ``2 s P(x1^x2, z1^z2)`` with s = +1 if e = 1, s = -1 if e = 3 when they anticommute. Spans, dimensions
and orthogonality do not depend on this normalisation.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ..errors import UserInputError
from ..spec import PauliString, format_pauli_sum

#: Largest qubit count of the bit-mask engine (a key x | z << n must fit 64 bits).
MAX_MASK_QUBITS = 32

_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)


@njit(cache=True)
def popcount(v):
    """Number of set bits of a uint64."""
    v = np.uint64(v)
    v = v - ((v >> np.uint64(1)) & _M1)
    v = (v & _M2) + ((v >> np.uint64(2)) & _M2)
    v = (v + (v >> np.uint64(4))) & _M4
    return np.int64((v * _H01) >> np.uint64(56))


@njit(cache=True)
def anticommute(x1, z1, x2, z2):
    """True if the words (x1, z1) and (x2, z2) anticommute."""
    return (popcount((x1 & z2) ^ (z1 & x2)) & 1) == 1


@njit(cache=True)
def product_phase(x1, z1, x2, z2):
    """e in {0, 1, 2, 3} with P(x1, z1) P(x2, z2) = i^e P(x1^x2, z1^z2)."""
    x3 = x1 ^ x2
    z3 = z1 ^ z2
    e = popcount(x1 & z1) + popcount(x2 & z2) - popcount(x3 & z3) + 2 * popcount(z1 & x2)
    return e % 4


@njit(cache=True)
def bracket_sign(x1, z1, x2, z2):
    """For anticommuting words, s in {+1, -1} with [P1, P2]_H = 2 s P(x1^x2, z1^z2); 0 if they commute."""
    if not anticommute(x1, z1, x2, z2):
        return 0
    return 1 if product_phase(x1, z1, x2, z2) == 1 else -1


@njit(cache=True)
def _bracket_terms(ax, az, ac, bx, bz, bc):
    """All nonzero term products of [A, B]_H (unmerged): arrays (x, z, coef)."""
    m = 0
    for i in range(ax.shape[0]):
        for j in range(bx.shape[0]):
            if anticommute(ax[i], az[i], bx[j], bz[j]):
                m += 1
    ox = np.empty(m, dtype=np.uint64)
    oz = np.empty(m, dtype=np.uint64)
    oc = np.empty(m, dtype=np.float64)
    k = 0
    for i in range(ax.shape[0]):
        for j in range(bx.shape[0]):
            s = bracket_sign(ax[i], az[i], bx[j], bz[j])
            if s != 0:
                ox[k] = ax[i] ^ bx[j]
                oz[k] = az[i] ^ bz[j]
                oc[k] = 2.0 * s * ac[i] * bc[j]
                k += 1
    return ox, oz, oc


@njit(cache=True)
def y_phase(x, z):
    """i^(number of Y factors) = i^popcount(x & z): the phase of P(x, z) relative to X^x Z^z."""
    ny = popcount(x & z) % 4
    ph = 1.0 + 0.0j
    for _ in range(ny):
        ph *= 1j
    return ph


@njit(cache=True)
def z_sign(b, z):
    """(-1)^popcount(b & z): the sign Z^z gives the basis state |b>."""
    return -1.0 if (popcount(b & z) & 1) == 1 else 1.0


@njit(cache=True)
def apply_word(x, z, psi, out):
    """out = P(x, z) psi (complex128 vectors of length 2^n): P|b> = y_phase * z_sign(b) |b ^ x>."""
    ph = y_phase(x, z)
    for b in range(psi.shape[0]):
        ub = np.uint64(b)
        out[np.int64(ub ^ x)] = ph * z_sign(ub, z) * psi[b]
    return out


@njit(cache=True)
def dense_of_words(xs, zs, cs, dim):
    """sum_k cs[k] P(xs[k], zs[k]) as a dense dim x dim matrix: column b of a word is its phase and sign at row
    b ^ x, O(words x dim) (the words are added in order, as word-by-word application to basis vectors would)."""
    m = np.zeros((dim, dim), dtype=np.complex128)
    for k in range(xs.shape[0]):
        x = xs[k]
        z = zs[k]
        ph = cs[k] * y_phase(x, z)
        for b in range(dim):
            ub = np.uint64(b)
            m[np.int64(ub ^ x), b] += ph * z_sign(ub, z)
    return m


def key_of(x, z, n: int):
    """The 64-bit key x | (z << n) of a word (scalars or arrays)."""
    return np.asarray(x, dtype=np.uint64) | (np.asarray(z, dtype=np.uint64) << np.uint64(n))


def word_label(x: int, z: int, n: int) -> str:
    """The string form of a word, character k acting on qubit k."""
    return "".join("IXZY"[((int(x) >> k) & 1) + 2 * ((int(z) >> k) & 1)] for k in range(n))


def word_from_label(label: str) -> tuple[int, int]:
    """(x, z) masks of a word such as ``"XZIY"``."""
    x = z = 0
    for k, c in enumerate(label.upper()):
        if c in "XY":
            x |= 1 << k
        if c in "ZY":
            z |= 1 << k
        if c not in "IXYZ":
            raise UserInputError(f"pauli word must be over I, X, Y, Z; got {label!r}")
    return x, z


@dataclass(frozen=True)
class PauliSum:
    """A real linear combination of Pauli words on ``n`` qubits (a Hermitian operator).

    Terms are merged (one coefficient per word), sorted by key and free of zero coefficients.
    """

    n: int
    x: np.ndarray        # uint64[T]
    z: np.ndarray        # uint64[T]
    c: np.ndarray        # float64[T]

    @staticmethod
    def from_arrays(n: int, x, z, c, drop_tol: float = 0.0) -> "PauliSum":
        """Merge repeated words and drop coefficients with |c| <= drop_tol."""
        x = np.asarray(x, dtype=np.uint64)
        z = np.asarray(z, dtype=np.uint64)
        c = np.asarray(c, dtype=np.float64)
        if x.size == 0:
            return PauliSum(n, x, z, c)
        keys = key_of(x, z, n)
        uk, inv = np.unique(keys, return_inverse=True)
        cs = np.zeros(uk.size)
        np.add.at(cs, inv, c)
        keep = np.abs(cs) > drop_tol
        uk, cs = uk[keep], cs[keep]
        mask = (np.uint64(1) << np.uint64(n)) - np.uint64(1) if n < 64 else np.uint64(-1)
        return PauliSum(n, uk & mask, uk >> np.uint64(n), cs)

    @staticmethod
    def from_terms(terms: list[tuple[float, PauliString]], n: int) -> "PauliSum":
        """From :func:`rmt_qgm.spec.parse_pauli_sum` output."""
        return PauliSum.from_arrays(n, [t.xmask for _, t in terms], [t.zmask for _, t in terms],
                                    [float(c) for c, _ in terms])

    @staticmethod
    def word(label: str, coef: float = 1.0) -> "PauliSum":
        x, z = word_from_label(label)
        return PauliSum.from_arrays(len(label), [x], [z], [coef])

    @property
    def num_terms(self) -> int:
        return int(self.x.size)

    @property
    def is_zero(self) -> bool:
        return self.x.size == 0

    @property
    def keys(self) -> np.ndarray:
        return key_of(self.x, self.z, self.n)

    def terms(self) -> list[tuple[float, PauliString]]:
        """As ``[(coef, PauliString)]`` (the form of :func:`rmt_qgm.spec.parse_pauli_sum`)."""
        return [(float(c), PauliString(self.n, int(x), int(z))) for x, z, c in zip(self.x, self.z, self.c)]

    def to_string(self) -> str:
        """The Pauli-sum syntax of the Hamiltonian specs (exact, via repr of floats)."""
        if self.is_zero:
            return "0*" + "I" * self.n
        return format_pauli_sum(self.terms())

    def labels(self) -> list[str]:
        return [word_label(x, z, self.n) for x, z in zip(self.x, self.z)]

    def scaled(self, a: float) -> "PauliSum":
        return PauliSum(self.n, self.x, self.z, self.c * a)

    def __add__(self, other: "PauliSum") -> "PauliSum":
        return PauliSum.from_arrays(self.n, np.concatenate([self.x, other.x]), np.concatenate([self.z, other.z]),
                                    np.concatenate([self.c, other.c]))

    def bracket(self, other: "PauliSum", drop_tol: float = 0.0) -> "PauliSum":
        """[self, other]_H = -i (self other - other self) (module docstring)."""
        ox, oz, oc = _bracket_terms(self.x, self.z, self.c, other.x, other.z, other.c)
        return PauliSum.from_arrays(self.n, ox, oz, oc, drop_tol=drop_tol)

    def apply(self, psi: np.ndarray) -> np.ndarray:
        """self |psi>."""
        psi = np.ascontiguousarray(psi, dtype=np.complex128)
        out = np.zeros_like(psi)
        tmp = np.empty_like(psi)
        for x, z, c in zip(self.x, self.z, self.c):
            out += c * apply_word(x, z, psi, tmp)
        return out

    def to_dense(self) -> np.ndarray:
        """Dense 2^n x 2^n matrix (small n only)."""
        return dense_of_words(np.asarray(self.x, dtype=np.uint64), np.asarray(self.z, dtype=np.uint64),
                              np.asarray(self.c, dtype=np.complex128), 2 ** self.n)
