"""Reports of a validation run: ``report.json``, ``report.md``, the critical-count figure, and stdout lines.

Every check is listed with its outcome (:mod:`rmt_qgm.validate.registry`): PASS, KNOWN-FAIL (with the
registered reason and reference), UNEXPECTED FAIL, or UNEXPECTED PASS (a registered known failure that
passed: flagged, not fatal).
"""
from __future__ import annotations

import os
import time
from dataclasses import asdict

import numpy as np

from ..theory.kacrice.draws import MIN_ESS
from .. import __version__
from ..store import atomic_savefig, atomic_write_bytes, atomic_write_json
from .checks import CheckResult
from .registry import KNOWN_FAIL, OUTCOMES, PASS, UNEXPECTED_FAIL, UNEXPECTED_PASS, exit_code


def _figure_counts(results: list[CheckResult], out: str) -> str | None:
    rows = [r for r in results if r.name.startswith("critical-count")]
    if not rows:
        return None
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(rows), figsize=(4.5 * len(rows), 3.6), constrained_layout=True)
    axes = np.atleast_1d(axes)
    for ax, r in zip(axes, rows):
        d = r.details
        k = np.arange(len(d["kac_rice"]))
        ax.errorbar(k - 0.08, d["enumerated_mean"], yerr=d["enumerated_se"], fmt="o", label="enumeration")
        ax.errorbar(k + 0.08, d["kac_rice"], yerr=d["kac_rice_se"], fmt="s", label="Kac–Rice")
        ax.set_xticks(k)
        ax.set_xlabel("Hessian index k")
        ax.set_ylabel(r"expected critical points per $[0,\pi)^p$")
        ax.set_title(f"{r.name.split('/')[1]}: " + ", ".join(f"{a}={b}" for a, b in r.params.items()
                                                              if a != "fields"), fontsize=8)
        ax.legend(fontsize=8)
    path = atomic_savefig(fig, os.path.join(out, "critical-counts.png"), dpi=130)
    plt.close(fig)
    return path


def _note(r: CheckResult) -> str:
    """One-line reading of a result for report.md."""
    d = r.details
    if r.name == "minima-distribution":
        lo, hi = d["empirical_median_ci95"]
        why = []
        if d["effective_sample_size"] < MIN_ESS:
            why.append(f"prediction unreliable (ESS {d['effective_sample_size']:.1f} < {MIN_ESS})")
        if not lo <= d["predicted_median"] <= hi:
            why.append("predicted median outside the empirical 95% CI")
        return (f"predicted median {d['predicted_median']:.3f} vs empirical {d['empirical_median']:.3f} "
                f"[{lo:.3f}, {hi:.3f}], KS {d['ks_distance']:.2f}, ESS {d['effective_sample_size']:.0f}"
                + (f"; FAIL: {'; '.join(why)}" if why else ""))
    if r.name == "minima-distribution/optimiser":
        lo, hi = d["empirical_median_ci95"]
        b0, b1 = d["predicted_band_2se"]
        return (f"optimiser-found law (alpha' = {d['alpha_prime']:.2f}): median {d['predicted_median']:.4f} "
                f"(± 2 s.e. of alpha': {b0:.4f}–{b1:.4f}) vs empirical {d['empirical_median']:.4f} [{lo:.4f}, "
                f"{hi:.4f}]; count-weighted Kac–Rice median {d['count_weighted_median']:.4f}, ESS "
                f"{d['effective_sample_size']:.0f}" + (f"; {d['warning']}" if d["warning"] else ""))
    if r.name == "minima-distribution/distinct":
        return (f"distinct minima per instance {d['distinct_per_instance_mean']:.2f} (Chao1 "
                f"{np.mean(d['chao1_per_instance']):.2f}) vs circuit Kac–Rice E N_0 {d['predicted_N0']:.2f} ± "
                f"{d['predicted_N0_se']:.2f} (z {d['z_count']:.2f}); median of distinct minima "
                f"{d['empirical_median_distinct']:.3f} ± {d['empirical_median_se']:.3f} vs predicted "
                f"{d['predicted_median']:.3f} ± {d['predicted_median_se']:.3f} (z {d['z_median']:.2f}); "
                f"basin-weighted median {d['basin_weighted_median']:.3f}"
                + ("; search INCOMPLETE (Chao1 above the observed count): missed minima bias the count and the "
                   "median low" if np.mean(d["chao1_per_instance"]) > 1.02 * d["distinct_per_instance_mean"] else ""))
    if r.name.startswith("critical-count"):
        enum = ", ".join(f"{m:.2f}±{e:.2f}" for m, e in zip(d["enumerated_mean"], d["enumerated_se"]))
        kr = ", ".join(f"{m:.2f}±{e:.2f}" for m, e in zip(d["kac_rice"], d["kac_rice_se"]))
        note = (f"counts by index: enumerated {enum}; Kac–Rice {kr}; Euler identity "
                + ("holds" if d["all_fields_euler_zero"] else "FAILS"))
        if "spherical_surrogate" in d:
            note += "; Gaussian spherical surrogate " + ", ".join(f"{m:.2f}" for m in d["spherical_surrogate"])
        return note
    if r.name == "asymptotic/spherical-edge":
        (m1, s1), (m2, s2) = d["smallest_eigenvalue_mean_se"]
        return (f"edge level F = {d['edge_level_F']:.4g} (predicted edge L = {d['edge']:.2g}); G(z) at "
                f"z = {d['z']:.3f}: theory {d['G_theory']:.5f}, sampled extrapolated {d['extrapolated']:.5f} ± "
                f"{d['extrapolated_se']:.5f}; smallest eigenvalue {m1:.4f} ± {s1:.4f} (D = {r.params['sizes'][0]}), "
                f"{m2:.4f} ± {s2:.4f} (D = {r.params['sizes'][1]})")
    if r.name == "asymptotic/spherical-log-potential":
        return (f"at F = {d['F']:.4g} (concentration level f* = {d['concentration_level_F']:.4g}, optimal rho^2 "
                f"{d['rho2']:.4g}): Phi theory {d['phi_theory']:.5f}; sampled (1/p) log det extrapolated "
                f"{d['extrapolated']:.5f} ± {d['extrapolated_se']:.5f}")
    if r.name == "complexity/log-potential":
        return (f"Phi theory {d['phi_theory']:.5f}; sampled (1/p) log|det M| extrapolated in 1/p "
                f"{d['extrapolated']:.5f} ± {d['extrapolated_se']:.5f}; statistic is |difference| / s.e.")
    if r.name == "hessian-at-minima":
        return (f"mean Hessian eigenvalue at {d['distinct_minima']} distinct minima: circuits "
                f"{d['mean_eigenvalue_empirical']:.3f}, {r.params['model']} {d['mean_eigenvalue_predicted']:.3f} "
                f"({d['excluded_low_ess']} minima excluded, theory ESS < 50); t statistic over "
                f"{d['instances_used']} instances")
    if r.name == "transition/spectrum":
        return "; ".join(f"{x['hamiltonian']}: p_c = {x['params_c']} (γ_c = {x['gamma_c']:.3f}), fraction global "
                         f"{x['frac_global_below']:.2f} at p_c − 2, {x['frac_global_above']:.2f} at p_c + 2 "
                         f"(highest non-global minimum there t = {x['max_t_nonglobal_above']:.1e})"
                         for x in d["rows"]) + "; statistic = spectra whose 99% intervals do not straddle 1/2"
    if r.name.startswith("transition"):
        return "fraction global by gamma: " + ", ".join(f"{f:.2f}" for f in d["frac_global"])
    return "KS distance vs critical value"


def counts(results: list[CheckResult]) -> dict[str, int]:
    """Number of checks per outcome."""
    return {o: sum(r.outcome == o for r in results) for o in OUTCOMES}


def _verdict(results: list[CheckResult]) -> str:
    """'43 PASS, 28 KNOWN-FAIL, 0 UNEXPECTED FAIL, 0 UNEXPECTED PASS of 71 checks: exit 0'."""
    n = counts(results)
    text = ", ".join(f"{v} {k}" for k, v in n.items()) + f" of {len(results)} checks: exit " \
        f"{exit_code(r.outcome for r in results)}"
    return text + (" (known failures passed: update their registration)" if n[UNEXPECTED_PASS] else "")


def _label(r: CheckResult) -> str:
    return r.check_id or r.name


def summary_lines(results: list[CheckResult]) -> list[str]:
    """What ``rmt-qgm validate`` prints: one line per check (PASS / KNOWN-FAIL (reason) / UNEXPECTED FAIL /
    UNEXPECTED PASS), then the counts and the exit code."""
    lines = []
    for r in results:
        line = (f"{r.outcome:15s}  {r.name:34s} statistic {r.statistic:.4g}  threshold {r.threshold:.4g}  "
                f"({r.seconds:.1f} s)")
        if r.outcome == KNOWN_FAIL:
            line += f"  [{_label(r)}: {r.reason}]"
        elif r.outcome == UNEXPECTED_PASS:
            line += f"  [{_label(r)}: registered as a known failure ({r.reason}); update the registry]"
        elif r.outcome == UNEXPECTED_FAIL:
            line += f"  [{_label(r)}]"
        lines.append(line)
    lines.append(_verdict(results))
    return lines


def write_reports(results: list[CheckResult], mode: str, seed: int, seconds: float, out: str) -> None:
    """Write ``out/report.json`` and ``out/report.md`` (and ``out/critical-counts.png`` when there are
    critical-count checks)."""
    fig = _figure_counts(results, out)
    for r in results:
        if r.name.startswith("critical-count"):
            r.figure = fig
    passed = all(r.passed for r in results)
    n = counts(results)
    code = exit_code(r.outcome for r in results)
    atomic_write_json(os.path.join(out, "report.json"),
                      {"version": __version__, "mode": mode, "seed": seed, "seconds": seconds,
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "passed": passed,
                       "exit_code": code, "outcomes": n,
                       "unexpected_failures": [_label(r) for r in results if r.outcome == UNEXPECTED_FAIL],
                       "unexpected_passes": [_label(r) for r in results if r.outcome == UNEXPECTED_PASS],
                       "checks": [asdict(r) for r in results]})
    lines = [f"# rmt_qgm validation ({mode})", "",
             f"rmt_qgm {__version__}, {time.strftime('%Y-%m-%d')}, seed {seed}, {seconds:.0f} s. "
             f"{'ALL PASSED' if passed else 'SOME CHECKS FAILED'}. {_verdict(results)}.", "",
             "| check | parameters | statistic | threshold | passed | outcome | note | seconds |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        params = ", ".join(f"{k}={v}" for k, v in r.params.items())
        outcome = r.outcome if r.outcome == PASS else f"**{r.outcome}**"
        lines.append(f"| {r.name} | {params} | {r.statistic:.4g} | {r.threshold:.4g} | "
                     f"{'yes' if r.passed else '**NO**'} | {outcome} | {_note(r)} | {r.seconds:.1f} |")
    for title, kind, with_reason in (("Unexpected failures", UNEXPECTED_FAIL, False),
                                     ("Unexpected passes (registered as known failures; update the registry)",
                                      UNEXPECTED_PASS, True),
                                     ("Known failures (registered in rmt_qgm/validate/registry.py)", KNOWN_FAIL,
                                      True)):
        rows = [r for r in results if r.outcome == kind]
        if rows:
            lines += ["", f"## {title}", ""]
            lines += [f"- `{_label(r)}`" + (f": {r.reason} ({r.ref})" if with_reason else "") for r in rows]
    lines += ["", "Statistics and thresholds are defined in `rmt_qgm/validate/checks.py` (module docstring); "
              "expected outcomes and the exit rule in `rmt_qgm/validate/registry.py`.", ""]
    atomic_write_bytes(os.path.join(out, "report.md"), "\n".join(lines).encode())
