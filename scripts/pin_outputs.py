"""Record what every command prints on the models of models/, to compare before and after a
restructuring that must not change any output.

    python scripts/pin_outputs.py record /tmp/pin-before     # before the change
    python scripts/pin_outputs.py record /tmp/pin-after      # after it
    python scripts/pin_outputs.py compare /tmp/pin-before /tmp/pin-after

Each command runs in its own process (``python -m flpcheck.cli.main``-equivalent through the
``flpcheck`` entry point) with small bounds; its exit code, stdout and stderr are kept, and
so is every file it writes (graphs, DOT sources of the views). Timings are masked (``elapsed``
fields of JSON, ``1.23s`` in text) so that two recordings compare equal when nothing else
changed. Exit 0 when the recordings are the same, 1 with the differing names otherwise.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: (name, model spec, exploration options): every model of models/, bounded where it is large
MODELS = [
    ("always_zero", "models/always_zero.py", []),
    ("decide_own", "models/decide_own_input.py", []),
    ("flip_flop", "models/flip_flop.py", []),
    ("leader2", "models/leader_broadcast.py", ["-n", "2"]),
    ("leader3", "models/leader_broadcast.py", []),
    ("majority", "models/majority.py", []),
    ("wait_for_all", "models/wait_for_all.py", []),
    ("2pc", "models/two_phase_commit.py", []),
    ("paxos", "models/paxos.py:Paxos", []),
    ("paxos_cut", "models/paxos.py:Paxos", ["--max-depth", "7"]),
    ("paxos_noreport", "models/paxos_buggy.py:PaxosNoReport", []),
    ("paxos_ignore", "models/paxos_buggy.py:PaxosIgnoreReports", []),
    ("paxos_broken", "models/paxos_buggy.py:PaxosBrokenPromise", []),
    ("paxos_quorum1", "models/paxos_buggy.py:PaxosQuorumOfOne", []),
    ("paxos_rounds", "models/paxos_rounds.py:PaxosRounds", ["--max-depth", "6"]),
    ("paxos_loopback", "models/paxos_rounds.py:PaxosRoundsLoopback", ["--max-depth", "6"]),
    ("unbounded", "models/paxos_unbounded.py", ["--max-depth", "6"]),
    ("unbounded_buggy", "models/paxos_unbounded_buggy.py", ["--max-depth", "6"]),
    ("unbounded_buf", "models/paxos_unbounded.py", ["--max-buffer", "3", "--max-configs",
                                                    "3000"]),
]
SMALL = {"always_zero", "decide_own", "flip_flop", "leader2", "majority"}
VIEWS = ("initial", "quotient", "witness", "lemma3", "sequence")


def commands() -> list[tuple[str, list[str], list[str]]]:
    """(name, argv after ``flpcheck``, files the command writes) of every recorded run."""
    out: list[tuple[str, list[str], list[str]]] = []
    for name, spec, opts in MODELS:
        out += [
            (f"{name}.explore.json", ["explore", spec, *opts, "--json"], []),
            (f"{name}.explore.txt", ["explore", spec, *opts], []),
            (f"{name}.witness.json", ["witness", spec, *opts, "--json"], []),
            (f"{name}.witness.txt", ["witness", spec, *opts], []),
            (f"{name}.witness0.json", ["witness", spec, *opts, "--crashes", "0", "--json"], []),
            (f"{name}.lemmas.txt", ["lemmas", spec, *opts], []),
            (f"{name}.simulate.json", ["simulate", spec, "--runs", "30", "--steps", "25",
                                       "--seed", "3", "--json"], []),
        ]
        views = (*VIEWS, "full") if name in SMALL else VIEWS
        for view in views:
            out.append((f"{name}.render.{view}", ["render", spec, *opts, "--view", view,
                                                  "-o", "{dir}/view.dot"], ["view.dot"]))
        if name in SMALL:
            for suffix in ("json", "graphml", "dot"):
                out.append((f"{name}.graph.{suffix}", ["explore", spec, *opts, "--json",
                                                       "--graph", f"{{dir}}/g.{suffix}"],
                            [f"g.{suffix}"]))
    for name, spec in (("majority", "models/majority.py"), ("wait_for_all",
                                                            "models/wait_for_all.py")):
        for flag in ("--symmetry", "--por"):
            out.append((f"{name}.explore{flag}.json", ["explore", spec, flag, "--json"], []))
            out.append((f"{name}.explore{flag}.txt", ["explore", spec, flag], []))
    out += [
        ("majority4.explore.json", ["explore", "models/majority.py", "-n", "4", "--json"], []),
        ("floodset.explore.json", ["explore", "models/floodset.py", "--json"], []),
        ("floodset.explore.txt", ["explore", "models/floodset.py", "-t", "2", "-n", "4"], []),
        ("floodset.witness.txt", ["witness", "models/floodset.py"], []),
        ("unbounded.stages.json", ["witness", "models/paxos_unbounded.py", "--stages", "4",
                                   "--json"], []),
        ("unbounded.stages.txt", ["witness", "models/paxos_unbounded.py", "--stages", "4"], []),
        ("majority.stages.txt", ["witness", "models/majority.py", "--stages", "2"], []),
        ("flip_flop.schedule", ["render", "models/flip_flop.py", "--view", "sequence",
                                "--schedule", "{dir}/../schedule.json", "-o",
                                "{dir}/view.dot"], ["view.dot"]),
        ("majority.inputs.json", ["explore", "models/majority.py", "--inputs", "001,011",
                                  "--json"], []),
        ("majority.simulate_fair.json", ["simulate", "models/majority.py", "--scheduler",
                                         "fair", "--runs", "20", "--json"], []),
        ("majority.simulate_adv.json", ["simulate", "models/majority.py", "--scheduler",
                                        "adversary", "--runs", "3", "--json"], []),
        ("majority.schema", ["schema", "explore"], []),
    ]
    return out


_TIME = re.compile(r"\b\d+\.\d+ ?s\b")


def _mask(value: object) -> object:
    if isinstance(value, dict):
        return {k: ("<t>" if k in ("elapsed", "seconds", "events_per_second", "runs_per_second")
                    else _mask(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def _normal(text: str) -> str:
    try:
        return json.dumps(_mask(json.loads(text)), indent=1, sort_keys=False)
    except ValueError:
        return _TIME.sub("<t>", text)


def _run(job: tuple[str, list[str], list[str]], out: Path) -> None:
    name, argv, files = job
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "w"
        work.mkdir()
        (Path(tmp) / "schedule.json").write_text(json.dumps(
            {"inputs": [0, 1], "events": [[0, None], [1, None], [0, [1, 1]]]}))
        args = [a.replace("{dir}", str(work)) for a in argv]
        env = dict(os.environ, COLUMNS="120", PYTHONHASHSEED="0")
        proc = subprocess.run([sys.executable, "-c", "from flpcheck.cli import main; main()",
                               *args], cwd=ROOT, capture_output=True, text=True, env=env,
                              timeout=600)
        parts = [f"exit {proc.returncode}", "--- stdout",
                 _normal(proc.stdout).replace(str(work), "<dir>"),
                 "--- stderr", proc.stderr.replace(str(work), "<dir>")]
        for f in files:
            path = work / f
            parts += [f"--- {f}", path.read_text() if path.exists() else "(not written)"]
        (out / name).write_text("\n".join(parts))


def record(out: Path) -> int:
    """Run every command and keep what it printed and wrote in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    jobs = commands()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda job: _run(job, out), jobs))
    print(f"{len(jobs)} runs recorded in {out}")
    return 0


_UNMASKED = (re.compile(r"/tmp/tmp\w+/w"), re.compile(r'"\w*_seconds": [-0-9.e]+'))


def _canon(path: Path) -> str | None:
    """A recording's text with what varies from run to run masked (also in recordings made
    before a mask was added here)."""
    if not path.exists():
        return None
    text = path.read_text()
    for pattern, mask in zip(_UNMASKED, ("<dir>", '"<timing>": "<t>"'), strict=True):
        text = pattern.sub(mask, text)
    return text


def compare(a: Path, b: Path) -> int:
    """0 when both recordings hold the same files with the same text, else 1."""
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    differ = [n for n in names if _canon(a / n) is None or _canon(a / n) != _canon(b / n)]
    for n in differ:
        print(f"differs: {n}")
    print(f"{len(names) - len(differ)} of {len(names)} the same")
    return 1 if differ else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "record":
        sys.exit(record(Path(sys.argv[2])))
    if len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
