"""The text report of ``flpcheck liveness`` (rich): the answer, the worst case or the run that
never decides after GST, and the contrast with FLP's run without GST.

Every run printed was replayed and checked by the analysis
(:func:`flpcheck.analysis.gst_runs.check_gst_run`); its steps come annotated
(:func:`flpcheck.analysis.liveness.annotate_gst_run`): this module only formats them.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..analysis.gst_runs import GSTRun
from ..analysis.liveness import GSTStep, Liveness
from ..model.inputs import bits
from ..model.protocol import Protocol
from ..model.termination import DEFINITIONS
from .report import receives_text
from .text import styled

__all__ = ["print_liveness", "print_gst_steps"]


def _procs(ps: frozenset[int] | set[int]) -> str:
    return ", ".join(f"p{p}" for p in sorted(ps)) or "none"


def print_gst_steps(console: Console, protocol: Protocol, steps: tuple[GSTStep, ...]) -> None:
    """Annotated steps as a table: #, when (before GST, after GST, cycle), process, message
    received, sends, the process's state after, every output, and what a null step is."""
    table = Table(show_edge=False, pad_edge=False, box=None, padding=(0, 1))
    for col in ("#", "when", "p", "receives", "sends", "state after", "outputs", "note"):
        table.add_column(col, overflow="fold")
    for st in steps:
        outs = "".join("_" if o is None else str(o) for o in st.outputs)
        if st.event is None:
            table.add_row("", st.phase, f"p{st.crash}", "-", "-", "(crashed)", outs,
                          f"p{st.crash} {st.label}")
            continue
        msg = receives_text(protocol, st.event)
        sends = ", ".join(f"{protocol.format_payload(pl)}→p{d}" for d, pl in st.sends) or "-"
        table.add_row(str(st.number), st.phase, f"p{st.event.pid}", msg, sends,
                      protocol.format_state(st.event.pid, st.state_after), outs, st.label)
    console.print(table)


def _run_head(run: GSTRun) -> str:
    crashes = ", ".join(f"p{p} at GST" if at == run.gst_at else f"p{p} after {at} events"
                        for p, at in run.crash_at) or "none"
    trusted = "" if run.trusted is None else f"; trusted by the detector: p{run.trusted}"
    return (f"from inputs {bits(run.inputs)}, GST after {run.gst_at} "
            f"event{'s' if run.gst_at != 1 else ''}; crashes: {crashes}{trusted}")


def print_liveness(console: Console, protocol: Protocol, result: Liveness, model: str) -> None:
    """The text report of ``flpcheck liveness``."""
    r = result
    console.print(styled("[bold]{}[/bold], N={}: liveness after GST; crashes <= {}; "
                         "termination {}: {}", r.protocol, r.processes, r.crashes, r.termination,
                         DEFINITIONS[r.termination]))
    console.print(f"  rules: {r.rules.describe()}"
                  + ("" if r.rules.leader is None else f"; the leader p{r.rules.leader} does "
                     "not crash"))
    if r.gst_by is None:
        console.print(f"  GST: anywhere (every one of the {r.configurations:,} explored "
                      "configurations may be the one at GST)")
    else:
        console.print(f"  GST: within the first {r.gst_by} event{'s' if r.gst_by != 1 else ''} "
                      f"({r.configurations:,} "
                      f"configurations); explored after GST: {r.post_configurations:,} "
                      "configurations")
    if r.chance:
        console.print("  steps left to chance: each outcome is a branch the adversary picks "
                      "here, so 'every run' includes every run of the coins; the probability of "
                      f"deciding: flpcheck chance {model}")
    if not r.complete:
        console.print(styled("[yellow]  INCOMPLETE: cut by {}[/yellow]", ", ".join(r.cut_reasons)))
    mark = {True: "[green]HOLDS[/green]", False: "[red]FAILS[/red]",
            None: "[yellow]NOT ESTABLISHED[/yellow]"}[r.holds]
    console.print(styled(f"[bold]liveness[/bold]: {mark}: {{}}", r.detail))
    if r.run is not None:
        console.print(styled("[bold]the run that never decides[/bold] (replayed and checked), "
                             "{}:", _run_head(r.run)))
        print_gst_steps(console, protocol, r.run_annotated)
        if r.run.kind == "cycle":
            first, last = len(r.run.stem) + 1, len(r.run.events)
            where = f"step {first}" if first == last else f"steps {first}..{last}"
            console.print(f"  the cycle ({where}) "
                          "repeats forever: every message to a live process is received in it "
                          "and every live process with an allowed event steps in it")
        else:
            console.print("  the run ends there: no live process has an allowed event (no "
                          "message for it, and its null step is not allowed); nobody decides")
    if r.stages is not None:
        count = len(r.stages.stage_ends)
        console.print(styled("[bold]evidence[/bold]: {}", (
            f"{count} fair stage{'s' if count != 1 else ''} after GST in which nobody decides "
            f"(replayed and checked), {_run_head(r.stages)}; in each stage every message in "
            "transit to a live process at its start is received and every live process with "
            "an allowed event steps:")))
        print_gst_steps(console, protocol, r.stages_annotated)
        console.print("  this is a prefix built in the explored part; it does not prove that "
                      "the run can go on forever without deciding")
    if r.holds:
        if r.worst_steps is not None and r.worst is not None:
            console.print(styled("[bold]worst case[/bold]: {} events after GST to a decision "
                                 "(steps that change nothing and crashes not counted), {}:",
                                 r.worst_steps, _run_head(r.worst)))
            print_gst_steps(console, protocol, r.worst_annotated)
        elif r.worst_steps is not None:
            console.print(styled("[bold]worst case[/bold]: {} events after GST: {}",
                                 r.worst_steps, r.worst_reason))
        else:
            console.print(styled("[bold]worst case[/bold]: {}; the cycle, {}:", r.worst_reason,
                                 _run_head(r.worst) if r.worst is not None else ""))
            if r.worst is not None:
                print_gst_steps(console, protocol, r.worst_annotated)
    _print_contrast(console, r, model)


def _print_contrast(console: Console, r: Liveness, model: str) -> None:
    """Without GST (FLP's model): the run that never decides, or where to find it."""
    head = "[bold]without GST[/bold] (any schedule forever, FLP's model): {}"
    search = r.contrast
    if search is None:
        console.print(styled(head, "this graph is only the prefix before GST; FLP's run that "
                             f"stays bivalent forever: flpcheck witness {model} --stages 6 "
                             "builds it stage by stage"))
        return
    t = f"at most {search.crashes} crash{'es' if search.crashes != 1 else ''}"
    if search.exists is None:
        console.print(styled(head, f"not established: {search.reason}"))
    elif not search.exists:
        console.print(styled(head, f"every fair run with {t} decides as well (the complete "
                             "graph was searched): it decides without GST"))
    else:
        run = search.run
        assert run is not None
        console.print(styled(head, f"a fair run with {t} never decides (from inputs "
                             f"{bits(run.inputs)}, crashed: {_procs(run.crashed)}: "
                             f"{len(run.stem)} events, then a cycle of {len(run.cycle)} "
                             f"forever; flpcheck witness {model} shows it)"
                             + ("; after GST it cannot happen" if r.holds else "")))
        labelled = [f"step {i + 1}, p{e.pid} {lab}" for i, (e, lab)
                    in enumerate(zip(run.events, r.contrast_labels, strict=False))
                    if lab.startswith("suspects")]
        if labelled:
            console.print("  its suspicions: " + "; ".join(labelled))
