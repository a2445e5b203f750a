"""The landscape models ``predict`` can use, in one registry that the API and the CLI both read.

Each :class:`ModelSpec` says what it is, for which problems it can answer (``unavailable``), what it would
cost on this project's reference host (``estimate_seconds``: 2 cores, measured 2026-12-07 with other work on
the host, so conservative) and where it has been validated. :func:`choose` is the ``auto`` rule:

=====================================================  ================  ====================================================
region                                                 model             why
=====================================================  ================  ====================================================
pure WHRF (``dof`` given, no qubits)                   ``whrf``          the only model defined there
p >= p_c = 2 (d - d0) (overparameterised)              ``asymptotic``    the transition answers (docs/theory.md §12.1):
                                                                         optimiser ends at a global minimum
exact circuit model fits the budget                    ``circuit``       exact finite-size law of the randomized
                                                                         ansatz (docs/theory.md §11), most accurate
                                                                         validated model (docs/studies/circuits_vs_theory.md)
otherwise, its sampled Hessians fit the budget and      ``circuit-edge``  Kac–Rice of the circuit at fixed F with the
gamma > 0.375 or the spectrum has more than two levels                   Hessian factor from exact circuit Hessians
                                                                         (docs/theory.md §20; n <= 8 at 60 s); the
                                                                         edge law answers where its window limits it
otherwise (over budget: large n or p)                  ``edge``          finite-size law from the asymptotic edge with
                                                                         a Tracy–Widom edge (docs/theory.md §19), when
                                                                         its window is not limiting (else asymptotic)
otherwise                                              ``asymptotic``    fixed-law 2^n -> inf levels, any spectrum,
                                                                         seconds; finite-size error stated
=====================================================  ================  ====================================================

After the circuit model has run, its answer is replaced when its law of minima rests on fewer than MIN_ESS = 30
effective draws (the threshold below which every Monte Carlo law of the package is flagged "rests on a few draws"):
a few heavy draws make a narrow, spiky band around a noisy location. Then the model auto uses in that region when
the circuit model is over budget answers instead (:func:`small_ess_fallback`: ``circuit-edge`` in its region
(:func:`circuit_edge_region`), ``edge`` elsewhere), if it fits the remaining budget; the circuit model's median and
effective sample size stay in the result's warnings. Evidence (post hoc, then declared): docs/studies/heldout_ess.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..errors import UserInputError

#: the default time budget of one prediction, seconds (``--budget``)
DEFAULT_BUDGET = 60.0
#: the asymptotic levels work on a spectral law of at most this many levels (coarser laws are merged, the
#: ground level kept exactly: :meth:`rmt_qgm.problem.SpectralLaw.coarse`)
ASYMPTOTIC_MAX_LEVELS = 256


def _needs_dense(problem) -> str | None:
    from ..problem import DENSE_LAW_MAX_QUBITS
    if problem.n_qubits is None:
        return "needs a Hamiltonian on n qubits (a pure WHRF(m, p) has only --model whrf)"
    if problem.n_qubits > DENSE_LAW_MAX_QUBITS:
        return f"needs the 2^n-dimensional state space, n <= {DENSE_LAW_MAX_QUBITS}"
    return None


# --- cost models: seconds on the reference host (2 cores, shared), fitted to timings of 2026-12-07 -----------
# circuit (reduced sampler, single-threaded BLAS): per draw 1.5e-4 s + 4e-9 s (d p^2 + p^3) + 2e-7 s p; measured
# 0.33 ms (n = 4, p = 24), 1.1 ms (5, 48), 2.5 ms (6, 64), 11 ms (7, 128), 58 ms (8, 256): the model is within
# a factor 1.6 above those. spherical/weighted: 5e-5 + 3e-9 (2d) p^2 + 1e-9 p^3 per draw. whrf: n_mc x 120
# t-nodes x (2e-6 + 7e-8 p^2 + 1e-9 p^3). asymptotic: 3 s (numba load + mpmath edge levels).
#: predict's circuit model spends up to this share of the budget on draws beyond MIN_DRAWS (more draws, larger
#: effective sample size), at most MAX_AUTO_DRAWS
DRAW_SHARE = 0.4
MAX_AUTO_DRAWS = 64000


def _draws(opts) -> int:
    from .kacrice.draws import MIN_DRAWS
    return max(int(opts.get("n_mc") or MIN_DRAWS), MIN_DRAWS)


def circuit_seconds_per_draw(problem) -> float:
    d, p = problem.dim, problem.n_params
    return 1.5e-4 + 4e-9 * (d * p * p + p ** 3) + 2e-7 * p


def _ladder_runs(problem, opts) -> float:
    return 1.0 if opts.get("ladder", "auto") != "auto" or problem.gamma < 0.6 else 2.0   # auto may go deep


def circuit_draws(problem, opts, budget: float) -> int:
    """Draws of predict's circuit model: the requested ``n_mc`` (at least MIN_DRAWS), or, when none is given, as
    many as fill DRAW_SHARE of the budget (between MIN_DRAWS and MAX_AUTO_DRAWS)."""
    from .kacrice.draws import MIN_DRAWS
    if opts.get("n_mc"):
        return _draws(opts)
    fit = int(DRAW_SHARE * budget / (circuit_seconds_per_draw(problem) * _ladder_runs(problem, opts)))
    return int(min(MAX_AUTO_DRAWS, max(MIN_DRAWS, fit)))


def _cost_circuit(problem, opts) -> float:
    return _draws(opts) * circuit_seconds_per_draw(problem) * _ladder_runs(problem, opts) + 3.0


def _cost_surrogate(problem, opts) -> float:
    d, p = problem.dim, problem.n_params
    return _draws(opts) * (5e-5 + 3e-9 * 2 * d * p * p + 1e-9 * p ** 3) + 3.0


def _cost_whrf(problem, opts) -> float:
    p = problem.n_params
    n_mc = int(opts.get("n_mc") or 2000)
    return n_mc * 120 * (2e-6 + 7e-8 * p * p + 1e-9 * p ** 3) + 0.5


def _cost_asymptotic(problem, opts) -> float:
    return 3.0


def _cost_edge(problem, opts) -> float:
    # about 210 evaluations of the log density, each 10 ms + 0.5 ms per spectral level (measured 2026-12-07 on
    # the shared host: 2-12 s for two levels at n = 7-20, 39 s for 256 levels at n = 8)
    levels = min(problem.law.levels.size, ASYMPTOTIC_MAX_LEVELS) if problem.law is not None else 2
    return 3.0 + 210 * (0.01 + 5e-4 * levels)


def _cost_circuit_edge(problem, opts) -> float:
    from .models.circuit_edge import MIN_FINE_DRAWS, planned_draws, seconds_per_draw
    per_node = max(int(opts.get("n_mc") or MIN_FINE_DRAWS), MIN_FINE_DRAWS)
    return 3.0 + planned_draws(per_node) * seconds_per_draw(problem.dim, problem.n_params)


def _circuit_edge_unavailable(problem) -> str | None:
    return _needs_dense(problem) or _edge_unavailable(problem)


#: the edge law's count-weighted median is flagged not reliable above this gamma: measured against the exact
#: circuit model at n = 4-6 it is within a few % at gamma <= 0.25 and about 10 % low at 0.5, 45 % at 0.75
#: (docs/studies/edge_law.md); the threshold is the midpoint between the measured gammas 0.25 and 0.5
EDGE_RELIABLE_GAMMA_MAX = 0.375
#: ... and auto uses the circuit edge law (docs/theory.md §20) above it for every spectrum, and at or below it for
#: spectra with more than two levels (:func:`circuit_edge_region`): for two-level spectra at gamma <= 0.375 the
#: smallest Hessian eigenvalue at high F is an outlier of the ground level, the circuit edge law's Tracy–Widom fit
#: fails (window-limited or widened laws, docs/studies/circuit_edge.md) and the edge law answers


def _edge_unavailable(problem) -> str | None:
    if problem.law is None:
        return "needs a Hamiltonian (use --model whrf with --dof)"
    if problem.overparameterised:
        return "p >= p_c: the transition answers (no local minima above E0 to tabulate)"
    return None


@dataclass(frozen=True)
class ModelSpec:
    """One landscape model (module docstring)."""

    name: str
    summary: str
    minima_provenance: str            # "derived" | "fitted"
    optimiser_provenance: str
    validated: str                    # where and how well (the check or doc that measured it)
    unavailable: Callable             # problem -> reason it cannot answer, or None
    estimate_seconds: Callable        # (problem, options) -> seconds


MODELS: dict[str, ModelSpec] = {
    "circuit": ModelSpec(
        "circuit", "exact finite-size Kac–Rice law of the randomized (Haar) circuit ansatz, no surrogate field; "
        "optimiser-found law = that law tilted by the fitted basin law (B1')/(G3)",
        "derived", "fitted",
        "n = 3-6, gamma = 0.125-0.75, three spectra: optimiser-found law agrees with circuit simulation in 36 of "
        "36 rows of docs/studies/circuits_vs_theory.md (leave-one-(n, p)-out), 15 of 15 declared new rows (n = 4-7); "
        "fails its declared tests at gamma = 0.875 and n = 3, p = 2 (docs/studies/basin_ceiling_law.md)",
        _needs_dense, _cost_circuit),
    "asymptotic": ModelSpec(
        "asymptotic", "fixed-spectral-law limit 2^n -> inf at fixed gamma: concentration level of local minima and "
        "edge level of the Hessian at critical points (mpmath), any spectrum, any n <= 30",
        "derived", "derived",
        "the levels themselves against sampled matrices (validate check asymptotic/spherical-edge); as a "
        "prediction for circuits they are limits: at n = 4-6 circuit medians sit 1.5-5x above them in t "
        "(docs/studies/asymptotic_edge.md)",
        lambda problem: None if problem.law is not None else "needs a Hamiltonian (use --model whrf with --dof)",
        _cost_asymptotic),
    "edge": ModelSpec(
        "edge", "finite-size law of local minima from the asymptotic edge of the conditional Hessian with its "
        "Tracy–Widom fluctuation (normalised-state model, any n, seconds); optimiser-found law = that law tilted "
        "by the fitted basin law (B1')/(G3)",
        "derived", "fitted",
        "count-weighted median against the exact circuit model at n = 4-6, three spectra, and the optimiser-found "
        "law against simulated circuits at n = 4-8 (docs/studies/edge_law.md): within a few % at gamma <= 0.25, low "
        "by about 10 % at 0.5 and 45 % at 0.75",
        _edge_unavailable, _cost_edge),
    "circuit-edge": ModelSpec(
        "circuit-edge", "finite-size Kac–Rice law of the randomized circuit at fixed F: exact p_F and gradient density, "
        "Hessian factor from exact circuit Hessians sampled at fixed F with a Tracy–Widom edge (no importance weights); "
        "optimiser-found law = that law tilted by the fitted basin law (B1')/(G3)",
        "derived", "fitted",
        "count-weighted median against the exact circuit model at n = 4-6, three spectra, and the optimiser-found "
        "law against simulated circuits at n = 4-8 (docs/studies/circuit_edge.md)",
        _circuit_edge_unavailable, _cost_circuit_edge),
    "spherical": ModelSpec(
        "spherical", "spherical surrogate (the state's real form on the sphere, Gaussian tangent directions)",
        "derived", "fitted", "docs/studies/circuits_vs_theory.md: sits below circuit minima; heavy weights (small ESS)",
        _needs_dense, _cost_surrogate),
    "weighted": ModelSpec(
        "weighted", "spectrum-weighted WHRF surrogate", "derived", "fitted",
        "docs/studies/circuits_vs_theory.md: below circuit minima", _needs_dense, _cost_surrogate),
    "whrf": ModelSpec(
        "whrf", "isotropic Wishart hypertoroidal random field (the ICLR 2022 model), finite-size Kac–Rice",
        "derived", "fitted", "puts minima too low for circuits (docs/studies/circuits_vs_theory.md); exact for a pure "
        "WHRF(m, p) (tests/test_enumeration_vs_kacrice.py)",
        lambda problem: None, _cost_whrf),
}
#: models for ``predict(..., generators_file=F)`` (structured circuits), kept out of MODELS so that predict without a
#: generators file considers exactly the models above
STRUCTURED_MODELS: dict[str, ModelSpec] = {
    "jaws": ModelSpec(
        "jaws", "JAWS/Wishart description of deep structured circuits (arXiv 2408.11901; docs/theory.md §10.3-10.4): "
        "the weighted WHRF with beta_alpha r_alpha amplitudes of weight obar_alpha / (beta_alpha r_alpha) per "
        "component; optimiser-found law = that law tilted by the fitted basin law (B1')/(G3), outside its calibration",
        "derived", "fitted", "against certified minima of simulated structured circuits (n = 5, 6, three presets, two "
        "Hamiltonians): fails, 0 of 36 rows within a factor 2 (docs/studies/structured_minima.md)",
        lambda problem: None, lambda problem, opts: 2.0 + 1e-3 * float((opts or {}).get("n_mc") or 2000)),
}
#: names accepted by ``predict(model=...)`` and ``--model``
MODEL_NAMES = ("auto",) + tuple(MODELS)


def estimates(problem, opts) -> list[dict]:
    """Every model's availability and estimated cost for ``problem``."""
    out = []
    for name, spec in MODELS.items():
        why = spec.unavailable(problem)
        out.append({"model": name, "available": why is None, "why_not": why,
                    "estimated_seconds": None if why else float(spec.estimate_seconds(problem, opts))})
    return out


def choose(problem, budget: float, opts: dict) -> tuple[str, str, list[dict]]:
    """The ``auto`` rule (module docstring): (model, reason, every model's estimate)."""
    est = estimates(problem, opts)
    by = {e["model"]: e for e in est}
    if problem.n_qubits is None:
        return "whrf", "a pure WHRF(m, p) (--dof): the only model defined without a Hamiltonian", est
    if problem.overparameterised:
        return ("asymptotic", f"p = {problem.n_params} >= p_c = {problem.params_c} (overparameterised): the "
                "transition theory answers (docs/theory.md §12.1); no Monte Carlo needed", est)
    c = by["circuit"]
    if c["available"] and c["estimated_seconds"] <= budget:
        return ("circuit", f"exact circuit model fits the budget (estimated {c['estimated_seconds']:.0f} s <= "
                f"{budget:g} s); the most accurate validated model ({MODELS['circuit'].validated.split(':')[0]})", est)
    sec = c["estimated_seconds"]
    ce = by["circuit-edge"]
    if ce["available"] and ce["estimated_seconds"] <= budget and circuit_edge_region(problem):
        return ("circuit-edge", f"the exact circuit model {'would take about ' + _duration(sec) if c['available'] else c['why_not']}"
                f"; the circuit edge law (exact circuit Hessians at fixed F, docs/theory.md §20) fits the budget "
                f"(estimated {ce['estimated_seconds']:.0f} s; measured error in docs/studies/circuit_edge.md)", est)
    e = by["edge"]
    if e["available"] and e["estimated_seconds"] <= budget:
        return ("edge", f"the exact circuit model {'would take about ' + _duration(sec) if c['available'] else c['why_not']}"
                f"; the finite-size edge law answers in seconds (docs/theory.md §19; measured error in "
                "docs/studies/edge_law.md)", est)
    why = (f"the exact circuit model {c['why_not']}" if not c["available"] else
           f"the exact circuit model is out of reach at this size (estimated {_duration(sec)})" if sec > WEEK else
           f"the exact circuit model would take about {_duration(sec)} > budget {budget:g} s "
           f"(--budget {sec * 1.2:.0f} runs it)")
    return "asymptotic", f"{why}; the asymptotic levels answer in seconds (finite-size error stated)", est


def circuit_edge_region(problem) -> bool:
    """Where auto prefers the circuit edge law to the edge law when both fit (module docstring): gamma above
    EDGE_RELIABLE_GAMMA_MAX, or a spectrum with more than two distinct levels. The edge law's Hessian is the
    normalised-state model's, which lowers the smallest eigenvalue more than a circuit's own (docs/theory.md §20.1)
    at every gamma; the circuit edge law's only failure below 0.375 is the ground-level outlier of two-level spectra
    (§20.2 item 2). Since 2026-12-07 (before: gamma above the threshold only); post hoc evidence at gamma = 0.25 and
    the declared test in docs/theory.md §20.2."""
    return problem.gamma > EDGE_RELIABLE_GAMMA_MAX or problem.law.levels.size > 2


def small_ess_fallback(problem, est: list[dict], remaining: float) -> str | None:
    """The model ``auto`` answers with instead of the circuit model when the circuit model's Monte Carlo law rests on
    fewer than MIN_ESS effective draws (module docstring): the circuit edge law in :func:`circuit_edge_region`, the
    edge law elsewhere (each the model auto uses there when the circuit model is over budget), if it is
    available and its estimated cost fits the ``remaining`` seconds; else None (the circuit answer stays, flagged)."""
    if problem.overparameterised:
        return None
    by = {e["model"]: e for e in est}
    name = "circuit-edge" if circuit_edge_region(problem) else "edge"
    e = by[name]
    return name if e["available"] and e["estimated_seconds"] <= remaining else None


WEEK = 7 * 86400.0


def _duration(sec: float) -> str:
    if sec < 120:
        return f"{sec:.0f} s"
    if sec < 7200:
        return f"{sec / 60:.0f} min"
    if sec < 3 * 86400:
        return f"{sec / 3600:.1f} h"
    if sec < 3e7 * 100:
        return f"{sec / 86400:.0f} days"
    return f"{sec / 3.15e7:.1e} years"


def check_budget(model: str, problem, budget: float, opts: dict) -> float:
    """Refuse a named model whose estimated cost exceeds ``budget`` before it starts; returns the estimate."""
    spec = MODELS[model]
    why = spec.unavailable(problem)
    if why:
        raise UserInputError(f"model {model}: {why}; --model auto picks one that answers")
    sec = float(spec.estimate_seconds(problem, opts))
    if sec > budget:
        raise UserInputError(f"budget: model {model} would take about {_duration(sec)} for n = {problem.n_qubits}, "
                             f"p = {problem.n_params}, more than --budget {budget:g} s; raise --budget to "
                             f"{sec * 1.2:.0f} or use --model auto (answers within the budget)")
    return sec
