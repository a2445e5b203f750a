"""Deep-circuit variance against n for three presets (issue 20, item 3): prediction from the DLA
(rmt_qgm.algebra.variance; docs/theory.md §10.2) against sampled deep circuits; writes JSON and a figure.

Presets, observables (each inside i g, so the formula applies) and depths:

- ``hva:tfim-ring``, O = sum over the ring of Z_i Z_(i+1) (a generator), 60 layers;
- ``local:x-zz-line``, O = Z_0 Z_1 (so(2n)), 150 layers (this family mixes slowly: docs/theory.md §10.2);
- ``local:xy-zz-ring``, O = Z_0 (su(2^n)), 40 layers.

psi0 = |0...0>. Var[l] and Var[dl/dtheta_k] (k the first gate of the middle layer, generator line 0) with
standard errors from fourth moments; z = (sampled - predicted) / se. Predictions for n = 4 .. --n-max
(su(2^n) up to n = 8), samples for n <= --n-sample.

Writes benchmarks/results/variance_vs_n.json and the figure docs/variance_vs_n.png (``--figure-only``
redraws the figure from the JSON).

Run:  python benchmarks/variance_vs_n.py [--n-max 10] [--n-sample 7 | --sample-n 8,9,10] [--samples 400]
      [--workers 2] [--presets P1,P2] [--layers PRESET=L ...] [--out FILE] [--figure-only]

``--layers`` overrides a preset's depth (layers are recorded per row); with ``--out`` another JSON is written
and the figure is left alone. The 600-layer so(2n) rerun of docs/theory.md §10.2 is

      python benchmarks/variance_vs_n.py --presets local:x-zz-line --layers local:x-zz-line=600 \
          --sample-n 8,10 --workers 2 --out benchmarks/results/variance_vs_n_deep.json
"""
from __future__ import annotations

import argparse
import json
import os
import time

from rmt_qgm.algebra.dla import parse_state
from rmt_qgm.algebra.generators import preset_generators
from rmt_qgm.algebra.pauli import PauliSum
from rmt_qgm.algebra.variance import predict_variance, sample_variance

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = (("hva:tfim-ring", "ring ZZ", 60), ("local:x-zz-line", "Z0 Z1", 150), ("local:xy-zz-ring", "Z0", 40))


def observable(preset: str, n: int) -> PauliSum:
    if preset == "hva:tfim-ring":
        return preset_generators(preset, n)[0][0]
    word = ["I"] * n
    word[0] = "Z"
    if preset == "local:x-zz-line":
        word[1] = "Z"
    return PauliSum.word("".join(word))


def _predict_row(preset: str, oname: str, n: int, seed: int) -> dict:
    gens, _ = preset_generators(preset, n)
    t0 = time.perf_counter()
    pred = predict_variance(gens, n, "zero", observable(preset, n), seed=seed)
    return {"preset": preset, "observable": oname, "n": n, "dla_dim": pred["dla_dim"],
            "ideals": [c["type"] for c in pred["ideals"]], "applicable": pred["applicable"],
            "var_loss": pred["var_loss"], "var_grad": pred["var_grad"][0] if pred["var_grad"] else None,
            "predict_s": round(time.perf_counter() - t0, 3)}


def _sample_row(args) -> dict:
    """The sampled part of one row (runs in a worker process)."""
    from threadpoolctl import threadpool_limits
    preset, n, layers, samples, seed, row = args
    gens, _ = preset_generators(preset, n)
    psi, _ = parse_state("zero", n)
    depth = layers * len(gens)
    t0 = time.perf_counter()
    with threadpool_limits(1):
        smp = sample_variance(gens, psi, observable(preset, n).to_dense(), depth, samples, seed,
                              grad_gate=(layers // 2) * len(gens))
    return {"layers": layers, "depth": depth, "samples": samples, "sampled_var_loss": smp["var_loss"],
            "sampled_var_loss_se": smp["var_loss_se"], "sampled_var_grad": smp["var_grad"],
            "sampled_var_grad_se": smp["var_grad_se"],
            "z_loss": (smp["var_loss"] - row["var_loss"]) / smp["var_loss_se"],
            "z_grad": (smp["var_grad"] - row["var_grad"]) / smp["var_grad_se"],
            "sample_s": round(time.perf_counter() - t0, 1)}


def run(n_max: int, sample_ns: set, samples: int, seed: int, path: str, workers: int = 1,
        cases: tuple = CASES) -> dict:
    """Predictions for n = 4 .. n_max (su(2^n) to 8) and samples at the n in ``sample_ns``. Rows already
    sampled in the JSON at ``path`` with the same samples and seed are kept; the JSON is rewritten atomically
    after every sampled row, so an interrupt loses no finished row."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from rmt_qgm import __version__
    from rmt_qgm.store import atomic_write_json
    old = {}
    depth_of = {c[0]: c[2] for c in cases}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            prev = json.load(fh)
        if prev.get("samples") == samples and prev.get("seed") == seed:
            old = {(r["preset"], r["n"]): r for r in prev["rows"] if "sampled_var_loss" in r
                   and r.get("layers", depth_of.get(r["preset"])) == depth_of.get(r["preset"])}
    from threadpoolctl import threadpool_limits
    rows, todo = [], []
    with threadpool_limits(1):
        for preset, oname, layers in cases:
            for n in range(4, (min(n_max, 8) if preset == "local:xy-zz-ring" else n_max) + 1):   # su(2^n): 4^n words
                row = _predict_row(preset, oname, n, seed)
                if (preset, n) in old:                  # its sampled part; predict_s is this run's
                    row.update({k: v for k, v in old[(preset, n)].items() if k not in row})
                elif n in sample_ns and row["applicable"]:
                    todo.append((preset, n, layers, samples, seed, row))
                rows.append(row)
    res = {"meta": {"rmt_qgm": __version__, "command": "python benchmarks/variance_vs_n.py", "seed": seed,
                    "layers": depth_of,
                    "samples": samples, "updated": time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime())},
           "rows": rows, "samples": samples, "seed": seed}
    todo.sort(key=lambda t: -(2 ** t[1]) * t[2])              # the longest first (about 2^n x layers)
    with ProcessPoolExecutor(max(1, workers)) as pool:
        futs = {pool.submit(_sample_row, t): t[-1] for t in todo}
        for fut in as_completed(futs):
            futs[fut].update(fut.result())
            print(json.dumps(futs[fut]), flush=True)
            atomic_write_json(path, res)
    atomic_write_json(path, res)
    return res


def figure(res: dict, path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for (preset, oname, _), color in zip(CASES, ("C0", "C1", "C2")):
        rows = [r for r in res["rows"] if r["preset"] == preset and r["applicable"]]
        for ax, key in zip(axes, ("var_loss", "var_grad")):
            ax.semilogy([r["n"] for r in rows], [r[key] for r in rows], "-", color=color,
                        label=f"{preset}, O = {oname}")
            s = [r for r in rows if "sampled_" + key in r]
            ax.errorbar([r["n"] for r in s], [r["sampled_" + key] for r in s],
                        yerr=[2 * r["sampled_" + key + "_se"] for r in s], fmt="o", color=color, ms=4, capsize=2)
    axes[0].set_title("Var[l]: DLA prediction (lines), sampled (points, 2 se)", fontsize=9)
    axes[1].set_title("Var[dl/dtheta_k], middle gate, line 0", fontsize=9)
    for ax in axes:
        ax.set_xlabel("n")
    axes[0].legend(fontsize=7, loc="center right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-max", type=int, default=10)
    ap.add_argument("--n-sample", type=int, default=7, help="sample every n from 4 to this")
    ap.add_argument("--sample-n", default=None,
                    help="comma-separated n to sample instead of 4..--n-sample (rows sampled before are kept)")
    ap.add_argument("--samples", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1, help="sampled rows run in parallel on this many processes")
    ap.add_argument("--presets", default=None, help="comma-separated subset of " + ", ".join(c[0] for c in CASES))
    ap.add_argument("--layers", action="append", default=[], metavar="PRESET=L",
                    help="layers for PRESET instead of its default (repeatable)")
    ap.add_argument("--out", default=None, help="JSON to write instead of benchmarks/results/variance_vs_n.json")
    ap.add_argument("--figure-only", action="store_true", help="redraw the figure from the stored JSON")
    a = ap.parse_args()
    if a.out and a.figure_only:
        ap.error("--figure-only redraws docs/variance_vs_n.png from the default JSON; it takes no --out")
    names = [c[0] for c in CASES]
    chosen = a.presets.split(",") if a.presets else names
    for name in chosen:
        if name not in names:
            ap.error(f"--presets: {name!r} is not one of {', '.join(names)}")
    depth = {c[0]: c[2] for c in CASES}
    for item in a.layers:
        name, _, val = item.partition("=")
        if name not in names or not val.isdigit() or int(val) < 1:
            ap.error(f"--layers: {item!r} must be PRESET=L with PRESET one of {', '.join(names)} and L >= 1")
        depth[name] = int(val)
    cases = tuple((c[0], c[1], depth[c[0]]) for c in CASES if c[0] in chosen)
    path = a.out or os.path.join(HERE, "results", "variance_vs_n.json")
    if a.figure_only:
        with open(path, encoding="utf-8") as fh:
            res = json.load(fh)
    else:
        ns = ({int(x) for x in a.sample_n.split(",")} if a.sample_n else set(range(4, a.n_sample + 1)))
        res = run(a.n_max, ns, a.samples, a.seed, path, a.workers, cases)
    if a.out:
        return
    figure(res, os.path.join(os.path.dirname(HERE), "docs", "variance_vs_n.png"))


if __name__ == "__main__":
    main()
