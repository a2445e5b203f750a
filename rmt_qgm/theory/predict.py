"""``predict``: the theory behind ``rmt-qgm predict``.

:func:`predict` answers (n, p, H) with one :class:`.prediction.Prediction`: the model that
:func:`rmt_qgm.theory.registry.choose` picks (``model="auto"``, the default: the most accurate validated model
that answers within the time budget) or the one named, and from it the two laws users ask for, ``minima``
(every local minimum counted once, Kac–Rice) and ``optimiser_minima`` (where a multi-start local optimiser
ends, basin-weighted), each with its uncertainty and provenance, plus the transition, counts by index and the
asymptotic levels. gamma = p / 2^(n+1); losses in raw units F = <psi|H|psi>.

:func:`predict_raw` is one model's own result dict (what the studies in validation/ and their caches read).
"""
from __future__ import annotations

import importlib
import time

import numpy as np


from .. import gamma_of
from ..checks import check_choice, check_int
from ..errors import MonteCarloError, UserInputError
from ..progress import DrawProgress, TimedProgress
from ..hamiltonians import parse_hamiltonian
from .asymptotics.whrf import edge_threshold, mp_edge, transition_gamma
from .models.circuit import LADDERS
from .distributions import AffineUnits, LocalMinimaDistribution
from .models.whrf_dof import DOF_RULES, dof_for
from .models.whrf import exact_counts_p1, expected_counts

MODELS = ("whrf", "weighted", "spherical", "circuit")
#: module of each non-WHRF model
_MODEL_MODULES = {"weighted": "models.weighted", "spherical": "models.spherical", "circuit": "models.circuit"}
PDF_POINTS = 120


def _refuse_model_options(model: str, ladder: str, complexity_points: int) -> None:
    """Options that only one model reads are refused for the others (one line each)."""
    if ladder != "auto" and model != "circuit":
        raise UserInputError(f"ladder: the Monte Carlo ladder is chosen for --model circuit only (model here: {model})")
    if complexity_points and model not in ("whrf", "asymptotic"):
        raise UserInputError(f"complexity: the asymptotic complexity is given by --model asymptotic (any spectrum) or "
                             f"--model whrf (model here: {model})")
    if complexity_points == 1:
        raise UserInputError("complexity must be 0 (off) or at least 2 points")


def predict_raw(n_qubits: int | None, n_params: int, hamiltonian: str = "fidelity", model: str = "whrf",
                dof: int | None = None, dof_rule: str = "dimension", dps: int = 30, seed: int = 0,
                n_mc: int = 2000, complexity_points: int = 0, ladder: str = "auto") -> dict:
    """One model's own result dict for (n, p, H) (module docstring). ``dof`` gives a pure WHRF(m, p).

    The studies in validation/ and the circuit-model cache read these dicts (their numbers are what the
    committed tables were computed from); users get :func:`predict`, which builds a :class:`Prediction`.

    ``complexity_points`` > 0 adds ``asymptotic.complexity``: [t, S(t)] of the isotropic WHRF on that many
    points of (0, t_e] (:func:`rmt_qgm.theory.asymptotics.whrf_complexity.complexity_curve`, 20 digits), for gamma < 1.

    ``ladder`` (``model="circuit"`` only): "auto", "plain" or "deep", the Monte Carlo tilt ladder
    (:func:`rmt_qgm.theory.models.circuit.predict_model`; "auto" goes deep near the transition).
    """
    t0 = time.perf_counter()
    check_choice("model", model, MODELS)
    p = check_int("params", n_params, 1)
    dps = check_int("dps", dps, 15)
    n_mc = check_int("samples", n_mc, 100)
    check_choice("dof_rule", dof_rule, DOF_RULES)
    complexity_points = check_int("complexity_points", complexity_points, 0, 1000)
    check_choice("ladder", ladder, LADDERS)
    _refuse_model_options(model, ladder, complexity_points)
    if model != "whrf":
        try:
            mod = importlib.import_module(f".{_MODEL_MODULES[model]}", __package__)
        except (ImportError, KeyError):
            mod = None
        if mod is None or not hasattr(mod, "predict_model"):
            raise UserInputError(f"model {model}: not available yet in this version; use --model whrf")
        if model != "circuit":
            return mod.predict_model(n_qubits, p, hamiltonian, seed=seed, n_mc=n_mc, dps=dps)
        res = mod.predict_model(n_qubits, p, hamiltonian, seed=seed, n_mc=n_mc, dps=dps, ladder=ladder)
        from .laws.optimiser import optimiser_minima   # what a multi-start optimiser finds: basin-weighted
        res["optimiser_minima"] = optimiser_minima(res)
        return res
    if dof is not None:
        m = check_int("dof", dof, 2)
        n = None if n_qubits is None else check_int("qubits", n_qubits, 1)
        units = AffineUnits()
        rule = "given"
        gamma = p / m
    else:
        if n_qubits is None:
            raise UserInputError("predict needs qubits (>= 1) or dof (>= 2)")
        ham = parse_hamiltonian(hamiltonian, n_qubits)
        n = ham.n
        try:
            m = dof_for(dof_rule, n, ham.spectrum)
        except ValueError as exc:
            raise UserInputError(f"dof_rule {dof_rule}: {exc}") from None
        units = AffineUnits.for_hamiltonian(ham)
        rule = dof_rule
        gamma = gamma_of(n, p)
    gamma_model = p / m
    kr = expected_counts(m, p, seed=seed, n_mc=n_mc, t_grid=120)
    counts, stderr = kr.counts.tolist(), kr.stderr.tolist()
    if p == 1:
        counts = [float(c) for c in exact_counts_p1(m, dps)]
        stderr = [0.0, 0.0]
    dist = LocalMinimaDistribution.from_kacrice(kr, units)
    Fg, dens = dist.grid()
    step = max(1, len(Fg) // PDF_POINTS)
    te = edge_threshold(gamma_model, dps)
    mpe = mp_edge(gamma_model, dps)
    gc = transition_gamma()
    complexity = None
    if complexity_points and gamma_model < 1:
        from .asymptotics.whrf_complexity import complexity_curve
        complexity = [[t, S] for t, S in complexity_curve(gamma_model, complexity_points, dps=20)]
    regime = ("overparameterised: global-minimum manifold (nondegenerate Kac–Rice near t = 0 not "
              "trusted, docs/theory.md §5.5)" if p >= m else "underparameterised")
    return {
        "gamma": gamma, "gamma_model": gamma_model, "model": "whrf", "n_qubits": n, "n_params": p,
        "hamiltonian": hamiltonian if dof is None else None,
        "dof": {"value": m, "rule": rule, "units": "real degrees of freedom m_real"},
        "regime": regime,
        "transition": {"gamma_c": gc * m / 2 ** (n + 1) if n is not None else gc, "gamma_model_c": gc,
                       "params_c": int(gc * m)},
        "minima": {"units": units.units, "support": list(dist.support()), "q10": float(dist.ppf(0.1)),
                   "median": dist.median(), "q90": float(dist.ppf(0.9)), "mode": dist.mode(),
                   "mean": dist.mean(),
                   "pdf": [[float(f), float(d)] for f, d in zip(Fg[::step], dens[::step])],
                   "weighting": "uniform over critical points (Kac–Rice), not basin-weighted"},
        "critical_points": {"expected_counts_by_index": counts, "stderr_by_index": stderr,
                            "euler": kr.euler, "euler_stderr": kr.euler_stderr,
                            "domain": "[0, pi)^p", "n_mc": kr.n_mc},
        "asymptotic": {"threshold": float(units.to_F(float(te.value))),
                       "edge": float(units.to_F(float(mpe.value))),
                       "threshold_t": float(te.value), "edge_t": float(mpe.value),
                       "complexity": complexity,
                       "note": "complexity: [t, S(t)], rho_0(t) ~ exp(m S(t)), S = -inf above t_e; "
                               "t_e(gamma): free-convolution edge (minima concentrate there as m -> inf); "
                               "edge: Marchenko–Pastur (1 - sqrt(gamma))^2 without the Z term"},
        "dps": dps, "digits_lost": int(max(te.digits_lost, mpe.digits_lost)),
        "seed": seed, "seconds": time.perf_counter() - t0,
    }


# --- predict: one Prediction from the registry's model -------------------------------------------------------

#: a Monte Carlo median is reliable when its relative standard error (in t = (F - E0)/(Ebar - E0)) is at most
#: this and the effective sample size at least MIN_ESS
MAX_MEDIAN_RSE = 0.02


def _transition_block(problem, raw: dict | None) -> dict:
    """gamma_c, p_c, ground degeneracy (docs/theory.md §12.1) from the problem's spectral law; the model's own
    extra entries (ceiling, small-loss exponent) kept."""
    law = problem.law
    d, d0 = law.dim, law.ground_degeneracy
    out = {"gamma_c": 1.0 - d0 / d, "params_c": problem.params_c, "ground_degeneracy": d0,
           "basis": "inertia bound: for p >= params_c = 2 (d - d0) local minima above E0 are rare and shallow, "
                    "almost all minima are global (docs/theory.md §12.1, derivations/step_11)",
           "provenance": "derived"}
    if raw is not None:
        own = raw.get("transition", {})
        for k, v in own.items():
            out.setdefault(k, v)
        if own.get("params_c") not in (None, out["params_c"]):      # the isotropic WHRF's own transition
            out["model_transition"] = {"gamma_model_c": own.get("gamma_model_c"), "params_c": own.get("params_c"),
                                       "note": "the surrogate model's own transition, not the circuit's"}
    return out


def _law_from_raw_pdf(raw: dict, units):
    from .distributions import TabulatedDistribution
    F, dens = np.array(raw["minima"]["pdf"], dtype=float).T
    return TabulatedDistribution(units.to_t(F), dens * units.scale, units)


def _mc_reliability(se: float, median: float, E0: float, scale: float, ess: float, extra: list[str]) -> tuple[bool, str | None]:
    from .kacrice.draws import MIN_ESS
    reasons = list(extra)
    rse = se / max(median - E0, 1e-300 * scale) if np.isfinite(se) else float("inf")
    if ess < MIN_ESS:
        reasons.append(f"effective sample size {ess:.0f} < {MIN_ESS} (the law rests on a few draws)")
    if not np.isfinite(rse):
        reasons.append("the median's standard error is not estimable (no draw density at the median)")
    elif rse > MAX_MEDIAN_RSE:
        reasons.append(f"relative standard error of the median {rse:.1%} > {MAX_MEDIAN_RSE:.0%} "
                       "(more --samples or --budget, or another model)")
    return (not reasons), ("; ".join(reasons) or None)


def _count_law(raw: dict, kr, problem, model: str, units):
    """``minima`` of a Monte Carlo model: the raw tabulated law with its median's s.e. from the draws."""
    from .prediction import Provenance, law_from_distribution, weighted_median_stderr
    dist = _law_from_raw_pdf(raw, units)
    sel = (kr.index == 0) & np.isfinite(kr.logw)
    med = dist.median()
    se = weighted_median_stderr(kr.f[sel], kr.logw[sel], med, float(dist.pdf(med)))
    ess = kr.effective_sample_size(0)
    ok, why = _mc_reliability(se, med, units.offset, units.scale, ess, [])
    src = {"circuit": "docs/theory.md §11 (derivations/step_13)", "spherical": "docs/theory.md §6.2 (step_12)",
           "weighted": "docs/theory.md §6.1"}[model]
    return law_from_distribution(dist, weighting="each local minimum counted once (Kac–Rice)", E0=units.offset,
                                 provenance=Provenance("derived", model, src), median_stderr=se, ess=ess,
                                 reliable=ok, reason=why,
                                 details={"relative_stderr_t": se / max(med - units.offset, 1e-300)}), dist


def _optimiser_law_circuit(raw: dict, kr, problem, count_dist, units):
    """``optimiser_minima`` of the circuit model: the count law tilted by (B1') with alpha' from (G3)."""
    from .laws.basin import CEILING_Q, ceiling_t, ceiling_weighted
    from .laws.optimiser import FEW_MINIMA, calibration, optimiser_weighted
    from .prediction import Provenance, law_from_distribution, weighted_median_stderr
    n, p, spec = problem.n_qubits, problem.n_params, problem.hamiltonian
    law, a = optimiser_weighted(count_dist, n, p, spec, predictive=True)
    point = ceiling_weighted(count_dist, p, a["alpha"])
    med = law.median()
    # Monte Carlo part of the s.e.: the draws re-weighted by the tilt
    tc = ceiling_t(count_dist, CEILING_Q)
    sel = (kr.index == 0) & np.isfinite(kr.logw)
    t = units.to_t(kr.f[sel])
    with np.errstate(divide="ignore", invalid="ignore"):
        tilt = np.where(t < tc, a["alpha"] * 0.5 * p * np.log1p(-np.minimum(t, tc) / tc), -np.inf)
    lw = kr.logw[sel] + tilt
    se_mc = weighted_median_stderr(kr.f[sel], lw, point.median(), float(point.pdf(point.median())))
    fin = np.isfinite(lw)
    w = np.exp(lw[fin] - lw[fin].max()) if np.any(fin) else np.zeros(0)
    ess = float(w.sum() ** 2 / np.sum(w * w)) if w.size else 0.0
    lo, hi = (ceiling_weighted(count_dist, p, a["alpha"] * np.exp(s * a["se_log"])).median() for s in (1, -1))
    se_fit = 0.5 * abs(hi - lo)
    warns = [a["warning"]] if a["warning"] else []
    en0 = raw["critical_points"]["expected_counts_by_index"][0]
    if en0 < FEW_MINIMA:
        warns.append(f"about {en0:.2g} local minima per instance (< {FEW_MINIMA:g}): the optimiser finds a lone "
                     "minimum whatever its basin, which the pooled basin law does not model")
    ok, why = _mc_reliability(se_mc, med, units.offset, units.scale, ess, warns)
    cal = calibration()
    prov = Provenance("fitted", "circuit", "docs/theory.md §16.5-16.6 ((B1'), (G3)); docs/studies/basin_ceiling_law.md",
                      {"file": "rmt_qgm/data/basin_law_g3.json", "date": cal["date"], "points": cal["points"],
                       "fit_range": {"qubits": cal.get("qubits"), "gamma": cal.get("gammas"),
                                     "hamiltonians": cal["hamiltonians"]},
                       "source": cal["source"], "residual_sd_log_alpha": cal["s"]})
    return law_from_distribution(
        law, weighting="optimiser-found (basin-weighted: uniform random starts, local optimiser)", E0=units.offset,
        provenance=prov, median_stderr=float(np.hypot(se_mc, se_fit)), ess=ess, reliable=ok, reason=why,
        details={"median_stderr_mc": se_mc, "median_stderr_fit": se_fit,
                 "median_range_alpha_1se": [float(lo), float(hi)], "alpha_prime": a["alpha"],
                 "alpha_prime_se_log": a["se_log"], "spectrum_in_fit": a["spectrum_in_fit"],
                 "ceiling_t": tc, "ceiling_quantile": CEILING_Q, **_at_point_estimate(point),
                 "law": "count-weighted law tilted by (1 - t/t_c)_+^(alpha' p/2), alpha' from (G3), averaged over "
                        "alpha''s fit uncertainty (predictive; rmt_qgm.theory.laws.optimiser)"})


def _at_point_estimate(point) -> dict:
    """The optimiser law at the point estimate of alpha' (the predictive law averages over alpha')."""
    return {"at_alpha_point_estimate": {"q10": float(point.ppf(0.1)), "median": float(point.median()),
                                        "q90": float(point.ppf(0.9))}}


def _overparameterised_laws(problem):
    """Above the transition: no local minima above E0 (rare and shallow), the optimiser ends at E0."""
    from .prediction import NoLaw, Provenance, point_law
    E0 = problem.law.E0
    minima = NoLaw(f"p = {problem.n_params} >= p_c = {problem.params_c}: local minima above the ground energy "
                   "are absent or rare and shallow (docs/theory.md §12.1); every minimum an optimiser finds is "
                   "global up to those rare exceptions")
    at_edge = problem.n_params < problem.params_c + 2
    opt = point_law(E0, weighting="optimiser-found (basin-weighted: uniform random starts, local optimiser)",
                    units=problem.units.units, reliable=not at_edge,
                    reason=("at p_c <= p < p_c + 2 the optimiser ends near E0 but not always at it: measured at "
                            "p = p_c, 44 % of certified minima global at n = 3 (the rest at t <= 4e-3) and a median "
                            "6e-6 above E0 at n = 4 (figure minima-vs-gamma); all global from p_c + 2") if at_edge else None,
                    provenance=Provenance("derived", "transition", "docs/theory.md §12.1 (derivations/step_11)"),
                    details={"fraction_at_global_minimum": "not predicted beyond 'almost all'; measured (validate "
                             "check transition/spectrum): 69 of 72 certified minima global at n = 3, p = p_c + 2 "
                             "(the others at t <= 1e-3), 144 of 144 at p_c + 4, 64 of 64 at n = 4, p_c + 2"})
    return minima, opt


def _run_asymptotic(problem, dps: int):
    from .prediction import Provenance, point_law
    from .registry import ASYMPTOTIC_MAX_LEVELS
    from .asymptotics.minima_complexity import asymptotic_summary
    law = problem.law.coarse(ASYMPTOTIC_MAX_LEVELS)
    asym = asymptotic_summary(law, problem.gamma, min(dps, 30))
    if law is not problem.law:
        asym["spectral_law"] = (f"{problem.law.levels.size} distinct levels merged into {law.levels.size} "
                                "equal-count groups (ground level exact; moves the law by at most one group's width)")
    units = problem.units
    for key in ("edge", "threshold"):
        asym[f"{key}_t"] = None if asym.get(key) is None else float(units.to_t(asym[key]))
    finite = ("asymptotic level (2^n -> inf at fixed gamma and spectral law): finite-size corrections are not "
              "modelled; at n = 4-6 circuit medians sit 1.5-5x above it in t (docs/studies/asymptotic_edge.md)")
    wt = "each local minimum counted once (Kac–Rice)"
    if asym.get("threshold") is not None:
        minima = point_law(asym["threshold"], weighting=wt, units=units.units, reliable=False, reason=finite,
                           provenance=Provenance("derived", "asymptotic", "docs/theory.md §14 (derivations/step_15)"),
                           details={"level": "concentration level f* (argmax of the minima complexity)",
                                    "edge_interval": asym.get("edge_interval")})
    else:
        from .prediction import NoLaw
        minima = NoLaw(asym.get("note", "concentration level not computed"))
    opt = point_law(asym["edge"], weighting="optimiser-found (basin-weighted: uniform random starts, local optimiser)",
                    units=units.units, reliable=False, reason=finite,
                    provenance=Provenance("derived", "asymptotic", "docs/theory.md §13.2 (derivations/step_14)"),
                    details={"level": "edge level f_e of Haar-typical critical points: where descent from a random "
                                      "start reaches marginal stability (the threshold level of mean-field glasses)"})
    return asym, minima, opt


#: the circuit model's draws stop (at a whole ladder cycle) once this share of the budget, less 3 s for the rest of
#: the call, has passed: the last cycle and the tabulation can overrun it on a loaded host (measured 2026-12-07:
#: calls of 50-100 s at 0.85 with the host's load at 5-6 on 2 cores)
DEADLINE_SHARE = 0.7
#: the share of the budget by which auto's small-ESS fallback (:func:`_small_ess_fallback`) must be done: it runs
#: only if its estimated cost fits before then, and the circuit edge law stops drawing there
FALLBACK_DEADLINE_SHARE = 0.85




def _run_edge(problem):
    """``edge`` model: the finite-size edge law (docs/theory.md §19) and its (G3)-tilted optimiser law; None
    when its window limits it (the edge expansion does not determine the law: small p)."""
    from .distributions import TabulatedDistribution
    from .models.edge import edge_law
    from .prediction import Provenance, law_from_distribution
    from .registry import ASYMPTOTIC_MAX_LEVELS, EDGE_RELIABLE_GAMMA_MAX
    law, units = problem.law.coarse(ASYMPTOTIC_MAX_LEVELS), problem.units
    n, p = problem.n_qubits, problem.n_params
    res = edge_law(law.levels, law.counts, n, p)
    if res.window_limited:
        return None, res
    dens = np.exp(res.log_density - res.log_density.max())
    dist = TabulatedDistribution(units.to_t(res.F), dens * units.scale / np.trapezoid(dens, res.F), units)
    ok = problem.gamma <= EDGE_RELIABLE_GAMMA_MAX
    why = None if ok else (f"gamma = {problem.gamma:g} > {EDGE_RELIABLE_GAMMA_MAX}: against the exact circuit model "
                           "(n = 4-6) the edge law's median is up to 20 % low at gamma = 0.5 and about 40 % low at 0.75 "
                           "(docs/studies/edge_law.md): the circuit's Hessian is not the normalised-state model's "
                           "(docs/theory.md §20.1)")
    details = {"edge_level": res.edge_F, "window_end": res.window_F, "spread": res.spread,
               "window_sensitivity_of_median": res.components.get("window_sensitivity_of_median"),
               "error": "approximations of docs/theory.md §19.3; measured against the exact circuit model and "
                        "circuit simulations in docs/studies/edge_law.md"}
    minima = law_from_distribution(dist, weighting="each local minimum counted once (Kac–Rice)", E0=units.offset,
                                   provenance=Provenance("derived", "edge", "docs/theory.md §19 (tests/test_edge_law.py)"),
                                   reliable=ok, reason=why, details=details)
    return (minima, _tilted_optimiser_law(dist, problem, "edge", "the edge law", "§19", why)), res


#: the circuit edge law's count-weighted median is flagged not reliable when its bootstrap relative s.e. exceeds this
CIRCUIT_EDGE_MAX_REL_SE = 0.1


def _run_circuit_edge(problem, seed: int, draws_per_node: int | None, deadline: float | None, progress):
    """``circuit-edge`` model: the circuit edge law (docs/theory.md §20) and its (G3)-tilted optimiser law; None when
    its Tracy–Widom window limits it."""
    from .models.circuit_edge import circuit_edge_law
    from .distributions import TabulatedDistribution
    from .prediction import Provenance, law_from_distribution
    law, units = problem.law, problem.units
    n, p = problem.n_qubits, problem.n_params
    res = circuit_edge_law(law.levels, law.counts, n, p, seed=seed, draws_per_node=draws_per_node,
                           deadline=deadline, progress=progress)
    if res.window_limited:
        return None, res
    dens = np.exp(res.log_density - res.log_density.max())
    dist = TabulatedDistribution(units.to_t(res.F), dens * units.scale / np.trapezoid(dens, res.F), units)
    med = float(dist.median())
    rel = res.median_se / max(med - units.offset, 1e-300)
    whys = []
    if not rel <= CIRCUIT_EDGE_MAX_REL_SE:
        whys.append(f"bootstrap relative s.e. of the median {rel:.2f} > {CIRCUIT_EDGE_MAX_REL_SE} "
                    f"({res.draws_per_node} draws per node; a larger --budget takes more)")
    if res.edge_limited:
        whys.append("more than 1 % of the law lies deeper than s = -9 in the Tracy–Widom tail (docs/theory.md §20.2)")
    from .registry import EDGE_RELIABLE_GAMMA_MAX, circuit_edge_region
    if not circuit_edge_region(problem):
        whys.append(f"gamma = {problem.gamma:g} <= {EDGE_RELIABLE_GAMMA_MAX} with a two-level spectrum: outside the region "
                    "auto uses this model for (there the Tracy–Widom fit of the smallest Hessian eigenvalue misses "
                    "two-level spectra by up to 20 %, docs/studies/circuit_edge.md; the edge law answers)")
    if res.truncated:
        whys.append("the time budget stopped the widening of the tabulated range: the law is cut where its density "
                    "is within e^-10 of its maximum (a larger --budget widens it)")
    why = "; ".join(whys) or None
    details = {"draws": res.draws, "draws_per_node": res.draws_per_node, "spread": res.spread,
               "nodes_F": res.nodes.tolist(), "node_stats": res.node_stats,
               "error": "approximations of docs/theory.md §20.2; measured against the exact circuit model and "
                        "circuit simulations in docs/studies/circuit_edge.md"}
    minima = law_from_distribution(dist, weighting="each local minimum counted once (Kac–Rice)", E0=units.offset,
                                   provenance=Provenance("derived", "circuit-edge",
                                                         "docs/theory.md §20 (tests/test_circuit_edge.py)"),
                                   median_stderr=res.median_se, reliable=why is None, reason=why, details=details)
    return (minima, _tilted_optimiser_law(dist, problem, "circuit-edge", "the circuit edge law", "§20", why)), res


def _tilted_optimiser_law(dist, problem, model: str, what: str, section: str, warning: str | None = None):
    """The optimiser-found law of a tabulated count-weighted law ``dist``: tilted by (B1') with alpha' from the
    fitted basin law (G3) (docs/theory.md §16.5-16.6), or a NoLaw where the tilt leaves no mass on it or moves its
    median into its far lower tail."""
    from .laws.basin import ceiling_weighted
    from .laws.optimiser import calibration, optimiser_weighted
    from .prediction import NoLaw, Provenance, law_from_distribution
    n, p, units = problem.n_qubits, problem.n_params, problem.units
    try:
        tilted, a = optimiser_weighted(dist, n, p, problem.hamiltonian, predictive=True)
        point = ceiling_weighted(dist, p, a["alpha"])
    except ValueError as exc:                  # the tilt leaves no mass on the tabulated law
        return NoLaw(f"the fitted basin law (G3, calibrated at n = 4-7) extrapolated to n = {n}, p = {p} "
                     f"leaves no mass on {what} ({exc}); no optimiser-found law")
    if float(dist.cdf(tilted.median())) < 1e-3:
        return NoLaw(f"the fitted basin law (G3, calibrated at n = 4-7) extrapolated to n = {n}, p = {p} "
                     f"(exponent alpha' p/2 = {a['alpha'] * p / 2:.3g}) moves the median into the far lower "
                     f"tail of {what} (below its 0.1 % quantile), where neither law was tested; no "
                     "optimiser-found law here (as n -> inf both laws approach the edge level f_e, "
                     "docs/theory.md §13-14)")
    warns = [w for w in (a["warning"], warning) if w]
    cal = calibration()
    prov = Provenance("fitted", model, f"docs/theory.md §16.5-16.6 ((B1'), (G3)) applied to {section}",
                      {"file": "rmt_qgm/data/basin_law_g3.json", "date": cal["date"], "points": cal["points"],
                       "fit_range": {"qubits": cal.get("qubits"), "gamma": cal.get("gammas"),
                                     "hamiltonians": cal["hamiltonians"]},
                       "source": cal["source"], "residual_sd_log_alpha": cal["s"]})
    return law_from_distribution(tilted, weighting="optimiser-found (basin-weighted: uniform random starts, local "
                                 "optimiser)", E0=units.offset, provenance=prov, reliable=not warns,
                                 reason="; ".join(warns) or None,
                                 details={"alpha_prime": a["alpha"], "alpha_prime_se_log": a["se_log"],
                                          **_at_point_estimate(point),
                                          "law": f"{what} tilted by (1 - t/t_c)_+^(alpha' p/2), alpha' from (G3) "
                                                 "(calibrated on the exact circuit model at n = 4-7), averaged over "
                                                 "alpha''s fit uncertainty (predictive; rmt_qgm.theory.laws.optimiser)"})


def _complexity_block(problem, points: int) -> dict:
    """``asymptotic.complexity`` of the asymptotic model: total and minima complexity and the typical index
    fraction against F (docs/theory.md §14, §19.4; :func:`rmt_qgm.theory.asymptotics.critical_complexity.complexity_curve`)."""
    from .asymptotics.critical_complexity import complexity_curve
    from .registry import ASYMPTOTIC_MAX_LEVELS
    curve = complexity_curve(problem.law.coarse(ASYMPTOTIC_MAX_LEVELS), problem.gamma, points)
    units = problem.units
    for row in curve:
        row["t"] = float(units.to_t(row["F"]))
        row["minima"] = None if not np.isfinite(row["minima"]) else row["minima"]
    return {"points": curve,
            "note": "per unit D = 2^(n+1), up to one F-independent constant shared by total and minima: critical "
                    "points of every index near F number about exp(D total), local minima exp(D minima) (None: "
                    "the Hessian's edge is below 0, no minima at exponential order); index_fraction: typical share "
                    "of negative Hessian eigenvalues (docs/theory.md §19.4)"}


def predict(n_qubits: int | None, n_params: int, hamiltonian: str = "fidelity", model: str = "auto", *,
            dof: int | None = None, dof_rule: str = "dimension", dps: int = 30, seed: int = 0,
            n_mc: int | None = None, complexity_points: int = 0, ladder: str = "auto",
            budget: float | None = None, progress: bool = False, generators_file: str | None = None,
            psi0: str = "zero"):
    """The prediction for (n, p, H): :class:`.prediction.Prediction` (module docstring).

    ``generators_file``: a structured circuit (a generators file, rmt_qgm/algebra/generators.py) with initial state
    ``psi0``: the JAWS/Wishart laws of :func:`rmt_qgm.theory.models.jaws.predict_structured` (docs/theory.md
    §10.4) answer instead of the randomized-ansatz models; only ``model="auto"``, ``seed`` and ``n_mc`` apply.

    ``model``: "auto" (default: :func:`rmt_qgm.theory.registry.choose`) or a name of
    :data:`rmt_qgm.theory.registry.MODELS`. ``budget``: seconds (default 60); a named model estimated to take
    longer is refused before it starts, auto picks one that fits. ``n_mc``: Monte Carlo draws (models' own
    defaults; the draws-based models take at least MIN_DRAWS, and a smaller request is reported). ``dof`` (a
    pure WHRF(m, p)) and ``dof_rule`` are for the whrf model only; ``ladder`` for the circuit model only.
    ``progress``: a tqdm bar on stderr for work expected to take more than 2 s.
    """
    from ..checks import check_float
    from ..problem import parse_problem
    from .prediction import Law, NoLaw, Prediction
    from .registry import DEFAULT_BUDGET, MODEL_NAMES, check_budget, choose, estimates
    from .kacrice.draws import MIN_DRAWS
    t0 = time.perf_counter()
    if generators_file is not None:
        from .models.jaws import predict_structured
        if model != "auto" or dof is not None or dof_rule != "dimension" or ladder != "auto" or complexity_points:
            raise UserInputError("generators file: a structured circuit is answered by the JAWS model only (no --model, "
                                 "--dof, --dof-rule, --ladder or --complexity)")
        return predict_structured(generators_file, n_qubits, n_params, hamiltonian, psi0=psi0, seed=seed, n_mc=n_mc)
    check_choice("model", model, MODEL_NAMES)
    budget = DEFAULT_BUDGET if budget is None else check_float("budget", budget, 0.0, open_min=True)
    dps = check_int("dps", dps, 15, 200)
    seed = check_int("seed", seed, 0)
    if n_mc is not None:
        n_mc = check_int("samples", n_mc, 16)
    check_choice("dof_rule", dof_rule, DOF_RULES)
    check_choice("ladder", ladder, LADDERS)
    complexity_points = check_int("complexity_points", complexity_points, 0, 1000)
    problem = parse_problem(n_qubits, n_params, hamiltonian, dof)
    opts = {"n_mc": n_mc, "ladder": ladder}
    if model == "auto":
        name, reason, est = choose(problem, budget, opts)
    else:
        name, reason, est = model, f"requested (--model {model})", estimates(problem, opts)
        check_budget(name, problem, budget, opts)
    # inputs a model ignores are refused, not dropped
    if dof is not None and name != "whrf":
        raise UserInputError("dof: a pure WHRF(m, p) is answered by --model whrf only")
    if dof_rule != "dimension" and name != "whrf":
        raise UserInputError(f"dof_rule: only --model whrf uses a degrees-of-freedom rule (model here: {name})")
    _refuse_model_options(name, ladder, complexity_points)
    warnings = []
    if n_mc is not None and n_mc < MIN_DRAWS and name in ("circuit", "spherical", "weighted"):
        warnings.append(f"samples: {n_mc} raised to {MIN_DRAWS} draws (the fewest this model takes)")
    if n_mc is not None and name in ("asymptotic", "edge"):
        warnings.append(f"samples: the {name} model uses no Monte Carlo; --samples ignored")
    estimate = next(e["estimated_seconds"] for e in est if e["model"] == name)
    raw, kr, critical, sampling, asym = None, None, None, None, None
    digits_lost, dof_block = 0, None
    minima = opt = None
    if name == "circuit-edge":
        from .models.circuit_edge import MIN_FINE_DRAWS
        per_node = max(n_mc, MIN_FINE_DRAWS) if n_mc is not None else None
        laws, sampling = _circuit_edge_answer(problem, seed, per_node,
                                              t0 + DEADLINE_SHARE * budget - 3.0 if per_node is None else None,
                                              estimate, progress)
        if laws is not None:
            minima, opt = laws
        else:
            why_not = ("the circuit edge law's Tracy–Widom window limits it here (docs/theory.md §20.2)")
            if model == "auto":
                name, reason = "edge", f"{reason}; but {why_not}: the edge law answers instead"
            else:
                minima = NoLaw(why_not)
                opt = NoLaw(why_not)
    if name == "edge" and minima is None:
        with TimedProgress(estimate, progress, "edge law"):
            laws, edge_res = _run_edge(problem)
        if laws is not None:
            minima, opt = laws
        else:
            why_not = ("the edge law's window limits it here (the Tracy–Widom edge expansion does not determine "
                       f"the law at p = {problem.n_params}; docs/theory.md §19.3)")
            if model == "auto":
                name, reason = "asymptotic", f"{reason}; but {why_not}: the asymptotic levels answer instead"
            else:
                minima = NoLaw(why_not)
                opt = NoLaw(why_not)
    if name == "asymptotic":
        asym, minima, opt = _run_asymptotic(problem, dps)
        digits_lost = asym.get("digits_lost", 0)
        if complexity_points:
            asym["complexity"] = _complexity_block(problem, complexity_points)
    elif name in ("edge", "circuit-edge"):
        pass
    elif name == "whrf":
        with TimedProgress(estimate, progress, "whrf Kac–Rice"):
            raw = predict_raw(n_qubits, problem.n_params, hamiltonian, "whrf", dof, dof_rule, dps, seed,
                              n_mc or 2000, complexity_points)
        minima, opt = _whrf_laws(raw, problem)
    else:
        from ..hamiltonians import parse_hamiltonian
        from .distributions import AffineUnits
        units = AffineUnits.for_hamiltonian(parse_hamiltonian(problem.hamiltonian, problem.n_qubits))
        draws = max(n_mc or MIN_DRAWS, MIN_DRAWS)
        if name == "circuit":
            from .registry import circuit_draws
            draws = circuit_draws(problem, opts, budget)
            estimate = estimate * draws / max(n_mc or MIN_DRAWS, MIN_DRAWS)
        bar = DrawProgress(estimate, progress, f"{name} model Monte Carlo", draws)
        try:
            mod = importlib.import_module(f".{_MODEL_MODULES[name]}", __package__)
            kw = dict(seed=seed, n_mc=draws, dps=dps, return_draws=True)
            if name == "circuit":
                kw.update(ladder=ladder, progress=bar, sampler="reduced",
                          deadline=t0 + DEADLINE_SHARE * budget - 3.0 if n_mc is None else None)
            raw, kr = mod.predict_model(problem.n_qubits, problem.n_params, problem.hamiltonian, **kw)
        except MonteCarloError as exc:
            raw, kr = None, None
            mc_fail = str(exc).split("; use more draws")[0]
        finally:
            bar.close()
        if raw is None:
            minima = NoLaw(f"no law from the Monte Carlo: {mc_fail}")
            opt = NoLaw("no count-weighted law to tilt (see minima.reason)")
        else:
            minima, count_dist = _count_law(raw, kr, problem, name, units)
            if name == "circuit":
                opt = _optimiser_law_circuit(raw, kr, problem, count_dist, units)
            else:
                opt = NoLaw(f"the basin law (G3) is calibrated on the exact circuit model only; use --model circuit "
                            f"or auto for the optimiser-found law (model here: {name})")
            sampling = {"draws": raw["critical_points"]["n_mc"], "draws_planned": draws,
                        "effective_sample_size_minima": kr.effective_sample_size(0), **(raw.get("sampling") or {})}
            if kr.stopped_at_deadline:
                warnings.append(f"samples: stopped at the time budget after {raw['critical_points']['n_mc']} of "
                                f"{draws} planned draws (this host is slower than the cost model); --samples "
                                f"{raw['critical_points']['n_mc']} reproduces this result, a larger --budget "
                                "takes more draws")
            asym, digits_lost = raw.get("asymptotic"), raw.get("digits_lost", 0)
            if name == "circuit" and model == "auto" and isinstance(minima, Law):
                end = t0 + FALLBACK_DEADLINE_SHARE * budget
                fallback = _small_ess_fallback(problem, kr, minima, est, end - time.perf_counter(), seed, end, progress)
                if fallback is not None:
                    name, why, minima, opt, sampling, note = fallback
                    reason = f"{reason}; but {why}"
                    warnings.append(note)
    if raw is not None:
        critical = dict(raw["critical_points"])
        c, se = np.array(critical["expected_counts_by_index"]), np.array(critical["stderr_by_index"])
        with np.errstate(divide="ignore", invalid="ignore"):
            critical["relative_stderr_by_index"] = [float(x) if np.isfinite(x) else None for x in se / np.abs(c)]
        if kr is not None and kr.log_counts is not None and not np.all(np.isfinite(c)):
            critical["log10_expected_counts_by_index"] = (kr.log_counts / np.log(10)).tolist()
        dof_block = raw.get("dof")
        if asym is None:
            asym = raw.get("asymptotic")
    if problem.law is not None and problem.overparameterised:
        over_min, over_opt = _overparameterised_laws(problem)
        if isinstance(minima, NoLaw) or name in ("asymptotic", "edge", "circuit-edge"):
            minima = over_min
        if isinstance(opt, NoLaw) or name == "asymptotic" or name == "circuit":
            if name == "circuit" and not isinstance(opt, NoLaw):
                warnings.append("p >= p_c: the fitted basin law is not calibrated here; the optimiser-found law is the "
                                "transition's (global minimum)")
            opt = over_opt
    transition = (_transition_block(problem, raw) if problem.law is not None else
                  (raw or {}).get("transition", {}))
    regime = ("overparameterised (p >= p_c)" if problem.law is not None and problem.overparameterised
              else (raw or {}).get("regime", "underparameterised (p < p_c)"))
    return Prediction(
        model=name, model_reason=reason, n_qubits=problem.n_qubits, n_params=problem.n_params, gamma=problem.gamma,
        hamiltonian=problem.hamiltonian, regime=regime, minima=minima, optimiser_minima=opt, transition=transition,
        critical_points=critical, ansatz=None if problem.n_qubits is None else "randomized", asymptotic=asym, sampling=sampling, dof=dof_block,
        models_considered=est, warnings=warnings, dps=dps, digits_lost=int(digits_lost or 0), seed=seed,
        seconds=time.perf_counter() - t0, budget_seconds=budget)


def _circuit_edge_answer(problem, seed: int, per_node: int | None, deadline: float | None, estimate: float,
                         progress: bool):
    """The circuit edge law's (laws, sampling block) with a progress bar (laws None when its window limits it)."""
    from .models.circuit_edge import MIN_FINE_DRAWS, planned_draws
    bar = DrawProgress(estimate, progress, "circuit edge law", planned_draws(per_node or 2 * MIN_FINE_DRAWS))
    try:
        laws, res = _run_circuit_edge(problem, seed, per_node, deadline, bar)
    finally:
        bar.close()
    sampling = None if laws is None else {
        "draws": res.draws, "draws_per_node": res.draws_per_node, "nodes": int(res.nodes.size),
        "reproduce": f"--model circuit-edge --samples {res.draws_per_node} (draws per node) with the same --seed"}
    return laws, sampling


def _small_ess_fallback(problem, kr, circuit_minima, est: list[dict], remaining: float, seed: int, deadline: float,
                        progress: bool):
    """auto's answer when the circuit model's law of minima rests on fewer than MIN_ESS effective draws
    (:func:`.registry.small_ess_fallback`): (model, why, minima, optimiser_minima, sampling, note), or None when the
    circuit model's ESS suffices, no fallback fits the remaining budget, or the fallback's window limits it."""
    from .kacrice.draws import MIN_ESS
    from .registry import small_ess_fallback
    ess = float(kr.effective_sample_size(0))
    if not ess < MIN_ESS:
        return None
    fb = small_ess_fallback(problem, est, remaining)
    if fb is None:
        return None
    what = {"circuit-edge": "the circuit edge law (docs/theory.md §20)", "edge": "the edge law (docs/theory.md §19)"}[fb]
    laws = sampling = None
    if fb == "circuit-edge":
        laws, sampling = _circuit_edge_answer(problem, seed, None, deadline,
                                              next(e["estimated_seconds"] for e in est if e["model"] == fb), progress)
        if laws is None:                             # its Tracy–Widom window limits it: the edge law, as auto does
            fb, what = "edge", "the edge law (docs/theory.md §19; the circuit edge law's window limits it here)"
    if fb == "edge":
        laws, _ = _run_edge(problem)
    if laws is None:
        return None
    minima, opt = laws
    why = (f"its law of minima rests on {ess:.1f} effective draws (< {MIN_ESS}: a few heavy draws, a spiky band): "
           f"{what} answers instead (docs/theory.md §11.4; docs/studies/heldout_ess.md)")
    note = (f"the exact circuit model ran first: median of minima {circuit_minima.median:.6g} from {ess:.1f} "
            f"effective draws; --model circuit shows its full answer")
    return fb, why, minima, opt, sampling, note


def _whrf_laws(raw: dict, problem):
    """``minima`` of the isotropic WHRF: its tabulated law (no per-draw s.e. available); no optimiser law."""
    from .distributions import AffineUnits
    from .prediction import NoLaw, Provenance, law_from_distribution
    if problem.law is not None:
        units = problem.units
    else:
        units = AffineUnits()
    dist = _law_from_raw_pdf(raw, units)
    minima = law_from_distribution(
        dist, weighting="each local minimum counted once (Kac–Rice)", E0=units.offset,
        provenance=Provenance("derived", "whrf", "docs/theory.md §5.2 (derivations/step_05)"), median_stderr=None,
        ess=None, reliable=False,
        reason="the isotropic WHRF is a surrogate that puts circuit minima too low (docs/studies/circuits_vs_theory.md); "
               "its Monte Carlo median has no s.e. estimate here")
    return minima, NoLaw("the basin law (G3) is calibrated on the exact circuit model only; use --model circuit or "
                         "auto for the optimiser-found law (model here: whrf)")
