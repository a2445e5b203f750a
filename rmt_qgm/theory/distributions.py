"""Predicted distributions in the style of scipy.stats frozen distributions.

A distribution is tabulated as a density on a grid of the normalised variable t and mapped to raw loss
units by the affine map F = E0 + t (Ebar - E0) of the Hamiltonian (docs/theory.md §3.1; for a pure WHRF(m, p)
the map is the identity and the units are t). ``pdf, cdf, ppf, median, mean, interval, support, rvs,
mode`` all work in the output units. The cdf is the cumulative trapezoid of the tabulated density
(linear in between nodes), ppf its inverse by interpolation.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..checks import check_float


@dataclass(frozen=True)
class AffineUnits:
    """F = offset + scale * t. ``units`` names the output variable."""

    offset: float = 0.0
    scale: float = 1.0
    units: str = "t = F / E[F] (normalised)"

    @classmethod
    def for_hamiltonian(cls, ham) -> "AffineUnits":
        """t = (F - E0) / (Ebar - E0) mapped back to F = <psi|H|psi>."""
        return cls(ham.ground_energy, ham.mean_energy - ham.ground_energy, "F = <psi|H|psi> (raw loss)")

    @classmethod
    def for_spectrum(cls, spectrum) -> "AffineUnits":
        """The same map from the eigenvalues alone: E0 = min, Ebar = mean."""
        s = np.asarray(spectrum, dtype=float)
        return cls(float(s.min()), float(s.mean() - s.min()), "F = <psi|H|psi> (raw loss)")

    def to_F(self, t):
        return self.offset + self.scale * np.asarray(t, dtype=float)

    def to_t(self, F):
        return (np.asarray(F, dtype=float) - self.offset) / self.scale


class TabulatedDistribution:
    """A continuous law given by a density on a grid of t, in the units of ``units``."""

    def __init__(self, t: np.ndarray, density_t: np.ndarray, units: AffineUnits | None = None,
                 name: str = "distribution"):
        t = np.asarray(t, dtype=float)
        d = np.clip(np.asarray(density_t, dtype=float), 0.0, None)
        if t[0] > 0:                       # the law lives on [0, inf): add the origin with density 0
            t = np.concatenate([[0.0], t])
            d = np.concatenate([[0.0], d])
        cdf = np.concatenate([[0.0], np.cumsum(0.5 * (d[1:] + d[:-1]) * np.diff(t))])
        total = cdf[-1]
        if not np.isfinite(total) or total <= 0:
            raise ValueError(f"{name}: the tabulated density has no mass")
        self._t, self._d, self._cdf = t, d / total, cdf / total
        self.units = units or AffineUnits()
        self.name = name

    # -- scipy.stats-like API (output units) --
    def pdf(self, x):
        t = self.units.to_t(x)
        return np.interp(t, self._t, self._d, left=0.0, right=0.0) / abs(self.units.scale)

    def cdf(self, x):
        return np.interp(self.units.to_t(x), self._t, self._cdf, left=0.0, right=1.0)

    def ppf(self, q):
        q = np.asarray(q, dtype=float)
        if np.any((q < 0) | (q > 1)):
            raise ValueError("ppf: q must lie in [0, 1]")
        keep = np.concatenate([[True], np.diff(self._cdf) > 0])
        return self.units.to_F(np.interp(q, self._cdf[keep], self._t[keep]))

    def median(self) -> float:
        return float(self.ppf(0.5))

    def mean(self) -> float:
        tm = np.trapezoid(self._t * self._d, self._t)
        return float(self.units.to_F(tm))

    def interval(self, confidence: float):
        c = check_float("confidence", confidence, 0.0, 1.0)
        return float(self.ppf((1 - c) / 2)), float(self.ppf((1 + c) / 2))

    def support(self):
        nz = np.nonzero(self._d > 0)[0]
        lo, hi = self._t[max(nz[0] - 1, 0)], self._t[min(nz[-1] + 1, len(self._t) - 1)]
        return float(self.units.to_F(lo)), float(self.units.to_F(hi))

    def mode(self) -> float:
        return float(self.units.to_F(self._t[np.argmax(self._d)]))

    def rvs(self, size=1, random_state: np.random.Generator | int | None = None):
        rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
        return self.ppf(rng.random(size))

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """(F, pdf(F)) on the tabulation grid."""
        return self.units.to_F(self._t), self._d / abs(self.units.scale)


class LocalMinimaDistribution(TabulatedDistribution):
    """Law of local-minimum values, docs/theory.md §5.5 (*), from a Kac–Rice index-0 density."""

    @classmethod
    def from_kacrice(cls, kr, units: AffineUnits | None = None) -> "LocalMinimaDistribution":
        t, rho = kr.density(0)
        return cls(t, rho, units, name=f"local minima, WHRF(m={kr.m}, p={kr.p})")


class CriticalValueDistribution(TabulatedDistribution):
    """Law of the values of index-k critical points, from a Kac–Rice density."""

    @classmethod
    def from_kacrice(cls, kr, k: int, units: AffineUnits | None = None) -> "CriticalValueDistribution":
        t, rho = kr.density(k)
        return cls(t, rho, units, name=f"index-{k} critical values, WHRF(m={kr.m}, p={kr.p})")
