"""Thin shapes: flpcheck against a plain Python BFS, side by side (run by hand).

    python -m benchmarks.bench_shapes [--shapes Chain,Copies]

The models are in ``benchmarks/shapes.py``: a chain of 20,000 null steps before a broadcast
(4 configurations per level, 20,003 levels) and a first step that sends 2,000 copies of one
message (buffers of up to 2,000 messages). Each measurement runs in its own process:

- flpcheck: what ``flpcheck explore`` computes, phase by phase: the exploration, Lemma 1's
  sample (2,000 diamonds, replayed with the protocol's own code), then the report (valence,
  agreement, validity, non-triviality, the non-deciding run search);
- plain BFS: a dict of configurations (states, buffer as a multiset), ``step`` called once
  per event, no checks, no interning; then the valence by backward propagation and the
  agreement check. It shares no code with flpcheck.

The target is flpcheck within 2x of the plain BFS, or 1.5 s above it. The split of
flpcheck's exploration between its engine and the checked user-call layer
(``LocalTable._call_step``: every distinct local transition called twice and compared, its
arguments snapshot and compared, new values checked and interned) is printed too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLPCHECK = r"""
import json, sys, time
sys.path.insert(0, ".")
from flpcheck.model.loader import load_protocol
from flpcheck import explore, classify_valence
from flpcheck.analysis.lemma1 import require_lemma1
from flpcheck.model.table import LocalTable
from flpcheck.analysis.summary import summarize
protocol = load_protocol("benchmarks/shapes.py:" + sys.argv[1])
calls = [0.0]
call_step = LocalTable._call_step  # called once per distinct transition, not memoized
def timed_call(self, key):
    t = time.perf_counter()
    try:
        return call_step(self, key)
    finally:
        calls[0] += time.perf_counter() - t
LocalTable._call_step = timed_call
t0 = time.perf_counter()
space = explore(protocol)
t1 = time.perf_counter()
require_lemma1(space)
t2 = time.perf_counter()
summary = summarize("shape", space)
t3 = time.perf_counter()
print(json.dumps(dict(configs=len(space), events=space.num_events, explore=t1 - t0,
                      user_calls=calls[0], lemma1=t2 - t1, report=t3 - t2, total=t3 - t0,
                      valence=summary.valence.counts(),
                      agreement=summary.properties[0].holds)))
"""

PLAIN = r"""
import itertools, json, sys, time
from collections import deque
sys.path.insert(0, ".")
from flpcheck.model.loader import load_protocol
protocol = load_protocol("benchmarks/shapes.py:" + sys.argv[1])
n = protocol.processes
t0 = time.perf_counter()
index, order, edges, queue, events = {}, [], [], deque(), 0
for x in itertools.product((0, 1), repeat=n):
    c = (tuple(protocol.init(p, x[p]) for p in range(n)), frozenset())
    if c not in index:
        index[c] = len(order); order.append(c); queue.append(c)
while queue:
    states, buf = queue.popleft()
    counts = dict(buf)
    out = []
    for p, msg in [(p, None) for p in range(n)] + list(counts):
        new_state, sends = protocol.step(p, states[p], msg)
        d = dict(counts)
        if msg is not None:
            d[(p, msg)] -= 1
            if not d[(p, msg)]:
                del d[(p, msg)]
        for s in sends:
            d[s] = d.get(s, 0) + 1
        nxt = (states[:p] + (new_state,) + states[p + 1:], frozenset(d.items()))
        i = index.get(nxt)
        if i is None:
            i = index[nxt] = len(order); order.append(nxt); queue.append(nxt)
        out.append(i)
        events += 1
    edges.append(out)
t1 = time.perf_counter()
bits = []
for states, _ in order:
    b = 0
    for p in range(n):
        o = protocol.output(p, states[p])
        if o is not None:
            b |= 1 << o
    bits.append(b)
agreement = 3 not in bits  # no configuration decides both values
back = [[] for _ in order]
for i, out in enumerate(edges):
    for j in out:
        back[j].append(i)
for v in (1, 2):
    stack = [i for i, b in enumerate(bits) if b & v]
    while stack:
        j = stack.pop()
        for i in back[j]:
            if not bits[i] & v:
                bits[i] |= v
                stack.append(i)
t2 = time.perf_counter()
names = {0: "none", 1: "0-valent", 2: "1-valent", 3: "bivalent"}
valence = {names[c]: bits.count(c) for c in (3, 1, 2, 0)}
print(json.dumps(dict(configs=len(order), events=events, explore=t1 - t0, analyses=t2 - t1,
                      total=t2 - t0, valence=valence, agreement=agreement)))
"""


def run(code: str, shape: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, shape], cwd=ROOT, capture_output=True,
                         text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shapes", default="Chain,Copies")
    args = parser.parse_args()
    head = (f"{'shape':<8} {'run':>10} {'configs':>8} {'events':>8} {'explore s':>9} "
            f"{'then s':>7} {'total s':>8}")
    print(head + "\n" + "-" * len(head))
    bad = []
    for shape in args.shapes.split(","):
        f, p = run(FLPCHECK, shape), run(PLAIN, shape)
        print(f"{shape:<8} {'flpcheck':>10} {f['configs']:>8,} {f['events']:>8,} "
              f"{f['explore']:>9.2f} {f['lemma1'] + f['report']:>7.2f} {f['total']:>8.2f}")
        print(f"{shape:<8} {'plain BFS':>10} {p['configs']:>8,} {p['events']:>8,} "
              f"{p['explore']:>9.2f} {p['analyses']:>7.2f} {p['total']:>8.2f}")
        ratio = f["total"] / p["total"]
        ok = ratio <= 2 or f["total"] - p["total"] <= 1.5
        print(f"{'':<8} flpcheck/plain {ratio:.2f}x, {f['total'] - p['total']:+.2f}s "
              f"({'within' if ok else 'NOT within'} 2x or +1.5s); flpcheck's exploration: "
              f"{f['user_calls']:.2f}s in the checked user calls (LocalTable._call_step), "
              f"{f['explore'] - f['user_calls']:.2f}s engine; Lemma 1 {f['lemma1']:.2f}s, "
              f"report {f['report']:.2f}s")
        if (f["configs"], f["events"], f["valence"], f["agreement"]) != \
                (p["configs"], p["events"], p["valence"], p["agreement"]):
            bad.append(shape)
    if bad:
        print("MISMATCH (configurations, events or valence counts): " + ", ".join(bad))
        return 1
    print("\nflpcheck and the plain BFS agree on configurations, events and valence counts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
