"""The repository cites only itself for its theory (issue 21): no reference to working notes outside the
repository (the notes' file names, or a bare "THEORY <section>"), and every "docs/theory.md §X.Y" citation
names a section that exists as a numbered heading of docs/theory.md."""
from __future__ import annotations

import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THEORY_DOC = os.path.join(ROOT, "docs", "theory.md")
THIS = os.path.relpath(os.path.abspath(__file__), ROOT).replace(os.sep, "/")

#: references to documents that are not in the repository
FORBIDDEN = [
    re.compile(r"\bTHEORY(?:\.md\b|\s*§|\s+\d|\s+sections?\b|\s+open question)"),
    re.compile(r"\bDESIGN\.md\b", re.IGNORECASE),
    re.compile(r"\.\./shared\b", re.IGNORECASE),
    re.compile(r"\bshared\s+folder\b", re.IGNORECASE),
]
NUM = r"\d+(?:\.\d+)?"
#: "docs/theory.md §5.5", "§5.1–5.3", "§4, §5.5", "§6.3 and §9.8": one citation chain
CHAIN_HEAD = re.compile(r"docs/theory\.md")
CHAIN_ITEM = re.compile(rf"(?:\s*,\s*|\s+and\s+|\s*)§({NUM})(?:\s*[-–]\s*({NUM}))?")
HEADING = re.compile(rf"^#{{2,6}}\s+({NUM})\.?\s", re.MULTILINE)
#: directories never scanned (build output, environments, generated data)
SKIP_DIRS = {".git", ".hypothesis", ".benchmarks", ".pytest_cache", "__pycache__", "node_modules", "build", "dist",
             ".venv", "venv", ".ci-venv", "env"}


def _skipped(rel: str) -> bool:
    parts = rel.split("/")
    if any(p in SKIP_DIRS or p.endswith(".egg-info") for p in parts[:-1]):
        return True
    # generated data: results directories are scanned for their rendered Markdown only
    return "results" in parts[:-1] and not rel.endswith(".md")


def repository_files() -> list[str]:
    """Tracked files (git ls-files); without git, every file under the root outside SKIP_DIRS."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60)
        rels = [r for r in out.stdout.decode("utf-8", "surrogateescape").split("\0") if r]
    except (OSError, subprocess.SubprocessError):
        rels = None
    if not rels:
        rels = []
        for dirpath, dirnames, filenames in os.walk(ROOT):
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")]
            for name in filenames:
                rels.append(os.path.relpath(os.path.join(dirpath, name), ROOT).replace(os.sep, "/"))
    return sorted(r for r in rels if not _skipped(r))


def read_text(rel: str) -> str | None:
    """The file's text, or None for binary or missing files."""
    try:
        with open(os.path.join(ROOT, rel), "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", errors="replace")


def theory_sections(text: str) -> set[str]:
    """Numbers of the numbered headings of docs/theory.md ("## 5. Kac–Rice" -> "5", "### 5.5 ..." -> "5.5")."""
    return set(HEADING.findall(text))


def cited_sections(text: str) -> list[tuple[int, str]]:
    """(line, section) for every section named by a "docs/theory.md §..." citation chain in ``text``; a range
    "§5.1–5.3" names both ends."""
    out = []
    for head in CHAIN_HEAD.finditer(text):
        pos = head.end()
        while True:
            m = CHAIN_ITEM.match(text, pos)
            if not m:
                break
            line = text.count("\n", 0, m.start(1)) + 1
            out.extend((line, s) for s in m.groups() if s)
            pos = m.end()
    return out


def forbidden_references(text: str) -> list[tuple[int, str]]:
    """(line, line text) of every line with a reference to a document outside the repository."""
    return [(i, line.strip()) for i, line in enumerate(text.splitlines(), 1)
            if any(p.search(line) for p in FORBIDDEN)]


def test_no_reference_to_notes_outside_the_repository():
    bad = []
    for rel in repository_files():
        if rel == THIS:
            continue
        text = read_text(rel)
        if text is not None:
            bad += [f"{rel}:{i}: {line[:160]}" for i, line in forbidden_references(text)]
    assert not bad, "references to documents outside the repository (cite docs/theory.md §X.Y):\n" + "\n".join(bad)


def test_every_theory_citation_names_an_existing_section():
    with open(THEORY_DOC, encoding="utf-8") as fh:
        sections = theory_sections(fh.read())
    assert {"1.2", "5.5", "9.8"} <= sections         # the headings carry their numbers
    bad = []
    for rel in sorted(set(repository_files()) | {"docs/theory.md"}):
        text = read_text(rel)
        if text is not None and rel != THIS:
            bad += [f"{rel}:{line}: §{s}" for line, s in cited_sections(text) if s not in sections]
    assert not bad, "citations of sections that docs/theory.md does not have:\n" + "\n".join(bad)


def test_internal_section_references_of_the_theory_document_exist():
    with open(THEORY_DOC, encoding="utf-8") as fh:
        text = fh.read()
    sections = theory_sections(text)
    bad = []
    for m in re.finditer(rf"§({NUM})(?:\s*[-–]\s*({NUM}))?", text):
        line = text.count("\n", 0, m.start()) + 1
        bad += [f"docs/theory.md:{line}: §{s}" for s in m.groups() if s and s not in sections]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("text, expected", [
    ("see docs/theory.md §5.5 (*)", ["5.5"]),
    ("(docs/theory.md §5.1–5.3, derivations/step_05)", ["5.1", "5.3"]),
    ("docs/theory.md §4, §5.5; other", ["4", "5.5"]),
    ("docs/theory.md §6.3 and §9.8, open question 8", ["6.3", "9.8"]),
    ("docs/theory.md\n    §5.8)", ["5.8"]),
    ("docs/theory.md (the repository's theory)", []),
])
def test_citation_parser(text, expected):
    assert [s for _, s in cited_sections(text)] == expected


def test_checks_can_fail():
    """The checks see a missing section and a reference to the external notes."""
    assert "99.9" not in theory_sections("## 9. Open questions\n### 9.8 Basin weighting\n")
    assert theory_sections("## 9. Open questions\n### 9.8 Basin weighting\n") == {"9", "9.8"}
    notes = "THEORY" + ".md"                          # split so that this file does not match itself
    for line in (f"see {notes} 5.5", "THEORY" + " 5.5", "THEORY" + " §5.5", "THEORY" + " open question 8",
                 "DESIGN" + ".md", "../" + "shared/x", "in the project's shared " + "folder"):
        assert forbidden_references(line), line
    for line in ("docs/theory.md §5.5", "docs/studies/circuits_vs_theory.md", "the theory of 5 qubits"):
        assert not forbidden_references(line), line
