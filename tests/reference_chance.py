"""A plain reference for ``flpcheck chance``: exact probabilities by the textbook definitions.

It shares no code with flpcheck's explorer or its analysis: full configurations as tuples, the
buffer a tuple sorted by ``repr``, a dict of configurations, every event calling the protocol's
own ``step`` (outcomes included, each with its exact probability), pure Python with
:class:`fractions.Fraction` (no numpy, no networkx). It is slow and meant for small protocols.

- The uniform scheduler: a Markov chain. Each step picks one of the distinct applicable events
  (the N null steps and one per distinct pending message) with equal probability, then chance
  picks the outcome. Bounded reachability by the recursion P_k = [target] or the weighted sum
  of P_{k-1}; unbounded reachability and expected steps by Gaussian elimination.
- The adversary: a Markov decision process over (configuration, crash set) pairs; a crash is an
  action that takes no time. Bounded: the recursion with min over the adversary's choices.
  Unbounded, over fair adversaries: ``1 - Pmax(reach U)`` where U is the union of the fair end
  components among the configurations that have not decided (Baier and Katoen, Principles of
  Model Checking, 2008, section 10.6; de Alfaro's thesis, 1997, for end components): maximal
  end components by the textbook refinement of strongly connected components, refined for
  fairness (every live process steps, every message pending to a live process is received);
  Pmax by Howard's policy iteration, each policy's values by Gaussian elimination.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from flpcheck.model.chance import Outcomes

Config = tuple[tuple[Any, ...], tuple[tuple[int, Any], ...]]
Event = tuple[int, Any]
#: an action: (label, outcomes); label ("event", pid, msg) or ("crash", pid); outcomes a list
#: of (probability, target)
Action = tuple[tuple[Any, ...], list[tuple[Fraction, Any]]]


def _buffer(messages: list[tuple[int, Any]]) -> tuple[tuple[int, Any], ...]:
    return tuple(sorted(messages, key=repr))


def results(protocol: Any, pid: int, state: Any, msg: Any) -> list[tuple[Fraction, Any, tuple]]:
    """The step's results: (probability, new state, sends), one per outcome."""
    r = protocol.step(pid, state, msg)
    if isinstance(r, Outcomes):
        return [(Fraction(p), ns, tuple(sends)) for p, (ns, sends) in r.choices]
    ns, sends = r
    return [(Fraction(1), ns, tuple(sends))]


def ignores(protocol: Any, pid: int, state: Any, payload: Any) -> bool:
    """The protocol's ``ignores`` where it defines one (a message it declares it ignores for
    good leaves the buffer at once), else False."""
    method = getattr(type(protocol), "ignores", None)
    from flpcheck import Protocol

    if method is None or method is Protocol.ignores:
        return False
    return bool(protocol.ignores(pid, state, payload))


class ChanceSpace:
    """Every configuration reachable from the initial ones, and the events at each."""

    def __init__(self, protocol: Any, inputs: list[tuple[int, ...]] | None = None,
                 max_configs: int = 20_000, max_buffer: int | None = None) -> None:
        self.protocol = protocol
        self.n = n = protocol.processes
        self.order: list[Config] = []
        self.index: dict[Config, int] = {}
        #: config id -> [(event, [(probability, target id)])]
        self.events: dict[int, list[tuple[Event, list[tuple[Fraction, int]]]]] = {}
        self.initial: list[tuple[tuple[int, ...], int]] = []
        queue: deque[int] = deque()
        vectors = inputs if inputs is not None else list(itertools.product((0, 1), repeat=n))
        for x in vectors:
            config: Config = (tuple(protocol.init(p, x[p]) for p in range(n)), ())
            self.initial.append((tuple(x), self._add(config, queue)))
        #: configurations left unexpanded (more than ``max_buffer`` messages in transit)
        self.cut: set[int] = set()
        while queue:
            cid = queue.popleft()
            states, buffer = self.order[cid]
            if max_buffer is not None and len(buffer) > max_buffer:
                self.cut.add(cid)
                self.events[cid] = []
                continue
            events: list[Event] = [(p, None) for p in range(n)]
            for m in buffer:
                if m not in events:
                    events.append(m)
            out = []
            for p, msg in events:
                rest = list(buffer)
                if msg is not None:
                    rest.remove((p, msg))
                branches = []
                for prob, ns, sends in results(protocol, p, states[p], msg):
                    new_states = states[:p] + (ns,) + states[p + 1:]
                    pending = [m for m in rest + list(sends)
                               if not ignores(protocol, m[0], new_states[m[0]], m[1])]
                    nxt = (new_states, _buffer(pending))
                    branches.append((prob, self._add(nxt, queue)))
                out.append(((p, msg), branches))
            self.events[cid] = out
            if len(self.order) > max_configs:
                raise ValueError(f"more than {max_configs} configurations: too large for the "
                                 "reference")

    def _add(self, config: Config, queue: deque[int]) -> int:
        cid = self.index.get(config)
        if cid is None:
            cid = self.index[config] = len(self.order)
            self.order.append(config)
            queue.append(cid)
        return cid

    def outputs(self, cid: int) -> list[Any]:
        states = self.order[cid][0]
        return [self.protocol.output(p, s) for p, s in enumerate(states)]


def decided(outputs: list[Any], termination: str, crashed: frozenset[int] = frozenset()) -> bool:
    """Some process decided ("some"), or every process outside ``crashed`` did ("all")."""
    if termination == "some":
        return any(o is not None for o in outputs)
    return all(o is not None for p, o in enumerate(outputs) if p not in crashed)


def missed(space: ChanceSpace, cid: int, termination: str, crashed: frozenset[int],
           rounds: int) -> bool:
    """The run can no longer decide within ``rounds`` rounds: a live process that must decide
    is past round ``rounds`` undecided ("all"), or every live process is ("some")."""
    outs = space.outputs(cid)
    states = space.order[cid][0]
    late = [outs[p] is None and space.protocol.round_of(p, states[p]) > rounds
            for p in range(space.n) if p not in crashed]
    return any(late) if termination == "all" else all(late)


# -- linear algebra -----------------------------------------------------------------------


def solve(rows: dict[Any, dict[Any, Fraction]], rhs: dict[Any, Fraction]) -> dict[Any, Fraction]:
    """The solution of x[i] - sum_j rows[i][j] x[j] = rhs[i] (Gaussian elimination, exact)."""
    keys = list(rows)
    eq: dict[Any, dict[Any, Fraction]] = {}
    for i in keys:
        row: dict[Any, Fraction] = {i: Fraction(1)}
        for j, a in rows[i].items():
            row[j] = row.get(j, Fraction(0)) - a
        row["rhs"] = rhs[i]
        eq[i] = {k: v for k, v in row.items() if v != 0 or k == "rhs"}
    for i in keys:  # forward elimination, pivot on the diagonal (the system is an M-matrix)
        piv = eq[i][i]
        for k in list(eq[i]):
            eq[i][k] /= piv
        for j in keys:
            if j != i and i in eq[j]:
                f = eq[j].pop(i)
                for k, v in eq[i].items():
                    if k == i:
                        continue
                    eq[j][k] = eq[j].get(k, Fraction(0)) - f * v
    return {i: eq[i]["rhs"] for i in keys}


def can_reach(succ: dict[Any, list[Any]], targets: set[Any]) -> set[Any]:
    """The nodes from which some node of ``targets`` is reachable (targets included)."""
    pred: dict[Any, list[Any]] = {}
    for u, vs in succ.items():
        for v in vs:
            pred.setdefault(v, []).append(u)
    seen = set(targets)
    stack = list(targets)
    while stack:
        v = stack.pop()
        for u in pred.get(v, ()):
            if u not in seen:
                seen.add(u)
                stack.append(u)
    return seen


# -- the uniform scheduler: a Markov chain --------------------------------------------------


def uniform_chain(space: ChanceSpace) -> dict[int, dict[int, Fraction]]:
    """config -> {successor: probability} under the uniform scheduler."""
    chain: dict[int, dict[int, Fraction]] = {}
    for cid, events in space.events.items():
        row: dict[int, Fraction] = {}
        for _, branches in events:
            for prob, d in branches:
                row[d] = row.get(d, Fraction(0)) + prob / len(events)
        chain[cid] = row
    return chain


def chain_within(chain: dict[int, dict[int, Fraction]], target: set[int], k: int
                 ) -> dict[int, Fraction]:
    """P(reach target within k steps) from every state."""
    p = {c: Fraction(int(c in target)) for c in chain}
    for _ in range(k):
        p = {c: Fraction(1) if c in target else sum((q * p[d] for d, q in row.items()),
                                                    Fraction(0))
             for c, row in chain.items()}
    return p


def chain_reach(chain: dict[int, dict[int, Fraction]], target: set[int]) -> dict[int, Fraction]:
    """P(eventually reach target) from every state."""
    ok = can_reach({c: list(r) for c, r in chain.items()}, target)
    maybe = [c for c in chain if c in ok and c not in target]
    rows = {c: {d: q for d, q in chain[c].items() if d in maybe} for c in maybe}
    rhs = {c: sum((q for d, q in chain[c].items() if d in target), Fraction(0)) for c in maybe}
    x = solve(rows, rhs) if maybe else {}
    return {c: Fraction(1) if c in target else x.get(c, Fraction(0)) for c in chain}


def chain_expected(chain: dict[int, dict[int, Fraction]], target: set[int]
                   ) -> dict[int, Fraction | None]:
    """The expected number of steps to reach target (None where it is infinite)."""
    p = chain_reach(chain, target)
    sure = [c for c in chain if p[c] == 1 and c not in target]
    rows = {c: {d: q for d, q in chain[c].items() if d in sure} for c in sure}
    x = solve(rows, {c: Fraction(1) for c in sure}) if sure else {}
    return {c: Fraction(0) if c in target else x.get(c) for c in chain}


# -- the adversary: a Markov decision process ----------------------------------------------


class Product:
    """The adversary's MDP: states (config, crash set), actions events of live processes and
    crashes (at most ``crashes``)."""

    def __init__(self, space: ChanceSpace, crashes: int) -> None:
        self.space = space
        self.crashes = crashes
        self.actions: dict[tuple[int, frozenset[int]], list[Action]] = {}
        todo = [(cid, frozenset()) for _, cid in space.initial]
        while todo:
            s = todo.pop()
            if s in self.actions:
                continue
            cid, f = s
            acts: list[Action] = []
            for (p, msg), branches in space.events[cid]:
                if p not in f:
                    acts.append((("event", p, msg), [(q, (d, f)) for q, d in branches]))
            if len(f) < crashes and cid not in space.cut:
                for p in range(space.n):
                    if p not in f:
                        acts.append((("crash", p), [(Fraction(1), (cid, f | {p}))]))
            self.actions[s] = acts
            todo += [t for _, outs in acts for _, t in outs]

    def is_crash(self, action: Action) -> bool:
        return action[0][0] == "crash"


def mdp_min_within(prod: Product, target: set[Any], k: int) -> dict[Any, Fraction]:
    """min over adversaries of P(reach target within k events); crashes take no time."""
    states = sorted(prod.actions, key=lambda s: -len(s[1]))  # larger crash sets first
    p = {s: Fraction(int(s in target)) for s in states}
    for step in range(k + 1):
        new: dict[Any, Fraction] = {}
        for s in states:
            if s in target:
                new[s] = Fraction(1)
                continue
            best = None
            for action in prod.actions[s]:
                if prod.is_crash(action):
                    v = new[action[1][0][1]]
                elif step == 0:
                    continue
                else:
                    v = sum((q * p[t] for q, t in action[1]), Fraction(0))
                best = v if best is None else min(best, v)
            new[s] = Fraction(0) if best is None else best
        p = new
    return p


def _tarjan(nodes: list[Any], succ: Callable[[Any], list[Any]]) -> list[list[Any]]:
    """Strongly connected components (Tarjan, iterative)."""
    index: dict[Any, int] = {}
    low: dict[Any, int] = {}
    on: set[Any] = set()
    stack: list[Any] = []
    out: list[list[Any]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(succ(root)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(succ(w))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(comp)
    return out


def end_components(prod: Product, states: set[Any]) -> list[tuple[set[Any], list[Action]]]:
    """The maximal end components inside ``states``: (states, actions) closed under chance."""
    keep = {s: [a for a in prod.actions[s] if all(t in states for _, t in a[1])]
            for s in states}
    while True:
        live = [s for s in keep if keep[s]]
        comps = _tarjan(live, lambda s: [t for a in keep[s] for _, t in a[1] if t in keep])
        where = {s: i for i, comp in enumerate(comps) for s in comp}
        changed = False
        for s in list(keep):
            if s not in where:
                del keep[s]
                changed = True
                continue
            acts = [a for a in keep[s] if all(where.get(t) == where[s] for _, t in a[1])]
            if len(acts) != len(keep[s]):
                changed = True
            keep[s] = acts
            if not acts:
                del keep[s]
        if not changed:
            return [({s for s in comp}, [a for s in comp for a in keep[s]])
                    for comp in comps if all(s in keep for s in comp)]


def fair_end_states(prod: Product, states: set[Any]) -> set[Any]:
    """The union of the fair end components inside ``states``: every process outside the crash
    set steps, every message pending to one of them in some state is received."""
    n = prod.space.n
    current = set(states)
    while True:
        bad: set[Any] = set()
        found: set[Any] = set()
        for comp, acts in end_components(prod, current):
            crashed = next(iter(comp))[1]
            live = set(range(n)) - crashed
            if {a[0][1] for a in acts} != live:
                bad |= comp
                continue
            received = {(a[0][1], repr(a[0][2])) for a in acts if a[0][2] is not None}
            for s in comp:
                pending = {(d, repr(m)) for d, m in prod.space.order[s[0]][1] if d in live}
                if pending - received:
                    bad.add(s)
            found |= comp
        if not bad:
            return found
        current = found - bad


def mdp_max_reach(prod: Product, goal: set[Any], sinks: set[Any]) -> dict[Any, Fraction]:
    """max over adversaries of P(reach ``goal``), with ``sinks`` absorbing (value 0): Howard's
    policy iteration from the first action of every state."""
    states = list(prod.actions)
    act = {s: [a for a in prod.actions[s]] for s in states}
    free = [s for s in states if s not in goal and s not in sinks and act[s]]
    policy = {s: 0 for s in free}

    def values() -> dict[Any, Fraction]:
        chain = {s: {} for s in states}
        for s in free:
            for q, t in act[s][policy[s]][1]:
                chain[s][t] = chain[s].get(t, Fraction(0)) + q
        return chain_reach(chain, set(goal))

    while True:
        v = values()
        changed = False
        for s in free:
            qs = [sum((q * v[t] for q, t in a[1]), Fraction(0)) for a in act[s]]
            best = max(qs)
            if best > qs[policy[s]]:
                policy[s] = qs.index(best)
                changed = True
        if not changed:
            return v


def mdp_min_fair_reach(prod: Product, target: set[Any], traps: set[Any] = frozenset()
                       ) -> dict[Any, Fraction]:
    """min over fair adversaries of P(reach target before any trap):
    1 - Pmax(reach traps or a fair end component that avoids target and traps)."""
    free = {s for s in prod.actions if s not in target and s not in traps}
    u = fair_end_states(prod, free) | set(traps)
    pmax = mdp_max_reach(prod, u, set(target))
    return {s: 1 - pmax[s] for s in prod.actions}
