"""Paper figures, one builder per named figure; each writes PNG + PDF + CSV (README, `rmt-qgm figure`).

:func:`make_figure` writes ``OUT/NAME.png``, ``OUT/NAME.pdf`` and ``OUT/NAME.csv`` (the plotted data,
numeric columns only, one header row, readable with ``numpy.genfromtxt(path, delimiter=",",
names=True)``), all atomically (:mod:`rmt_qgm.store`). ``quick=True`` runs small samples (every quick
figure takes well under a minute on two cores); the default runs the larger samples meant for a paper.

Figures (``FIGURE_NAMES``); the docstring of each ``_fig_*`` builder states what is drawn, the formula
and where it comes from:

- ``minima-vs-gamma``: certified local-minimum losses F of randomized circuits (infidelity loss) per
  gamma = p / 2^(n+1), against the spherical model's Kac–Rice law (q10–q90 band, median).
- ``phase-diagram``: median found minimum (normalised t) and fraction of global minima against gamma for
  three spectra, against the isotropic-WHRF asymptotic threshold t_e(gamma) and transition gamma_c.
- ``hessian-spectrum``: exact Hessian eigenvalues at found minima against the isotropic WHRF's
  conditional Hessian law at a local minimum (Kac–Rice weighted) and its asymptotic spectral edges.
- ``critical-counts``: finite-size Kac–Rice counts by index against exhaustive enumeration (WHRF).
- ``published-vs-engine``: the Nat. Commun. Crt_0 mode (read as x and 2x), t_e(gamma), the MP edge,
  the engine's finite-size law (*) and circuit Monte Carlo, all in t = F / E[F].

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
from .plotting import COLORS, GAMMA_LABEL, T_LABEL, FigureData
from .plotting import new_figure as _new_figure
from .seeding import generator
from .store import atomic_savefig, atomic_write_bytes

FIGURE_NAMES: tuple[str, ...] = ("minima-vs-gamma", "phase-diagram", "hessian-spectrum", "critical-counts",
                                 "published-vs-engine", "paper-fig1")

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
#: Draws of the spherical model's importance sampler (predict uses max(n_mc, 8000)).
SPHERICAL_MC = 40000


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


# -------------------------------------------------------------------------------------- minima-vs-gamma

def _fig_minima_vs_gamma(quick: bool, seed: int, workers: int) -> FigureData:
    """Local-minimum losses of randomized circuits against gamma, with the predicted band.

    Monte Carlo: ``run_simulation`` with the randomized ansatz (Anschuetz, ICLR 2022; docs/theory.md §2.2),
    H = I - |0..0><0..0| (loss F = infidelity), Haar initial states; every certified minimum (max|grad| <=
    1e-8, Hessian index 0) is one point. These are optimiser-found, basin-weighted minima (docs/theory.md §6.3).

    Theory, for gamma < 1: the spherical (normalised-state) model's finite-size Kac–Rice law of local-minimum
    values (``predict(..., model="spherical")``, docs/theory.md §6.2, :mod:`rmt_qgm.theory.spherical`): q10–q90 band
    and median, in raw F. A hatched band marks an importance-sampling estimate with effective sample size
    below 30 (unreliable quantiles). The isotropic WHRF(m = 2^(n+1)) median (docs/theory.md §5.5 (*)) is shown as a
    reference tick. For gamma >= 1 no nondegenerate minimum with F > E0 survives (docs/theory.md §5.7): the
    prediction is F = E0 (all minima global), drawn as a line at E0.

    CSV: one row per found minimum, with the prediction of its gamma repeated. ``theory_model`` is 0 for
    the spherical Kac–Rice law, 1 for the gamma >= 1 statement F = E0, and 2 where the spherical sampler
    drew no local minimum at all (theory columns NaN; not seen at the figure's settings).
    """
    from .hamiltonians import parse_hamiltonian
    from .theory.predict import predict
    n = 3 if quick else 4
    starts, instances = (8, 4) if quick else (16, 8)
    ham = parse_hamiltonian("fidelity", n)
    E0 = ham.ground_energy
    fig, (ax,) = _new_figure(6.4, 3.9)
    rows: list[list[float]] = []
    half = 0.09
    jitter = generator(seed, "figure", "minima-vs-gamma", "jitter")
    labelled_global = False
    for gi, g in enumerate(GAMMAS):
        p = _n_params(g, n)
        gam = gamma_of(n, p)
        res = _simulate(n, p, "fidelity", starts, instances, seed, workers)
        F, inst, start = _minima(res)
        if p < 2 ** (n + 1):
            try:
                pr = predict(n, p, "fidelity", model="spherical", seed=seed, n_mc=SPHERICAL_MC)["minima"]
                q10, med, q90, ess, code = pr["q10"], pr["median"], pr["q90"], pr["effective_sample_size"], 0
            except ValueError:          # no index-0 draw at all: no estimate (code 2, NaN in the CSV)
                q10 = med = q90 = math.nan
                ess, code = 0.0, 2
            whrf_med = predict(n, p, "fidelity", model="whrf", seed=seed, n_mc=1000)["minima"]["median"]
        else:
            q10 = med = q90 = whrf_med = E0
            ess, code = 0.0, 1
        first = gi == 0
        if code == 0:
            reliable = ess >= 30
            ax.fill_between([gam - half, gam + half], q10, q90, color=COLORS[1], alpha=0.22 if reliable else 0.10,
                            hatch=None if reliable else "////", edgecolor=COLORS[1], linewidth=0.0,
                            label="spherical model, Kac–Rice q10–q90" if first else None, zorder=1)
            ax.plot([gam - half, gam + half], [med, med], color=COLORS[1], lw=1.8,
                    label="spherical model, median" if first else None, zorder=2)
            ax.plot([gam - half, gam + half], [whrf_med, whrf_med], color="0.35", lw=1.1, ls="--",
                    label=r"isotropic WHRF($m=2^{n+1}$), median" if first else None, zorder=2)
            if not reliable:
                ax.annotate(f"ESS {ess:.0f}", (gam + half, q90), xytext=(2, 2), textcoords="offset points",
                            fontsize=6.5, color=COLORS[1], ha="left", va="bottom")
        elif code == 2:
            ax.annotate("no spherical-model estimate", (gam, whrf_med), xytext=(0, 6), textcoords="offset points",
                        fontsize=6.5, color=COLORS[1], ha="center")
        else:
            ax.plot([gam - half, gam + half], [E0, E0], color=COLORS[1], lw=1.8, ls=":",
                    label=None if labelled_global else r"$\gamma \geq 1$: all minima global, $F = E_0$ (docs/theory.md §5.7)",
                    zorder=2)
            labelled_global = True
        x = gam + jitter.uniform(-0.6 * half, 0.6 * half, F.size)
        ax.scatter(x, F, s=9, color=COLORS[0], alpha=0.65, edgecolors="none", zorder=3,
                   label=f"circuits: certified minima ({instances} inst. × {starts} starts)" if first else None)
        if F.size:
            ax.plot([gam - 0.7 * half, gam + 0.7 * half], [np.median(F)] * 2, color=COLORS[0], lw=2.2,
                    zorder=4, label="circuits: median" if first else None)
        for f, i, j in zip(F, inst, start):
            rows.append([n, p, gam, int(i), int(j), float(f), q10, med, q90, float(ess), whrf_med, code])
    ax.set_xlabel("γ = p / 2^(n+1)")
    ax.set_ylabel("local-minimum loss F = ⟨ψ|H|ψ⟩")
    ax.set_xticks([gamma_of(n, _n_params(g, n)) for g in GAMMAS])
    ax.set_xlim(GAMMAS[0] - 0.2, GAMMAS[-1] + 0.2)
    ax.set_ylim(bottom=min(-0.02, E0 - 0.02))
    ax.set_title(f"Randomized circuits, n = {n}, H = I − |0⟩⟨0| (F = infidelity, E0 = {E0:g}); "
                 "hatched: ESS < 30")
    ax.legend(loc="upper right")
    cols = ["n_qubits", "n_params", "gamma", "instance", "start", "F_min", "theory_q10_F", "theory_median_F",
            "theory_q90_F", "theory_ess", "whrf_median_F", "theory_model"]
    return FigureData(fig, cols, rows)


# ---------------------------------------------------------------------------------------- phase-diagram

def _fig_phase_diagram(quick: bool, seed: int, workers: int) -> FigureData:
    """Trainability phase diagram: where found minima sit, and how often they are global, against gamma.

    Theory (isotropic WHRF only: :mod:`rmt_qgm.theory.asymptotics` has no general-spectrum asymptotics,
    docs/theory.md §5.7 and §9.5). Left: the free-convolution edge t_e(gamma_model) = 16 (1 - g)^3 (q - g) /
    [(q + 3 g)(q + 4 - g)^2], q = sqrt(g (g + 8)) (docs/theory.md §5.6), where local minima concentrate as m -> inf.
    Black: the ``dimension`` rule m_real = 2^(n+1), gamma_model = gamma, identical for every spectrum.
    Coloured dashes: the ``trace_ratio`` rule m_real = 2 ceil(Tr(K)^2 / Tr(K^2)), K = H - E0
    (:mod:`rmt_qgm.theory.dof`), gamma_model = p / m_real: the only way a spectrum enters the asymptotics.
    Right: gamma_c = 1 in gamma_model (docs/theory.md §5.7), i.e. gamma = 1 (dimension rule, black) or
    gamma = m_real / 2^(n+1) (trace-ratio rule, coloured dots).

    Monte Carlo: randomized circuits per spectrum and gamma. Left: median (q10–q90 bars) of the certified
    minima in normalised units t = (F - E0)/(Ebar - E0) (docs/theory.md §3.1; finite size, so well above t_e, docs/theory.md
    §5.8). Right: fraction of certified minima that are global (F - E0 <= 1e-6 (Ebar - E0)).

    CSV: one row per (spectrum, gamma); ``spectrum`` indexes SPECTRA = (fidelity, projector:2, randspec:1).
    """
    from .hamiltonians import parse_hamiltonian
    from .theory.asymptotics import edge_threshold, transition_gamma
    from .theory.dof import dof_for
    n = 3 if quick else 4
    gammas = GAMMAS if quick else (0.125, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
    starts, instances = (6, 3) if quick else (12, 6)
    fig, (axt, axf) = _new_figure(7.0, 4.3, ncols=2)
    gc = transition_gamma()
    dense = np.linspace(0.01, max(gammas) + 0.1, 300)
    axt.plot(dense, [float(edge_threshold(g, 20).value) for g in dense], color="k", lw=1.6,
             label=r"$t_e(\gamma)$, $m = 2^{n+1}$ (all spectra)")
    axf.axvline(gc, color="k", lw=1.4, label=r"$\gamma_c = 1$, $m = 2^{n+1}$")
    rows: list[list[float]] = []
    markers = ("o", "s", "^")
    nsp = len(SPECTRA)
    hams = [parse_hamiltonian(spec, n) for spec in SPECTRA]
    m_trs = [dof_for("trace_ratio", n, h.spectrum) for h in hams]
    for m_tr in sorted(set(m_trs), reverse=True):       # one curve per distinct m: no hidden duplicates
        members = [SPECTRA[i] for i in range(nsp) if m_trs[i] == m_tr]
        c = COLORS[m_trs.index(m_tr)] if len(members) == 1 else "0.45"
        scale = 2 ** (n + 1) / m_tr
        axt.plot(dense, [float(edge_threshold(g * scale, 20).value) for g in dense], color=c, lw=1.1,
                 ls="--", label=f"$t_e$, trace-ratio $m$ = {m_tr} ({', '.join(members)})")
        axf.axvline(gc / scale, color=c, lw=1.1, ls=":",
                    label=f"$\\gamma_c$, trace-ratio $m$ = {m_tr} ({', '.join(members)})")
    for si, spec in enumerate(SPECTRA):
        ham = hams[si]
        E0, Eb = ham.ground_energy, ham.mean_energy
        m_tr = m_trs[si]
        scale = 2 ** (n + 1) / m_tr
        c = COLORS[si]
        pts = []
        for g in gammas:
            p = _n_params(g, n)
            gam = gamma_of(n, p)
            res = _simulate(n, p, spec, starts, instances, seed, workers)
            s = res.summary()["minima"]
            F, _, _ = _minima(res)
            t = (F - E0) / (Eb - E0)
            q10, med, q90 = _quantiles(t) if t.size else (math.nan,) * 3
            te_dim = float(edge_threshold(gam).value)
            te_tr = float(edge_threshold(p / m_tr).value)
            rows.append([si, n, p, gam, m_tr, te_dim, te_tr, gc, gc / scale, q10, med, q90,
                         s["frac_global"], t.size, starts * instances])
            pts.append((gam, q10, med, q90, s["frac_global"]))
        P = np.array(pts)
        dx = (si - (nsp - 1) / 2) * 0.03
        axt.errorbar(P[:, 0] + dx, P[:, 2], yerr=[P[:, 2] - P[:, 1], P[:, 3] - P[:, 2]], fmt=markers[si],
                     color=c, ms=4, lw=1.0, label=f"circuits, {spec}: median [q10, q90]")
        axf.plot(P[:, 0] + dx, P[:, 4], marker=markers[si], color=c, lw=0.9, label=f"circuits, {spec}")
    axt.set_xlabel(GAMMA_LABEL)
    axt.set_ylabel("local-minimum loss " + T_LABEL)
    axt.set_ylim(-0.02, None)
    axt.set_title("(a) where minima sit", loc="left")
    axt.legend(loc="upper right", fontsize=6)
    axf.set_xlabel(GAMMA_LABEL)
    axf.set_ylabel("fraction of certified minima that are global")
    axf.set_ylim(-0.05, 1.05)
    axf.set_title("(b) trainability transition", loc="left")
    axf.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=6)
    fig.suptitle(f"Randomized circuits, n = {n}, {starts * instances} starts per point.  Theory: isotropic-WHRF "
                 "asymptotics only\n(rmt_qgm has no general-spectrum asymptotics, docs/theory.md §9.5; a spectrum enters "
                 "only through the degrees of freedom m)", fontsize=8)
    cols = ["spectrum", "n_qubits", "n_params", "gamma", "m_trace_ratio", "t_e_dimension", "t_e_trace_ratio",
            "gamma_c_dimension", "gamma_c_trace_ratio", "mc_q10_t", "mc_median_t", "mc_q90_t", "frac_global",
            "n_minima", "n_starts"]
    return FigureData(fig, cols, rows)


# ------------------------------------------------------------------------------------- hessian-spectrum

def _fig_hessian_spectrum(quick: bool, seed: int, workers: int) -> FigureData:
    """Hessian eigenvalues at optimiser-found minima against the isotropic WHRF's conditional law and the
    exact circuit model's (:mod:`rmt_qgm.theory.circuit_kacrice`: index-0 Kac–Rice draws, Gaussian kernel of
    width 0.02 (Ebar - E0) around each found minimum's F, mixed with equal weights).

    Monte Carlo: randomized circuits, H = I - |0..0><0..0|, gamma = 0.5; the exact Hessian
    (``Circuit.hessian``, dressed-generator formula) at every certified minimum; all eigenvalues pooled.

    Theory: isotropic WHRF(m = 2^(n+1), p) in t = (F - E0)/(Ebar - E0), where Hess F = 2 (Ebar - E0) M(t)
    and, at a local minimum with value t, M(t) = W - t I + sqrt(t) Z has the Kac–Rice conditional law
    p(M) |det M| 1{M > 0} (docs/theory.md §4, §5.5; :func:`rmt_qgm.analysis.whrf_minimum_hessian_draws`). It is
    evaluated at the empirical t of each found minimum and mixed with equal weights, so the comparison tests
    the Hessian law alone, not the law of values. Dotted lines: the asymptotic edges of mu_t (free convolution of
    Marchenko–Pastur with a semicircle, shift -t; :func:`rmt_qgm.theory.asymptotics.spectral_edges`) at the
    median empirical t, mapped to F units.

    CSV: one row per histogram bin (density per unit eigenvalue, both normalised to 1).
    """
    from .hamiltonians import parse_hamiltonian
    from .theory.asymptotics import spectral_edges
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
    from .theory.circuit_kacrice import kac_rice_circuit, minima_kernel_weights
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
    fig, (ax,) = _new_figure(6.0, 3.8)
    ax.stairs(h_emp, bins, fill=True, color=COLORS[0], alpha=0.45,
              label=f"circuits: exact Hessian at {len(Fs)} certified minima ({emp.size} eigenvalues)")
    ax.stairs(h_th, bins, color=COLORS[1], lw=1.8,
              label=f"isotropic WHRF(m={m}, p={p}): Kac–Rice law at minima, at the same F\n"
                    f"(median effective sample size per minimum {np.median(ess):.0f})")
    ax.stairs(h_c, bins, color=COLORS[2], lw=1.8, ls="--",
              label=f"exact circuit model: Kac–Rice law at minima, at the same F\n"
                    f"(median effective sample size per minimum {np.median(ess_c):.0f})")
    for k, e in enumerate((left, right)):
        ax.axvline(e, color="0.3", ls=":", lw=1.2,
                   label=f"asymptotic edges of the WHRF spectrum $\\mu_t$ at median t = {t_med:.3f}"
                   if k == 0 else None)
    ax.set_xlim(min(0.0, left) - 0.03 * hi, bins[-1])
    ax.set_xlabel(r"Hessian eigenvalue of $F$ (loss units / rad$^2$)")
    ax.set_ylabel("density (per unit eigenvalue)")
    ax.set_title(f"Hessian spectrum at local minima: randomized circuits, n = {n}, p = {p}, γ = {gamma_of(n, p):g},\n"
                 "H = I − |0⟩⟨0|, against the isotropic WHRF and the exact circuit model")
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
        ax.errorbar(k + 0.1, kr, yerr=kse, fmt="s", color=COLORS[1], label="Kac–Rice (finite size)")
        ax.set_xticks(k)
        ax.set_xlabel("Hessian index k")
        ax.set_ylabel(r"expected critical points per $[0,\pi)^p$")
        euler = "Euler identity holds" if c.euler_zero else "Euler identity FAILS"
        ax.set_title(f"WHRF(m={m}, p={p}): max z = {float(z.max()):.2f}\n{euler} for every field")
        ax.set_ylim(0, 1.4 * float(max(np.max(mean + se), np.max(kr + kse))))
        ax.legend(loc="upper right")
        for kk in k:
            rows.append([m, p, fields, int(kk), mean[kk], se[kk], kr[kk], kse[kk], z[kk]])
    fig.suptitle("Critical points of the isotropic WHRF by index: Kac–Rice vs exhaustive enumeration",
                 fontsize=8.5)
    cols = ["m", "p", "fields", "k", "enumerated_mean", "enumerated_se", "kac_rice", "kac_rice_se", "z"]
    return FigureData(fig, cols, rows)


# ---------------------------------------------------------------------------------- published-vs-engine

def _fig_published_vs_engine(quick: bool, seed: int, workers: int) -> FigureData:
    """Published formulas vs the engine's finite-size prediction vs circuit Monte Carlo, in t = F / E[F].

    Curves (large-m statements): the Nat. Commun. 13, 7760 (2022) Crt_0 mode x*(gamma) =
    [3 + 2g - sqrt(4g^2 + 20g + 1)]/4 (:func:`rmt_qgm.theory.published.natcomm_mode`, docs/theory.md §7.2), read as x
    and as 2x (factor-2 question, docs/theory.md §9.3); the free-convolution edge t_e(gamma) (docs/theory.md §5.6); the
    Marchenko–Pastur edge (1 - sqrt gamma)^2. Engine: the finite-size law (*) of local-minimum values of the
    isotropic WHRF(m = 2^(n+1), p) (docs/theory.md §5.5; median, q10–q90, via
    :func:`rmt_qgm.theory.published.compare_published` and :func:`rmt_qgm.theory.kacrice.expected_counts`),
    as in ``validation/published_vs_engine.py``. Monte Carlo: certified minima of randomized circuits with
    H = I - |0><0| (E0 = 0, so t = F / Ebar), median and q10–q90 (basin-weighted, docs/theory.md §6.3).

    CSV: one row per (m, p).
    """
    from .hamiltonians import parse_hamiltonian
    from .theory.asymptotics import edge_threshold
    from .theory.distributions import LocalMinimaDistribution
    from .theory.kacrice import expected_counts
    from .theory.published import compare_published, mp_edge_interval, natcomm_mode
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
            label=r"engine asymptotic $t_e(\gamma)$")
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
                    label=f"engine finite size (*), WHRF(m={m}): median [q10, q90]")
        ax.errorbar(C[:, 0] + 0.010 + 0.008 * ni, C[:, 2], yerr=[C[:, 2] - C[:, 1], C[:, 3] - C[:, 2]],
                    fmt=("o", "v")[ni],
                    color=COLORS[0], mfc="white" if ni else COLORS[0],
                    label=f"circuits n={n} (m={m}), H = I − |0⟩⟨0|: median [q10, q90]")
    top = max([1.0] + [r[6] for r in rows] + [r[14] for r in rows if np.isfinite(r[14])])
    ax.set_xlim(0, 0.7)
    ax.set_ylim(0, 1.04 * top)
    ax.set_xlabel(GAMMA_LABEL)
    ax.set_ylabel(r"local-minimum loss $t = F\,/\,\mathbb{E}[F]$")
    ax.set_title("Published formulas vs engine vs circuits (units t = F / E[F]; docs/theory.md §5.6, §7.2, §9.3)")
    ax.legend(loc="upper right", fontsize=6.5)
    cols = ["m_real", "n_qubits", "n_params", "gamma", "engine_q10_t", "engine_median_t", "engine_q90_t",
            "engine_mode_t", "t_e", "mp_edge", "natcomm_mode_x", "natcomm_mode_2x", "mc_q10_t",
            "mc_median_t", "mc_q90_t", "mc_minima"]
    return FigureData(fig, cols, rows)


_BUILDERS: dict[str, Callable[[bool, int, int], FigureData]] = {
    "minima-vs-gamma": _fig_minima_vs_gamma,
    "phase-diagram": _fig_phase_diagram,
    "hessian-spectrum": _fig_hessian_spectrum,
    "critical-counts": _fig_critical_counts,
    "published-vs-engine": _fig_published_vs_engine,
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
