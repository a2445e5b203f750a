"""Ansatz families and the :class:`Circuit` object (loss, gradient, Hessian of F = <psi|H|psi>).

Every parameterised gate is exp(-i theta_k G_k) with G_k^2 = I, the identity at theta = 0, so F is
pi-periodic in each angle. Families (``ANSATZE``):

- ``pauli``: G_k are Pauli strings, given or drawn uniformly among the 4^n - 1 non-identity strings.
- ``randomized``: the randomized model of Anschuetz (ICLR 2022; docs/theory.md §2.2),
  |psi> = V_p e^{-i theta_p Z_0} V_(p-1) ... V_1 e^{-i theta_1 Z_0} V_0 |psi0>, V_j Haar on 2^n.
  This equals prod_k exp(-i theta_k G_k) with G_k = W_k Z_0 W_k^dagger (W_k = V_(k-1)...V_0), applied
  to V_0|psi0> and followed by V_p: the final Haar unitary V_p makes the law of F stationary on the
  torus (docs/theory.md §2.2). Dense V_j cost 4^n operations per application and (p+1) 4^n complex numbers.
- ``hea``: hardware-efficient layers: RY on every qubit, then RZ on every qubit, then a CZ ladder
  CZ(0,1) CZ(1,2) ... CZ(n-2,n-1). The p parameters fill the layers in this order; a CZ ladder
  follows every complete layer of 2n rotations (a last partial layer has none).

Initial states (``rmt_qgm.spec.parse_psi0``): ``haar`` (Haar state from the instance seed),
``zero`` (|0...0>) or ``random:SEED``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..checks import check_choice, check_int, check_qubits
from ..errors import UserInputError
from ..hamiltonians import Hamiltonian
from ..spec import PauliString, Psi0Spec, parse_pauli_string
from . import kernels as K
from .hessian import hessian as exact_hessian

ANSATZE = ("randomized", "pauli", "hea")

#: Memory cap for the stack of dense Haar unitaries of the randomized ansatz.
MAX_DENSE_BYTES = 2 * 2**30
#: Stacks up to this size (unitaries and their adjoints together) also store the adjoints, so the adjoint
#: sweep reads rows (kernels module docstring): at n = 6, p = 64 one loss+gradient costs 0.61 ms instead of
#: 0.91 ms of CPU time. Larger stacks stream from main memory, where both layouts cost the same.
ADJOINT_CACHE_BYTES = 64 * 2**20


def haar_unitary(dim: int, rng: np.random.Generator) -> np.ndarray:
    """Haar-random unitary: QR of a complex Ginibre matrix with the phases of R's diagonal fixed
    (Mezzadri, Notices AMS 54, 592 (2007))."""
    z = (rng.standard_normal((dim, dim)) + 1j * rng.standard_normal((dim, dim))) / np.sqrt(2.0)
    q, r = np.linalg.qr(z)
    d = np.diag(r)
    return q * (d / np.abs(d))


def haar_state(dim: int, rng: np.random.Generator) -> np.ndarray:
    """Haar-random pure state: a normalised complex Gaussian vector."""
    v = rng.standard_normal(dim) + 1j * rng.standard_normal(dim)
    return v / np.linalg.norm(v)


def initial_state(psi0: Psi0Spec, n: int, rng: np.random.Generator | None) -> np.ndarray:
    """The initial state for a Psi0Spec; ``haar`` needs the instance ``rng``."""
    dim = 2 ** n
    if psi0.kind == "zero":
        v = np.zeros(dim, dtype=np.complex128)
        v[0] = 1.0
        return v
    if psi0.kind == "random":
        return haar_state(dim, np.random.default_rng(psi0.seed))
    if rng is None:
        raise UserInputError("psi0 haar needs an instance seed here; use zero or random:SEED")
    return haar_state(dim, rng)


@dataclass
class Circuit:
    """A parameterised circuit in kernel form; see :mod:`rmt_qgm.circuits.kernels`."""

    n: int
    n_params: int
    ops: np.ndarray          # int64[L, 4]
    dense: np.ndarray        # complex128[nd, dim, dim] (a 1x1x1 dummy when unused)
    diags: np.ndarray        # complex128[ng, dim]
    ansatz: str
    generators: list[str] | None = None
    #: period of F in each angle (inf: not periodic); None: pi for all (every gate has G^2 = I)
    periods: np.ndarray | None = None

    @property
    def dim(self) -> int:
        return 2 ** self.n

    def wrap(self, theta) -> np.ndarray:
        """theta reduced modulo each angle's period (:attr:`periods`; angles without one are kept)."""
        t = np.asarray(theta, dtype=float)
        if self.periods is None:
            return np.mod(t, np.pi)
        fin = np.isfinite(self.periods)
        return np.where(fin, np.mod(t, np.where(fin, self.periods, 1.0)), t)

    def _theta(self, theta) -> np.ndarray:
        t = np.ascontiguousarray(theta, dtype=np.float64)
        if t.shape != (self.n_params,):
            raise UserInputError(f"theta must have {self.n_params} entries; got shape {t.shape}")
        return t

    def state(self, theta, psi0: np.ndarray) -> np.ndarray:
        """|psi(theta)> = U(theta)|psi0>."""
        return K.forward(self.ops, self._theta(theta), _c(psi0), self.dense, self.diags)

    def loss(self, theta, psi0: np.ndarray, ham: Hamiltonian) -> float:
        """F(theta) = <psi(theta)|H|psi(theta)>."""
        return float(K.loss(self.ops, self._theta(theta), _c(psi0), self.dense, self.diags,
                            ham.xmasks, ham.coeffs))

    def loss_and_grad(self, theta, psi0: np.ndarray, ham: Hamiltonian) -> tuple[float, np.ndarray]:
        """(F, grad F) by the adjoint method."""
        f, g = K.loss_and_grad(self.ops, self._theta(theta), _c(psi0), self.dense, self.diags,
                               ham.xmasks, ham.coeffs)
        return float(f), g

    def hessian(self, theta, psi0: np.ndarray, ham: Hamiltonian) -> np.ndarray:
        """Exact Hessian of F (dressed-generator formula, :mod:`.hessian`)."""
        return exact_hessian(self.ops, self._theta(theta), _c(psi0), self.dense, self.diags,
                         ham.xmasks, ham.coeffs)

    def hvp(self, theta, psi0: np.ndarray, ham: Hamiltonian, v) -> np.ndarray:
        """Exact Hessian-vector product."""
        return K.hvp(self.ops, self._theta(theta), _c(psi0), self.dense, self.diags, ham.xmasks,
                     ham.coeffs, np.ascontiguousarray(v, dtype=np.float64))


def _c(psi: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(psi, dtype=np.complex128)


_NO_DENSE = np.zeros((1, 1, 1), dtype=np.complex128)
_NO_DIAG = np.zeros((1, 1), dtype=np.complex128)


def pauli_circuit(n: int, generators: list[PauliString]) -> Circuit:
    """prod_k exp(-i theta_k P_k) with the given Pauli generators (first one applied first)."""
    ops = np.array([[K.OP_ROT, g.xmask, g.zmask, k] for k, g in enumerate(generators)], dtype=np.int64)
    return Circuit(n, len(generators), ops.reshape(-1, 4), _NO_DENSE, _NO_DIAG, "pauli",
                   [g.label() for g in generators])


def random_pauli_generators(n: int, p: int, rng: np.random.Generator) -> list[PauliString]:
    """p Pauli strings drawn uniformly among the 4^n - 1 non-identity strings."""
    out = []
    for _ in range(p):
        code = int(rng.integers(1, 4 ** n))
        word = "".join("IXYZ"[(code >> (2 * q)) & 3] for q in range(n))
        out.append(parse_pauli_string(word))
    return out


def randomized_circuit(n: int, p: int, rng: np.random.Generator) -> Circuit:
    """The randomized model: V_p R_p(Z_0) ... V_1 R_1(Z_0) V_0 with Haar V_j (module docstring)."""
    dim = 2 ** n
    need = (p + 1) * dim * dim * 16
    if need > MAX_DENSE_BYTES:
        raise UserInputError(
            f"ansatz randomized: n = {n}, p = {p} needs {need:,} bytes for {p + 1} dense Haar unitaries "
            f"(limit {MAX_DENSE_BYTES:,}); use fewer qubits or parameters")
    adjoints = 2 * need <= ADJOINT_CACHE_BYTES
    dense = np.empty((2 * (p + 1) if adjoints else p + 1, dim, dim), dtype=np.complex128)
    for j in range(p + 1):
        dense[j] = haar_unitary(dim, rng)
    if adjoints:
        dense[p + 1:] = np.conj(np.transpose(dense[:p + 1], (0, 2, 1)))
    adj = (lambda j: p + 1 + j) if adjoints else (lambda j: 0)  # noqa: E731
    ops = [[K.OP_DENSE, 0, adj(0), 0]]
    for k in range(p):
        ops.append([K.OP_ROT, 0, 1, k])       # Z on qubit 0
        ops.append([K.OP_DENSE, k + 1, adj(k + 1), 0])
    return Circuit(n, p, np.array(ops, dtype=np.int64), dense, _NO_DIAG, "randomized")


def cz_ladder_diagonal(n: int) -> np.ndarray:
    """Diagonal of CZ(0,1) CZ(1,2) ... CZ(n-2,n-1): (-1)^(number of adjacent 11 pairs)."""
    y = np.arange(2 ** n)
    count = np.zeros_like(y)
    for q in range(n - 1):
        count += ((y >> q) & 1) & ((y >> (q + 1)) & 1)
    return (1.0 - 2.0 * (count % 2)).astype(np.complex128)


def hea_circuit(n: int, p: int) -> Circuit:
    """Hardware-efficient layers (module docstring)."""
    ops = []
    per_layer = 2 * n
    for k in range(p):
        pos = k % per_layer
        q = pos % n
        if pos < n:          # RY on qubit q: Y has x and z bits set
            ops.append([K.OP_ROT, 1 << q, 1 << q, k])
        else:                # RZ on qubit q
            ops.append([K.OP_ROT, 0, 1 << q, k])
        if pos == per_layer - 1 and n > 1:
            ops.append([K.OP_DIAG, 0, 0, 0])
    diags = cz_ladder_diagonal(n)[None, :]
    return Circuit(n, p, np.array(ops, dtype=np.int64), _NO_DENSE, np.ascontiguousarray(diags), "hea")


def build_circuit(ansatz: str, n: int, p: int, rng: np.random.Generator | None = None,
                  generators: list[str] | None = None) -> Circuit:
    """Build a circuit of the named family. ``rng`` draws Haar unitaries or random generators."""
    check_choice("ansatz", ansatz, ANSATZE)
    n = check_qubits(n)
    p = check_int("params", p, 1)
    if generators is not None:
        if ansatz != "pauli":
            raise UserInputError("generators can only be given with ansatz pauli")
        gens = [parse_pauli_string(g, n, name="generators") for g in generators]
        if len(gens) != p:
            raise UserInputError(f"generators must list exactly params = {p} Pauli words; got {len(gens)}")
        if any(g.is_identity for g in gens):
            raise UserInputError("generators must not contain the identity string")
        return pauli_circuit(n, gens)
    if ansatz == "hea":
        return hea_circuit(n, p)
    if rng is None:
        raise UserInputError(f"ansatz {ansatz} needs a random generator (instance seed)")
    if ansatz == "pauli":
        return pauli_circuit(n, random_pauli_generators(n, p, rng))
    return randomized_circuit(n, p, rng)
