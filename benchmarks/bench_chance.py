"""flpcheck chance on Ben-Or against Storm on the same decision process (run by hand).

    python -m benchmarks.bench_chance [--rounds 1,2,3,4,5,6] [--inputs 001] [--no-storm]

For each round cap R: ``models/ben_or.py`` with ``rounds = R`` (N = 3, f = 1, no crash,
termination all), explored from the inputs given, then ``flpcheck chance --scheduler
adversary``'s analysis (the minimum over fair adversaries of deciding within 1..R rounds, exact).
Beside it, where stormpy is installed, Storm on the very MDP flpcheck analysed (the DRN export,
read in exact rational arithmetic, then its R reachability queries): the time to write the DRN,
Storm's build and its checking are printed separately, and flpcheck's analysis time over
Storm's build + check. The issue's reference: a plain Python build of Ben-Or checked with Storm,
634,567 states at R = 6 in 128 s, figures 0, 1/8, 3/16, 31/128, 75/256 for R = 1..5.

Per configuration figures (microseconds) make runs of different sizes comparable; the machine is
shared, so read the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from flpcheck import explore
from flpcheck.analysis.chance.analyse import analyse_chance
from flpcheck.analysis.chance.queries import labelled_model
from flpcheck.model.loader import load_protocol_class
from flpcheck.output.drn import drn_text

MODEL = Path(__file__).resolve().parents[1] / "models" / "ben_or.py"


def storm(model, rounds: int) -> tuple[float, float, float, list[str]]:
    """(seconds to write the DRN, Storm's build, Storm's check, its figures)."""
    import stormpy

    t0 = time.perf_counter()
    text = drn_text(model)
    with tempfile.NamedTemporaryFile("w", suffix=".drn", delete=False) as f:
        f.write(text)
        path = f.name
    t1 = time.perf_counter()
    built = stormpy.build_model_from_drn[stormpy.Rational](path)
    t2 = time.perf_counter()
    figures = []
    init = built.initial_states[0]
    for q in model.queries:
        if q.bound is None or not q.figure.endswith("rounds"):
            continue
        res = stormpy.model_checking(built, stormpy.parse_properties(q.prop)[0])
        v = stormpy.Rational(1) - res.get_value(init) if q.complement else res.get_value(init)
        figures.append(str(v))
    t3 = time.perf_counter()
    Path(path).unlink()
    return t1 - t0, t2 - t1, t3 - t2, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", default="1,2,3,4,5,6")
    parser.add_argument("--inputs", default="001")
    parser.add_argument("--no-storm", action="store_true")
    args = parser.parse_args()
    base = load_protocol_class(f"{MODEL}:BenOr")
    vectors = [tuple(int(c) for c in v) for v in args.inputs.split(",")]
    print(f"Ben-Or, N=3, f=1, adversary, from {args.inputs}; {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"{'R':>2} {'configs':>9} {'states':>9} {'explore s':>9} {'analyse s':>9} "
          f"{'us/config':>9}  figures (flpcheck)")
    for r in [int(x) for x in args.rounds.split(",")]:
        protocol = type(f"BenOr{r}", (base,), {"rounds": r})()
        t0 = time.perf_counter()
        space = explore(protocol, vectors)
        t1 = time.perf_counter()
        result = analyse_chance(space, "adversary")
        t2 = time.perf_counter()
        figures = [str(e.exact) for _, e in result.initial[0].rounds]
        per = (t2 - t0) / len(space) * 1e6
        print(f"{r:>2} {len(space):>9,} {result.states:>9,} {t1 - t0:>9.1f} {t2 - t1:>9.1f} "
              f"{per:>9.1f}  {', '.join(figures)}", flush=True)
        if not args.no_storm:
            try:
                import stormpy  # noqa: F401
            except ImportError:
                print("   (stormpy not installed: pip install 'flpcheck[storm]')")
                continue
            model = labelled_model(space, "adversary")
            write, build, check, theirs = storm(model, r)
            same = "same" if theirs == figures else f"DIFFERENT: {', '.join(theirs)}"
            print(f"   Storm on the same MDP: DRN {write:.1f} s, build {build:.1f} s, check "
                  f"{check:.1f} s; flpcheck's analysis / Storm's build + check = "
                  f"{(t2 - t1) / max(build + check, 1e-9):.2f}; figures {same}", flush=True)


if __name__ == "__main__":
    main()
