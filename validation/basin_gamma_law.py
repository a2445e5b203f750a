"""Is the basin exponent a function of gamma? A pre-declared, cross-n prediction of optimiser-found minima.

docs/studies/basin_weighting.md measured the basin law (B1), v(t) proportional to (1 - t)^(alpha p / 2), at n = 4-6
and p = 4-16, and found that alpha grows with p, so one alpha per spectrum does not carry to larger p. Its
values line up with gamma = p / 2^(n+1) instead: at gamma = 0.125, n = 4, 5, 6 give fidelity 0.91, 0.89,
0.94. This script tests that observation as a prediction, declared before the test was run:

    Hypothesis (G). alpha depends on the spectrum and on gamma only, not on n separately.

    Prediction for a row (n, p, H) of docs/studies/circuits_vs_theory.md: alpha(H, gamma) from the enumerations at
    the same gamma and spectrum at the *other* qubit counts (never the row's own n): their weighted mean,
    weights 1 / (s.e.^2 + sigma_n^2), with sigma_n the between-n scatter of alpha at fixed (H, gamma)
    (DerSimonian-Laird moment estimate over every (H, gamma) group measured at two or more n); its s.e.
    sqrt(1 / sum w + sigma_n^2) (the row's own n deviates from the mean by sigma_n too). No prediction
    where gamma was measured at no other n. The circuit model's count-weighted law (the table's seeds) is
    tilted by (B2) with that alpha, and the tilted median is compared with the table's optimiser-found
    median by the table's rule (pred +- 2 s.e. meets the empirical 95 % interval; s.e. = replicate s.e. and
    the shift from alpha +- its s.e., in quadrature).

An alpha from an incomplete enumeration (zero-truncated fit, docs/studies/basin_weighting.md part 3) is biased low
when few minima are seen twice; its s.e. includes, as a systematic part, the r.m.s. error of the thinning
check's alphas whose seen fraction is within a factor CAL_FACTOR of its own.

Out of sample (NEW_N, declared before it was run): rows at n = 7, a qubit count none of the alphas comes
from, simulated by the table's protocol and predicted by (G) and by the post-hoc law (G1) (a 1/d term in
alpha, fitted after the test of (G); see finite_d_fit).

New measurements here: n = 3 (d = 8), where gamma = 0.25-0.75 is reached at p = 4-12 and the minima are few
enough to enumerate (CROSS_COMPLETE, CROSS_INCOMPLETE). They give alpha at gamma = 0.75, which no larger n can
reach here (at n = 4, p = 24 every start finds a new minimum).

Writes validation/results/basin_gamma_law/ (one JSON per enumeration, resumable; summary.json) and
docs/studies/basin_gamma_law.md. Needs validation/results/basin_weighting/summary.json and
validation/results/circuits_vs_theory.json.

Run:  python -m validation.basin_gamma_law            (n = 3 enumerations, about 20 min on 2 cores; then the
                                                       fits and predictions, about 35 min unless the circuit
                                                       model's replicates are cached by circuits_vs_theory.py)
      python -m validation.basin_gamma_law --render-only
"""
from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
from validation import artefacts  # noqa: E402
from validation.basin_weighting import (SEED, add_systematic, analyse, analyse_incomplete, calibration_cases,
                                        circuit_laws, empirical_t, enumerate_config, tilted_median)
from validation.common import (CI_COVERAGE, CVT_JSON, HAMILTONIANS, STOP, Study, ci_widening, load_json_if_present,
                               simulate_row, verdict_pair, widen)

OUT = os.path.join(HERE, "results", "basin_gamma_law")
BASIN_SUMMARY = os.path.join(HERE, "results", "basin_weighting", "summary.json")
#: Out-of-sample test of (G) and (G1) at a qubit count none of the measured alphas comes from, declared
#: before it was run: n = 7 at gamma = 0.125, simulated by the table's protocol (8 Haar instances x 8
#: starts, seed NEW_N_SEED = the table's), with the exact circuit model (the table's seeds; replicates
#: precomputed with circuits_vs_theory.py's cache, about 3 min each on one core). A second test, declared
#: after the first was run and before this one: n = 7 at gamma = 0.25 (p = 64), same protocol, with
#: (G) and (G1) unchanged (alphas from n = 3-6 only; circuit-model replicates about 6 min each)
NEW_N = [(7, 32), (7, 64)]
NEW_N_SEED = 2026
NEW_N_JSON = os.path.join(OUT, "new_n_rows.json")
#: n = 3 complete enumerations (n, p, starts per instance, instances): gamma = 0.25, 0.375, 0.5
CROSS_COMPLETE = [(3, 4, 300, 16), (3, 6, 600, 16), (3, 8, 2000, 16)]
#: n = 3 incomplete enumerations: gamma = 0.625, 0.75 (about 10^3 minima per instance)
CROSS_INCOMPLETE = [(3, 10, 10000, 8), (3, 12, 20000, 8)]


def path(kind: str, n: int, p: int, ham: str) -> str:
    return os.path.join(OUT, f"{kind}_n{n}_p{p}_{ham.replace(':', '')}.json")


def run_enumerations(workers: int) -> None:
    """The n = 3 enumerations (resumable: finished files are kept)."""
    from rmt_qgm.store import atomic_write_json
    os.makedirs(OUT, exist_ok=True)
    for kind, configs, logdet in (("enum", CROSS_COMPLETE, True), ("seen", CROSS_INCOMPLETE, False)):
        for n, p, starts, inst in configs:
            for ham in HAMILTONIANS:
                f = path(kind, n, p, ham)
                if not artefacts.exists(f):
                    rec = enumerate_config(n, p, ham, starts, inst, workers, with_logdet=logdet)
                    atomic_write_json(f, rec)
                    print(f"{kind} {ham} n={n} p={p}: {rec['seconds']:.0f} s", flush=True)


#: a minimum with t below this is counted as global in the n = 3 table
GLOBAL_T = 1e-8


def global_share(kind: str, n: int, p: int, ham: str) -> float:
    """Share of the distinct minima (over instances) of one n = 3 enumeration with t < GLOBAL_T."""
    rec = artefacts.load_json(path(kind, n, p, ham))
    t = np.concatenate([o["t"] for o in rec["per_instance"]])
    return float(np.mean(t < GLOBAL_T))


def gamma_key(n: int, p: int) -> float:
    """gamma = p / 2^(n+1), exact in binary floating point, so it serves as a dictionary key."""
    return p / 2 ** (n + 1)


def alpha_systematic(frac: float, thin: list[dict]) -> float | None:
    """Systematic s.e. of a truncated-fit alpha whose seen fraction is ``frac``: r.m.s. of alpha_thinned -
    alpha_full over basin_weighting.calibration_cases (None if fewer
    than two such cases)."""
    err = np.array([r["alpha_thinned"] - r["alpha_full"] for r in calibration_cases(frac, thin)])
    return float(np.sqrt(np.mean(err ** 2))) if err.size >= 2 else None


def measured_alphas(basin: dict, cross: list[dict]) -> list[dict]:
    """Every measured alpha: complete enumerations (docs/studies/basin_weighting.md part 1 and the n = 3 ones here;
    bootstrap s.e.) and identified incomplete ones (part 3 and here; bootstrap s.e. and the thinning
    systematic in quadrature; skipped where the seen fraction is outside the thinning calibration)."""
    out = []
    for c in basin["configs"] + [c for c in cross if c["kind"] == "complete"]:
        a = c["analysis"]
        out.append({"n": c["n"], "p": c["p"], "hamiltonian": c["hamiltonian"], "gamma": gamma_key(c["n"], c["p"]),
                    "alpha": a["alpha"], "se": a["alpha_se_bootstrap"], "source": "complete"})
    for c in basin.get("incomplete", []) + [c for c in cross if c["kind"] == "incomplete"]:
        a = c["analysis"]
        if not a["identified"]:
            continue
        syst = alpha_systematic(a["seen_per_instance"] / a["ht_minima_per_instance"], basin["thinning_check"])
        if syst is None:
            continue
        out.append({"n": c["n"], "p": c["p"], "hamiltonian": c["hamiltonian"], "gamma": gamma_key(c["n"], c["p"]),
                    "alpha": a["alpha"], "se": float(np.hypot(a["alpha_se_bootstrap"], syst)),
                    "se_systematic": syst, "source": "incomplete"})
    return out


def between_n_scatter(alphas: list[dict]) -> tuple[float, float, int]:
    """sigma_n, the scatter of alpha between qubit counts at fixed (spectrum, gamma), pooled over every group
    measured at two or more n (rmt_qgm.theory.laws.basin.between_group_scatter, DerSimonian-Laird). Returns
    (sigma_n, Q, df)."""
    from rmt_qgm.theory.laws.basin import between_group_scatter
    return between_group_scatter([a["alpha"] for a in alphas], [a["se"] for a in alphas],
                                 [(a["hamiltonian"], a["gamma"]) for a in alphas])


def _same_gamma_elsewhere(alphas: list[dict], n: int, p: int, ham: str) -> list[dict]:
    """The measured alphas at the spectrum and gamma of (n, p, H) at the other qubit counts."""
    return [a for a in alphas if a["hamiltonian"] == ham and a["gamma"] == gamma_key(n, p) and a["n"] != n]


def _pooled(g: list[dict], n: int, b: float, b_se: float, sigma: float) -> dict:
    """The alphas ``g`` moved to qubit count n by b (1/d - 1/d_j), d = 2^n, and pooled: weighted mean with
    weights 1/(s.e.^2 + sigma^2); s.e. sqrt(1/sum w + sigma^2 + (b_se times the distance in 1/d)^2)."""
    w = np.array([1 / (a["se"] ** 2 + sigma ** 2) for a in g])
    x = np.array([2.0 ** -a["n"] for a in g])
    y = np.array([a["alpha"] for a in g]) + b * (2.0 ** -n - x)
    dx = 2.0 ** -n - w @ x / w.sum()
    return {"alpha": float(w @ y / w.sum()), "se": float(np.sqrt(1 / w.sum() + sigma ** 2 + (b_se * dx) ** 2)),
            "from": [f"n = {a['n']}, p = {a['p']}" for a in g]}


def predicted_alpha(alphas: list[dict], n: int, p: int, ham: str, sigma_n: float) -> dict | None:
    """Hypothesis (G): alpha for (n, p, H) from the same (H, gamma) at the other qubit counts (module
    docstring; :func:`_pooled` with b = 0); None where there is none."""
    g = _same_gamma_elsewhere(alphas, n, p, ham)
    return _pooled(g, n, 0.0, 0.0, sigma_n) if g else None


def cross_analysis(rng: np.random.Generator, thin: list[dict]) -> list[dict]:
    """alpha (and the rest of the part-1 / part-3 analysis) of the n = 3 enumerations."""
    out = []
    for kind, configs in (("complete", CROSS_COMPLETE), ("incomplete", CROSS_INCOMPLETE)):
        for n, p, _, _ in configs:
            for ham in HAMILTONIANS:
                rec = artefacts.load_json(path("enum" if kind == "complete" else "seen", n, p, ham))
                if kind == "complete":
                    a = analyse(rec, rng)
                else:
                    a = analyse_incomplete(rec, rng)
                    if a["identified"]:
                        add_systematic(a, thin)
                out.append({"kind": kind, "n": n, "p": p, "hamiltonian": ham, "starts": rec["starts"],
                            "instances": rec["instances"], "seconds": rec["seconds"], "analysis": a})
    return out


def matching_alpha(dists: list, p: int, target_t: float, hi: float = 10.0, tilt=None) -> float | None:
    """The alpha at which the (B2) median of the replicate laws ``dists`` (mean over replicates, as in
    basin_weighting.tilted_median) equals ``target_t``; None if no alpha in [0, hi] reaches it. A diagnostic
    found after a test (what alpha the optimiser's median implies), not a prediction. ``tilt``: the basin law
    (default basin_weighted, (B2); ceiling_weighted for (B2'))."""
    from scipy.optimize import brentq

    from rmt_qgm.theory.laws.basin import basin_weighted
    tilt = tilt or basin_weighted

    def gap(a):
        return float(np.mean([tilt(d, p, a).median() for d in dists])) - target_t
    lo_gap, hi_gap = gap(0.0), gap(hi)
    if lo_gap * hi_gap > 0:
        return None
    return float(brentq(gap, 0.0, hi, xtol=1e-4))


def implied_alpha_range(dists: list, p: int, median_t: float, ci_t, tilt=None) -> list[float | None]:
    """:func:`matching_alpha` at a median and at the ends of its 95 % interval, upper end first (so the
    list reads alpha, its lower end, its upper end: a deeper median needs a larger alpha)."""
    return [matching_alpha(dists, p, t, tilt=tilt) for t in (median_t, ci_t[1], ci_t[0])]


def finite_d_fit(alphas: list[dict], exclude_n: int | None = None) -> dict:
    """Law (G1), found after the test of (G) (post hoc): alpha = a(H, gamma) + b / d, d = 2^n, one b for
    every spectrum and gamma. b by weighted least squares within the (H, gamma) groups measured at two or
    more n (the a's are profiled out), weights 1 / (s.e.^2 + sigma^2); sigma is the between-n scatter that
    remains after the b / d term (DerSimonian-Laird), iterated with b to a fixed point. Data at qubit count
    ``exclude_n`` are left out. Returns {b, b_se, sigma}."""
    from rmt_qgm.theory.laws.basin import between_group_scatter
    use = [a for a in alphas if a["n"] != exclude_n]
    groups: dict = {}
    for a in use:
        groups.setdefault((a["hamiltonian"], a["gamma"]), []).append(a)
    groups = {k: g for k, g in groups.items() if len({a["n"] for a in g}) >= 2}
    sigma, b, b_se = 0.0, 0.0, float("inf")
    for _ in range(50):
        sxx = sxy = 0.0
        for g in groups.values():
            w = np.array([1 / (a["se"] ** 2 + sigma ** 2) for a in g])
            x = np.array([2.0 ** -a["n"] for a in g])
            y = np.array([a["alpha"] for a in g])
            xc, yc = x - w @ x / w.sum(), y - w @ y / w.sum()
            sxx += float(w @ xc ** 2)
            sxy += float(w @ (xc * yc))
        b, b_se = sxy / sxx, 1 / np.sqrt(sxx)
        g_all = [a for g in groups.values() for a in g]
        new_sigma = between_group_scatter([a["alpha"] - b * 2.0 ** -a["n"] for a in g_all],
                                          [a["se"] for a in g_all],
                                          [(a["hamiltonian"], a["gamma"]) for a in g_all])[0]
        if abs(new_sigma - sigma) < 1e-9:
            break
        sigma = new_sigma
    return {"b": float(b), "b_se": float(b_se), "sigma": float(sigma)}


def predicted_alpha_g1(alphas: list[dict], n: int, p: int, ham: str) -> dict | None:
    """(G1): :func:`_pooled` with b, its s.e. and sigma from :func:`finite_d_fit` without the row's own n.
    None where gamma was measured at no other n."""
    g = _same_gamma_elsewhere(alphas, n, p, ham)
    if not g:
        return None
    fit = finite_d_fit(alphas, exclude_n=n)
    return {**_pooled(g, n, fit["b"], fit["b_se"], fit["sigma"]), "fit": fit}


def new_n_rows(workers: int) -> list[dict]:
    """The circuit Monte Carlo of the NEW_N rows by the table's protocol (resumable)."""
    from rmt_qgm.store import atomic_write_json
    if os.path.exists(NEW_N_JSON):
        with open(NEW_N_JSON, encoding="utf-8") as fh:
            rows = json.load(fh)["rows"]
        if sorted({(r["n"], r["p"]) for r in rows}) == sorted(NEW_N):
            return rows
    # one stream in NEW_N order, so rows already simulated reproduce exactly when NEW_N grows at its end
    rng = np.random.default_rng([NEW_N_SEED, 7])
    rows = [simulate_row(n, p, ham, 8, 8, workers, NEW_N_SEED, rng) for n, p in NEW_N for ham in HAMILTONIANS]
    from rmt_qgm import __version__
    atomic_write_json(NEW_N_JSON, {"version": __version__, "seed": NEW_N_SEED, "starts": 8, "instances": 8,
                                   "date": time.strftime("%Y-%m-%d"), "rows": rows})
    return rows


def predictions(alphas: list[dict], sigma_n: float, rule: str = "G", rows: list[dict] | None = None,
                seed: int | None = None) -> list[dict]:
    """(B2) with the alpha of hypothesis (G) (``rule`` "G") or of the post-hoc law (G1) ("G1") for every
    row of the table with the exact circuit model, or for ``rows`` (circuit model with ``seed``)."""
    if rows is None:
        with open(CVT_JSON, encoding="utf-8") as fh:
            cvt = json.load(fh)
        rows_in = [r for r in cvt["rows"] if "replicate_medians" in r.get("circuit", {}) and "empirical" in r]
        seed = cvt["seed"]
    else:
        rows_in = [r for r in rows if "empirical" in r]
    rows = []
    for r in rows_in:
        n, p, ham = r["n"], r["p"], r["hamiltonian"]
        pa = (predicted_alpha(alphas, n, p, ham, sigma_n) if rule == "G" else
              predicted_alpha_g1(alphas, n, p, ham))
        rows.append(tilt_row(r, pa, seed))
        print(json.dumps(rows[-1]), flush=True)
    return rows


def tilt_row(r: dict, pa: dict | None, seed: int, tilt=None) -> dict:
    """One row's (B2) prediction: the circuit model's replicate laws (``seed``) tilted with alpha = pa["alpha"]
    +- pa["se"], beside the row's optimiser-found median (all in t); only the empirical side where pa is None.
    ``tilt``: the basin law (default basin_weighted, (B2); ceiling_weighted for (B2'))."""
    from rmt_qgm.theory.laws.basin import basin_weighted
    tilt = tilt or basin_weighted
    t0 = time.perf_counter()
    p = r["p"]
    emp, ci = empirical_t(r)
    row = {"n": r["n"], "p": p, "gamma": r["gamma"], "hamiltonian": r["hamiltonian"], "empirical_median_t": emp,
           "empirical_ci95_t": ci, "alpha": pa}
    if pa is not None:
        dists = circuit_laws(r, seed)
        m, se_rep, se_a = tilted_median(dists, p, pa["alpha"], pa["se"], tilt)
        tilted = [tilt(d, p, pa["alpha"]) for d in dists]
        row.update({"count_median_t": float(np.mean([d.median() for d in dists])), "basin_median_t": m,
                    "basin_q10_t": float(np.mean([d.ppf(0.1) for d in tilted])),
                    "basin_q90_t": float(np.mean([d.ppf(0.9) for d in tilted])),
                    "se_replicates": se_rep, "se_alpha": se_a, "se": float(np.hypot(se_rep, se_a))})
    row["seconds"] = time.perf_counter() - t0
    return row


def verdict(row: dict, c: float = 1.0) -> str:
    """The table's rule (docs/studies/circuits_vs_theory.md): UNRELIABLE where the s.e. exceeds a quarter of the
    predicted q10-q90 width, else agree when pred +- 2 s.e. meets the empirical 95 % interval (its
    half-widths widened by ``c``, common.widen)."""
    if row.get("alpha") is None:
        return "no prediction"
    lo, hi = widen(row["empirical_ci95_t"], row["empirical_median_t"], c)
    m, s = row["basin_median_t"], row["se"]
    if s > 0.25 * (row["basin_q90_t"] - row["basin_q10_t"]):
        return "UNRELIABLE"
    return "agree" if m - 2 * s <= hi and m + 2 * s >= lo else "MISMATCH"


def _alpha_cell(a: dict) -> str:
    return f"{a['alpha']:.2f} ± {a['se']:.2f}" + (" (i)" if a["source"] == "incomplete" else "")


def _render_g1(summary: dict) -> list[str]:
    """Section on the post-hoc law (G1)."""
    if "predictions_g1" not in summary:
        return []
    fit, g0, g1 = summary["finite_d_fit"], summary["predictions"], summary["predictions_g1"]
    v0, v1 = [verdict(r) for r in g0], [verdict(r) for r in g1]
    lines = ["", "## After the test: a 1/d term (G1), post hoc", "",
             "The trend of α with n suggests α = a(H, γ) + b/d with d = 2^n and one b for all spectra and γ "
             f"(`finite_d_fit`). Fitted to every measured α: b = {fit['b']:.2f} ± {fit['b_se']:.2f}, and the "
             f"between-n scatter left after it is σ = {fit['sigma']:.3f} (before: {summary['sigma_n']:.3f}). "
             "Applied like (G), with b and σ refitted without the row's own n each time: "
             f"{v1.count('agree')} agree, {v1.count('MISMATCH')} MISMATCH, {v1.count('UNRELIABLE')} UNRELIABLE "
             f"(G: {v0.count('agree')}, {v0.count('MISMATCH')}, {v0.count('UNRELIABLE')}). Rows where either "
             "rule mismatches:", "",
             "| n | p | H | α (G) | α (G1) | (B2) median (G1) ± s.e. | empirical (95 % CI) | verdict G → G1 |",
             "|---|---|---|---|---|---|---|---|"]
    for r0, r1, a, b in zip(g0, g1, v0, v1):
        if "MISMATCH" in (a, b):
            lo, hi = r1["empirical_ci95_t"]
            lines.append(f"| {r1['n']} | {r1['p']} | {r1['hamiltonian']} | {r0['alpha']['alpha']:.2f} | "
                         f"{r1['alpha']['alpha']:.2f} | {r1['basin_median_t']:.3f} ± {r1['se']:.3f} | "
                         f"{r1['empirical_median_t']:.3f} ({lo:.3f}–{hi:.3f}) | {a} → {b} |")
    lines += ["", "- The 1/d term absorbs the between-n scatter but does not raise the number of agreeing rows: "
              "the remaining mismatches are not a matter of α's n-dependence alone. Where α was measured at a "
              "row's own n and p (docs/studies/basin_weighting.md part 2, last column), n = 5, p = 16, projector:2 "
              "still mismatches, so the gap there lies between (B2) and the table's 64 optimiser runs, not in α.",
              ("- (G1) was then declared for a test at a new qubit count (next section)." if summary.get("new_n")
               else "- (G1) is not a tested prediction. Its test needs new qubit counts (n = 7 at γ = 0.125 and "
               "0.25 are within reach): it is declared here for that test and has not been run.")]
    return lines


def precise_rows(preds: list[dict]) -> list[dict]:
    """The predictions whose row was re-simulated on 256 instances (validation/empirical_ci_coverage.py), with
    the empirical median and its 95 % interval replaced by that run's (an independent seed)."""
    cov = load_json_if_present(CI_COVERAGE)
    if cov is None:
        return []
    ref = {(r["n"], r["p"], r["hamiltonian"]): r for r in cov["rows"]}
    out = []
    for r in preds:
        c = ref.get((r["n"], r["p"], r["hamiltonian"]))
        if c is None or r["alpha"] is None:
            continue
        sc = c["Ebar"] - c["E0"]
        out.append({**r, "empirical_median_t": (c["reference"] - c["E0"]) / sc,
                    "empirical_ci95_t": [(x - c["E0"]) / sc for x in c["reference_ci95"]]})
    return out


def implied_alpha_precise(preds: list[dict], tilt=None) -> list[dict]:
    """matching_alpha for every row of :func:`precise_rows` (the 256-instance median and the ends of its 95 %
    interval) with the table's circuit-model replicates: the alpha the optimiser implies at that n and p
    (``tilt``: the basin law, default (B2))."""
    with open(CVT_JSON, encoding="utf-8") as fh:
        cvt = json.load(fh)
    by = {(r["n"], r["p"], r["hamiltonian"]): r for r in cvt["rows"]}
    out = []
    for r in precise_rows(preds):
        dists = circuit_laws(by[(r["n"], r["p"], r["hamiltonian"])], cvt["seed"])
        out.append({"n": r["n"], "p": r["p"], "hamiltonian": r["hamiltonian"],
                    "alpha": implied_alpha_range(dists, r["p"], r["empirical_median_t"], r["empirical_ci95_t"],
                                                 tilt)})
    return out


def _render_widened(preds: list[dict], implied: list[dict] | None = None,
                    alphas: list[dict] | None = None) -> list[str]:
    """The verdicts under the coverage-calibrated empirical interval, and (post hoc) against the 256-instance
    medians of validation/empirical_ci_coverage.py."""
    w = ci_widening()
    if not w:
        return []
    c = w["c"]
    made = [r for r in preds if r["alpha"] is not None]
    vw = [verdict(r, c) for r in made]
    bad = [f"n = {r['n']}, p = {r['p']}, {r['hamiltonian']}" for r, x in zip(made, vw) if x == "MISMATCH"]
    lines = ["", "## The empirical interval's coverage, and a sharper empirical side", "",
             f"docs/studies/empirical_ci_coverage.md measured the table's empirical interval (percentile bootstrap over 8 "
             f"instances): it covers the 256-instance median {w['coverage']:.3f} of the time, not 0.95 (declared "
             f"hypothesis (C): at least 0.90, which fails). Its half-widths need a factor c = {c:.2f} (fitted on "
             f"half the replicates; {w['validation_coverage']:.3f} coverage on the other half). With that "
             f"widening, declared before it was applied: {vw.count('agree')} of {len(made)} rows agree, "
             f"{vw.count('MISMATCH')} MISMATCH ({'; '.join(bad)}), {vw.count('UNRELIABLE')} UNRELIABLE. (The "
             "coverage was measured on the rows with n <= 5 and n = 6, p <= 32; c is applied to n = 6, p = 64 "
             "and 96 too.)"]
    pr = precise_rows(preds)
    if not pr:
        return lines
    vp = [verdict(r) for r in pr]
    byp = {(r["n"], r["p"], r["hamiltonian"]): r for r in preds}
    width = [np.subtract(*byp[(r["n"], r["p"], r["hamiltonian"])]["empirical_ci95_t"][::-1])
             / np.subtract(*r["empirical_ci95_t"][::-1]) for r in pr]
    lines += ["", f"**Post hoc, not declared:** the same (G) predictions against the medians of the {len(pr)} rows "
              "that the coverage check re-simulated on 256 instances × 8 starts (its own seed, independent of "
              f"the table's), whose 95 % intervals are {np.median(width):.1f} times narrower than the table's "
              "(median ratio). This tests the predictions, not the interval:", "",
              "| n | p | H | (B2) median ± s.e. | table: 8 instances (95 % CI) | 256 instances (95 % CI) | "
              "prediction − 256-instance median | verdict | α (G) | α implied (post hoc) | α measured at this n, p |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    imp = {(x["n"], x["p"], x["hamiltonian"]): x["alpha"] for x in implied or []}
    meas = {(x["n"], x["p"], x["hamiltonian"]): x for x in alphas or []}
    for r, v in zip(pr, vp):
        key = (r["n"], r["p"], r["hamiltonian"])
        r8 = byp[key]
        lo8, hi8 = r8["empirical_ci95_t"]
        lo, hi = r["empirical_ci95_t"]
        lines.append(f"| {r['n']} | {r['p']} | {r['hamiltonian']} | {r['basin_median_t']:.3f} ± {r['se']:.3f} | "
                     f"{r8['empirical_median_t']:.3f} ({lo8:.3f}–{hi8:.3f}) | {r['empirical_median_t']:.3f} "
                     f"({lo:.3f}–{hi:.3f}) | {r['basin_median_t'] - r['empirical_median_t']:+.3f} | {v} | "
                     f"{r['alpha']['alpha']:.2f} | "
                     + (_implied_cell(imp[key]) if key in imp else "–") + " | "
                     + (_alpha_cell(meas[key]) if key in meas else "–") + " |")
    d = np.array([r["basin_median_t"] - r["empirical_median_t"] for r in pr])
    by_g: dict = {}
    for r, x in zip(pr, d):
        by_g.setdefault(r["gamma"], []).append(x)
    mism = [r for r, v in zip(pr, vp) if v == "MISMATCH"]
    hi_g = d[[r["gamma"] >= 0.25 for r in pr]]
    lines += ["", f"- {vp.count('agree')} of {len(pr)} agree, {vp.count('MISMATCH')} MISMATCH, "
              f"{vp.count('UNRELIABLE')} UNRELIABLE; {sum(r['basin_median_t'] > r['empirical_median_t'] for r in mism)} "
              f"of the mismatches have the prediction above the optimiser's median. Prediction minus 256-instance "
              f"median, mean by γ: " + "; ".join(f"γ = {g:g}: {np.mean(x):+.3f} ({len(x)} rows)"
                                                 for g, x in sorted(by_g.items())) + ".",
              "- Read together: widened to its true coverage, the table's 8-instance interval is wide enough "
              f"that {vw.count('agree')} of {len(made)} rows agree, but a precise empirical median shows that (B2) "
              f"with α from (G) sits above the optimiser's median in {int((hi_g > 0).sum())} of {hi_g.size} rows at "
              f"γ >= 0.25 (offset {np.median(hi_g):+.3f} in t, median; range {hi_g.min():+.3f} to "
              f"{hi_g.max():+.3f}): too little basin weighting, the direction in which α grows with n. The "
              "basin-weighted prediction is good to a few hundredths in t, not to the 256-instance precision."]
    if imp:
        by_gn: dict = {}
        for r in pr:
            a = imp.get((r["n"], r["p"], r["hamiltonian"]), [None])[0]
            if a is not None and r["gamma"] < 0.75:
                by_gn.setdefault(r["gamma"], {}).setdefault(r["n"], []).append(a)
        both = [(imp[k], meas[k]) for k in imp if k in meas and None not in imp[k]]
        # implied alpha's s.e. from its 95 % range (normal approximation), combined with the measured s.e.
        ok = sum(abs(i[0] - m["alpha"]) <= 2 * np.hypot(m["se"], (i[2] - i[1]) / 3.92) for i, m in both)
        lines.append("- The α that (B2) needs to reproduce each 256-instance median (post hoc), mean over spectra, "
                     "by γ and n (γ < 0.75): " + "; ".join(
                         f"γ = {g:g}: " + ", ".join(f"{np.mean(x):.2f} (n = {n})" for n, x in sorted(d.items()))
                         for g, d in sorted(by_gn.items())) +
                     f". At fixed γ it grows with n, which (G) cannot follow. Where α was also measured by "
                     f"enumeration at the same n and p, the two agree within 2 combined s.e. in {ok} of "
                     f"{len(both)} rows" + (": with the α of the row's own n and p, (B2) reproduces the "
                                            "optimiser, and the open part is how α scales" if ok == len(both) else
                                            "; so the α of a row's own n and p does not always suffice either, "
                                            "and part of the gap lies in (B2) itself or in the count-weighted "
                                            "model, besides how α scales") + " (docs/theory.md §9.8, open question 8).")
    return lines


def _implied_cell(am: list) -> str:
    """matching_alpha at the empirical median and at the ends of its 95 % interval (upper end first)."""
    if all(a is None for a in am):
        return "none in [0, 10]"
    f = [f"{a:.2f}" if a is not None else "none in [0, 10]" for a in am]
    return f"{f[0]} ({f[1]}–{f[2]})"


def _render_new_n(summary: dict) -> list[str]:
    """Section on the out-of-sample rows at a new qubit count (NEW_N)."""
    nn = summary.get("new_n")
    if not nn:
        return []
    lines = ["", "## Out of sample: a new qubit count", "",
             "Declared before each run (module docstring, NEW_N; γ = 0.125 in commit 0f11160, γ = 0.25 in "
             "783fe4a after the first had been run, with (G) and (G1) unchanged): rows at n = " +
             ", ".join(sorted({str(r["n"]) for r in nn["rows"]})) + " by the table's protocol (8 Haar "
             "instances × 8 starts, seed 2026), the exact circuit model with the table's seeds, α by (G) and "
             "by (G1) from n = 3–6 only, the table's rule. Not in docs/studies/circuits_vs_theory.md (its rows are "
             "n = 4–6). The last column, found after the runs, is the α at which (B2) would reproduce the "
             "optimiser's median (`matching_alpha`; a diagnostic, not a prediction), and in brackets at the ends "
             "of its 95 % interval.", "",
             "| n | p | γ | H | count-weighted median | (G): α, (B2) median ± s.e., verdict | "
             "(G1): α, (B2) median ± s.e., verdict | empirical median (95 % CI) | α implied (post hoc) |",
             "|---|---|---|---|---|---|---|---|---|"]
    w = ci_widening()
    c = w["c"] if w else None
    implied = nn.get("alpha_match", [[None, None, None]] * len(nn["G"]))
    for r0, r1, am in zip(nn["G"], nn["G1"], implied):
        lo, hi = r0["empirical_ci95_t"]
        cells = [f"{r['alpha']['alpha']:.2f}, {r['basin_median_t']:.3f} ± {r['se']:.3f}, "
                 f"{verdict_pair(verdict(r), verdict(r, c) if c else None, c)}"
                 if r["alpha"] is not None else "no prediction" for r in (r0, r1)]
        cm = f"{r0['count_median_t']:.3f}" if "count_median_t" in r0 else "–"
        lines.append(f"| {r0['n']} | {r0['p']} | {r0['gamma']:g} | {r0['hamiltonian']} | {cm} | {cells[0]} | "
                     f"{cells[1]} | {r0['empirical_median_t']:.3f} ({lo:.3f}–{hi:.3f}) | "
                     + _implied_cell(am) + " |")
    v0, v1 = [verdict(r) for r in nn["G"]], [verdict(r) for r in nn["G1"]]
    above = [f"p = {r0['p']} {r0['hamiltonian']}" for r0, r1 in zip(nn["G"], nn["G1"])
             if r0["alpha"] is not None and r1["alpha"] is not None
             and min(r0["basin_median_t"], r1["basin_median_t"]) > r0["empirical_median_t"]]
    lines += ["", f"- (G): {v0.count('agree')} of {len(v0)} agree, {v0.count('MISMATCH')} MISMATCH, "
              f"{v0.count('UNRELIABLE')} UNRELIABLE; (G1): {v1.count('agree')} of {len(v1)} agree, "
              f"{v1.count('MISMATCH')} MISMATCH, {v1.count('UNRELIABLE')} UNRELIABLE. (G1)'s s.e. omits any "
              f"between-n scatter (σ = {summary['finite_d_fit']['sigma']:.3f} after its fit, the DerSimonian–Laird "
              f"estimate truncated at 0), while (G) carries σ_n = {summary['sigma_n']:.3f}.",
              f"- Both rules put the (B2) median above the optimiser's in {len(above)} of {len(v0)} rows"
              + (f" ({', '.join(above)})." if above else ".")]
    trend = []
    for r0, (am, *_) in zip(nn["G"], implied):
        meas = sorted((a["n"], a["alpha"]) for a in summary["alphas"]
                      if a["hamiltonian"] == r0["hamiltonian"] and a["gamma"] == r0["gamma"])
        if am is not None and meas:
            trend.append(f"{r0['hamiltonian']} at γ = {r0['gamma']:g}: " + ", ".join(
                f"{a:.2f} (n = {n})" for n, a in meas) + f", {am:.2f} implied at n = {r0['n']}")
    if trend:
        lines.append("- α measured at n = 3–6 and implied at n = 7, same spectrum and γ: " + "; ".join(trend) +
                     ". The implied α also absorbs any error of the count-weighted circuit model at n = 7, which "
                     "no enumeration checks there.")
    return lines


def render(summary: dict) -> str:
    from scipy.stats import chi2
    alphas, preds = summary["alphas"], summary["predictions"]
    lines = ["# Is the basin exponent a function of γ? (cross-n prediction of optimiser-found minima)", "",
             f"Generated by `python -m validation.basin_gamma_law` on {summary['date']} ({summary['seconds']:.0f} s; "
             f"seed {summary['seed']}). Builds on docs/studies/basin_weighting.md (law (B1): a minimum's basin volume "
             "∝ (1 − t)^(α p/2); (B2): the optimiser's law is the Kac–Rice law tilted by it).", "",
             "**Hypothesis (G), declared before the test was run:** α depends on the spectrum and on "
             "γ = p/2^(n+1) only, not on n separately. **Prediction** for a row (n, p, H) of "
             "docs/studies/circuits_vs_theory.md: α from the enumerations at the same γ and spectrum at the *other* "
             "qubit counts (never the row's own n), weighted mean with weights 1/(s.e.² + σ_n²), s.e. "
             "√(1/Σw + σ_n²); σ_n is the between-n scatter of α at fixed (H, γ) (DerSimonian–Laird, pooled "
             "over every group measured at two or more n). The exact circuit model (the table's seeds) is "
             "tilted by (B2) with that α and compared with the table's optimiser-found median by the table's "
             "rule (prediction ± 2 s.e. meets the empirical 95 % interval; s.e. = replicate s.e. and the shift "
             "from α ± its s.e.). No prediction where γ was measured at no other n. The n = 3 enumerations were "
             "added for this test: at n = 3, γ up to 0.75 is reached at p <= 12, where the minima can still be "
             "counted. All values in t = (F − E0)/(Ē − E0).", "",
             "## Measured α by γ and n", "",
             "(i): incomplete enumeration (zero-truncated fit; s.e. includes the thinning-calibrated "
             "systematic of docs/studies/basin_weighting.md part 3).", "",
             "| H | γ | n = 3 | n = 4 | n = 5 | n = 6 |", "|---|---|---|---|---|---|"]
    for ham in HAMILTONIANS:
        for g in sorted({a["gamma"] for a in alphas if a["hamiltonian"] == ham}):
            cells = []
            for n in (3, 4, 5, 6):
                hit = [a for a in alphas if a["hamiltonian"] == ham and a["gamma"] == g and a["n"] == n]
                cells.append(_alpha_cell(hit[0]) + f" (p = {hit[0]['p']})" if hit else "")
            lines.append(f"| {ham} | {g:g} | " + " | ".join(cells) + " |")
    Q, df = summary["Q"], summary["df"]
    lines += ["", f"Homogeneity of α across n at fixed (H, γ): Q = {Q:.1f} on {df} degrees of freedom "
              f"(p-value {chi2.sf(Q, df):.2g} if α depended on γ only and the s.e.s were exact); between-n "
              f"scatter σ_n = {summary['sigma_n']:.3f}, which every prediction carries.", "",
              "## Predictions (B2) with α from the other qubit counts", "",
              "| n | p | γ | H | α (G) ± s.e. (from) | count-weighted median | (B2) median ± s.e. | "
              "empirical median (95 % CI) | verdict |", "|---|---|---|---|---|---|---|---|---|"]
    for r in preds:
        lo, hi = r["empirical_ci95_t"]
        emp = f"{r['empirical_median_t']:.3f} ({lo:.3f}–{hi:.3f})"
        pa = r["alpha"]
        if pa is None:
            lines.append(f"| {r['n']} | {r['p']} | {r['gamma']:g} | {r['hamiltonian']} | γ not measured at "
                         f"another n | – | – | {emp} | no prediction |")
            continue
        lines.append(f"| {r['n']} | {r['p']} | {r['gamma']:g} | {r['hamiltonian']} | {pa['alpha']:.2f} ± "
                     f"{pa['se']:.2f} ({'; '.join(pa['from'])}) | {r['count_median_t']:.3f} | "
                     f"{r['basin_median_t']:.3f} ± {r['se']:.3f} | {emp} | {verdict(r)} |")
    v = [verdict(r) for r in preds]
    made = [r for r in preds if r["alpha"] is not None]
    by_g = {}
    for r in made:
        by_g.setdefault(r["gamma"], []).append(verdict(r))
    lines += ["", f"- {v.count('agree')} of {len(made)} predicted rows agree, {v.count('MISMATCH')} MISMATCH, "
              f"{v.count('UNRELIABLE')} UNRELIABLE (s.e. above a quarter of the predicted q10–q90 width, the "
              "table's rule; the circuit model's Monte Carlo is too noisy there); "
              f"{v.count('no prediction')} rows have no prediction (γ measured at no other n). By γ: " +
              "; ".join(f"γ = {g:g}: {x.count('agree')} agree, {x.count('MISMATCH')} MISMATCH of {len(x)}"
                        for g, x in sorted(by_g.items())) + "."]
    if made:
        z = [(r["basin_median_t"] - r["empirical_median_t"]) for r in made]
        above = sum(verdict(r) == "MISMATCH" and r["basin_median_t"] > r["empirical_median_t"] for r in made)
        lines.append(f"- (B2) median minus the empirical median: median {np.median(z):+.3f}, range "
                     f"{min(z):+.3f} to {max(z):+.3f} in t (count-weighted minus empirical: median "
                     f"{np.median([r['count_median_t'] - r['empirical_median_t'] for r in made]):+.3f}). "
                     f"{above} of the {v.count('MISMATCH')} mismatches have the prediction above the optimiser's "
                     "median, i.e. too little basin weighting.")
    steps, means = [], []
    for n in (3, 4, 5):
        d = [b["alpha"] - a["alpha"] for a in alphas for b in alphas if a["n"] == n and b["n"] == n + 1
             and a["hamiltonian"] == b["hamiltonian"] and a["gamma"] == b["gamma"]]
        if d:
            steps.append(f"n = {n} → {n + 1}: {np.mean(d):+.2f} ({len(d)} pairs)")
            means.append(float(np.mean(d)))
    shrink = len(means) > 1 and all(x > y for x, y in zip(means, means[1:]))
    lines += [f"- (G) holds only approximately: the homogeneity test rejects it (Q = {Q:.1f} on {df} degrees of "
              "freedom), and α at fixed (H, γ) tends to grow with n. Mean change of α from one qubit count to "
              "the next at the same (H, γ): " + "; ".join(steps) + (" (the steps shrink as n grows)" if shrink else "") + ". A prediction from smaller n therefore "
              "tends to underestimate α, which is the direction of most mismatches. σ_n, carried by every "
              "prediction, covers this scatter on average but not its trend.",
              "- Status: this is the first prediction of the optimiser-found median at every γ of the table "
              "that is made before the comparison. It is not a derivation of α; the law (B1) and (G) are "
              "measured regularities (open question 8 of docs/theory.md §9.8 remains open)."]
    lines += _render_widened(preds, summary.get("implied_alpha_precise"), alphas)
    lines += _render_g1(summary)
    lines += _render_new_n(summary)
    lines += ["", "## The n = 3 enumerations", "",
              f"Global: the share of distinct minima at the global minimum (t < {GLOBAL_T:g}).", "",
              "| kind | H | p | γ | starts × instances | minima seen / instance (Chao1) | global | α ± s.e. (boot) |",
              "|---|---|---|---|---|---|---|---|"]
    at_threshold = []
    for c in summary["cross_n"]:
        a = c["analysis"]
        seen = a.get("minima_per_instance", a.get("seen_per_instance"))
        al = (f"{a['alpha']:.2f} ± {a['alpha_se_bootstrap']:.2f}" if "alpha" in a
              else f"not identified: {a.get('reason', '')}")
        glob = global_share("enum" if c["kind"] == "complete" else "seen", c["n"], c["p"], c["hamiltonian"])
        if glob > 0.05:
            at_threshold.append(f"{c['hamiltonian']} at p = {c['p']} ({100 * glob:.0f} %)")
        lines.append(f"| {c['kind']} | {c['hamiltonian']} | {c['p']} | {gamma_key(c['n'], c['p']):g} | "
                     f"{c['starts']} × {c['instances']} | {seen:.1f} ({a['chao1_per_instance']:.1f}) | "
                     f"{100 * glob:.0f} % | {al} |")
    if at_threshold:
        lines += ["", "- Caveat found after the test: where a sizeable share of the minima are global, the "
                  "configuration sits at its spectrum's overparameterisation threshold p_c = 2(d − d0), "
                  "γ_c = 1 − d0/2^n for a d0-fold degenerate ground space (README, transition; the ground "
                  "space has real codimension 2(d − d0) among states, so isolated global minima appear at "
                  "p = p_c; projector:2 at n = 3: p_c = 12, γ_c = 0.75). There the basin law "
                  "describes a different regime, and the α it gives to larger n at the same γ (where the "
                  "threshold lies at higher γ) is questionable: " + "; ".join(at_threshold) + ". The "
                  "predictions that use it are kept as declared."]
    return "\n".join(lines) + "\n"


def _options(ap) -> None:
    ap.add_argument("--enumerate-only", action="store_true", help="only run the n = 3 enumerations")


def _run(a):
    run_enumerations(a.workers)
    if a.enumerate_only:
        return STOP
    from rmt_qgm import __version__
    t0 = time.perf_counter()
    with open(BASIN_SUMMARY, encoding="utf-8") as fh:
        basin = json.load(fh)
    rng = np.random.default_rng([SEED, 4])
    cross = cross_analysis(rng, basin["thinning_check"])
    alphas = measured_alphas(basin, cross)
    sigma_n, Q, df = between_n_scatter(alphas)
    summary = {"version": __version__, "seed": SEED, "date": time.strftime("%Y-%m-%d"), "cross_n": cross,
               "alphas": alphas, "sigma_n": sigma_n, "Q": Q, "df": df,
               "predictions": predictions(alphas, sigma_n),
               "finite_d_fit": finite_d_fit(alphas),
               "predictions_g1": predictions(alphas, sigma_n, "G1")}
    summary["implied_alpha_precise"] = implied_alpha_precise(summary["predictions"])
    rows = new_n_rows(a.workers)
    summary["new_n"] = {"rows": rows, "G": predictions(alphas, sigma_n, "G", rows, NEW_N_SEED),
                        "G1": predictions(alphas, sigma_n, "G1", rows, NEW_N_SEED),
                        "alpha_match": [implied_alpha_range(circuit_laws(r, NEW_N_SEED), r["p"], *empirical_t(r))
                                        for r in rows if "empirical" in r]}
    summary["seconds"] = time.perf_counter() - t0 + sum(c["seconds"] for c in cross)
    return summary


STUDY = Study("basin_gamma_law", doc="basin_gamma_law.md", summary=os.path.join(OUT, "summary.json"),
              run=_run, render=render, options=_options, description=__doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
