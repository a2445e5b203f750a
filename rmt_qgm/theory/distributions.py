"""Predicted distributions as scipy.stats frozen distributions.

A predicted law is tabulated as a density d(t) on nodes t_0 < t_1 < ... < t_N of the normalised variable t and
mapped to raw loss units by the affine map F = E0 + t (Ebar - E0) of the Hamiltonian (docs/theory.md §3.1; for
a pure WHRF(m, p) the map is the identity and the units are t). Two layers:

- :class:`tabulated_gen`, a ``scipy.stats.rv_continuous`` for the tabulated law in t on [a, b] = [t_0, t_hi]
  (t_hi: the first node after the last nonzero density, or t_N);
- :class:`TabulatedDistribution`, a ``scipy.stats`` *frozen* distribution (a subclass of
  ``rv_continuous_frozen``) of that generator with ``loc = units.offset = E0`` and ``scale = units.scale =
  Ebar - E0`` (> 0), so F = loc + scale t and the whole frozen interface (pdf, logpdf, cdf, logcdf, sf, logsf,
  ppf, isf, median, mean, var, std, stats, moment, interval, expect, entropy, rvs, support) works in the
  output units. :class:`LocalMinimaDistribution` and :class:`CriticalValueDistribution` build it from a
  Kac–Rice density.

The formulae (h = the largest node spacing; the error orders are those of the law against the smooth density
that was tabulated, assuming it has two bounded derivatives):

- normalisation: d is clipped at 0 and divided by its trapezoid integral, so the piecewise-linear pdf
  (``np.interp`` of d between the nodes, 0 outside) integrates to exactly 1; pdf error O(h^2).
- cdf: the cumulative trapezoid C_i = sum_{j<i} (t_{j+1} - t_j)(d_j + d_{j+1}) / 2 at the nodes, linear in
  between (not the piecewise-quadratic integral of the pdf; the two differ by O(h^2) between nodes); O(h^2).
- sf: the same sum taken from the right, S_i = sum_{j>=i} ..., linear in between, so that small upper-tail
  probabilities keep their relative accuracy instead of being 1 - C (cancellation).
- ppf: the inverse of the cdf by linear interpolation of (C_i, t_i) over the nodes where C strictly increases
  (and the first node). This is the exact inverse of the piecewise-linear cdf except across a run of two or
  more zero-density nodes (a gap, or leading zeros), where it interpolates over the whole run instead of the
  last cell; it is kept so for bit-for-bit continuity with the cached circuit-model predictions
  (validation/circuit_model_cache.py). ppf(1) is the first node at which the cdf reaches 1.
- isf: the exact inverse of the piecewise-linear sf (the cell containing the level, then linear), accurate in
  the upper tail; isf(q) = ppf(1 - q) up to rounding wherever ppf is the exact inverse.
- mean, var, skewness, kurtosis and moments E[t^n]: trapezoid sums of t^n d(t) (central moments for var,
  skewness and kurtosis); O(h^2). In F units: mean = loc + scale mean_t, var = scale^2 var_t.
- entropy: -int pdf log pdf of the piecewise-linear pdf, exact cell by cell (closed form), plus log(scale).
- rvs: inverse-cdf sampling, ppf(U) with U uniform from the given numpy Generator.
- expect: Gauss–Legendre (8 points) on every cell of the piecewise-linear pdf, exact for polynomial func of
  degree <= 14 (scipy's quad default would meet a kink at every node).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from ..checks import check_float

#: the classes built on scipy.stats, created on first use (module ``__getattr__``, PEP 562): importing this
#: module for AffineUnits alone (circuit_kacrice, small_loss, problem) does not import scipy.stats (1-2 s)
SCIPY_CLASSES = ("tabulated_gen", "TabulatedDistribution", "LocalMinimaDistribution", "CriticalValueDistribution")


@dataclass(frozen=True)
class AffineUnits:
    """F = offset + scale * t (docs/theory.md §3.1). ``units`` names the output variable. For the
    Hamiltonian's map, scale = Ebar - E0 > 0; a :class:`TabulatedDistribution` needs scale > 0 (it is
    scipy's ``scale``)."""

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


def tabulate(t, density, name: str = "distribution") -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(t, d, C, S) of a density tabulated on the strictly increasing nodes ``t``: d = max(density, 0) divided
    by its trapezoid integral, C and S the cumulative trapezoid from the left (C_0 = 0, C_N = 1) and from the
    right (S_0 = 1, S_N = 0) (module docstring). ValueError if the density has no (finite) mass."""
    t = np.asarray(t, dtype=float)
    d = np.clip(np.asarray(density, dtype=float), 0.0, None)
    if t.ndim != 1 or t.shape != d.shape or t.size < 2:
        raise ValueError(f"{name}: t and the density must be 1-d arrays of the same length >= 2, "
                         f"got shapes {t.shape} and {d.shape}")
    if not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
        raise ValueError(f"{name}: the nodes t must be finite and strictly increasing")
    cells = 0.5 * (d[1:] + d[:-1]) * np.diff(t)
    cdf = np.concatenate([[0.0], np.cumsum(cells)])
    total = cdf[-1]
    if not np.isfinite(total) or total <= 0:
        raise ValueError(f"{name}: the tabulated density has no mass")
    sf = np.concatenate([np.cumsum(cells[::-1])[::-1], [0.0]])
    return t, d / total, cdf / total, sf / sf[0]


def _mean_xlogx(d0: np.ndarray, d1: np.ndarray) -> np.ndarray:
    """The mean of x log x over x in [d0, d1] (x >= 0; 0 log 0 = 0): (G(d1) - G(d0)) / (d1 - d0) with
    G = x^2 log x / 2 - x^2 / 4, or its series about the midpoint when |d1 - d0| is small."""
    d0, d1 = np.asarray(d0, dtype=float), np.asarray(d1, dtype=float)
    m, h = 0.5 * (d0 + d1), 0.5 * (d1 - d0)
    out = np.zeros_like(m)
    with np.errstate(divide="ignore", invalid="ignore"):
        small = (m > 0) & (np.abs(h) < 1e-2 * m)
        ms, r2 = m[small], (h[small] / m[small]) ** 2     # g(m) + g''(m) h^2/6 + g''''(m) h^4/120 + g^(6) h^6/7!
        out[small] = ms * (np.log(ms) + r2 / 6 + r2 ** 2 / 60 + r2 ** 3 / 210)
        big = (m > 0) & ~small

        def G(x):
            return np.where(x > 0, 0.5 * x * x * np.log(np.where(x > 0, x, 1.0)), 0.0) - 0.25 * x * x
        out[big] = (G(d1[big]) - G(d0[big])) / (d1[big] - d0[big])
    return out


# The methods of the scipy-backed classes live in plain mixins, so that this module imports without scipy.stats;
# _define_scipy_classes makes tabulated_gen = (_TabulatedGen, rv_continuous), TabulatedDistribution =
# (_Tabulated, rv_continuous_frozen), LocalMinimaDistribution = (_LocalMinima, TabulatedDistribution) and
# CriticalValueDistribution = (_CriticalValues, TabulatedDistribution).

class _TabulatedGen:
    """The law with the piecewise-linear density tabulated on nodes t (in t units), on [a, b] = [t_0, t_hi]
    (t_hi: the first node after the last nonzero density, or the last node). Build with
    ``tabulated_gen(t, density)`` (normalised here) and freeze with ``loc``, ``scale`` for F = loc + scale t.
    pdf: linear interpolation; cdf, sf: cumulative trapezoid from either side, linear between nodes; ppf:
    linear interpolation of the inverse; isf: exact inverse of the sf; moments: trapezoid sums; entropy and
    expect: exact (Gauss–Legendre per cell) for the piecewise-linear pdf (module docstring: the formulae and
    their error orders). A ``scipy.stats.rv_continuous``."""

    def __init__(self, t=None, density=None, *, tables=None, **kwargs):
        name = kwargs.setdefault("name", "tabulated")
        if tables is None:
            tables = tabulate(t, density, name)
        t, d, c, s = tables
        self._tables = tables
        nz = np.nonzero(d > 0)[0]
        kwargs.setdefault("a", float(t[0]))
        kwargs.setdefault("b", float(t[min(nz[-1] + 1, len(t) - 1)]))
        keep = np.concatenate([[True], np.diff(c) > 0])       # ppf: the nodes where the cdf strictly increases
        self._ppf_c, self._ppf_t = c[keep], t[keep]
        self._isf_s, self._isf_t = s[::-1], t[::-1]             # sf on reversed nodes: nondecreasing
        super().__init__(**kwargs)

    def _updated_ctor_param(self):
        """scipy re-creates the generator when freezing: pass the tables on, not re-normalised."""
        dct = super()._updated_ctor_param()
        dct["tables"] = self._tables
        return dct

    def _construct_doc(self, docdict, shapes_vals=None):
        """Keep the class docstring (scipy's per-instance docstring templating costs ~0.5 ms a law)."""

    def _pdf(self, x):
        t, d, _, _ = self._tables
        return np.interp(x, t, d, left=0.0, right=0.0)

    def _cdf(self, x):
        t, _, c, _ = self._tables
        return np.interp(x, t, c, left=0.0, right=1.0)

    def _sf(self, x):
        t, _, _, s = self._tables
        return np.interp(x, t, s, left=1.0, right=0.0)

    def _ppf(self, q):
        return np.interp(q, self._ppf_c, self._ppf_t)

    def _isf(self, q):
        q = np.asarray(q, dtype=float)
        s, t = self._isf_s, self._isf_t
        i = np.clip(np.searchsorted(s, q, side="left"), 1, len(s) - 1)   # s[i-1] < q <= s[i] for 0 < q < 1
        s0, s1 = s[i - 1], s[i]
        return t[i - 1] + (q - s0) / (s1 - s0) * (t[i] - t[i - 1])

    def _stats(self):
        t, d, _, _ = self._tables
        mu = np.trapezoid(t * d, t)
        dt = t - mu
        mu2 = np.trapezoid(dt ** 2 * d, t)
        g1 = np.trapezoid(dt ** 3 * d, t) / mu2 ** 1.5
        g2 = np.trapezoid(dt ** 4 * d, t) / mu2 ** 2 - 3.0
        return mu, mu2, g1, g2

    def _munp(self, n):
        t, d, _, _ = self._tables
        return np.trapezoid(t ** n * d, t)

    def _entropy(self):
        t, d, _, _ = self._tables
        return float(-np.sum(np.diff(t) * _mean_xlogx(d[:-1], d[1:])))

    def expect(self, func=None, args=(), loc=0, scale=1, lb=None, ub=None, conditional=False, **kwds):
        """E[func(X)] over [lb, ub] (default: the support), X = loc + scale T: an 8-point Gauss–Legendre rule on
        every cell between nodes, where the pdf is linear, so exact for the piecewise-linear pdf when func is a
        polynomial of degree <= 14 (scipy's quad, the default, meets a kink at every node). ``func`` is
        called on an array, else element by element. With quad keywords (``kwds``) scipy's quad-based
        expect is used instead. ``conditional``: divided by the mass of [lb, ub]."""
        if kwds or args:
            return super().expect(func, args, loc, scale, lb, ub, conditional, **kwds)
        t = self._tables[0]
        lo = max(self.a if lb is None else (lb - loc) / scale, t[0])
        hi = min(self.b if ub is None else (ub - loc) / scale, t[-1])
        if not hi > lo:
            return np.float64(np.nan if conditional else 0.0)
        e = np.concatenate([[lo], t[(t > lo) & (t < hi)], [hi]])
        x, w = np.polynomial.legendre.leggauss(8)
        half = 0.5 * np.diff(e)[:, None]
        tt = 0.5 * (e[1:] + e[:-1])[:, None] + half * x
        mass = half * w * self._pdf(tt)
        F = loc + scale * tt
        if func is None:
            vals = F
        else:
            try:
                vals = np.asarray(func(F))
                if vals.shape != F.shape:
                    raise ValueError
            except (TypeError, ValueError):
                vals = np.vectorize(func)(F)
        out = np.sum(mass * vals)
        return np.asarray(out / np.sum(mass) if conditional else out)[()]


class _Tabulated:
    """A continuous law given by a density on a grid of t, as a scipy.stats frozen distribution in the units of
    ``units`` (``loc = units.offset``, ``scale = units.scale``; module docstring for the formulae).

    Beyond the frozen interface: ``units``, ``name``, :meth:`mode`, :meth:`grid` and the tables ``_t``, ``_d``
    (normalised density in t), ``_cdf`` (cdf at the nodes). A grid starting above t = 0 gets the origin added
    with density 0 (the laws live on t >= 0). Where this class departs from scipy's frozen conventions it
    keeps the behaviour the package had before it was a scipy distribution:

    - :meth:`support` is the interval where the density is nonzero, widened by one node on each side (where
      the mass is); scipy's ``(loc + a scale, loc + b scale)`` starts at the first node instead, and the two
      differ only when the density has two or more leading zero nodes.
    - :meth:`ppf` and :meth:`interval` raise for q or confidence outside [0, 1] (scipy returns nan); ppf(1) is
      the first node where the cdf reaches 1 (scipy's isf(0) returns b).
    - :meth:`rvs` draws one variate by default and seeds ``numpy.random.default_rng`` with an int or None
      (scipy: a legacy RandomState); a Generator (or RandomState) is used as given.
    - :meth:`median`, :meth:`mean`, :meth:`mode` return Python floats.

    A subclass of ``scipy.stats._distn_infrastructure.rv_continuous_frozen``.
    """

    def __init__(self, t: np.ndarray, density_t: np.ndarray, units: AffineUnits | None = None,
                 name: str = "distribution"):
        t = np.asarray(t, dtype=float)
        d = np.clip(np.asarray(density_t, dtype=float), 0.0, None)
        if t.ndim == 1 and t.size and t[0] > 0:    # the law lives on [0, inf): add the origin with density 0
            t = np.concatenate([[0.0], t])
            d = np.concatenate([[0.0], d])
        units = units or AffineUnits()
        if not (np.isfinite(units.offset) and np.isfinite(units.scale) and units.scale > 0):
            raise ValueError(f"{name}: the units need a finite offset and scale > 0 (F = offset + scale t, "
                             f"scipy's loc and scale), got offset {units.offset!r}, scale {units.scale!r}")
        super().__init__(tabulated_gen(tables=tabulate(t, d, name), name=name),  # noqa: F821 (made with this class)
                         loc=float(units.offset), scale=float(units.scale))
        self.units = units
        self.name = name
        self._t, self._d, self._cdf, _ = self.dist._tables

    # -- kept from the package's earlier scipy-like API (class docstring) --
    def ppf(self, q):
        q = np.asarray(q, dtype=float)
        if np.any((q < 0) | (q > 1)):
            raise ValueError("ppf: q must lie in [0, 1]")
        return self.units.to_F(self.dist._ppf(q))

    def median(self) -> float:
        return float(self.ppf(0.5))

    def mean(self) -> float:
        return float(super().mean())

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
        if not isinstance(random_state, (np.random.Generator, np.random.RandomState)):
            random_state = np.random.default_rng(random_state)
        return super().rvs(size=size, random_state=random_state)

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """(F, pdf(F)) on the tabulation grid."""
        return self.units.to_F(self._t), self._d / abs(self.units.scale)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, loc={self.units.offset:g}, scale={self.units.scale:g})"


class _LocalMinima:
    """Law of local-minimum values, docs/theory.md §5.5 (*), from a Kac–Rice index-0 density (a
    :class:`TabulatedDistribution`)."""

    @classmethod
    def from_kacrice(cls, kr, units: AffineUnits | None = None) -> "LocalMinimaDistribution":
        t, rho = kr.density(0)
        return cls(t, rho, units, name=f"local minima, WHRF(m={kr.m}, p={kr.p})")


class _CriticalValues:
    """Law of the values of index-k critical points, from a Kac–Rice density (a :class:`TabulatedDistribution`)."""

    @classmethod
    def from_kacrice(cls, kr, k: int, units: AffineUnits | None = None) -> "CriticalValueDistribution":
        t, rho = kr.density(k)
        return cls(t, rho, units, name=f"index-{k} critical values, WHRF(m={kr.m}, p={kr.p})")


_define_lock = threading.Lock()


def _define_scipy_classes() -> None:
    """Create tabulated_gen, TabulatedDistribution, LocalMinimaDistribution and CriticalValueDistribution
    (once) as module-level classes: each is its mixin in front of its scipy base."""
    with _define_lock:
        if "TabulatedDistribution" in globals():
            return
        from scipy.stats._distn_infrastructure import rv_continuous, rv_continuous_frozen

        def make(name, mixin, base):
            cls = type(name, (mixin, base), {"__module__": __name__, "__qualname__": name, "__doc__": mixin.__doc__})
            globals()[name] = cls
            return cls
        make("tabulated_gen", _TabulatedGen, rv_continuous)
        tab = make("TabulatedDistribution", _Tabulated, rv_continuous_frozen)
        make("LocalMinimaDistribution", _LocalMinima, tab)
        make("CriticalValueDistribution", _CriticalValues, tab)


def __getattr__(name: str):
    if name in SCIPY_CLASSES:
        _define_scipy_classes()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(SCIPY_CLASSES))
