"""Does the basin exponent scale as a power of p and d? A pre-declared test of law (G2) on new (n, p).

docs/studies/basin_gamma_law.md found that hypothesis (G) (alpha depends on the spectrum and gamma only) does not
carry to n = 7 at gamma = 0.25, and, post hoc, that the alpha the optimiser's median implies
(basin_gamma_law.matching_alpha: the alpha at which (B2) reproduces it) grows with n at fixed gamma and falls
with n at fixed p. An exploratory fit of those implied alphas suggested a power law in p and d = 2^n. This
script declares that law and tests it on configurations none of its inputs comes from.

Declared before it was run:

    Law (G2). log alpha = c_H + b_p log p + b_d log d, one intercept per spectrum, b_p and b_d shared.
    Fitted by ordinary least squares to the implied alphas of docs/studies/basin_gamma_law.md: the 256-instance
    medians of the rows with gamma < 0.75 (implied_alpha_precise) and the n = 7 rows (alpha_match), where
    the implied alpha exists at the median and at both ends of its interval. Prediction for a new (n, p, H):
    alpha = exp(fit), s.e. of log alpha = the residual s.d. times sqrt(1 + x0' (X'X)^-1 x0) (an OLS prediction
    interval), alpha's s.e. by the delta method. (B2) with that alpha tilts the exact circuit model (seeds
    CIRCUIT_SEED + 1000 r, the table's) as in basin_gamma_law.tilt_row.

    Test rows: TEST_CONFIGS x the three spectra (15 rows; gamma = 0.0625-0.375, x = p / d^(3/4) from 0.42 to
    2.1, against 0.5-2.4 in the fit), simulated with INSTANCES = 64 Haar instances x 8 starts (seed SEED),
    empirical median and 95 % bootstrap interval over instances. Verdict by the table's rule (prediction
    +- 2 s.e. meets the empirical interval; UNRELIABLE where the s.e. exceeds a quarter of the predicted
    q10-q90 width). (G2) passes if at least PASS_MIN of the 15 rows agree. (G), as declared in
    basin_gamma_law.py, is applied to the same rows for comparison.

    Instrument check: the 64-instance interval's coverage, measured as in docs/studies/empirical_ci_coverage.md on that
    check's data (4 disjoint blocks of 64 instances per row, 120 intervals).

Declared after the test above had passed, before it was run: (G2) for the 36 rows of
docs/studies/circuits_vs_theory.md, leave one configuration out (table_predictions_loo): for each row, (G2) fitted
without any implied alpha from the row's own (n, p), the table's circuit-model seeds, the table's 8-instance
interval and rule, reported also under the coverage-widened interval (docs/studies/empirical_ci_coverage.md). The
gamma = 0.75 rows lie outside the fit's range (its inputs stop at gamma = 0.5), so they are extrapolations.

Writes validation/results/basin_scaling_law/summary.json and docs/studies/basin_scaling_law.md. Needs
validation/results/basin_gamma_law/summary.json and validation/results/empirical_ci_coverage/.

Run:  python -m validation.basin_scaling_law [--workers 2]   (circuit-model replicates: about 20 min on
                                                              2 cores unless cached by circuits_vs_theory.py)
      python -m validation.basin_scaling_law --render-only
"""
from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
from validation.basin_gamma_law import predicted_alpha, tilt_row, verdict  # noqa: E402
from validation.common import CVT_JSON, Study, HAMILTONIANS, ci_widening, simulate_row, verdict_pair  # noqa: E402
from rmt_qgm.calibration import fit_log_alpha  # noqa: E402
from rmt_qgm.theory.laws.optimiser import exponent_from_fit  # noqa: E402

OUT = os.path.join(HERE, "results", "basin_scaling_law")
GAMMA_LAW_SUMMARY = os.path.join(HERE, "results", "basin_gamma_law", "summary.json")
#: new (n, p): none of them is in the fit (the table's rows and n = 7, p = 32, 64)
TEST_CONFIGS = [(4, 12), (5, 24), (6, 24), (6, 48), (7, 16)]
INSTANCES = 64
STARTS = 8
SEED = 5151
CIRCUIT_SEED = 2026
PASS_MIN = 13
#: the result of the declared run (4 circuit-model replicates per table row in its inputs), kept for provenance
DECLARED_RESULT = "(G2) 15 of 15 agree, (G) 12 of 15"


def calibration_points(summary: dict) -> list[dict]:
    """The implied alphas (G2) is fitted to: {n, p, hamiltonian, alpha} (module docstring)."""
    pts = [{"n": x["n"], "p": x["p"], "hamiltonian": x["hamiltonian"], "alpha": x["alpha"][0]}
           for x in summary["implied_alpha_precise"]
           if x["p"] / 2 ** (x["n"] + 1) < 0.75 and None not in x["alpha"]]
    nn = summary["new_n"]
    rows = [r for r in nn["rows"] if "empirical" in r]
    pts += [{"n": r["n"], "p": r["p"], "hamiltonian": r["hamiltonian"], "alpha": am[0]}
            for r, am in zip(rows, nn["alpha_match"]) if None not in am]
    return pts


#: (G2)'s least-squares fit: OLS of log alpha on (spectrum intercepts, log p, log d); coefficients, (X'X)^-1, the
#: residual s.d. and its degrees of freedom (the package's, which also fits (G3): rmt_qgm/calibration.py)
fit_g2 = fit_log_alpha


def predicted_alpha_g2(fit: dict, n: int, p: int, ham: str) -> dict | None:
    """(G2)'s alpha and s.e. for (n, p, H) (module docstring); None for a spectrum not in the fit."""
    if ham not in fit["hamiltonians"]:
        return None
    a = exponent_from_fit(fit, n, p, ham)
    return {"alpha": a["alpha"], "se": a["se"], "se_log": a["se_log"], "from": ["(G2) fit"]}


def instrument_coverage(block: int = 64) -> dict:
    """Coverage of the bootstrap interval over ``block`` instances, on the coverage check's data."""
    from validation.empirical_ci_coverage import ROWS, SEED as COV_SEED, block_intervals, covered, simulate
    rng = np.random.default_rng([SEED, 2])
    hits = []
    for n, p in ROWS:
        for ham in HAMILTONIANS:
            d = simulate(n, p, ham, 1)
            hits.extend(covered(block_intervals(d["F"], d["instance"], rng, block), float(np.median(d["F"]))))
    return {"block": block, "intervals": len(hits), "covered": int(np.sum(hits)),
            "coverage": float(np.mean(hits)), "seed": COV_SEED}


def loo_rows(points: list[dict], predictor, tilt=None) -> list[dict]:
    """Every row of docs/studies/circuits_vs_theory.md predicted with a law fitted (fit_g2) to ``points`` without those
    of the row's own (n, p) (leave one configuration out); ``predictor(fit, n, p, H)`` gives the exponent,
    ``tilt`` the basin law (tilt_row's default: (B2))."""
    with open(CVT_JSON, encoding="utf-8") as fh:
        cvt = json.load(fh)
    out = []
    for r in cvt["rows"]:
        if "replicate_medians" not in r.get("circuit", {}) or "empirical" not in r:
            continue
        fit = fit_g2([q for q in points if (q["n"], q["p"]) != (r["n"], r["p"])])
        out.append(tilt_row(r, predictor(fit, r["n"], r["p"], r["hamiltonian"]), cvt["seed"], tilt=tilt))
    return out


def table_predictions_loo(summary: dict) -> list[dict]:
    """(G2) for every row of docs/studies/circuits_vs_theory.md, fitted without the implied alphas of the row's own
    (n, p) (leave one configuration out; module docstring)."""
    return loo_rows(calibration_points(summary), predicted_alpha_g2)


def run(workers: int, summary: dict) -> dict:
    fit = fit_g2(calibration_points(summary))
    rng = np.random.default_rng([SEED, 1])
    rows = []
    for n, p in TEST_CONFIGS:
        for ham in HAMILTONIANS:
            sim = simulate_row(n, p, ham, STARTS, INSTANCES, workers, SEED, rng)
            g2 = tilt_row(sim, predicted_alpha_g2(fit, n, p, ham), CIRCUIT_SEED)
            g = tilt_row(sim, predicted_alpha(summary["alphas"], n, p, ham, summary["sigma_n"]), CIRCUIT_SEED)
            rows.append({"sim": sim, "G2": g2, "G": g})
            print(f"n={n} p={p} {ham}: G2 {verdict(g2)}  G {verdict(g)}", flush=True)
    return {"fit": fit, "rows": rows, "instrument": instrument_coverage(),
            "table_loo": table_predictions_loo(summary)}


def offset_z(x: dict) -> float:
    """(tilted median − empirical median) / combined s.e. of one law's row: the prediction's s.e. and the
    empirical 95 % interval's width / 3.92, in quadrature."""
    return ((x["basin_median_t"] - x["empirical_median_t"])
            / np.hypot(x["se"], np.subtract(*x["empirical_ci95_t"][::-1]) / 3.92))


def comparison_table(rows: list[dict], keys: tuple[str, str], labels: tuple[str, str]) -> list[str]:
    """Markdown table of two basin laws on the same rows: count-weighted median ("no law" when the circuit
    model has none), each law's exponent ± s.e., tilted median ± s.e. and verdict ("no prediction" without an
    exponent), and the empirical median with its 95 % interval. ``keys``: the laws' entries in each row;
    ``labels``: their column names before " median ± s.e., verdict"."""
    lines = ["| n | p | γ | H | count-weighted median | " + " | ".join(f"{lab} median ± s.e., verdict" for lab in labels)
             + " | empirical median (95 % CI, 64 instances) |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        a, b = r[keys[0]], r[keys[1]]
        lo, hi = a["empirical_ci95_t"]
        cells = [f"{x['alpha']['alpha']:.2f} ± {x['alpha']['se']:.2f}, {x['basin_median_t']:.3f} ± {x['se']:.3f}, "
                 f"{verdict(x)}" if x["alpha"] is not None else "no prediction" for x in (a, b)]
        cm = f"{a['count_median_t']:.3f}" if "count_median_t" in a else "no law"
        lines.append(f"| {a['n']} | {a['p']} | {a['gamma']:g} | {a['hamiltonian']} | {cm} | "
                     f"{cells[0]} | {cells[1]} | {a['empirical_median_t']:.3f} ({lo:.3f}–{hi:.3f}) |")
    return lines


def render(s: dict) -> str:
    fit, rows, ins = s["fit"], s["rows"], s["instrument"]
    bp, bd = fit["beta"][-2], fit["beta"][-1]
    v2, vg = [verdict(r["G2"]) for r in rows], [verdict(r["G"]) for r in rows]
    lines = ["# Does the basin exponent scale as a power of p and d? (law (G2), pre-declared test)", "",
             f"Generated by `python -m validation.basin_scaling_law` on {s['date']} ({s['seconds']:.0f} s; seed "
             f"{s['seed']}). Law (G2), declared before the run (module docstring): log α = c_H + b_p log p + "
             "b_d log d, fitted to the α the optimiser's median implies in docs/studies/basin_gamma_law.md (post-hoc "
             "diagnostics there), tested on new (n, p) with 64 Haar instances × 8 starts per row. All values in "
             "t = (F − E0)/(Ē − E0).", "",
             f"**Fit** ({fit['points']} implied α, {fit['df']} degrees of freedom): b_p = {bp:.3f}, b_d = {bd:.3f}, "
             f"so α depends on p / d^κ with κ = {fit['kappa']:.2f}; intercepts " +
             ", ".join(f"{h} {c:.3f}" for h, c in zip(fit["hamiltonians"], fit["beta"])) +
             f"; residual s.d. {fit['s']:.3f} in log α.", "",
             f"**Instrument:** the 64-instance bootstrap interval covers the 256-instance median in "
             f"{ins['covered']} of {ins['intervals']} blocks ({ins['coverage']:.3f}; nominal 0.95).", "",
             f"**Result:** (G2) {v2.count('agree')} of {len(v2)} agree, {v2.count('MISMATCH')} MISMATCH, "
             f"{v2.count('UNRELIABLE')} UNRELIABLE (declared pass: at least {PASS_MIN}): (G2) "
             f"{'passes' if v2.count('agree') >= PASS_MIN else 'FAILS'}. (G) on the same rows: "
             f"{vg.count('agree')} agree, {vg.count('MISMATCH')} MISMATCH, {vg.count('UNRELIABLE')} UNRELIABLE, "
             f"{vg.count('no prediction')} without a prediction. The declared run (commit 27b342d) had inputs "
             f"with 4 circuit-model replicates per table row: {DECLARED_RESULT}; this rendering uses the current "
             "inputs (8 replicates per table row since 2026-12-02, validation/circuits_vs_theory.py).", "",
             *comparison_table(rows, ("G2", "G"), ("(G2): α ± s.e., (B2)", "(G): α ± s.e., (B2)"))]
    d2 = [r["G2"]["basin_median_t"] - r["G2"]["empirical_median_t"] for r in rows]
    dg = [r["G"]["basin_median_t"] - r["G"]["empirical_median_t"] for r in rows if r["G"]["alpha"] is not None]
    z2 = [offset_z(r["G2"]) for r in rows]
    lines += ["", f"- Prediction minus empirical median: (G2) median {np.median(d2):+.3f}, range {min(d2):+.3f} to "
              f"{max(d2):+.3f}; (G) median {np.median(dg):+.3f}, range {min(dg):+.3f} to {max(dg):+.3f} (in t).",
              f"- (G2)'s s.e. is wide (α ± about 30 %): z = (prediction − empirical) / combined s.e. has r.m.s. "
              f"{np.sqrt(np.mean(np.square(z2))):.2f} over the {len(z2)} rows (1 if the s.e.s were exact), largest "
              f"|z| {np.max(np.abs(z2)):.2f}. " + (
                  "The band is wider than the errors it has to cover, so part of the agreement is bought with it."
                  if np.sqrt(np.mean(np.square(z2))) < 0.5 else
                  "The band is about as wide as the errors it has to cover, so the agreement is not bought with an "
                  "inflated s.e.") + " What (G2) adds over (G) is the removal of (G)'s bias.",
              "- (G2) is a fitted scaling law, not a derivation: it carries its fit's scatter "
              f"({fit['s']:.2f} in log α) into every prediction, and its inputs (the implied α) lean on the "
              "circuit model's count-weighted law being right at each (n, p). Open question 8 of docs/theory.md §9.8 stays open."]
    lines += _render_loo(s.get("table_loo", []))
    return "\n".join(lines) + "\n"


def _render_loo(loo: list[dict], law: str = "(G2)", symbol: str = "α", tilted: str = "(B2)",
                declared: str = "Declared after the test above had passed, before this was run (module docstring)",
                note: str = " γ = 0.75 is outside the fit's range (extrapolation).") -> list[str]:
    """The table's rows with ``law`` fitted without each row's own (n, p); ``symbol`` names its exponent and
    ``tilted`` the tilted law, ``declared`` says when it was declared, ``note`` ends the introduction."""
    if not loo:
        return []
    w = ci_widening()
    c = w["c"] if w else None
    v = [verdict(r) for r in loo]
    vw = [verdict(r, c) for r in loo] if c else v
    lines = ["", f"## The table's rows, {law} leave one configuration out", "",
             f"{declared}: each row of docs/studies/circuits_vs_theory.md with {law} fitted without the implied {symbol} of "
             "its own (n, p), the table's 8-instance interval and rule" +
             (f"; in brackets the verdict under the interval widened by {c:.2f} to its measured coverage" if c else "")
             + "." + note, "",
             f"| n | p | γ | H | {symbol} ({law[1:-1]}, LOO) ± s.e. | {tilted} median ± s.e. | empirical median (95 % CI) "
             "| verdict |",
             "|---|---|---|---|---|---|---|---|"]
    for r, a, b in zip(loo, v, vw):
        lo, hi = r["empirical_ci95_t"]
        lines.append(f"| {r['n']} | {r['p']} | {r['gamma']:g} | {r['hamiltonian']} | {r['alpha']['alpha']:.2f} ± "
                     f"{r['alpha']['se']:.2f} | {r['basin_median_t']:.3f} ± {r['se']:.3f} | "
                     f"{r['empirical_median_t']:.3f} ({lo:.3f}–{hi:.3f}) | {verdict_pair(a, b if c else None, c)} |")
    by_g: dict = {}
    for r, a in zip(loo, v):
        by_g.setdefault(r["gamma"], []).append(a)
    bad = [f"n = {r['n']}, p = {r['p']}, {r['hamiltonian']}" for r, a in zip(loo, v) if a == "MISMATCH"]
    lines += ["", f"- {v.count('agree')} of {len(v)} agree, {v.count('MISMATCH')} MISMATCH"
              + (f" ({'; '.join(bad)})" if bad else "") + f", {v.count('UNRELIABLE')} UNRELIABLE"
              + (f"; with the widened interval {vw.count('agree')} agree, {vw.count('MISMATCH')} MISMATCH, "
                 f"{vw.count('UNRELIABLE')} UNRELIABLE" if c else "") + ". By γ: "
              + "; ".join(f"γ = {g:g}: {x.count('agree')} of {len(x)} agree" for g, x in sorted(by_g.items())) + "."]
    return lines


def _run(a) -> dict:
    from rmt_qgm import __version__
    t0 = time.perf_counter()
    with open(GAMMA_LAW_SUMMARY, encoding="utf-8") as fh:
        summary = json.load(fh)
    s = run(a.workers, summary)
    s.update({"version": __version__, "seed": SEED, "instances": INSTANCES, "starts": STARTS,
              "test_configs": TEST_CONFIGS, "date": time.strftime("%Y-%m-%d"),
              "seconds": time.perf_counter() - t0})
    return s


STUDY = Study("basin_scaling_law", doc="basin_scaling_law.md", summary=os.path.join(OUT, "summary.json"),
              run=_run, render=render, description=__doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
