"""Interned message buffers: a buffer is a sorted tuple of message ids, with a small int id."""

from __future__ import annotations

from .transitions import NULL

__all__ = ["BufferTable"]


class BufferTable:
    """Buffer ids, and the memoized buffer update of an event: remove one copy, add the sends."""

    def __init__(self, buffers: list[tuple[int, ...]], messages: list[tuple[int, int]],
                 n: int) -> None:
        #: buffer id -> sorted tuple of message ids (shared with the state space)
        self.buffers = buffers
        #: message id -> (destination, payload id) (the local table's, growing with it)
        self.messages = messages
        self.n = n
        self.ids: dict[tuple[int, ...], int] = {}
        self.steps: dict[tuple[int, int, tuple[int, ...]], int] = {}
        #: buffer id -> for each process, the distinct messages to it, in id order
        self.inbox: list[tuple[tuple[int, ...], ...]] = []

    def id(self, msgs: tuple[int, ...]) -> int:
        """The id of the buffer holding ``msgs`` (sorted), interning it on first sight."""
        bid = self.ids.get(msgs)
        if bid is None:
            bid = len(self.buffers)
            self.buffers.append(msgs)
            self.ids[msgs] = bid
            inbox: list[list[int]] = [[] for _ in range(self.n)]
            for m in dict.fromkeys(msgs):
                inbox[self.messages[m][0]].append(m)
            self.inbox.append(tuple(tuple(x) for x in inbox))
        return bid

    def step(self, b: int, mid: int, sends: tuple[int, ...]) -> int:
        """The buffer after receiving message ``mid`` (or the null message) and sending."""
        key = (b, mid, sends)
        nb = self.steps.get(key)
        if nb is None:
            msgs = list(self.buffers[b])
            if mid != NULL:
                msgs.remove(mid)
            msgs.extend(sends)
            msgs.sort()
            nb = self.steps[key] = self.id(tuple(msgs))
        return nb
