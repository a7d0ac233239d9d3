"""The pages generated from the code, so that they cannot drift, and the mkdocs hook that
checks them.

- ``docs/reference/cli.md``: every command's help, read from the click objects of
  :mod:`flpcheck.cli.main` (description, usage, options, epilog), as ``flpcheck CMD --help``
  prints them;
- ``docs/reference/schemas.md``: every JSON Schema of :mod:`flpcheck.output.schemas`, with a
  table of its top-level keys and its shared definitions;
- ``docs/internals/layers.md``: the import contracts quoted between its ``contract`` markers,
  copied from setup.cfg's import-linter sections (the rest of the page is written by hand).

They are committed (so they read on a repository browser too) and rewritten by
``python docs/_tools/hooks.py``. ``mkdocs build`` fails when one is not what the code generates
now, and so does the docs test.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

DOCS = Path(__file__).resolve().parents[1]

GENERATED = {
    "reference/cli.md": "cli_page",
    "reference/schemas.md": "schemas_page",
    "internals/layers.md": "layers_page",
}
"""Generated page (under docs/) -> the function of this module that writes it."""


# --- the CLI reference -------------------------------------------------------------------


def _help_markdown(text: str) -> list[str]:
    """click help text as Markdown: ``\\b`` blocks (examples, lists) kept verbatim in code
    blocks, other paragraphs joined into one line each."""
    out: list[str] = []
    for para in text.strip().split("\n\n"):
        lines = para.strip("\n").splitlines()
        if lines and lines[0].strip() == "\b":
            lines = lines[1:]
            head = lines[0].strip() if lines else ""
            if head.endswith(":"):
                out += [f"**{head}**", ""]
                lines = lines[1:]
            indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
            lang = "sh" if head == "Examples:" else "text"
            out += [f"```{lang}", *(line[indent:] for line in lines), "```", ""]
        else:
            out += [" ".join(line.strip() for line in lines), ""]
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _options_table(command: click.Command, ctx: click.Context) -> list[str]:
    rows = []
    for param in command.get_params(ctx):
        if not isinstance(param, click.Option):
            continue
        if param.help and "(default:" in param.help:
            # the help says the default in words (e.g. a share of this machine's memory):
            # do not print the value computed on the machine that builds the docs
            saved, param.show_default = param.show_default, False
            record = param.get_help_record(ctx)
            param.show_default = saved
        else:
            record = param.get_help_record(ctx)
        if record is None:
            continue
        names, help_text = record
        rows.append(f"| `{_cell(names)}` | {_cell(help_text)} |")
    return ["| option | meaning |", "|---|---|", *rows, ""]


def _command_section(name: str, command: click.Command, parent: click.Context | None,
                     level: str) -> list[str]:
    ctx = click.Context(command, info_name=name, parent=parent)
    usage = " ".join(command.collect_usage_pieces(ctx))
    out = [f"{level} `{ctx.command_path}`", ""]
    out += _help_markdown(command.help or "")
    out += ["```text", f"Usage: {ctx.command_path} {usage}", "```", ""]
    out += _options_table(command, ctx)
    if command.epilog:
        out += _help_markdown(command.epilog)
    return out


def cli_page() -> str:
    """The CLI reference page, generated from the click commands."""
    from flpcheck.cli.main import COMMANDS, main

    root = click.Context(main, info_name="flpcheck")
    lines = [
        "# Command line",
        "",
        "Generated from the click commands by `python docs/_tools/hooks.py` (the docs build "
        "fails when this page is stale), so it is what `flpcheck COMMAND --help` prints. "
        "Options shared by every command that explores a model are repeated under each "
        "command.",
        "",
    ]
    lines += _command_section("flpcheck", main, None, "##")[2:]
    assert isinstance(main, click.Group)
    for name, _, _ in COMMANDS:  # in the order they are registered
        command = main.get_command(root, name)
        assert command is not None
        lines += _command_section(name, command, root, "##")
        if isinstance(command, click.Group):  # its subcommands (flpcheck checkpoint info)
            group = click.Context(command, info_name=name, parent=root)
            for sub_name, sub in command.commands.items():
                lines += _command_section(sub_name, sub, group, "###")
    return "\n".join(lines) + "\n"


# --- the JSON Schemas --------------------------------------------------------------------


def _type(spec: dict[str, Any]) -> str:
    """A short human reading of a schema fragment."""
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#def-{name})"
    if "oneOf" in spec:
        return " or ".join(_type(s) for s in spec["oneOf"])
    if "const" in spec:
        return f"`{json.dumps(spec['const'])}`"
    if "enum" in spec:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in spec["enum"])
    kind = spec.get("type")
    if kind is None:
        return "any JSON value"
    kinds = kind if isinstance(kind, list) else [kind]
    words = []
    for k in kinds:
        if k == "array" and "items" in spec:
            words.append(f"array of {_type(spec['items'])}")
        elif k == "array" and "prefixItems" in spec:
            words.append("[" + ", ".join(_type(s) for s in spec["prefixItems"]) + "]")
        else:
            words.append(k)
    return " or ".join(words)


def _table(schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    rows = ["| key | type | always present |", "|---|---|---|"]
    for key, spec in schema.get("properties", {}).items():
        rows.append(f"| `{key}` | {_cell(_type(spec))} | {'yes' if key in required else 'no'} |")
    return rows + [""]


def schemas_page() -> str:
    """The JSON Schema reference page, generated from :mod:`flpcheck.output.schemas`."""
    from flpcheck.output.schemas import SCHEMAS

    lines = [
        "# JSON Schemas",
        "",
        "Generated from `flpcheck/output/schemas.py` by `python docs/_tools/hooks.py` (the "
        "docs build fails when this page is stale): these are the "
        "schemas `flpcheck schema NAME` prints (JSON Schema draft 2020-12), and the tests "
        "validate every `--json` output against them. What each key means is on the page "
        "[JSON output](json.md).",
        "",
    ]
    defs: dict[str, Any] = {}
    for name, schema in SCHEMAS.items():
        defs.update(schema.get("$defs", {}))
        lines += [f"## `{name}`", "", f"{schema['title']}: `flpcheck schema {name}`.", ""]
        lines += _table(schema)
        lines += ['??? note "The whole schema"', "", "    ```json"]
        lines += ["    " + line for line in json.dumps(schema, indent=2).splitlines()]
        lines += ["    ```", ""]
    lines += ["## Shared definitions", "",
              "Every schema carries these under `$defs`, so every output names the same thing "
              "the same way.", ""]
    for name, spec in defs.items():
        lines += [f"### `{name}` {{#def-{name}}}", ""]
        if "description" in spec:
            lines += [spec["description"], ""]
        lines += [f"Type: {_type(spec)}.", ""]
        if "properties" in spec:
            lines += _table(spec)
    return "\n".join(lines) + "\n"


# --- the import contracts of internals/layers.md ------------------------------------------

CONTRACT_START = "<!-- the contracts: generated from setup.cfg by docs/_tools/hooks.py -->"
CONTRACT_END = "<!-- end of the contracts -->"


def contracts_ini() -> str:
    """setup.cfg's import-linter sections, as they stand there (comments kept)."""
    text = (DOCS.parent / "setup.cfg").read_text()
    sections = text.split("\n[")
    kept = [s if i == 0 else "[" + s for i, s in enumerate(sections)]
    return "\n".join(s.rstrip() + "\n" for s in kept
                     if s.startswith("[importlinter")).rstrip()


def layers_page() -> str:
    """internals/layers.md with the contracts between its markers taken from setup.cfg."""
    page = (DOCS / "internals" / "layers.md").read_text()
    head, _, rest = page.partition(CONTRACT_START)
    _, _, tail = rest.partition(CONTRACT_END)
    if not rest:
        raise SystemExit(f"docs/internals/layers.md: no {CONTRACT_START!r} marker")
    return f"{head}{CONTRACT_START}\n```ini\n{contracts_ini()}\n```\n{CONTRACT_END}{tail}"


# --- the committed pages and the mkdocs hook ------------------------------------------


def expected() -> dict[Path, str]:
    """Every generated page, as the code generates it now."""
    return {DOCS / path: globals()[function]() for path, function in GENERATED.items()}


def stale() -> list[str]:
    """The generated pages whose committed text is not what the code generates now."""
    return [str(path.relative_to(DOCS.parent)) for path, text in expected().items()
            if not path.exists() or path.read_text() != text]


def on_pre_build(config: Any) -> None:
    """Fail the build on a stale generated page."""
    from mkdocs.exceptions import PluginError

    if stale():
        raise PluginError(f"stale generated pages: {', '.join(stale())}; "
                          "run python docs/_tools/hooks.py")


if __name__ == "__main__":
    for path, text in expected().items():
        path.write_text(text)
        print(f"wrote {path.relative_to(DOCS.parent)}")
    sys.exit(0)
