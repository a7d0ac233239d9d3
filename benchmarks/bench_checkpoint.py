"""The cost of ``--checkpoint`` and the time a resume saves (run by hand).

    python -m benchmarks.bench_checkpoint [--model models/majority.py] [-n 5] [--repeat 3]

The exploration of one model (majority N=5 by default: 9,847,074 configurations) in this
process, in turns so that the other users of the machine weigh on each kind alike:

- ``plain``: no checkpoint (the reference);
- ``default``: ``--checkpoint DIR`` at its default cadence (5 s at first, then a tenth of the
  run and ten times the last write);
- ``every 1``: ``--checkpoint-every 1``, a checkpoint every second. (``0``, at every block
  boundary, is the most a run can write and is left out: on majority N=5 it writes a
  checkpoint per 8,192 configurations expanded, every 32nd of them the whole graph again; one
  such run had written 512 checkpoints, half-way, after about 150 s.)
- ``resume half``: a run stopped half-way through the plain run's time (a checkpoint written
  at the stop, as Ctrl-C leaves it), then resumed: the resume's time against a fresh run;
- ``resume done``: a finished checkpoint loaded (a run killed during its analyses).

Each line gives min and median seconds over the repeats and their ratio to ``plain``'s; the
checkpoints' size per configuration is printed once. The machine is shared: read the ratios.
The issue's target: ``default`` under 1.15 × ``plain``.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flpcheck import explore
from flpcheck.explorer.checkpoint import Checkpoint, Notice
from flpcheck.model.loader import load_protocol

ROOT = Path(__file__).resolve().parents[1]


def timed(run: Callable[[], object]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    space = run()
    seconds = time.perf_counter() - t0
    del space
    gc.collect()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "majority.py"))
    parser.add_argument("-n", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default=None, help="where to write (default: a temporary "
                                                     "directory)")
    args = parser.parse_args()
    protocol = load_protocol(args.model, args.n)
    base = Path(args.dir or tempfile.mkdtemp(prefix="bench-ck-"))
    base.mkdir(parents=True, exist_ok=True)
    times: dict[str, list[float]] = {k: [] for k in ("plain", "default", "every 1",
                                                     "resume half", "resume done")}
    written: dict[str, list[Notice]] = {}

    def fresh(name: str) -> Path:
        d = base / name.replace(" ", "-")
        shutil.rmtree(d, ignore_errors=True)
        return d

    def checkpointed(name: str, every: float | None) -> Callable[[], object]:
        notices: list[Notice] = []
        written[name] = notices
        ck = Checkpoint(fresh(name), every=every, notice=notices.append)
        return lambda: explore(protocol, origin=args.model, checkpoint=ck)

    print(f"{Path(args.model).name} N={args.n}, {args.repeat} turns; "
          f"{time.strftime('%Y-%m-%d %H:%M')}; writing in {base}", flush=True)
    for turn in range(args.repeat):
        times["plain"].append(timed(lambda: explore(protocol, origin=args.model)))
        times["default"].append(timed(checkpointed("default", None)))
        times["every 1"].append(timed(checkpointed("every 1", 1.0)))
        # a run stopped half-way (its checkpoint written at the stop), then resumed
        half = fresh("half")
        limit = time.perf_counter() + times["plain"][-1] / 2
        stopped = explore(protocol, origin=args.model, checkpoint=Checkpoint(half, every=1e9),
                          stop=lambda at=limit: "interrupted" if time.perf_counter() > at
                          else None)
        del stopped
        times["resume half"].append(timed(lambda d=half: explore(
            protocol, origin=args.model, checkpoint=Checkpoint(d, resume=True))))
        times["resume done"].append(timed(lambda: explore(
            protocol, origin=args.model, checkpoint=Checkpoint(base / "default",
                                                               resume=True))))
        print(f"turn {turn + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()),
              flush=True)
    ref_min, ref_med = min(times["plain"]), statistics.median(times["plain"])
    print(f"\n{'':12} {'min s':>7} {'median s':>9} {'min/plain':>10} {'median/plain':>13}")
    for name, values in times.items():
        lo, med = min(values), statistics.median(values)
        print(f"{name:12} {lo:7.1f} {med:9.1f} {lo / ref_min:10.2f} {med / ref_med:13.2f}")
    for name, notices in written.items():
        done = [n for n in notices if n.kind == "written"]
        last = done[-1]
        print(f"{name}: {len(done)} checkpoints, {sum(n.took for n in done):.1f} s writing; "
              f"the last {last.bytes / 1e6:,.1f} MB for {last.configurations:,} "
              f"configurations: {last.bytes / last.configurations:.0f} B per configuration")
    if args.dir is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
