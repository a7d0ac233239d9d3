"""A griffe extension for the API reference: flpcheck's docstrings are reST-flavoured plain text
(``:func:`x``` roles, ``>>>`` doctests); Markdown would show the roles verbatim and read the
doctests as nested block quotes. This turns roles into inline code and doctests into ``pycon``
code blocks, and changes nothing else."""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:func|class|mod|data|meth|attr|exc|obj):`(~?)([^`]+)`")


def _role(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if tilde else target}`"


def markdown(text: str) -> str:
    """The docstring ``text`` with roles as inline code and doctest blocks fenced."""
    out: list[str] = []
    fence = None  # the indentation of the open doctest block, None outside one
    for line in _ROLE.sub(_role, text).splitlines():
        if fence is None and line.lstrip().startswith(">>>"):
            fence = line[: len(line) - len(line.lstrip())]
            out.append(fence + "```pycon")
        elif fence is not None and not line.strip():
            out.append(fence + "```")
            fence = None
        out.append(line)
    if fence is not None:
        out.append(fence + "```")
    return "\n".join(out)


class ReSTMarkup(griffe.Extension):
    """Rewrite every docstring with :func:`markdown` when griffe loads it."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)
