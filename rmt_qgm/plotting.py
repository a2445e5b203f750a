"""Drawing primitives shared by the figure builders (:mod:`rmt_qgm.figures`, :mod:`rmt_qgm.paper_fig1`).

Kept apart from :mod:`rmt_qgm.figures` so that a builder module never imports the module that dispatches
to it (no import cycle). Figures are drawn on a :class:`matplotlib.figure.Figure` with the Agg canvas (no
pyplot, no global backend switch).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

COLORS: tuple[str, ...] = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")
GAMMA_LABEL = r"$\gamma = p\,/\,2^{n+1}$"
T_LABEL = r"$t = (F - E_0)\,/\,(\bar E - E_0)$"


@dataclass
class FigureData:
    """A drawn figure and the table of its data (numeric columns)."""

    fig: object
    columns: list[str]
    rows: list[Sequence[float]]


def new_figure(width: float, height: float, ncols: int = 1):
    """A constrained-layout Figure on the Agg canvas and its row of ``ncols`` axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, axes


def reliability_markers(ax, x, y, reliable, color: str, *, marker: str = "o", size: float = 4.5,
                        zorder: float = 5, label: str | None = None, label_unreliable: str | None = None):
    """Markers at (x, y): filled where ``reliable``, hollow (white face) where not; NaN points skipped.

    ``label`` names the filled markers and ``label_unreliable`` the hollow ones in the legend (each only
    when such markers exist)."""
    import numpy as np
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.asarray(reliable, dtype=bool) & np.isfinite(y)
    bad = ~np.asarray(reliable, dtype=bool) & np.isfinite(y)
    if ok.any():
        ax.plot(x[ok], y[ok], ls="none", marker=marker, ms=size, color=color, mec=color, zorder=zorder,
                label=label)
    if bad.any():
        ax.plot(x[bad], y[bad], ls="none", marker=marker, ms=size, color=color, mfc="white", mec=color,
                mew=1.0, zorder=zorder, label=label_unreliable)
