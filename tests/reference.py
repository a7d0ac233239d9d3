"""A deliberately plain reference explorer for the FLP model (for tests and benchmarks).

Full configurations as tuples, the buffer as a sorted tuple of (dst, payload), a dict of
configurations, no interning and no memoizing: every event calls the protocol's ``step``. It
shares no code with flpcheck's explorer, so agreement between the two means something.
"""

from __future__ import annotations

import itertools
from collections import deque
from typing import Any


def _key(m: Any) -> str:
    return repr(m)


class ReferenceSpace:
    """The result of :func:`reference_explore`."""

    def __init__(self) -> None:
        self.configs: dict[tuple[Any, ...], int] = {}
        self.order: list[tuple[Any, ...]] = []
        self.edges: dict[int, list[tuple[tuple[int, Any], int]]] = {}
        self.events = 0
        self.expanded: set[int] = set()
        self.decision_changed = False
        self.initial: list[tuple[tuple[int, ...], int]] = []


def reference_explore(protocol: Any, inputs: list[tuple[int, ...]] | None = None,
                      max_buffer: int | None = None) -> ReferenceSpace:
    """Breadth-first search over full configurations ``(states, buffer)``."""
    n = protocol.processes
    rs = ReferenceSpace()
    queue: deque[tuple[Any, ...]] = deque()
    vectors = inputs if inputs is not None else list(itertools.product((0, 1), repeat=n))
    for x in vectors:
        config = (tuple(protocol.init(p, x[p]) for p in range(n)), ())
        if config not in rs.configs:
            rs.configs[config] = len(rs.order)
            rs.order.append(config)
            queue.append(config)
        rs.initial.append((tuple(x), rs.configs[config]))
    while queue:
        config = queue.popleft()
        cid = rs.configs[config]
        states, buffer = config
        if max_buffer is not None and len(buffer) > max_buffer:
            continue
        rs.expanded.add(cid)
        events: list[tuple[int, Any]] = [(p, None) for p in range(n)]
        m: tuple[int, Any]
        for m in buffer:
            if m not in events:
                events.append(m)
        out = []
        for p, msg in events:
            new_state, sends = protocol.step(p, states[p], msg)
            before = protocol.output(p, states[p])
            if before is not None and protocol.output(p, new_state) != before:
                rs.decision_changed = True
            rest: list[Any] = list(buffer)
            if msg is not None:
                rest.remove((p, msg))
            new_buffer = tuple(sorted(rest + list(sends), key=_key))
            new_states = states[:p] + (new_state,) + states[p + 1:]
            nxt = (new_states, new_buffer)
            if nxt not in rs.configs:
                rs.configs[nxt] = len(rs.order)
                rs.order.append(nxt)
                queue.append(nxt)
            out.append(((p, msg), rs.configs[nxt]))
            rs.events += 1
        rs.edges[cid] = out
    return rs


def decisions(protocol: Any, config: tuple[Any, ...]) -> set[int]:
    """The non-None outputs of a configuration."""
    states, _ = config
    return {o for p, s in enumerate(states) if (o := protocol.output(p, s)) is not None}


def reference_valence(protocol: Any, rs: ReferenceSpace) -> list[frozenset[int]]:
    """V(C) for every configuration, by a separate depth-first search from each one (slow)."""
    result = []
    for cid in range(len(rs.order)):
        seen, stack, values = {cid}, [cid], set()
        while stack:
            c = stack.pop()
            values |= decisions(protocol, rs.order[c])
            for _, d in rs.edges.get(c, ()):
                if d not in seen:
                    seen.add(d)
                    stack.append(d)
        result.append(frozenset(values))
    return result


def reference_agreement(protocol: Any, rs: ReferenceSpace) -> bool:
    """True when no configuration holds two values and no output ever changes."""
    return not rs.decision_changed and all(len(decisions(protocol, c)) < 2 for c in rs.order)
