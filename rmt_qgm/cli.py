"""Command-line interface: a thin layer over the public API.

Every command has a Python function behind it. User mistakes (UserInputError, and argparse usage errors)
print ONE line on stderr and exit with code 2, without a traceback; Ctrl-C exits with 130 and leaves no
partial result file (results are written atomically at the end of a command). Bugs keep their
tracebacks.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

import numpy as np

from .checks import check_choice, check_int, check_readable_file, check_writable_dir
from .errors import MonteCarloError, UserInputError

ANSATZE = ("randomized", "pauli", "hea")
DOF_RULES = ("dimension", "trace-ratio", "haar-moment")


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are one line and exit code 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        sub = self.prog.split(" ", 1)[1] if " " in self.prog else ""
        raise UserInputError(f"{sub}: {message}" if sub else message)


def _add_circuit_options(p: argparse.ArgumentParser, params: bool = True) -> None:
    p.add_argument("--qubits", "-n", required=True, help="number of qubits n (>= 1)")
    if params:
        p.add_argument("--params", "-p", required=True, help="number of parameters p (>= 1)")
    p.add_argument("--hamiltonian", "-H", default="fidelity",
                   help="fidelity | projector:d | diag:v1,v2,... | diag:@FILE | randspec:SEED | "
                        "pauli:0.5*ZZI+... | tfim:h | heisenberg (default: fidelity)")
    p.add_argument("--psi0", default=None,
                   help="initial state: haar (default, from the instance seed) | zero | random:SEED")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rmt-qgm", description=(
        "Random-matrix theory of variational-circuit loss landscapes, checked against exact simulation. "
        "gamma = p / 2^(n+1) throughout; losses are raw F = <psi|H|psi>."))
    from . import __version__
    parser.add_argument("--version", action="version", version=f"rmt_qgm {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    d = sub.add_parser("demo", help="small simulation + prediction on built-in defaults: whether they "
                       "agree, with a figure")
    d.add_argument("--out", default="rmt_qgm_demo", help="output directory (default ./rmt_qgm_demo)")
    d.add_argument("--seed", default="0", help="root seed (default 0)")
    d.add_argument("--compare", action="store_true", help="also the model comparison: the count-weighted law of "
                   "all minima under the whrf, spherical and circuit models")

    s = sub.add_parser("simulate", help="multi-start certified local optimisation of random circuits")
    _add_circuit_options(s)
    s.add_argument("--ansatz", default=None, help="randomized | pauli | hea (default randomized)")
    s.add_argument("--generators", default=None, help="comma-separated Pauli words for --ansatz pauli")
    s.add_argument("--generators-file", "-g", default=None, help="generators file (rmt-qgm circuit): gate k = "
                   "exp(-i theta_k G_(k mod L)), any real Pauli sums; replaces --ansatz")
    s.add_argument("--starts", default="8", help="random starts per instance (>= 1, default 8)")
    s.add_argument("--instances", default="1", help="random circuit instances (>= 1, default 1)")
    s.add_argument("--seed", default="0", help="root seed (>= 0, default 0)")
    s.add_argument("--workers", default="1", help="worker processes (>= 1, default 1)")
    s.add_argument("--batch", default="0", help="advance up to this many starts of an instance together (matrix-"
                   "matrix products; same minima, faster for many starts); 0 = one start at a time (default)")
    s.add_argument("--endgame", nargs="?", const="exact", default=False, choices=("exact", "cg"),
                   help="finish with trust-region Newton steps where L-BFGS converges slowly (near gamma = 1): "
                   "exact = on the exact Hessian (the default of a bare --endgame), cg = truncated Newton "
                   "(Steihaug-CG on Hessian-vector products, an exact Hessian only as preconditioner; faster "
                   "at n >= 7)")
    s.add_argument("--out", default=None, help="directory for simulate.json + simulate.npz")
    s.add_argument("--json", action="store_true", help="print the summary as JSON")
    s.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    e = sub.add_parser("evaluate", help="loss, gradient and exact Hessian of one given circuit")
    _add_circuit_options(e, params=False)
    eg = e.add_mutually_exclusive_group(required=True)
    eg.add_argument("--generators", help="comma-separated Pauli words, one per parameter")
    eg.add_argument("--generators-file", "-g", help="generators file (rmt-qgm circuit); p = the number of angles, "
                    "gate k uses line k mod L")
    e.add_argument("--theta-file", required=True, help="text or .npy file with the p angles")
    e.add_argument("--json", action="store_true", help="print JSON (default)")

    from .theory.models.circuit import LADDERS
    from .theory.registry import DEFAULT_BUDGET, MODEL_NAMES
    pr = sub.add_parser("predict", help="theory: where local minima sit (all of them, and where an optimiser "
                        "ends), counts by index, transition")
    pr.add_argument("--qubits", "-n", default=None, help="number of qubits n (1-30)")
    pr.add_argument("--params", "-p", required=True, help="number of parameters p (1-10^6)")
    pr.add_argument("--hamiltonian", "-H", default="fidelity", help="Hamiltonian spec (as simulate)")
    pr.add_argument("--model", default="auto", help=" | ".join(MODEL_NAMES) + " (default auto: the most accurate "
                    "validated model that answers within --budget; README, 'Which model')")
    pr.add_argument("--budget", default=str(int(DEFAULT_BUDGET)),
                    help=f"seconds a prediction may take (default {DEFAULT_BUDGET:g}); larger requests are refused "
                         "before they start, auto picks a model that fits")
    pr.add_argument("--generators-file", "-g", default=None, help="a structured circuit (generators file, rmt-qgm "
                    "circuit): the JAWS/Wishart minima laws of deep circuits (docs/theory.md §10.4; n <= 8)")
    pr.add_argument("--psi0", default=None, help="with --generators-file: zero (default) | plus | random:SEED | FILE")
    pr.add_argument("--dof", default=None, help="whrf only: real degrees of freedom m of a pure WHRF(m, p), "
                    "replaces --qubits")
    pr.add_argument("--dof-rule", default=None, help="whrf only: dimension (default) | trace-ratio | haar-moment")
    pr.add_argument("--dps", default="30", help="mpmath working precision in digits (15-200, default 30)")
    pr.add_argument("--seed", default="0", help="seed of the Monte Carlo (default 0)")
    pr.add_argument("--samples", default=None, help="Monte Carlo draws (>= 16; the model's default if omitted; "
                    "the draws-based models take at least 8000; circuit-edge: draws per F node)")
    pr.add_argument("--ladder", default="auto", help=" | ".join(LADDERS) + ": circuit model only, its tilt ladder "
                    "(auto: deep levels down to t = 1e-6 near the transition; default auto)")
    pr.add_argument("--complexity", default="0",
                    help="whrf or asymptotic: also the asymptotic complexity on this many points (0 = off; whrf: S(t), "
                         "~1.5 s each; asymptotic: total and minima complexity and typical index, any spectrum)")
    pr.add_argument("--details", action="store_true", help="also print the models considered, asymptotic "
                    "levels and sampling diagnostics")
    pr.add_argument("--no-progress", action="store_true", help="no progress bar")
    pr.add_argument("--json", action="store_true", help="print the whole Prediction as JSON")

    cb = sub.add_parser("calibrate", help="rebuild the package's (G3) basin-law calibration "
                        "(rmt_qgm/data/basin_law_g3.json) from its stored fit points (rmt_qgm/calibration.py)")
    cb.add_argument("--check", action="store_true", help="only compare: exit 1 if the rebuilt coefficients "
                    "differ from the shipped ones")
    v = sub.add_parser("validate", help="checks of theory vs sampling, enumeration and circuits")
    mode = v.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="the quick suite (default; < 1 min)")
    mode.add_argument("--full", action="store_true", help="the full grid (see README for its runtime)")
    v.add_argument("--out", required=True, help="directory for report.json, report.md and figures")
    v.add_argument("--workers", default="1", help="worker processes for circuit simulations (>= 1)")
    v.add_argument("--seed", default="0", help="root seed (>= 0)")

    fg = sub.add_parser("figure", help="paper figures as PNG + PDF + CSV (rmt_qgm/figures.py)")
    fg.add_argument("name", metavar="NAME", help="minima-vs-gamma | phase-diagram | hessian-spectrum | "
                    "critical-counts | published-vs-engine | paper-fig1 | minima-vs-n | all (all but paper-fig1)")
    fg.add_argument("--out", required=True, help="output directory")
    fg.add_argument("--quick", action="store_true", help="small samples (seconds; for checks, not papers)")
    fg.add_argument("--seed", default="0", help="root seed (>= 0)")
    fg.add_argument("--workers", default="1", help="worker processes for circuit simulations (>= 1)")
    fg.add_argument("--cached-only", action="store_true",
                    help="paper-fig1: draw from OUT/paper-fig1-sims without simulating")

    sw = sub.add_parser("sweep", help="a resumable parameter sweep from a TOML config (docs/sweeps.md)")
    sw.add_argument("config", metavar="CONFIG.toml", help="sweep config: seed and [axes]")
    sw.add_argument("--out", required=True, help="store directory (manifest.json, tasks/, failed/)")
    sw.add_argument("--workers", default="1", help="local worker processes (>= 1; default 1)")
    sw.add_argument("--scheduler", default=None,
                    help="address of a Dask distributed scheduler, e.g. tcp://host:8786 (needs the dask extra)")
    sw.add_argument("--resume", action="store_true", help="continue the sweep in --out, skipping finished tasks")
    sw.add_argument("--no-progress", action="store_true", help="no progress bar")
    sw.add_argument("--json", action="store_true", help="print the outcome as JSON")

    sr = sub.add_parser("sweep-report", help="tables (CSV, Parquet if available) and figures of a sweep store")
    sr.add_argument("dir", metavar="DIR", help="sweep store directory")
    sr.add_argument("--json", action="store_true", help="print the summary as JSON")

    # structured circuits (issue 20): generators files and dynamical Lie algebras
    from .algebra.presets import PRESETS as _GEN_PRESETS
    ci = sub.add_parser("circuit", help="write a generators file (one Hermitian Pauli sum per line) for a "
                        "named circuit family")
    src_ci = ci.add_mutually_exclusive_group(required=True)
    src_ci.add_argument("--preset", help=" | ".join(_GEN_PRESETS))
    src_ci.add_argument("--from-qasm", default=None, help="an OpenQASM 2/3 file of rx ry rz rxx ryy rzz rotations and "
                        "cx cz h s sdg x y z gates (the Cliffords are absorbed; needs the qasm extra)")
    ci.add_argument("--qubits", "-n", default=None, help="number of qubits n (1..32; with --from-qasm optional, "
                    "must match the file)")
    ci.add_argument("--observable", default=None, help="--from-qasm: a Pauli sum O (0.5*ZZI+XII) to carry through the "
                    "absorbed Clifford gates (W^dagger O W is printed and written in the header)")
    ci.add_argument("--theta-out", default=None, help="--from-qasm: write theta_k = (QASM angle)/2 of each rotation "
                    "here (for evaluate --theta-file; NaN where an angle is symbolic)")
    ci.add_argument("--layers", default=None, help="layers written (default: the period of the absorbed "
                    "fixed gates, else 1)")
    ci.add_argument("--out", default="-", help="output file (default: stdout)")
    dl = sub.add_parser("dla", help="dynamical Lie algebra of a generators file: dimension, centre, simple "
                        "ideals, orbit dimension")
    src = dl.add_mutually_exclusive_group(required=True)
    src.add_argument("--generators-file", "-g", default=None, help="generators file (rmt-qgm circuit)")
    src.add_argument("--preset", default=None, help="a preset instead of a file: " + " | ".join(_GEN_PRESETS))
    dl.add_argument("--layers", default=None, help="with --preset: as for rmt-qgm circuit")
    dl.add_argument("--qubits", "-n", required=True, help="number of qubits n (1..20)")
    dl.add_argument("--psi0", default="zero", help="initial state for the orbit dimension: zero (default) | "
                    "plus | random:SEED | FILE of 2^n amplitudes")
    dl.add_argument("--no-orbit", action="store_true", help="skip the orbit dimension")
    dl.add_argument("--max-dim", default="2000000", help="stop if the algebra exceeds this dimension")
    dl.add_argument("--observable", "-O", default=None, help="observable O (a Hamiltonian spec, as simulate): also "
                    "the JAWS degrees of freedom r_alpha per simple ideal (key jaws; n <= 10)")
    dl.add_argument("--json", action="store_true", help="print the result as JSON")
    op = sub.add_parser("overparam", help="QFIM rank against p for a generators file (params_c, against the orbit "
                        "dimension) and, with --hamiltonian, the predicted landscape transition")
    op.add_argument("--qubits", "-n", required=True, help="number of qubits n (1..8)")
    op.add_argument("--generators-file", "-g", required=True, help="generators file (rmt-qgm circuit)")
    op.add_argument("--psi0", default="zero", help="zero (default) | plus | random:SEED | FILE of 2^n amplitudes")
    op.add_argument("--hamiltonian", "-H", default=None, help="Hamiltonian spec (as simulate): also the landscape "
                    "transition landscape_params_c")
    op.add_argument("--seed", default="0", help="seed of the generic angles and optimiser starts (>= 0)")
    op.add_argument("--max-params", default=None, help="largest p tried (default 4 (orbit dim + L))")
    op.add_argument("--starts", default="8", help="optimiser starts for the optimum on the orbit (1..1000, default 8)")
    op.add_argument("--check-minima", default="0", help="with --hamiltonian: optimiser starts per p (0..1000, default 0 = "
                    "no check) for the fraction of certified minima at the optimum around the prediction")
    op.add_argument("--json", action="store_true", help="print the result as JSON")
    va = sub.add_parser("variance", help="Var[loss] and Var[gradient] of deep circuits of a generators file "
                        "predicted from the DLA (per simple ideal), optionally against sampled circuits")
    va.add_argument("--qubits", "-n", required=True, help="number of qubits n (1..10)")
    va.add_argument("--generators-file", "-g", required=True, help="generators file (rmt-qgm circuit)")
    va.add_argument("--observable", "-O", required=True, help="observable O, a Hamiltonian spec (as simulate)")
    va.add_argument("--psi0", default="zero", help="zero (default) | plus | random:SEED | FILE of 2^n amplitudes")
    va.add_argument("--samples", default="0", help="sampled circuits to compare with (0 = none, default; 0..10^6)")
    va.add_argument("--depth", default=None, help="gates per sampled circuit (default 20 (dim g + L), at most 4000)")
    va.add_argument("--seed", default="0", help="seed of the sampled angles (>= 0)")
    va.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def _theta_from_file(path: str, p: int | None) -> np.ndarray:
    """The angles of --theta-file: exactly p of them, or (p None) at least one."""
    path = check_readable_file("--theta-file", path)
    try:
        theta = np.load(path) if path.endswith(".npy") else np.loadtxt(path, delimiter=None, ndmin=1,
                                                                      converters=None)
    except (ValueError, OSError) as exc:
        raise UserInputError(f"--theta-file: cannot read {'' if p is None else str(p) + ' '}real angles from {path!r}: {exc}") from None
    theta = np.asarray(theta, dtype=float).ravel()
    if p is None:
        if theta.size < 1 or not np.all(np.isfinite(theta)):
            raise UserInputError(f"--theta-file: needs at least one angle, all finite; got {theta.size} value(s)")
        return theta
    if theta.size != p or not np.all(np.isfinite(theta)):
        raise UserInputError(f"--theta-file: needs exactly {p} finite angles (one per generator); "
                             f"got {theta.size}")
    return theta


def cmd_simulate(a: argparse.Namespace) -> int:
    n = check_int("--qubits", a.qubits, 1)
    p = check_int("--params", a.params, 1)
    if a.generators_file is not None and a.ansatz is not None:
        raise UserInputError("--ansatz: not with --generators-file (the file is the circuit)")
    if a.generators_file is not None and a.generators:
        raise UserInputError("--generators: not with --generators-file")
    ansatz = "generators" if a.generators_file is not None else check_choice("--ansatz", a.ansatz or "randomized",
                                                                            ANSATZE)
    gens = [g.strip() for g in a.generators.split(",")] if a.generators else None
    kwargs = dict(starts=check_int("--starts", a.starts, 1),
                  instances=check_int("--instances", a.instances, 1),
                  seed=check_int("--seed", a.seed, 0), workers=check_int("--workers", a.workers, 1),
                  batch=check_int("--batch", a.batch, 0), endgame=a.endgame)
    out = check_writable_dir("--out", a.out) if a.out else None
    from .simulate import run_simulation
    res = run_simulation(n, p, ansatz=ansatz, hamiltonian=a.hamiltonian, psi0=a.psi0,
                         generators=gens, progress=not a.no_progress and not a.json,
                         generators_file=a.generators_file, **kwargs)
    summary = res.summary()
    if out:
        from .store import run_metadata, write_result
        meta = run_metadata(res.params, res.params.get("seed"), summary["seconds"], "simulate")
        meta["summary"] = summary
        summary["written"] = write_result(out, "simulate", meta, res.arrays())
    _print_summary(summary, a.json, _simulate_text)
    return 0


def _simulate_text(s: dict) -> str:
    m = s["minima"]
    lines = [f"gamma = p/2^(n+1) = {s['gamma']:.4g}  (n = {s['n_qubits']}, p = {s['n_params']})",
             f"certified local minima: {m['certified']}   saddles: {s.get('saddles', 0)}",
             f"median F = {m['median']:.6g}  [q10 {m['q10']:.6g}, q90 {m['q90']:.6g}]  "
             f"(E0 = {s['E0']:.6g}, Ebar = {s['Ebar']:.6g})",
             f"fraction at the global minimum: {m['frac_global']:.3f}",
             f"seconds: {s['seconds']:.2f}"]
    if s.get("written"):
        lines.append(f"results: {s['written']}")
    return "\n".join(lines)


def cmd_evaluate(a: argparse.Namespace) -> int:
    n = check_int("--qubits", a.qubits, 1)
    if a.generators_file is not None:
        from .simulate import evaluate_generators_file
        theta = _theta_from_file(a.theta_file, None)
        print(json.dumps(evaluate_generators_file(n, a.generators_file, a.hamiltonian, theta,
                                                  psi0=a.psi0 or "zero")))
        return 0
    gens = [g.strip() for g in a.generators.split(",") if g.strip()]
    if not gens:
        raise UserInputError("--generators must list at least one Pauli word, e.g. XZI,YYX")
    theta = _theta_from_file(a.theta_file, len(gens))
    from .simulate import evaluate_circuit
    out = evaluate_circuit(n, gens, a.hamiltonian, theta, psi0=a.psi0 or "zero")
    print(json.dumps(out))
    return 0


def cmd_predict(a: argparse.Namespace) -> int:
    from .checks import check_float
    from .theory.predict import predict
    from .theory.models.circuit import LADDERS
    from .theory.registry import MODEL_NAMES
    check_choice("--model", a.model, MODEL_NAMES)
    check_choice("--ladder", a.ladder, LADDERS)
    p = check_int("--params", a.params, 1, 10 ** 6)
    if a.psi0 is not None and a.generators_file is None:
        raise UserInputError("--psi0: only with --generators-file")
    if a.generators_file is not None:
        return _predict_structured(a, p)
    dof = check_int("--dof", a.dof, 2) if a.dof is not None else None
    n = check_int("--qubits", a.qubits, 1, 30) if a.qubits is not None else None
    if n is None and dof is None:
        raise UserInputError("--qubits: predict needs --qubits N (1 <= N <= 30), or --dof M (>= 2) with --model whrf")
    dof_rule = "dimension" if a.dof_rule is None else check_choice("--dof-rule", a.dof_rule, DOF_RULES).replace("-", "_")
    if a.dof_rule is not None and a.model not in ("whrf",):
        raise UserInputError("--dof-rule: only --model whrf uses a degrees-of-freedom rule")
    res = predict(n, p, hamiltonian=a.hamiltonian, model=a.model, dof=dof, dof_rule=dof_rule,
                  dps=check_int("--dps", a.dps, 15, 200), seed=check_int("--seed", a.seed, 0),
                  n_mc=None if a.samples is None else check_int("--samples", a.samples, 16),
                  complexity_points=check_int("--complexity", a.complexity, 0, 1000), ladder=a.ladder,
                  budget=check_float("--budget", a.budget, 0.0, open_min=True),
                  progress=not a.no_progress)
    if a.json:
        print(res.to_json())
    else:
        from .report_text import prediction_text
        print(prediction_text(res, details=a.details))
    return 0


def _predict_structured(a: argparse.Namespace, p: int) -> int:
    from .theory.predict import predict
    from .theory.models.jaws import STRUCTURED_MAX_QUBITS
    if a.qubits is None:
        raise UserInputError(f"--qubits: --generators-file needs --qubits N (1 <= N <= {STRUCTURED_MAX_QUBITS})")
    n = check_int("--qubits", a.qubits, 1, STRUCTURED_MAX_QUBITS)
    for opt, val, default in (("--model", a.model, "auto"), ("--dof", a.dof, None), ("--dof-rule", a.dof_rule, None),
                              ("--ladder", a.ladder, "auto"), ("--complexity", a.complexity, "0")):
        if val != default:
            raise UserInputError(f"{opt}: not with --generators-file (the JAWS model answers structured circuits)")
    res = predict(n, p, hamiltonian=a.hamiltonian, generators_file=a.generators_file, psi0=a.psi0 or "zero",
                  seed=check_int("--seed", a.seed, 0),
                  n_mc=None if a.samples is None else check_int("--samples", a.samples, 16))
    if a.json:
        print(res.to_json())
    else:
        from .report_text import prediction_text
        print(prediction_text(res, details=a.details))
    return 0


def cmd_calibrate(a: argparse.Namespace) -> int:
    from .calibration import calibrate
    code, lines = calibrate(check=a.check)
    print("\n".join(lines))
    return code


def cmd_validate(a: argparse.Namespace) -> int:
    workers = check_int("--workers", a.workers, 1)
    seed = check_int("--seed", a.seed, 0)
    out = check_writable_dir("--out", a.out)
    from .validate import run_validation, summary_lines
    # exit 0 unless a check fails that is not a registered known failure (rmt_qgm/validate/registry.py)
    results, ok = run_validation("full" if a.full else "quick", out, workers=workers, seed=seed)
    print("\n".join(summary_lines(results)))
    print(f"report: {os.path.join(out, 'report.md')}")
    return 0 if ok else 1


def cmd_figure(a: argparse.Namespace) -> int:
    from .figures import FIGURE_NAMES, make_all, make_figure
    check_choice("NAME", a.name, FIGURE_NAMES + ("all",))
    seed, workers = check_int("--seed", a.seed, 0), check_int("--workers", a.workers, 1)
    out = check_writable_dir("--out", a.out)
    from .sweep.runner import SweepInterrupted
    try:
        if a.name == "all":
            paths = [p for v in make_all(out, quick=a.quick, seed=seed, workers=workers).values()
                     for p in v["paths"]]
        else:
            paths = make_figure(a.name, out, quick=a.quick, seed=seed, workers=workers,
                                cached_only=a.cached_only)
    except SweepInterrupted as exc:
        print(f"rmt-qgm: interrupted; {exc.outcome.finished} more simulations stored in "
              f"{os.path.join(out, 'paper-fig1-sims')}; rerun the same command to continue, or add "
              "--cached-only to draw what is stored", file=sys.stderr)
        return 130
    print("\n".join(paths))
    return 0


def cmd_sweep(a: argparse.Namespace) -> int:
    from .sweep.config import load_config
    from .sweep.runner import SweepInterrupted, run_sweep
    cfg = load_config(a.config)                      # every check before any work
    try:
        outcome = run_sweep(cfg, a.out, workers=a.workers, scheduler=a.scheduler, resume=a.resume,
                            progress=not a.no_progress)
    except SweepInterrupted as exc:
        print(f"rmt-qgm: interrupted; {exc.outcome.finished} tasks stored this run; finished tasks are kept, "
              f"continue with: rmt-qgm sweep {a.config} --out {a.out} --resume", file=sys.stderr)
        return 130
    s = outcome.summary()
    _print_summary(s, a.json, lambda o: (
        f"sweep {o['out']}: {o['n_tasks']} tasks, {o['skipped']} already stored, {o['finished']} finished, "
        f"{o['failed']} failed, {o['retried']} retried, {o['seconds']:.1f} s"))
    return 0 if outcome.failed == 0 else 1


def cmd_sweep_report(a: argparse.Namespace) -> int:
    from .sweep.report import sweep_report
    s = sweep_report(a.dir)
    _print_summary(s, a.json, lambda o: (
        f"{o['finished']} of {o['planned']} tasks stored ({o['failed_unresolved']} failed, "
        f"{o['missing']} without result), {o['grid_points']} grid points\n" + "\n".join(o["written"])))
    return 0


def cmd_demo(a: argparse.Namespace) -> int:
    from .demo import run_demo
    print(run_demo(a.out, seed=check_int("--seed", a.seed, 0), compare=a.compare))
    return 0


def cmd_circuit(a: argparse.Namespace) -> int:
    from .algebra.generators import format_generators, preset_generators, write_generators
    if a.from_qasm is not None:
        return _circuit_from_qasm(a)
    if a.observable is not None or a.theta_out is not None:
        raise UserInputError("--observable/--theta-out: only with --from-qasm")
    if a.qubits is None:
        raise UserInputError("--qubits: required with --preset (1..32)")
    n = check_int("--qubits", a.qubits, 1, 32)
    layers = None if a.layers is None else check_int("--layers", a.layers, 1, 100000)
    gens, header = preset_generators(a.preset, n, layers)
    if a.out in (None, "-"):
        sys.stdout.write(format_generators(gens, header))
    else:
        print(f"{write_generators(a.out, gens, header)}: {len(gens)} generator(s), preset {a.preset}, n = {n}")
    return 0


def _circuit_from_qasm(a: argparse.Namespace) -> int:
    from .algebra.generators import format_generators, write_generators
    from .algebra.qasm import qasm_generators
    if a.layers is not None:
        raise UserInputError("--layers: only with --preset")
    n_want = None if a.qubits is None else check_int("--qubits", a.qubits, 1, 32)
    n, gens, header, theta, obs_w = qasm_generators(a.from_qasm, a.observable)
    if n_want is not None and n_want != n:
        raise UserInputError(f"--qubits: {a.qubits} given, the OpenQASM file declares {n} qubits")
    if a.theta_out is not None:
        d = os.path.dirname(os.path.abspath(a.theta_out))
        if not os.path.isdir(d):
            raise UserInputError(f"--theta-out: directory does not exist: {d!r}")
        np.savetxt(a.theta_out, np.asarray(theta), header="theta_k = (QASM angle)/2, one per generator line")
    if a.out in (None, "-"):
        sys.stdout.write(format_generators(gens, header))
    else:
        print(f"{write_generators(a.out, gens, header)}: {len(gens)} generator(s) from {a.from_qasm}, n = {n}")
        if obs_w is not None:
            print(f"observable W^dagger O W = {obs_w.to_string()}")
    return 0


DLA_MAX_QUBITS = 20


def cmd_dla(a: argparse.Namespace) -> int:
    from .algebra.dla import analyse_dla, format_summary
    from .algebra.generators import preset_generators, read_generators
    n = check_int("--qubits", a.qubits, 1, DLA_MAX_QUBITS)
    max_dim = check_int("--max-dim", a.max_dim, 1)
    if a.preset is not None:
        layers = None if a.layers is None else check_int("--layers", a.layers, 1, 100000)
        gens, _ = preset_generators(a.preset, n, layers)
    else:
        if a.layers is not None:
            raise UserInputError("--layers: only with --preset")
        gens = read_generators(a.generators_file, n)
    res = analyse_dla(gens, n, psi0=a.psi0, max_dim=max_dim, orbit=not a.no_orbit)
    if a.observable is not None:
        from .algebra.variance import hamiltonian_pauli_sum, predict_variance
        if n > VARIANCE_MAX_QUBITS:
            raise UserInputError(f"--observable: the JAWS degrees of freedom need --qubits <= {VARIANCE_MAX_QUBITS}")
        try:
            obs = hamiltonian_pauli_sum(a.observable, n)
        except UserInputError as exc:
            raise UserInputError(f"--observable: {str(exc).splitlines()[0]}") from None
        res["jaws"] = predict_variance(gens, n, a.psi0, obs)["jaws"]
        res["observable"] = a.observable
    if a.observable is not None and not a.json:
        from .algebra.jaws import format_jaws
        print("\n".join([format_summary(res)] + format_jaws(res["jaws"])))
        return 0
    _print_summary(res, a.json, format_summary)
    return 0


def cmd_overparam(a: argparse.Namespace) -> int:
    from .algebra.generators import read_generators
    from .algebra.overparam import OVERPARAM_MAX_QUBITS, analyse_overparam, format_overparam
    n = check_int("--qubits", a.qubits, 1, OVERPARAM_MAX_QUBITS)
    seed = check_int("--seed", a.seed, 0)
    max_params = None if a.max_params is None else check_int("--max-params", a.max_params, 1, 100000)
    starts = check_int("--starts", a.starts, 1, 1000)
    check_minima = check_int("--check-minima", a.check_minima, 0, 1000)
    if check_minima and a.hamiltonian is None:
        raise UserInputError("--check-minima: needs --hamiltonian")
    gens = read_generators(a.generators_file, n)
    res = analyse_overparam(gens, n, psi0=a.psi0, hamiltonian=a.hamiltonian, seed=seed, max_params=max_params,
                            starts=starts, check_minima=check_minima)
    _print_summary(res, a.json, format_overparam)
    return 0


VARIANCE_MAX_QUBITS = 10


def cmd_variance(a: argparse.Namespace) -> int:
    from .algebra.generators import read_generators
    from .algebra.variance import analyse_variance, format_variance
    n = check_int("--qubits", a.qubits, 1, VARIANCE_MAX_QUBITS)
    samples = check_int("--samples", a.samples, 0, 10 ** 6)
    if samples == 1:
        raise UserInputError("--samples must be 0 (no sampling) or an integer in [2, 1000000], got 1")
    depth = None if a.depth is None else check_int("--depth", a.depth, 1, 10 ** 6)
    seed = check_int("--seed", a.seed, 0)
    gens = read_generators(a.generators_file, n)
    res = analyse_variance(gens, n, a.psi0, a.observable, samples=samples, depth=depth, seed=seed)
    _print_summary(res, a.json, format_variance)
    return 0


def _print_summary(obj: dict, as_json: bool, text_fn) -> None:
    from .store import to_jsonable
    if as_json:
        print(json.dumps(to_jsonable(obj)))
    else:
        print(text_fn(obj))


COMMANDS = {"simulate": cmd_simulate, "evaluate": cmd_evaluate, "predict": cmd_predict,
            "calibrate": cmd_calibrate, "validate": cmd_validate, "demo": cmd_demo, "sweep": cmd_sweep, "figure": cmd_figure, "sweep-report": cmd_sweep_report,
            "circuit": cmd_circuit, "dla": cmd_dla, "overparam": cmd_overparam,
            "variance": cmd_variance}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rmt-qgm`` console script."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return 2
        return COMMANDS[args.command](args)
    except UserInputError as exc:
        msg = str(exc).splitlines()[0] if str(exc) else "invalid input"
        print(f"rmt-qgm: error: {msg}", file=sys.stderr)
        return 2
    except MonteCarloError as exc:       # a Monte Carlo outcome, not a user mistake: one line, exit 1
        print(f"rmt-qgm: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rmt-qgm: interrupted; no partial result files were written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into head
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
