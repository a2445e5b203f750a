"""The README's "What is validated, how well" table and its full version docs/studies/validated.md, generated
from the committed results.

Sources, nothing typed by hand but the row labels, the column "what is compared" and the doc links:

- validation/results/full/report.json (``rmt-qgm validate --full``, seed 0): every check's pass/fail. Its checks
  are matched one by one, in order, with the registered full suite (rmt_qgm/validate/registry.py), which gives
  each check its expected outcome and, for a known failure, its reason in a few words (``Check.short``). A
  failure that is not registered is shown as UNEXPECTED.
- validation/results/basin_ceiling_law/summary.json: the engine's optimiser-found law (``optimiser_minima``,
  (G3)) on the 36 rows of docs/studies/circuits_vs_theory.md (validation/results/circuits_vs_theory.json) with
  each row's own (n, p) left out of the fit, and its three declared tests on new rows; verdicts by the table's
  rule (basin_gamma_law.verdict).

Regions (n, p, gamma, spectra) are read from the checks' parameters and the rows. Only the block between
``<!-- validated-table:start -->`` and ``<!-- validated-table:end -->`` of README.md is written; without the
markers, the marked block is appended at the end. tests/test_readme_tables.py fails when the README's block is
not what this script renders (a hand edit or stale results).

Run:  python -m validation.render_readme_tables            # rewrite the README's block
      python -m validation.render_readme_tables --check    # exit 1 if the README's block is stale
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
from validation.common import CVT_JSON  # noqa: E402

README = os.path.join(ROOT, "README.md")
REPORT = os.path.join(HERE, "results", "full", "report.json")
CEILING_SUMMARY = os.path.join(HERE, "results", "basin_ceiling_law", "summary.json")
CVT_DOC = os.path.join(ROOT, "docs", "studies", "circuits_vs_theory.md")
PAGE = os.path.join(ROOT, "docs", "studies", "validated.md")
START, END = "<!-- validated-table:start -->", "<!-- validated-table:end -->"

#: the report's model names, as one word
MODEL = {"isotropic WHRF": "whrf", "circuit (exact)": "circuit"}


def _model(check: dict) -> str:
    """The model a report check compares with: its ``model`` parameter, else the second part of its name."""
    m = check["params"].get("model")
    if m is None:
        parts = check["name"].split("/")
        m = parts[1] if len(parts) > 1 and parts[0] in ("point-law", "critical-count") else "circuit"
    return MODEL.get(m, m)


#: rows from the full report: (check names, models or None for all, what is compared, doc links)
REPORT_ROWS = (
    (("point-law/whrf", "point-law/circuit"), None,
     "law of (F, ∇F) at one point: WHRF samples and randomized circuits at random angles against the derived laws "
     "(KS)", ("[theory](docs/theory.md)",)),
    (("critical-count/whrf", "critical-count/spherical", "critical-count/circuit"), None,
     "expected critical points by Hessian index: exhaustive enumeration against Kac–Rice; Euler identity",
     ("[circuit_model](docs/studies/circuit_model.md)",)),
    (("transition/fidelity", "transition/spectrum"), None,
     "the transition γ_c = 1 − d0/2^n: share of certified minima that are global, below and above p_c",
     ("[theory](docs/theory.md) §12.1",)),
    (("complexity/log-potential", "asymptotic/spherical-edge", "asymptotic/spherical-log-potential"), None,
     "free-probability formulas (log-potential, spectral edge) against sampled random matrices extrapolated in "
     "size", ("[theory](docs/theory.md)", "[asymptotic_edge](docs/studies/asymptotic_edge.md)")),
    (("hessian-at-minima",), ("circuit",),
     "mean Hessian eigenvalue at distinct minima of circuits against the model",
     ("[report](validation/results/full/report.md)",)),
    (("hessian-at-minima",), ("whrf",),
     "the same against the isotropic WHRF surrogate", ("[report](validation/results/full/report.md)",)),
    (("minima-distribution",), ("circuit",),
     "median of the count-weighted law of minima against optimiser-found minima of circuits (8 × 8 starts)",
     ("[circuits_vs_theory](docs/studies/circuits_vs_theory.md)",)),
    (("minima-distribution",), ("spherical",),
     "the same with the Gaussian spherical surrogate, where the circuit model is too costly or the ansatz not Haar",
     ("[circuits_vs_theory](docs/studies/circuits_vs_theory.md)",)),
    (("minima-distribution/distinct",), None,
     "count-weighted: distinct minima per instance (300–4000 starts) and their median against the circuit model",
     ("[circuits_vs_theory](docs/studies/circuits_vs_theory.md)",
      "[basin_weighting](docs/studies/basin_weighting.md)")),
    (("minima-distribution/optimiser",), None,
     "`optimiser_minima` ((G3) basin law) against optimiser-found minima off its calibration points (64 × 8 starts)",
     ("[basin_ceiling_law](docs/studies/basin_ceiling_law.md)",)),
    (("predict/default",), None,
     "`predict`'s default answer at n = 7–8 (model `auto`): median of certified minima (12 × 2 starts) inside its "
     "`optimiser_minima` [q10, q90] and within a factor 2",
     ("[heldout_n78_ml](docs/studies/heldout_n78_ml.md)",)),
)

#: the engine's optimiser-found law's declared tests (basin_ceiling_law summary key, label, where the rows lie)
G3_TESTS = (("rows", "γ = 0.625 and 0.875", "near the transition"),
            ("second_test", "(G2)'s new rows", "n = 4–7, γ <= 0.375"),
            ("third_test", "n = 3", "below the calibrated n = 4–7"))


def select(checks: list[dict], names: tuple[str, ...], models: tuple[str, ...] | None) -> list[dict]:
    """The report's checks of one table row."""
    return [c for c in checks if c["name"] in names and (models is None or _model(c) in models)]


def registered(report: dict) -> list[dict]:
    """The report's checks, each with ``expected`` and ``short`` from the registered full suite (matched in order;
    the names must agree)."""
    from rmt_qgm.validate.registry import suite
    reg = suite("full")
    checks = report["checks"]
    if len(reg) != len(checks) or any(r.name != c["name"] for r, c in zip(reg, checks)):
        raise RuntimeError("validation/results/full/report.json does not match the registered full suite")
    return [dict(c, expected=r.expected, short=r.short or re.split(r"[:;(]", r.reason)[0].strip())
            for r, c in zip(reg, checks)]


def _num(v: float) -> str:
    return f"{v:g}"


def _values(vals) -> str:
    """Sorted distinct values: a range for three or more consecutive integers, else a list (ranges for more than
    four numbers)."""
    vals = sorted(set(vals), key=lambda v: (isinstance(v, str), v))
    if all(isinstance(v, (int, float)) for v in vals):
        if len(vals) >= 3 and all(isinstance(v, int) for v in vals) and vals == list(range(vals[0], vals[-1] + 1)):
            return f"{vals[0]}–{vals[-1]}"
        if len(vals) > 4:
            return f"{_num(vals[0])}–{_num(vals[-1])}"
        return ", ".join(_num(v) for v in vals)
    return ", ".join(str(v) for v in vals)


def region(params: list[dict]) -> str:
    """n (or m), p, gamma and spectra of a set of checks or rows; the ansatz where it is not only the randomized one."""
    def gather(*keys):
        out = []
        for q in params:
            for k in keys:
                v = q.get(k)
                if v is not None:
                    out.extend(v if isinstance(v, (list, tuple)) else [v])
        return out
    parts = []
    for label, keys in (("n", ("n_qubits", "n")), ("m", ("m",)), ("p", ("p",)), ("γ", ("gamma", "gammas")),
                        ("", ("hamiltonian", "hamiltonians"))):
        v = gather(*keys)
        if v:
            parts.append(f"{label} = {_values(v)}" if label else _values(v))
    ansatz = gather("ansatz")
    if ansatz and set(ansatz) != {"randomized"}:
        parts.append("ansatz " + _values(ansatz))
    return "; ".join(parts)


def known_cell(checks: list[dict]) -> str:
    """The failures of a row: registered ones grouped by their short reason, unregistered ones flagged."""
    known = Counter(c["short"] for c in checks if not c["passed"] and c["expected"] == "known-failure")
    cells = [f"{n} × {why}" if n > 1 else why for why, n in known.items()]
    unexpected = sum(not c["passed"] and c["expected"] == "pass" for c in checks)
    upass = sum(c["passed"] and c["expected"] == "known-failure" for c in checks)
    if unexpected:
        cells.append(f"**{unexpected} UNEXPECTED**")
    if upass:
        cells.append(f"**{upass} registered failures passed**")
    return "; ".join(cells) or "–"


def g3_rows() -> tuple[list[str], dict]:
    """The two rows of the engine's optimiser-found law: leave-one-out on the table, and its declared tests;
    also the counts (for the consistency test)."""
    from validation.basin_gamma_law import verdict
    with open(CEILING_SUMMARY, encoding="utf-8") as fh:
        s = json.load(fh)
    with open(CVT_JSON, encoding="utf-8") as fh:
        cvt = json.load(fh)
    keys = {(r["n"], r["p"], r["hamiltonian"]) for r in cvt["rows"]}
    loo = [r for r in s["table_loo"] if (r["n"], r["p"], r["hamiltonian"]) in keys]
    if len(loo) != len(keys):
        raise RuntimeError("the (G3) leave-one-out rows do not cover validation/results/circuits_vs_theory.json")
    v = [verdict(r) for r in loo]
    counts = {"loo": (v.count("agree"), len(v))}
    rows = [f"| table rows: `optimiser_minima` | the engine's optimiser-found law ((G3) fitted without the row's own "
            f"(n, p)) against optimiser-found minima of circuits (8 × 8 starts) | {region(cvt['rows'])} | "
            f"{v.count('agree')}/{len(v)} | "
            + ("; ".join(f"{k} {x}" for x, k in Counter(x for x in v if x != "agree").items()) or "–")
            + " | [circuits_vs_theory](docs/studies/circuits_vs_theory.md) |"]
    cells, fails, regions = [], [], []
    for key, label, where in G3_TESTS:
        t = s[key] if key != "rows" else {"rows": s["rows"], "pass_min": _pass_min()}
        tv = [verdict(r["G3"]) for r in t["rows"]]
        ok = tv.count("agree") >= t["pass_min"]
        counts[key] = (tv.count("agree"), len(tv))
        cells.append(f"{tv.count('agree')}/{len(tv)}")
        regions.extend(r["G3"] for r in t["rows"])
        if not ok:
            fails.append(f"{label} ({where}): fails, pass needs {t['pass_min']}")
    rows.append("| declared tests: `optimiser_minima` | the same on new rows, declared before the run: "
                + "; ".join(label for _, label, _ in G3_TESTS) + f" | {region(regions)} | {'; '.join(cells)} | "
                + ("; ".join(fails) or "–") + " | "
                "[basin_ceiling_law](docs/studies/basin_ceiling_law.md) |")
    return rows, counts


def _pass_min() -> int:
    from validation.basin_ceiling_law import PASS_MIN
    return PASS_MIN


def full_rows() -> tuple[list[str], str]:
    """The full table (header and rows: check, what is compared, region, passed / total, registered failures, doc;
    links relative to the repository root) and the sentence on the report it counts."""
    with open(REPORT, encoding="utf-8") as fh:
        report = json.load(fh)
    checks = registered(report)
    lines = ["| check | what is compared | region | passed / total | failures, registered: why | doc |",
             "|---|---|---|---|---|---|"]
    for names, models, what, docs in REPORT_ROWS:
        sel = select(checks, names, models)
        if not sel:
            raise RuntimeError(f"no check of the report for {names} {models or ''}")
        label = ", ".join(f"`{n}`" for n in dict.fromkeys(c["name"] for c in sel))
        if models:
            label += f" ({', '.join(models)})"
        lines.append(f"| {label} | {what} | {region([c['params'] for c in sel])} | "
                     f"{sum(c['passed'] for c in sel)}/{len(sel)} | {known_cell(sel)} | {', '.join(docs)} |")
    if sum(len(select(checks, n, m)) for n, m, _, _ in REPORT_ROWS) != len(checks):
        raise RuntimeError("the table's rows do not cover every check of the report exactly once")
    g3, _ = g3_rows()
    lines += g3
    n_pass = sum(c["passed"] for c in checks)
    n_known = sum(not c["passed"] and c["expected"] == "known-failure" for c in checks)
    summary = (f"`rmt-qgm validate --full` (rmt_qgm {report['version']}, {report['date'][:10]}, seed "
               f"{report['seed']}): {n_pass} of {len(checks)} checks pass, {n_known} fail as registered "
               f"(rmt_qgm/validate/registry.py), {len(checks) - n_pass - n_known} otherwise; every check: "
               "[validation/results/full/report.md](validation/results/full/report.md).")
    return lines, summary


def _cells(row: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]


def _failures(cell: str) -> str:
    """A full-table failure cell in a few words: none, registered (expected, reason in the full table), the
    declared tests that fail, or the unexpected outcomes."""
    if cell == "–":
        return "–"
    flags = re.findall(r"\*\*(.+?)\*\*", cell)
    if flags:
        return "; ".join(f"**{f}**" for f in flags)
    if "fails, pass needs" in cell:
        k = cell.count("fails, pass needs")
        return f"{k} declared test{'s' if k > 1 else ''} fail{'' if k > 1 else 's'}"
    return "registered"


def render() -> str:
    """The README's marked block (markers included): per row of the full table (:func:`render_page`) the check,
    passed / total, the number of registered failures and the docs."""
    rows, summary = full_rows()
    lines = [START,
             "<!-- generated by validation/render_readme_tables.py from validation/results/full/report.json and "
             "the circuits-vs-theory results; do not edit by hand -->", "",
             "| check | passed / total | failures | doc |",
             "|---|---|---|---|"]
    for row in rows[2:]:
        c = _cells(row)
        lines.append(f"| {c[0]} | {c[3]} | {_failures(c[4])} | {c[5]} |")
    lines += ["", summary + " What each row compares, its region and the reasons of its failures: "
              f"[{os.path.relpath(PAGE, ROOT)}]({os.path.relpath(PAGE, ROOT)}).", END]
    return "\n".join(lines)


def _page_link(target: str) -> str:
    """A link target relative to the repository root, made relative to the page's folder."""
    return os.path.relpath(os.path.join(ROOT, target), os.path.dirname(PAGE)).replace(os.sep, "/")


def render_page() -> str:
    """docs/studies/validated.md: the full table (what is compared, region, passed / total, registered failures
    with their reasons, docs)."""
    rows, summary = full_rows()
    body = "\n".join([*rows, "", summary])
    body = re.sub(r"\]\(([^)#]+)(#[^)]*)?\)", lambda m: f"]({_page_link(m.group(1))}{m.group(2) or ''})", body)
    return ("# What is validated, how well\n\n"
            "Generated by `python -m validation.render_readme_tables` from validation/results/full/report.json (the "
            "registered checks of `rmt-qgm validate --full`) and the circuits-vs-theory results; the README shows "
            "its passed / total column. A failure is either registered (expected, with its reason: "
            "rmt_qgm/validate/registry.py) or UNEXPECTED.\n\n" + body + "\n")


def block_of(text: str) -> str | None:
    """The marked block of ``text`` (markers included), or None."""
    i, j = text.find(START), text.find(END)
    return text[i:j + len(END)] if 0 <= i < j else None


def updated(text: str, block: str) -> str:
    """``text`` with its marked block replaced by ``block`` (appended at the end when there are no markers)."""
    old = block_of(text)
    if old is None:
        return text.rstrip("\n") + "\n\n" + block + "\n"
    return text.replace(old, block, 1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if README.md's block is not the rendered one")
    a = ap.parse_args(argv)
    block, page = render(), render_page()
    with open(README, encoding="utf-8") as fh:
        text = fh.read()
    if a.check:
        old_page = open(PAGE, encoding="utf-8").read() if os.path.exists(PAGE) else None
        ok = block_of(text) == block and old_page == page
        print("README.md's validated table and docs/studies/validated.md are "
              + ("current" if ok else "STALE: run python -m validation.render_readme_tables"))
        return 0 if ok else 1
    from rmt_qgm.store import atomic_write_bytes
    with open(README, encoding="utf-8") as fh:       # re-read just before writing: others edit the README's text
        text = fh.read()
    new = updated(text, block)
    if new != text:
        atomic_write_bytes(README, new.encode())
    atomic_write_bytes(PAGE, page.encode())
    print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
