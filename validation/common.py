"""The studies' shared runner (:class:`Study`) and the constants and helpers they share.

Every study in validation/ is a module that declares one ``STUDY = Study(...)`` (its name, its page in
docs/studies/, its summary file, its own extra options), a ``run`` that computes the summary and a
``render`` that turns the stored summary into the page. :meth:`Study.main` is the one command line of them
all::

    python -m validation.<study> [--workers N] [--render-only] [--out DIR] [study options]

``--render-only`` re-renders the page from the committed summary without computing anything, ``--out``
writes the page into DIR instead of docs/studies/ (to compare a rendering with the committed page). The
runner writes the summary atomically and renders from the file as written (so a fresh run and
``--render-only`` read the same JSON).

No study imports another study's helpers through a cycle (tests/test_import_cycles.py): circuits_vs_theory,
basin_weighting, basin_gamma_law, basin_scaling_law, basin_ceiling_law, empirical_ci_coverage and
circuit_model_convergence take the constants and helpers below from here.

The issue-3 table's grid, replicate counts and cost budget (validation/circuits_vs_theory.py's docstring
states the replicate rules), its circuit Monte Carlo of one row (:func:`simulate_row`), the circuit model's
replicate count per row, the results file of the table (CVT_JSON), and the reading of the measured
coverage of the table's empirical interval (:func:`ci_widening`, :func:`widen`, :func:`verdict_pair`).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Callable

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
#: where the studies' pages are written (``--out`` overrides it)
STUDIES_DOCS = os.path.join(ROOT, "docs", "studies")
#: what a study's ``run`` returns when its mode wrote what it had to and nothing is to be rendered
#: (a resumable part, a cache fill)
STOP = object()


class Study:
    """One study: its declaration, its run and its render, behind the shared command line (module docstring).

    name     the module's name (validation/<name>.py), used in the usage line and messages;
    doc      the page's file name in docs/studies/, or None for a study that only prints;
    summary  the JSON file ``run``'s result is stored in (atomically), or None for a study that keeps no
             summary (it cannot re-render: ``--render-only`` is refused with exit 2);
    run      ``run(args) -> dict | None | STOP``: the new summary (written, then rendered), None (nothing new:
             render the stored summary, after a mode that updated files of its own) or STOP (done, no page);
    render   ``render(summary) -> str``: the page;
    options  ``options(parser)`` adds the study's own arguments;
    after_write  called once the summary is written (e.g. to remove a file of partial results);
    echo     print the page as well.
    """

    def __init__(self, name: str, *, doc: str | None, run: Callable, render: Callable,
                 summary: str | None = None, options: Callable | None = None, description: str | None = None,
                 after_write: Callable | None = None, echo: bool = False):
        self.name, self.doc, self.summary = name, doc, summary
        self.run, self.render, self.options, self.after_write, self.echo = run, render, options, after_write, echo
        self.description = (description or name).strip().splitlines()[0]

    def parser(self) -> argparse.ArgumentParser:
        ap = argparse.ArgumentParser(prog=f"python -m validation.{self.name}", description=self.description)
        ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
        ap.add_argument("--render-only", action="store_true",
                        help="re-render the page from the stored summary without computing anything")
        ap.add_argument("--out", metavar="DIR", default=STUDIES_DOCS,
                        help="directory the page is written to (default docs/studies/)")
        if self.options is not None:
            self.options(ap)
        return ap

    def page_path(self, out: str = STUDIES_DOCS) -> str | None:
        return None if self.doc is None else os.path.join(out, self.doc)

    def load(self) -> dict:
        """The stored summary."""
        with open(self.summary, encoding="utf-8") as fh:
            return json.load(fh)

    def render_stored(self) -> str:
        """The page as rendered from the stored summary (what ``--render-only`` writes)."""
        return self.render(self.load())

    def main(self, argv=None) -> int:
        from rmt_qgm.store import atomic_write_bytes, atomic_write_json
        a = self.parser().parse_args(argv)
        if a.workers < 1:
            print(f"{self.name}: --workers must be >= 1", file=sys.stderr)
            return 2
        if a.render_only and self.summary is None:
            print(f"{self.name}: keeps no summary, so there is nothing to re-render (run it without --render-only)",
                  file=sys.stderr)
            return 2
        summary = None
        if not a.render_only:
            result = self.run(a)
            if result is STOP:
                return 0
            if result is not None:
                if self.summary is None:
                    summary = result
                else:
                    os.makedirs(os.path.dirname(self.summary), exist_ok=True)
                    atomic_write_json(self.summary, result)
                    if self.after_write is not None:
                        self.after_write()
        if summary is None:
            summary = self.load()
        text = self.render(summary)
        page = self.page_path(a.out)
        if page is not None:
            os.makedirs(a.out, exist_ok=True)
            atomic_write_bytes(page, text.encode())
        if self.echo or page is None:
            print(text)
        return 0


#: the issue-3 table (validation/circuits_vs_theory.py) and its results
CVT_JSON = os.path.join(HERE, "results", "circuits_vs_theory.json")
#: the paper-figure runs (52 instances x 1 start per (n, gamma); validation/paper_fig1 results)
FIG1_CSV = os.path.join(HERE, "results", "paper-fig1", "paper-fig1.csv")
QUBITS = (4, 5, 6)
GAMMAS = (0.125, 0.25, 0.5, 0.75)
HAMILTONIANS = ("fidelity", "projector:2", "randspec:1")
REPLICATES = 4
#: replicates of the exact circuit model on the table's rows (module docstring: raised from 4 on 2026-12-02)
CIRCUIT_REPLICATES = 8
#: table rows with 16 circuit-model replicates: UNRELIABLE under some circuit-model-based prediction at 8
#: replicates (module docstring, declared 2026-12-03)
SIXTEEN_REPLICATE_ROWS = frozenset({(4, 24, "randspec:1"), (6, 64, "projector:2"), (6, 64, "randspec:1"),
                                    (6, 96, "randspec:1")})
#: draws per replicate for a row where some 8000-draw replicate has no local-minimum draw (near the transition;
#: basin_weighting.circuit_laws; declared in validation/basin_ceiling_law.py)
FALLBACK_DRAWS = 32000
#: the exact circuit model draws O(p d^2) Gaussians per Monte Carlo draw; rows with p d^2 above this budget
#: are not predicted with it (measured, one core, one replicate of 8000 draws at n = 6: p = 16 21 s, p = 32
#: 61 s). Rows above it are predicted only if their replicates are in CIRCUIT_CACHE (--fill-cache).
CIRCUIT_MAX_COST = 32 * 64 ** 2


def bootstrap_median_ci(values: np.ndarray, groups: np.ndarray, rng: np.random.Generator,
                        n_boot: int = 2000, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap CI of the median, resampling whole instances (groups)."""
    ids = np.unique(groups)
    by = [values[groups == g] for g in ids]
    meds = np.empty(n_boot)
    for b in range(n_boot):
        pick = rng.integers(0, len(by), len(by))
        meds[b] = np.median(np.concatenate([by[i] for i in pick]))
    lo, hi = np.quantile(meds, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def simulate_row(n: int, p: int, ham: str, starts: int, instances: int, workers: int, seed: int,
                 rng: np.random.Generator) -> dict:
    """One table row's circuit Monte Carlo: certified multi-start minima of the randomized ansatz and their
    median, q10, q90 and the median's 95 % bootstrap interval over instances (``rng``)."""
    from rmt_qgm.simulate import run_simulation
    t0 = time.perf_counter()
    sim = run_simulation(n, p, ansatz="randomized", hamiltonian=ham, starts=starts,
                         instances=instances, seed=seed, workers=workers)
    arr = sim.arrays()
    mask = (arr["kind"] == 0) & arr["certified"].astype(bool)
    F, inst = arr["F"][mask], arr["instance"][mask]
    row = {"n": n, "p": p, "gamma": p / 2 ** (n + 1), "hamiltonian": ham,
           "E0": sim.params["E0"], "Ebar": sim.params["Ebar"],
           "n_minima": int(F.size), "sim_seconds": time.perf_counter() - t0}
    if F.size:
        row["empirical"] = {"median": float(np.median(F)), "q10": float(np.quantile(F, .1)),
                            "q90": float(np.quantile(F, .9)),
                            "median_ci95": bootstrap_median_ci(F, inst, rng)}
    return row


#: the exact circuit model's replicate results (predict_raw()["minima"]), one JSON per (n, p, H, seed), valid while
#: the model's sources or its fingerprint are unchanged (circuit_model_cache.py); shared with basin_weighting.py
#: and basin_gamma_law.py, which tilt the same laws
from validation.circuit_model_cache import _cache_file, circuit_minima  # noqa: E402,F401  (re-exported)


def circuit_replicates(n: int, p: int, ham: str) -> int:
    """Replicates of the exact circuit model for (n, p, H): 16 on SIXTEEN_REPLICATE_ROWS, CIRCUIT_REPLICATES on
    the table's other rows (n in QUBITS, gamma in GAMMAS), REPLICATES elsewhere (n = 7 and the scaling law's
    test rows, 2-9 min per replicate)."""
    if (n, p, ham) in SIXTEEN_REPLICATE_ROWS:
        return 16
    return CIRCUIT_REPLICATES if n in QUBITS and p / 2 ** (n + 1) in GAMMAS else REPLICATES


CI_COVERAGE = os.path.join(HERE, "results", "empirical_ci_coverage", "summary.json")


def load_json_if_present(path: str) -> dict | None:
    """A results file written by another validation script, or None if that script has not been run."""
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def ci_widening(path: str = CI_COVERAGE) -> dict | None:
    """The measured coverage of the table's 8-instance bootstrap interval and the factor c on its half-widths
    that restores 95 % on held-out replicates (validation/empirical_ci_coverage.py), if that has been run."""
    s = load_json_if_present(path)
    if s is None:
        return None
    return {"c": s["widening"]["c"], "coverage": s["coverage"], "intervals": s["intervals"],
            "validation_coverage": s["widening"]["validation_coverage"]}


def widen(ci, median: float, c: float = 1.0) -> tuple[float, float]:
    """An interval's half-widths about ``median`` multiplied by c."""
    return median - c * (median - ci[0]), median + c * (ci[1] - median)


def verdict_pair(v: str, vw: str | None, c: float | None) -> str:
    """A verdict, with the one under the widened empirical interval beside it where that differs."""
    return v if vw is None or vw == v else f"{v} ({vw} at CI × {c:.2f})"
