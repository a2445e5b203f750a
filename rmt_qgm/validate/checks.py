"""Validation checks: theory against sampling, exhaustive enumeration and circuit Monte Carlo (issue 4).

Each check returns a :class:`CheckResult` with a statistic, a threshold fixed by the sample size and a
stated significance level (never tuned to pass), pass/fail, parameters, seed and seconds. Which checks run
in the quick and full suites, and which of them are registered known failures, is
:mod:`rmt_qgm.validate.registry`; the reports are :mod:`rmt_qgm.validate.report`.

- ``point-law/whrf``: KS distance of sampled t against the Gamma(m/2, 2/m) law, and of the normalised
  gradient grad / sqrt(4t/m) against N(0, 1) (docs/theory.md §4). Threshold: the KS critical value at
  alpha = 1e-3 (Bonferroni over the two tests).
- ``point-law/circuit``: F = 1 - |<0|psi>|^2 of randomized circuits at random angles against the Haar law
  1 - Beta(1, d - 1) (exact for Haar states; the randomized model's final Haar unitary makes psi Haar).
- ``critical-count/whrf`` and ``critical-count/spherical``: mean counts by index over exhaustively
  enumerated sampled fields vs finite-size Kac–Rice. Statistic: the largest z-score
  |mean - KR| / sqrt(se_enum^2 + se_KR^2) over indices; threshold: the two-sided normal quantile at
  alpha = 1e-3 / (p + 1). Every field must also satisfy the Euler identity (completeness).
- ``transition/fidelity``: fraction of certified runs reaching the global minimum against gamma for
  randomized circuits; statistic: the first gamma of the grid with fraction >= 1/2; passes when it equals
  the predicted gamma_c = 1 (the grid contains 1 and its neighbours).
- ``minima-distribution``: optimiser-found (basin-weighted) minima of randomized circuits vs the
  predicted law of the exact circuit model (spherical surrogate where the circuit model is too costly):
  the KS distance and the median ratio are reported; the check passes when the predicted median lies
  in the 95% bootstrap interval of the empirical median (instances resampled) and the
  prediction's effective sample size is >= 30; an unreliable prediction fails.
- ``minima-distribution/optimiser``: the same kind of optimiser-found minima against the engine's law of
  optimiser-found minima (:mod:`rmt_qgm.theory.laws.optimiser`: the exact circuit model tilted by the basin law
  (B1′) with its exponent from the fitted law (G3)); passes when the prediction's band at ± 2 standard
  errors of log α′ (the table's rule in docs/studies/basin_ceiling_law.md) meets the empirical median's 95 %
  bootstrap interval and the circuit model's effective sample size is >= 30. The rows are not
  calibration points of (G3) (n = 4, p = 12 in the quick suite).
- ``minima-distribution/distinct``: the same circuits with many starts, minima deduplicated modulo pi so
  each counts once (as in Kac–Rice): the number of distinct minima per instance and their median against
  the exact circuit Kac–Rice (:mod:`rmt_qgm.theory.models.circuit`); z-scores, Bonferroni at alpha = 0.01.
- ``predict/default``: ``predict``'s default answer (model ``auto``, its budget, every option at its default) at
  n = 7–8 against optimiser-found minima of simulated randomized circuits (issue 19's rule): passes when the
  empirical median of certified minima lies inside the predicted ``optimiser_minima`` [q10, q90] and within a
  factor 2 of its median (in t = (F − E0)/(Ē − E0)). Statistic |log(t_pred/t_emp)|, threshold log 2; the
  model chosen, the seconds of the call and the empirical median's 95 % bootstrap interval are reported.
- ``critical-count/circuit``: enumeration of randomized circuits against the exact circuit Kac–Rice, with
  the Gaussian spherical surrogate reported beside it.
- ``asymptotic/spherical-edge``: the limiting conditional Hessian law of the spherical model for a general
  spectrum (:mod:`rmt_qgm.theory.asymptotics.spherical`) at its edge level f_e, against sampled matrices
  X^T (K - f) X / D + rho Z'; the Cauchy transform at z = L - sigma/4 left of the predicted edge L,
  Richardson-extrapolated in 1/D; statistic |extrapolated - G| / s.e., threshold 3.29 (alpha = 1e-3).
  The smallest sampled eigenvalue is reported beside L.
- ``asymptotic/spherical-log-potential``: the determinant term Phi of the minima complexity
  (:mod:`rmt_qgm.theory.asymptotics.minima_complexity`) at half the concentration level against sampled (1/p) log det of the
  same matrices, Richardson-extrapolated in 1/D; threshold 3.29.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from ..theory.kacrice.draws import MIN_DRAWS, MIN_ESS
from ..analysis import compare_counts, hessians_at_minima, whrf_critical_count_fields, whrf_minimum_hessian_draws
from ..checks import check_choice
from ..seeding import generator


@dataclass
class CheckResult:
    name: str
    params: dict
    statistic: float
    threshold: float
    passed: bool
    seed: int
    seconds: float = 0.0
    details: dict = field(default_factory=dict)
    figure: str | None = None
    #: filled in by the runner from the registered check (:mod:`rmt_qgm.validate.registry`): its key, the
    #: expected outcome ("pass" | "known-failure") with reason and reference, and the outcome ("PASS",
    #: "KNOWN-FAIL", "UNEXPECTED FAIL" or "UNEXPECTED PASS")
    check_id: str = ""
    expected: str = "pass"
    outcome: str = ""
    reason: str = ""
    ref: str = ""


def ks_critical(n: int, alpha: float) -> float:
    """Asymptotic one-sample KS critical value sqrt(-log(alpha/2) / (2n))."""
    return math.sqrt(-math.log(alpha / 2) / (2 * n))


def check_point_law_whrf(m: int = 10, p: int = 3, n: int = 20000, seed: int = 0) -> CheckResult:
    from ..theory.models.whrf_pointlaw import sample_point, t_law
    t0 = time.perf_counter()
    F, grad, _ = sample_point(m, p, generator(seed, "point-law", m, p), n)
    d1 = stats.kstest(F, t_law(m).cdf).statistic
    d2 = stats.kstest((grad[:, 0] / np.sqrt(4 * F / m)), "norm").statistic
    thr = ks_critical(n, 1e-3 / 2)
    stat = max(d1, d2)
    return CheckResult("point-law/whrf", {"m": m, "p": p, "samples": n}, float(stat), thr, stat <= thr, seed,
                       time.perf_counter() - t0, {"ks_t": d1, "ks_grad": d2, "alpha": 1e-3})


def check_point_law_circuit(n_qubits: int = 3, p: int = 4, instances: int = 400, seed: int = 0) -> CheckResult:
    from ..circuits.ansatz import build_circuit, initial_state
    from ..hamiltonians import parse_hamiltonian
    from ..spec import parse_psi0
    t0 = time.perf_counter()
    ham = parse_hamiltonian("fidelity", n_qubits)
    F = np.empty(instances)
    for i in range(instances):
        rng = generator(seed, "point-law-circuit", i)
        circ = build_circuit("randomized", n_qubits, p, rng)
        psi0 = initial_state(parse_psi0("zero"), n_qubits, None)
        F[i] = circ.loss(rng.uniform(0, np.pi, p), psi0, ham)
    d = 2 ** n_qubits
    stat = stats.kstest(1 - F, stats.beta(1, d - 1).cdf).statistic
    thr = ks_critical(instances, 1e-3)
    return CheckResult("point-law/circuit", {"n_qubits": n_qubits, "p": p, "instances": instances,
                                             "hamiltonian": "fidelity", "psi0": "zero"},
                       float(stat), thr, stat <= thr, seed, time.perf_counter() - t0,
                       {"law": "1 - Beta(1, d - 1)", "alpha": 1e-3})


def _count_check(name, sets, counts, stderr, params, seed, t0) -> CheckResult:
    c = compare_counts(sets, counts, stderr)
    z, p = c.z, c.enumerated_mean.size - 1
    thr = float(stats.norm.isf(1e-3 / (2 * (p + 1))))
    complete = c.euler_zero
    return CheckResult(name, params, float(z.max()), thr, bool(z.max() <= thr and complete), seed,
                       time.perf_counter() - t0,
                       {"enumerated_mean": c.enumerated_mean.tolist(), "enumerated_se": c.enumerated_se.tolist(),
                        "kac_rice": list(map(float, c.kac_rice)), "kac_rice_se": list(map(float, c.kac_rice_se)),
                        "all_fields_euler_zero": complete, "fields": c.fields})


def check_critical_count_whrf(m: int = 6, p: int = 2, fields: int = 100, seed: int = 0) -> CheckResult:
    t0 = time.perf_counter()
    sets, kr = whrf_critical_count_fields(m, p, fields, seed)
    return _count_check("critical-count/whrf", sets, kr.counts, kr.stderr, {"m": m, "p": p, "fields": fields},
                        seed, t0)


def check_critical_count_spherical(n_qubits: int = 2, p: int = 2, hamiltonian: str = "randspec:5",
                                   fields: int = 100, seed: int = 0) -> CheckResult:
    from ..hamiltonians import parse_hamiltonian
    from ..theory.kacrice.enumerate import RayleighField, enumerate_critical_points
    from ..theory.models.spherical import kac_rice_spherical, real_form_spectrum
    t0 = time.perf_counter()
    spec = parse_hamiltonian(hamiltonian, n_qubits).spectrum
    a = real_form_spectrum(spec)
    sets = []
    for i in range(fields):
        rng = generator(seed, "count-sph", p, i)
        sets.append(enumerate_critical_points(RayleighField.sample(a, p, rng), rng=rng))
    kr = kac_rice_spherical(spec, p, seed=seed, n_mc=20000)
    return _count_check("critical-count/spherical", sets, kr.counts, kr.stderr,
                        {"n_qubits": n_qubits, "p": p, "hamiltonian": hamiltonian, "fields": fields}, seed, t0)


def check_critical_count_circuit(n_qubits: int = 2, p: int = 2, hamiltonian: str = "randspec:5",
                                 circuits: int = 60, seed: int = 0) -> CheckResult:
    """Exhaustive enumeration on randomized circuits (Haar V_j, Haar psi0) against the exact circuit
    Kac–Rice of :mod:`rmt_qgm.theory.models.circuit` (no surrogate field).

    Same statistic as the field checks (max z over indices, Bonferroni threshold, Euler identity for
    every circuit). The spherical (Gaussian surrogate) counts are reported beside it. Known limit: when an
    extreme eigenvalue of H is degenerate (e.g. the top of the infidelity spectrum), circuits have
    isolated critical points exactly at that value, an atom the continuous Kac–Rice density does not
    contain.
    """
    from ..circuits.ansatz import build_circuit, initial_state
    from ..hamiltonians import parse_hamiltonian
    from ..spec import parse_psi0
    from ..theory.models.circuit import kac_rice_circuit
    from ..theory.kacrice.enumerate import CircuitField, enumerate_critical_points
    from ..theory.models.spherical import kac_rice_spherical
    t0 = time.perf_counter()
    ham = parse_hamiltonian(hamiltonian, n_qubits)
    sets = []
    for i in range(circuits):
        rng = generator(seed, "count-circuit", n_qubits, p, hamiltonian, i)
        circ = build_circuit("randomized", n_qubits, p, rng)
        psi0 = initial_state(parse_psi0("haar"), n_qubits, rng)
        sets.append(enumerate_critical_points(CircuitField(circ, psi0, ham),
                                              grid_per_dim=16 if p <= 2 else 8, rng=rng))
    kr = kac_rice_circuit(ham.spectrum, p, seed=seed, n_mc=40000)
    res = _count_check("critical-count/circuit", sets, kr.counts, kr.stderr,
                       {"n_qubits": n_qubits, "p": p, "hamiltonian": hamiltonian, "ansatz": "randomized",
                        "circuits": circuits, "model": "circuit"}, seed, t0)
    ks = kac_rice_spherical(ham.spectrum, p, seed=seed, n_mc=20000)
    res.details["spherical_surrogate"] = ks.counts.tolist()
    res.details["spherical_surrogate_se"] = ks.stderr.tolist()
    return res


def check_transition(n_qubits: int = 3, gammas=(0.5, 0.75, 1.0, 1.5), starts: int = 6, instances: int = 3,
                     seed: int = 0, workers: int = 1) -> CheckResult:
    from ..simulate import run_simulation
    t0 = time.perf_counter()
    fracs = []
    for g in gammas:
        p = int(round(g * 2 ** (n_qubits + 1)))
        s = run_simulation(n_qubits, p, hamiltonian="fidelity", starts=starts, instances=instances, seed=seed,
                           workers=workers).summary()
        fracs.append(s["minima"]["frac_global"])
    first = next((g for g, f in zip(gammas, fracs) if f >= 0.5), float("inf"))
    return CheckResult("transition/fidelity", {"n_qubits": n_qubits, "gammas": list(gammas), "starts": starts,
                                               "instances": instances},
                       float(first), 1.0, first == 1.0, seed, time.perf_counter() - t0,
                       {"frac_global": fracs, "predicted_gamma_c": 1.0,
                        "criterion": "first gamma with at least half the certified minima global"})


def _optimiser_minima_sample(n_qubits: int, p: int, hamiltonian: str, starts: int, instances: int, seed: int,
                             workers: int, ansatz: str = "randomized") -> tuple[np.ndarray, tuple[float, float]]:
    """Certified local minima (F) of multi-start runs on Haar-randomized circuits, and the 95 % percentile
    bootstrap interval of their median with instances resampled (starts within an instance are correlated)."""
    from ..simulate import run_simulation
    res = run_simulation(n_qubits, p, ansatz=ansatz, hamiltonian=hamiltonian, starts=starts, instances=instances,
                         seed=seed, workers=workers)
    a = res.arrays()
    sel = a["certified"] & (a["index"] == 0)
    F, inst = a["F"][sel], a["instance"][sel]
    rng = generator(seed, "bootstrap")
    ids = np.unique(inst)
    meds = [np.median(np.concatenate([F[inst == ids[j]] for j in rng.integers(0, len(ids), len(ids))]))
            for _ in range(2000)]
    lo, hi = np.quantile(meds, [0.025, 0.975])
    return F, (float(lo), float(hi))


def check_optimiser_minima(n_qubits: int = 4, p: int = 12, hamiltonian: str = "fidelity", starts: int = 8,
                           instances: int = 32, seed: int = 0, workers: int = 1) -> CheckResult:
    """Optimiser-found minima against the engine's optimiser-found law (exact circuit model tilted by the
    fitted basin law, :mod:`rmt_qgm.theory.laws.optimiser`; module docstring)."""
    from ..theory.models.circuit import predict_model
    from ..theory.laws.optimiser import optimiser_minima
    t0 = time.perf_counter()
    F, (lo, hi) = _optimiser_minima_sample(n_qubits, p, hamiltonian, starts, instances, seed, workers)
    pred = predict_model(n_qubits, p, hamiltonian, seed=seed, n_mc=MIN_DRAWS)   # predict's circuit law, without its
    # +- 1 s.e. optimiser block: the table's rule is the prediction +- 2 s.e. of log alpha' meeting the
    # empirical median's 95 % interval
    o = optimiser_minima(pred, k_se=2.0)
    band = sorted(o["median_range"])
    ess = pred["minima"]["effective_sample_size"]
    meets = band[0] <= hi and band[1] >= lo
    return CheckResult("minima-distribution/optimiser",
                       {"n_qubits": n_qubits, "p": p, "gamma": p / 2 ** (n_qubits + 1), "hamiltonian": hamiltonian,
                        "starts": starts, "instances": instances},
                       float(o["median"]), float(hi), bool(meets and ess >= MIN_ESS), seed, time.perf_counter() - t0,
                       {"empirical_median": float(np.median(F)), "empirical_median_ci95": [lo, hi],
                        "predicted_median": o["median"], "predicted_band_2se": [float(b) for b in band],
                        "count_weighted_median": pred["minima"]["median"], "alpha_prime": o["alpha_prime"],
                        "effective_sample_size": ess, "warning": o["warning"],
                        "statistic_is": "predicted median; threshold is the upper end of the empirical 95% CI"})


def check_predict_default(n_qubits: int = 7, gamma: float = 0.25, hamiltonian: str = "fidelity", starts: int = 2,
                          instances: int = 12, seed: int = 0, workers: int = 1) -> CheckResult:
    """``predict``'s default answer against optimiser-found minima of simulated circuits (module docstring)."""
    from ..hamiltonians import parse_hamiltonian
    from ..theory.predict import predict
    t0 = time.perf_counter()
    p = int(round(gamma * 2 ** (n_qubits + 1)))
    tc = time.perf_counter()
    pred = predict(n_qubits, p, hamiltonian, seed=seed)
    call_seconds = time.perf_counter() - tc
    F, (lo, hi) = _optimiser_minima_sample(n_qubits, p, hamiltonian, starts, instances, seed, workers)
    H = parse_hamiltonian(hamiltonian, n_qubits)
    t = lambda x: (float(x) - H.ground_energy) / (H.mean_energy - H.ground_energy)      # noqa: E731
    o = pred.optimiser_minima
    t_emp = t(np.median(F))
    params = {"n_qubits": n_qubits, "p": p, "gamma": gamma, "hamiltonian": hamiltonian, "starts": starts,
              "instances": instances}
    details = {"model": pred.model, "call_seconds": call_seconds, "empirical_median_t": t_emp,
               "empirical_median_ci95_t": [t(lo), t(hi)], "certified_minima": int(F.size),
               "statistic_is": "|log(t_pred / t_emp)|; passes when <= log 2 and t_emp is inside the predicted "
                               "optimiser_minima [q10, q90]"}
    if not getattr(o, "available", True) or F.size == 0:
        details["why_no_comparison"] = "no optimiser-found law" if F.size else "no certified minima"
        return CheckResult("predict/default", params, float("inf"), math.log(2), False, seed,
                           time.perf_counter() - t0, details)
    t_pred, q10, q90 = t(o.median), t(o.q10), t(o.q90)
    lr = math.log(t_pred / t_emp) if t_pred > 0 and t_emp > 0 else float("inf")
    inside = q10 <= t_emp <= q90
    details.update({"predicted_median_t": t_pred, "predicted_q10_q90_t": [q10, q90], "inside": inside,
                    "log_ratio": lr, "reliable": bool(o.reliable), "provenance": o.provenance.kind})
    return CheckResult("predict/default", params, abs(lr), math.log(2), bool(inside and abs(lr) <= math.log(2)),
                       seed, time.perf_counter() - t0, details)


def check_minima_distribution(n_qubits: int = 4, p: int = 4, hamiltonian: str = "fidelity", starts: int = 8,
                              instances: int = 8, seed: int = 0, workers: int = 1,
                              ansatz: str = "randomized", model: str = "spherical") -> CheckResult:
    """Optimiser-found (basin-weighted) minima against a Kac–Rice model's law of all minima (``model``
    spherical | circuit; module docstring)."""
    check_choice("model", model, ("spherical", "circuit"))
    if model == "circuit":
        from ..theory.models.circuit import predict_model
    else:
        from ..theory.models.spherical import predict_model
    t0 = time.perf_counter()
    F, (lo, hi) = _optimiser_minima_sample(n_qubits, p, hamiltonian, starts, instances, seed, workers, ansatz)
    pred = predict_model(n_qubits, p, hamiltonian, seed=seed, n_mc=MIN_DRAWS)
    pdf = np.asarray(pred["minima"]["pdf"])
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (pdf[1:, 1] + pdf[:-1, 1]) * np.diff(pdf[:, 0]))])
    ks = stats.kstest(F, lambda x: np.interp(x, pdf[:, 0], cdf / cdf[-1])).statistic
    med_pred = pred["minima"]["median"]
    ess = pred["minima"]["effective_sample_size"]
    inside = lo <= med_pred <= hi
    return CheckResult("minima-distribution", {"n_qubits": n_qubits, "p": p, "gamma": p / 2 ** (n_qubits + 1),
                                               "hamiltonian": hamiltonian, "ansatz": ansatz, "model": model,
                                               "starts": starts, "instances": instances},
                       float(med_pred), float(hi), bool(inside and ess >= MIN_ESS), seed, time.perf_counter() - t0,
                       {"empirical_median": float(np.median(F)), "empirical_median_ci95": [float(lo), float(hi)],
                        "predicted_median": med_pred, "median_ratio": float(med_pred / np.median(F)),
                        "ks_distance": float(ks), "effective_sample_size": ess,
                        "weighting": "empirical minima are optimiser-found (basin-weighted)",
                        "statistic_is": "predicted median; threshold is the upper end of the empirical 95% CI"})


def check_distinct_minima(n_qubits: int = 3, p: int = 4, hamiltonian: str = "projector:2", starts: int = 300,
                          instances: int = 8, seed: int = 0, workers: int = 1, replicates: int = 4) -> CheckResult:
    """Count-weighted minima of randomized circuits against the exact circuit Kac–Rice law.

    Many starts per instance; the certified minima are deduplicated modulo pi (:mod:`rmt_qgm.circuits.distinct`),
    so each minimum counts once, as in Kac–Rice (no basin weighting). Two z-scores: the mean number of
    distinct minima per instance against E N_0 (s.e.: instance spread / sqrt(instances) and the Kac–Rice
    s.e.), and the pooled median of the distinct values against the predicted median (s.e.: bootstrap over
    instances and the spread of ``replicates`` independent predictions / sqrt(replicates)). Threshold: the
    two-sided normal quantile at alpha = 0.01 / 2 (Bonferroni). Completeness: Chao1 estimate of unseen
    minima, reported; when it exceeds the observed count by more than 2 % the search missed minima (shallow
    minima with small basins first), and the note says so. The basin-weighted median is reported beside it.
    """
    from ..circuits.distinct import chao1, distinct_minima
    from ..simulate import run_simulation
    from ..theory.models.circuit import predict_model
    t0 = time.perf_counter()
    res = run_simulation(n_qubits, p, hamiltonian=hamiltonian, starts=starts, instances=instances, seed=seed,
                         workers=workers)
    a = res.arrays()
    vals, counts, chao = [], [], []
    for i in np.unique(a["instance"]):
        sel = (a["instance"] == i) & a["certified"] & (a["kind"] == 0)
        v, hits, _ = distinct_minima(a["theta"][sel], a["F"][sel])
        vals.append(v)
        counts.append(v.size)
        chao.append(chao1(hits))
    counts = np.array(counts, dtype=float)
    basin = a["F"][a["certified"] & (a["kind"] == 0)]
    preds = [predict_model(n_qubits, p, hamiltonian, seed=seed + 1000 * r, n_mc=8000) for r in range(replicates)]
    n0 = np.array([q["critical_points"]["expected_counts_by_index"][0] for q in preds])
    n0_se = np.array([q["critical_points"]["stderr_by_index"][0] for q in preds])
    meds = np.array([q["minima"]["median"] for q in preds])
    # s.e. of the mean over replicates: the larger of the propagated per-run s.e. and the replicate spread
    # (the Kac–Rice weights are heavy-tailed, so a per-run s.e. can understate the error)
    N0 = float(n0.mean())
    N0_se = float(max(np.sqrt(np.sum(n0_se ** 2)) / replicates, n0.std(ddof=1) / math.sqrt(replicates)))
    med_pred, med_pred_se = float(meds.mean()), float(meds.std(ddof=1) / math.sqrt(replicates))
    rng = generator(seed, "distinct-bootstrap")
    pooled = np.concatenate(vals)
    boot = [np.median(np.concatenate([vals[j] for j in rng.integers(0, len(vals), len(vals))]))
            for _ in range(2000)]
    med_emp, med_emp_se = float(np.median(pooled)), float(np.std(boot, ddof=1))
    z_count = (counts.mean() - N0) / math.hypot(counts.std(ddof=1) / math.sqrt(counts.size), N0_se)
    z_med = (med_emp - med_pred) / math.hypot(med_emp_se, med_pred_se)
    stat = float(max(abs(z_count), abs(z_med)))
    thr = float(stats.norm.isf(0.01 / 4))
    pdf = np.asarray(preds[0]["minima"]["pdf"])
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (pdf[1:, 1] + pdf[:-1, 1]) * np.diff(pdf[:, 0]))])
    ks = stats.kstest(pooled, lambda x: np.interp(x, pdf[:, 0], cdf / cdf[-1])).statistic
    return CheckResult("minima-distribution/distinct",
                       {"n_qubits": n_qubits, "p": p, "gamma": p / 2 ** (n_qubits + 1), "hamiltonian": hamiltonian,
                        "ansatz": "randomized", "model": "circuit", "starts": starts, "instances": instances,
                        "replicates": replicates},
                       stat, thr, stat <= thr, seed, time.perf_counter() - t0,
                       {"distinct_per_instance_mean": float(counts.mean()),
                        "distinct_per_instance": counts.tolist(), "chao1_per_instance": chao,
                        "predicted_N0": N0, "predicted_N0_se": N0_se, "z_count": float(z_count),
                        "empirical_median_distinct": med_emp, "empirical_median_se": med_emp_se,
                        "predicted_median": med_pred, "predicted_median_se": med_pred_se, "z_median": float(z_med),
                        "empirical_q10_q90_distinct": np.quantile(pooled, [0.1, 0.9]).tolist(),
                        "predicted_q10_q90": [preds[0]["minima"]["q10"], preds[0]["minima"]["q90"]],
                        "basin_weighted_median": float(np.median(basin)), "ks_distance_distinct": float(ks),
                        "effective_sample_size": [q["minima"]["effective_sample_size"] for q in preds],
                        "weighting": "each distinct minimum once (deduplicated modulo pi), as in Kac–Rice"})


def check_hessian_at_minima(n_qubits: int = 3, p: int = 8, starts: int = 8, instances: int = 8, seed: int = 0,
                            workers: int = 1, draws: int = 4000, model: str = "whrf") -> CheckResult:
    """Mean Hessian eigenvalue at found minima against a model's conditional law (``model`` whrf | circuit).

    ``circuit``: the exact circuit Kac–Rice draws (:mod:`rmt_qgm.theory.models.circuit`, 8 x ``draws`` of them)
    give E[tr H / p | minimum at F] by kernel regression over the index-0 draws (bandwidth 0.02 (Ebar - E0)).
    Conditioning on the found minimum's own F removes basin weighting from this comparison.

    For each distinct certified minimum (value t, exact Hessian H) the model predicts
    E[tr H / p | minimum at t] = 2 (Ebar - E0) E_KR[tr M(t) / p], with M(t) = W - t I + sqrt(t) Z under the
    Kac–Rice weights |det M| 1{M > 0} (docs/theory.md §4, §5.5; analysis.whrf_minimum_hessian_draws, m = 2^(n+1)).
    The residual r = tr H / p - prediction is averaged per circuit instance (minima of one instance are
    correlated); statistic = |mean_i r_i| / (sd_i r_i / sqrt(I)), a one-sample t statistic over the I
    instances; threshold = the two-sided 99% Student-t quantile with I - 1 degrees of freedom. Minima
    whose theory has an effective sample size below 50 are excluded and counted.
    """
    from ..simulate import run_simulation
    t0 = time.perf_counter()
    res = run_simulation(n_qubits, p, hamiltonian="fidelity", starts=starts, instances=instances, seed=seed,
                         workers=workers)
    eigs, Fs, inst_all = hessians_at_minima(res, with_instances=True)
    E0, Eb = res.params["E0"], res.params["Ebar"]
    # distinct minima per instance (the same minimum is often found from several starts)
    keep, seen = [], set()
    for k, (i, F) in enumerate(zip(inst_all, Fs)):
        key = (int(i), round(float(F), 9))
        if key not in seen:
            seen.add(key)
            keep.append(k)
    eigs, Fs, inst = eigs[keep], Fs[keep], inst_all[keep]
    t = (Fs - E0) / (Eb - E0)
    check_choice("model", model, ("whrf", "circuit"))
    if model == "whrf":
        ev, w, ess = whrf_minimum_hessian_draws(2 ** (n_qubits + 1), p, t, generator(seed, "hessian-check"), draws)
        pred = 2 * (Eb - E0) * np.einsum("jd,jd->j", w, ev.mean(axis=2))
    else:
        from ..hamiltonians import parse_hamiltonian
        from ..theory.models.circuit import conditional_mean_at_minima, kac_rice_circuit
        kr, kev = kac_rice_circuit(parse_hamiltonian("fidelity", n_qubits).spectrum, p, seed=seed,
                                   n_mc=8 * draws, return_eigenvalues=True)
        pred, ess = conditional_mean_at_minima(kr, kev.mean(axis=1), Fs, 0.02 * (Eb - E0))
    ok = ess >= 50
    r = eigs.mean(axis=1) - pred
    ids = [i for i in np.unique(inst[ok])]
    per = np.array([r[ok & (inst == i)].mean() for i in ids])
    n_i = per.size
    stat = float(abs(per.mean()) / (per.std(ddof=1) / math.sqrt(n_i))) if n_i >= 3 else float("inf")
    thr = float(stats.t.ppf(0.995, max(n_i - 1, 1)))
    return CheckResult("hessian-at-minima", {"n_qubits": n_qubits, "p": p, "gamma": p / 2 ** (n_qubits + 1),
                                             "hamiltonian": "fidelity",
                                             "model": "isotropic WHRF" if model == "whrf" else "circuit (exact)",
                                             "starts": starts, "instances": instances},
                       stat, thr, bool(n_i >= 3 and stat <= thr), seed, time.perf_counter() - t0,
                       {"distinct_minima": int(len(Fs)), "excluded_low_ess": int((~ok).sum()),
                        "instances_used": n_i, "mean_eigenvalue_empirical": float(eigs[ok].mean()),
                        "mean_eigenvalue_predicted": float(pred[ok].mean()),
                        "statistic_is": "t statistic of the per-instance mean residual of tr H / p"})


def _clopper_pearson(k: int, n: int, alpha: float) -> tuple[float, float]:
    lo = stats.beta.ppf(alpha / 2, k, n - k + 1) if k > 0 else 0.0
    hi = stats.beta.ppf(1 - alpha / 2, k + 1, n - k) if k < n else 1.0
    return float(lo), float(hi)


def check_transition_spectrum(n_qubits: int = 3, hamiltonians=("projector:2", "projector:4", "randspec:1"),
                              starts: int = 6, instances: int = 4, seed: int = 0, workers: int = 1) -> CheckResult:
    """The general-spectrum transition p_c = 2(d - d0) (theory/laws/transition.py) against circuits.

    For each spectrum, randomized circuits at p = p_c - 2 and p = p_c + 2. Prediction: the fraction of
    certified minima that are global crosses 1/2 between them. Pass for a spectrum when the 99%
    Clopper–Pearson interval of that fraction lies below 1/2 at p_c - 2 and above 1/2 at p_c + 2
    (intervals from the number of minima found). Statistic: the number of spectra that fail (threshold 0).
    Details give the heights t = (F - E0)/(Ebar - E0) of any non-global minima at p_c + 2.
    """
    from ..hamiltonians import parse_hamiltonian
    from ..simulate import run_simulation
    from ..theory.laws.transition import spectral_transition
    t0 = time.perf_counter()
    rows, failing = [], []
    for h in hamiltonians:
        tr = spectral_transition(parse_hamiltonian(h, n_qubits).spectrum)
        pc = tr["params_c"]
        row = {"hamiltonian": h, "gamma_c": tr["gamma_c"], "params_c": pc}
        ok = True
        for p, side in ((pc - 2, "below"), (pc + 2, "above")):
            r = run_simulation(n_qubits, p, hamiltonian=h, starts=starts, instances=instances, seed=seed,
                               workers=workers)
            s = r.summary()
            n_min = s["minima"]["certified"]
            k = int(round(s["minima"]["frac_global"] * n_min))
            lo, hi = _clopper_pearson(k, n_min, 0.01)
            ok &= (hi < 0.5) if side == "below" else (lo > 0.5)
            F = np.asarray(s["minima"]["F"])
            t = (F - s["E0"]) / (s["Ebar"] - s["E0"])
            row.update({f"frac_global_{side}": s["minima"]["frac_global"], f"minima_{side}": n_min,
                        f"ci99_{side}": [lo, hi],
                        f"max_t_nonglobal_{side}": float(t[t > 1e-6].max()) if np.any(t > 1e-6) else 0.0})
        if not ok:
            failing.append(h)
        rows.append(row)
    return CheckResult("transition/spectrum", {"n_qubits": n_qubits, "hamiltonians": list(hamiltonians),
                                               "starts": starts, "instances": instances},
                       float(len(failing)), 0.0, not failing, seed, time.perf_counter() - t0,
                       {"rows": rows, "failing": failing})


def _richardson_z(means: list[float], ses: list[float], theory: float) -> tuple[float, float, float, float]:
    """(extrapolated, s.e., |extrapolated - theory| / s.e., threshold) for sample means at sizes (N, 2N).

    The O(1/N) finite-size term is removed by 2 mean(2N) - mean(N), s.e. sqrt(4 se(2N)^2 + se(N)^2);
    threshold: the two-sided 0.1% normal quantile, 3.29.
    """
    ext = 2 * means[1] - means[0]
    se = math.sqrt(4 * ses[1] ** 2 + ses[0] ** 2)
    return ext, se, abs(ext - theory) / se, float(stats.norm.isf(1e-3 / 2))


def _check_doubling(sizes, what: str) -> None:
    if sizes[1] != 2 * sizes[0]:
        raise ValueError(f"sizes must be ({what}, 2{what}) for the Richardson step")


def check_complexity_log_potential(gamma: float = 0.25, t_frac: float = 0.5, sizes: tuple[int, int] = (100, 200),
                                   samples: int = 40, seed: int = 0) -> CheckResult:
    """Phi(t) = int log lambda dmu_t of the complexity S(t) against sampled matrices M(t) = W - tI + sqrt(t) Z.

    At t = t_frac t_e(gamma), for p in ``sizes`` (m = p / gamma): the sample mean of (1/p) log|det M| and
    its standard error over ``samples`` matrices; the O(1/p) finite-size term is removed by Richardson
    extrapolation 2 mean(2p) - mean(p) (sizes must double), with s.e. sqrt(4 se(2p)^2 + se(p)^2).
    Statistic |extrapolated - Phi| / s.e.; threshold the two-sided 0.1% normal quantile, 3.29.
    """
    from ..theory.asymptotics.whrf import edge_threshold
    from ..theory.asymptotics.whrf_complexity import log_potential
    from ..theory.models.whrf_pointlaw import sample_wz
    t0 = time.perf_counter()
    _check_doubling(sizes, "p")
    t = t_frac * float(edge_threshold(gamma).value)
    phi = float(log_potential(gamma, t, 20).value)
    means, ses = [], []
    for p in sizes:
        rng = generator(seed, "complexity", gamma, t_frac, p)
        m = int(round(p / gamma))
        vals = []
        for _ in range(samples):
            W, Z = sample_wz(m, p, rng, 1)
            ev = np.linalg.eigvalsh(W[0] - t * np.eye(p) + math.sqrt(t) * Z[0])
            vals.append(np.mean(np.log(np.abs(ev))))
        means.append(float(np.mean(vals)))
        ses.append(float(np.std(vals, ddof=1) / math.sqrt(samples)))
    ext, se, stat, thr = _richardson_z(means, ses, phi)
    return CheckResult("complexity/log-potential", {"gamma": gamma, "t": t, "t_over_t_e": t_frac,
                                                    "sizes": list(sizes), "samples": samples},
                       float(stat), thr, bool(stat <= thr), seed, time.perf_counter() - t0,
                       {"phi_theory": phi, "mc_means": means, "mc_se": ses, "extrapolated": ext,
                        "extrapolated_se": se})


def _conditional_hessian_spectra(shifted_spectrum: np.ndarray, rho: float, gamma: float, D: int, samples: int,
                                 rng: np.random.Generator):
    """Eigenvalues of ``samples`` matrices X^T diag(a) X / D + rho Z' (a: the shifted spectrum H - F replicated
    D / 2^n times, X a D x p Gaussian with p = gamma D, Z' symmetric zero-diagonal N(0, 1/D))."""
    if D % shifted_spectrum.size:
        raise ValueError("sizes must be multiples of 2^n")
    p = int(round(gamma * D))
    av = np.repeat(shifted_spectrum, D // shifted_spectrum.size)
    for _ in range(samples):
        X = rng.standard_normal((D, p))
        Z = rng.standard_normal((p, p)) / math.sqrt(2 * D)
        Z = Z + Z.T
        np.fill_diagonal(Z, 0.0)
        yield np.linalg.eigvalsh((X.T * av) @ X / D + rho * Z)


def check_spherical_edge(n_qubits: int = 6, hamiltonian: str = "randspec:1", gamma: float = 0.25,
                         sizes: tuple[int, int] = (512, 1024), samples: int = 8, seed: int = 0) -> CheckResult:
    """The spherical model's asymptotic Hessian law at its edge level against sampled matrices.

    At f = f_e(gamma) (typical rule, where the predicted left edge L is 0) the conditional Hessian is
    M = X^T (K - f) X / D + rho Z' with the spectrum's law replicated D / 2^n times (fixed law), X a D x p
    Gaussian, p = gamma D, Z' symmetric zero-diagonal N(0, 1/D). Compared: G(z) = (1/p) tr (z - M)^-1 at
    z = L - sigma/4 (sigma^2 = kappa_2 the law's variance), whose 1/D finite-size term is removed by
    Richardson extrapolation 2 G(2D) - G(D), s.e. sqrt(4 se(2D)^2 + se(D)^2). Statistic |extrap - G| / s.e.;
    threshold the two-sided 0.1% normal quantile 3.29.
    """
    import mpmath as mp

    from ..hamiltonians import parse_hamiltonian
    from ..theory.asymptotics import spherical as sa
    t0 = time.perf_counter()
    _check_doubling(sizes, "D")
    ham = parse_hamiltonian(hamiltonian, n_qubits)
    levels, weights = sa.spectral_law(ham.spectrum)
    fe = sa.edge_level(ham.spectrum, gamma, "typical", dps=20).F
    with mp.workdps(20):
        r2 = sa.rho2_typical(levels, weights, fe)
        s = mp.mpf(gamma) * r2
        L = sa.left_edge(levels, weights, fe, gamma, s)
        a = np.asarray(levels) - fe
        kappa2 = gamma * float(np.sum(weights * a ** 2)) + float(s)
        z = L - mp.sqrt(kappa2) / 4
        G = float(sa.cauchy_left_of_edge(levels, weights, fe, gamma, s, z))
    z, L, rho = float(z), float(L), math.sqrt(float(r2))
    spec = np.sort(ham.spectrum) - fe
    means, ses, lmins = [], [], []
    for D in sizes:
        rng = generator(seed, "spherical-edge", hamiltonian, n_qubits, gamma, D)
        vals, mins = [], []
        for ev in _conditional_hessian_spectra(spec, rho, gamma, D, samples, rng):
            vals.append(np.mean(1.0 / (z - ev)))
            mins.append(ev[0])
        means.append(float(np.mean(vals)))
        ses.append(float(np.std(vals, ddof=1) / math.sqrt(samples)))
        lmins.append([float(np.mean(mins)), float(np.std(mins, ddof=1) / math.sqrt(samples))])
    ext, se, stat, thr = _richardson_z(means, ses, G)
    return CheckResult("asymptotic/spherical-edge", {"n_qubits": n_qubits, "hamiltonian": hamiltonian,
                                                     "gamma": gamma, "sizes": list(sizes), "samples": samples},
                       float(stat), thr, bool(stat <= thr), seed, time.perf_counter() - t0,
                       {"edge_level_F": fe, "rho2": float(r2), "edge": L, "z": z, "G_theory": G,
                        "mc_means": means, "mc_se": ses, "extrapolated": ext, "extrapolated_se": se,
                        "smallest_eigenvalue_mean_se": lmins})


def check_spherical_log_potential(n_qubits: int = 6, hamiltonian: str = "randspec:1", gamma: float = 0.25,
                                  f_frac: float = 0.5, sizes: tuple[int, int] = (512, 1024), samples: int = 8,
                                  seed: int = 0) -> CheckResult:
    """Phi = (1/p) log det of the limiting Hessian (the minima complexity's determinant term) vs sampling.

    At F = E0 + f_frac (f* - E0), f* the concentration level (:mod:`rmt_qgm.theory.asymptotics.minima_complexity`), with rho^2
    the complexity's optimal spread there: the sample mean of (1/p) log det M over ``samples`` matrices
    M = X^T (K - F) X / D + rho Z' (as in ``asymptotic/spherical-edge``), Richardson-extrapolated in 1/D;
    statistic |extrapolated - Phi| / s.e.; threshold 3.29 (alpha = 1e-3).
    """
    from ..hamiltonians import parse_hamiltonian
    from ..theory.asymptotics import minima_complexity as mcx
    from ..theory.asymptotics import spherical as sa
    t0 = time.perf_counter()
    _check_doubling(sizes, "D")
    ham = parse_hamiltonian(hamiltonian, n_qubits)
    levels, weights = sa.spectral_law(ham.spectrum)
    fstar = mcx.concentration_level(ham.spectrum, gamma)["F"]
    F = float(levels[0] + f_frac * (fstar - levels[0]))
    _, r2 = mcx.minima_complexity(levels, weights, F, gamma)
    phi = mcx.log_potential(levels, weights, F, gamma, gamma * r2)
    rho = math.sqrt(r2)
    spec = np.sort(ham.spectrum) - F
    means, ses = [], []
    for D in sizes:
        rng = generator(seed, "spherical-logdet", hamiltonian, n_qubits, gamma, f_frac, D)
        vals = [np.mean(np.log(np.abs(ev)))
                for ev in _conditional_hessian_spectra(spec, rho, gamma, D, samples, rng)]
        means.append(float(np.mean(vals)))
        ses.append(float(np.std(vals, ddof=1) / math.sqrt(samples)))
    ext, se, stat, thr = _richardson_z(means, ses, phi)
    return CheckResult("asymptotic/spherical-log-potential",
                       {"n_qubits": n_qubits, "hamiltonian": hamiltonian, "gamma": gamma, "f_frac": f_frac,
                        "sizes": list(sizes), "samples": samples},
                       float(stat), thr, bool(stat <= thr), seed, time.perf_counter() - t0,
                       {"F": F, "concentration_level_F": fstar, "rho2": r2, "phi_theory": phi, "mc_means": means,
                        "mc_se": ses, "extrapolated": ext, "extrapolated_se": se})
