"""ICLR 2022 Fig. 1, reproduced: local minima of 52 training instances of the randomized model.

Published (Anschuetz, ICLR 2022, Fig. 1 caption; docs/theory.md §7.1): the distribution of local minima found
after 52 separate training instances of the randomized model on 2^n = 64 and 2^n = 256 dimensional
models (n = 6, 8); dashed lines mark the predicted region of local minima; minima cluster at a finite
loss when gamma < 1.

Choices where the caption is silent (docs/theory.md §7.1 lists them as open), stated on the figure:

- one training instance = one random circuit (Haar V_j, Haar psi0) trained from one uniform start, so
  the 52 minima are 52 independent models; loss = infidelity H = I - |0><0|; certified minima only
  (max|grad| <= 1e-8, Hessian index 0), with saddles and degenerate points counted in the CSV;
- the y axis is t = (F - E0)/(Ebar - E0) (for the infidelity E0 = 0, Ebar = 1 - 2^-n);
- the dashed region is the candidate [t_e(gamma), (1 - sqrt gamma)^2] for gamma < 1 and {0} for
  gamma >= 1 (docs/theory.md §5.6–5.8: t_e is the large-size edge threshold, (1 - sqrt gamma)^2 the MP edge);
  finite-size minima are expected above t_e (docs/theory.md §5.8: convergence is slow, O(m^-1/2));
- dotted: the engine's own asymptotic level of minima for the circuit (normalised-state) model at this n,
  the edge level f_e of :mod:`rmt_qgm.theory.asymptotics.spherical` (fixed-law limit), in t units: the
  optimiser-found level of predict's ``asymptotic`` model (labelled so on the figure).

The simulations are a sweep (:mod:`rmt_qgm.sweep`) stored in ``CACHE``; a rerun resumes it and only
computes what is missing, so the run can be interrupted at any time. Tasks run smallest first (n = 6,
then n = 8 by increasing gamma). At n = 8 one start costs about 1 s at gamma = 0.125 and grows roughly
like p^2 (a dense 256 x 256 Haar matrix per gate). Near gamma = 1 L-BFGS alone slows down critically
(median 3700 iterations at n = 8), so runs at gamma >= 0.75 hand over to the truncated-Newton endgame
(``endgame = "cg"``, :mod:`rmt_qgm.circuits.newton_cg`; issue 22): the same instances and starts and the
same minima within tolerance, recorded with each result (benchmarks/bench_circuits.py ``instance8``).
"""
from __future__ import annotations

import dataclasses
import math
import os

import numpy as np

from . import gamma_of
from .store import read_result
from .sweep.config import parse_config
from .sweep.runner import run_sweep
from .sweep.task import Task
from .sweep.task_store import TaskStore

INSTANCES = 52
PAPER_QUBITS = (6, 8)
QUICK_QUBITS = (3, 4)
GAMMAS = (0.125, 0.25, 0.5, 1.0, 1.5)
#: runs at gamma >= ENDGAME_MIN_GAMMA finish with the truncated-Newton endgame (module docstring)
ENDGAME = "cg"
ENDGAME_MIN_GAMMA = 0.75


def sweep_config(qubits: tuple[int, ...], gammas: tuple[float, ...], seed: int, instances: int = INSTANCES):
    """The sweep behind the figure (module docstring); tasks at gamma >= ENDGAME_MIN_GAMMA carry
    ``endgame = ENDGAME`` (a method parameter: same identity, seed and store entry, :mod:`.sweep.task`)."""
    cfg = parse_config({"seed": seed, "axes": {"qubits": list(qubits), "gamma": list(gammas),
                                               "ansatz": "randomized", "hamiltonian": "fidelity",
                                               "psi0": "haar", "starts": 1, "instances": instances}})
    tasks = tuple(Task.make(root_seed=seed, **t.as_dict(), endgame=ENDGAME)
                  if gamma_of(t.as_dict()["n_qubits"], t.as_dict()["n_params"]) >= ENDGAME_MIN_GAMMA else t
                  for t in cfg.tasks)
    return dataclasses.replace(cfg, tasks=tasks)


def candidate_region(gamma: float) -> tuple[float, float]:
    """[t_e(gamma), (1 - sqrt gamma)^2] for gamma < 1, (0, 0) otherwise (docs/theory.md §7.1 candidate)."""
    from .theory.asymptotics.whrf import edge_threshold
    if gamma >= 1:
        return 0.0, 0.0
    return float(edge_threshold(gamma).value), (1 - math.sqrt(gamma)) ** 2


def engine_level_t(n_qubits: int, gamma: float) -> float:
    """The engine's asymptotic concentration level of minima for the infidelity loss at this n, in t units.

    Fixed-law limit (spectrum law {0: 2^-n, 1: 1 - 2^-n} held fixed as the dimension grows;
    :mod:`rmt_qgm.theory.asymptotics.spherical`, derivations/step_14-15): for this two-level spectrum the
    edge level f_e, where the circuit minima complexity peaks. t = F / (1 - 2^-n); 0 for gamma >= gamma_c.
    """
    from .theory.asymptotics.spherical import edge_level
    spec = np.ones(2 ** n_qubits)
    spec[0] = 0.0
    return edge_level(spec, gamma).F / (1 - 2.0 ** -n_qubits)


def collect(cache: str, cfg) -> dict[tuple[int, float], dict]:
    """{(n, gamma): {"t": minima in t, "saddles", "uncertified", "done"}} from the cache."""
    store = TaskStore(cache)
    done = store.finished_names() if os.path.isdir(store.tasks_dir) else set()
    out: dict[tuple[int, float], dict] = {}
    for task in cfg.tasks:
        if task.name not in done:
            continue
        meta, _ = read_result(store.result_path(task.name))
        s = meta["summary"]
        key = (s["n_qubits"], s["gamma"])
        d = out.setdefault(key, {"t": [], "saddles": 0, "uncertified": 0, "done": 0})
        d["t"].extend((np.asarray(s["minima"]["F"]) - s["E0"]) / (s["Ebar"] - s["E0"]))
        d["saddles"] += s["saddles"]
        d["uncertified"] += s["uncertified"]
        d["done"] += 1
    return out


def build(quick: bool, seed: int, workers: int, cache: str, simulate: bool = True,
          qubits: tuple[int, ...] | None = None):
    """Run (or resume) the sweep in ``cache`` and draw the figure; returns plotting.FigureData."""
    from .plotting import COLORS, GAMMA_LABEL, FigureData
    from .plotting import new_figure as _new_figure
    qubits = qubits or (QUICK_QUBITS if quick else PAPER_QUBITS)
    instances = 12 if quick else INSTANCES
    cfg = sweep_config(tuple(qubits), GAMMAS, seed, instances)
    if simulate:
        run_sweep(cfg, cache, workers=workers, resume=True, progress=not quick)
    data = collect(cache, cfg)
    fig, axes = _new_figure(3.4 * len(qubits), 3.3, ncols=len(qubits))
    rows = []
    rng = np.random.default_rng(0)                    # jitter of the drawn points only
    for ax, n, label in zip(axes, qubits, "abcdefgh"):
        for k, g in enumerate(GAMMAS):
            lo, hi = candidate_region(g)
            ax.hlines([lo, hi], k - 0.38, k + 0.38, colors="0.25", linestyles="--", lw=1.0,
                      label="candidate predicted region [$t_e(\\gamma)$, $(1-\\sqrt{\\gamma})^2$]" if k == 0 else None)
            fe = engine_level_t(n, g)
            ax.hlines(fe, k - 0.38, k + 0.38, colors=COLORS[2], linestyles=":", lw=1.4,
                      label="engine, asymptotic model: edge level $f_e$ ($2^n \\to \\infty$, this $n$'s law)"
                      if k == 0 else None)
            key = next((kk for kk in data if kk[0] == n and abs(kk[1] - g) < 0.02 * g), None)
            if key is None:
                ax.text(k, 0.02, "not run", ha="center", fontsize=6.5, color="0.4", rotation=90)
                rows.append([n, g, 0, 0, 0, float("nan"), float("nan"), float("nan"), lo, hi, fe])
                continue
            d = data[key]
            t = np.asarray(d["t"])
            ax.scatter(k + rng.uniform(-0.25, 0.25, t.size), t, s=7, color=COLORS[0], alpha=0.65, lw=0,
                       label="certified local minima (one per instance)" if k == 0 else None)
            if t.size:
                ax.hlines(np.median(t), k - 0.3, k + 0.3, colors=COLORS[1], lw=1.8,
                          label="median" if k == 0 else None)
            ax.text(k, -0.075, f"{t.size}/{d['done']}", ha="center", fontsize=6, color="0.35")
            q = np.quantile(t, [0.1, 0.5, 0.9]) if t.size else [float("nan")] * 3
            rows.append([n, key[1], d["done"], t.size, d["saddles"], q[0], q[1], q[2], lo, hi, fe])
        ax.set_xticks(range(len(GAMMAS)), [f"{g:g}" for g in GAMMAS])
        ax.set_xlabel(GAMMA_LABEL)
        ax.set_ylabel(r"local-minimum loss $t = (F - E_0)/(\bar E - E_0)$")
        ax.set_ylim(-0.1, 1.3)
        ax.set_title(f"({label}) $2^n = {2 ** n}$ (n = {n})")
        ax.legend(loc="upper right", fontsize=6)
    fig.suptitle(f"ICLR 2022 Fig. 1 reproduced: randomized model, infidelity loss, {instances} training "
                 "instances per γ\n(numbers under the points: certified minima / instances finished)", fontsize=8.5)
    cols = ["n_qubits", "gamma", "instances_done", "minima", "saddles", "q10_t", "median_t", "q90_t",
            "region_lo_t", "region_hi_t", "engine_level_t"]
    return FigureData(fig, cols, rows)
