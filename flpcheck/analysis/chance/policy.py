"""The adversary's strategy as a schedule policy, and its independent check.

:func:`adversary_policy` extracts, for the round-bounded query (deciding within R rounds, or
eventually), the choices of an adversary that achieves the minimum: at each configuration it
reaches (with its crash set), the event to schedule (or the process to crash); inside a fair end
component that never decides, every event of the component ("stay": pick one of them at random,
which keeps the run there and fair with probability 1). Entries are listed for the
configurations the policy reaches before the run decides, misses the round bound or enters such
a component.

:func:`check_policy` replays a policy with the protocol's own ``step`` (through
:mod:`flpcheck.model.semantics`, sharing no code with the analysis): from each initial
configuration it follows the policy, chance's outcomes with their probabilities, checks that
a "stay" set is closed (every outcome of its events lands in it) and never decided, and
computes the probability of deciding before missing the round bound exactly. Where the policy
achieves the minimum flpcheck claims, the two agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ...errors import ReplayError
from ...explorer.statespace import StateSpace
from ...model.protocol import Protocol
from ...model.semantics import Configuration, Event, event_outcomes, initial_configuration
from ...model.termination import counts_as_decided
from ...model.values import to_json
from .build import adversary_mdp
from .ends import fair_end_components
from .solve import max_reach
from .targets import decided_states, missed_states, round_matrix

__all__ = ["PolicyEntry", "Policy", "adversary_policy", "policy_to_json", "check_policy"]


@dataclass(frozen=True)
class PolicyEntry:
    """At ``config`` with ``crashed`` processes: schedule ``event``, or crash ``crash``, or
    (``stay``) any of the events of the end component."""

    config: Configuration
    crashed: frozenset[int]
    event: Event | None = None
    crash: int | None = None
    stay: tuple[Event, ...] = ()


@dataclass(frozen=True)
class Policy:
    """The adversary's policy for deciding within ``rounds`` rounds (None: eventually)."""

    protocol: str
    processes: int
    termination: str
    crashes: int
    rounds: int | None
    #: (inputs, the minimum probability flpcheck computed, as a fraction or None)
    claims: tuple[tuple[tuple[int, ...], Fraction | None], ...]
    entries: tuple[PolicyEntry, ...]


def adversary_policy(space: StateSpace, crashes: int = 0, termination: str = "all",
                     rounds: int | None = None) -> Policy:
    """An adversary's policy that minimizes the probability of deciding (within ``rounds``
    rounds of a model that counts them, else eventually); see the module docstring."""
    space.require_full("an adversary's policy")
    smdp = adversary_mdp(space, crashes)
    mdp = smdp.mdp
    decided = decided_states(smdp, termination)
    missed = np.zeros(mdp.n_states, dtype=bool)
    if rounds is not None:
        table = round_matrix(space)
        if table is None:
            raise ReplayError("the model declares no round counter (Protocol.round_of)")
        missed = missed_states(smdp, termination, table, rounds) & ~decided
    cut = smdp.cut & ~decided
    if cut.any():
        raise ReplayError("a policy needs the complete graph: a bound cut the exploration")
    labels, inside = fair_end_components(smdp, ~decided & ~missed)
    stay = labels >= 0
    sol = max_reach(mdp, stay | missed, decided)
    entries: list[PolicyEntry] = []
    seen: set[int] = set()
    todo = [s for _, s in smdp.initial]
    while todo:
        s = todo.pop()
        if s in seen or decided[s] or missed[s]:
            continue
        seen.add(s)
        config = space.configuration(int(smdp.config[s]))
        crashed = smdp.crash_set(s)
        lo, hi = int(mdp.act_ptr[s]), int(mdp.act_ptr[s + 1])
        if stay[s]:
            acts = [a for a in range(lo, hi) if inside[a]]
            entries.append(PolicyEntry(config, crashed, stay=tuple(
                space.event(int(mdp.act_event[a])) for a in acts)))
        else:
            a = int(sol.strategy[s])
            if a < 0:  # the adversary cannot avoid the decision: any event that moves
                a = next((b for b in range(lo, hi) if bool(
                    (mdp.out_dst[int(mdp.out_ptr[b]):int(mdp.out_ptr[b + 1])] != s).any())), lo)
            acts = [a]
            if mdp.zero_time[a]:
                entries.append(PolicyEntry(config, crashed, crash=int(mdp.act_pid[a])))
            else:
                entries.append(PolicyEntry(config, crashed,
                                           event=space.event(int(mdp.act_event[a]))))
        for a in acts:
            todo += [int(t) for t in mdp.out_dst[int(mdp.out_ptr[a]):int(mdp.out_ptr[a + 1])]]
    claims = tuple((tuple(x), _claim(sol, s)) for x, s in smdp.initial)
    return Policy(type(space.protocol).__name__, space.n, termination, crashes, rounds, claims,
                  tuple(entries))


def _claim(sol, s: int) -> Fraction | None:
    e = sol.exact_at(s)
    return None if e is None else 1 - e


def policy_to_json(policy: Policy) -> dict[str, Any]:
    """The policy as a JSON document (schema ``chance-policy``): configurations as
    ``{"states", "buffer", "crashed"}`` in JSON form, events as ``[pid, payload]``."""
    def event(e: Event) -> list[Any]:
        return [e.pid, to_json(e.msg)]

    entries = []
    for e in policy.entries:
        entry: dict[str, Any] = {"states": [to_json(x) for x in e.config.states],
                                 "buffer": [[d, to_json(m)] for d, m in e.config.buffer],
                                 "crashed": sorted(e.crashed)}
        if e.stay:
            entry["stay"] = [event(x) for x in e.stay]
        elif e.crash is not None:
            entry["crash"] = e.crash
        else:
            entry["event"] = event(e.event)  # type: ignore[arg-type]
        entries.append(entry)
    return {"protocol": policy.protocol, "processes": policy.processes,
            "termination": policy.termination, "crashes": policy.crashes,
            "rounds": policy.rounds,
            "claims": [{"inputs": list(x), "probability": None if p is None else str(p)}
                       for x, p in policy.claims],
            "entries": entries}


def _key(config: Configuration, crashed: frozenset[int]) -> str:
    return json.dumps([[to_json(x) for x in config.states],
                       [[d, to_json(m)] for d, m in config.buffer], sorted(crashed)],
                      sort_keys=True)


def check_policy(protocol: Protocol, data: dict[str, Any]) -> dict[tuple[int, ...], Fraction]:
    """Replay the policy ``data`` (:func:`policy_to_json`'s document) and compute, for each
    initial configuration it names, the probability that the run decides (within its round
    bound) when the adversary follows it; a :class:`ReplayError` names the first thing that
    does not hold (a configuration the policy does not cover, an event not applicable, a
    "stay" set that is left or decided, a cycle)."""
    table = {json.dumps([e["states"], e["buffer"], e["crashed"]], sort_keys=True): e
             for e in data["entries"]}
    n = protocol.processes
    termination, rounds = data["termination"], data["rounds"]

    def done(config: Configuration, crashed: frozenset[int]) -> str | None:
        outs = config.outputs(protocol)
        if counts_as_decided(outs, termination, crashed):
            return "decided"
        if rounds is not None:
            late = [outs[p] is None and protocol.round_of(p, config.states[p]) > rounds
                    for p in range(n) if p not in crashed]
            if any(late) if termination == "all" else all(late):
                return "missed"
        return None

    def applicable(config: Configuration, ev: list[Any]) -> Event:
        pid, payload = ev
        if payload is None:
            return Event(pid, None)
        for d, m in config.buffer:
            if d == pid and to_json(m) == payload:
                return Event(pid, m)
        raise ReplayError(f"the policy schedules {ev}, which is not applicable at "
                          f"{config.states}")

    memo: dict[str, Fraction] = {}

    def value(config: Configuration, crashed: frozenset[int], path: frozenset[str]
              ) -> Fraction:
        key = _key(config, crashed)
        if key in memo:
            return memo[key]
        end = done(config, crashed)
        if end is not None:
            return Fraction(int(end == "decided"))
        entry = table.get(key)
        if entry is None:
            raise ReplayError(f"the policy does not say what to do at {config.states} with "
                              f"buffer {config.buffer} (crashed: {sorted(crashed)})")
        if "stay" in entry:
            _check_stay(config, crashed, table, protocol, done, applicable)
            memo[key] = Fraction(0)
            return memo[key]
        if "crash" in entry:
            result = value(config, crashed | {entry["crash"]}, path)
        else:
            event = applicable(config, entry["event"])
            if event.pid in crashed:
                raise ReplayError(f"the policy schedules crashed p{event.pid}")
            self_p, rest = Fraction(0), Fraction(0)
            for p, step in event_outcomes(protocol, config, event):
                nxt = step.config
                if nxt == config:
                    self_p += p
                elif _key(nxt, crashed) in path:
                    raise ReplayError("the policy's chain has a cycle: not checked")
                else:
                    rest += p * value(nxt, crashed, path | {key})
            if self_p == 1:
                raise ReplayError(f"the policy schedules {event} for ever at {config.states}:"
                                  " an unfair run")
            result = rest / (1 - self_p)
        memo[key] = result
        return result

    return {tuple(c["inputs"]): value(initial_configuration(protocol, c["inputs"]),
                                      frozenset(), frozenset())
            for c in data["claims"]}


def _check_stay(config: Configuration, crashed: frozenset[int], table: dict[str, Any],
                protocol: Protocol, done, applicable) -> None:
    """Every outcome of every event of a "stay" set lands in the set, never decided."""
    todo = [config]
    seen = {_key(config, crashed)}
    while todo:
        c = todo.pop()
        entry = table.get(_key(c, crashed))
        if entry is None or "stay" not in entry:
            raise ReplayError("a stay set leads to a configuration outside it")
        for ev in entry["stay"]:
            for _, step in event_outcomes(protocol, c, applicable(c, ev)):
                if done(step.config, crashed) is not None:
                    raise ReplayError("a stay set reaches a decided configuration")
                key = _key(step.config, crashed)
                if key not in seen:
                    seen.add(key)
                    todo.append(step.config)
