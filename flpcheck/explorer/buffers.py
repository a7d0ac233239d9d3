"""Interned message buffers, one per destination.

The buffer of a configuration is stored as N *sub-buffers*, one per destination process: the
sorted tuple of the message ids in transit to that process. A step of p only reads p's own
sub-buffer, so the moves of p depend on (p, its state, its sub-buffer), which recur far more
often than whole buffers; the messages p sends to others are *added* to their sub-buffers.
"""

from __future__ import annotations

from ..model.table import NULL, LocalTable

__all__ = ["BufferTable"]


class BufferTable:
    """Sub-buffer ids (id 0 is empty), send bundles, and the memoized buffer updates."""

    def __init__(self, buffers: list[tuple[int, ...]], messages: list[tuple[int, int]],
                 n: int) -> None:
        #: sub-buffer id -> sorted tuple of message ids, all to one process (shared with the space)
        self.buffers = buffers
        #: message id -> (destination, payload id) (the local table's, growing with it)
        self.messages = messages
        self.n = n
        self.ids: dict[tuple[int, ...], int] = {}
        #: sub-buffer id -> its distinct message ids, in id order
        self.distinct: list[tuple[int, ...]] = []
        #: send bundle id -> sorted tuple of message ids to one destination (0: nothing)
        self.bundles: list[tuple[int, ...]] = [()]
        self.bundle_ids: dict[tuple[int, ...], int] = {(): 0}
        self.received: dict[tuple[int, int, tuple[int, ...]], int] = {}
        self.added: dict[tuple[int, int], int] = {}
        #: (process, state id, sub-buffer) -> the sub-buffer without the messages ignored there
        self.kept_memo: dict[tuple[int, int, int], int] = {}
        for b in buffers:  # sub-buffers already there (a checkpoint's): indexed as they are
            self.ids[b] = len(self.distinct)
            self.distinct.append(tuple(dict.fromkeys(b)))
        self.id(())

    def id(self, msgs: tuple[int, ...]) -> int:
        """The id of the sub-buffer holding ``msgs`` (sorted), interning it on first sight."""
        bid = self.ids.get(msgs)
        if bid is None:
            bid = len(self.buffers)
            self.buffers.append(msgs)
            self.ids[msgs] = bid
            self.distinct.append(tuple(dict.fromkeys(msgs)))
        return bid

    def bundle(self, msgs: tuple[int, ...]) -> int:
        """The id of a send bundle (sorted message ids to one destination)."""
        k = self.bundle_ids.get(msgs)
        if k is None:
            k = self.bundle_ids[msgs] = len(self.bundles)
            self.bundles.append(msgs)
        return k

    def receive(self, b: int, mid: int, own: tuple[int, ...]) -> int:
        """p's sub-buffer after p receives ``mid`` (or null) and sends itself ``own``."""
        key = (b, mid, own)
        nb = self.received.get(key)
        if nb is None:
            msgs = list(self.buffers[b])
            if mid != NULL:
                msgs.remove(mid)
            msgs.extend(own)
            msgs.sort()
            nb = self.received[key] = self.id(tuple(msgs))
        return nb

    def add(self, b: int, bundle: int) -> int:
        """A sub-buffer after the messages of ``bundle`` are added to it."""
        key = (b, bundle)
        nb = self.added.get(key)
        if nb is None:
            nb = self.added[key] = self.id(tuple(sorted(self.buffers[b] + self.bundles[bundle])))
        return nb

    def kept(self, table: LocalTable, q: int, s: int, b: int) -> int:
        """Sub-buffer ``b`` of process ``q`` in state ``s`` without the messages ``q`` ignores
        there for good (:meth:`~flpcheck.model.table.LocalTable.ignored`)."""
        key = (q, s, b)
        nb = self.kept_memo.get(key)
        if nb is None:
            msgs = self.buffers[b]
            drop = {m for m in self.distinct[b] if table.ignored(q, s, m)}
            nb = b if not drop else self.id(tuple(m for m in msgs if m not in drop))
            self.kept_memo[key] = nb
        return nb

    def split(self, p: int, sends: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(messages p sends itself, bundle id per destination with p's own set to 0)."""
        per: list[list[int]] = [[] for _ in range(self.n)]
        for m in sends:
            per[self.messages[m][0]].append(m)
        own = tuple(per[p])
        return own, tuple(0 if q == p else self.bundle(tuple(per[q])) for q in range(self.n))

    def clear_memos(self) -> None:
        """Forget the memoized updates (ids stay: recomputing interns nothing new)."""
        self.received.clear()
        self.added.clear()
