"""Basin weighting of optimiser-found minima, measured (THEORY open question 8; rmt_qgm/theory/basin.py).

Part 1 (calibration, complete enumerations). For each configuration (n, p, spectrum) in CONFIGS: certified
multi-start L-BFGS on INSTANCES Haar instances of the randomized ansatz, with enough starts that every
minimum is found (Chao1 estimate of unseen minima reported); minima deduplicated modulo pi with their hit
counts (rmt_qgm/circuits/distinct.py). A minimum's hit fraction estimates its basin volume. Fits, by
maximum likelihood with one free normalisation per instance (multinomial hits):
  - law (B1): v proportional to (1 - t)^(alpha p / 2) -> alpha, with a bootstrap s.e. over instances;
  - the alternatives exp(beta t) (linear tilt) and depth^(p/2) / sqrt(det Hessian) (harmonic basin,
    no free exponent) -> their deviance next to (B1)'s;
  - the check of (B2): the median of the found minima tilted by the fitted (B1) against the hit-weighted
    median (what an optimiser reports).
Part 2 (out of sample). For the rows of docs/circuits_vs_theory.md with p above every calibration p and
the exact circuit model available: the circuit model's count-weighted law (the table's seeds, so the same
medians) tilted by (B2) with the spectrum's alpha from the largest calibration p, next to the optimiser-found
median of the table. Uncertainty: replicate s.e. of the tilted median (4 seeds) and the shift caused by
alpha +- its s.e., added in quadrature; 'agree' means pred +- 2 s.e. meets the empirical 95 % interval (the
table's rule).

Writes validation/results/basin_weighting/ (one JSON per enumeration, resumable; summary.json) and
docs/basin_weighting.md.

Run:  python validation/basin_weighting.py [--workers 2]      (about 40 min on 2 cores)
      python validation/basin_weighting.py --only randspec:1   (enumerations of one spectrum only)
      python validation/basin_weighting.py --render-only       (re-render from the saved results)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "results", "basin_weighting")
SEED = 77
HAMILTONIANS = ("fidelity", "projector:2", "randspec:1")
#: (n, p, starts per instance, instances): starts chosen so that Chao1 is within a few % of the minima found
CONFIGS = [(n, p, s, i) for n in (4, 5, 6) for (p, s, i) in ((4, 300, 16), (6, 600, 16))] + \
          [(4, 8, 1000, 16), (5, 8, 1000, 16), (6, 8, 1500, 10), (4, 10, 4000, 8)]
BOOTSTRAP = 200
CVT_JSON = os.path.join(HERE, "results", "circuits_vs_theory.json")


def enum_path(n: int, p: int, ham: str) -> str:
    return os.path.join(OUT, f"enum_n{n}_p{p}_{ham.replace(':', '')}.json")


def enumerate_config(n: int, p: int, ham: str, starts: int, instances: int, workers: int) -> dict:
    """Distinct minima (t, hits, log det Hessian in t units) of every instance of one configuration."""
    from rmt_qgm import __version__
    from rmt_qgm.circuits.distinct import chao1, distinct_minima
    from rmt_qgm.simulate import _cached_instance, run_simulation
    t0 = time.perf_counter()
    res = run_simulation(n, p, ansatz="randomized", hamiltonian=ham, starts=starts, instances=instances,
                         seed=SEED, workers=workers)
    r = res.records
    E0, Eb = res.params["E0"], res.params["Ebar"]
    out = []
    for i in range(instances):
        m = (r["instance"] == i) & r["certified"] & (r["index"] == 0)
        F, hits, reps = distinct_minima(r["theta"][m], r["F"][m])
        h_, circ, psi0 = _cached_instance(res.params, i)
        logdet = [float(np.sum(np.log(np.abs(np.linalg.eigvalsh(circ.hessian(th, psi0, h_))))))
                  - p * np.log(Eb - E0) for th in reps]
        out.append({"t": ((F - E0) / (Eb - E0)).tolist(), "hits": hits.tolist(), "logdet_t": logdet,
                    "chao1": chao1(hits), "starts_landed_in_minima": int(m.sum())})
    return {"version": __version__, "seed": SEED, "n": n, "p": p, "hamiltonian": ham, "starts": starts,
            "instances": instances, "seconds": time.perf_counter() - t0, "date": time.strftime("%Y-%m-%d"),
            "per_instance": out}


def _instances(per_instance: list[dict]) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.asarray(o["t"]), np.asarray(o["hits"], dtype=float)) for o in per_instance]


def _informative_records(per_instance: list[dict]) -> list[dict]:
    from rmt_qgm.theory.basin import informative
    return [o for o in per_instance if informative(o["t"])]


def _weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    o = np.argsort(x)
    c = np.cumsum(w[o])
    return float(x[o][np.searchsorted(c, 0.5 * c[-1])])


def analyse(rec: dict, rng: np.random.Generator) -> dict:
    """alpha, its bootstrap s.e., deviances of the alternatives and the (B2) median check for one config."""
    from scipy.optimize import minimize_scalar

    from rmt_qgm.theory.basin import fisher_se, fit_basin_exponent, log_depth, multinomial_nll
    p = rec["p"]
    usable = _informative_records(rec["per_instance"])
    inst = _instances(usable)
    alpha = fit_basin_exponent(inst, p)
    boot = [fit_basin_exponent([inst[k] for k in rng.integers(0, len(inst), len(inst))], p)
            for _ in range(BOOTSTRAP)]
    hits = [h for _, h in inst]
    nll_b1 = multinomial_nll([alpha * log_depth(t, p) for t, _ in inst], hits)
    lin = minimize_scalar(lambda b: multinomial_nll([b * t for t, _ in inst], hits), bounds=(-500, 500),
                          method="bounded")
    nll_harm = multinomial_nll([log_depth(t, p) - 0.5 * np.asarray(o["logdet_t"]) for (t, _), o in zip(inst, usable)],
                               hits)
    every = _instances(rec["per_instance"])
    T = np.concatenate([t for t, _ in every])
    Hw = np.concatenate([h / h.sum() for _, h in every])      # each instance: one unit of starts
    tilt = np.exp(alpha * log_depth(T, p))
    found = np.mean([len(o["t"]) for o in rec["per_instance"]])
    return {"alpha": alpha, "alpha_se_bootstrap": float(np.std(boot, ddof=1)),
            "alpha_se_fisher": fisher_se(inst, p, alpha),
            "minima_per_instance": float(found),
            "chao1_per_instance": float(np.mean([o["chao1"] for o in rec["per_instance"]])),
            "deviance_vs_B1": {"linear_tilt": 2 * (lin.fun - nll_b1), "harmonic_basin": 2 * (nll_harm - nll_b1)},
            "linear_beta": float(lin.x),
            "median_count_weighted_t": float(np.median(T)),
            "median_hit_weighted_t": _weighted_median(T, Hw),
            "median_B2_on_found_t": _weighted_median(T, tilt)}


def out_of_sample(summary: dict, p_cal: dict) -> list[dict]:
    """Part 2: the table's rows above the calibration range with the exact circuit model (module docstring)."""
    from rmt_qgm.theory.basin import basin_weighted
    from rmt_qgm.theory.distributions import TabulatedDistribution
    from rmt_qgm.theory.predict import predict
    sys.path.insert(0, HERE)
    from circuits_vs_theory import CIRCUIT_MAX_COST, REPLICATES
    with open(CVT_JSON, encoding="utf-8") as fh:
        cvt = json.load(fh)
    rows = []
    for r in cvt["rows"]:
        n, p, ham = r["n"], r["p"], r["hamiltonian"]
        if p <= max(p_cal.values()) or p * 4 ** n > CIRCUIT_MAX_COST or "empirical" not in r:
            continue
        cal = summary["alpha_by_spectrum"][ham]
        a, a_se = cal["alpha"], cal["se"]
        t0 = time.perf_counter()
        sc = r["Ebar"] - r["E0"]
        med0, med, lo_a, hi_a = [], [], [], []
        for rep in range(REPLICATES):
            pr = predict(n, p, hamiltonian=ham, model="circuit", seed=cvt["seed"] + 1000 * rep, n_mc=8000)
            F, dens = np.array(pr["minima"]["pdf"]).T
            dist = TabulatedDistribution((F - r["E0"]) / sc, dens * sc)
            med0.append(dist.median())
            med.append(basin_weighted(dist, p, a).median())
            lo_a.append(basin_weighted(dist, p, a - a_se).median())
            hi_a.append(basin_weighted(dist, p, a + a_se).median())
        se_rep = float(np.std(med, ddof=1) / np.sqrt(REPLICATES))
        se_alpha = float(abs(np.mean(lo_a) - np.mean(hi_a)) / 2)
        e = r["empirical"]
        rows.append({"n": n, "p": p, "gamma": r["gamma"], "hamiltonian": ham, "alpha": a, "alpha_se": a_se,
                     "count_median_t": float(np.mean(med0)), "basin_median_t": float(np.mean(med)),
                     "se_replicates": se_rep, "se_alpha": se_alpha, "se": float(np.hypot(se_rep, se_alpha)),
                     "empirical_median_t": (e["median"] - r["E0"]) / sc,
                     "empirical_ci95_t": [(x - r["E0"]) / sc for x in e["median_ci95"]],
                     "seconds": time.perf_counter() - t0})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def verdict(row: dict) -> str:
    lo, hi = row["empirical_ci95_t"]
    m, s = row["basin_median_t"], row["se"]
    return "agree" if m - 2 * s <= hi and m + 2 * s >= lo else "MISMATCH"


def calibrate(results: dict) -> tuple[dict, dict]:
    """alpha per spectrum, pooled over n at the largest calibration p that every n has (p = 8)."""
    from rmt_qgm.theory.basin import fit_basin_exponent
    rng = np.random.default_rng(SEED)
    out, p_cal = {}, {}
    for ham in HAMILTONIANS:
        recs = [results[k] for k in results if k[2] == ham and k[1] == 8]
        inst = [x for rec in recs for x in _instances(_informative_records(rec["per_instance"]))]
        a = fit_basin_exponent(inst, 8)
        boot = [fit_basin_exponent([inst[k] for k in rng.integers(0, len(inst), len(inst))], 8)
                for _ in range(BOOTSTRAP)]
        out[ham] = {"alpha": a, "se": float(np.std(boot, ddof=1)), "from": "p = 8, n = 4, 5, 6 pooled"}
        p_cal[ham] = 10 if any(k[2] == ham and k[1] == 10 for k in results) else 8
    return out, p_cal


def _trend(configs: list[dict], n: int) -> str:
    """'H a(p1) -> a(p2) (p = p1 -> p2)' for each spectrum at qubit count n."""
    parts = []
    for ham in HAMILTONIANS:
        cs = sorted((c for c in configs if c["n"] == n and c["hamiltonian"] == ham), key=lambda c: c["p"])
        if len(cs) >= 2:
            parts.append(f"{ham} {cs[0]['analysis']['alpha']:.2f} → {cs[-1]['analysis']['alpha']:.2f} "
                         f"(p = {cs[0]['p']} → {cs[-1]['p']})")
    return "; ".join(parts)


def render(summary: dict) -> str:
    cal = summary["configs"]
    lines = ["# Basin weighting of optimiser-found minima (measured)", "",
             f"Generated by `python validation/basin_weighting.py` on {summary['date']} "
             f"({summary['seconds']:.0f} s of simulation and fits; seed {SEED}). Law and API: "
             "`rmt_qgm/theory/basin.py`. THEORY open question 8.", "",
             "Kac–Rice counts every local minimum once; a multi-start optimiser reports a minimum once per start "
             "that lands in it, so its histogram is weighted by basin volume. Where every minimum of every "
             "instance can be found, a minimum's hit fraction measures its basin volume directly. With "
             "t = (F − E0)/(Ē − E0) (t = 1 is the mean of F over states), the measured law is", "",
             "    v(t) ∝ (1 − t)^(α p / 2)        (B1)", "",
             "so the optimiser's law is the Kac–Rice law tilted by (1 − t)^(α p/2) (B2).", "",
             "## 1. Calibration: complete enumerations", "",
             "Per configuration: α by maximum likelihood (multinomial hits, one free normalisation per instance), "
             "its bootstrap s.e. over instances (and the Fisher s.e., which assumes (B1) exactly); the deviance "
             "of two alternatives relative to (B1) (positive = worse than (B1), same number of parameters or "
             "fewer): a linear tilt exp(βt) and the harmonic-basin volume depth^(p/2)/√det Hess (no free "
             "exponent); and the check of (B2): the found minima's median tilted by (B1) against the "
             "hit-weighted median (what an optimiser reports) and the count-weighted one.", "",
             "| H | n | p | minima / instance (Chao1) | α ± s.e. (boot; Fisher) | Δdev linear | Δdev harmonic | "
             "median t: count / (B2) / hit-weighted |",
             "|---|---|---|---|---|---|---|---|"]
    for c in cal:
        a = c["analysis"]
        lines.append(f"| {c['hamiltonian']} | {c['n']} | {c['p']} | {a['minima_per_instance']:.1f} "
                     f"({a['chao1_per_instance']:.1f}) | {a['alpha']:.2f} ± {a['alpha_se_bootstrap']:.2f} "
                     f"({a['alpha_se_fisher']:.2f}) | {a['deviance_vs_B1']['linear_tilt']:+.0f} | "
                     f"{a['deviance_vs_B1']['harmonic_basin']:+.0f} | {a['median_count_weighted_t']:.3f} / "
                     f"{a['median_B2_on_found_t']:.3f} / {a['median_hit_weighted_t']:.3f} |")
    alphas = np.array([c["analysis"]["alpha"] for c in cal])
    b2err = np.array([abs(c["analysis"]["median_B2_on_found_t"] - c["analysis"]["median_hit_weighted_t"])
                      for c in cal])
    shift = np.array([c["analysis"]["median_count_weighted_t"] - c["analysis"]["median_hit_weighted_t"]
                      for c in cal])
    worse_lin = sum(c["analysis"]["deviance_vs_B1"]["linear_tilt"] > 0 for c in cal)
    worse_h = sum(c["analysis"]["deviance_vs_B1"]["harmonic_basin"] > 0 for c in cal)
    lines += ["", f"- α ranges from {alphas.min():.2f} to {alphas.max():.2f} over the {len(cal)} configurations. "
              f"(B1) fits better than the linear tilt in {worse_lin} and better than the harmonic basin in "
              f"{worse_h} of them.",
              f"- (B2) on the found minima reproduces the optimiser's median to within {b2err.max():.3f} in t "
              f"(median {np.median(b2err):.3f}), where the basin-weighting shift itself (count-weighted minus "
              f"hit-weighted median) is up to {shift.max():.3f}.",
              "- α is not one universal constant. It depends on the spectrum (pooled at p = 8: " +
              ", ".join(f"{h} {v['alpha']:.2f}" for h, v in summary["alpha_by_spectrum"].items()) +
              ") and at n = 4, the only n enumerated up to p = 10, on p: " + _trend(cal, 4) +
              ". So (B1) with a fixed α is an interpolation law measured at p <= 10, not a derivation.",
              "", "## 2. Out of sample: the table's larger-p rows", "",
              "α per spectrum, pooled over n = 4, 5, 6 at p = 8: " +
              ", ".join(f"{h}: {v['alpha']:.2f} ± {v['se']:.2f}" for h, v in summary["alpha_by_spectrum"].items()) +
              ". Applied by (B2) to the exact circuit model's count-weighted law (the seeds of "
              "docs/circuits_vs_theory.md, so the count-weighted medians are the table's), and compared with "
              "the table's optimiser-found medians (8 instances x 8 starts; 95 % bootstrap interval). All "
              "values in t.", "",
              "| n | p | γ | H | count-weighted median | basin-weighted (B2) median ± s.e. | empirical median (95 % CI) "
              "| verdict |", "|---|---|---|---|---|---|---|---|"]
    oos = summary["out_of_sample"]
    for r in oos:
        lo, hi = r["empirical_ci95_t"]
        lines.append(f"| {r['n']} | {r['p']} | {r['gamma']:g} | {r['hamiltonian']} | {r['count_median_t']:.3f} | "
                     f"{r['basin_median_t']:.3f} ± {r['se']:.3f} | {r['empirical_median_t']:.3f} "
                     f"({lo:.3f}–{hi:.3f}) | {verdict(r)} |")
    v = [verdict(r) for r in oos]
    closed = [r["count_median_t"] - r["basin_median_t"] for r in oos]
    gap = [r["count_median_t"] - r["empirical_median_t"] for r in oos]
    lines += ["", f"- {v.count('agree')} of {len(v)} rows agree, {v.count('MISMATCH')} MISMATCH. (B2) moves the "
              f"median down by {np.median(closed):.3f} in t (median over rows), where the count-to-optimiser gap "
              f"is {np.median(gap):.3f}: the law calibrated at p <= 8 explains "
              f"{100 * np.median(np.array(closed) / np.array(gap)):.0f} % of the gap at larger p (median over rows).",
              "- What this means: basin weighting grows with p faster than (B1) with the p = 8 exponent. Either "
              "α keeps growing with p (as it does at n = 4 from p = 4 to 10) or the count-weighted "
              "prediction itself is biased at large p (its Kish effective sample sizes there are 2-50, docs/circuits_vs_theory.md). An "
              "enumeration that could separate the two needs every minimum at p >= 16, i.e. 10^4 or more "
              "minima per instance; out of reach here.", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--render-only", action="store_true", help="re-render docs/basin_weighting.md")
    ap.add_argument("--only", choices=HAMILTONIANS,
                    help="only run the enumerations of this spectrum (to share the work between processes)")
    a = ap.parse_args(argv)
    from rmt_qgm.store import atomic_write_bytes, atomic_write_json
    os.makedirs(OUT, exist_ok=True)
    spath = os.path.join(OUT, "summary.json")
    if not a.render_only:
        t0 = time.perf_counter()
        results = {}
        for ham in (a.only,) if a.only else HAMILTONIANS:
            for n, p, starts, inst in CONFIGS:
                path = enum_path(n, p, ham)
                if os.path.exists(path):                       # resumable: finished configurations are kept
                    with open(path, encoding="utf-8") as fh:
                        rec = json.load(fh)
                else:
                    rec = enumerate_config(n, p, ham, starts, inst, a.workers)
                    atomic_write_json(path, rec)
                    print(f"{ham} n={n} p={p}: {rec['seconds']:.0f} s", flush=True)
                results[(n, p, ham)] = rec
        if a.only:
            return 0
        rng = np.random.default_rng(SEED)
        configs = [{"n": n, "p": p, "hamiltonian": ham, "analysis": analyse(results[(n, p, ham)], rng)}
                   for ham in HAMILTONIANS for n, p, _, _ in CONFIGS]
        alpha_by, p_cal = calibrate(results)
        summary = {"seed": SEED, "date": time.strftime("%Y-%m-%d"), "configs": configs,
                   "alpha_by_spectrum": alpha_by}
        summary["out_of_sample"] = out_of_sample(summary, p_cal)
        from rmt_qgm import __version__
        summary["version"] = __version__
        summary["seconds"] = time.perf_counter() - t0 + sum(r["seconds"] for r in results.values())
        atomic_write_json(spath, summary)
    with open(spath, encoding="utf-8") as fh:
        summary = json.load(fh)
    atomic_write_bytes(os.path.join(ROOT, "docs", "basin_weighting.md"), render(summary).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
