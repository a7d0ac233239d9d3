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
