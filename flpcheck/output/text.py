"""The console of the text reports, and their styled lines.

User text (states, payloads, class and file names) is printed as it is: never read as rich
markup (a state holding ``"[red]"`` would lose it) or emoji codes (``models/m.py:Bug:`` would
become a bug). The reports' own styles come from :func:`styled`, whose fields are escaped.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

__all__ = ["report_console", "styled"]


class _ReportConsole(Console):
    """rich's console, except where the reader goes away (``flpcheck explore ... | head``)."""

    def on_broken_pipe(self) -> None:
        """Print nothing more, and let the command end with its own exit code (rich exits 1,
        the code of a violated property)."""
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def report_console(**options: Any) -> Console:
    """A console that prints strings as they are (no markup, no emoji, no highlighting); a
    closed pipe ends its printing, not the command."""
    return _ReportConsole(highlight=False, markup=False, emoji=False, **options)


def styled(template: str, *fields: object) -> Text:
    """``template`` in rich markup, its ``{}`` filled with ``fields`` as plain text.

    >>> styled("[bold]{}[/bold]: {}", "Tag", "('[red]', 0)").plain
    "Tag: ('[red]', 0)"
    """
    return Text.from_markup(template.format(*(escape(str(f)) for f in fields)), emoji=False)
