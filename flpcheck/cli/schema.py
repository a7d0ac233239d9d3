"""``flpcheck schema NAME``: the JSON Schema of one command's ``--json`` output."""

from __future__ import annotations

import json

import click

from ..output.schemas import ALL_SCHEMAS

__all__ = ["schema_command"]


@click.command("schema")
@click.argument("name", type=click.Choice(tuple(ALL_SCHEMAS)))
def schema_command(name: str) -> None:
    """Print the JSON Schema of one command's --json output.

    \b
    Examples:
      flpcheck schema witness > witness.schema.json
    """
    from ..output.schemas import schema

    click.echo(json.dumps(schema(name), indent=2))


