"""Liveness after GST against exploration, time and memory (run by hand, never in CI).

    python -m benchmarks.bench_liveness [--gst-by 2,4,6] [--skip-bounded]

Two kinds of graph, each measured in fresh subprocesses so that each peak RSS is its own
(RSS after imports subtracted), side by side in one run (timings are noisy on a shared machine:
read the ratios):

- bounded Paxos (``models/paxos.py`` with ``max_ballots=(2, 2, 1)``, the four input vectors
  001, 010, 011, 100: 327,046 configurations), without crashes (liveness holds: the worst case
  is computed) and with one (it fails), without ``--gst-by``: the liveness
  check is a set of edge masks on the explored graph. Printed: the exploration alone, then
  the check after it (its own time), and the ratios check / exploration in time and in memory
  (peak of the process that explores and checks over the peak of the one that only explores);
- unbounded Paxos (N = 3) with ``--gst-by D``: the check explores the configurations within D
  events, then the graphs after GST (one per crash set). Printed: the configurations it
  explored in all and its time and memory, against ``explore`` of the same model cut at that
  many configurations (``--max-configs``), and the ratios.
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
from flpcheck import explore
from flpcheck.analysis.gst import GSTRules
from flpcheck.analysis.liveness import check_liveness
from flpcheck.analysis.post_gst import PostBounds
from flpcheck.explorer.limits import current_rss
from flpcheck.model.loader import load_protocol
spec = json.loads(sys.argv[1])
base = current_rss()
protocol = load_protocol(spec["model"])
if spec.get("max_ballots"):
    protocol = type("PaxosB", (type(protocol),), {"max_ballots": tuple(spec["max_ballots"])})()
inputs = [tuple(x) for x in spec["inputs"]] if spec.get("inputs") else None
t = time.perf_counter()
space = explore(protocol, inputs, max_depth=spec.get("gst_by"), max_configs=spec.get("max_configs"))
explored = time.perf_counter() - t
out = {"configs": len(space), "events": space.num_events, "explore_s": explored}
if spec["check"]:
    t = time.perf_counter()
    r = check_liveness(space, spec["crashes"], GSTRules(leader=spec.get("leader")), "some",
                       spec.get("gst_by"), PostBounds(max_configs=spec.get("post_configs")))
    out.update(check_s=time.perf_counter() - t, holds=r.holds, worst=r.worst_steps,
               post=r.post_configurations, cut=list(r.cut_reasons))
out["peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base
print(json.dumps(out))
"""


def measure(**spec: object) -> dict:
    """Run one measurement in a fresh interpreter and return what it printed."""
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(spec)], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def bounded(crashes: int = 1) -> None:
    spec = dict(model="models/paxos.py:Paxos", max_ballots=[2, 2, 1], crashes=crashes,
                inputs=[[0, 0, 1], [0, 1, 0], [0, 1, 1], [1, 0, 0]])
    alone = measure(check=False, **spec)
    checked = measure(check=True, **spec)
    print(f"bounded Paxos (2,2,1), 4 inputs, t={crashes}: {alone['configs']:,} configurations, "
          f"{alone['events']:,} events; liveness {checked['holds']} (worst "
          f"{checked['worst']})")
    print(f"  explore {alone['explore_s']:.2f}s, {alone['peak_bytes'] / 2**20:.0f} MiB; "
          f"check {checked['check_s']:.2f}s after exploring, process peak "
          f"{checked['peak_bytes'] / 2**20:.0f} MiB")
    print(f"  ratio check/explore: time {checked['check_s'] / alone['explore_s']:.2f}, "
          f"memory {checked['peak_bytes'] / max(alone['peak_bytes'], 1):.2f}")


def unbounded(gst_by: int, crashes: int, post_configs: int = 20_000_000) -> None:
    checked = measure(model="models/paxos_unbounded.py", gst_by=gst_by, crashes=crashes,
                      check=True, post_configs=post_configs)
    total = checked["configs"] + checked["post"]
    alone = measure(model="models/paxos_unbounded.py", max_configs=total, crashes=crashes,
                    check=False)
    took = checked["explore_s"] + checked["check_s"]
    print(f"unbounded Paxos --gst-by {gst_by}, t={crashes}: {checked['configs']:,} "
          f"configurations before GST, {checked['post']:,} after; liveness {checked['holds']} "
          f"(worst {checked['worst']}){' cut: ' + ', '.join(checked['cut']) if checked['cut'] else ''}")
    print(f"  liveness {took:.2f}s, {checked['peak_bytes'] / 2**20:.0f} MiB; explore of "
          f"{alone['configs']:,} configurations {alone['explore_s']:.2f}s, "
          f"{alone['peak_bytes'] / 2**20:.0f} MiB")
    print(f"  ratio liveness/explore: time {took / alone['explore_s']:.2f}, memory "
          f"{checked['peak_bytes'] / max(alone['peak_bytes'], 1):.2f}")


def main(argv: list[str]) -> None:
    depths = [2, 4, 6]
    if "--gst-by" in argv:
        depths = [int(d) for d in argv[argv.index("--gst-by") + 1].split(",")]
    if "--skip-bounded" not in argv:
        bounded(0)
        bounded(1)
    for d in depths:
        for t in (0, 1):
            unbounded(d, t)


if __name__ == "__main__":
    main(sys.argv[1:])
