"""The studies of validation/ on their one shared runner (validation/common.py, issue 21 item 3).

- Every study module declares ``STUDY`` (a :class:`validation.common.Study`) and runs through
  ``STUDY.main()``; no study repeats the skeleton (its own argument parser, sys.path edits, page writing).
- The runner: a run writes the summary atomically and renders the page from the file written;
  ``--render-only`` never calls the run; ``--out`` moves the page; a mode that returns STOP renders nothing;
  bad arguments exit 2.
- Every page in docs/studies/ that a study renders is exactly what its committed summary renders
  (``--render-only`` reproduces the committed page: the numbers and verdicts in docs/ come from the
  committed results, and a results change without its page fails here).
"""
from __future__ import annotations

import ast
import importlib
import json
import os

import pytest

from validation.common import STOP, Study

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VALIDATION = os.path.join(ROOT, "validation")
#: modules of validation/ that are not studies: the package, the runner and shared helpers, the circuit-model
#: cache, the raw-results archives (artefacts), and the two index renderers (README table,
#: docs/studies/README.md) with their own --check
NOT_STUDIES = {"__init__", "common", "circuit_model_cache", "artefacts", "render_index", "render_readme_tables"}
STUDIES = sorted(f[:-3] for f in os.listdir(VALIDATION) if f.endswith(".py") and f[:-3] not in NOT_STUDIES)


def test_there_are_studies():
    assert len(STUDIES) >= 13, STUDIES


@pytest.mark.parametrize("name", STUDIES)
def test_each_study_declares_one_study_and_no_skeleton_of_its_own(name):
    path = os.path.join(VALIDATION, name + ".py")
    with open(path, encoding="utf-8") as fh:
        src = fh.read()
    tree = ast.parse(src)
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert "argparse" not in imported, f"{name}: parses its own arguments (use Study(options=...))"
    assert "sys.path" not in src, f"{name}: edits sys.path (import the package `validation` instead)"
    assert '"docs", "studies"' not in src, f"{name}: writes its page itself (the runner writes it)"
    assert "if __name__ == \"__main__\":\n    sys.exit(STUDY.main())" in src, name
    mod = importlib.import_module(f"validation.{name}")
    assert isinstance(mod.STUDY, Study) and mod.STUDY.name == name


def test_no_sys_path_edits_anywhere_in_validation():
    for f in sorted(os.listdir(VALIDATION)):
        if f.endswith(".py"):
            with open(os.path.join(VALIDATION, f), encoding="utf-8") as fh:
                assert "sys.path" not in fh.read(), f


_DEFAULT = object()


def _toy(tmp_path, calls, result=_DEFAULT):
    summary = str(tmp_path / "results" / "toy" / "summary.json")

    def run(a):
        calls.append(a)
        return {"x": a.x, "workers": a.workers} if result is _DEFAULT else result

    def options(ap):
        ap.add_argument("--x", type=int, default=1)

    return Study("toy", doc="toy.md", summary=summary, run=run, options=options,
                 render=lambda s: f"x = {s['x']}, keys {sorted(s)}\n", description="A toy study.\nMore.")


def test_runner_runs_writes_the_summary_and_renders_from_it(tmp_path):
    calls = []
    st = _toy(tmp_path, calls)
    out = tmp_path / "pages"
    assert st.main(["--x", "5", "--workers", "3", "--out", str(out)]) == 0
    assert len(calls) == 1 and calls[0].workers == 3
    with open(st.summary, encoding="utf-8") as fh:
        assert json.load(fh) == {"x": 5, "workers": 3}
    assert (out / "toy.md").read_text() == "x = 5, keys ['workers', 'x']\n"
    assert not [f for f in os.listdir(os.path.dirname(st.summary)) if f != "summary.json"]   # no temp files left


def test_render_only_never_runs(tmp_path):
    calls = []
    st = _toy(tmp_path, calls)
    os.makedirs(os.path.dirname(st.summary))
    with open(st.summary, "w", encoding="utf-8") as fh:
        json.dump({"x": 7}, fh)
    assert st.main(["--render-only", "--out", str(tmp_path)]) == 0
    assert calls == [] and (tmp_path / "toy.md").read_text() == "x = 7, keys ['x']\n"


def test_stop_renders_nothing_and_none_renders_the_stored_summary(tmp_path):
    calls = []
    st = _toy(tmp_path, calls, result=STOP)
    assert st.main(["--out", str(tmp_path)]) == 0
    assert not (tmp_path / "toy.md").exists() and not os.path.exists(st.summary)
    st = _toy(tmp_path, calls, result=None)
    with pytest.raises(FileNotFoundError):          # nothing stored yet: None is not a summary
        st.main(["--out", str(tmp_path)])


def test_bad_arguments_exit_2(tmp_path, capsys):
    calls = []
    assert _toy(tmp_path, calls).main(["--workers", "0"]) == 2
    nosummary = Study("printer", doc=None, run=lambda a: {"v": 1}, render=lambda s: f"v={s['v']}")
    assert nosummary.main(["--render-only"]) == 2
    assert nosummary.main([]) == 0 and "v=1" in capsys.readouterr().out
    assert calls == []


def _rendering_studies():
    out = []
    for name in STUDIES:
        st = importlib.import_module(f"validation.{name}").STUDY
        if st.summary is not None and st.doc is not None:
            out.append(name)
    return out


@pytest.mark.parametrize("name", _rendering_studies())
def test_committed_page_is_what_the_committed_summary_renders(name):
    st = importlib.import_module(f"validation.{name}").STUDY
    with open(st.page_path(), encoding="utf-8") as fh:
        page = fh.read()
    if st.summary is not None and not os.path.exists(st.summary):
        # a declared study not run yet: its page is the declaration and says so
        assert "## Results\n\nNot run yet." in page, f"{st.summary} missing and {st.doc} does not say 'Not run yet.'"
        return
    assert st.render_stored() == page, (f"docs/studies/{st.doc} differs from what its committed summary renders: "
                                        f"run python -m validation.{name} --render-only (and commit)")
