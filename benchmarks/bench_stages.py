"""witness --stages: directed certificate search against breadth-first search (run by hand).

    python -m benchmarks.bench_stages [--stages 6] [SPEC ...]

For each model it builds the first K stages of the Lemma 3 adversary on demand with the
default bounds (20,000 configurations per certificate search, 2,000 per sigma search), once
with the directed certificate search (oldest message first, then late null steps, then BFS)
and once with breadth-first search only, and prints stages built, seconds, and the ratio.
Target: 6 stages of Paxos with (round, pid) ballots in under 60 s.
"""

from __future__ import annotations

import argparse
import time

from flpcheck.analysis.stages import check_staged_run, staged_adversary
from flpcheck.model.loader import load_protocol

DEFAULT = ["models/paxos_rounds.py:PaxosRounds", "models/paxos_rounds.py:PaxosRoundsLoopback",
           "models/paxos_unbounded.py", "models/flip_flop.py"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("specs", nargs="*", default=DEFAULT)
    parser.add_argument("--stages", type=int, default=6)
    args = parser.parse_args()
    print(f"{'model':<44} {'search':<9} {'stages':>6} {'seconds':>8}  stopped")
    for spec in args.specs:
        protocol = load_protocol(spec)
        times = {}
        for directed in (True, False):
            t = time.perf_counter()
            run = staged_adversary(protocol, args.stages, directed=directed)
            times[directed] = time.perf_counter() - t
            check_staged_run(protocol, run)
            name = "directed" if directed else "BFS only"
            print(f"{spec:<44} {name:<9} {len(run.stages):>6} {times[directed]:>8.2f}  "
                  f"{', '.join(run.stopped_by) or '-'}")
        print(f"{'':<44} {'ratio':<9} {'':>6} {times[False] / times[True]:>8.1f}x")


if __name__ == "__main__":
    main()
