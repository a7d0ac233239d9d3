"""Fair-cycle search against brute force, and metamorphic checks (renaming, restricting)."""

from __future__ import annotations

from flpcheck import Protocol, classify_valence, explore
from flpcheck.model.loader import load_protocol

from ..paths import MODELS


class Renamed(Protocol):
    """The protocol with process i playing process perm[i] of the original."""

    def __init__(self, inner: Protocol, perm: tuple[int, ...]):
        super().__init__(inner.processes)
        self.inner, self.perm = inner, perm
        self.back = {v: i for i, v in enumerate(perm)}

    def init(self, pid, x):
        return self.inner.init(self.perm[pid], x)

    def step(self, pid, state, msg):
        new, sends = self.inner.step(self.perm[pid], state, msg)
        return new, [(self.back[d], m) for d, m in sends]

    def output(self, pid, state):
        return self.inner.output(self.perm[pid], state)


def test_renaming_the_processes_of_a_symmetric_protocol_keeps_valence_counts():
    for name in ("majority", "wait_for_all", "decide_own_input"):
        inner = load_protocol(str(MODELS / f"{name}.py"), 3)
        base = explore(inner)
        counts = classify_valence(base).counts()
        for perm in [(1, 2, 0), (2, 1, 0)]:
            renamed = explore(Renamed(inner, perm))
            assert len(renamed) == len(base) and renamed.num_events == base.num_events
            assert classify_valence(renamed).counts() == counts


