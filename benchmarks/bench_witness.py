"""Witness search cost against exploration cost, per model (run by hand, never in CI).

    python -m benchmarks.bench_witness [models/majority.py:4 models/wait_for_all.py:4 ...]

For each MODEL:N it prints configurations, the time to explore, the time of the verdict
(Lemma 1 sample, safety, valence, silent valence, the run and its replay), and their ratio.
"""

from __future__ import annotations

import sys
import time

from flpcheck import explore
from flpcheck.analysis import verdict
from flpcheck.model.loader import load_protocol

DEFAULT = ["models/majority.py:4", "models/wait_for_all.py:4", "models/leader_broadcast.py:5",
           "models/flip_flop.py:2"]


def main(specs: list[str]) -> None:
    print(f"{'model':<34} {'configs':>9} {'explore s':>9} {'verdict s':>9} {'ratio':>6}  verdict")
    for spec in specs:
        path, _, n = spec.rpartition(":")
        protocol = load_protocol(path, int(n))
        t = time.perf_counter()
        space = explore(protocol)
        explored = time.perf_counter() - t
        t = time.perf_counter()
        v = verdict(space)
        judged = time.perf_counter() - t
        print(f"{spec:<34} {len(space):>9,} {explored:>9.2f} {judged:>9.2f} "
              f"{judged / explored:>6.2f}  {v.verdict}")


if __name__ == "__main__":
    main(sys.argv[1:] or DEFAULT)
