"""Promela encodings of flpcheck models in the FLP message-buffer semantics (for bench_spin).

One generator, :func:`generate`, wraps a small hand-written per-model template (the local state
variables, the input assignment, the step for one received payload or the null message) in a
common skeleton that encodes FLP's message-buffer model one-to-one:

- the buffer B is a multiset: one counter ``buf[dst*K + payload]`` per message type, so copies
  of the same (dst, payload) are indistinguishable and receiving one is a single event;
- one process ``flp`` runs a ``do`` loop whose options are the events: per process p a null
  step (always enabled) and per (p, payload) a receive guarded by ``buf[...] > 0``; each option
  is one ``d_step`` (receive or null, update the local state, send), so the only control state
  ever stored is the loop head and pan stores exactly one state per configuration;
- every variable is 0 in the initial configuration with all-0 inputs (``y`` encodes no
  decision as 0, decision v as v+1), which is pan's initial state; the other 2^N-1 initial
  configurations are reached from it by input-choice options guarded by "everything is 0",
  i.e. enabled only in that one configuration.  So pan's stored states equal flpcheck's
  configurations and pan's transitions (= stored + matched) equal flpcheck's events + 2^N
  (one for the initial state, 2^N-1 for the input choices);
- agreement (no configuration holds two decision values, no output changes once
  set) is an ``assert`` at the end of every event; run pan with ``-c0`` so the search goes on
  past violations and the state count stays the full one.

Local-state fields are bytes (or bits); counters must fit a byte (checked by the templates'
bounds, asserted by :func:`generate`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    """One model's hand-written parts.  ``p`` and the payload are Python ints at generation."""

    name: str
    #: the number of buffer counters per process for ``n`` processes (buf has n * this many;
    #: the simple templates index ``buf[dst*K + payload]``)
    payloads: Callable[[int], int]
    #: local-state arrays, each ``byte name[N]`` (or ``bit``): (type, name)
    fields: tuple[tuple[str, str], ...]
    #: statements that turn the all-zero local state of p into init(p, 1)
    init_one: Callable[[int, int], str]
    #: the events: (comment, guard statement, body) for every option of the loop; the body
    #: must leave ``y[p]`` of the stepping process p, named by the returned pid
    events: Callable[[int], list[tuple[int, str, str, str]]]
    #: an upper bound on any counter (checked against 255)
    max_count: Callable[[int], int]
    #: extra declarations (hidden scratch variables, inlines, defines)
    prelude: Callable[[int], str] = lambda n: ""


def _simple_events(step: Callable[[int, int, int | None], str], k: int):
    """Events of a model whose payloads are 0..k-1: a null step and a receive per payload."""
    def events(n: int) -> list[tuple[int, str, str, str]]:
        out = []
        for p in range(n):
            for m in (None, *range(k)):
                guard = "true" if m is None else f"buf[{p * k + m}] > 0 -> buf[{p * k + m}]--"
                what = "null" if m is None else f"receive {m}"
                out.append((p, f"p{p} {what}", guard, step(n, p, m)))
        return out
    return events


def _send(n: int, k: int, q: int, v: str) -> str:
    return f"buf[{q * k} + ({v})]++"


def _broadcast(n: int, k: int, v: str) -> str:
    return "; ".join(_send(n, k, q, v) for q in range(n))


# --- majority of N-1 (models/majority.py) -------------------------------------------------
def _majority_step(n: int, p: int, m: int | None) -> str:
    k = 2
    code = [f"if :: !sent[{p}] -> sent[{p}] = 1; {_broadcast(n, k, f'x[{p}]')} :: else fi"]
    if m is not None:
        count = f"zeros[{p}]++" if m == 0 else f"ones[{p}]++"
        code.append(
            f"if :: y[{p}] == 0 -> {count};\n"
            f"        if :: zeros[{p}] + ones[{p}] == {n - 1} ->"
            f" y[{p}] = (ones[{p}] > zeros[{p}] -> 2 : 1) :: else fi\n"
            f"   :: else fi")
    return ";\n".join(code)


MAJORITY = Template(
    name="majority",
    payloads=lambda n: 2,
    fields=(("bit", "x"), ("bit", "sent"), ("byte", "zeros"), ("byte", "ones"), ("byte", "y")),
    init_one=lambda n, p: f"x[{p}] = 1",
    events=_simple_events(_majority_step, 2),
    max_count=lambda n: n,
)


# --- wait for all (models/wait_for_all.py) ------------------------------------------------
def _wait_for_all_step(n: int, p: int, m: int | None) -> str:
    k = 2
    code = [f"if :: !sent[{p}] -> sent[{p}] = 1; {_broadcast(n, k, f'x[{p}]')} :: else fi"]
    if m is not None:
        count = f"zeros[{p}]++" if m == 0 else f"ones[{p}]++"
        # no "undecided" guard: the Python model counts every vote (there are exactly N)
        code.append(
            f"{count};\n"
            f"if :: zeros[{p}] + ones[{p}] == {n} ->"
            f" y[{p}] = (ones[{p}] > zeros[{p}] -> 2 : 1) :: else fi")
    return ";\n".join(code)


WAIT_FOR_ALL = Template(
    name="wait_for_all",
    payloads=lambda n: 2,
    fields=(("bit", "x"), ("bit", "sent"), ("byte", "zeros"), ("byte", "ones"), ("byte", "y")),
    init_one=lambda n, p: f"x[{p}] = 1",
    events=_simple_events(_wait_for_all_step, 2),
    max_count=lambda n: n,
)


# --- bounded single-decree Paxos (models/paxos.py: Paxos, Paxos2, Paxos3) ------------------
# Encoding (every field is 0 in init(p, 0)): phase 0 idle, 1 preparing, 2 accepting; vbal1,
# mbal1, abal1 are the ballots + 1 (0: -1); value1, aval1, y are the values + 1 (0: None).
# The messages a process sends to itself go through a hidden FIFO inside the d_step and are
# received in the same step, in order, as models/paxos.py does; the others go to the buffer.
# Buffer counters (B = ballots per process * N ballot numbers, b % N is the ballot's owner):
#   prepare(b) to dst            PREP + dst*B + b
#   promise(b, abal, aval)       PROM + b*b + (abal < 0 ? 0 : 1 + 2*abal + aval)  (to b % N;
#                                abal < b always, so b*b slots before ballot b)
#   accept(b, v) to dst          ACC + (dst*B + b)*2 + v
#   accepted(b, v)               ACCD + b*2 + v  (to b % N)
#   decide(v) to dst             DEC + dst*2 + v
PREPARE, PROMISE, ACCEPT, ACCEPTED, DECIDE = 1, 2, 3, 4, 5


def _paxos_layout(n: int, ballots: int) -> dict[str, int]:
    """Buffer counter offsets; ``ballots`` is the largest number of ballots of a process."""
    b = ballots * n
    prep, prom = 0, n * b
    acc = prom + b * b
    accd = acc + 2 * n * b
    dec = accd + 2 * b
    return dict(B=b, PREP=prep, PROM=prom, ACC=acc, ACCD=accd, DEC=dec, size=dec + 2 * n)


def _acceptors(n: int, pid: int, k: int) -> list[int]:
    """models/paxos.py Paxos.acceptors: pid, then quorum - 1 others in ring order from k."""
    others = n // 2
    return [pid] + [(pid + 1 + (k + i) % (n - 1)) % n for i in range(others)]


def _paxos_prelude(n: int, ballots: int) -> str:
    lay = _paxos_layout(n, ballots)  # ballots: the most of any process
    q = n // 2 + 1
    return f"""#define B {lay['B']}
#define Q {q}
hidden byte qk[32]; hidden byte qb[32]; hidden byte qa[32]; hidden byte qv[32];
hidden byte qh; hidden byte qt; hidden byte mk; hidden byte mb; hidden byte ma; hidden byte mv;
hidden byte dst; hidden byte chosen;
/* a message from process P: to itself into the FIFO, else into the buffer */
inline send(P, d, k, b, a, v) {{
  if
  :: d == P -> assert(qt < 32); qk[qt] = k; qb[qt] = b; qa[qt] = a; qv[qt] = v; qt++
  :: else ->
    if
    :: k == {PREPARE} -> buf[{lay['PREP']} + d*B + b]++
    :: k == {PROMISE} && a == 0 -> buf[{lay['PROM']} + b*b]++
    :: k == {PROMISE} && a > 0 -> buf[{lay['PROM']} + b*b + 1 + 2*(a-1) + (v-1)]++
    :: k == {ACCEPT} -> buf[{lay['ACC']} + (d*B + b)*2 + v]++
    :: k == {ACCEPTED} -> buf[{lay['ACCD']} + b*2 + v]++
    :: k == {DECIDE} -> buf[{lay['DEC']} + d*2 + v]++
    fi
  fi
}}
"""


def _paxos_receive(n: int, p: int, ballots: int) -> str:  # ballots: p's own limit
    """Process p receives the message (mk, mb, ma, mv): models/paxos.py Paxos.receive."""
    accept_sends = "\n".join(
        f"           :: started[{p}] == {k + 1} -> "
        + "; ".join(f"send({p}, {d}, {ACCEPT}, mb, 0, chosen)" for d in _acceptors(n, p, k))
        for k in range(ballots))
    decide_sends = "; ".join(f"send({p}, {d}, {DECIDE}, 0, 0, chosen)" for d in range(n)
                             if d != p)
    return f"""if
:: mk == {PREPARE} ->
   if
   :: mb + 1 <= mbal1[{p}] -> skip
   :: else -> mbal1[{p}] = mb + 1; send({p}, mb % {n}, {PROMISE}, mb, abal1[{p}], aval1[{p}])
   fi
:: mk == {ACCEPT} ->
   if
   :: mb + 1 < mbal1[{p}] -> skip
   :: else -> mbal1[{p}] = mb + 1; abal1[{p}] = mb + 1; aval1[{p}] = mv + 1;
              send({p}, mb % {n}, {ACCEPTED}, mb, 0, mv)
   fi
:: mk == {DECIDE} -> if :: y[{p}] == 0 -> y[{p}] = mv + 1 :: else fi
:: else ->
   if
   :: y[{p}] != 0 || started[{p}] == 0 || mb != (started[{p}] - 1) * {n} + {p} -> skip
   :: mk == {PROMISE} && phase[{p}] == 1 ->
      heard[{p}]++;
      if :: ma > vbal1[{p}] -> vbal1[{p}] = ma; value1[{p}] = mv :: else fi;
      if
      :: heard[{p}] >= Q ->
         chosen = (vbal1[{p}] > 0 -> value1[{p}] - 1 : x[{p}]);
         phase[{p}] = 2; heard[{p}] = 0; vbal1[{p}] = 0; value1[{p}] = chosen + 1;
         if
{accept_sends}
         fi
      :: else
      fi
   :: mk == {ACCEPTED} && phase[{p}] == 2 ->
      heard[{p}]++;
      if
      :: heard[{p}] >= Q ->
         chosen = value1[{p}] - 1;
         phase[{p}] = 0; heard[{p}] = 0; vbal1[{p}] = 0; value1[{p}] = 0; y[{p}] = chosen + 1;
         {decide_sends}
      :: else
      fi
   :: else -> skip
   fi
fi"""


def _limits(ballots: int | tuple[int, ...], n: int) -> tuple[int, ...]:
    """Ballots per process: one number for all, or one per process (``max_ballots``)."""
    return ballots if isinstance(ballots, tuple) else (ballots,) * n


def _paxos_events(ballots: int | tuple[int, ...]):
    def events(n: int) -> list[tuple[int, str, str, str]]:
        limits = _limits(ballots, n)
        lay = _paxos_layout(n, max(limits))
        nb = lay["B"]
        drain = ("do\n:: qh < qt -> mk = qk[qh]; mb = qb[qh]; ma = qa[qh]; mv = qv[qh]; qh++;\n"
                 "{}\n:: else -> break\nod")
        out = []
        for p in range(n):
            recv = drain.format(_paxos_receive(n, p, limits[p]))
            starts = "\n".join(
                f"  :: started[{p}] == {k} -> started[{p}] = {k + 1}; "
                f"phase[{p}] = 1; heard[{p}] = 0; vbal1[{p}] = 0; value1[{p}] = 0;\n     "
                + "; ".join(f"send({p}, {d}, {PREPARE}, {k * n + p}, 0, 0)"
                            for d in _acceptors(n, p, k))
                for k in range(limits[p]))
            null = (f"qh = 0; qt = 0;\nif\n:: y[{p}] != 0 || started[{p}] >= {limits[p]} -> skip\n"
                    f"{starts}\nfi;\n{recv}")
            out.append((p, f"p{p} null: start the next ballot", "true", null))

            def recv_event(index: int, k: int, b: int, a: int, v: int, what: str,
                           p: int = p, recv: str = recv) -> None:
                out.append((p, f"p{p} receive {what}",
                            f"buf[{index}] > 0 -> buf[{index}]--",
                            f"qh = 0; qk[0] = {k}; qb[0] = {b}; qa[0] = {a}; qv[0] = {v}; "
                            f"qt = 1;\n{recv}"))

            for b in range(nb):
                owner = b % n
                if owner != p:  # prepare and accept from the owner; never to itself
                    recv_event(lay["PREP"] + p * nb + b, PREPARE, b, 0, 0, f"prepare({b})")
                    for v in (0, 1):
                        recv_event(lay["ACC"] + (p * nb + b) * 2 + v, ACCEPT, b, 0, v,
                                   f"accept({b}, {v})")
                else:  # replies to p's own ballot b
                    recv_event(lay["PROM"] + b * b, PROMISE, b, 0, 0, f"promise({b}, none)")
                    for abal in range(b):
                        for v in (0, 1):
                            recv_event(lay["PROM"] + b * b + 1 + 2 * abal + v, PROMISE, b,
                                       abal + 1, v + 1, f"promise({b}, ({abal}, {v}))")
                    for v in (0, 1):
                        recv_event(lay["ACCD"] + b * 2 + v, ACCEPTED, b, 0, v,
                                   f"accepted({b}, {v})")
            for v in (0, 1):
                recv_event(lay["DEC"] + p * 2 + v, DECIDE, 0, 0, v, f"decide({v})")
        return out
    return events


def _paxos(name: str, ballots: int | tuple[int, ...]) -> Template:
    def most(n: int) -> int:
        return max(_limits(ballots, n))

    return Template(
        name=name,
        payloads=lambda n: -(-_paxos_layout(n, most(n))["size"] // n),
        fields=(("bit", "x"), ("byte", "started"), ("byte", "phase"), ("byte", "heard"),
                ("byte", "vbal1"), ("byte", "value1"), ("byte", "mbal1"), ("byte", "abal1"),
                ("byte", "aval1"), ("byte", "y")),
        init_one=lambda n, p: f"x[{p}] = 1",
        events=_paxos_events(ballots),
        max_count=lambda n: n,
        prelude=lambda n: _paxos_prelude(n, most(n)),
    )


PAXOS, PAXOS2, PAXOS3 = _paxos("paxos", 1), _paxos("paxos2", 2), _paxos("paxos3", 3)
PAXOS211 = _paxos("paxos211", (2, 1, 1))  # max_ballots=(2, 1, 1): N = 3 only
PAXOS221 = _paxos("paxos221", (2, 2, 1))  # max_ballots=(2, 2, 1): N = 3 only

TEMPLATES: dict[str, Template] = {"majority": MAJORITY, "wait_for_all": WAIT_FOR_ALL,
                                "paxos": PAXOS, "paxos2": PAXOS2, "paxos3": PAXOS3,
                                "paxos211": PAXOS211, "paxos221": PAXOS221}


def generate(t: Template, n: int) -> str:
    """The Promela model of template ``t`` with ``n`` processes."""
    assert t.max_count(n) <= 255, "a counter would overflow a byte"
    k = t.payloads(n)
    names = [name for _, name in t.fields]
    if "y" not in names:
        raise ValueError("a template needs the decision array y (0 none, v+1 decided v)")
    decls = "\n".join(f"{typ} {name}[{n}];" for typ, name in t.fields)
    all_zero = " && ".join(
        [f"{name}[{p}] == 0" for name in names for p in range(n)]
        + [f"buf[{i}] == 0" for i in range(n * k)])
    any0 = " || ".join(f"y[{p}] == 1" for p in range(n))
    any1 = " || ".join(f"y[{p}] == 2" for p in range(n))

    options = []
    for bits in itertools.product((0, 1), repeat=n):
        if not any(bits):
            continue
        sets = "; ".join(t.init_one(n, p) for p in range(n) if bits[p])
        options.append(f"  :: d_step {{ ALL_ZERO -> {sets} }}  /* inputs {''.join(map(str, bits))} */")
    for p, what, guard, step in t.events(n):
        body = step.replace("\n", "\n    ")
        options.append(
            f"  :: d_step {{  /* {what} */\n"
            f"    {guard};\n    before = y[{p}];\n    {body};\n"
            f"    assert(before == 0 || y[{p}] == before);  /* write-once output */\n"
            f"    assert(!(ANY0 && ANY1))  /* agreement */\n  }}")
    body = "\n".join(options)
    return (
        f"/* {t.name}, N = {n}: generated by benchmarks/promela.py (FLP multiset buffer,\n"
        f"   one d_step per event, one stored state per configuration) */\n"
        f"byte buf[{n * k}];  /* one counter per (dst, payload) message type */\n"
        f"{decls}\n"
        f"hidden byte before;  /* scratch inside a d_step, not part of the state vector */\n"
        f"#define ALL_ZERO ({all_zero})\n"
        f"#define ANY0 ({any0})\n#define ANY1 ({any1})\n"
        f"{t.prelude(n)}\n"
        f"active proctype flp() {{\n  do\n{body}\n  od\n}}\n")


if __name__ == "__main__":
    import sys

    print(generate(TEMPLATES[sys.argv[1]], int(sys.argv[2])))
