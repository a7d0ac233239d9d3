"""Explorer vs the plain reference BFS, side by side (run by hand, never in CI).

    python -m benchmarks.bench_core [--sizes 3,4] [--model models/majority.py]

Each measurement runs in a fresh subprocess so that its peak RSS is its own: bytes per
configuration = (peak RSS after exploring - RSS after imports) / configurations.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, ".")
from flpcheck.model.loader import load_protocol
from flpcheck.explorer.limits import current_rss
engine, model, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
protocol = load_protocol(model, n)
if engine == "reference":
    from tests.reference import reference_explore
base = current_rss()
t = time.perf_counter()
if engine == "flpcheck":
    from flpcheck import explore, classify_valence
    space = explore(protocol)
    explored = time.perf_counter() - t
    classify_valence(space)
    configs, events = len(space), space.num_events
else:
    rs = reference_explore(protocol)
    explored = time.perf_counter() - t
    configs, events = len(rs.order), rs.events
total = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(dict(configs=configs, events=events, explore_s=explored, total_s=total,
                      bytes_per_config=(peak - base) / configs)))
"""


def measure(engine: str, model: str, n: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, engine, model, str(n)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models/majority.py")
    parser.add_argument("--sizes", default="3,4")
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    head = (f"{'N':>2} {'engine':>9} {'configs':>10} {'events':>11} {'explore s':>9} "
            f"{'events/s':>10} {'B/config':>9}")
    print(f"model: {args.model}\n{head}")
    for n in (int(s) for s in args.sizes.split(",")):
        rows = {}
        for engine in ("flpcheck", *(() if args.no_reference else ("reference",))):
            r = rows[engine] = measure(engine, args.model, n)
            print(f"{n:>2} {engine:>9} {r['configs']:>10,} {r['events']:>11,} "
                  f"{r['explore_s']:>9.2f} {r['events'] / r['explore_s']:>10,.0f} "
                  f"{r['bytes_per_config']:>9,.0f}")
        if "reference" in rows:
            f, ref = rows["flpcheck"], rows["reference"]
            assert (f["configs"], f["events"]) == (ref["configs"], ref["events"]), "counts differ"
            speed = (f["events"] / f["explore_s"]) / (ref["events"] / ref["explore_s"])
            mem = ref["bytes_per_config"] / f["bytes_per_config"]
            print(f"   ratio flpcheck/reference: {speed:.2f}x events/s, "
                  f"{mem:.2f}x less memory per configuration "
                  f"(flpcheck explore+valence {f['total_s']:.2f}s)")


if __name__ == "__main__":
    main()
