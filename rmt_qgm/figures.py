"""Paper figures, one builder per named figure; each writes PNG + PDF + CSV (README, `rmt-qgm figure`).

:func:`make_figure` writes ``OUT/NAME.png``, ``OUT/NAME.pdf`` and ``OUT/NAME.csv`` (the plotted data,
numeric columns only, one header row, readable with ``numpy.genfromtxt(path, delimiter=",",
names=True)``; NaN where a column does not apply to a row, as each builder's docstring says), all
atomically (:mod:`rmt_qgm.store`). ``quick=True`` runs small samples (every quick figure takes about a
minute or less on two cores); the default runs the larger samples meant for a paper.

Figures (``FIGURE_NAMES``); the docstring of each ``_fig_*`` builder states what is drawn, the formula
and where it comes from:

- ``minima-vs-gamma``: certified local-minimum losses F of randomized circuits (infidelity loss) per
  gamma = p / 2^(n+1), against predict's default answer (model auto): the optimiser-found law (q10–q90 band,
  median) and the all-minima median, the model used per point, hollow markers where a law is not reliable,
  and the derived transition gamma_c = 1 - 2^-n.
- ``phase-diagram``: median found minimum (normalised t) and fraction of global minima against gamma for
  three spectra, against predict's asymptotic model (concentration and edge levels, fixed spectral law,
  2^n -> inf) and the derived transition gamma_c = 1 - d0/2^n per spectrum.
- ``hessian-spectrum``: exact Hessian eigenvalues at found minima against the exact circuit model's
  conditional Hessian law at a local minimum (predict's default model there) and the isotropic WHRF's
  (the ICLR 2022 surrogate, for comparison) with its asymptotic spectral edges.
- ``critical-counts``: finite-size Kac–Rice counts by index against exhaustive enumeration for a pure
  WHRF(m, p) (model whrf, the only model defined there).
- ``published-vs-engine``: the Nat. Commun. Crt_0 mode (read as x and 2x), t_e(gamma), the MP edge,
  the engine's finite-size law (*) of the isotropic WHRF (model whrf: the model the published formulas
  describe) and circuit Monte Carlo, all in t = F / E[F].
- ``paper-fig1``: the ICLR 2022 Fig. 1 (:mod:`rmt_qgm.paper_fig1`), with the asymptotic model's edge level.
- ``minima-vs-n``: both laws of predict's default answer against n = 4..20 at gamma = 0.25 (infidelity),
  marking reliability and the switch from the exact circuit model to the asymptotic levels, with circuit
  Monte Carlo at n <= 6 (where the theory is checked).

Theory drawn from ``predict`` uses its default model choice (``model="auto"``) with a time budget of
QUICK_BUDGET seconds in quick mode (auto picks what fits; the CSV column ``predict_budget_s`` says which)
and the registry's default otherwise; figures that draw a named model say which and why.

Conventions: gamma = p / 2^(n+1); raw loss F = <psi|H|psi> unless an axis says t; counts per [0, pi)^p.
All randomness comes from :func:`rmt_qgm.seeding.generator` keyed by the figure and its parameters.
Figures are drawn on a :class:`matplotlib.figure.Figure` with the Agg canvas (no pyplot, no global
backend switch), inside ``matplotlib.rc_context(STYLE)``.
"""
from __future__ import annotations

import io
import math
import os
import time
from typing import Callable, Sequence

import numpy as np

from . import gamma_of
from .analysis import compare_counts, hessians_at_minima, whrf_critical_count_fields, whrf_minimum_hessian_draws
from .checks import check_choice, check_int, check_writable_dir
from .plotting import COLORS, GAMMA_LABEL, T_LABEL, FigureData, reliability_markers
from .plotting import new_figure as _new_figure
from .seeding import generator
from .store import atomic_savefig, atomic_write_bytes

FIGURE_NAMES: tuple[str, ...] = ("minima-vs-gamma", "phase-diagram", "hessian-spectrum", "critical-counts",
                                 "published-vs-engine", "paper-fig1", "minima-vs-n")

#: One style for every figure: small serif-free fonts sized for a two-column paper, light grid.
STYLE: dict[str, object] = {
    "font.size": 8.5,
    "axes.titlesize": 8.5,
    "axes.labelsize": 8.5,
    "legend.fontsize": 7,
    "legend.framealpha": 0.85,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "grid.linewidth": 0.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.4,
    "lines.markersize": 4.5,
    "errorbar.capsize": 2.0,
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "pdf.fonttype": 42,
    "mathtext.fontset": "dejavusans",
}

#: gamma grid of the circuit figures (p = round(gamma 2^(n+1))).
GAMMAS: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0, 1.5)
SPECTRA: tuple[str, ...] = ("fidelity", "projector:2", "randspec:1")
#: predict's time budget (seconds) in quick mode: auto picks the most accurate model that fits it (the full
#: figures use predict's default budget, :data:`rmt_qgm.theory.registry.DEFAULT_BUDGET`)
QUICK_BUDGET = 10.0
#: the ``theory_model`` code of the figure CSVs: the index of the model predict used in this tuple
THEORY_MODELS: tuple[str, ...] = ("circuit", "asymptotic", "spherical", "weighted", "whrf", "edge", "circuit-edge")


def make_figure(name: str, out: str, *, quick: bool = False, seed: int = 0, workers: int = 1,
                cached_only: bool = False) -> list[str]:
    """Build figure ``name`` and write ``out/NAME.png``, ``out/NAME.pdf``, ``out/NAME.csv``.

    Returns the three paths. ``quick`` selects small samples; ``seed`` is the root seed of every random
    draw; ``workers`` processes run the circuit simulations. ``paper-fig1`` keeps its simulations in
    ``out/paper-fig1-sims`` (a resumable sweep store, :mod:`rmt_qgm.paper_fig1`); ``cached_only`` draws
    it from that store without simulating. Bad input raises
    :class:`rmt_qgm.errors.UserInputError` (one line naming the parameter and its allowed values).
    """
    check_choice("name", name, FIGURE_NAMES)
    seed = check_int("seed", seed, 0)
    workers = check_int("workers", workers, 1)
    out = check_writable_dir("out", out)
    import matplotlib
    with matplotlib.rc_context(STYLE):
        if name == "paper-fig1":
            from .paper_fig1 import build
            data = build(bool(quick), seed, workers, os.path.join(out, "paper-fig1-sims"),
                         simulate=not cached_only)
        else:
            data = _BUILDERS[name](bool(quick), seed, workers)
        paths = [atomic_savefig(data.fig, os.path.join(out, f"{name}.{ext}"), **kw)
                 for ext, kw in (("png", {}), ("pdf", {"metadata": {"Creator": "rmt_qgm.figures"}}))]
    csv_path = os.path.join(out, f"{name}.csv")
    atomic_write_bytes(csv_path, _csv_bytes(data.columns, data.rows))
    return paths + [csv_path]


# ----------------------------------------------------------------------------------------------- helpers

def _csv_bytes(columns: list[str], rows: list[Sequence[float]]) -> bytes:
    buf = io.StringIO()
    buf.write(",".join(columns) + "\n")
    for r in rows:
        if len(r) != len(columns):
            raise ValueError(f"figure CSV row has {len(r)} fields, header {len(columns)}")
        buf.write(",".join(str(int(v)) if isinstance(v, (int, np.integer)) else f"{float(v):.10g}"
                           for v in r) + "\n")
    return buf.getvalue().encode()


def _n_params(gamma: float, n: int) -> int:
    return max(1, int(round(gamma * 2 ** (n + 1))))


def _minima(res) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(F, instance, start) of the certified local minima (index 0) of a SimulationResult."""
    a = res.arrays()
    sel = a["certified"].astype(bool) & (a["index"] == 0)
    return a["F"][sel], a["instance"][sel], a["start"][sel]


def _simulate(n: int, p: int, ham: str, starts: int, instances: int, seed: int, workers: int):
    from .simulate import run_simulation
    return run_simulation(n, p, ansatz="randomized", hamiltonian=ham, starts=starts, instances=instances,
                          seed=seed, workers=workers)


def _quantiles(x: np.ndarray) -> tuple[float, float, float]:
    q = np.quantile(x, [0.1, 0.5, 0.9])
    return float(q[0]), float(q[1]), float(q[2])


def _budget(quick: bool) -> float:
    """predict's time budget: QUICK_BUDGET in quick mode, else the registry's default."""
    from .theory.registry import DEFAULT_BUDGET
    return QUICK_BUDGET if quick else DEFAULT_BUDGET


def _predict_auto(n: int, p: int, spec: str, budget: float, seed: int) -> dict:
    """predict's default answer (model auto) for (n, p, spec) within ``budget`` seconds, flattened for drawing:
    {model, reason, opt, minima (the laws' dicts, None where no law), gamma, gamma_c, params_c, over, units}."""
    from .problem import parse_problem
    from .theory.predict import predict
    pr = predict(n, p, spec, budget=budget, seed=seed)
    d = pr.to_dict()
    law = {k: (d[k] if d[k].get("available", True) else None) for k in ("optimiser_minima", "minima")}
    tr = d["transition"]
    return {"model": pr.model, "reason": pr.model_reason, "opt": law["optimiser_minima"], "minima": law["minima"],
            "gamma": float(pr.gamma), "gamma_c": float(tr["gamma_c"]), "params_c": int(tr["params_c"]),
            "over": p >= int(tr["params_c"]), "units": parse_problem(n, p, spec).units}


def _lv(law: dict | None, key: str) -> float:
    """A law's number (NaN where there is no law)."""
    return math.nan if law is None or law.get(key) is None else float(law[key])


def _reliable(law: dict | None) -> bool:
    return bool(law is not None and law.get("reliable"))


def _model_code(model: str) -> int:
    return THEORY_MODELS.index(model)


def _why_unreliable(laws) -> list[str]:
    """Short, de-duplicated forms of the ``reason`` clauses of the laws that are not reliable (for a legend)."""
    from .theory.laws.optimiser import CALIBRATED_GAMMA_MAX, CALIBRATED_QUBITS, FEW_MINIMA
    from .theory.predict import MAX_MEDIAN_RSE
    from .theory.kacrice.draws import MIN_ESS
    short = (("above the calibrated range", f"γ > {CALIBRATED_GAMMA_MAX:g}: outside the basin-law (G3) fit"),
             ("outside the calibrated qubit counts",
              f"n outside the (G3) fit's n = {CALIBRATED_QUBITS[0]}–{CALIBRATED_QUBITS[1]}"),
             ("is not calibrated", "spectrum not in the (G3) fit"),
             ("failed its declared test", None),                 # the tail of the gamma clause above
             ("local minima per instance", f"< {FEW_MINIMA:g} local minima per instance"),
             ("relative standard error of the median", f"median s.e. > {MAX_MEDIAN_RSE:.0%}"),
             ("effective sample size", f"effective sample size < {MIN_ESS}"),
             ("asymptotic level", "2$^n$ → ∞ limit: finite-size corrections not modelled"),
             ("circuit medians sit", None))                      # the tail of the asymptotic clause
    out: list[str] = []
    for law in laws:
        if law is None or law.get("reliable"):
            continue
        for clause in (law.get("reason") or "not reliable").split("; "):
            s = next((v for k, v in short if k in clause), clause.split(" (")[0][:60])
            if s is not None and s not in out:
                out.append(s)
    return out


def _segments(keys: list) -> list[slice]:
    """Runs of equal consecutive keys, as slices."""
    out, start = [], 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            out.append(slice(start, i))
            start = i
    return out


def _model_label(model: str, over: bool, budget: float) -> str:
    """Which model predict (auto) used and why, short (the full reasons: predict's ``model_reason``)."""
    if over:
        return "asymptotic: p ≥ p_c, the transition\n  answers (optimiser ends at E$_0$)"
    if model == "circuit":
        return f"exact circuit model\n  (fits the {budget:g} s budget)"
    if model == "asymptotic":
        return f"asymptotic levels, 2$^n$ → ∞\n  (circuit model over the {budget:g} s budget)"
    return model


# -------------------------------------------------------------------------------------- minima-vs-gamma

def _fig_minima_vs_gamma(quick: bool, seed: int, workers: int) -> FigureData:
    """Optimiser-found local-minimum losses of randomized circuits against gamma, with predict's default answer.

    Monte Carlo: ``run_simulation`` with the randomized ansatz (Anschuetz, ICLR 2022; docs/theory.md §2.2),
    H = I - |0..0><0..0| (loss F = infidelity), Haar initial states; every certified minimum (max|grad| <=
    1e-8, Hessian index 0) is one point. These are optimiser-found, basin-weighted minima (docs/theory.md §16).

    Theory: ``predict(n, p, "fidelity")`` with its default model choice (``model="auto"``,
    :func:`rmt_qgm.theory.registry.choose`) and time budget (QUICK_BUDGET = 10 s in quick mode, so auto picks
    what fits; the registry's default 60 s otherwise), on a grid of p: the ``optimiser_minima`` law (median,
    q10–q90 band; for the exact circuit model the count law tilted by the fitted basin law (B1')/(G3),
    docs/theory.md §16-17) and the ``minima`` law's median (every local minimum counted once, Kac–Rice; thin
    line). Markers are hollow where the law is not ``reliable``; the legend lists why. For p >= p_c = 2 (d - d0)
    (gamma >= gamma_c = 1 - d0/2^n = 1 - 2^-n for the infidelity, derived: docs/theory.md §12.1, inertia
    bound) auto answers with the transition: the optimiser ends at a global minimum, F = E0; ``minima`` has no
    law there. The dashed vertical line is gamma_c. (a) linear scale; (b) the same below the transition on a log
    scale (minima at F = E0 = 0 off scale), where the approach to gamma_c and the shallow non-global minima found
    at p = p_c show.

    CSV: rows of two kinds (``row_kind``). 0: one theory point per p of the grid (instance = start = -1,
    F_min NaN). 1: one simulated certified minimum, with the theory of its p repeated (every simulated p is on
    the grid). ``theory_model`` is the index of the model predict used in THEORY_MODELS (0 circuit,
    1 asymptotic, ...); ``predict_budget_s`` the budget it was given; ``opt_*`` the optimiser-found law,
    ``minima_*`` the all-minima law (NaN median and reliable 0 where predict gives no law); ``gamma_c`` and
    ``params_c`` predict's transition.
    """
    from .hamiltonians import parse_hamiltonian
    n = 3 if quick else 4
    starts, instances = (8, 4) if quick else (16, 8)
    budget = _budget(quick)
    ham = parse_hamiltonian("fidelity", n)
    E0 = ham.ground_energy
    p_c = 2 * (2 ** n - 1)                                # d0 = 1 for the infidelity (docs/theory.md §12.1)
    sim_ps = sorted({_n_params(g, n) for g in GAMMAS} | {p_c})
    below = set(range(2, p_c, 2)) | {3, p_c - 1}          # every other p below p_c, and its last one
    grid = sorted(below | {p_c, p_c + 1} | set(sim_ps))
    th = {p: _predict_auto(n, p, "fidelity", budget, seed) for p in grid}
    gamma_c = th[grid[0]]["gamma_c"]
    if th[grid[0]]["params_c"] != p_c:
        raise AssertionError(f"predict's p_c {th[grid[0]]['params_c']} != 2 (2^n - 1) = {p_c}")

    rows: list[list[float]] = []

    def theory_cols(p):
        t = th[p]
        return [_model_code(t["model"]), budget, _lv(t["opt"], "q10"), _lv(t["opt"], "median"), _lv(t["opt"], "q90"),
                int(_reliable(t["opt"])), _lv(t["minima"], "median"), int(_reliable(t["minima"])), t["gamma_c"],
                t["params_c"]]

    for p in grid:
        rows.append([n, p, th[p]["gamma"], 0, -1, -1, math.nan] + theory_cols(p))
    half = 0.03
    jitter = generator(seed, "figure", "minima-vs-gamma", "jitter")
    sims = []
    for p in sim_ps:
        gam = gamma_of(n, p)
        F, inst, start = _minima(_simulate(n, p, "fidelity", starts, instances, seed, workers))
        sims.append((gam, F, gam + jitter.uniform(-half, half, F.size)))
        for f, i, j in zip(F, inst, start):
            rows.append([n, p, gam, 1, int(i), int(j), float(f)] + theory_cols(p))

    g_all = np.array([th[p]["gamma"] for p in grid])
    keys = [(th[p]["model"], th[p]["over"]) for p in grid]
    why = _why_unreliable([th[p][k] for p in grid for k in ("opt", "minima")])

    def draw(ax, legend: bool, log: bool = False):
        for seg in _segments(keys):
            model, over = keys[seg.start]
            c = (COLORS[3] if over else COLORS[1] if model == "circuit" else COLORS[4] if model == "asymptotic"
                 else "0.4")
            ps, g = grid[seg], g_all[seg]
            q10, med, q90 = (np.array([_lv(th[p]["opt"], k) for p in ps]) for k in ("q10", "median", "q90"))
            mmed = np.array([_lv(th[p]["minima"], "median") for p in ps])
            first = legend and (model, over) not in keys[:seg.start]
            name = _model_label(model, over, budget)
            if over:
                xs = np.concatenate([[gamma_c], g])
                ax.plot(xs, np.full(xs.size, E0), color=c, lw=1.8, zorder=2,
                        label=f"predict (auto) → {name}" if first else None)
            else:
                ax.fill_between(g, q10, q90, color=c, alpha=0.18, lw=0, zorder=1,
                                label=f"predict (auto) → {name}:\n  optimiser-found law, q10–q90"
                                if first else None)
                ax.plot(g, med, color=c, lw=1.8, zorder=2, label="  … its median" if first else None)
                if np.isfinite(mmed).any():
                    ax.plot(g, mmed, color=c, lw=0.8, ls="--", zorder=2,
                            label="  … all local minima (Kac–Rice), median" if first else None)
                    reliability_markers(ax, g, mmed, [_reliable(th[p]["minima"]) for p in ps], c, size=3.0)
            reliability_markers(ax, g, med if not over else np.full(g.size, E0),
                                [_reliable(th[p]["opt"]) for p in ps], c, size=4.5)
        ax.axvline(gamma_c, color="k", ls="--", lw=1.0, zorder=0,
                   label=f"$\\gamma_c = 1 - 2^{{-n}}$ = {gamma_c:g} (derived,\n  docs/theory.md §12.1): "
                         f"p ≥ p_c = {p_c}, minima global" if legend else None)
        for k, (gam, F, x) in enumerate(sims):
            ax.scatter(x, F, s=8, color=COLORS[0], alpha=0.6, edgecolors="none", zorder=3,
                       label=f"circuits: certified minima\n  ({instances} inst. × {starts} starts)"
                       if legend and k == 0 else None)
            if F.size and not (log and np.median(F) <= E0 + 1e-12):
                ax.plot([gam - 1.4 * half, gam + 1.4 * half], [np.median(F)] * 2, color=COLORS[0], lw=2.2,
                        zorder=4, label="circuits: median" if legend and k == 0 else None)
        if legend:
            ax.plot([], [], ls="none", marker="o", ms=4.5, color="0.3", label="filled: law reliable")
            if why:
                ax.plot([], [], ls="none", marker="o", ms=4.5, color="0.3", mfc="white",
                        label="hollow: law not reliable:\n  " + ";\n  ".join(why))
        ax.set_xlabel(GAMMA_LABEL)

    fig, (ax, axl) = _new_figure(8.0, 5.2, ncols=2)
    draw(ax, True)
    ax.set_ylabel("local-minimum loss F = ⟨ψ|H|ψ⟩")
    ax.set_xlim(0, max(g_all) + 0.08)
    ax.set_ylim(bottom=min(-0.02, E0 - 0.02))
    ax.set_title("(a) linear scale", loc="left")
    draw(axl, False, log=True)
    axl.set_yscale("log")
    axl.set_xlim(0.5 * min(g_all), gamma_c + 0.06)
    below = [p for p in grid if not th[p]["over"]]
    pos = [v for v in [_lv(th[p]["opt"], "q10") for p in below] if v > 0]
    pos += [float(v) for gam, F, _ in sims if gam < gamma_c for v in F if v > 1e-12]
    axl.set_ylim(0.3 * min(pos) if pos else 1e-4, 1.0)
    axl.set_ylabel("F (log scale; minima at F = E$_0$ = 0 off scale)")
    axl.set_title("(b) log scale, below the transition", loc="left")
    fig.suptitle(f"Randomized circuits, n = {n}, H = I − |0⟩⟨0| (F = infidelity, E$_0$ = {E0:g})\n"
                 f"theory: predict's default answer (model auto, budget {budget:g} s per point)", fontsize=8.5)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize=6.3)
    cols = ["n_qubits", "n_params", "gamma", "row_kind", "instance", "start", "F_min", "theory_model",
            "predict_budget_s", "opt_q10_F", "opt_median_F", "opt_q90_F", "opt_reliable", "minima_median_F",
            "minima_reliable", "gamma_c", "params_c"]
    return FigureData(fig, cols, rows)


# ---------------------------------------------------------------------------------------- phase-diagram

def _asymptotic_levels_t(law, units, gamma: float, dps: int = 20) -> tuple[float, float, float]:
    """(edge level f_e, upper end of the edge interval, concentration level f*) in t units, for a spectral law at
    gamma (fixed-law limit 2^n -> inf: :func:`rmt_qgm.theory.asymptotics.minima_complexity.asymptotic_summary`, the levels
    of predict's asymptotic model). NaN where the levels are not computed."""
    from .theory.asymptotics.minima_complexity import asymptotic_summary
    from .theory.registry import ASYMPTOTIC_MAX_LEVELS
    try:
        a = asymptotic_summary(law.coarse(ASYMPTOTIC_MAX_LEVELS), gamma, dps)
    except (ValueError, ArithmeticError):
        return math.nan, math.nan, math.nan
    thr = a.get("threshold")
    return (float(units.to_t(a["edge"])), float(units.to_t(a["edge_interval"][1])),
            math.nan if thr is None else float(units.to_t(thr)))


def _fig_phase_diagram(quick: bool, seed: int, workers: int) -> FigureData:
    """Trainability phase diagram: where found minima sit, and how often they are global, against gamma,
    for three spectra (SPECTRA: the infidelity, a projector with a 2-fold ground space, a random diagonal).

    Theory (predict's ``asymptotic`` model and transition; any spectrum):

    - (a) the asymptotic levels of local minima in the fixed-spectral-law limit 2^n -> inf at fixed gamma
      (the spectral law of this n held fixed; :func:`rmt_qgm.theory.asymptotics.minima_complexity.asymptotic_summary`,
      docs/theory.md §13-14): the concentration level f* (argmax of the minima complexity: where the local
      minima concentrate; solid) and the edge level f_e of Haar-typical critical points (predict's
      optimiser-found level in this limit; dashed where it differs from f*: for two-level spectra they
      coincide), in t = (F - E0)/(Ebar - E0). They are limits: at finite n circuit minima sit above them
      (docs/studies/asymptotic_edge.md). Points where the level solver fails (a narrow window just below gamma_c) are
      left out.
    - (b) the derived transition gamma_c = 1 - d0/2^n (p_c = 2 (2^n - d0), d0 the ground degeneracy; inertia
      bound, docs/theory.md §12.1), one vertical line per distinct d0. The simulated gammas include each p_c.

    Monte Carlo: randomized circuits per spectrum and gamma. (a): median (q10–q90 bars) of the certified minima
    in t. (b): fraction of certified minima that are global (F - E0 <= 1e-6 (Ebar - E0)).

    CSV: rows of two kinds (``row_kind``). 0: a point of the asymptotic curves (n_params = -1, Monte Carlo
    columns NaN, n_minima = n_starts = 0). 1: a simulated (spectrum, p), with the asymptotic levels at its
    gamma. ``spectrum`` indexes SPECTRA; ``asym_*_t`` are f_e, the upper end of the edge interval (least-spread
    states) and f*; NaN where the solver failed.
    """
    from .problem import parse_problem
    n = 3 if quick else 4
    base = (0.125, 0.25, 0.5, 0.625, 0.75, 1.0, 1.25, 1.5)
    starts, instances = (6, 3) if quick else (12, 6)
    n_curve = 28 if quick else 70
    fig, (axt, axf) = _new_figure(7.4, 4.4, ncols=2)
    rows: list[list[float]] = []
    markers = ("o", "s", "^")
    nsp = len(SPECTRA)
    probs = [parse_problem(n, 1, spec) for spec in SPECTRA]
    d = 2 ** n
    d0s = [pb.law.ground_degeneracy for pb in probs]
    pcs = [pb.params_c for pb in probs]
    gcs = [1.0 - d0 / d for d0 in d0s]
    sim_ps = sorted({_n_params(g, n) for g in base} | set(pcs))
    gmax = max(gamma_of(n, p) for p in sim_ps) + 0.05
    for si, spec in enumerate(SPECTRA):
        law, units, c = probs[si].law, probs[si].units, COLORS[si]
        # dense below gamma_c (where the levels fall steeply), a few points above (the levels are E0 there)
        g_dense = np.concatenate([np.linspace(0.02, gcs[si], n_curve)[:-1], [gcs[si]],
                                  np.linspace(gcs[si], gmax, 4)[1:]])
        lv = np.array([_asymptotic_levels_t(law, units, float(g)) for g in g_dense])
        ok = np.isfinite(lv[:, 0])
        two_level = np.allclose(lv[ok, 0], lv[ok, 2], rtol=1e-6, atol=1e-12)
        lab = "f* = f$_e$" if two_level else "f* (solid), f$_e$ (dashed)"
        axt.plot(g_dense[ok], lv[ok, 2], color=c, lw=1.3, label=f"asymptotic (2$^n$ → ∞), {spec}: {lab}")
        if not two_level:
            axt.plot(g_dense[ok], lv[ok, 0], color=c, lw=1.0, ls="--")
        for g, (fe, fu, fs) in zip(g_dense, lv):
            rows.append([si, n, 0, -1, float(g), d0s[si], gcs[si], pcs[si], fe, fu, fs] + [math.nan] * 4 + [0, 0])
    for gc in sorted(set(gcs), reverse=True):
        members = [SPECTRA[i] for i in range(nsp) if gcs[i] == gc]
        d0 = d0s[gcs.index(gc)]
        c = COLORS[gcs.index(gc)] if len(members) == 1 else "0.3"
        axf.axvline(gc, color=c, lw=1.2, ls="--",
                    label=f"$\\gamma_c$ = {gc:g}, d$_0$ = {d0}\n  ({', '.join(members)})")
    for si, spec in enumerate(SPECTRA):
        law, units, c = probs[si].law, probs[si].units, COLORS[si]
        pts = []
        for p in sim_ps:
            gam = gamma_of(n, p)
            res = _simulate(n, p, spec, starts, instances, seed, workers)
            s = res.summary()["minima"]
            F, _, _ = _minima(res)
            t = units.to_t(F)
            q10, med, q90 = _quantiles(t) if t.size else (math.nan,) * 3
            fe, fu, fs = _asymptotic_levels_t(law, units, gam)
            rows.append([si, n, 1, p, gam, d0s[si], gcs[si], pcs[si], fe, fu, fs, q10, med, q90, s["frac_global"],
                         t.size, starts * instances])
            pts.append((gam, q10, med, q90, s["frac_global"]))
        P = np.array(pts)
        dx = (si - (nsp - 1) / 2) * 0.015
        axt.errorbar(P[:, 0] + dx, P[:, 2], yerr=[P[:, 2] - P[:, 1], P[:, 3] - P[:, 2]], fmt=markers[si], ls="none",
                     color=c, ms=4, lw=1.0, label=f"circuits, {spec}: median [q10, q90]")
        axf.plot(P[:, 0] + dx, P[:, 4], marker=markers[si], color=c, lw=0.9, label=f"circuits, {spec}")
    axt.set_xlabel(GAMMA_LABEL)
    axt.set_ylabel("local-minimum loss " + T_LABEL)
    axt.set_xlim(0, gmax)
    axt.set_ylim(-0.02, None)
    axt.set_title("(a) where minima sit", loc="left")
    axt.legend(loc="upper right", fontsize=6)
    axf.set_xlabel(GAMMA_LABEL)
    axf.set_ylabel("fraction of certified minima that are global")
    axf.set_xlim(0, gmax)
    axf.set_ylim(-0.05, 1.05)
    axf.set_title("(b) trainability transition at $\\gamma_c = 1 - d_0/2^n$ (derived)", loc="left")
    axf.legend(loc="upper left", bbox_to_anchor=(0.0, 0.96), fontsize=6)
    fig.suptitle(f"Randomized circuits, n = {n}, {starts * instances} starts per point.\nTheory: predict's asymptotic "
                 "model (fixed spectral law of this n, 2$^n$ → ∞; any spectrum; docs/theory.md §13–14)\nand the "
                 "derived transition $\\gamma_c = 1 - d_0/2^n$ (§12.1). At this n circuit minima sit above the "
                 "limit (docs/studies/asymptotic_edge.md)", fontsize=8)
    cols = ["spectrum", "n_qubits", "row_kind", "n_params", "gamma", "ground_degeneracy", "gamma_c", "params_c",
            "asym_edge_t", "asym_edge_upper_t", "asym_concentration_t", "mc_q10_t", "mc_median_t", "mc_q90_t",
            "frac_global", "n_minima", "n_starts"]
    return FigureData(fig, cols, rows)


# ------------------------------------------------------------------------------------- hessian-spectrum

def _fig_hessian_spectrum(quick: bool, seed: int, workers: int) -> FigureData:
    """Hessian eigenvalues at optimiser-found minima against the exact circuit model's conditional law
    (:mod:`rmt_qgm.theory.models.circuit`: index-0 Kac–Rice draws, Gaussian kernel of width 0.02 (Ebar - E0)
    around each found minimum's F, mixed with equal weights) and the isotropic WHRF's. The legend names the
    models and why: the circuit model is what predict's auto rule picks at this (n, p) (checked with
    :func:`rmt_qgm.theory.registry.choose`; the legend says otherwise if it is not), the WHRF is the ICLR 2022
    surrogate, drawn for comparison.

    Monte Carlo: randomized circuits, H = I - |0..0><0..0|, gamma = 0.5; the exact Hessian
    (``Circuit.hessian``, dressed-generator formula) at every certified minimum; all eigenvalues pooled.

    Theory: isotropic WHRF(m = 2^(n+1), p) in t = (F - E0)/(Ebar - E0), where Hess F = 2 (Ebar - E0) M(t)
    and, at a local minimum with value t, M(t) = W - t I + sqrt(t) Z has the Kac–Rice conditional law
    p(M) |det M| 1{M > 0} (docs/theory.md §4, §5.5; :func:`rmt_qgm.analysis.whrf_minimum_hessian_draws`). It is
    evaluated at the empirical t of each found minimum and mixed with equal weights, so the comparison tests
    the Hessian law alone, not the law of values. Dotted lines: the asymptotic edges of mu_t (free convolution of
    Marchenko–Pastur with a semicircle, shift -t; :func:`rmt_qgm.theory.asymptotics.whrf.spectral_edges`) at the
    median empirical t, mapped to F units.

    CSV: one row per histogram bin (density per unit eigenvalue, both normalised to 1).
    """
    from .hamiltonians import parse_hamiltonian
    from .theory.asymptotics.whrf import spectral_edges
    n, p = (3, 8) if quick else (4, 16)
    starts, instances = (8, 6) if quick else (16, 8)
    draws = 20000 if quick else 40000
    ham = parse_hamiltonian("fidelity", n)
    E0, Eb = ham.ground_energy, ham.mean_energy
    m = 2 ** (n + 1)
    res = _simulate(n, p, "fidelity", starts, instances, seed, workers)
    eigs, Fs = hessians_at_minima(res)
    t_vals = (Fs - E0) / (Eb - E0)
    ev, w, ess = whrf_minimum_hessian_draws(m, p, t_vals, generator(seed, "figure", "hessian", m, p), draws)
    # exact circuit model: Kac–Rice draws at index 0, kernel-conditioned on each found minimum's F
    from .theory.models.circuit import kac_rice_circuit, minima_kernel_weights
    kr, kev = kac_rice_circuit(ham.spectrum, p, seed=seed, n_mc=draws, return_eigenvalues=True)
    Kc, ess_c = minima_kernel_weights(kr, Fs, 0.02 * (Eb - E0))
    c_ev = kev[kr.index == 0].reshape(-1)
    c_w = np.repeat(Kc.sum(axis=0)[:, None], p, axis=1).reshape(-1)
    scale = 2.0 * (Eb - E0)
    usable = w.sum(axis=1) > 0
    th_ev = (scale * ev[usable]).reshape(-1)
    th_w = np.repeat(w[usable][:, :, None], p, axis=2).reshape(-1) / max(1, usable.sum())
    emp = eigs.reshape(-1)
    t_med = float(np.median(t_vals)) if t_vals.size else 0.0
    left, right = (scale * float(e) for e in spectral_edges(p / m, t_med, 20))
    order = np.argsort(th_ev)
    hi = max(float(np.quantile(emp, 0.995)) if emp.size else 1.0, right,
             float(np.interp(0.995, np.cumsum(th_w[order]), th_ev[order])) if th_w.size else 1.0)
    bins = np.linspace(0.0, 1.05 * hi, int(np.clip(round(math.sqrt(max(emp.size, 1))), 12, 40)) + 1)
    width = np.diff(bins)
    # densities per unit eigenvalue over all eigenvalues (mass beyond the last bin is left out, not piled up)
    h_emp = np.histogram(emp, bins=bins)[0] / max(1, emp.size) / width
    h_th = np.histogram(th_ev, bins=bins, weights=th_w)[0] / max(th_w.sum(), 1e-300) / width
    h_c = np.histogram(c_ev, bins=bins, weights=c_w)[0] / max(c_w.sum(), 1e-300) / width
    from .problem import parse_problem
    from .theory.registry import choose
    auto = choose(parse_problem(n, p, "fidelity"), _budget(quick), {})[0]
    why_c = ("predict's default here" if auto == "circuit" else
             f"named: predict's default here is the {auto} model, which has no Hessian law")
    fig, (ax,) = _new_figure(6.0, 3.9)
    ax.stairs(h_emp, bins, fill=True, color=COLORS[0], alpha=0.45,
              label=f"circuits: exact Hessian at {len(Fs)} certified minima ({emp.size} eigenvalues)")
    ax.stairs(h_th, bins, color=COLORS[1], lw=1.8,
              label=f"isotropic WHRF(m={m}, p={p}), the ICLR 2022 surrogate (for comparison):\n"
                    f"Kac–Rice law at minima, at the same F (median ESS per minimum {np.median(ess):.0f})")
    ax.stairs(h_c, bins, color=COLORS[2], lw=1.8, ls="--",
              label=f"exact circuit model ({why_c}):\n"
                    f"Kac–Rice law at minima, at the same F (median ESS per minimum {np.median(ess_c):.0f})")
    for k, e in enumerate((left, right)):
        ax.axvline(e, color="0.3", ls=":", lw=1.2,
                   label=f"asymptotic edges of the WHRF spectrum $\\mu_t$ at median t = {t_med:.3f}"
                   if k == 0 else None)
    ax.set_xlim(min(0.0, left) - 0.03 * hi, bins[-1])
    ax.set_xlabel(r"Hessian eigenvalue of $F$ (loss units / rad$^2$)")
    ax.set_ylabel("density (per unit eigenvalue)")
    ax.set_title(f"Hessian spectrum at local minima: randomized circuits, n = {n}, p = {p}, γ = {gamma_of(n, p):g},\n"
                 "H = I − |0⟩⟨0|, against the exact circuit model and the isotropic WHRF")
    ax.set_ylim(0, 1.55 * max(float(h_emp.max()), float(h_th.max()), float(h_c.max()), 1e-12))
    ax.legend(loc="upper right", bbox_to_anchor=(0.9, 1.0))
    rows = [[n, p, gamma_of(n, p), float(a), float(b), float(he), float(ht), float(hc)]
            for a, b, he, ht, hc in zip(bins[:-1], bins[1:], h_emp, h_th, h_c)]
    cols = ["n_qubits", "n_params", "gamma", "bin_left", "bin_right", "empirical_density", "whrf_density",
            "circuit_model_density"]
    return FigureData(fig, cols, rows)


# -------------------------------------------------------------------------------------- critical-counts

def _fig_critical_counts(quick: bool, seed: int, workers: int) -> FigureData:
    """Expected critical points by Hessian index, per [0, pi)^p: Kac–Rice against exhaustive enumeration.

    Theory: finite-size Kac–Rice for the isotropic WHRF(m, p) (docs/theory.md §5.2, :func:`expected_counts`,
    Monte Carlo with exact standard errors). Data: mean counts over sampled fields F = |X w(theta)|^2
    whose critical points are all found by Newton from a dense grid and certified by the Euler identity
    (docs/theory.md §5.3, :func:`enumerate_critical_points`). Both via
    :func:`rmt_qgm.analysis.whrf_critical_count_fields` (the fields and Kac–Rice counts of the
    ``critical-count/whrf`` validation check); error bars are one standard error; each panel reports the
    largest z-score over indices.

    CSV: one row per (case, index k).
    """
    cases = ((6, 2, 100), (8, 3, 30)) if quick else ((6, 2, 400), (8, 3, 150), (12, 3, 100))
    fig, axes = _new_figure(3.3 * len(cases), 3.3, ncols=len(cases))
    rows: list[list[float]] = []
    for ax, (m, p, fields) in zip(axes, cases):
        sets, kac_rice = whrf_critical_count_fields(m, p, fields, seed)
        c = compare_counts(sets, kac_rice.counts, kac_rice.stderr)
        k = np.arange(p + 1)
        mean, se, kr, kse, z = c.enumerated_mean, c.enumerated_se, c.kac_rice, c.kac_rice_se, c.z
        ax.errorbar(k - 0.1, mean, yerr=se, fmt="o", color=COLORS[0], label=f"enumeration ({fields} fields)")
        ax.errorbar(k + 0.1, kr, yerr=kse, fmt="s", color=COLORS[1], label="Kac–Rice (finite size), model whrf")
        ax.set_xticks(k)
        ax.set_xlabel("Hessian index k")
        ax.set_ylabel(r"expected critical points per $[0,\pi)^p$")
        euler = "Euler identity holds" if c.euler_zero else "Euler identity FAILS"
        ax.set_title(f"WHRF(m={m}, p={p}): max z = {float(z.max()):.2f}\n{euler} for every field")
        ax.set_ylim(0, 1.4 * float(max(np.max(mean + se), np.max(kr + kse))))
        ax.legend(loc="upper right")
        for kk in k:
            rows.append([m, p, fields, int(kk), mean[kk], se[kk], kr[kk], kse[kk], z[kk]])
    fig.suptitle("Critical points of a pure isotropic WHRF(m, p) by index: Kac–Rice vs exhaustive enumeration\n"
                 "(model whrf: the only model of a pure WHRF, predict's default for --dof; no circuit here)",
                 fontsize=8.5)
    cols = ["m", "p", "fields", "k", "enumerated_mean", "enumerated_se", "kac_rice", "kac_rice_se", "z"]
    return FigureData(fig, cols, rows)


# ---------------------------------------------------------------------------------- published-vs-engine

def _fig_published_vs_engine(quick: bool, seed: int, workers: int) -> FigureData:
    """Published formulas vs the engine's finite-size prediction vs circuit Monte Carlo, in t = F / E[F].

    Curves (large-m statements): the Nat. Commun. 13, 7760 (2022) Crt_0 mode x*(gamma) =
    [3 + 2g - sqrt(4g^2 + 20g + 1)]/4 (:func:`rmt_qgm.theory.laws.published.natcomm_mode`, docs/theory.md §7.2), read as x
    and as 2x (factor-2 question, docs/theory.md §9.3); the free-convolution edge t_e(gamma) (docs/theory.md §5.6); the
    Marchenko–Pastur edge (1 - sqrt gamma)^2. Engine: the finite-size law (*) of local-minimum values of the
    isotropic WHRF(m = 2^(n+1), p) (docs/theory.md §5.5; median, q10–q90, via
    :func:`rmt_qgm.theory.laws.published.compare_published` and :func:`rmt_qgm.theory.models.whrf.expected_counts`),
    as in ``validation/published_vs_engine.py``. Monte Carlo: certified minima of randomized circuits with
    H = I - |0><0| (E0 = 0, so t = F / Ebar), median and q10–q90 (basin-weighted, docs/theory.md §6.3).

    CSV: one row per (m, p).
    """
    from .hamiltonians import parse_hamiltonian
    from .theory.asymptotics.whrf import edge_threshold
    from .theory.distributions import LocalMinimaDistribution
    from .theory.models.whrf import expected_counts
    from .theory.laws.published import compare_published, mp_edge_interval, natcomm_mode
    ns = (3,) if quick else (4, 5)
    gammas = (0.125, 0.25, 0.5)
    starts, instances = (8, 4) if quick else (16, 8)
    n_mc = 1000 if quick else 2000
    fig, (ax,) = _new_figure(6.2, 3.9)
    dense = np.linspace(0.005, 0.995, 300)
    nat = np.array([natcomm_mode(10_000, int(round(g * 20_000))) for g in dense])
    ax.plot(dense, nat, color=COLORS[3], ls="-.", label="Nat. Commun. Crt$_0$ mode, read as x")
    ax.plot(dense, 2 * nat, color=COLORS[3], ls=":", lw=1.6, label="Nat. Commun. Crt$_0$ mode, read as 2x")
    ax.plot(dense, [float(edge_threshold(g, 20).value) for g in dense], color="k",
            label=r"engine asymptotic $t_e(\gamma)$, model whrf")
    ax.plot(dense, [mp_edge_interval(g)[0] for g in dense], color="0.5", ls="--",
            label=r"MP edge $(1-\sqrt{\gamma})^2$")
    rows: list[list[float]] = []
    for ni, n in enumerate(ns):
        m = 2 ** (n + 1)
        ham = parse_hamiltonian("fidelity", n)
        eng, mc = [], []
        for g in gammas:
            p = _n_params(g, n)
            gam = gamma_of(n, p)
            cp = compare_published(m, p, seed=seed, n_mc=n_mc)
            dist = LocalMinimaDistribution.from_kacrice(expected_counts(m, p, seed=seed, n_mc=n_mc))
            e10, e90 = float(dist.ppf(0.1)), float(dist.ppf(0.9))
            res = _simulate(n, p, "fidelity", starts, instances, seed, workers)
            F, _, _ = _minima(res)
            t = (F - ham.ground_energy) / (ham.mean_energy - ham.ground_energy)
            c10, cmed, c90 = _quantiles(t) if t.size else (math.nan,) * 3
            eng.append((gam, e10, cp["engine_median_t"], e90))
            mc.append((gam, c10, cmed, c90))
            rows.append([m, n, p, gam, e10, cp["engine_median_t"], e90, cp["engine_mode_t"],
                         cp["engine_asymptotic_t_e"], cp["mp_lower_edge_t"], cp["natcomm_mode_x"],
                         cp["natcomm_mode_2x"], c10, cmed, c90, t.size])
        E, C = np.array(eng), np.array(mc)
        mk = ("s", "D")[ni]
        ax.errorbar(E[:, 0] - 0.018 + 0.008 * ni, E[:, 2], yerr=[E[:, 2] - E[:, 1], E[:, 3] - E[:, 2]], fmt=mk,
                    color=COLORS[1], mfc="white" if ni else COLORS[1],
                    label=f"engine finite size (*), model whrf, WHRF(m={m}): median [q10, q90]")
        ax.errorbar(C[:, 0] + 0.010 + 0.008 * ni, C[:, 2], yerr=[C[:, 2] - C[:, 1], C[:, 3] - C[:, 2]],
                    fmt=("o", "v")[ni],
                    color=COLORS[0], mfc="white" if ni else COLORS[0],
                    label=f"circuits n={n} (m={m}), H = I − |0⟩⟨0|: median [q10, q90]")
    top = max([1.0] + [r[6] for r in rows] + [r[14] for r in rows if np.isfinite(r[14])])
    ax.set_xlim(0, 0.7)
    ax.set_ylim(0, 1.04 * top)
    ax.set_xlabel(GAMMA_LABEL)
    ax.set_ylabel(r"local-minimum loss $t = F\,/\,\mathbb{E}[F]$")
    ax.set_title("Published formulas vs engine vs circuits (units t = F / E[F]; docs/theory.md §5.6, §7.2, §9.3)\n"
                 "engine: the isotropic-WHRF model (whrf), the model the published formulas describe;\n"
                 "predict's default for circuits is the exact circuit model (figure minima-vs-gamma)")
    ax.legend(loc="upper right", fontsize=6.5)
    cols = ["m_real", "n_qubits", "n_params", "gamma", "engine_q10_t", "engine_median_t", "engine_q90_t",
            "engine_mode_t", "t_e", "mp_edge", "natcomm_mode_x", "natcomm_mode_2x", "mc_q10_t",
            "mc_median_t", "mc_q90_t", "mc_minima"]
    return FigureData(fig, cols, rows)


# ------------------------------------------------------------------------------------------- minima-vs-n

#: fixed gamma and spectrum of minima-vs-n, and its range of n (simulated up to MVN_SIM_MAX)
MVN_GAMMA = 0.25
MVN_QUBITS = tuple(range(4, 21))
MVN_SIM_MAX = 6


def _fig_minima_vs_n(quick: bool, seed: int, workers: int) -> FigureData:
    """Both laws of predict's default answer against n at fixed gamma = MVN_GAMMA, H = I - |0..0><0..0|.

    Theory: ``predict(n, p = round(gamma 2^(n+1)), "fidelity")``, model auto (:func:`rmt_qgm.theory.registry.choose`)
    with QUICK_BUDGET = 10 s in quick mode, the registry's default 60 s otherwise, for n = 4..20: the exact
    circuit model while it fits the budget (docs/theory.md §11, §16-17), the asymptotic levels beyond (fixed
    spectral law, 2^n -> inf; docs/theory.md §13-14: point laws, so their band is a line). Drawn in
    t = (F - E0)/(Ebar - E0): ``optimiser_minima`` (median, q10–q90 band) and ``minima`` (every local minimum
    counted once; median, lighter band). Markers are filled where predict calls the law ``reliable``, hollow where
    not. The grey region is where auto switched to the asymptotic model: there the figure extrapolates.

    Monte Carlo (n <= MVN_SIM_MAX): certified minima of randomized circuits from uniform starts (optimiser-found),
    median and q10–q90: where the theory is checked.

    CSV: one row per n. ``theory_model`` indexes THEORY_MODELS (0 circuit, 1 asymptotic, 5 edge, 6 circuit-edge); ``predict_budget_s``
    the budget predict was given; ``*_reliable`` 0/1; Monte Carlo columns NaN and ``mc_minima`` 0 where not
    simulated; ``opt_*`` NaN where predict gives no optimiser-found law (the fitted basin law not trusted there).
    """
    from .problem import parse_problem
    budget = _budget(quick)
    starts, instances = (8, 4) if quick else (16, 8)
    rows: list[list[float]] = []
    th, mc = {}, {}
    for n in MVN_QUBITS:
        p = _n_params(MVN_GAMMA, n)
        th[n] = _predict_auto(n, p, "fidelity", budget, seed)
        if n <= MVN_SIM_MAX:
            F, _, _ = _minima(_simulate(n, p, "fidelity", starts, instances, seed, workers))
            t = parse_problem(n, p, "fidelity").units.to_t(F)
            mc[n] = (_quantiles(t) if t.size else (math.nan,) * 3, int(t.size))
    ns = np.array(MVN_QUBITS)

    def tq(n, law, key):
        return float(th[n]["units"].to_t(_lv(th[n][law], key)))

    fig, (ax,) = _new_figure(6.4, 4.2)
    keys = [th[n]["model"] for n in MVN_QUBITS]
    for seg in _segments(keys):
        model = keys[seg.start]
        x = ns[seg]
        name = {"circuit": "exact circuit model", "asymptotic": "asymptotic levels (2$^n$ → ∞)",
                "edge": "finite-size edge law", "circuit-edge": "circuit edge law"}.get(model, model)
        first = model not in keys[:seg.start]
        for law, c, lw, alpha, what in (("minima", COLORS[3], 1.0, 0.12, "all local minima (Kac–Rice)"),
                                        ("opt", COLORS[1], 1.8, 0.22, "optimiser-found")):
            q10, med, q90 = (np.array([tq(n, law, k) for n in x]) for k in ("q10", "median", "q90"))
            if np.all(np.isnan(med)):
                continue
            ls = "-" if model == "circuit" else "--"
            if np.any(q90 > q10):
                ax.fill_between(x, q10, q90, color=c, alpha=alpha, lw=0, zorder=1)
            ax.plot(x, med, color=c, lw=lw, ls=ls, zorder=2,
                    label=f"predict (auto) → {name}: {what}, median" + (" [q10–q90]" if model != "asymptotic" else "")
                    if first else None)
            reliability_markers(ax, x, med, [_reliable(th[n][law]) for n in x], c, size=4.0 if law == "opt" else 3.0)
    switch = [n for i, n in enumerate(MVN_QUBITS[1:], 1) if keys[i] != keys[i - 1]]
    for n in switch:
        ax.axvline(n - 0.5, color="0.2", lw=1.0, ls=":")
        ax.axvspan(n - 0.5, MVN_QUBITS[-1] + 0.5, color="0.5", alpha=0.08, lw=0, zorder=0)
        ax.text(n - 0.3, 0.97, f"→ {keys[MVN_QUBITS.index(n)]} model: circuit model over the {budget:g} s budget\n"
                "   (extrapolation, not checked by simulation here)", transform=ax.get_xaxis_transform(),
                fontsize=6.3, va="top", ha="left", color="0.25")
    sim = sorted(mc)
    M = np.array([mc[n][0] for n in sim])
    ax.errorbar(np.array(sim) + 0.12, M[:, 1], yerr=[M[:, 1] - M[:, 0], M[:, 2] - M[:, 1]], fmt="o", color=COLORS[0],
                ms=4.5, lw=1.1, zorder=6, label=f"circuits: optimiser-found minima, median [q10, q90]\n"
                                                f"  ({instances} inst. × {starts} starts, n ≤ {MVN_SIM_MAX})")
    why = _why_unreliable([th[n][k] for n in MVN_QUBITS for k in ("opt", "minima")])
    ax.plot([], [], ls="none", marker="o", ms=4.0, color="0.3", label="filled: law reliable")
    if why:
        ax.plot([], [], ls="none", marker="o", ms=4.0, color="0.3", mfc="white",
                label="hollow: not reliable: " + ";\n  ".join(why))
    ax.set_xticks(ns)
    ax.set_xlim(ns[0] - 0.5, ns[-1] + 0.5)
    ax.set_ylim(0, 0.85)
    ax.set_xlabel("qubits n  (p = γ 2$^{n+1}$)")
    ax.set_ylabel("local-minimum loss " + T_LABEL)
    ax.set_title(f"H = I − |0⟩⟨0| at γ = {MVN_GAMMA:g}: predict's default answer (model auto, "
                 f"budget {budget:g} s) against n")
    ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.88), fontsize=6)
    for n in MVN_QUBITS:
        (c10, cmed, c90), cnt = mc.get(n, ((math.nan,) * 3, 0))
        rows.append([n, _n_params(MVN_GAMMA, n), th[n]["gamma"], _model_code(th[n]["model"]), budget,
                     tq(n, "opt", "q10"), tq(n, "opt", "median"), tq(n, "opt", "q90"), int(_reliable(th[n]["opt"])),
                     tq(n, "minima", "q10"), tq(n, "minima", "median"), tq(n, "minima", "q90"),
                     int(_reliable(th[n]["minima"])), c10, cmed, c90, cnt])
    cols = ["n_qubits", "n_params", "gamma", "theory_model", "predict_budget_s", "opt_q10_t", "opt_median_t",
            "opt_q90_t", "opt_reliable", "minima_q10_t", "minima_median_t", "minima_q90_t", "minima_reliable",
            "mc_q10_t", "mc_median_t", "mc_q90_t", "mc_minima"]
    return FigureData(fig, cols, rows)


_BUILDERS: dict[str, Callable[[bool, int, int], FigureData]] = {
    "minima-vs-gamma": _fig_minima_vs_gamma,
    "phase-diagram": _fig_phase_diagram,
    "hessian-spectrum": _fig_hessian_spectrum,
    "critical-counts": _fig_critical_counts,
    "published-vs-engine": _fig_published_vs_engine,
    "minima-vs-n": _fig_minima_vs_n,
}


def make_all(out: str, *, quick: bool = False, seed: int = 0, workers: int = 1) -> dict[str, dict]:
    """Every figure of ``FIGURE_NAMES`` except paper-fig1 (hours at n = 8) into ``out``:
    {name: {"paths": [...], "seconds": s}}."""
    done = {}
    for name in FIGURE_NAMES:
        if name == "paper-fig1":
            continue
        t0 = time.perf_counter()
        paths = make_figure(name, out, quick=quick, seed=seed, workers=workers)
        done[name] = {"paths": paths, "seconds": time.perf_counter() - t0}
    return done
