"""``flpcheck checkpoint info DIR``: what a checkpoint holds and how far its run got."""

from __future__ import annotations

import click

from ..explorer.checkpoint.info import checkpoint_info
from ..output.checkpoint_report import print_checkpoint_info
from ..output.text import report_console
from .common import FLPGroup

__all__ = ["checkpoint_command"]


@click.group("checkpoint", cls=FLPGroup)
def checkpoint_command() -> None:
    """Checkpoints written by --checkpoint DIR (resumed with --resume DIR)."""


@checkpoint_command.command("info")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False))
@click.option("--check", is_flag=True,
              help="Also read every file and verify its size and checksum.")
def info_command(directory: str, check: bool) -> None:
    """Print the manifest of the checkpoint in DIR (the model, N, the options that change
    the graph, the engine) and its progress (level, configurations, size on disk). Exit 0,
    or 2 when there is no checkpoint or (with --check) a file is damaged.

    \b
    Examples:
      flpcheck checkpoint info ck/
      flpcheck checkpoint info ck/ --check
    """
    print_checkpoint_info(report_console(), checkpoint_info(directory, check))
