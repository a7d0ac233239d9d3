"""Symmetry reduction: explore one configuration per orbit of process renamings.

A protocol that declares ``symmetric = True`` promises that renaming its processes maps runs to
runs: ``step``, ``init`` and ``output`` treat every pid alike, and local states and payloads
hold no process ids (a message's destination is renamed; nothing inside it is). Then every
permutation of the pids is an automorphism of the configuration graph that keeps decision
values, so a configuration and all its renamings have the same valence and the same safety
status. The explorer stores one canonical representative per orbit (the least row over all N!
renamings) with the orbit's size, and counts, valence counts and safety verdicts are those of
the full graph (weighted by orbit size).

The declaration is checked after exploring, on every local move the reduced search used
(:func:`check_symmetry`), so a protocol that singles out a process only late in its runs is
caught, never answered wrongly. The explored input vectors must be closed under renaming.

What it does not preserve: schedules and runs (an edge of the reduced graph leads to a
renaming of the real successor), so evidence schedules, witness runs, Lemma 1, Lemma 2 and the
graph views are refused on a reduced space; explore without ``--symmetry`` for those.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ..errors import InvalidProtocol, UsageError
from ..model.semantics import Configuration
from ..model.table import NULL, LocalTable
from ..model.values import canonical_key
from ._storage import row_hash
from .buffers import BufferTable

if TYPE_CHECKING:
    from .statespace import StateSpace

__all__ = ["Symmetry", "rename", "check_symmetry"]


class Symmetry:
    """Canonical representatives of rows ``(s_0..s_{N-1}, b_0..b_{N-1})`` under renaming."""

    def __init__(self, table: LocalTable, bufs: BufferTable) -> None:
        protocol = table.protocol
        if not getattr(protocol, "symmetric", False):
            raise UsageError(
                f"{table.origin}: symmetry reduction needs a protocol that declares its "
                "processes interchangeable (class attribute symmetric = True)")
        self.table, self.bufs, self.n = table, bufs, table.n
        self.perms = list(itertools.permutations(range(self.n)))
        #: per permutation: sub-buffer id -> the id of its renaming (-1: not computed yet)
        self.sub_maps = [np.full(16, -1, dtype=np.int32) for _ in self.perms]

    def _rename_sub(self, k: int, ids: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
        table, bufs, perm = self.table, self.bufs, self.perms[k]
        m = self.sub_maps[k]
        if len(bufs.buffers) > len(m):
            grown = np.full(max(len(bufs.buffers), 2 * len(m)), -1, dtype=np.int32)
            grown[: len(m)] = m
            m = self.sub_maps[k] = grown
        for b in np.unique(ids[m[ids] < 0]).tolist():
            renamed = []
            for mid in bufs.buffers[b]:
                dst, pl = table.messages[mid]
                renamed.append(table.message_of(perm[dst], pl))
            nb = bufs.id(tuple(sorted(renamed)))
            if nb >= len(m):
                grown = np.full(2 * nb + 1, -1, dtype=np.int32)
                grown[: len(m)] = m
                m = self.sub_maps[k] = grown
            m[b] = nb
        return m[ids]

    def canonical(self, rows: npt.NDArray[np.int32]) -> tuple[npt.NDArray[np.int32],
                                                               npt.NDArray[np.int32]]:
        """(the least renaming of every row, the size of every row's orbit)."""
        n = self.n
        best = rows.copy()
        hashes = []
        for k, perm in enumerate(self.perms):
            inv = np.argsort(perm)  # column j of the renamed row comes from column inv[j]
            cand = np.empty_like(rows)
            cand[:, :n] = rows[:, inv]
            cand[:, n:] = self._rename_sub(k, rows[:, n + inv].ravel()).reshape(-1, n)
            hashes.append(row_hash(cand))
            diff = cand != best
            has = diff.any(axis=1)
            first = diff.argmax(axis=1)
            r = np.arange(len(rows))
            less = has & (cand[r, first] < best[r, first])
            best[less] = cand[less]
        h = np.sort(np.stack(hashes, axis=1), axis=1)
        orbit = 1 + (h[:, 1:] != h[:, :-1]).sum(axis=1)
        return best, orbit.astype(np.int32)


def rename(config: Configuration, perm: tuple[int, ...]) -> Configuration:
    """The configuration with process i renamed perm[i] (states moved, destinations renamed)."""
    states: list[object] = [None] * len(perm)
    for i, s in enumerate(config.states):
        states[perm[i]] = s
    buffer = tuple(sorted(((perm[d], m) for d, m in config.buffer),
                          key=lambda x: (x[0], canonical_key(x[1]))))
    return Configuration(tuple(states), buffer)


def check_symmetry(space: StateSpace) -> int:
    """Check the declaration ``symmetric = True`` on every local move the reduced search used,
    with the protocol's own code (through the checked, memoized local table): for every
    renaming pi of the processes, ``init(pi(p), x)`` is ``init(p, x)``, ``output(pi(p), s)`` is
    ``output(p, s)``, and ``step(pi(p), s, m)`` is ``step(p, s, m)`` with the destinations of
    its sends renamed. Then renaming is an automorphism of the whole graph. Raises
    :class:`InvalidProtocol` at the first difference; returns how many checks were made."""
    table = space.table
    n = space.n
    perms = list(itertools.permutations(range(n)))[1:]
    messages = table.messages
    checks = 0

    def fail(what: str) -> InvalidProtocol:
        return InvalidProtocol(
            f"{table.origin}: declares symmetric = True, but {what} (does a state or payload "
            "hold a process id, or does a step single out a pid?)")

    for x in (0, 1):
        first = table.initial_state(0, x)
        for q in range(1, n):
            checks += 1
            if table.initial_state(q, x) != first:
                raise fail(f"init(0, {x}) and init({q}, {x}) differ")
    for (p, sid), out in list(table.outputs.items()):
        for q in range(n):
            checks += 1
            if table.output(q, sid) != out:
                state = table.states[sid]
                raise fail(f"output({p}, {state!r}) and output({q}, {state!r}) differ")
    for (p, sid, mid), (nsid, sent) in list(table.transitions.items()):
        payload = None if mid == NULL else messages[mid][1]
        for perm in perms:
            q = perm[p]
            qmid = NULL if payload is None else table.message_of(q, payload)
            got = table.step(q, sid, qmid)
            want = tuple(sorted(table.message_of(perm[messages[m][0]], messages[m][1])
                                for m in sent))
            checks += 1
            if got != (nsid, want):
                state, msg = table.states[sid], table.payload_of(mid)
                raise fail(f"renaming the processes by {perm} changes step({p}, {state!r}, "
                           f"{msg!r}): step({q}, ...) is not its renaming")
    return checks
