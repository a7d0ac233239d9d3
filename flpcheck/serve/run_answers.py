"""``/api/witness`` and ``/api/lemma2``: the verdict's run and Lemma 2's, told step by step.

The runs are flpcheck.analysis's (:func:`~flpcheck.analysis.verdict.verdict`,
:func:`~flpcheck.analysis.lemma2.lemma2`), already replayed by its independent checker; here
they become successor indices (replayed once more) and one sentence per step. Every sentence
states only what was computed: the outputs of the configuration reached, its valence, its
distance to each decision in the explored graph, and, for a run with crashes, val(F, C), the
decisions reachable without the crashed processes' steps.
"""

from __future__ import annotations

from typing import Any

from ..analysis.lasso import Run
from ..analysis.lemma2 import lemma2
from ..analysis.valence import LABELS
from ..analysis.verdict import Verdict
from ..model.semantics import Event, Step
from .session import UNKNOWN, Session
from .walk import Texts, bits, events_to_path, walk

__all__ = ["witness_answer", "lemma2_answer", "run_answer"]

_CRASH_KINDS = ("not-crash-tolerant", "lemma2")


def _who(pids: list[int]) -> str:
    return ", ".join(f"p{p}" for p in pids)


def run_answer(session: Session, kind: str, inputs: tuple[int, ...], events: list[Event],
               cycle_start: int | None = None, crashed: frozenset[int] = frozenset(),
               crash_at: int | None = None, stage_at: dict[int, str] | None = None) -> dict[str, Any]:
    """A run object: ``inputs``, ``path`` (successor indices), ``cycle_start``, ``crashed``,
    ``crash_at``, ``events``, ``texts``, ``valences``, one sentence per step, a summary and a
    conclusion. ``kind`` is the verdict the run shows (or ``lemma2``)."""
    texts = Texts(session.protocol)
    path = events_to_path(session.protocol, inputs, events, chance=session.chance())
    w = walk(session.protocol, inputs, path, session.chance())
    ids = [session.lookup(c) for c in w.configs]
    valences = [session.valence_of(c)[0] for c in ids]
    outs = [list(c.outputs(session.protocol)) for c in w.configs]
    out: dict[str, Any] = {
        "inputs": bits(inputs), "path": path, "cycle_start": cycle_start,
        "crashed": sorted(crashed), "crash_at": crash_at if crashed else None,
        "events": [texts.event_json(s.event) for s in w.steps],
        "texts": [texts.text(s.event) for s in w.steps], "valences": valences}
    if any(s.event.outcome is not None for s in w.steps):  # only where chance took part
        out["probabilities"] = [str(p) for p in w.probabilities]
    silent = session.silent(crashed) if crashed and session.graph() is not None else None
    sentences = []
    for i, step in enumerate(w.steps):
        parts = []
        if stage_at and i in stage_at:
            parts.append(stage_at[i])
        if cycle_start is not None and i == cycle_start:
            parts.append(f"The cycle starts here: after {len(path) - cycle_start} steps it "
                         "returns to this very configuration, and repeats forever.")
        if crashed and i == (crash_at or 0):
            parts.append(f"{_who(sorted(crashed))} "
                         + ("is dead from the start" if i == 0 else "crashes now")
                         + ": it never takes another step.")
        pid = step.event.pid
        parts.append(_step_sentence(session, texts, step, w.configs[i].states[pid],
                                    outs[i][pid], outs[i + 1][pid]))
        cid = ids[i + 1]
        parts.append(_decided(outs[i + 1]))
        if silent is not None and cid is not None and i + 1 >= (crash_at or 0):
            if int(silent[cid]) == 0:
                parts.append(f"No decision is reachable without {_who(sorted(crashed))}'s "
                             "steps.")
            else:
                reach = " and ".join(str(v) for v in (0, 1) if int(silent[cid]) >> v & 1)
                parts.append(f"Without {_who(sorted(crashed))}'s steps, {reach} can still be "
                             "decided.")
        else:
            parts.append(_valence_sentence(session, cid, valences[i + 1]))
        sentences.append(" ".join(p for p in parts if p))
    out["sentences"] = sentences
    out["summary"] = _summary(session, kind, out)
    out["conclusion"] = _conclusion(session, kind, out, outs)
    return out


def _step_sentence(session: Session, texts: Texts, step: Step, before: Any, o0: int | None,
                   o1: int | None) -> str:
    """What the step did: the event, what it sent, which state fields changed, a decision."""
    p = step.event.pid
    after = step.config.states[p]
    text = texts.text(step.event)
    n = session.n
    if step.sends:
        payloads = {texts.payload(pl) for _, pl in step.sends}
        if len(payloads) == 1 and sorted(d for d, _ in step.sends) == list(range(n)):
            text += f", broadcasts {payloads.pop()}"
        else:
            text += ", sends " + ", ".join(f"{texts.payload(pl)} to p{d}"
                                           for d, pl in step.sends)
    old, new = texts.state_json(p, before, None), texts.state_json(p, after, None)
    if old["value"] != new["value"]:
        a, b = old["cells"], new["cells"]
        if a is not None and b is not None and a["names"] == b["names"]:
            changed = [f"{k} {x}→{y}" for k, x, y in zip(b["names"], a["texts"], b["texts"],
                                                         strict=True) if x != y]
            text += "; " + (", ".join(changed) or f"state {old['text']} → {new['text']}")
        else:
            text += f"; state {old['text']} → {new['text']}"
    elif not step.sends:
        text += " (nothing changes)"
    if o0 is None and o1 is not None:
        text += f"; p{p} decides {o1}"
    return text + "."


def _decided(outputs: list[int | None]) -> str:
    done = [f"p{p} has decided {o}" for p, o in enumerate(outputs) if o is not None]
    return "Nobody has decided." if not done else "; ".join(done) + "."


def _valence_sentence(session: Session, cid: int | None, label: str) -> str:
    if cid is None or label == UNKNOWN:
        bound = session.valence_of(cid)[1]
        return ("Its valence is not known" + (f" ({bound})" if bound else "")
                + ": the exploration did not cover what follows.")
    if label == "bivalent":
        ways = []
        for v in (0, 1):
            d = session.decision_distance(cid, v)
            ways.append(f"{v} is decided here" if d == 0 else
                        f"a decision of {v} is {d} event{'s' if d != 1 else ''} away")
        return f"The configuration is bivalent: {ways[0]}, {ways[1]}."
    return {"0-valent": "The configuration is 0-valent: only 0 can still be decided.",
            "1-valent": "The configuration is 1-valent: only 1 can still be decided.",
            "none": "The configuration is none-valent: no decision is reachable from it."}[label]


def _summary(session: Session, kind: str, out: dict[str, Any]) -> str:
    x, path, cyc = out["inputs"], out["path"], out["cycle_start"]
    never = ("nobody decides" if session.termination == "some"
             else "some process that keeps running never decides")
    if kind == "forever-bivalent":
        return (f"From the bivalent I({x}), the Lemma 3 adversary keeps every configuration "
                f"bivalent: {cyc} steps of stem, then a cycle of {len(path) - cyc} steps "
                f"repeated forever. The run is fair and crash-free, and {never}.")
    if kind in _CRASH_KINDS:
        when = ("is dead from the start" if not out["crash_at"]
                else f"crashes after {out['crash_at']} steps")
        return (f"From I({x}), {_who(out['crashed'])} {when}. The other processes run fairly "
                f"forever (every one steps, every message to them is received), and {never}.")
    if kind == "agreement-violated":
        return (f"From I({x}), {len(path)} events lead to a configuration where two processes "
                "have decided differently (or an output changes once set).")
    if kind == "validity-violated":
        return (f"From I({x}), where every input is the same, {len(path)} events lead to a "
                "decision of the other value.")
    if kind == "blocks-without-crash":
        return (f"From I({x}), a fair run without any crash reaches configurations whose "
                f"outcome is settled and cycles there forever: {never}.")
    return f"From I({x})."


def _conclusion(session: Session, kind: str, out: dict[str, Any],
                outs: list[list[int | None]]) -> str:
    last = outs[-1]
    shown = ", ".join("_" if o is None else str(o) for o in last)
    if out["cycle_start"] is None:
        if kind == "agreement-violated":
            return f"Outputs ({shown}): agreement is violated."
        if kind == "validity-violated":
            return f"Outputs ({shown}): validity is violated."
        return f"Outputs ({shown})."
    undecided = [p for p in range(session.n) if p not in out["crashed"]
                 and all(o[p] is None for o in outs)]
    if all(o is None for row in outs for o in row):
        never = "no process ever decides"
    else:
        never = f"{_who(undecided)} never decide" + ("s" if len(undecided) == 1 else "")
    return (f"After the cycle the configuration is the one where the cycle started (step "
            f"{out['cycle_start']}): the run goes round forever, and {never}.")


def _stage_sentences(session: Session, found: Verdict) -> tuple[dict[int, str], list[dict]]:
    """The adversary's stages of a forever-bivalent run: a sentence at each stage's first step,
    and ``[{"stage", "process", "event", "event_text", "sigma_length", "start", "end"}]``."""
    texts = Texts(session.protocol)
    adv = found.adversary
    if adv is None or adv.run is None or adv.run != found.run:
        return {}, []
    at, stages, t = {}, [], 0
    for i, s in enumerate(adv.stages):
        what = ("its oldest pending message" if s.event.msg is not None
                else "its null step (nothing is pending for it)")
        sigma = (f"it first plays σ of {len(s.sigma)} event(s) avoiding e, then e."
                 if s.sigma else "σ is empty: e at once.")
        at[t] = (f"Stage {i}: p{s.process} heads the round-robin queue "
                 f"({' → '.join(f'p{q}' for q in s.queue)}), so the adversary owes it {what}, "
                 f"e = {texts.label(s.event)}; {sigma}")
        stages.append({"stage": i, "process": s.process, "event": texts.event_json(s.event),
                       "event_text": texts.text(s.event), "sigma_length": len(s.sigma),
                       "start": t, "end": t + len(s.sigma) + 1})
        t += len(s.sigma) + 1
    return at, stages


def witness_answer(session: Session) -> dict[str, Any]:
    """The answer of ``/api/witness``: the verdict and its run as successor indices."""
    space, _, found = session.require_verdict()

    def make() -> dict[str, Any]:
        head: dict[str, Any] = {"verdict": found.verdict, "detail": found.detail,
                                "complete": found.complete, "crashes": found.crashes,
                                "termination": found.termination, "property": None,
                                "stages": None}
        if found.run is not None:
            run: Run = found.run
            at, stages = _stage_sentences(session, found)
            head["stages"] = stages or None
            body = run_answer(session, found.verdict, run.inputs, list(run.events),
                              len(run.stem), run.crashed, run.crash_point, at)
        elif found.evidence is not None and found.evidence.schedule is not None:
            head["property"] = found.evidence.name
            sched = found.evidence.schedule
            body = run_answer(session, found.verdict, sched.inputs, list(sched.events))
        else:
            body = {"inputs": None, "path": [], "cycle_start": None, "crashed": [],
                    "crash_at": None, "events": [], "texts": [], "valences": [],
                    "sentences": [], "summary": found.detail + ".",
                    "conclusion": "There is no run to show."}
        return head | body

    return session.cached("witness", make)


def lemma2_answer(session: Session) -> dict[str, Any]:
    """The answer of ``/api/lemma2``: the chain of initial configurations and what it shows."""
    space, _ = session.require_graph()

    def make() -> dict[str, Any]:
        found = lemma2(space)
        chain = []
        for k, (x, text) in enumerate(found.chain):
            chain.append({"k": k, "inputs": bits(x),
                          "valence": text if text in LABELS else UNKNOWN, "text": text,
                          "flip": k - 1 if k else None})
        run = None
        if found.run is not None:
            r = found.run
            run = run_answer(session, "lemma2", r.inputs, list(r.events), len(r.stem),
                             r.crashed, r.crash_point)
        return {"chain": chain, "bivalent": None if found.bivalent is None else bits(found.bivalent),
                "pair": None if found.pair is None else [bits(x) for x in found.pair],
                "process": found.process, "run": run,
                "detail": found.detail + ("" if space.complete else
                                          " (a bound cut the exploration: a valence other "
                                          "than bivalent is only a lower bound)")}

    return session.cached("lemma2", make)
