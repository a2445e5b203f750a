"""Landscape models and their critical-point statistics (docs/theory.md §3–§17).

The public API (what the README uses), loaded on first access so that importing one model does not import all:

- :func:`predict` and its result :class:`Prediction` (with :class:`Law` / :class:`NoLaw`), the model registry
  :data:`MODELS` and its ``auto`` rule :func:`choose`;
- the distributions :class:`TabulatedDistribution` (a scipy.stats frozen distribution in raw loss units) and
  :class:`AffineUnits`;
- the models' own estimators: :func:`kac_rice_circuit` (exact circuit model), :func:`expected_counts` (isotropic
  WHRF), :func:`kac_rice_spherical` (spherical surrogate), :func:`asymptotic_summary` (asymptotic levels for any
  spectrum), :func:`spectral_transition` (gamma_c = 1 - d0/2^n).
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "predict": ".predict", "predict_raw": ".predict",
    "Prediction": ".prediction", "Law": ".prediction", "NoLaw": ".prediction",
    "MODELS": ".registry", "choose": ".registry",
    "TabulatedDistribution": ".distributions", "AffineUnits": ".distributions",
    "kac_rice_circuit": ".models.circuit", "expected_counts": ".models.whrf", "kac_rice_spherical": ".models.spherical",
    "asymptotic_summary": ".asymptotics.minima_complexity", "spectral_transition": ".laws.transition",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
