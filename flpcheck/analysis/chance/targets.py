"""What a chance query aims at: the decided states, and the states that missed a round bound.

A state (configuration, crash set F) is *decided* when some process has decided (termination
``some``, FLP's definition) or when every process outside F has (``all``); decided states are
absorbing for every query here (the question is whether the run gets there).

For a model that declares a round counter (:meth:`flpcheck.Protocol.round_of`), a run decides
*within R rounds* when it reaches a decided state before it *misses* R: a process that must
decide is past round R undecided (``all``: some live process is; ``some``: every live process
is). Once missed, a run cannot decide within R rounds any more (rounds never decrease, and a
process past R can no longer decide in a round <= R), so missed states are absorbing failures.
"""

from __future__ import annotations

import numpy as np

from ...errors import ProtocolStepError
from ...explorer.statespace import StateSpace
from ...model.protocol import declares_rounds
from ...model.termination import check_termination
from ..graph import edge_sources
from .build import SpaceMDP
from .mdp import BoolArray, IntArray

__all__ = ["decided_states", "round_matrix", "missed_states", "live_matrix"]


def live_matrix(smdp: SpaceMDP) -> BoolArray:
    """Per state and process: the process has not crashed."""
    n = smdp.space.n
    bits = np.arange(n, dtype=np.int64)
    return (smdp.crashed[:, None] >> bits[None, :] & 1) == 0


def decided_states(smdp: SpaceMDP, termination: str) -> BoolArray:
    """Per state: decided for ``termination`` (module docstring)."""
    termination = check_termination(termination)
    space = smdp.space
    if termination == "some":
        return np.asarray(np.asarray(space.decided, dtype=np.uint8)[smdp.config] != 0)
    done = space.process_decided[smdp.config]
    return np.asarray((done | ~live_matrix(smdp)).all(axis=1))


def round_matrix(space: StateSpace) -> IntArray | None:
    """Per configuration and process: ``round_of(pid, state)``; None when the model declares no
    round counter. A round that is not an int >= 1, or that decreases along a step, is a
    model error naming the call."""
    protocol = space.protocol
    if not declares_rounds(protocol):
        return None
    table = space.table
    n = space.n
    out = np.zeros((len(space), n), dtype=np.int64)
    memo: dict[tuple[int, int], int] = {}
    for p in range(n):
        col = np.asarray(space.rows[:, p], dtype=np.int64)
        uniq, inv = np.unique(col, return_inverse=True)
        vals = np.array([_round(space, memo, p, int(s)) for s in uniq.tolist()], dtype=np.int64)
        out[:, p] = vals[inv.reshape(-1)] if len(uniq) else 0
    if len(space.edge_dst):
        src = edge_sources(np.asarray(space.indptr, dtype=np.int64))
        pid = space.edge_pid.astype(np.int64)
        dst = np.asarray(space.edge_dst, dtype=np.int64)
        before, after = out[src, pid], out[dst, pid]
        bad = np.flatnonzero(after < before)
        if bad.size:
            k = int(bad[0])
            p = int(pid[k])
            s0 = table.states[int(space.rows[int(src[k]), p])]
            s1 = table.states[int(space.rows[int(dst[k]), p])]
            raise ProtocolStepError(
                f"{table.origin}: round_of must never decrease along a step, but "
                f"{space.event_of_edge(k)} takes p{p} from "
                f"{table.show_state(p, s0)} (round {int(before[k])}) to "
                f"{table.show_state(p, s1)} (round {int(after[k])})")
    return out


def _round(space: StateSpace, memo: dict[tuple[int, int], int], p: int, sid: int) -> int:
    key = (p, sid)
    found = memo.get(key)
    if found is None:
        table = space.table
        state = table.states[sid]
        what = f"round_of({p}, {table.show_state(p, state)})"
        value = table.call(space.protocol.round_of, (p, state), what)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ProtocolStepError(f"{table.origin}: {what} returned {value!r}; a round is an "
                                    "int >= 1")
        found = memo[key] = value
    return found


def missed_states(smdp: SpaceMDP, termination: str, rounds: IntArray, bound: int) -> BoolArray:
    """Per state: the run can no longer decide within ``bound`` rounds (module docstring);
    ``rounds`` is :func:`round_matrix` of the space."""
    termination = check_termination(termination)
    cfg = smdp.config
    late = ~smdp.space.process_decided[cfg] & (rounds[cfg] > bound)
    live = live_matrix(smdp)
    if termination == "all":
        return np.asarray((late & live).any(axis=1))
    return np.asarray((late | ~live).all(axis=1))
