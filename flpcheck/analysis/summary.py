"""What ``flpcheck explore`` establishes about a space: valence, safety, and whether a fair
crash-free run never decides."""

from __future__ import annotations

from dataclasses import dataclass

from ..explorer.engine import StopCheck
from ..explorer.limits import AnalysisStopped
from ..explorer.statespace import StateSpace
from .nondeciding import NondecidingSearch, search_nondeciding
from .properties import PropertyResult, check_safety
from .valence import ValenceMap, classify_valence

__all__ = ["Exploration", "summarize", "LIVENESS_LIMIT"]


@dataclass(frozen=True)
class Exploration:
    """A state space with its valence map and safety verdicts."""

    name: str
    space: StateSpace
    #: None when the classification was not finished (interrupted): not established
    valence: ValenceMap | None
    properties: list[PropertyResult]
    termination: str = "some"
    #: the search for a fair crash-free run that never decides (None: not searched, with why)
    nondeciding: NondecidingSearch | None = None
    not_searched: str = ""

    @property
    def not_established(self) -> list[str]:
        """What an interruption left undone: "valence", a property's name, "nondeciding"."""
        out = [] if self.valence is not None else ["valence"]
        out += [p.name for p in self.properties if p.holds is None
                and p.detail.startswith("interrupted")]
        search = self.nondeciding
        if search is not None and search.exists is None and \
                search.reason.startswith("interrupted"):
            out.append("nondeciding")
        return out

    @property
    def violated(self) -> bool:
        """True when some safety property is certainly violated."""
        return any(p.violated for p in self.properties)

    @property
    def exit_code(self) -> int:
        """0 when no violation was found, 1 when one was (the CLI's exit code)."""
        return 1 if self.violated else 0


LIVENESS_LIMIT = 50_000_000
"""``explore`` searches for a fair crash-free run that never decides up to this many
configurations (the search needs a byte per event on top of the graph, and about 20 bytes
per event of the part that lies on cycles); ``witness`` always searches."""


def summarize(name: str, space: StateSpace, termination: str = "some",
              stop: StopCheck | None = None) -> Exploration:
    """Classify valence, check the safety properties of an explored space, and search for a
    fair crash-free run that never decides (on a full graph: reductions do not keep runs).

    ``stop()`` giving a reason (an interruption) leaves what is not finished by then not
    established: the valence None, validity's ``holds`` None, the search's ``exists`` None
    (:attr:`Exploration.not_established` lists them); what finished stays in the report."""
    try:
        valence: ValenceMap | None = classify_valence(space, stop)
    except AnalysisStopped:
        valence = None
    props = check_safety(space, stop)
    if space.reduced or space.partial_order:
        why = "symmetry" if space.reduced else "partial-order"
        return Exploration(name, space, valence, props, termination, None,
                           f"not searched: runs are not kept by the {why} reduction")
    if len(space) > LIVENESS_LIMIT:
        return Exploration(name, space, valence, props, termination, None,
                           f"not searched: {len(space):,} configurations, more than "
                           f"{LIVENESS_LIMIT:,} (flpcheck witness MODEL --crashes 0 searches it)")
    if getattr(type(space), "partitioned", False):  # left on Ray workers: it did not fit here
        return Exploration(name, space, valence, props, termination, None,
                           "not searched: the graph stays on the Ray workers (gathering it "
                           "here would pass --max-memory), and the search needs all of it")
    return Exploration(name, space, valence, props, termination,
                       search_nondeciding(space, 0, termination, stop))
