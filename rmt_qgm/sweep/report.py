"""Aggregate a sweep store into tables and the standard figures (``rmt-qgm sweep-report DIR``).

Writes into ``DIR/report/``:

- ``tasks.csv``: one row per finished task (its parameters and the summary of its starts);
- ``grid.csv``: one row per grid point, pooling the local minima of its finished instances:
  the number of minima, their q10 / median / q90 in raw F and in normalised
  t = (F - E0) / (Ebar - E0), and the fraction at the global minimum with its binomial standard
  error sqrt(f (1 - f) / N);
- ``tasks.parquet`` and ``grid.parquet`` as well when pyarrow (with pandas) is installed;
- ``minima-vs-gamma.png`` / ``.pdf``: median and q10-q90 of the minima (normalised t) against gamma,
  one panel per (ansatz, Hamiltonian), one line per qubit count;
- ``global-fraction-vs-gamma.png`` / ``.pdf``: fraction of minima at the global minimum against gamma,
  with the standard errors, and the published transition gamma = 1 marked.

Tasks without a result (failed or not yet run) are counted, not hidden.
"""
from __future__ import annotations

import csv
import io
import os

import numpy as np

from ..store import atomic_savefig, atomic_write_bytes, atomic_write_json, read_result
from .task_store import TaskStore

TASK_COLUMNS = ("name", "n_qubits", "n_params", "gamma", "ansatz", "hamiltonian", "psi0", "starts",
                "instance", "E0", "Ebar", "minima", "saddles", "uncertified", "median_F", "q10_F", "q90_F",
                "frac_global", "task_seconds", "attempt")
GRID_KEYS = ("n_qubits", "n_params", "gamma", "ansatz", "hamiltonian", "psi0", "starts")
GRID_COLUMNS = GRID_KEYS + ("instances_done", "instances_planned", "minima", "q10_F", "median_F", "q90_F",
                            "q10_t", "median_t", "q90_t", "frac_global", "frac_global_se")
GLOBAL_REL_TOL = 1e-6


def _csv_bytes(columns, rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([r[c] for c in columns])
    return buf.getvalue().encode()


def _q(x: np.ndarray, q: float) -> float:
    return float(np.quantile(x, q)) if x.size else float("nan")


def collect(root: str) -> tuple[list[dict], list[dict], dict]:
    """(task rows, grid rows, counts) from the store at ``root``."""
    store = TaskStore(root)
    manifest = store.read_manifest()
    done = store.finished_names()
    task_rows, pooled = [], {}
    planned: dict[tuple, int] = {}
    for t in manifest["tasks"]:
        p = t["params"]
        key = tuple(p[k] for k in GRID_KEYS if k != "gamma")
        planned[key] = planned.get(key, 0) + 1
        if t["name"] not in done:
            continue
        meta, arrays = read_result(store.result_path(t["name"]))
        s = meta["summary"]
        F = np.asarray(s["minima"]["F"], dtype=float)
        task_rows.append({"name": t["name"], **{k: p[k] for k in ("n_qubits", "n_params", "ansatz", "hamiltonian",
                                                              "psi0", "starts", "instance")},
                          "gamma": s["gamma"], "E0": s["E0"], "Ebar": s["Ebar"], "minima": F.size,
                          "saddles": s["saddles"], "uncertified": s["uncertified"], "median_F": _q(F, 0.5),
                          "q10_F": _q(F, 0.1), "q90_F": _q(F, 0.9), "frac_global": s["minima"]["frac_global"],
                          "task_seconds": meta.get("task_seconds"), "attempt": meta.get("attempt")})
        g = pooled.setdefault(key, {"gamma": s["gamma"], "E0": s["E0"], "Ebar": s["Ebar"], "F": [], "done": 0})
        g["F"].append(F)
        g["done"] += 1
    grid_rows = []
    for key, g in sorted(pooled.items(), key=lambda kv: tuple(str(x) for x in kv[0])):
        F = np.concatenate(g["F"]) if g["F"] else np.empty(0)
        t = (F - g["E0"]) / (g["Ebar"] - g["E0"])
        glob = F - g["E0"] <= GLOBAL_REL_TOL * (g["Ebar"] - g["E0"])
        f = float(glob.mean()) if F.size else float("nan")
        row = dict(zip([k for k in GRID_KEYS if k != "gamma"], key))
        row.update({"gamma": g["gamma"], "instances_done": g["done"], "instances_planned": planned[key],
                    "minima": int(F.size), "q10_F": _q(F, 0.1), "median_F": _q(F, 0.5), "q90_F": _q(F, 0.9),
                    "q10_t": _q(t, 0.1), "median_t": _q(t, 0.5), "q90_t": _q(t, 0.9), "frac_global": f,
                    "frac_global_se": float(np.sqrt(f * (1 - f) / F.size)) if F.size else float("nan")})
        grid_rows.append(row)
    failed_names = {r["identity"][:20] for r in store.failures()} - done
    counts = {"planned": len(manifest["tasks"]), "finished": len(done & {t["name"] for t in manifest["tasks"]}),
              "failed_unresolved": len(failed_names)}
    counts["missing"] = counts["planned"] - counts["finished"]
    return task_rows, grid_rows, counts


def _figures(grid_rows: list[dict], outdir: str) -> list[str]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    paths: list[str] = []
    panels = sorted({(r["ansatz"], r["hamiltonian"]) for r in grid_rows})
    if not panels:
        return paths
    for figname, ylabel in (("minima-vs-gamma", "local minima\nt = (F − E₀)/(Ē − E₀)"),
                            ("global-fraction-vs-gamma", "fraction of minima\nat the global minimum")):
        fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.4), squeeze=False,
                                 constrained_layout=True)
        for ax, (ans, ham) in zip(axes[0], panels):
            rows = [r for r in grid_rows if r["ansatz"] == ans and r["hamiltonian"] == ham]
            ns = sorted({r["n_qubits"] for r in rows})
            colours = plt.cm.viridis(np.linspace(0.1, 0.8, max(1, len(ns))))
            for k, (n, colour) in enumerate(zip(ns, colours)):
                sel = sorted((r for r in rows if r["n_qubits"] == n), key=lambda r: r["gamma"])
                # a small horizontal offset per n keeps the error bars apart (x is still gamma)
                x = np.array([r["gamma"] for r in sel]) * (1.0 + 0.012 * (k - (len(ns) - 1) / 2))
                if figname == "minima-vs-gamma":
                    y = np.array([r["median_t"] for r in sel])
                    lo = y - np.array([r["q10_t"] for r in sel])
                    hi = np.array([r["q90_t"] for r in sel]) - y
                    ax.errorbar(x, y, yerr=[lo, hi], marker="o", ms=4, capsize=3, color=colour,
                                label=f"n = {n} (median, q10–q90)")
                else:
                    y = np.array([r["frac_global"] for r in sel])
                    se = np.array([r["frac_global_se"] for r in sel])
                    ax.errorbar(x, y, yerr=se, marker="o", ms=4, capsize=3, color=colour, label=f"n = {n} (± 1 s.e.)")
            if figname == "global-fraction-vs-gamma":
                ax.axvline(1.0, ls="--", color="0.4", lw=1, label="γ = 1 (ICLR 2022)")
                ax.set_ylim(-0.05, 1.05)
            ax.set_xlabel("γ = p / 2^(n+1)")
            ax.set_ylabel(ylabel)
            ax.set_title(f"{ans}, H = {ham}", fontsize=9)
            ax.legend(fontsize=7)
        for ext in ("png", "pdf"):
            paths.append(atomic_savefig(fig, os.path.join(outdir, f"{figname}.{ext}"), dpi=150))
        plt.close(fig)
    return paths


def sweep_report(root: str, figures: bool = True) -> dict:
    """Write the tables and figures of the store at ``root`` (module docstring); return a summary."""
    task_rows, grid_rows, counts = collect(root)
    outdir = os.path.join(root, "report")
    os.makedirs(outdir, exist_ok=True)
    written = [os.path.join(outdir, "tasks.csv"), os.path.join(outdir, "grid.csv")]
    atomic_write_bytes(written[0], _csv_bytes(TASK_COLUMNS, task_rows))
    atomic_write_bytes(written[1], _csv_bytes(GRID_COLUMNS, grid_rows))
    try:
        import pandas as pd
        import pyarrow
    except ImportError:
        pass
    else:
        del pyarrow                              # imported only to know that to_parquet has an engine
        for name, rows, cols in (("tasks", task_rows, TASK_COLUMNS), ("grid", grid_rows, GRID_COLUMNS)):
            buf = io.BytesIO()
            pd.DataFrame(rows, columns=list(cols)).to_parquet(buf)
            path = os.path.join(outdir, f"{name}.parquet")
            atomic_write_bytes(path, buf.getvalue())
            written.append(path)
    if figures:
        written += _figures(grid_rows, outdir)
    summary = {**counts, "grid_points": len(grid_rows), "written": written}
    atomic_write_json(os.path.join(outdir, "summary.json"), summary)
    return summary
