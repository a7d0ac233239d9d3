"""The report of ``flpcheck chance``: text (rich) and JSON, from a
:class:`~flpcheck.analysis.chance.analyse.ChanceResult`.

A probability prints as its exact fraction when that is short (``3/16``), else as a decimal
marked ``≈`` (the JSON has every fraction in full); a figure known only between two bounds
prints as ``low..high`` (a bound cut the exploration) or ``value ±error`` (floating point).
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction
from typing import Any

from rich.console import Console

from ..analysis.chance.analyse import ChanceResult, InitialChance
from ..analysis.chance.solve import Estimate
from ..explorer.statespace import StateSpace
from .json import run_to_json
from .report import cut_notice
from .text import styled
from .witness_report import print_run

__all__ = ["print_chance", "chance_to_json", "format_estimate", "fraction_text", "SHORT"]

SHORT = 12
"""A fraction of at most this many characters prints as it is."""


def format_estimate(e: Estimate, expected: bool = False) -> str:
    """``3/16``, ``≈0.04475`` (a long exact fraction), ``0.1..0.25`` (bounds from a cut) or
    ``0.2499978467 ±9e-14`` (floating point: as many decimals as the error allows)."""
    x = e.exact
    if x is not None:
        return _short(x, expected, approximate="≈")
    if isinstance(e.low, Fraction) or isinstance(e.high, Fraction):
        return f"{_short(e.low, expected)}..{_short(e.high, expected)}"
    if e.error and math.isfinite(e.error) and e.error > 0:
        places = max(2 if expected else 4, math.ceil(-math.log10(e.error) - 1e-9))
        return f"{e.value:.{places}f} ±{e.error:.0e}"
    return f"{_decimal(e.value, expected)} ±{e.error:.0e}"


def fraction_text(x: Fraction) -> str:
    """``p/q`` in full, however many digits (past Python's 4,300-digit guard on int-to-text
    conversions, which a probability within thousands of events passes)."""
    limit = sys.get_int_max_str_digits()
    if limit and max(x.numerator.bit_length(), x.denominator.bit_length()) * 0.30103 + 2 > limit:
        sys.set_int_max_str_digits(0)
        try:
            return str(x)
        finally:
            sys.set_int_max_str_digits(limit)
    return str(x)


def _short(x: Fraction | float, expected: bool, approximate: str = "") -> str:
    """A fraction of at most SHORT characters as it is, else a decimal (``approximate``
    before it). The length is judged from the bit lengths first: a fraction of thousands of
    digits is never turned into text here."""
    if isinstance(x, Fraction):
        digits = (x.numerator.bit_length() + x.denominator.bit_length()) * 0.30103
        if digits <= 2 * SHORT and len(text := str(x)) <= SHORT:
            return text
        return approximate + _decimal(float(x), expected)
    return _decimal(float(x), expected)


def _decimal(x: float, expected: bool) -> str:
    return f"{x:.2f}" if expected else f"{x:.4g}"


def _bits(x: tuple[int, ...]) -> str:
    return "".join(map(str, x))


def _table(console: Console, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        console.print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip(),
                      markup=False, highlight=False, soft_wrap=True)


def print_chance(console: Console, result: ChanceResult, space: StateSpace) -> None:
    """The text report: the set-up, one row per initial configuration, what "eventually" means
    here, and the adversary's run where it keeps the protocol undecided."""
    r = result
    extra = f" ({r.states:,} states with the crash sets)" if r.states != r.configurations else ""
    console.print(styled("[bold]{}[/bold], N={}: {}", r.protocol, r.processes,
                         f"{r.configurations:,} configurations, {r.events:,} events{extra}"),
                  soft_wrap=True)
    console.print(f"scheduler {r.scheduler}: {r.scheduler_line}", soft_wrap=True)
    console.print(f"termination {r.termination}: {r.termination_line}", soft_wrap=True)
    if not r.complete:
        console.print(styled("[yellow]{} A probability a bound affects is shown as low..high: "
                             "the cut configurations counted as never deciding, then as "
                             "decided.[/yellow]", cut_notice(space)), soft_wrap=True)
    header = ["inputs", "valence"]
    first = r.initial[0] if r.initial else None
    if first is not None:
        header += [f"{k} round{'s' if k != 1 else ''}" for k, _ in first.rounds]
        header += [f"{k} event{'s' if k != 1 else ''}" for k, _ in first.within]
    header.append("eventually")
    if r.scheduler == "uniform":
        header.append("expected events")
    rows = []
    for i in r.initial:
        row = [_bits(i.inputs), i.valence]
        row += [format_estimate(e) for _, e in i.rounds]
        row += [format_estimate(e) for _, e in i.within]
        row.append(format_estimate(i.eventually))
        if r.scheduler == "uniform":
            row.append(_expected(i))
        rows.append(row)
    console.print("probability of deciding within:" if first is not None and
                  (first.rounds or first.within) else "probability of deciding:")
    _table(console, header, rows)
    _print_notes(console, r)
    shown = next((i for i in r.initial if i.shown_run is not None), None)
    if shown is not None and shown.shown_run is not None:
        others = [_bits(i.inputs) for i in r.initial if i.run is not None and i is not shown]
        more = f" (and from {', '.join(others)}: --json has each)" if others else ""
        print_run(console, space, shown.shown_run,
                  f"a run the adversary keeps undecided forever, from {_bits(shown.inputs)}"
                  f"{more}; it stays in an end component whatever chance does (replayed and "
                  "checked)")


def _expected(i: InitialChance) -> str:
    if i.expected_steps is not None:
        return format_estimate(i.expected_steps, expected=True)
    if i.almost_surely is False:
        return "infinite"
    return "not established"


def _print_notes(console: Console, r: ChanceResult) -> None:
    sure = [_bits(i.inputs) for i in r.initial if i.almost_surely is True]
    below = [_bits(i.inputs) for i in r.initial if i.almost_surely is False]
    unknown = [_bits(i.inputs) for i in r.initial if i.almost_surely is None]
    if r.exact:
        console.print("every figure is an exact fraction (≈ marks a fraction too long to "
                      "print: --json has it)" if _has_long(r) else
                      "every figure is an exact fraction", soft_wrap=True)
    else:
        console.print("some figures are floating point (± their error bound) or bounds "
                      "(low..high); the others are exact fractions", soft_wrap=True)
    if r.scheduler == "uniform":
        what = "none-valent" if r.termination == "some" else "unable to reach a configuration " \
            "where every process has decided"
        console.print(f"eventually is 1 exactly when no configuration reachable from the "
                      f"initial one is {what}: a run that never decides then has probability "
                      "0 under a random scheduler, FLP's forever-bivalent run included",
                      soft_wrap=True)
        for i in r.initial:
            if i.almost_surely is False:
                many = i.undecidable != 1
                console.print(f"  from {_bits(i.inputs)}: {i.undecidable:,} reachable "
                              f"configuration{'s are' if many else ' is'} {what}",
                              soft_wrap=True)
    else:
        console.print("eventually is the minimum over fair adversaries: 1 exactly when no fair "
                      "end component that never decides is reachable (an adversary can stay "
                      "in one whatever chance does)", soft_wrap=True)
    parts = []
    if sure:
        parts.append(f"decides with probability 1 from {', '.join(sure)}")
    if below:
        parts.append(f"below 1 from {', '.join(below)}")
    if unknown:
        parts.append(f"not established from {', '.join(unknown)} (the exploration was cut)")
    if parts:
        console.print("; ".join(parts), soft_wrap=True)


def _has_long(r: ChanceResult) -> bool:
    return any(format_estimate(e).startswith("≈") for i in r.initial
               for _, e in (*i.within, *i.rounds, (0, i.eventually)))


# -- JSON ----------------------------------------------------------------------------------


def estimate_to_json(e: Estimate) -> dict[str, Any]:
    """``{"probability": "p/q" | null, "value", "exact", "low", "high", "error"}``: low and
    high as fractions (strings) when exact bounds, else floats."""
    x = e.exact
    return {
        "probability": None if x is None else fraction_text(x),
        "value": e.value,
        "exact": x is not None,
        "low": fraction_text(e.low) if isinstance(e.low, Fraction) else e.low,
        "high": fraction_text(e.high) if isinstance(e.high, Fraction) else e.high,
        "error": e.error,
    }


def chance_to_json(result: ChanceResult) -> dict[str, Any]:
    """The ``--json`` document (schema ``chance``)."""
    r = result
    initial = []
    for i in r.initial:
        exp = i.expected_steps
        initial.append({
            "inputs": list(i.inputs),
            "valence": i.valence,
            "within": [{"steps": k, **estimate_to_json(e)} for k, e in i.within],
            "rounds": [{"rounds": k, **estimate_to_json(e)} for k, e in i.rounds],
            "eventually": estimate_to_json(i.eventually),
            "almost_surely": i.almost_surely,
            "expected_steps": None if exp is None else exp.value,
            "expected_steps_exact": None if exp is None or exp.exact is None
            else fraction_text(exp.exact),
            "undecidable": i.undecidable,
            "run": run_to_json(i.run),
        })
    return {
        "protocol": r.protocol,
        "processes": r.processes,
        "scheduler": r.scheduler,
        "termination": r.termination,
        "crashes": r.crashes,
        "configurations": r.configurations,
        "events": r.events,
        "states": r.states,
        "complete": r.complete,
        "cut_reasons": list(r.cut_reasons),
        "exact": r.exact,
        "rounds_declared": r.has_rounds,
        "initial": initial,
    }
