"""Which send each receipt of a run matches: copies of one message are taken first in, first
out. The sequence chart draws its arrows from this, and the page of ``flpcheck serve`` tells
where each received message came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .semantics import Event, Step

__all__ = ["receipts"]


def receipts(steps: Sequence[Step]) -> tuple[list[int | None], list[tuple[int, int, Any]]]:
    """Which send each step receives, and what is still in transit after the last step.

    Returns, for every step, the index (0-based) of the step whose message it receives (None
    for a null step), and the messages never received as ``(step that sent it, destination,
    payload)`` in the order they were sent. Copies of one message are matched first in, first
    out: a receipt takes the oldest copy sent earlier.
    """
    pending: list[tuple[int, Any, int, Any]] = []  # (send step, key, dst, payload)
    sources: list[int | None] = []
    for i, step in enumerate(steps):
        source = None
        if step.event.msg is not None:
            want = step.event.key
            at = next(k for k, m in enumerate(pending) if m[1] == want)
            source = pending.pop(at)[0]
        sources.append(source)
        pending += [(i, Event(d, pl).key, d, pl) for d, pl in step.sends]
    return sources, [(i, dst, payload) for i, _, dst, payload in pending]
