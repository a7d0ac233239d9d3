"""flpcheck on 1 and 2 workers against SPIN, side by side, to the safety verdict (by hand).

    python -m benchmarks.bench_scale [--cases majority:5,paxos2:3] [--no-spin]
                                     [--no-running-ray] [--keep DIR]

Each flpcheck run is its own process and computes what ``flpcheck explore`` reports (the
exploration, valence, agreement, validity, non-triviality):

- ``workers 1``: the default engine in one process (``explore(protocol)``);
- ``workers 2``: ``explore(protocol, workers=2)``, a local Ray started for the run and shut
  down after it (what ``flpcheck explore --workers 2`` does); its time includes Ray's start;
- ``workers 2*``: the same on a Ray already running (``ray start --head``, then
  ``--ray-address auto``): the time without Ray's start.

Bytes per configuration: (peak RSS - RSS after imports) of the exploring process plus, for
Ray, (peak RSS - RSS once the model is loaded) of every worker, over configurations; the
time to verdict is wall-clock, and the workers' CPU seconds are printed per method. SPIN as in
``benchmarks/bench_spin.py`` (spin -a + gcc + pan, full search, no reduction). The three must
agree on configurations, events and the agreement verdict (MISMATCH otherwise).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks.bench_spin import MODEL_ATTRS, MODEL_FILES, measure_spin

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, ".")
from flpcheck.model.loader import load_protocol
from flpcheck.explorer.limits import current_rss
from flpcheck.explorer.partition.worker import Partition
from flpcheck import explore, classify_valence
from flpcheck.analysis.properties import check_safety
model, n, attrs, workers, address = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), \
    int(sys.argv[4]), sys.argv[5] or None
protocol = load_protocol(model, n)
for key, value in attrs.items():
    setattr(protocol, key, tuple(value) if isinstance(value, list) else value)
if workers > 1:
    import ray  # imported before the baseline, as the CLI would
base = current_rss()
t = time.perf_counter()
space = explore(protocol, workers=workers, ray_address=address)
explored = time.perf_counter() - t
valence = classify_valence(space)
safety = check_safety(space)
total = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
out = dict(configs=len(space), events=space.num_events, explore_s=explored, verdict_s=total,
           driver_bytes=peak - base, agreement=safety[0].holds, engine=space.engine,
           valence=valence.counts(), workers=[])
parts = space.__dict__.get("parts")
if parts is not None:  # left on the workers: their figures after the analyses
    for s in parts.get(parts.call(Partition.summary, [()] * parts.K)):
        out["workers"].append(dict(configs=s["configurations"], bytes=s["rss_peak"] - s["rss_start"],
                                   arrays=sum(s["arrays"].values()), cpu=s["cpu"],
                                   timers=s["timers"]))
print(json.dumps(out))
"""


def measure(model: str, n: int, attrs: dict, workers: int, address: str | None) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, model, str(n), json.dumps(attrs),
                          str(workers), address or ""], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    r["bytes"] = r["driver_bytes"] + sum(w["bytes"] for w in r["workers"])
    return r


def ray_head(start: bool) -> bool:
    """Start (or stop) a local Ray head for the ``workers 2*`` rows."""
    if shutil.which("ray") is None and not (Path(sys.executable).parent / "ray").exists():
        return False
    ray = str(Path(sys.executable).parent / "ray") if shutil.which("ray") is None else "ray"
    args = [ray, "start", "--head", "--num-cpus=2", "--include-dashboard=false"] if start \
        else [ray, "stop"]
    return subprocess.run(args, capture_output=True, text=True).returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="majority:5,paxos2:3")
    parser.add_argument("--no-spin", action="store_true")
    parser.add_argument("--no-running-ray", action="store_true",
                        help="skip the runs on a Ray started beforehand")
    parser.add_argument("--keep", type=Path, help="keep SPIN's files here")
    args = parser.parse_args()
    spin = not args.no_spin and shutil.which("spin") and shutil.which("gcc")
    running = not args.no_running_ray and ray_head(True)
    head = (f"{'case':<12} {'run':>12} {'configs':>11} {'events':>12} {'verdict s':>9} "
            f"{'explore s':>9} {'B/config':>8}  agreement")
    print(head + "\n" + "-" * len(head))
    mismatches = []
    try:
        for case in args.cases.split(","):
            name, _, n_text = case.partition(":")
            n = int(n_text)
            model, attrs = MODEL_FILES[name], MODEL_ATTRS.get(name) or {}
            rows = {"workers 1": measure(model, n, attrs, 1, None),
                    "workers 2": measure(model, n, attrs, 2, None)}
            if running:
                rows["workers 2*"] = measure(model, n, attrs, 2, "auto")
            if spin:
                rows["spin"] = measure_spin(name, n, rows["workers 1"]["configs"], args.keep)
            for run, r in rows.items():
                verdict = "holds" if r["agreement"] else "violated"
                bpc = r["bytes_per_config"] if run == "spin" else r["bytes"] / r["configs"]
                print(f"{case:<12} {run:>12} {r['configs']:>11,} {r['events']:>12,} "
                      f"{r['verdict_s']:>9.2f} {r['explore_s']:>9.2f} {bpc:>8,.0f}  {verdict}")
            best = min((r["verdict_s"], run) for run, r in rows.items() if run != "spin")
            notes = [f"best flpcheck: {best[1]} {best[0]:.2f}s"]
            if "spin" in rows:
                s = rows["spin"]
                notes.append(f"spin: spin -a {s['spin_s']:.2f}s + gcc {s['gcc_s']:.2f}s + pan "
                             f"{s['explore_s']:.2f}s, {s['bytes_per_config']:.0f} B/config; "
                             f"best flpcheck / SPIN time to verdict: {best[0] / s['verdict_s']:.2f}x")
            for run in ("workers 2", "workers 2*"):
                if run in rows and rows[run]["workers"]:
                    ws = rows[run]["workers"]
                    cpu = ", ".join(f"p{k} {w['cpu']:.1f}s CPU ("
                                    + ", ".join(f"{m} {v:.1f}" for m, v in sorted(
                                        w["timers"].items(), key=lambda kv: -kv[1])[:4])
                                    + f"), {w['bytes'] / w['configs']:.0f} B/config"
                                    for k, w in enumerate(ws))
                    notes.append(f"{run}: {cpu}; driver "
                                 f"{rows[run]['driver_bytes'] / rows[run]['configs']:.0f} B/config")
            for note in notes:
                print(f"{'':<12} {note}")
            one = rows["workers 1"]
            for run, r in rows.items():
                for key in ("configs", "agreement") + (("events",) if run != "spin" else ()):
                    if r[key] != one[key]:
                        mismatches.append(f"{case}: {key} {run} {r[key]} != workers 1 {one[key]}")
                if run != "spin" and r["valence"] != one["valence"]:
                    mismatches.append(f"{case}: valence {run} differs")
            sys.stdout.flush()
    finally:
        if running:
            ray_head(False)
    if mismatches:
        print("MISMATCH:\n  " + "\n  ".join(mismatches))
        return 1
    print("\nevery run agrees on configurations, events, valence counts and the verdict")
    return 0


if __name__ == "__main__":
    sys.exit(main())
