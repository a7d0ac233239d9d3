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

    NAME is the command: explore, explore-rounds (explore on a round model), witness,
    witness-stages (witness --stages K), or liveness. Schema draft 2020-12.

    \b
    Examples:
      flpcheck schema witness > witness.schema.json
      flpcheck schema explore-rounds
    """
    from ..output.schemas import schema

    click.echo(json.dumps(schema(name), indent=2))


