"""The question a prediction answers, parsed once: n qubits, p parameters, the loss's Hamiltonian.

Every landscape model receives one :class:`Problem`. It holds the Hamiltonian's *spectral law* (distinct
eigenvalues and their multiplicities, :class:`SpectralLaw`), the affine map between raw loss F = <psi|H|psi>
and the normalised t = (F - E0)/(Ebar - E0) (docs/theory.md §3.1), gamma = p / 2^(n+1) and the spectrum's
transition p_c = 2 (d - d0) (docs/theory.md §12.1). For ``fidelity`` and ``projector:D`` the law is written
down exactly at any n (two levels), so sizes whose dense spectrum would not fit in memory (n up to 30) still
have a problem; other specs need their 2^n eigenvalues (diagonal specs up to ``DENSE_LAW_MAX_QUBITS``,
non-diagonal Pauli sums up to the dense-diagonalisation limit of :mod:`rmt_qgm.hamiltonians`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .checks import check_int
from .errors import UserInputError

#: largest qubit count ``predict`` accepts (issue: every n <= 30 answers or is refused cleanly)
MAX_PREDICT_QUBITS = 30
#: largest parameter count ``predict`` accepts
MAX_PREDICT_PARAMS = 10 ** 6
#: diagonal specs other than fidelity/projector materialise 2^n eigenvalues: 2^24 float64 = 128 MiB
DENSE_LAW_MAX_QUBITS = 24


@dataclass(frozen=True)
class SpectralLaw:
    """Distinct eigenvalues ``levels`` (ascending) with integer multiplicities ``counts`` (sum d = 2^n).

    Duck-compatible with :func:`rmt_qgm.theory.asymptotics.spherical.spectral_law`, which accepts any object
    with ``levels`` and ``weights`` in place of a dense spectrum.
    """

    levels: np.ndarray
    counts: np.ndarray

    @property
    def dim(self) -> int:
        return int(self.counts.sum())

    @property
    def weights(self) -> np.ndarray:
        """Fractions counts / d."""
        return self.counts / self.counts.sum()

    @property
    def E0(self) -> float:
        return float(self.levels[0])

    @property
    def Emax(self) -> float:
        return float(self.levels[-1])

    @property
    def Ebar(self) -> float:
        """Tr H / d, the Haar mean of F."""
        return float(np.dot(self.levels, self.weights))

    @property
    def ground_degeneracy(self) -> int:
        return int(self.counts[0])

    @classmethod
    def from_spectrum(cls, spectrum: np.ndarray) -> "SpectralLaw":
        """Group a dense spectrum: the ground level takes every eigenvalue within the transition's
        degeneracy tolerance of E0 (:func:`rmt_qgm.theory.laws.transition.ground_degeneracy`), the others merge
        within 1e-12 of the spread (as :func:`.theory.spherical_asymptotics.spectral_law`)."""
        from .theory.laws.transition import ground_degeneracy
        s = np.sort(np.asarray(spectrum, dtype=float).ravel())
        width = s[-1] - s[0]
        if s.size < 2 or not np.all(np.isfinite(s)) or width <= 0:
            raise UserInputError("hamiltonian must have at least two distinct finite eigenvalues")
        d0 = ground_degeneracy(s)
        rest = s[d0:]
        breaks = np.flatnonzero(np.diff(rest) > 1e-12 * width) + 1
        groups = np.split(rest, breaks) if rest.size else []
        levels = np.array([s[0]] + [g.mean() for g in groups])
        counts = np.array([d0] + [g.size for g in groups], dtype=float)
        return cls(levels, counts)

    def coarse(self, max_levels: int) -> "SpectralLaw":
        """At most ``max_levels`` levels: the ground level kept exactly, the others merged into equal-count
        groups at their mean (so Ebar and the ground degeneracy are unchanged). The spectral law moves by at
        most one group's width in Wasserstein-infinity distance."""
        if self.levels.size <= max_levels:
            return self
        lv, ct = self.levels[1:], self.counts[1:]
        cum = np.cumsum(ct)
        k = max_levels - 1
        cuts = np.searchsorted(cum, np.linspace(0, cum[-1], k + 1)[1:-1], side="right")
        new_l, new_c = [self.levels[0]], [self.counts[0]]
        for g_l, g_c in zip(np.split(lv, cuts), np.split(ct, cuts)):
            if g_c.size:
                new_c.append(g_c.sum())
                new_l.append(float(np.dot(g_l, g_c) / g_c.sum()))
        return SpectralLaw(np.array(new_l), np.array(new_c))


def _two_level_law(n: int, d0: int) -> SpectralLaw:
    return SpectralLaw(np.array([0.0, 1.0]), np.array([float(d0), float(2 ** n - d0)]))


@dataclass
class Problem:
    """(n, p, H) for every model. Build it with :func:`parse_problem`."""

    n_qubits: int | None
    n_params: int
    hamiltonian: str | None
    law: SpectralLaw | None
    dof: int | None = None                 # a pure WHRF(m, p), no Hamiltonian

    @property
    def gamma(self) -> float:
        """p / 2^(n+1) (for a pure WHRF: p / m)."""
        if self.n_qubits is None:
            return self.n_params / self.dof
        return self.n_params / 2.0 ** (self.n_qubits + 1)

    @property
    def dim(self) -> int:
        return 2 ** self.n_qubits

    @cached_property
    def units(self):
        from .theory.distributions import AffineUnits
        if self.law is None:
            return AffineUnits()
        return AffineUnits(self.law.E0, self.law.Ebar - self.law.E0, "F = <psi|H|psi> (raw loss)")

    @property
    def params_c(self) -> int | None:
        """p_c = 2 (d - d0) (docs/theory.md §12.1)."""
        if self.law is None:
            return None
        return 2 * (self.law.dim - self.law.ground_degeneracy)

    @property
    def overparameterised(self) -> bool:
        return self.params_c is not None and self.n_params >= self.params_c


def parse_problem(n_qubits, n_params, hamiltonian: str = "fidelity", dof=None) -> Problem:
    """Check and parse (n, p, H) once. ``dof`` (instead of n) asks for a pure WHRF(m = dof, p)."""
    p = check_int("params", n_params, 1, MAX_PREDICT_PARAMS)
    if dof is not None:
        m = check_int("dof", dof, 2)
        if n_qubits is not None:
            raise UserInputError("dof: give either --qubits or --dof (a pure WHRF(m, p) has no qubits)")
        return Problem(None, p, None, None, dof=m)
    if n_qubits is None:
        raise UserInputError("qubits: predict needs --qubits N (1 <= N <= 30) or --dof M (>= 2)")
    n = check_int("qubits", n_qubits, 1, MAX_PREDICT_QUBITS)
    if not isinstance(hamiltonian, str) or not hamiltonian.strip():
        raise UserInputError(f"hamiltonian: a spec string is needed (fidelity, projector:D, ...); got {hamiltonian!r}")
    spec = hamiltonian.strip()
    head, _, arg = spec.partition(":")
    head = head.lower()
    if head == "fidelity" and not arg:
        return Problem(n, p, "fidelity", _two_level_law(n, 1))
    if head == "projector" and arg.strip().isdigit() and 1 <= int(arg) < 2 ** n:
        return Problem(n, p, f"projector:{int(arg)}", _two_level_law(n, int(arg)))
    if head in ("diag", "randspec") and n > DENSE_LAW_MAX_QUBITS:
        raise UserInputError(f"qubits: hamiltonian {head}:... needs all 2^n eigenvalues, so n <= "
                             f"{DENSE_LAW_MAX_QUBITS}; got n = {n} (fidelity and projector:D work at any n <= "
                             f"{MAX_PREDICT_QUBITS})")
    from .hamiltonians import DENSE_SPECTRUM_MAX_QUBITS, parse_hamiltonian
    if head not in ("diag", "randspec", "fidelity", "projector") and n > DENSE_SPECTRUM_MAX_QUBITS:
        raise UserInputError(f"qubits: the spectrum of a non-diagonal hamiltonian is computed densely, so n <= "
                             f"{DENSE_SPECTRUM_MAX_QUBITS}; got n = {n} (fidelity and projector:D work at any "
                             f"n <= {MAX_PREDICT_QUBITS})")
    ham = parse_hamiltonian(spec, n)
    return Problem(n, p, ham.spec, SpectralLaw.from_spectrum(ham.spectrum))
