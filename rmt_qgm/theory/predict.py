"""``predict``: the theory behind ``rmt-qgm predict`` (issue 3).

For n qubits, p parameters and a Hamiltonian spec it returns, for the chosen landscape model, the
local-minimum distribution in raw loss units F = <psi|H|psi>, the expected critical points by index per
[0, pi)^p at finite size (with Monte Carlo standard errors), the transition location, the asymptotic
threshold t_e(gamma) and Marchenko–Pastur edge mapped to F, the working precision and the digits lost.
gamma = p / 2^(n+1) by convention; the model's own ratio p / m_real is ``gamma_model``.

For ``model="circuit"`` the result also has ``optimiser_minima``: the law of the minima a multi-start
local optimiser finds (basin-weighted; :func:`rmt_qgm.theory.optimiser_law.optimiser_minima`, a fitted
basin law with its uncertainty and warnings), beside ``minima``, which counts every minimum once.
"""
from __future__ import annotations

import importlib
import time


from .. import gamma_of
from ..checks import check_choice, check_int
from ..errors import UserInputError
from ..hamiltonians import parse_hamiltonian
from .asymptotics import edge_threshold, mp_edge, transition_gamma
from .circuit_kacrice import LADDERS
from .distributions import AffineUnits, LocalMinimaDistribution
from .dof import DOF_RULES, dof_for
from .kacrice import exact_counts_p1, expected_counts

MODELS = ("whrf", "weighted", "spherical", "circuit")
#: module of each non-WHRF model
_MODEL_MODULES = {"weighted": "weighted", "spherical": "spherical", "circuit": "circuit_kacrice"}
PDF_POINTS = 120


def predict(n_qubits: int | None, n_params: int, hamiltonian: str = "fidelity", model: str = "whrf",
            dof: int | None = None, dof_rule: str = "dimension", dps: int = 30, seed: int = 0,
            n_mc: int = 2000, complexity_points: int = 0, ladder: str = "auto") -> dict:
    """Prediction for (n, p, H) under ``model`` (module docstring). ``dof`` gives a pure WHRF(m, p).

    ``complexity_points`` > 0 adds ``asymptotic.complexity``: [t, S(t)] of the isotropic WHRF on that many
    points of (0, t_e] (:func:`rmt_qgm.theory.complexity.complexity_curve`, 20 digits), for gamma < 1.

    ``ladder`` (``model="circuit"`` only): "auto", "plain" or "deep", the Monte Carlo tilt ladder
    (:func:`rmt_qgm.theory.circuit_kacrice.predict_model`; "auto" goes deep near the transition).
    """
    t0 = time.perf_counter()
    check_choice("model", model, MODELS)
    p = check_int("params", n_params, 1)
    dps = check_int("dps", dps, 15)
    n_mc = check_int("samples", n_mc, 100)
    check_choice("dof_rule", dof_rule, DOF_RULES)
    complexity_points = check_int("complexity_points", complexity_points, 0, 1000)
    check_choice("ladder", ladder, LADDERS)
    if ladder != "auto" and model != "circuit":
        raise UserInputError(f"ladder: the Monte Carlo ladder is chosen for --model circuit only; got model {model}")
    if complexity_points and model != "whrf":
        raise UserInputError("complexity: the asymptotic complexity S(t) is derived for --model whrf only")
    if complexity_points == 1:
        raise UserInputError("complexity must be 0 (off) or at least 2 points")
    if model != "whrf":
        try:
            mod = importlib.import_module(f".{_MODEL_MODULES[model]}", __package__)
        except ImportError:
            mod = None
        if mod is None or not hasattr(mod, "predict_model"):
            raise UserInputError(f"model {model}: not available yet in this version; use --model whrf")
        if model != "circuit":
            return mod.predict_model(n_qubits, p, hamiltonian, seed=seed, n_mc=n_mc, dps=dps)
        res = mod.predict_model(n_qubits, p, hamiltonian, seed=seed, n_mc=n_mc, dps=dps, ladder=ladder)
        from .optimiser_law import optimiser_minima   # what a multi-start optimiser finds: basin-weighted
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
        from .complexity import complexity_curve
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
