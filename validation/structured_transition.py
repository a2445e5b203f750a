"""Held-out test of the landscape transition of structured circuits (declared in
docs/studies/structured_transition.md before the run; docs/theory.md §10.1).

For each declared case: the prediction (``analyse_overparam``: landscape_params_c, its regime, the dimension
count landscape_params_c_rank and reach_params_c), then certified minima at every p = 1..P with 16 starts
(``certified_minima``, the rule of §10.1's table) and the measured switch; pass when |predicted - measured| <= 2.

Writes validation/results/structured_transition.json and the results section of
docs/studies/structured_transition.md.

Round 2 (``--round 2``): eight further cases, declared after round 1 for the revised
landscape_params_c = max(reach_params_c, landscape_params_c_rank); writes
validation/results/structured_transition_round2.json and the section "Results, round 2".

Run:  OMP_NUM_THREADS=1 python -m validation.structured_transition [--round 2]     (one core)
      python -m validation.structured_transition --render-only     (both rounds' results from their JSON)
"""
from __future__ import annotations

import json
import os
import sys
import time

from validation.common import STUDIES_DOCS, Study

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "results", "structured_transition.json")
DOC = os.path.join(STUDIES_DOCS, "structured_transition.md")
QASM = os.path.join(HERE, "circuits_structured", "ry_rzz_rx_3q.qasm")
#: the declared cases: (label, kind, source, n, psi0, H)
CASES = [
    ("1", "preset", "hva:tfim-line", 5, "zero", "tfim:0.7"),
    ("2", "preset", "qaoa:maxcut-line", 5, "plus", "pauli:ZZIII+IZZII+IIZZI+IIIZZ"),
    ("3", "preset", "hea:ry-cx", 3, "zero", "heisenberg"),
    ("4", "preset", "local:x-zz-line", 3, "plus", "tfim:1.0"),
    ("5", "preset", "hea:ry-cz", 3, "zero", "pauli:ZZI+0.5*XIX-0.3*IYZ"),
    ("6", "qasm", QASM, 3, "zero", "heisenberg"),
    ("7", "lines", ["XXII+YYII", "IXXI+IYYI", "IIXX+IIYY", "ZIII", "IIIZ"], 4, "random:5",
     "pauli:0.7*ZZII+0.3*IZZI-0.5*XIII+0.4*IIYY"),
    ("8", "preset", "hea:ry-cx", 3, "zero", "randspec:7"),
]
#: round 2 (declared after round 1, for landscape_params_c = max(reach, count)): cases not used before
QASM4 = os.path.join(HERE, "circuits_structured", "ry_rzz_rx_4q.qasm")
CASES_R2 = [
    ("R1", "preset", "hva:tfim-ring", 5, "zero", "heisenberg"),
    ("R2", "preset", "qaoa:maxcut-ring", 4, "plus", "pauli:ZZII+IZZI+IIZZ+ZIIZ+0.5*ZIZI"),
    ("R3", "preset", "hea:ry-cz", 4, "plus", "tfim:0.5"),
    ("R4", "preset", "hea:ry-rz-cz", 3, "plus", "heisenberg"),
    ("R5", "preset", "local:x-zz-line", 4, "random:2", "projector:3"),
    ("R6", "preset", "local:xy-zz-ring", 3, "zero", "randspec:3"),
    ("R7", "qasm", QASM4, 4, "zero", "pauli:XXII+IYYI+IIZZ+0.5*ZIIZ"),
    ("R8", "lines", ["XYI-YXI", "IXY-IYX", "ZZZ"], 3, "plus", "tfim:1.0"),
]
OUT2 = os.path.join(HERE, "results", "structured_transition_round2.json")
STARTS_PRED = 8
SEED = 0
STARTS_CHECK = 16
MARGIN = 6
TOL = 2


def generators_of(kind, source, n):
    from rmt_qgm.algebra.generators import parse_generator_line, preset_generators
    if kind == "preset":
        return preset_generators(source, n)[0]
    if kind == "lines":
        return [parse_generator_line(t, n, "case") for t in source]
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as td:
        f = os.path.join(td, "g.txt")
        r = subprocess.run([sys.executable, "-m", "rmt_qgm.cli", "circuit", "--from-qasm", source, "--out", f],
                           capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(r.stderr.strip())
        from rmt_qgm.algebra.generators import read_generators
        return read_generators(f, n)


def run_case(case) -> dict:
    from threadpoolctl import threadpool_limits
    from rmt_qgm.algebra.dla import parse_state
    from rmt_qgm.algebra.overparam import analyse_overparam, certified_minima
    from rmt_qgm.hamiltonians import parse_hamiltonian
    label, kind, source, n, psi0, spec = case
    t0 = time.perf_counter()
    gens = generators_of(kind, source, n)
    res = analyse_overparam(gens, n, psi0=psi0, hamiltonian=spec, seed=SEED, starts=STARTS_PRED)
    pred = res["landscape_params_c"]
    marks = [v for v in (res["landscape_params_c_rank"], res["reach_params_c"], res["params_c"]) if v]
    p_top = max(marks) + MARGIN
    psi, _ = parse_state(psi0, n)
    hd = parse_hamiltonian(spec, n).to_dense()
    rows = []
    with threadpool_limits(1):
        for p in range(1, p_top + 1):
            r = certified_minima(gens, psi, hd, p, STARTS_CHECK, SEED, res["E_opt"])
            rows.append({"p": p, "certified": r["certified"], "at_optimum": r["at_optimum"],
                         "min_value": min(r["values"]) if r["values"] else None})
            print(f"  case {label} p={p}: {r['at_optimum']}/{r['certified']}", flush=True)
    clean = [r["p"] for i, r in enumerate(rows)
             if all(x["certified"] and x["at_optimum"] == x["certified"] for x in rows[i:])]
    measured = clean[0] if clean else None
    passed = pred is not None and measured is not None and abs(pred - measured) <= TOL
    rank_pc = res["landscape_params_c_rank"]
    below = [r["min_value"] for r in rows if r["min_value"] is not None]
    return {"case": label, "circuit": source if kind != "qasm" else "qasm:" + os.path.relpath(source, ROOT),
            "kind": kind, "n": n, "psi0": psi0, "hamiltonian": spec, "generators": len(gens),
            "dla_dim": res["dla_dim"], "orbit_dim": res["orbit_dim"], "params_c": res["params_c"],
            "hessian_rank_at_optimum": res["hessian_rank_at_optimum"], "E_opt": res["E_opt"], "E0": res["E0"],
            "landscape_params_c_rank": rank_pc, "reach_params_c": res["reach_params_c"],
            "landscape_regime": res["landscape_regime"], "landscape_params_c": pred, "measured_switch": measured,
            "p_top": p_top, "rows": rows, "lowest_certified_value": min(below) if below else None,
            "passed": bool(passed),
            "rank_count_within_2": (rank_pc is not None and measured is not None and abs(rank_pc - measured) <= TOL),
            "seconds": round(time.perf_counter() - t0, 1)}


def _section(data: dict, title: str = "## Results") -> str:
    out = [title, "",
           f"`python -m validation.structured_transition` on {data['date']} ({data['seconds']:.0f} s, one core; "
           f"seed {SEED}, {STARTS_PRED} starts for the prediction, {STARTS_CHECK} per p for the check).", "",
           "| # | circuit, n, ψ0 | H | orbit dim | params_c | dimension count | reach_params_c | regime | "
           "predicted | measured switch | at the optimum per p (from p = measured − 3) | pass |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for c in data["cases"]:
        if "error" in c:
            out.append(f"| {c['case']} | error: {c['error']} | | | | | | | | | | no |")
            continue
        m = c["measured_switch"]
        lo = (m - 3) if m else max(1, c["p_top"] - 8)
        tail = ", ".join(f"{r['p']}: {r['at_optimum']}/{r['certified']}" for r in c["rows"] if r["p"] >= lo)
        name = c["circuit"] if isinstance(c["circuit"], str) else " ".join(c["circuit"])
        out.append(f"| {c['case']} | `{name}`, {c['n']}, {c['psi0']} | `{c['hamiltonian']}` | {c['orbit_dim']} | "
                   f"{c['params_c']} | {c['landscape_params_c_rank']} | {c['reach_params_c']} | "
                   f"{c['landscape_regime']} | {c['landscape_params_c']} | {m} | {tail} | "
                   f"{'yes' if c['passed'] else '**no**'} |")
    ok = [c for c in data["cases"] if c.get("passed")]
    rank_ok = [c for c in data["cases"] if c.get("rank_count_within_2")]
    out += ["", f"- Passed: {len(ok)} of {len(data['cases'])} (declared: the must-show item is met when all pass): "
            f"**{'met' if len(ok) == len(data['cases']) else 'not met'}**.",
            f"- The old dimension count `landscape_params_c_rank` is within 2 of the measured switch in "
            f"{len(rank_ok)} of {len(data['cases'])} (not part of the pass rule)."]
    return "\n".join(out) + "\n"


def _with_section(text: str, data: dict, title: str) -> str:
    """``text`` with its section ``title`` (up to the next '## ' heading) replaced by the rendered results, or
    with them appended."""
    body = _section(data, title)
    key = "\n" + title + "\n"
    if key in text:
        a = text.index(key) + 1
        nxt = text.find("\n## ", a + len(title))
        rest = text[nxt + 1:] if nxt >= 0 else ""
        return text[:a] + body + ("\n" + rest if rest else "")
    return text.rstrip("\n") + "\n\n" + body


def render(summary: dict) -> str:
    """The page: the committed declarations and summary text with both rounds' results sections rendered from
    their JSON (round 2's from OUT2 once it exists)."""
    with open(DOC, encoding="utf-8") as fh:
        text = _with_section(fh.read(), summary, "## Results")
    if os.path.exists(OUT2):
        with open(OUT2, encoding="utf-8") as fh:
            text = _with_section(text, json.load(fh), "## Results, round 2")
    return text


def _options(ap) -> None:
    ap.add_argument("--round", type=int, choices=(1, 2), default=1, help="which declared round to run (default 1)")


def _run(a):
    """Round 1: the summary (written and rendered by the runner); round 2: writes OUT2 itself, then the page is
    rendered from both files."""
    from rmt_qgm.store import atomic_write_json
    round2 = a.round == 2
    out_path, cases = (OUT2, CASES_R2) if round2 else (OUT, CASES)
    t0 = time.perf_counter()
    data = {"date": time.strftime("%Y-%m-%d"), "cases": [], "seconds": 0.0,
            "settings": {"starts_prediction": STARTS_PRED, "seed": SEED, "starts_check": STARTS_CHECK,
                         "margin": MARGIN, "tolerance": TOL}}
    for case in cases:
        try:
            data["cases"].append(run_case(case))
        except Exception as exc:        # declared: a case that errors counts as not passed
            data["cases"].append({"case": case[0], "error": f"{type(exc).__name__}: {exc}", "passed": False})
        c = data["cases"][-1]
        print(f"case {c['case']}: predicted {c.get('landscape_params_c')} ({c.get('landscape_regime')}), measured "
              f"{c.get('measured_switch')}, pass {c['passed']}", flush=True)
        data["seconds"] = round(time.perf_counter() - t0, 1)
        atomic_write_json(out_path + ".partial", data)
    os.remove(out_path + ".partial")
    if round2:
        atomic_write_json(OUT2, data)
        return None
    return data


STUDY = Study("structured_transition", doc="structured_transition.md", summary=OUT, run=_run, render=render,
              options=_options, description=__doc__)

if __name__ == "__main__":
    sys.exit(STUDY.main())
