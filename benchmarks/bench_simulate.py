"""flpcheck simulate against a plain random walk in Python (run by hand).

    python -m benchmarks.bench_simulate [--runs 1000] [--steps 100] [--seed 0] [SPEC ...]

For each model, the same number of runs of at most the same number of events, uniform over the
applicable events (null events included), every run taken (``keep_going``):

- ``flpcheck``: :func:`flpcheck.simulate.simulate` (interned configurations, checked and
  memoized user calls, safety after every event, stable hashes of every configuration met);
- ``plain``: a straightforward loop that keeps the states and the buffer as Python lists,
  calls the model's ``step`` and ``output`` directly (no checks, no memo, no interning), checks
  agreement on the stepping process's output, and stops a run where flpcheck does (no message
  in transit and every null step changes nothing).

It prints runs, events, seconds, runs/s and events/s for each, and flpcheck's events/s over the
plain loop's. Memoizing pays where runs revisit local transitions (bounded models); on models
whose runs keep meeting new local states (unbounded ballots) every new transition costs the
checks (two calls, a copy, the immutability and interning), and the plain loop is faster.
"""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

from flpcheck.model.loader import load_protocol
from flpcheck.simulate import Settings, simulate

DEFAULT = ["models/paxos.py:Paxos", "models/wait_for_all.py", "models/paxos_unbounded.py"]


def plain_walk(protocol: Any, runs: int, steps: int, seed: int) -> tuple[int, int]:
    """(runs, events) of the plain loop; raises AssertionError on an agreement violation."""
    n = protocol.processes
    events = 0
    for i in range(runs):
        rng = random.Random(seed * 1_000_003 + i)
        states = [protocol.init(p, rng.randrange(2)) for p in range(n)]
        outs = [protocol.output(p, s) for p, s in enumerate(states)]
        buffer: list[tuple[int, Any]] = []
        for _ in range(steps):
            choices: list[tuple[int, Any]] = [(p, None) for p in range(n)]
            seen = []
            for m in buffer:
                if m not in seen:
                    seen.append(m)
            choices += seen
            p, msg = choices[rng.randrange(len(choices))]
            if msg is not None:
                buffer.remove((p, msg))
            states[p], sends = protocol.step(p, states[p], msg)
            buffer.extend(sends)
            events += 1
            outs[p] = protocol.output(p, states[p])
            decided = {v for v in outs if v is not None}
            assert len(decided) < 2, "agreement violated"
            if not buffer and all(_idle(protocol, q, s) for q, s in enumerate(states)):
                break
    return runs, events


def _idle(protocol: Any, pid: int, state: Any) -> bool:
    new, sends = protocol.step(pid, state, None)
    return new == state and not list(sends)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("specs", nargs="*", default=DEFAULT)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"{'model':<30} {'engine':<9} {'runs':>6} {'events':>9} {'seconds':>8} "
          f"{'runs/s':>8} {'events/s':>9}")
    for spec in args.specs:
        protocol = load_protocol(spec)
        t = time.perf_counter()
        sim = simulate(protocol, Settings(runs=args.runs, steps=args.steps, seed=args.seed,
                                          keep_going=True))
        fl = time.perf_counter() - t
        fl_rate = sim.counts.events / fl
        print(f"{spec:<30} {'flpcheck':<9} {sim.counts.runs:>6} {sim.counts.events:>9,} "
              f"{fl:>8.2f} {sim.counts.runs / fl:>8,.0f} {fl_rate:>9,.0f}")
        protocol = load_protocol(spec)
        t = time.perf_counter()
        runs, events = plain_walk(protocol, args.runs, args.steps, args.seed)
        pl = time.perf_counter() - t
        print(f"{'':<30} {'plain':<9} {runs:>6} {events:>9,} {pl:>8.2f} {runs / pl:>8,.0f} "
              f"{events / pl:>9,.0f}")
        print(f"{'':<30} {'ratio':<9} {'':>6} {'':>9} {'':>8} {'':>8} "
              f"{fl_rate / (events / pl):>8.2f}x")


if __name__ == "__main__":
    main()
