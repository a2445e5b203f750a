"""docs/studies/README.md: the index of the study pages, one line per study (issue 21).

Per study: what it tests and whether it was declared before it was run or is post hoc (both written here,
from the page's and its script's own statements), and the verdict, copied verbatim from the page by the
patterns in STUDIES (a page whose verdict sentence changes form makes this script fail rather than go stale
silently). tests/test_readme_tables.py fails when docs/studies/README.md is not what this script renders, and
when a page in docs/studies/ is missing from STUDIES.

Run:  python -m validation.render_index            # rewrite docs/studies/README.md
      python -m validation.render_index --check    # exit 1 if it is stale
"""
from __future__ import annotations

import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
STUDIES_DIR = os.path.join(ROOT, "docs", "studies")
INDEX = os.path.join(STUDIES_DIR, "README.md")

#: the verdict lines every held-out study's page ends with (validation/heldout_predict.render)
HELDOUT_EXTRACTS = [("", r"(Inside \[q10, q90\]: \d+ of \d+; within a factor 2: \d+ of \d+)"),
                    ("", r"\*\*(Declared rule: \w+)\.\*\*")]
#: (page, what it tests, declared or post hoc, [(label, pattern whose group 1 is the verdict as the page
#: words it)], verdict when no pattern matches or None to require a match). Patterns match within one line.
STUDIES = (
    ("circuits_vs_theory.md",
     "36 rows, n = 4–6, γ = 0.125–0.75, three spectra: where a multi-start optimiser ends on simulated randomized "
     "circuits, against every model (circuit model, surrogates, basin-weighted laws)",
     "protocol and replicate rules declared; the table itself descriptive",
     [("circuit model vs optimiser", r"Circuit model \(exact\): (\d+ rows agree, \d+ MISMATCH, \d+ UNRELIABLE)"),
      ("`optimiser_minima` ((G3), leave-one-out)", r"On this table, leaving each row's \(n, p\) out of the fit: "
                                                 r"(\d+ of \d+ agree, \d+ MISMATCH, \d+ UNRELIABLE)"),
      ("count-weighted vs distinct minima", r"Count-weighted \(last column, \d+ rows.*?\): (\d+ agree, \d+ MISMATCH)")],
     None),
    ("basin_weighting.md",
     "basin volume of each minimum measured on complete enumerations (law (B1)), and the circuit model tilted by "
     "it at larger p",
     "measured; part 2 out of sample, its last column post hoc",
     [("(B1) at p = 8 applied to larger p", r"^- (\d+ of \d+ rows agree, \d+ MISMATCH)\."),
      ("count-weighted at large p", r"(\d+ of \d+ calibrated configurations agree at \|z\| ≤ 2)")],
     None),
    ("basin_gamma_law.md",
     "(G): the basin exponent α depends on the spectrum and γ only; table rows predicted from other n",
     "declared; (G1) post hoc, then declared for n = 7",
     [("table rows", r"^- (\d+ of \d+ predicted rows agree, \d+ MISMATCH, \d+ UNRELIABLE)"),
      ("n = 7", r"^- (\(G\): \d+ of \d+ agree, \d+ MISMATCH, \d+ UNRELIABLE; \(G1\): \d+ of \d+ agree, \d+ MISMATCH, "
                r"\d+ UNRELIABLE)")],
     None),
    ("basin_scaling_law.md",
     "(G2): log α linear in log p and log d, on 15 new (n, p) rows",
     "declared",
     [("", r"\*\*Result:\*\* (\(G2\) \d+ of \d+ agree, \d+ MISMATCH, \d+ UNRELIABLE \(declared pass: at least \d+\): "
           r"\(G2\) \w+)")],
     None),
    ("basin_ceiling_law.md",
     "(G3) with the ceiling law (B1'), the law `optimiser_minima` reports: near the transition, on (G2)'s rows, "
     "at n = 3",
     "declared (three tests)",
     [("γ = 0.625, 0.875", r"\*\*Result:\*\* (\(G3\) \d+ of \d+ agree, \d+ MISMATCH, \d+ UNRELIABLE "
                           r"\(declared pass: at least \d+\): \(G3\) \w+)"),
      ("(G2)'s rows", r"(?s)## Second declared test: [^\n]*\(declared [^\n]*\n.*?\*\*Result:\*\* "
                      r"(\(G3\) \d+ agree, \d+ MISMATCH, \d+ UNRELIABLE: \w+)"),
      ("n = 3", r"(?s)## Third declared test: n = 3 \(declared [^\n]*\n.*?\*\*Result:\*\* "
                r"(\(G3\) \d+ agree, \d+ MISMATCH, \d+ UNRELIABLE: \w+)")],
     None),
    ("empirical_ci_coverage.md",
     "(C): coverage of the table's 8-instance bootstrap interval of the median",
     "declared",
     [("", r"\*\*Result:\*\* (\d+ of \d+ intervals cover the reference, coverage [\d.]+ \(nominal [\d.]+\); "
           r"\(C\) \w+)")],
     None),
    ("circuit_model_convergence.md",
     "(K1) the circuit model is unbiased at γ = 0.75 (focused ladder, 4× the draws); (K2) it lies above the "
     "optimiser there",
     "declared",
     [("", r"^- (\(K1\) [^:]*: holds in \d+ of \d+ rows)"), ("", r"^- (\(K2\) [^:]*: holds in \d+ of \d+ rows)")],
     None),
    ("deep_ladder.md",
     "plain against deep tilt ladders of the circuit model near the transition (γ = 0.75, 0.875)",
     "post hoc",
     [("", r"^- (Rows with a plain-ladder law: \d+ of \d+)"),
      ("plain vs deep replicates at γ = 0.75", r"^- (\|z\| > 2 in \d+ of \d+ rows)")],
     None),
    ("small_loss_law.md",
     "the small-loss law ρ_0(F) ∝ (F − E0)^β, β = (p_c − p)/2 − 1, on the circuit model's draws",
     "test of a derived law, stated pass rule",
     [("", r"^\*\*(\d+ of \d+ rows pass)\.\*\*")],
     None),
    ("asymptotic_edge.md",
     "the asymptotic edge and concentration levels against finite-size medians at n = 4–6",
     "descriptive",
     [("", r"(At these sizes both sit far above f_e: the convergence to the edge is slow)")],
     None),
    ("published_vs_engine.md",
     "published formulas (MP edge, Nat. Commun. mode) against the engine's isotropic WHRF",
     "descriptive",
     [("", r"(neither matches across γ, so the factor-2 question \(docs/theory\.md §[\d.]+\) stays open)")],
     None),
    ("heldout_predict.md",
     "`predict`'s default against simulated circuits on 18 settings outside every table and calibration",
     "declared",
     HELDOUT_EXTRACTS,
     "results not yet in the page"),
    ("edge_law.md",
     "the finite-size edge law (docs/theory.md §19) against the exact circuit model (n = 4-6, three spectra) and "
     "simulated circuits (n = 4-8)",
     "post hoc (no fitted constant)",
     [("", r"(Mean log\(edge / circuit model\) by γ \(rows with a law\): [^\n]*)")],
     None),
    ("edge_spread.md",
     "the edge law with the state's spread integrated out instead of typical (multi-level spectra) against the exact "
     "circuit model (n = 4-6) and the n = 7-8 held-out rows",
     "post hoc (no fitted constant)",
     [("", r"(Mean \|log ratio\|: [^\n]*)")],
     None),
    ("edge_fixes.md",
     "two optional changes to the circuit edge law (a cap by the second eigenvalue's reading; a range that covers the "
     "optimiser-found law) against the exact circuit model (n = 4-6) and every n = 7-8 held-out row, paired",
     "post hoc (nothing fitted; neither became the default)",
     [("", r"^Over the (\d+ rows with a law in every variant — [^\n]*)")],
     None),
    ("circuit_edge.md",
     "the circuit edge law (docs/theory.md §20): why circuits' Hessians are not the normalised-state model's, and the "
     "law against the exact circuit model (n = 4-6) and simulated circuits (n = 4-8, incl. the held-out rows)",
     "post hoc (Hessian factor sampled, no fitted constant; optimiser law uses (G3))",
     [("", r"(Mean log\(circuit edge / circuit model\) by γ: [^\n]*)")],
     None),
    ("heldout_n56.md",
     "`predict`'s default against simulated circuits at n = 5 and 6, second test (18 settings, new spectra, after the "
     "circuit edge law joined auto)",
     "declared",
     HELDOUT_EXTRACTS,
     "results not yet in the page"),
    ("heldout_ess.md",
     "`predict`'s default against simulated circuits at n = 5 and 6, third test (18 settings, new spectra), after "
     "auto's fallback from a circuit-model law with fewer than 30 effective draws; the fallback against the circuit "
     "model's own answer",
     "declared (rule motivated post hoc)",
     HELDOUT_EXTRACTS,
     "results not yet in the page"),
    ("heldout_n8.md",
     "`predict`'s default against simulated circuits at n = 7 and 8 (18 settings; the circuit edge law's first "
     "held-out test)",
     "declared",
     HELDOUT_EXTRACTS,
     "results not yet in the page"),
    ("heldout_n78.md",
     "`predict`'s default against simulated circuits at n = 7 and 8, second test (21 settings, new spectra incl. "
     "Pauli Hamiltonians, after the circuit edge law's edge terms)",
     "declared",
     HELDOUT_EXTRACTS,
     "declared, not yet run"),
    ("heldout_n78_ml.md",
     "`predict`'s default against simulated circuits at n = 7 and 8, third test (18 settings, multi-level spectra at "
     "γ ≤ 0.375, after auto started to answer them with the circuit edge law)",
     "declared",
     HELDOUT_EXTRACTS,
     "declared, not yet run"),
    ("edge_terms.md",
     "the circuit edge law with and without the edge terms of docs/theory.md §20.3 (paired), against the exact "
     "circuit model (n = 5-6) and simulated circuits (n = 5-8)",
     "post hoc (terms derived from the GOE; nothing fitted)",
     [("", r"^Mean log ratio to the circuit model \(mean \|log\|\), old → new: (.*)\.$")],
     None),
    ("structured_minima.md",
     "`predict --generators-file` (the JAWS laws of deep structured circuits, docs/theory.md §10.4) against certified "
     "minima of simulated structured circuits: three presets, two Hamiltonians, n = 5, 6",
     "declared",
     [("", r"(Inside \[q10, q90\]: \d+ of \d+; within a factor 2: \d+ of \d+)"),
      ("", r"(Declared rule: \w+)\.")],
     "results not yet in the page"),
    ("structured_transition.md",
     "`overparam --hamiltonian`'s landscape transition of structured circuits against where certified minima switch "
     "to the optimum, 16 new circuits at n = 3-5 in two declared rounds",
     "declared (two rounds; the second rule revised after the first)",
     [("within 2 (must-show item not met), round 1", r"^- The must-show item \(\"within 2 on circuits and Hamiltonians not in this repository\"\) is \*\*not met\*\*: "
           r"(\d+ of \d+\s*$)"),
      ("round 2", r"^  in round 1 \(first rule\), (\d+ of \d+) in round 2")],
     None),
    ("heldout_n7.md",
     "`predict`'s default against simulated circuits at n = 7 (9 settings; the edge law's first held-out test)",
     "declared",
     HELDOUT_EXTRACTS,
     "results not yet in the page"),
    ("circuit_model.md",
     "the exact circuit model: why it is exact, what it fixes against the Gaussian surrogate, sampling near the "
     "transition (written by hand; tables from `validation/surrogate_vs_circuit_counts.py` and dated runs)",
     "measurements",
     [],
     "–"),
    ("validated.md",
     "every registered check of validate --full and the optimiser law's table rows and declared tests: what is "
     "compared, region, passed / total, registered failures with their reasons (the README shows the counts)",
     "summary",
     [("", r"(\d+ of \d+ checks pass, \d+ fail as registered)")],
     None),
    ("heldout_predictive.md",
     "`predict`'s default against simulated circuits at n = 7 and 8, fourth test (18 settings: the fidelity, a "
     "projector, a general diagonal spectrum, γ = 0.125–0.5), after the optimiser-found law became predictive "
     "(averaged over the basin exponent's fit uncertainty)",
     "declared",
     HELDOUT_EXTRACTS,
     "declared, not yet run"),
    ("column8_throughput.md",
     "issue 22's throughput target: paper-fig1's n = 8, γ = 1 column (52 instances) in 30 min on 2 cores, every "
     "run certified; runs with the host's speed, the phase split and the variants tried",
     "benchmark against a stated target",
     [("", r"^Latest run \(.*?\): (\d+ of \d+ certified in [\d.]+ min: target (?:met|not met))\.")],
     None),
    ("results_log_v0.1.md",
     "the 0.1 README's dated results log, kept as written",
     "history",
     [],
     "–"),
)


def title(text: str) -> str:
    return text.splitlines()[0].lstrip("# ").strip()


def verdict(text: str, patterns: list[tuple[str, str]], fallback: str | None, page: str) -> str:
    parts = []
    for label, pat in patterns:
        m = re.search(pat, text, re.MULTILINE)
        if m is None:
            if fallback is not None:
                return fallback
            raise RuntimeError(f"docs/studies/{page}: no verdict matching {pat!r}; update validation/render_index.py")
        parts.append(f"{label}: {m.group(1)}" if label else m.group(1))
    return "; ".join(parts) or (fallback or "–")


def _cell(s: str) -> str:
    return s.replace("|", "\\|")


def render() -> str:
    pages = sorted(f for f in os.listdir(STUDIES_DIR) if f.endswith(".md") and f != "README.md")
    missing = sorted(set(pages) - {s[0] for s in STUDIES})
    if missing:
        raise RuntimeError(f"docs/studies/ pages without an index entry in validation/render_index.py: {missing}")
    lines = ["# Studies", "",
             "Generated by `python -m validation.render_index` from the pages in this folder; do not edit by hand. "
             "Most pages are themselves generated by the script they name (`--render-only` re-renders a page from "
             "its committed results). The README's validated table: `python -m validation.render_readme_tables`.",
             "", "| study | what it tests | declared or post hoc | verdict (from the page) |", "|---|---|---|---|"]
    for page, what, kind, patterns, fallback in STUDIES:
        path = os.path.join(STUDIES_DIR, page)
        if not os.path.exists(path):
            raise RuntimeError(f"docs/studies/{page} is listed in validation/render_index.py but missing")
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        lines.append(f"| [{_cell(title(text))}]({page}) | {_cell(what)} | {kind} | "
                     f"{_cell(verdict(text, patterns, fallback, page))} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/studies/README.md is not the rendered one")
    a = ap.parse_args(argv)
    text = render()
    old = open(INDEX, encoding="utf-8").read() if os.path.exists(INDEX) else None
    if a.check:
        print("docs/studies/README.md is " + ("current" if old == text else "STALE: run validation/render_index.py"))
        return 0 if old == text else 1
    if old != text:
        from rmt_qgm.store import atomic_write_bytes
        atomic_write_bytes(INDEX, text.encode())
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
