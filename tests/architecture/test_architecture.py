"""The package's structure: layers that import only downwards, no import cycle, small modules.

The layers are declared in setup.cfg ([importlinter]): cli > api > output > analysis >
explorer | sync > model > errors.
"""

from __future__ import annotations

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
