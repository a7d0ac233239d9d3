"""What a deciding run is: FLP's definition, or the stronger one of the round model.

- ``some`` (FLP 1985, the default): a run is deciding when *some* process decides.
- ``all``: a run is deciding only when every process that takes infinitely many steps (every
  process outside the crash set F) decides; the definition of the synchronous round model and of
  most textbooks' termination property.

A run is non-deciding when no process ever decides (``some``), or when some process outside
F is undecided in every configuration of the run (``all``); see
:func:`flpcheck.analysis.nondeciding.decided_targets`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from ..errors import UsageError

__all__ = ["TERMINATIONS", "Termination", "check_termination", "counts_as_decided",
           "DEFINITIONS"]

Termination = Literal["some", "all"]
TERMINATIONS: tuple[Termination, ...] = ("some", "all")
"""The two definitions, the default first."""

DEFINITIONS = {
    "some": "a run decides when some process decides (FLP's definition)",
    "all": "a run decides when every process that keeps taking steps decides",
}
"""One line on each definition, as reports print it."""


def check_termination(termination: str) -> Termination:
    """``termination`` if it is ``some`` or ``all``; a usage error otherwise."""
    if termination not in TERMINATIONS:
        raise UsageError(f"termination {termination!r}: use 'some' (FLP's) or 'all'")
    return termination  # type: ignore[return-value]


def counts_as_decided(outputs: Sequence[int | None], termination: str,
                      crashed: frozenset[int] = frozenset()) -> bool:
    """Whether a configuration with these outputs counts as decided for crash set ``crashed``.

    >>> counts_as_decided((0, None, None), "some"), counts_as_decided((0, None, None), "all")
    (True, False)
    >>> counts_as_decided((0, 0, None), "all", frozenset({2}))
    True
    """
    if termination == "some":
        return any(o is not None for o in outputs)
    return all(o is not None for p, o in enumerate(outputs) if p not in crashed)
