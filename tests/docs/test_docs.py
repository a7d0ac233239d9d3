"""The documentation: the README and the site under docs/ stay true to the code.

The site itself is built by .ci/run (``mkdocs build --strict``, which also fails on a stale
generated page); these tests need only the test extra.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from flpcheck import errors
from flpcheck.analysis.verdict import VERDICT_LINES
from flpcheck.cli import main
from flpcheck.output.schemas import ALL_SCHEMAS

from ..paths import ROOT

DOCS = ROOT / "docs"
README = ROOT / "README.md"
SNIPPETS = DOCS / "_snippets"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"docs_tools_{name}",
                                                  DOCS / "_tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if not p.relative_to(DOCS).parts[0].startswith("_"))


# --- the README ----------------------------------------------------------------------------


def test_the_readme_is_at_most_10_kb():
    assert README.stat().st_size <= 10_000


def test_the_readme_keeps_the_set_up_commands_and_ci_runs_the_test_command():
    text = README.read_text()
    install = ("(command -v dot >/dev/null || (apt-get update && apt-get install -y graphviz)) "
               "&& pip install -e . && flpcheck explore models/paxos.py:Paxos")
    tests = "pip install -e '.[test]' && python -m pytest -q"
    assert install in text and tests in text
    ci = (ROOT / ".ci" / "run").read_text().replace("pip install -q ", "pip install ")
    assert tests in ci


def test_every_link_of_the_readme_exists():
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README.read_text())
    local = [link for link in links if "://" not in link]
    assert any(link.startswith("docs/") for link in local)
    assert [link for link in local if not (ROOT / link).exists()] == []


def test_the_readme_shows_the_real_witness_output():
    snippet = (SNIPPETS / "witness_leader.txt").read_text()
    assert snippet in README.read_text()


# --- citations -----------------------------------------------------------------------------

# Documents outside the repository that nothing in it may cite (built up so that this file
# does not match itself).
_OUTSIDE = re.compile("|".join([r"DESIGN\.md", "DESIGN " + "§", r"\.\./" + "shared",
                                "shared/" + "seed", r"\bseed/", r"\blecture", r"\bslides?\b"]),
                      re.IGNORECASE)


def test_nothing_in_the_repository_cites_a_document_outside_it():
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    hits = []
    for name in files:
        path = ROOT / name
        if not path.is_file() or path.suffix in (".svg", ".png", ".pdf"):
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        hits += [f"{name}: {m.group(0)}" for m in _OUTSIDE.finditer(text)]
    assert hits == []


# --- the site ------------------------------------------------------------------------------


def test_the_generated_pages_are_current():
    """docs/reference/cli.md and schemas.md are what docs/_tools/hooks.py generates now."""
    assert _load("hooks").stale() == []


def test_no_page_quotes_a_line_number_of_the_code():
    """Line numbers move with every change: a page names a file and a function instead."""
    quoted = re.compile(r'File "[^"]*", line \d+|\.py:\d+|\bline \d+ of ')
    found = [f"{p.relative_to(ROOT)}: {m.group()}" for p in [README, *_pages()]
             for m in quoted.finditer(p.read_text())]
    assert found == []


def test_every_page_is_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text()
    missing = [str(p.relative_to(DOCS)) for p in _pages() if str(p.relative_to(DOCS)) not in nav]
    assert missing == []


def test_every_included_snippet_exists_and_every_snippet_is_used():
    included = set()
    for page in [*_pages(), README]:
        included |= set(re.findall(r'--8<-- "([^"]+)"', page.read_text()))
    snippets = {p.name for p in SNIPPETS.glob("*.txt")}
    missing = {s for s in included - snippets if not (ROOT / s).exists()}
    assert missing == set()
    assert snippets - included == set()


def test_every_snippet_has_a_command():
    commands = _load("snippets").COMMANDS
    assert {p.stem for p in SNIPPETS.glob("*.txt")} == set(commands)


@pytest.mark.slow
def test_the_snippets_are_what_the_commands_print_now():
    """Runs every command the docs show (about a minute; .ci/run runs the same check with the
    documentation build, so the README's test command stays short); timings and addresses
    masked."""
    tool = DOCS / "_tools" / "snippets.py"
    result = subprocess.run([sys.executable, str(tool), "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# the commands whose JSON is explained on their own page (reference/json.md links to it)
OWN_PAGE = {"simulate": "simulate.md", "serve-": "serve.md"}


def test_the_json_page_explains_every_key_of_every_schema():
    common = (DOCS / "reference" / "json.md").read_text()
    missing = []
    for name, schema in ALL_SCHEMAS.items():
        page = next((p for prefix, p in OWN_PAGE.items() if name.startswith(prefix)), None)
        text = common + ("" if page is None else (DOCS / page).read_text())
        keys = list(schema["properties"])
        for definition in schema.get("$defs", {}).values():
            keys += list(definition.get("properties", {}))
        missing += [f"{name}: {k}" for k in keys if f'"{k}"' not in text and f"`{k}`" not in text]
    assert missing == []


def test_the_error_catalogue_has_every_error_class():
    text = (DOCS / "reference" / "errors.md").read_text()
    assert [n for n in errors.__all__ if f"### `{n}`" not in text] == []
    for code in ("0", "1", "2", "3", "130"):
        assert f"| {code} |" in text


def test_the_verdicts_are_documented_in_their_order():
    text = (DOCS / "guide" / "semantics.md").read_text()
    positions = [text.index(f"| `{v}` |") for v in VERDICT_LINES]
    assert positions == sorted(positions)


# --- --help --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["explore", "witness", "lemmas", "render", "schema"])
def test_every_command_help_shows_examples(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Examples:" in result.output
    assert f"flpcheck {command} " in result.output.split("Examples:")[1]


def test_the_group_help_shows_examples():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0 and "flpcheck witness " in result.output.split("Examples:")[1]


def test_witness_help_lists_every_verdict_one_line_each():
    result = CliRunner().invoke(main, ["witness", "--help"], terminal_width=120)
    lines = result.output.splitlines()
    for verdict, line in VERDICT_LINES.items():
        assert any(row.split() == [verdict, *line.split()] for row in lines), verdict
