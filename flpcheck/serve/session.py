"""One served model: its exploration in a background thread, and what the answers ask of it.

A :class:`Session` holds the protocol, the input vectors, the crash budget and the termination
definition of the verdict, and the exploration bounds. :meth:`Session.start` explores in a
thread (with progress, stopped by the bounds or by :meth:`Session.stop`), then classifies
valence, then computes the verdict; the phase goes ``exploring`` -> ``analysing`` (graph and
valences ready) -> ``done``, or ``failed``. Until the graph is there, and for configurations
past a bound's cut, everything is computed on demand by replaying (:mod:`flpcheck.serve.walk`)
and valences are ``unknown``. Valences, verdicts and runs are flpcheck.analysis's: this module
only asks for them and remembers the answers.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..analysis.graph import bfs, reverse
from ..analysis.nondeciding import silent_valence
from ..analysis.valence import LABELS, ValenceMap, classify_valence
from ..analysis.verdict import Verdict, verdict
from ..errors import FLPCheckError, UsageError
from ..explorer.driver import explore
from ..explorer.limits import StopConditions, parse_size
from ..explorer.statespace import StateSpace
from ..model.inputs import input_vectors
from ..model.protocol import Protocol
from ..model.semantics import Configuration, Event
from ..model.termination import check_termination
from .walk import ApiError, bits

__all__ = ["Session", "PHASES", "UNKNOWN"]

PHASES = ("exploring", "analysing", "done", "failed")
"""The phases of a session, in order (``failed`` can follow any other)."""

UNKNOWN = "unknown"
"""The valence of a configuration whose valence is not known (yet, or past a cut)."""


class Session:
    """A protocol served: explored in the background, asked on demand.

    ``space`` serves an already explored state space (nothing is explored again).
    """

    def __init__(self, protocol: Protocol, *, spec: str = "",
                 inputs: Sequence[Sequence[int]] | None = None, crashes: int = 1,
                 termination: str = "some", max_configs: int | None = None,
                 max_buffer: int | None = None, max_depth: int | None = None,
                 timeout: float | None = None, max_memory: str | int | None = None,
                 space: StateSpace | None = None) -> None:
        if crashes < 0:
            raise UsageError(f"crashes must be >= 0, got {crashes}")
        self.protocol = protocol
        self.n = protocol.processes
        self.spec = spec
        self.crashes = crashes
        self.termination = check_termination(termination)
        if space is not None:
            space.require_full("serving a state space")
            self.vectors = [x for x, _ in space.initial]
        else:
            self.vectors = input_vectors(self.n, inputs)
        self.max_configs, self.max_buffer, self.max_depth = max_configs, max_buffer, max_depth
        memory = parse_size(max_memory) if isinstance(max_memory, str) else max_memory
        self._conditions = StopConditions(timeout, memory)
        self._stopping = False
        self.phase = "exploring"
        self.error: str | None = None
        self.progress = (0, 0, 0)  # configurations, expanded, events
        self.started = time.monotonic()
        self.finished: float | None = None
        self.space: StateSpace | None = None
        self.valence: ValenceMap | None = None
        self.verdict: Verdict | None = None
        self._given = space
        self._lock = threading.Lock()
        self._cache: dict[Any, Any] = {}
        self.thread = threading.Thread(target=self._run, name="flpcheck-explore", daemon=True)

    # -- the background thread -------------------------------------------------------------

    def start(self) -> Session:
        """Start exploring (and analysing) in the background; returns the session."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Ask the exploration to stop at its next check (the graph so far is kept)."""
        self._stopping = True

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the verdict is known or the session failed; True if it ended."""
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def _stop_check(self) -> str | None:
        return "interrupted" if self._stopping else self._conditions()

    def _progress(self, configurations: int, expanded: int, events: int,
                  depth: int = 0) -> None:
        self.progress = (int(configurations), int(expanded), int(events))

    def _run(self) -> None:
        try:
            space = self._given
            if space is None:
                space = explore(self.protocol, self.vectors, max_configs=self.max_configs,
                                max_buffer=self.max_buffer, max_depth=self.max_depth,
                                progress=self._progress, stop=self._stop_check,
                                origin=self.spec)
            self.progress = (len(space), int(space.expanded.sum()), space.num_events)
            valence = classify_valence(space)
            with self._lock:
                self.space, self.valence = space, valence
                self.phase = "analysing"
            self.finished = time.monotonic()
            found = verdict(space, self.crashes, termination=self.termination)
            with self._lock:
                self.verdict = found
                self.phase = "done"
        except FLPCheckError as err:  # a model error: say it, keep serving what is known
            notes = "; ".join(getattr(err, "__notes__", ())[:1])
            self._fail(f"{type(err).__name__}: {err}" + (f" ({notes})" if notes else ""))
        except Exception as exc:  # flpcheck's own bug: say so, keep the server up
            traceback.print_exc()
            self._fail(f"internal error of flpcheck ({type(exc).__name__}: {exc}); please "
                       "report it")

    def _fail(self, message: str) -> None:
        with self._lock:
            self.error = message
            self.phase = "failed"
        if self.finished is None:
            self.finished = time.monotonic()

    # -- what the answers need -------------------------------------------------------------

    def graph(self) -> tuple[StateSpace, ValenceMap] | None:
        """The explored graph and its valences, once there (None while exploring)."""
        with self._lock:
            if self.space is None or self.valence is None:
                return None
            return self.space, self.valence

    def require_graph(self) -> tuple[StateSpace, ValenceMap]:
        """The graph, or a 503 (still exploring) / 500 (the exploration failed)."""
        found = self.graph()
        if found is None:
            if self.phase == "failed":
                raise ApiError(500, self.error or "the exploration failed")
            raise ApiError(503, f"not ready: the model is being explored ({self.progress[0]:,} "
                                "configurations so far); poll /api/status")
        return found

    def require_verdict(self) -> tuple[StateSpace, ValenceMap, Verdict]:
        """The graph and the verdict, or a 503 / 500 saying why not yet."""
        space, valence = self.require_graph()
        found = self.verdict
        if found is None:
            if self.phase == "failed":
                raise ApiError(500, self.error or "the verdict could not be computed")
            raise ApiError(503, "not ready: the verdict is being computed; poll /api/status")
        return space, valence, found

    def chance(self) -> bool:
        """False when no step the API can replay is left to chance (the complete explored
        graph has none): successors are then numbered without counting outcomes."""
        space = self.space
        return space is None or not space.complete or space.edge_probability is not None

    def lookup(self, config: Configuration) -> int | None:
        """The id of ``config`` in the explored graph (None while exploring, or past a cut)."""
        found = self.graph()
        return None if found is None else found[0].find(config)

    def valence_of(self, cid: int | None) -> tuple[str, str | None]:
        """(valence, bound): the valence when it is known, else ``unknown``; ``bound`` says
        what a cut graph does establish (``at least {0} (cut)``), else None."""
        found = self.graph()
        if cid is None or found is None:
            return UNKNOWN, None
        valence = found[1]
        if valence.is_certain(cid):
            return valence.label(cid), None
        return UNKNOWN, valence.describe(cid)

    def cached(self, key: Any, make: Any) -> Any:
        """``make()`` once per ``key`` (answers that cannot change once the graph is there)."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        value = make()
        with self._lock:
            return self._cache.setdefault(key, value)

    def _to_decision(self, v: int) -> tuple[np.ndarray, np.ndarray]:
        """(distance from each configuration to the nearest one where ``v`` is decided, the
        first edge of a shortest way there), by breadth-first search on the reversed graph."""
        space, _ = self.require_graph()

        def make() -> tuple[np.ndarray, np.ndarray]:
            rev = self.cached("reverse", lambda: reverse(space.arrays))
            sources = np.flatnonzero((space.decided_array >> v) & 1)
            return bfs(rev, sources)

        return self.cached(("decide", v), make)

    def decision_distance(self, cid: int, v: int) -> int | None:
        """How many events from ``cid`` to the nearest configuration deciding ``v`` in the
        explored graph, or None where the graph reaches none."""
        dist, _ = self._to_decision(v)
        d = int(dist[cid])
        return None if d < 0 else d

    def decision_events(self, cid: int, v: int) -> list[Event] | None:
        """A shortest continuation from ``cid`` to a configuration where ``v`` is decided, in
        the explored graph ([] if decided there), or None where the graph reaches none."""
        space, _ = self.require_graph()
        dist, first = self._to_decision(v)
        if dist[cid] < 0:
            return None
        events, c = [], cid
        while dist[c] > 0:
            k = int(first[c])
            events.append(space.event_of_edge(k))
            c = int(space.edge_dst[k])
        return events

    def silent(self, crashed: frozenset[int]) -> np.ndarray:
        """val(F, C) of every configuration, as bits (:func:`analysis.nondeciding.silent_valence`)."""
        space, _ = self.require_graph()
        return self.cached(("silent", crashed), lambda: silent_valence(space, crashed))

    # -- /api/status -------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """The answer of ``/api/status``."""
        found = self.graph()
        v = self.verdict
        space, valence = found if found is not None else (None, None)
        initial = []
        for x in self.vectors:
            cid = None if space is None else space.initial_id(x)
            label, _ = self.valence_of(cid)
            initial.append({"inputs": bits(x), "valence": label, "id": cid})
        nondeciding = None
        if v is not None and v.nondeciding is not None:
            search, t = v.nondeciding, self.crashes
            if search.exists:
                detail = f"an admissible run with at most {t} crash(es) never decides"
            elif search.exists is False:
                detail = f"every admissible run with at most {t} crash(es) decides"
            else:
                detail = search.reason
            nondeciding = {"exists": search.exists, "detail": detail}
        configurations, expanded, events = self.progress
        end = self.finished if self.finished is not None else time.monotonic()
        doc = (type(self.protocol).__doc__ or "").strip().split("\n")[0]
        return {
            "protocol": type(self.protocol).__name__,
            "model": self.spec,
            "doc": doc,
            "processes": self.n,
            "crashes": self.crashes,
            "termination": self.termination,
            "phase": self.phase,
            "exploring": self.phase == "exploring",
            "complete": bool(space is not None and space.complete),
            "on_demand": space is None or not space.complete,
            "cut_reasons": [] if space is None else list(space.cut_reasons),
            "configurations": configurations,
            "expanded": expanded,
            "events": events,
            "valence_counts": None if valence is None else self.cached(
                "counts", lambda: _ordered(valence.counts())),
            "verdict": None if v is None else v.verdict,
            "verdict_detail": None if v is None else v.detail,
            "nondeciding": nondeciding,
            "inputs": [bits(x) for x in self.vectors],
            "initial": initial,
            "elapsed": round(end - self.started, 3),
            "error": self.error,
        }


def _ordered(counts: dict[str, int]) -> dict[str, int]:
    """Valence counts in the order reports list them."""
    return {label: counts[label] for label in LABELS}
