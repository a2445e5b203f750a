"""Problem Hamiltonians: parsing of spec strings, application to states, spectra.

One parser serves the simulator and the theory, so a prediction and a simulation of "the same
Hamiltonian" cannot drift apart (README, Hamiltonian specs). Spec strings:

- ``fidelity``            H = I - |0...0><0...0|  (infidelity loss of a generative model, E0 = 0)
- ``projector:d``         H = I - P_d, P_d the projector on the first d basis states (1 <= d < 2^n)
- ``diag:v1,v2,...``      a diagonal spectrum with exactly 2^n values; ``diag:@FILE`` reads them from a
                          text file (whitespace or comma separated)
- ``randspec:SEED``       a diagonal spectrum of 2^n i.i.d. standard normal values drawn from SEED
- ``pauli:0.5*ZZI+...``   any real Pauli sum (see :mod:`rmt_qgm.spec` for the qubit convention)
- ``tfim:h``              open transverse-field Ising chain  H = -sum Z_i Z_(i+1) - h sum X_i
- ``heisenberg``          open Heisenberg chain  H = sum (X_i X_(i+1) + Y_i Y_(i+1) + Z_i Z_(i+1))

Internal form: H is stored as groups ``g`` of (xmask_g, c_g) with

    (H psi)(y) = sum_g c_g[y] * psi(y XOR xmask_g),

which is exact for any Pauli sum (terms sharing an x-mask merge into one group) and makes a diagonal
Hamiltonian a single group with xmask 0.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numba import njit

from .checks import check_qubits
from .errors import UserInputError
from .spec import PauliString, format_pauli_sum, parse_pauli_sum

#: Largest n for which spectra are computed by dense diagonalisation.
DENSE_SPECTRUM_MAX_QUBITS = 11

PRESETS = ("fidelity", "projector:d", "diag:v1,v2,...|@FILE", "randspec:SEED", "pauli:SUM",
           "tfim:h", "heisenberg")


@njit(cache=True)
def apply_grouped(psi, xmasks, coeffs, out):
    """out = H psi with H in grouped form (module docstring). float64/complex128 kernel."""
    dim = psi.shape[0]
    for y in range(dim):
        out[y] = 0.0
    for g in range(xmasks.shape[0]):
        xm = xmasks[g]
        for y in range(dim):
            out[y] += coeffs[g, y] * psi[y ^ xm]
    return out


@njit(cache=True)
def expectation_grouped(psi, xmasks, coeffs):
    """<psi|H|psi> (real part) with H in grouped form."""
    dim = psi.shape[0]
    acc = 0.0
    for g in range(xmasks.shape[0]):
        xm = xmasks[g]
        for y in range(dim):
            v = coeffs[g, y] * psi[y ^ xm]
            acc += psi[y].real * v.real + psi[y].imag * v.imag
    return acc


def pauli_phase_vector(p: PauliString) -> np.ndarray:
    """The vector c with (P psi)(y) = c[y] psi(y XOR xmask): c[y] = i^ny (-1)^popcount((y^xmask) & zmask)."""
    dim = 2 ** p.n
    y = np.arange(dim, dtype=np.int64)
    src = y ^ p.xmask
    parity = np.zeros(dim, dtype=np.int64)
    z = src & p.zmask
    while np.any(z):
        parity ^= z & 1
        z >>= 1
    return (1j ** p.ny) * (1.0 - 2.0 * parity)


@dataclass
class Hamiltonian:
    """A Hamiltonian on ``n`` qubits in grouped form; build it with :func:`parse_hamiltonian`."""

    n: int
    spec: str
    xmasks: np.ndarray            # int64[G]
    coeffs: np.ndarray            # complex128[G, 2^n]
    pauli_terms: list[tuple[float, PauliString]] | None = field(default=None, repr=False)

    @property
    def dim(self) -> int:
        return 2 ** self.n

    @property
    def is_diagonal(self) -> bool:
        return bool(np.all(self.xmasks == 0))

    def diagonal(self) -> np.ndarray:
        """Diagonal in the computational basis (real)."""
        d = np.zeros(self.dim)
        for xm, c in zip(self.xmasks, self.coeffs):
            if xm == 0:
                d += c.real
        return d

    def apply(self, psi: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """H psi."""
        psi = np.ascontiguousarray(psi, dtype=np.complex128)
        if out is None:
            out = np.empty_like(psi)
        return apply_grouped(psi, self.xmasks, self.coeffs, out)

    def expectation(self, psi: np.ndarray) -> float:
        """<psi|H|psi> for a normalised psi."""
        return float(expectation_grouped(np.ascontiguousarray(psi, dtype=np.complex128),
                                         self.xmasks, self.coeffs))

    def to_dense(self) -> np.ndarray:
        """Dense 2^n x 2^n matrix (for references and small n only)."""
        dim = self.dim
        h = np.zeros((dim, dim), dtype=np.complex128)
        y = np.arange(dim)
        for xm, c in zip(self.xmasks, self.coeffs):
            h[y, y ^ xm] += c
        return h

    @cached_property
    def spectrum(self) -> np.ndarray:
        """All 2^n eigenvalues, ascending (dense diagonalisation up to n = 11; diagonal H at any n)."""
        if self.is_diagonal:
            return np.sort(self.diagonal())
        if self.n > DENSE_SPECTRUM_MAX_QUBITS:
            raise UserInputError(
                f"hamiltonian: the full spectrum of a non-diagonal H needs n <= "
                f"{DENSE_SPECTRUM_MAX_QUBITS}; got n = {self.n}")
        return np.linalg.eigvalsh(self.to_dense())

    @cached_property
    def ground_energy(self) -> float:
        """E0, the smallest eigenvalue."""
        if self.is_diagonal or self.n <= DENSE_SPECTRUM_MAX_QUBITS:
            return float(self.spectrum[0])
        from scipy.sparse.linalg import LinearOperator, eigsh
        op = LinearOperator((self.dim, self.dim), matvec=lambda v: self.apply(v.astype(np.complex128)),
                            dtype=np.complex128)
        return float(eigsh(op, k=1, which="SA", return_eigenvectors=False)[0])

    @cached_property
    def mean_energy(self) -> float:
        """Ebar = Tr H / 2^n, the Haar average of <psi|H|psi>."""
        return float(self.diagonal().sum() / self.dim)

    def to_normalised(self, F):
        """t = (F - E0) / (Ebar - E0): 0 at the ground energy, 1 at the Haar mean."""
        return (np.asarray(F, dtype=float) - self.ground_energy) / (self.mean_energy - self.ground_energy)

    def from_normalised(self, t):
        """Inverse of :meth:`to_normalised`: F = E0 + t (Ebar - E0)."""
        return self.ground_energy + np.asarray(t, dtype=float) * (self.mean_energy - self.ground_energy)


def _from_diagonal(n: int, spec: str, diag: np.ndarray) -> Hamiltonian:
    return Hamiltonian(n, spec, np.zeros(1, dtype=np.int64),
                       np.ascontiguousarray(np.asarray(diag, dtype=np.complex128)[None, :]))


def _from_pauli_terms(n: int, spec: str, terms: list[tuple[float, PauliString]]) -> Hamiltonian:
    groups: dict[int, np.ndarray] = {}
    for coef, p in terms:
        vec = coef * pauli_phase_vector(p)
        if p.xmask in groups:
            groups[p.xmask] = groups[p.xmask] + vec
        else:
            groups[p.xmask] = vec
    keys = sorted(groups)
    xmasks = np.array(keys, dtype=np.int64)
    coeffs = np.ascontiguousarray(np.array([groups[k] for k in keys], dtype=np.complex128))
    return Hamiltonian(n, spec, xmasks, coeffs, pauli_terms=list(terms))


def _chain_terms(n: int, pairs: str, coef: float) -> list[tuple[float, PauliString]]:
    terms = []
    for i in range(n - 1):
        for a in pairs:
            word = ["I"] * n
            word[i] = word[i + 1] = a
            terms.append((coef, _word(word)))
    return terms


def _word(chars: list[str]) -> PauliString:
    from .spec import parse_pauli_string
    return parse_pauli_string("".join(chars))


def _read_values(path: str) -> np.ndarray:
    if not os.path.isfile(path):
        raise UserInputError(f"hamiltonian: diag file not found: {path!r}")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise UserInputError(f"hamiltonian: cannot read diag file {path!r}: {exc.strerror}") from None
    return _parse_values(text.replace("\n", ",").replace(" ", ",").replace("\t", ","), f"file {path!r}")


def _parse_values(text: str, where: str) -> np.ndarray:
    try:
        vals = np.array([float(v) for v in text.split(",") if v.strip()], dtype=float)
    except ValueError:
        raise UserInputError(f"hamiltonian: diag values in {where} must be real numbers separated by "
                             f"commas") from None
    if vals.size and not np.all(np.isfinite(vals)):
        raise UserInputError(f"hamiltonian: diag values in {where} must be finite")
    return vals


def parse_hamiltonian(spec: str, n: int) -> Hamiltonian:
    """Build the Hamiltonian named by ``spec`` on ``n`` qubits (module docstring lists the specs)."""
    n = check_qubits(n)
    if not isinstance(spec, str) or not spec.strip():
        raise UserInputError(f"hamiltonian must be one of {', '.join(PRESETS)}; got {spec!r}")
    s = spec.strip()
    head, _, arg = s.partition(":")
    head = head.lower()
    dim = 2 ** n
    if head == "fidelity" and not arg:
        d = np.ones(dim)
        d[0] = 0.0
        return _from_diagonal(n, "fidelity", d)
    if head == "projector":
        if not arg.strip().isdigit() or not 1 <= int(arg) < dim:
            raise UserInputError(f"hamiltonian projector:d needs an integer d in [1, {dim - 1}] for "
                                 f"n = {n}; got {spec!r}")
        k = int(arg)
        d = np.ones(dim)
        d[:k] = 0.0
        return _from_diagonal(n, f"projector:{k}", d)
    if head == "diag":
        if arg.startswith("@"):
            vals = _read_values(arg[1:])
        else:
            vals = _parse_values(arg, "the spec")
        if vals.size != dim:
            raise UserInputError(f"hamiltonian diag: needs exactly 2^n = {dim} values for n = {n}; "
                                 f"got {vals.size}")
        return _from_diagonal(n, s, vals)
    if head == "randspec":
        if not arg.strip().isdigit():
            raise UserInputError(f"hamiltonian randspec:SEED needs a non-negative integer SEED; "
                                 f"got {spec!r}")
        vals = np.random.default_rng(int(arg)).standard_normal(dim)
        return _from_diagonal(n, f"randspec:{int(arg)}", vals)
    if head == "pauli":
        terms = parse_pauli_sum(arg, n, name="hamiltonian")
        return _from_pauli_terms(n, "pauli:" + format_pauli_sum(terms), terms)
    if head == "tfim":
        try:
            h = float(arg)
        except ValueError:
            raise UserInputError(f"hamiltonian tfim:h needs a real field h; got {spec!r}") from None
        if not np.isfinite(h):
            raise UserInputError(f"hamiltonian tfim:h needs a finite field h; got {spec!r}")
        if n < 2:
            raise UserInputError("hamiltonian tfim needs qubits >= 2")
        terms = _chain_terms(n, "Z", -1.0)
        for i in range(n):
            word = ["I"] * n
            word[i] = "X"
            terms.append((-h, _word(word)))
        return _from_pauli_terms(n, f"tfim:{h!r}", terms)
    if head == "heisenberg" and not arg:
        if n < 2:
            raise UserInputError("hamiltonian heisenberg needs qubits >= 2")
        return _from_pauli_terms(n, "heisenberg", _chain_terms(n, "XYZ", 1.0))
    raise UserInputError(f"hamiltonian must be one of {', '.join(PRESETS)}; got {spec!r}")


def random_pauli_sum(n: int, n_terms: int, rng: np.random.Generator) -> str:
    """A spec string of ``n_terms`` random non-identity Pauli words with N(0,1) coefficients."""
    terms = []
    while len(terms) < n_terms:
        letters = rng.integers(0, 4, size=n)
        if not letters.any():
            continue
        word = "".join("IXYZ"[k] for k in letters)
        terms.append(f"{rng.standard_normal():+.6f}*{word}")
    return "pauli:" + "".join(terms).lstrip("+")
