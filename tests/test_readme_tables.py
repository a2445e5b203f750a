"""The README's "What is validated, how well" table, its full version docs/studies/validated.md and
docs/studies/README.md are generated, not typed: each equals what its script renders from the committed results,
and every passed/total count of the full table equals a recount from validation/results/full/report.json (or, for
the rows of the engine's optimiser-found law, agrees with the study pages' own counts); the README's counts are the
full table's."""
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
def readme_block() -> str:
    b = T.block_of(_readme())
    assert b is not None, "README.md has no <!-- validated-table:start/end --> block"
    return b


@pytest.fixture(scope="module")
def block() -> str:
    """The full table (docs/studies/validated.md)."""
    with open(T.PAGE, encoding="utf-8") as fh:
        return fh.read()


def test_readme_block_and_page_are_the_rendered_ones(readme_block, block):
    assert readme_block == T.render(), ("README.md's validated table differs from what "
                                        "validation/render_readme_tables.py renders: run it (and commit) instead of "
                                        "editing the table by hand")
    assert block == T.render_page(), "docs/studies/validated.md is stale: run python -m validation.render_readme_tables"


def test_readme_counts_are_the_full_tables(readme_block, block):
    full = {c[0]: c[3] for c in _rows(block)}
    short = {c[0]: c[1] for c in _rows(readme_block)}
    assert short == full


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


def test_doc_links_resolve(readme_block, block):
    for target in re.findall(r"\]\(([^)#]+)\)", readme_block):
        assert os.path.exists(os.path.join(ROOT, target)), target
    for target in re.findall(r"\]\(([^)#]+)\)", block):
        assert os.path.exists(os.path.join(os.path.dirname(T.PAGE), target)), target
    with open(render_index.INDEX, encoding="utf-8") as fh:
        for target in re.findall(r"\]\(([^)#]+)\)", fh.read()):
            assert os.path.exists(os.path.join(os.path.dirname(render_index.INDEX), target)), target


def test_markers_are_inserted_when_missing():
    text = "# x\n\nbody\n"
    out = T.updated(text, T.START + "\nrow\n" + T.END)
    assert out.startswith(text.rstrip("\n")) and T.block_of(out) == T.START + "\nrow\n" + T.END
    assert T.updated(out, T.START + "\nnew\n" + T.END).count("row") == 0


def test_throughput_page_is_the_rendered_one():
    """docs/studies/column8_throughput.md is what benchmarks/render_throughput.py renders from the recorded runs."""
    import importlib.util
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    spec = importlib.util.spec_from_file_location("render_throughput",
                                                  os.path.join(root, "benchmarks", "render_throughput.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--check"]) == 0, "stale: run python benchmarks/render_throughput.py"
