"""No import cycles in the package or the validation scripts (issue 21).

Every module of rmt_qgm/ and every script of validation/ is parsed with ``ast``; every import statement
counts, at module level or inside a function, relative or absolute. The studies import each other as the
package ``validation`` (``from validation.common import ...``); a bare ``import X`` / ``from X import ...``
in validation/ (the older style, run with validation/ on sys.path) still names validation/X.py when that file
exists. ``from P import name`` is an edge to the
module P.name when that is a module, else to P. A parent package that Python initialises on the way is
not an edge (it is already being imported when its submodule runs).
"""
from __future__ import annotations

import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def module_files(root: str = ROOT, package: str = "rmt_qgm", scripts: str = "validation") -> dict[str, str]:
    """{dotted module name: path} for the package's modules and the scripts (named ``scripts.stem``)."""
    mods = {}
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, package)):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for f in filenames:
            if f.endswith(".py"):
                parts = os.path.relpath(os.path.join(dirpath, f), root)[:-3].split(os.sep)
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                mods[".".join(parts)] = os.path.join(dirpath, f)
    sdir = os.path.join(root, scripts)
    if os.path.isdir(sdir):
        for f in sorted(os.listdir(sdir)):
            if f.endswith(".py"):
                mods[f"{scripts}.{f[:-3]}"] = os.path.join(sdir, f)
    return mods


def imports_of(name: str, path: str, mods: dict[str, str], scripts: str = "validation") -> set[str]:
    """The modules of ``mods`` that module ``name`` (file ``path``) imports anywhere in its body."""
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), filename=path)
    is_script = name.startswith(scripts + ".")
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]

    def local(target: str) -> str:
        return f"{scripts}.{target}" if is_script and f"{scripts}.{target}" in mods else target

    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = local(alias.name)
                while target and target not in mods:        # import a.b.c where only a.b is ours
                    target = target.rpartition(".")[0]
                if target:
                    out.add(target)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = local(node.module)
            for alias in node.names:
                if f"{target}.{alias.name}" in mods:
                    out.add(f"{target}.{alias.name}")
                elif target in mods:
                    out.add(target)
    out.discard(name)
    return out


def import_graph(mods: dict[str, str]) -> dict[str, set[str]]:
    return {name: imports_of(name, path, mods) for name, path in mods.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (a -> b -> ... -> a) per strongly connected component with more than one module."""
    index, low, stack, on_stack, sccs = {}, {}, [], set(), []

    def visit(v):                                     # Tarjan (recursive; the graphs are small)
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(set(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    cycles = []
    for comp in sccs:                                 # shortest path from the component's first module back to it
        start = min(comp)
        prev, frontier, found = {start: None}, [start], None
        while frontier and found is None:
            nxt = []
            for v in frontier:
                for w in sorted(graph[v] & comp):
                    if w == start:
                        found = v
                        break
                    if w not in prev:
                        prev[w] = v
                        nxt.append(w)
                if found is not None:
                    break
            frontier = nxt
        path, v = [], found
        while v is not None:
            path.append(v)
            v = prev[v]
        cycles.append(path[::-1] + [start])
    return cycles


def test_no_import_cycles_in_the_package_and_the_validation_scripts():
    cycles = find_cycles(import_graph(module_files()))
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_graph_sees_function_level_relative_and_script_imports():
    """Edges the test relies on exist, so an empty graph cannot pass it."""
    g = import_graph(module_files())
    assert "rmt_qgm.analysis" in g["rmt_qgm.validate.checks"]              # module level, relative ..
    assert "rmt_qgm.analysis" in g["rmt_qgm.figures"]
    assert "rmt_qgm.paper_fig1" in g["rmt_qgm.figures"]                    # function level
    assert "rmt_qgm.theory.models.circuit" in g["rmt_qgm.validate.checks"]  # function level, relative ..
    assert "validation.common" in g["validation.basin_gamma_law"]          # bare script import
    assert "validation.basin_gamma_law" in g["validation.circuits_vs_theory"]   # function level, bare
    assert "rmt_qgm.store" in g["validation.basin_gamma_law"]              # absolute, function level
    # neither of validate and figures imports the other
    assert not any(m.startswith("rmt_qgm.figures") for m in g["rmt_qgm.validate.checks"])
    assert not any(m.startswith("rmt_qgm.validate") for m in g["rmt_qgm.figures"])


def test_a_cycle_is_found_and_named(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from ..c import x\n")      # function level, relative
    (pkg / "c.py").write_text("import pkg.a\nx = 1\n")                          # absolute
    (pkg / "d.py").write_text("from . import c\n")                              # outside the cycle
    scripts = tmp_path / "validation"
    scripts.mkdir()
    (scripts / "s1.py").write_text("import sys\nfrom s2 import y\n")
    (scripts / "s2.py").write_text("def g():\n    import s1\ny = 2\n")
    (scripts / "s3.py").write_text("from s1 import *\n")
    mods = module_files(str(tmp_path), "pkg", "validation")
    g = import_graph(mods)
    assert g["pkg.d"] == {"pkg.c"} and g["validation.s3"] == {"validation.s1"}
    cycles = find_cycles(g)
    assert sorted(cycles) == [["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"],
                              ["validation.s1", "validation.s2", "validation.s1"]]
    (scripts / "s2.py").write_text("y = 2\n")                                   # break one cycle
    assert find_cycles(import_graph(module_files(str(tmp_path), "pkg", "validation"))) == \
        [["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"]]


def test_theory_public_api_resolves():
    """Every name rmt_qgm.theory exports (lazily) exists in the module it names."""
    import rmt_qgm.theory as theory
    for name in theory.__all__:
        assert getattr(theory, name) is not None, name
