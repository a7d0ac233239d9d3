"""The committed notebooks are exactly what notebooks/sources/ generates."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ..paths import ROOT

BUILD = ROOT / "notebooks" / "sources"
SCRIPTS = sorted(BUILD.glob("nb0*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_the_committed_notebook_is_what_its_script_builds(script, tmp_path):
    subprocess.run([sys.executable, str(script)], check=True, capture_output=True,
                   env=dict(os.environ, NOTEBOOKS_OUT=str(tmp_path)))
    (built,) = tmp_path.glob("*.ipynb")
    assert built.read_bytes() == (ROOT / "notebooks" / built.name).read_bytes()


def test_notebook_05_keeps_its_solutions_out_of_the_cells_the_student_edits():
    """Every exercise's edit cell starts from the broken rule, and its solution is in a
    separate cell whose source Jupyter shows collapsed; each solution cell checks itself with
    the check cell's own function (the notebook runs in test_notebooks.py)."""
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / "05_write_your_own.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    edits = {c.source.split("class ", 1)[1].split("(", 1)[0]: c.source for c in code
             if c.source.startswith("# ✏️ edit here") and "class Exercise" in c.source}
    solutions = [c for c in code if c.source.startswith("# solution")]
    assert set(edits) == {"Exercise1", "Exercise2", "Exercise3"}
    assert len(solutions) == 2
    for number, cell in enumerate(solutions, 1):
        assert cell.metadata.get("jupyter") == {"source_hidden": True}
        assert f"class Exercise{number}Solution" in cell.source
        assert f"assert exercise{number}_holds(Exercise{number}Solution)" in cell.source
    # the decisive lines of the solutions are not in the edit cells
    assert "y=votes[0] if len(set(votes)) == 1" in solutions[0].source
    assert "y=votes[0]" not in edits["Exercise1"]
    assert "state.zeros + state.ones == self.processes:" in solutions[1].source
    assert "state.zeros + state.ones == self.processes:" not in edits["Exercise2"]
    # no other cell is collapsed
    hidden = [c for c in nb.cells if c.metadata.get("jupyter", {}).get("source_hidden")]
    assert hidden == solutions
