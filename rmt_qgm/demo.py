"""``rmt-qgm demo``: the main job on built-in defaults, and whether the theory's answer matches it.

A small simulation (randomized ansatz, n = 4 qubits, p = 8 parameters, gamma = p/2^(n+1) = 0.25, infidelity
loss ``fidelity``, Haar-random initial states; :data:`DEMO` instances x starts) and ``predict`` for the same
setting with the default model (``auto``). The prediction has two laws (:mod:`rmt_qgm.theory.prediction`):

- ``optimiser_minima``: where a multi-start local optimiser from uniform random starts ends (basin-weighted).
  This is what the simulation measures, so it is the law compared with it.
- ``minima``: the law of *all* local minima, each counted once (Kac–Rice). The simulation does not see this
  law (a multi-start optimiser finds minima in proportion to their basins), so it is printed without a
  verdict.

Simulated median and its 95 % interval: the median of all certified local minima (index 0) the optimiser
found; the interval is an instance-level percentile bootstrap: :data:`BOOTSTRAP_RESAMPLES` times, draw the
simulated circuit instances with replacement, pool their minima and take the median; the interval is the
2.5 % and 97.5 % points of those medians. Instances are the independent units (the starts of one instance
share its landscape), so they, not single minima, are resampled. The bootstrap's generator is fixed:
``rmt_qgm.seeding.generator(seed, "demo", "bootstrap")`` for the demo's root seed.

Agreement rule (:data:`AGREEMENT_RULE`, fixed before looking at any outcome): the prediction and the
simulation agree when the simulated median's 95 % interval meets (overlaps) the band predicted median
+- 2 x its standard error (the band is the median alone when the law reports no standard error).

``rmt-qgm demo --compare`` adds the model comparison kept from earlier versions: the count-weighted medians
(law of all minima) of the whrf, spherical and circuit models. It compares models with each other, not
with the simulation.
"""
from __future__ import annotations

import csv
import io
import os
import time

import numpy as np

from .checks import check_writable_dir
from .errors import UserInputError
from .store import atomic_savefig, atomic_write_bytes, atomic_write_json, run_metadata

#: seconds the demo's prediction may take (predict's --budget)
DEMO_BUDGET = 15.0
DEMO = dict(n_qubits=4, n_params=8, ansatz="randomized", hamiltonian="fidelity", starts=8, instances=16)
#: bootstrap resamples of the simulated instances (module docstring)
BOOTSTRAP_RESAMPLES = 2000
#: the agreement rule, printed with the verdict
AGREEMENT_RULE = ("agree = the simulated median's 95% interval (instance bootstrap) meets the predicted "
                  "median +- 2 s.e.")
#: models of ``--compare`` (count-weighted law of all minima)
COMPARE_MODELS = ("whrf", "spherical", "circuit")
#: what each law is, in words
LAW_TEXT = {"optimiser_minima": "where a multi-start optimiser ends, basin-weighted",
            "minima": "all local minima, each counted once, Kac-Rice"}


def bootstrap_median(F: np.ndarray, instance: np.ndarray, seed: int,
                     resamples: int = BOOTSTRAP_RESAMPLES) -> dict:
    """Median of ``F`` and its 95 % instance-level percentile-bootstrap interval (module docstring)."""
    F, instance = np.asarray(F, float), np.asarray(instance)
    if F.size == 0:
        return {"median": None, "ci95": None, "instances": 0, "resamples": 0}
    from .seeding import generator
    ids = np.unique(instance)
    groups = [F[instance == i] for i in ids]
    rng = generator(seed, "demo", "bootstrap")
    meds = np.empty(resamples)
    for b in range(resamples):
        pick = rng.integers(0, len(groups), len(groups))
        meds[b] = np.median(np.concatenate([groups[k] for k in pick]))
    lo, hi = np.quantile(meds, [0.025, 0.975])
    return {"median": float(np.median(F)), "ci95": [float(lo), float(hi)], "instances": int(len(ids)),
            "resamples": int(resamples), "method": "instance-level percentile bootstrap",
            "rng": f"rmt_qgm.seeding.generator({seed}, 'demo', 'bootstrap')"}


def agreement(law: dict, sim: dict) -> dict:
    """The verdict of :data:`AGREEMENT_RULE` for a predicted law (dict form) and :func:`bootstrap_median`."""
    out = {"rule": AGREEMENT_RULE, "law": "optimiser_minima", "simulated": sim, "agree": None}
    if not law.get("available", True):
        out["reason"] = f"no predicted law: {law.get('reason')}"
        return out
    if sim["ci95"] is None:
        out["reason"] = "the simulation found no certified local minima"
        return out
    m, se = float(law["median"]), law.get("median_stderr")
    se = 0.0 if se is None or not np.isfinite(se) else float(se)
    band = [m - 2 * se, m + 2 * se]
    lo, hi = sim["ci95"]
    out.update(predicted_median=m, predicted_stderr=se, band=band, agree=bool(lo <= band[1] and band[0] <= hi))
    return out


def _fmt(x: float | None, nd: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{nd}f}"


def _provenance_text(law: dict) -> str:
    prov = law["provenance"]
    cal = prov.get("calibration")
    extra = f", {cal.get('file')}" if prov["kind"] == "fitted" and cal else ""
    return f"{prov['kind']} ({prov['model']} model{extra})"


def _law_line(name: str, law: dict, tail: str) -> str:
    """One printed line for a law: the prediction, then ``tail`` (the comparison with the simulation)."""
    head = f"  {name} ({LAW_TEXT[name]}): "
    if not law.get("available", True):
        return f"{head}not available: {law['reason']}; {tail}"
    se = law.get("median_stderr")
    pm = f" +- {se:.3f}" if se is not None and np.isfinite(se) else " (no s.e.)"
    txt = (f"{head}predicted median F = {law['median']:.3f}{pm} [q10 {law['q10']:.3f}, q90 {law['q90']:.3f}], "
           f"{_provenance_text(law)}")
    if not law.get("reliable", True):
        txt += f" (not reliable: {law.get('reason')})"
    return f"{txt}; {tail}"


def _compare(n: int, p: int, ham: str, seed: int, pred) -> dict:
    """The count-weighted law of all minima of each of :data:`COMPARE_MODELS` (``pred`` reused if its model)."""
    from .theory.predict import predict
    out = {}
    for model in COMPARE_MODELS:
        try:
            r = pred if pred.model == model else predict(n, p, hamiltonian=ham, model=model, seed=seed,
                                                         budget=DEMO_BUDGET)
            out[model] = {"minima": r["minima"], "transition": r["transition"], "seconds": r["seconds"]}
        except UserInputError as exc:           # a model not available in this build, or over budget
            out[model] = {"unavailable": str(exc)}
    return out


def _compare_lines(comp: dict) -> list[str]:
    lines = ["  model comparison (--compare): the count-weighted law of ALL local minima under each model; it "
             "compares models with each other, not with the simulation's (basin-weighted) histogram"]
    for model, r in comp.items():
        m = r.get("minima")
        if m is None:
            lines.append(f"    {model:9s}: {r['unavailable']}")
        elif not m.get("available", True):
            lines.append(f"    {model:9s}: not available: {m['reason']}")
        else:
            se = m.get("median_stderr")
            pm = f" +- {se:.3f}" if se is not None and np.isfinite(se) else ""
            lines.append(f"    {model:9s}: median F = {m['median']:.3f}{pm} [q10 {m['q10']:.3f}, q90 {m['q90']:.3f}] "
                         f"({m['provenance']['kind']}), transition at gamma_c = {r['transition']['gamma_c']:.3g}")
    return lines


def run_demo(out: str = "rmt_qgm_demo", seed: int = 0, workers: int = 2, compare: bool = False) -> str:
    """Run the demo, write ``demo.json``, ``minima.csv``, ``minima.png`` into ``out``; return the printed text.

    ``compare``: also the three-model comparison (module docstring)."""
    from .simulate import run_simulation
    from .theory.predict import predict
    out = check_writable_dir("--out", out)
    t0 = time.perf_counter()
    sim = run_simulation(seed=seed, workers=workers, progress=False, **DEMO)
    s = sim.summary()
    r = sim.records
    mins = r["certified"].astype(bool) & (r["index"] == 0)
    boot = bootstrap_median(r["F"][mins], r["instance"][mins], seed)
    # the default model (auto); a 15 s budget keeps the demo short (the circuit model takes as many draws as fit)
    pred = predict(DEMO["n_qubits"], DEMO["n_params"], hamiltonian=DEMO["hamiltonian"], seed=seed, budget=DEMO_BUDGET)
    laws = {k: pred[k] for k in ("optimiser_minima", "minima")}
    verdict = agreement(laws["optimiser_minima"], boot)
    comp = _compare(DEMO["n_qubits"], DEMO["n_params"], DEMO["hamiltonian"], seed, pred) if compare else None
    seconds = time.perf_counter() - t0

    meta = run_metadata(dict(DEMO, seed=seed, bootstrap_resamples=BOOTSTRAP_RESAMPLES, compare=compare),
                        seed, seconds, "demo")
    meta.update(simulation=s, prediction=pred.to_dict(), agreement=verdict)
    if comp is not None:
        meta["model_comparison"] = comp
    atomic_write_json(os.path.join(out, "demo.json"), meta)

    F = np.asarray(s["minima"]["F"], dtype=float)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["source", "F", "density"])
    for f in F:
        w.writerow(["simulation", f"{f:.12g}", ""])
    for name, law in laws.items():
        for f, dens in (law.get("pdf") or []):
            w.writerow([f"prediction:{name}", f"{f:.12g}", f"{dens:.12g}"])
    atomic_write_bytes(os.path.join(out, "minima.csv"), buf.getvalue().encode())
    png = _figure(out, F, laws, pred.model, boot, s)

    opt = laws["optimiser_minima"]
    if verdict["agree"] is None:
        vtxt = f"no verdict ({verdict['reason']})"
    else:
        vtxt = "AGREE" if verdict["agree"] else "DISAGREE"
    ci = boot["ci95"]
    lines = [f"rmt-qgm demo: randomized circuits, n = {DEMO['n_qubits']}, p = {DEMO['n_params']}, "
             f"gamma = {s['gamma']:.3g}, H = {DEMO['hamiltonian']} (loss F = <psi|H|psi>, E0 = {s['E0']:.3g})",
             f"  simulation: {s['minima']['certified']} certified local minima from {DEMO['instances']} instances x "
             f"{DEMO['starts']} starts (where the optimiser ends: basin-weighted)",
             f"  prediction: model {pred.model} (auto: {pred.model_reason})",
             f"  {AGREEMENT_RULE}",
             _law_line("optimiser_minima", opt,
                       f"simulated {_fmt(boot['median'])} [95% {_fmt(ci[0] if ci else None)}, "
                       f"{_fmt(ci[1] if ci else None)}] -> {vtxt}"),
             _law_line("minima", laws["minima"], "the law of all minima, not comparable to the optimiser's "
                       "histogram (the simulation sees basin-weighted minima): no verdict")]
    for wtxt in pred.warnings:
        lines.append(f"  warning: {wtxt}")
    if comp is not None:
        lines.extend(_compare_lines(comp))
    lines.append(f"  wrote {os.path.join(out, 'demo.json')}, minima.csv, {os.path.basename(png)} "
                 f"({seconds:.1f} s)")
    return "\n".join(lines)


def _pdf_quantile(pdf: np.ndarray, q: float) -> float:
    cdf = np.cumsum(pdf[:, 1] * np.gradient(pdf[:, 0]))
    return float(np.interp(q * cdf[-1], cdf, pdf[:, 0]))


def _figure(out: str, F: np.ndarray, laws: dict, model: str, boot: dict, s: dict) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 5.6), layout="constrained")
    style = {"optimiser_minima": dict(color="C3", lw=2.6, ls="-", zorder=4),
             "minima": dict(color="0.35", lw=1.5, ls="--", zorder=3)}
    label = {"optimiser_minima": "predicted: where the optimiser ends (compare with histogram)",
             "minima": "predicted: all local minima, each counted once"}
    lo_x, hi_x = [], []
    if F.size:
        bins = np.histogram_bin_edges(F, bins=int(np.clip(np.sqrt(F.size), 6, 20)))
        ax.hist(F, bins=bins, density=True, alpha=0.45, color="C0",
                label=f"simulation: {F.size} optimiser-found minima ({s['n_qubits']} qubits, "
                      f"{DEMO['instances']} x {DEMO['starts']} starts)")
        lo_x.append(float(F.min()))
        hi_x.append(float(F.max()))
    for name in ("optimiser_minima", "minima"):
        law = laws[name]
        if not law.get("available", True):
            continue
        prov = law["provenance"]["kind"]
        st = style[name]
        pdf = np.asarray(law.get("pdf") or [], dtype=float)
        lab = f"{label[name]} ({model} model, {prov}); median {law['median']:.3f}"
        if pdf.size:
            ax.plot(pdf[:, 0], pdf[:, 1], label=lab, **st)
            lo_x.append(_pdf_quantile(pdf, 0.002))
            hi_x.append(_pdf_quantile(pdf, 0.998))
            ax.axvline(law["median"], color=st["color"], lw=1.2, ls=":", zorder=st["zorder"])
        else:                                   # a point law: its level only
            ax.axvline(law["median"], color=st["color"], lw=st["lw"], ls=":", label=lab)
            lo_x.append(law["q10"])
            hi_x.append(law["q90"])
        se = law.get("median_stderr")
        if name == "optimiser_minima" and se is not None and np.isfinite(se) and se > 0:
            ax.axvspan(law["median"] - 2 * se, law["median"] + 2 * se, color=st["color"], alpha=0.10, lw=0,
                       zorder=1, label="predicted median +- 2 s.e. (optimiser law)")
    if boot.get("ci95"):
        ymax = ax.get_ylim()[1]
        lo, hi = boot["ci95"]
        ax.errorbar([boot["median"]], [1.06 * ymax], xerr=[[boot["median"] - lo], [hi - boot["median"]]],
                    fmt="o", color="C0", ms=5, capsize=4, lw=1.5, zorder=5,
                    label=f"simulated median {boot['median']:.3f}, 95% interval (instance bootstrap)")
        ax.set_ylim(0, 1.12 * ymax)
    lo, hi = (min(lo_x), max(hi_x)) if lo_x else (0.0, 1.0)
    pad = 0.05 * (hi - lo or 1.0)
    ax.set_xlim(max(s["E0"], lo - pad), hi + pad)
    ax.set_xlabel(r"loss at a local minimum, $F = \langle\psi|H|\psi\rangle$ (infidelity)")
    ax.set_ylabel("density")
    ax.set_title(f"rmt-qgm demo: n = {s['n_qubits']}, p = {s['n_params']}, $\\gamma$ = {s['gamma']:.3g}, "
                 f"H = {s['hamiltonian']}; dotted lines: predicted medians", fontsize=10)
    fig.legend(fontsize=8, loc="outside lower center", ncols=1, frameon=False)
    path = atomic_savefig(fig, os.path.join(out, "minima.png"), dpi=130)
    plt.close(fig)
    return path
