"""The README's "What is validated, how well" table and docs/studies/README.md are generated, not typed
(issue 21): each equals what its script renders from the committed results, and every passed/total count in the
README's table equals a recount from validation/results/full/report.json (or, for the rows of the engine's
optimiser-found law, agrees with the study pages' own counts)."""
from __future__ import annotations

import json
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from validation import render_index  # noqa: E402
from validation import render_readme_tables as T  # noqa: E402

REPORT = os.path.join(ROOT, "validation", "results", "full", "report.json")


def _readme() -> str:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        return fh.read()


def _rows(block: str) -> list[list[str]]:
    """Cells of the table's body rows."""
    rows = [ln for ln in block.splitlines() if ln.startswith("| ") and not ln.startswith("| check ")]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", ln)[1:-1]] for ln in rows]


@pytest.fixture(scope="module")
def block() -> str:
    b = T.block_of(_readme())
    assert b is not None, "README.md has no <!-- validated-table:start/end --> block"
    return b


def test_readme_block_is_the_rendered_one(block):
    assert block == T.render(), ("README.md's validated table differs from what validation/render_readme_tables.py "
                                 "renders: run it (and commit) instead of editing the table by hand")


def test_studies_index_is_the_rendered_one():
    with open(render_index.INDEX, encoding="utf-8") as fh:
        assert fh.read() == render_index.render(), "docs/studies/README.md is stale: run python -m validation.render_index"


def _recount(checks: list[dict], names: list[str], model: str | None) -> tuple[int, int]:
    """passed and total of the report's checks named ``names`` (and comparing with ``model``), counted here
    independently of the renderer."""
    aliases = {"whrf": {"whrf", "isotropic WHRF"}, "circuit": {"circuit", "circuit (exact)"},
               "spherical": {"spherical"}}
    sel = [c for c in checks if c["name"] in names
           and (model is None or c["params"].get("model", "circuit") in aliases[model])]
    return sum(bool(c["passed"]) for c in sel), len(sel)


def test_report_counts_equal_a_recount(block):
    with open(REPORT, encoding="utf-8") as fh:
        checks = json.load(fh)["checks"]
    seen = 0
    for cells in _rows(block):
        names = re.findall(r"`([a-z-]+(?:/[a-z-]+)?)`", cells[0])
        if not names or "optimiser_minima" in cells[0]:
            continue
        m = re.search(r"\((\w+)\)$", cells[0])
        passed, total = map(int, cells[3].split("/"))
        assert (passed, total) == _recount(checks, names, m.group(1) if m else None), cells[0]
        seen += total
    assert seen == len(checks)            # every check of the report is in exactly one row


def test_optimiser_law_counts_agree_with_the_study_pages(block):
    rows = {cells[0]: cells for cells in _rows(block)}
    loo = rows["table rows: `optimiser_minima`"][3]
    with open(os.path.join(ROOT, "docs", "studies", "circuits_vs_theory.md"), encoding="utf-8") as fh:
        cvt = fh.read()
    m = re.search(r"On this table, leaving each row's \(n, p\) out of the fit: (\d+) of (\d+) agree", cvt)
    assert m and loo == f"{m.group(1)}/{m.group(2)}"
    with open(os.path.join(ROOT, "docs", "studies", "basin_ceiling_law.md"), encoding="utf-8") as fh:
        ceiling = fh.read()
    first = re.search(r"\*\*Result:\*\* \(G3\) (\d+) of (\d+) agree", ceiling)
    second = re.search(r"## Second declared test: [^\n]*\(declared [^\n]*\n.*?\*\*Result:\*\* \(G3\) (\d+) agree, "
                       r"(\d+) MISMATCH, (\d+) UNRELIABLE", ceiling, re.S)
    third = re.search(r"## Third declared test: n = 3 \(declared [^\n]*\n.*?\*\*Result:\*\* \(G3\) (\d+) agree, "
                      r"(\d+) MISMATCH, (\d+) UNRELIABLE", ceiling, re.S)
    cells = rows["declared tests: `optimiser_minima`"][3].split("; ")
    assert cells[0] == f"{first.group(1)}/{first.group(2)}"
    for cell, m in zip(cells[1:], (second, third)):
        agree, total = map(int, cell.split("/"))
        # the page counts agree, MISMATCH, UNRELIABLE; rows without any law make up the rest of the total
        assert agree == int(m.group(1)) and total >= sum(int(g) for g in m.groups())


def test_doc_links_resolve(block):
    for target in re.findall(r"\]\(([^)#]+)\)", block):
        assert os.path.exists(os.path.join(ROOT, target)), target
    with open(render_index.INDEX, encoding="utf-8") as fh:
        for target in re.findall(r"\]\(([^)#]+)\)", fh.read()):
            assert os.path.exists(os.path.join(os.path.dirname(render_index.INDEX), target)), target


def test_markers_are_inserted_when_missing():
    text = "# x\n\nbody\n"
    out = T.updated(text, T.START + "\nrow\n" + T.END)
    assert out.startswith(text.rstrip("\n")) and T.block_of(out) == T.START + "\nrow\n" + T.END
    assert T.updated(out, T.START + "\nnew\n" + T.END).count("row") == 0
