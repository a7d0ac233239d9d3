"""One thread against two (``FLPCHECK_WORKERS``), and the reductions, on the same models (by hand).

    python -m benchmarks.bench_parallel [--cases majority:4,paxos221:3] [--repeat 3]
                                        [--reductions]

Each run is its own subprocess: explore + valence + safety (what ``flpcheck explore``
computes), timed, with its peak RSS over configurations (RSS after imports subtracted). The
median of ``--repeat`` runs is printed with the ratio to one worker. ``--reductions`` adds a
run with ``--por`` (and with ``--symmetry`` for protocols that declare it) and checks that the
verdicts and initial valences are the full run's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.bench_spin import MODEL_ATTRS, MODEL_FILES

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, ".")
from flpcheck.model.loader import load_protocol
from flpcheck.explorer.limits import current_rss
from flpcheck import explore, classify_valence
from flpcheck.analysis.properties import check_safety
model, n, attrs, mode = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
protocol = load_protocol(model, n)
for key, value in attrs.items():
    setattr(protocol, key, tuple(value) if isinstance(value, list) else value)
base = current_rss()
t = time.perf_counter()
space = explore(protocol, por=mode == "por", symmetry=mode == "symmetry")
explored = time.perf_counter() - t
valence = classify_valence(space)
safety = check_safety(space)
total = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(dict(
    configs=len(space), events=space.num_events, explore_s=explored, total_s=total,
    bytes_per_config=(peak - base) / len(space), note=space.por_note,
    verdicts=[[r.name, r.holds] for r in safety],
    initial=[valence.label(c) for _, c in space.initial])))
"""


def run(model: str, n: int, attrs: dict, mode: str, workers: int) -> dict:
    env = {**os.environ, "FLPCHECK_WORKERS": str(workers)}
    out = subprocess.run([sys.executable, "-c", CHILD, model, str(n), json.dumps(attrs), mode],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="majority:4,wait_for_all:4,paxos221:3,majority:5")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reductions", action="store_true")
    args = parser.parse_args()
    print(f"{'model':<14} {'run':<12} {'configs':>11} {'events':>12} {'total s':>8} "
          f"{'ratio':>6} {'B/config':>9}")
    bad = []
    for case in args.cases.split(","):
        name, _, n_text = case.partition(":")
        model, attrs, n = MODEL_FILES[name], MODEL_ATTRS.get(name, {}), int(n_text)
        runs = [("1 worker", "full", 1), ("2 workers", "full", 2)]
        if args.reductions:
            runs += [("--por", "por", 2), ("--symmetry", "symmetry", 2)]
        base = None
        for label, mode, workers in runs:
            try:
                results = [run(model, n, attrs, mode, workers) for _ in range(args.repeat)]
            except RuntimeError as err:
                print(f"{case:<14} {label:<12} refused: {str(err).strip().splitlines()[-1]}")
                continue
            r = results[0]
            total = statistics.median(x["total_s"] for x in results)
            mem = statistics.median(x["bytes_per_config"] for x in results)
            base = base or (total, r)
            print(f"{case:<14} {label:<12} {r['configs']:>11,} {r['events']:>12,} "
                  f"{total:>8.2f} {base[0] / total:>5.2f}x {mem:>9,.0f}"
                  + (f"  ({r['note']})" if r["note"] else ""))
            if (r["verdicts"], r["initial"]) != (base[1]["verdicts"], base[1]["initial"]):
                bad.append(f"{case} {label}: verdicts or initial valences differ")
        sys.stdout.flush()
    if bad:
        print("MISMATCH:\n  " + "\n  ".join(bad))
        return 1
    print("every run gives the same verdicts and initial valences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
