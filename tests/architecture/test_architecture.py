"""The package's structure: layers that import only downwards, no import cycle, small modules.

The layers are declared in setup.cfg ([importlinter]): cli > serve > api > output | pipeline >
analysis > explorer | sync | simulate > model > errors; the output layer imports no analysis
function.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys

import grimp
import networkx as nx
from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

from ..paths import ROOT

PACKAGE = ROOT / "flpcheck"


def test_the_layer_contract_holds():
    assert lint_imports(config_filename=str(ROOT / "setup.cfg"), no_cache=True,
                        no_logo=True) == EXIT_STATUS_SUCCESS


def test_no_module_imports_itself_round_a_cycle():
    graph = grimp.build_graph("flpcheck")
    g = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            # a package re-exporting its own modules is how a package exposes them, not a cycle
            if imported.startswith("flpcheck") and not imported.startswith(module + "."):
                g.add_edge(module, imported)
    assert len(g) > 50
    assert list(nx.simple_cycles(g)) == []


def test_no_module_is_over_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 600}
    assert long == {}


def _analysis_names_imported_by_output() -> dict[str, list[str]]:
    """Every name the output layer imports from flpcheck.analysis: {module: [names]}."""
    found: dict[str, list[str]] = {}
    for path in (PACKAGE / "output").rglob("*.py"):
        package = "flpcheck." + ".".join(path.relative_to(PACKAGE).parent.parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("flpcheck.analysis"), (
                        f"{path.name} imports the module {alias.name}")
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")
                module = (".".join(base[:len(base) - node.level + 1] + [node.module or ""])
                          if node.level else node.module or "")
                if module == "flpcheck.analysis" or module.startswith("flpcheck.analysis."):
                    found.setdefault(module, []).extend(a.name for a in node.names)
    return found


def test_the_output_layer_imports_values_from_the_analyses_never_a_function():
    """output/ formats the analyses' results and runs none: from flpcheck.analysis it imports
    result types and constants only (no function, no module it could call into)."""
    found = _analysis_names_imported_by_output()
    assert "flpcheck.analysis.summary" in found  # the test reads real imports
    calls = []
    for module, names in found.items():
        mod = importlib.import_module(module)
        for name in names:
            value = getattr(mod, name)
            if inspect.ismodule(value) or callable(value) and not inspect.isclass(value):
                calls.append(f"{module}.{name}")
    assert calls == []


def test_the_json_api_and_the_model_files_do_not_load_graphviz():
    """serve's JSON API matches receipts with flpcheck.model.receipts, not with the Graphviz
    module; a model file's ``from flpcheck import Protocol`` loads neither Graphviz nor
    networkx."""
    code = ("import sys, flpcheck.serve.app, flpcheck.serve.walk; "
            "print(sorted(m for m in ('graphviz', 'networkx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.split("\n")[0]
    assert "graphviz" not in out
    code = "import sys, flpcheck; print('graphviz' in sys.modules, 'networkx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.strip()
    assert out == "False False"


def test_no_package_docstring_is_a_placeholder():
    placeholders = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
                    if (ast.get_docstring(ast.parse(p.read_text())) or "").strip() in ("TODO",)]
    assert placeholders == []


HOT_LOOPS = {"flpcheck/explorer/simple.py:explore"}
"""Functions allowed past 80 lines: an engine's hot loop, kept in one piece for speed."""


def test_no_function_is_over_80_lines_outside_the_engines_hot_loops():
    long = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                where = f"{path.relative_to(ROOT)}:{node.name}"
                if node.end_lineno - node.lineno + 1 > 80 and where not in HOT_LOOPS:
                    long.append(where)
    assert long == []
