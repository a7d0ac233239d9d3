"""The command outputs the documentation shows, each copied from a real run.

``python docs/_tools/snippets.py`` runs every command below from the repository root (100
columns, as a terminal that wide shows it) and writes ``docs/_snippets/NAME.txt``: the command
line after ``$``, then what it printed (stdout, then stderr). The pages include them with
``--8<-- "NAME.txt"``. Each command's exit code is checked against the one the docs state.

``python docs/_tools/snippets.py --check`` runs them again and fails when a committed snippet
no longer matches (timings, memory addresses and random numbers are masked first); the docs
tests run it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "_snippets"
WIDTH = "100"

# name: (command line, exit code)
COMMANDS: dict[str, tuple[str, int]] = {
    # quick start and the verdicts
    "witness_leader": ("flpcheck witness models/leader_broadcast.py", 1),
    "explore_leader": ("flpcheck explore models/leader_broadcast.py", 0),
    "witness_leader_json": ("flpcheck witness models/leader_broadcast.py --json", 1),
    "witness_decide_own": ("flpcheck witness models/decide_own_input.py", 1),
    "witness_always_zero": ("flpcheck witness models/always_zero.py", 1),
    "witness_gate_jam": ("flpcheck witness tests/fixtures/edge/gate_jam.py", 1),
    "witness_decide_alone_some": ("flpcheck witness tests/fixtures/edge/decide_alone.py", 1),
    "witness_decide_alone_all":
        ("flpcheck witness tests/fixtures/edge/decide_alone.py --termination all", 1),
    "witness_flip_flop_0": ("flpcheck witness models/flip_flop.py --crashes 0", 0),
    "witness_paxos_0": ("flpcheck witness models/paxos.py:Paxos --crashes 0", 0),
    "witness_paxos": ("flpcheck witness models/paxos.py:Paxos", 1),
    "witness_2pc": ("flpcheck witness models/two_phase_commit.py", 1),
    # steps left to chance
    "witness_coin_flip_flop_0":
        ("flpcheck witness tests/fixtures/chance/coin_flip_flop.py --crashes 0", 0),
    "err_float_probability": ("flpcheck explore tests/fixtures/bad/float_probability.py", 2),
    "err_probabilities_sum": ("flpcheck explore tests/fixtures/bad/probabilities_sum.py", 2),
    "err_random_coin": ("flpcheck explore tests/fixtures/bad/random_coin.py", 2),
    "err_por_chance": ("flpcheck explore tests/fixtures/chance/coin_flip_flop.py --por", 2),
    # the proof
    "explore_majority": ("flpcheck explore models/majority.py", 1),
    "explore_decide_own_json": ("flpcheck explore models/decide_own_input.py --json", 1),
    "lemmas_leader_2": ("flpcheck lemmas models/leader_broadcast.py -n 2", 0),
    "lemmas_flip_flop": ("flpcheck lemmas models/flip_flop.py", 0),
    "lemmas_majority": ("flpcheck lemmas models/majority.py", 0),
    "stages_unbounded": ("flpcheck witness models/paxos_unbounded.py --stages 6", 0),
    "stages_loopback":
        ("flpcheck witness models/paxos_rounds.py:PaxosRoundsLoopback --stages 6", 0),
    "stages_bound": ("flpcheck witness models/paxos_unbounded.py --stages 3 --cert-configs 5", 1),
    "stages_json": ("flpcheck witness models/majority.py --stages 1 --json", 0),
    "explore_unbounded_cut": ("flpcheck explore models/paxos_unbounded.py --max-depth 6", 0),
    # liveness after GST
    "liveness_majority": ("flpcheck liveness models/majority.py", 0),
    "liveness_wait_for_all": ("flpcheck liveness models/wait_for_all.py", 1),
    "liveness_paxos_leader": ("flpcheck liveness models/paxos.py:Paxos --leader 0", 1),
    "liveness_unbounded": ("flpcheck liveness models/paxos_unbounded.py --gst-by 2 --crashes 0", 0),
    "liveness_unbounded_local": ("flpcheck liveness models/paxos_unbounded.py --gst-by 2 "
                                 "--timeouts local --leader 0 --max-post-configs 100000", 0),
    "liveness_detour": ("flpcheck liveness tests/fixtures/edge/detour.py --crashes 0", 0),
    "liveness_ct": ("flpcheck liveness models/chandra_toueg.py:ChandraToueg --detector "
                    "--gst-by 1", 0),
    "liveness_ct2": ("flpcheck liveness models/chandra_toueg.py:ChandraToueg2 --detector "
                     "--crashes 0", 1),
    "liveness_json": ("flpcheck liveness models/majority.py -n 2 --crashes 0 --json", 0),
    # round model
    "explore_floodset": ("flpcheck explore models/floodset.py", 0),
    "explore_floodset_violated":
        ("flpcheck explore models/floodset.py --crashes 2 --rounds 2 --processes 4", 1),
    # reductions
    "explore_majority_symmetry": ("flpcheck explore models/majority.py --symmetry", 1),
    "explore_majority_por": ("flpcheck explore models/majority.py --por", 1),
    # pictures
    "render_leader": ("flpcheck render models/leader_broadcast.py -n 2 -o leader.svg", 0),
    "render_flip_flop": ("flpcheck render models/flip_flop.py --view witness --crashes 0 "
                         "-o lasso.svg", 0),
    # simulation
    "simulate_unbounded_buggy": ("flpcheck simulate models/paxos_unbounded_buggy.py", 1),
    "simulate_uniform_nothing": ("flpcheck simulate models/paxos_buggy.py:PaxosNoReport "
                                 "--scheduler uniform", 0),
    "render_full_majority": ("flpcheck render models/majority.py --view full -o leader.svg", 0),
    # chance
    "chance_ben_or": ("flpcheck chance models/ben_or.py --scheduler adversary --inputs 001,111", 0),
    "chance_ben_or_coinless":
        ("flpcheck chance models/ben_or_coinless.py --scheduler adversary --inputs 011", 0),
    "chance_ben_or_uniform": ("flpcheck chance models/ben_or.py --inputs 001,111", 0),
    "chance_paxos": ("flpcheck chance models/paxos.py:Paxos --inputs 001,000", 0),
    "chance_coin_pair": ("flpcheck chance tests/fixtures/chance/coin_pair.py --inputs 00 "
                         "--within 3,4,5", 0),
    # errors
    "err_syntax": ("flpcheck explore tests/fixtures/bad/syntax_error.py", 2),
    "err_import": ("flpcheck explore tests/fixtures/bad/import_error.py", 2),
    "err_no_protocol": ("flpcheck explore tests/fixtures/bad/no_protocol.py", 2),
    "err_two_protocols": ("flpcheck explore tests/fixtures/bad/two_protocols.py", 2),
    "err_missing_file": ("flpcheck explore no/such/model.py", 2),
    "err_round_model": ("flpcheck witness models/floodset.py", 2),
    "err_misspelled": ("flpcheck explore tests/fixtures/bad/misspelled_method.py", 2),
    "err_processes": ("flpcheck explore tests/fixtures/bad/bad_processes.py", 2),
    "err_zero_processes": ("flpcheck explore tests/fixtures/bad/zero_processes.py", 2),
    "err_wrong_shape": ("flpcheck explore tests/fixtures/bad/wrong_shape.py", 2),
    "err_bare_state": ("flpcheck explore tests/fixtures/edge/bare_state.py", 2),
    "err_none_sends": ("flpcheck explore tests/fixtures/edge/none_sends.py", 2),
    "err_destination": ("flpcheck explore tests/fixtures/bad/bad_destination.py", 2),
    "err_decided_at_init": ("flpcheck explore tests/fixtures/bad/decided_at_init.py", 2),
    "err_unhashable_init": ("flpcheck explore tests/fixtures/bad/unhashable_init.py", 2),
    "err_mutable_state": ("flpcheck explore tests/fixtures/bad/mutable_state.py", 2),
    "err_unhashable_payload": ("flpcheck explore tests/fixtures/bad/unhashable_payload.py", 2),
    "err_none_payload": ("flpcheck explore tests/fixtures/edge/none_payload.py", 2),
    "err_output": ("flpcheck explore tests/fixtures/bad/bad_output.py", 2),
    "err_raising": ("flpcheck explore tests/fixtures/bad/raising_step.py", 2),
    "err_nondeterministic": ("flpcheck explore tests/fixtures/bad/nondeterministic.py", 2),
    "err_counter_global": ("flpcheck explore tests/fixtures/bad/counter_global.py", 2),
    "err_mutating_step": ("flpcheck explore tests/fixtures/bad/mutating_step.py", 2),
    "err_mutating_message": ("flpcheck explore tests/fixtures/bad/mutating_message.py", 2),
    "err_shared_state": ("flpcheck explore tests/fixtures/leaky_board.py", 2),
    "err_inputs": ("flpcheck explore models/majority.py --inputs 01", 2),
    "err_symmetry_refused": ("flpcheck explore models/leader_broadcast.py --symmetry", 2),
    "err_symmetry_late": ("flpcheck explore tests/fixtures/edge/late_asymmetry.py --symmetry", 2),
    "err_symmetry_inputs": ("flpcheck explore models/majority.py --symmetry --inputs 001,111", 2),
    "err_por_graph": ("flpcheck explore models/majority.py --por --graph g.json", 2),
    "decision_changes": ("flpcheck explore tests/fixtures/bad/decision_changes.py", 1),
}

_MASKS = [
    (re.compile(r"\d+\.\d+s\b"), "<seconds>"),  # timings
    (re.compile(r'"seconds": [0-9.e-]+'), '"seconds": <seconds>'),
    (re.compile(r"[\d,.]+ runs/s, [\d,.]+ events/s"), "<rate>"),  # simulate's speed
    (re.compile(r"0x[0-9a-f]+"), "0x<address>"),
    (re.compile(r"flpcheck_model_[0-9a-f]+"), "flpcheck_model_<hash>"),
    (re.compile(r"\d\.\d{6,}"), "<random>"),  # the nondeterministic model's random numbers
    (re.compile(r'File "[^"]*"'), 'File "<file>"'),  # tracebacks: paths and line numbers
    (re.compile(r", line \d+"), ", line <n>"),
]


def run(name: str) -> str:
    """Run one command; return the snippet text (raises if the exit code is not the one
    documented)."""
    line, code = COMMANDS[name]
    argv = line.split()
    assert argv[0] == "flpcheck"
    env = {**os.environ, "COLUMNS": WIDTH, "TERM": "dumb", "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    proc = subprocess.run([sys.executable, "-m", "flpcheck", *argv[1:]], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != code:
        raise AssertionError(f"{line}: exit code {proc.returncode}, the docs say {code}\n"
                             f"{proc.stdout}{proc.stderr}")
    text = (proc.stdout + proc.stderr).replace(str(ROOT) + "/", "")
    text = "\n".join(line.rstrip() for line in text.splitlines())
    return f"$ {line}\n{text}\n"


def masked(text: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


def main(argv: list[str]) -> int:
    check = "--check" in argv
    names = [a for a in argv if not a.startswith("-")] or list(COMMANDS)
    with ThreadPoolExecutor(2) as pool:
        texts = dict(zip(names, pool.map(run, names), strict=True))
    for stray in ("leader.svg", "lasso.svg", "g.json"):
        (ROOT / stray).unlink(missing_ok=True)
    stale = []
    for name, text in texts.items():
        path = OUT / f"{name}.txt"
        if check:
            if not path.exists() or masked(path.read_text()) != masked(text):
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print("stale snippets (run python docs/_tools/snippets.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
