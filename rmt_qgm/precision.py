"""High-precision helpers: mpmath under local precision, with the digits lost reported.

Every analytic quantity is computed inside ``mp.workdps(dps)``; :func:`with_digits_lost` recomputes it
at twice the precision and reports how many of the ``dps`` digits were lost. Global mpmath state is never
changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import mpmath as mp


@dataclass(frozen=True)
class HPResult:
    """A value computed at ``dps`` digits, with the digits lost against a 2*dps recomputation."""

    value: mp.mpf
    dps: int
    digits_lost: int

    def __float__(self) -> float:
        return float(self.value)


def digits_agreeing(a, b, dps: int) -> int:
    """Number of significant digits on which a and b agree, capped at dps."""
    with mp.workdps(2 * dps + 10):
        a, b = mp.mpf(a), mp.mpf(b)
        if a == b:
            return dps
        scale = max(abs(a), abs(b))
        if scale == 0:
            return dps
        rel = abs(a - b) / scale
        return int(max(0, min(dps, mp.floor(-mp.log10(rel)))))


def with_digits_lost(fn: Callable[[], object], dps: int) -> HPResult:
    """Evaluate ``fn()`` under ``mp.workdps(dps)`` and ``mp.workdps(2 dps)``; report digits lost."""
    with mp.workdps(dps):
        lo = mp.mpf(fn())
    with mp.workdps(2 * dps):
        hi = mp.mpf(fn())
    lost = dps - digits_agreeing(lo, hi, dps)
    return HPResult(lo, dps, int(lost))
