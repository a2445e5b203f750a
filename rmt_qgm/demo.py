"""``rmt-qgm demo``: the main job on built-in defaults.

A small simulation (randomized ansatz, n = 4 qubits, p = 8 parameters, gamma = p/2^(n+1) = 0.25,
infidelity loss ``fidelity``, Haar-random initial states) and the theory's prediction for the same
setting, printed side by side, with a figure of the local-minimum values written to ``OUT/``.
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

DEMO = dict(n_qubits=4, n_params=8, ansatz="randomized", hamiltonian="fidelity", starts=8, instances=4)


def _predictions(n: int, p: int, ham: str, seed: int) -> dict:
    from .theory.predict import predict
    out = {}
    for model in ("whrf", "spherical", "circuit"):
        try:
            out[model] = predict(n, p, hamiltonian=ham, model=model, seed=seed, n_mc=1000)
        except UserInputError as exc:  # a model not available in this build
            out[model] = {"unavailable": str(exc)}
    return out


def run_demo(out: str = "rmt_qgm_demo", seed: int = 0, workers: int = 2) -> str:
    """Run the demo, write ``demo.json``, ``minima.csv``, ``minima.png`` into ``out``; return a summary."""
    from .simulate import run_simulation
    out = check_writable_dir("--out", out)
    t0 = time.perf_counter()
    sim = run_simulation(seed=seed, workers=workers, progress=False, **DEMO)
    s = sim.summary()
    preds = _predictions(DEMO["n_qubits"], DEMO["n_params"], DEMO["hamiltonian"], seed)
    seconds = time.perf_counter() - t0

    meta = run_metadata(dict(DEMO, seed=seed), seed, seconds, "demo")
    meta.update(simulation=s, prediction=preds)
    atomic_write_json(os.path.join(out, "demo.json"), meta)

    F = np.asarray(s["minima"]["F"], dtype=float)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["source", "F", "density"])
    for f in F:
        w.writerow(["simulation", f"{f:.12g}", ""])
    for model, r in preds.items():
        for f, dens in r.get("minima", {}).get("pdf", []):
            w.writerow([f"theory:{model}", f"{f:.12g}", f"{dens:.12g}"])
    atomic_write_bytes(os.path.join(out, "minima.csv"), buf.getvalue().encode())
    png = _figure(out, F, preds, s)

    lines = [f"rmt-qgm demo: randomized circuits, n = {DEMO['n_qubits']}, p = {DEMO['n_params']}, "
             f"gamma = {s['gamma']:.3g}, H = {DEMO['hamiltonian']} (loss F = <psi|H|psi>, E0 = {s['E0']:.3g})",
             f"  simulation: {s['minima']['certified']} certified minima from "
             f"{DEMO['instances']} x {DEMO['starts']} starts; median F = {s['minima']['median']:.4f} "
             f"[q10 {s['minima']['q10']:.4f}, q90 {s['minima']['q90']:.4f}] (basin-weighted: optimiser-found)"]
    for model, r in preds.items():
        if "minima" in r:
            m = r["minima"]
            lines.append(f"  theory {model:9s}: median F = {m['median']:.4f} [q10 {m['q10']:.4f}, "
                         f"q90 {m['q90']:.4f}], transition at gamma_c = {r['transition']['gamma_c']:.3g}")
        else:
            lines.append(f"  theory {model:9s}: {r['unavailable']}")
    lines.append(f"  wrote {os.path.join(out, 'demo.json')}, minima.csv, {os.path.basename(png)} "
                 f"({seconds:.1f} s)")
    return "\n".join(lines)


def _figure(out: str, F: np.ndarray, preds: dict, s: dict) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    if F.size:
        ax.hist(F, bins=min(20, max(5, F.size // 3)), density=True, alpha=0.45,
                color="C0", label=f"simulation ({F.size} optimiser minima)")
    for i, (model, r) in enumerate(preds.items()):
        pdf = np.asarray(r.get("minima", {}).get("pdf", []), dtype=float)
        if pdf.size:
            ess = r["minima"].get("effective_sample_size")
            note = f" (Kac–Rice MC, ESS {ess:.0f})" if ess is not None else " (Kac–Rice)"
            ax.plot(pdf[:, 0], pdf[:, 1], color=f"C{i + 1}", lw=2, label=f"theory: {model}{note}")
    # show where the mass is: up to the largest simulated minimum or the theory's 99.9% point
    upper = float(F.max()) if F.size else 0.0
    for r in preds.values():
        pdf = np.asarray(r.get("minima", {}).get("pdf", []), dtype=float)
        if pdf.size:
            cdf = np.cumsum(pdf[:, 1] * np.gradient(pdf[:, 0]))
            upper = max(upper, float(np.interp(0.999 * cdf[-1], cdf, pdf[:, 0])))
    ax.set_xlim(0.0, min(1.0, 1.15 * upper) if upper > 0 else 1.0)
    ax.set_xlabel(r"local-minimum loss $F = \langle\psi|H|\psi\rangle$ (infidelity)")
    ax.set_ylabel("density")
    ax.set_title(f"n = {s['n_qubits']}, p = {s['n_params']}, $\\gamma$ = {s['gamma']:.3g}")
    ax.legend(fontsize=8)
    path = atomic_savefig(fig, os.path.join(out, "minima.png"), dpi=130)
    plt.close(fig)
    return path
