"""The package's runtime calibration and the command that rebuilds it (``rmt-qgm calibrate``).

``rmt_qgm/data/basin_law_g3.json`` holds the fit of law (G3), which ``predict`` uses for the optimiser-found
minima (rmt_qgm.theory.laws.optimiser, docs/theory.md §16.6):

    log α′ = c_H + b_p log p + b_d log d,   d = 2^n, one intercept c_H per calibrated spectrum,

an ordinary least-squares fit to the fit points stored in the same file (``fit_points``: n, p, spectrum and
the α′ at which (B1') reproduces the optimiser's median, measured in validation/basin_ceiling_law.py,
docs/studies/basin_ceiling_law.md; ``alpha`` is the value at the median, ``alpha_range`` adds the α′ at the
ends of the median's 95 % interval). The file stores the coefficients, (XᵀX)⁻¹, the residual s.d. and its
degrees of freedom, the number of points, the calibrated qubit counts and γ, and the provenance of the
measurement (law, date, version, ceiling quantile, source).

:func:`rebuild` refits the coefficients from the stored points; ``rmt-qgm calibrate`` writes the rebuilt file
(atomically; the file is left as it is when nothing differs beyond RTOL, so a rebuild on another BLAS does not
churn the last bits), ``rmt-qgm calibrate --check`` exits 1 when the rebuilt coefficients differ from the
shipped ones. The study writes the file through :func:`write_calibration` with its new points.
"""
from __future__ import annotations

import json
import os

import numpy as np

#: the shipped calibration file
CALIBRATION_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "basin_law_g3.json")
#: what a fit determines (compared by --check)
FIT_KEYS = ("hamiltonians", "beta", "xtx_inv", "s", "df", "points")
#: relative tolerance of the comparison: least squares on another BLAS moves the last bits (about 1e-16)
RTOL = 1e-9


def fit_log_alpha(points: list[dict]) -> dict:
    """OLS of log α on (spectrum intercepts, log p, log d) over ``points`` ({n, p, hamiltonian, alpha});
    returns the spectra (sorted), the coefficients, (XᵀX)⁻¹, the residual s.d. and its degrees of freedom, the
    number of points and κ = −b_d / b_p. The fit of laws (G2) and (G3) (validation/basin_scaling_law.py,
    validation/basin_ceiling_law.py)."""
    from .theory.laws.optimiser import design
    hams = sorted({q["hamiltonian"] for q in points})
    X = np.array([design(q["n"], q["p"], [float(q["hamiltonian"] == h) for h in hams]) for q in points])
    y = np.log([q["alpha"] for q in points])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    df = len(y) - X.shape[1]
    s = float(np.sqrt(np.sum((y - X @ beta) ** 2) / df))
    return {"hamiltonians": hams, "beta": beta.tolist(), "xtx_inv": np.linalg.inv(X.T @ X).tolist(), "s": s,
            "df": df, "points": len(y), "kappa": float(-beta[-1] / beta[-2])}


def _point(q: dict) -> dict:
    out = {"n": int(q["n"]), "p": int(q["p"]), "hamiltonian": q["hamiltonian"], "alpha": float(q["alpha"])}
    for k in ("alpha_range", "source"):
        if k in q:
            out[k] = q[k]
    return out


def build(points: list[dict], provenance: dict) -> dict:
    """The calibration file's content: the fit of ``points``, the calibrated range and ``provenance`` (law,
    date, version, ceiling_q, source), and the points themselves."""
    fit = fit_log_alpha(points)
    return {**{k: fit[k] for k in FIT_KEYS},
            **{k: provenance[k] for k in ("law", "date", "version", "ceiling_q", "source")},
            "qubits": [min(q["n"] for q in points), max(q["n"] for q in points)],
            "gammas": sorted({q["p"] / 2 ** (q["n"] + 1) for q in points}),
            "fit_points": [_point(q) for q in points]}


def load(path: str | None = None) -> dict:
    with open(path or CALIBRATION_FILE, encoding="utf-8") as fh:
        return json.load(fh)


def rebuild(stored: dict) -> dict:
    """``stored`` with everything the fit determines recomputed from its ``fit_points``."""
    if not stored.get("fit_points"):
        raise ValueError("the calibration file has no fit_points to rebuild from")
    return build(stored["fit_points"], stored)


def differences(a: dict, b: dict, rtol: float = RTOL) -> list[str]:
    """The keys of FIT_KEYS (and the calibrated range) on which ``a`` and ``b`` differ beyond ``rtol``, each
    with its largest relative difference."""
    out = []
    for k in FIT_KEYS + ("qubits", "gammas"):
        x, y = a.get(k), b.get(k)
        if k == "hamiltonians" or x is None or y is None:
            if x != y:
                out.append(f"{k}: {x!r} != {y!r}")
            continue
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if x.shape != y.shape:
            out.append(f"{k}: shape {x.shape} != {y.shape}")
            continue
        rel = np.abs(x - y) / np.maximum(np.abs(y), 1e-300)
        if not np.allclose(x, y, rtol=rtol, atol=0.0):
            out.append(f"{k}: largest relative difference {float(np.max(rel)):.3g}")
    return out


def write_calibration(points: list[dict], provenance: dict, path: str | None = None) -> dict:
    """Fit ``points`` and write the calibration file atomically; returns its content."""
    from .store import atomic_write_json
    cal = build(points, provenance)
    atomic_write_json(path or CALIBRATION_FILE, cal)
    return cal


def calibrate(check: bool = False, path: str | None = None) -> tuple[int, list[str]]:
    """``rmt-qgm calibrate [--check]``: (exit code, report lines). Rebuilds the fit from the file's points;
    with ``check`` only compares (exit 1 on a difference beyond RTOL), otherwise writes the rebuilt file
    when it differs (exit 0)."""
    from .store import atomic_write_json
    path = path or CALIBRATION_FILE
    stored = load(path)
    new = rebuild(stored)
    diff = differences(new, stored)
    lines = [f"(G3) basin-law calibration {path}: {new['points']} fit points, {len(new['hamiltonians'])} spectra, "
             f"n = {new['qubits'][0]}-{new['qubits'][1]}, residual s.d. {new['s']:.4g} ({new['df']} d.o.f.)"]
    if not diff:
        lines.append(f"rebuilt coefficients equal the stored ones (relative tolerance {RTOL:g})")
        return 0, lines
    lines += [f"rebuilt coefficients differ from the stored ones: {d}" for d in diff]
    if check:
        return 1, lines
    atomic_write_json(path, new)
    lines.append("written")
    return 0, lines
