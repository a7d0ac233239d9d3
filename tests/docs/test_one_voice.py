"""One voice: exit codes the same in README, docs, help and behaviour (with the reason for
forever-bivalent's 0 stated wherever the code is documented); the multi-class file rule the
same in docs and CLI."""

from __future__ import annotations

from click.testing import CliRunner

from flpcheck.analysis.verdict import VERDICTS, Verdict
from flpcheck.cli import main

from ..paths import ROOT

REASON = "finding it is the theorem, not a defect"


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_each_verdicts_exit_code_is_the_one_documented_with_its_reason():
    """The first five verdicts exit 1, the last two 0 (behaviour: Verdict.exit_code); the
    README, the quick start, the semantics page, the errors page and `witness --help` say so
    and say why forever-bivalent's code is 0."""
    codes = {v: Verdict(v, True, "", 1).exit_code for v in VERDICTS}
    assert [codes[v] for v in VERDICTS] == [1, 1, 1, 1, 1, 0, 0]
    help_text = _flat(CliRunner().invoke(main, ["witness", "--help"]).output)
    assert "exit 1 for the first five, 0 for the last two" in help_text and REASON in help_text
    for page in ("README.md", "docs/quickstart.md", "docs/guide/semantics.md",
                 "docs/reference/errors.md"):
        text = _flat((ROOT / page).read_text())
        assert "forever-bivalent" in text and REASON in text, page
    readme = _flat((ROOT / "README.md").read_text())
    assert "`not-crash-tolerant` (exit code 1" in readme
    assert "`none-found` (exit code 0" in readme


def test_a_file_with_several_classes_is_exit_2_as_the_models_page_says():
    result = CliRunner().invoke(main, ["explore", str(ROOT / "tests/fixtures/bad/two_protocols.py")])
    assert result.exit_code == 2 and "defines several Protocol subclasses" in result.output
    page = _flat((ROOT / "docs/guide/models.md").read_text())
    assert "stops with exit code 2 and names them" in page and "asks" not in page.split(
        "A file may define several subclasses")[1][:300]
