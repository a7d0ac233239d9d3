"""Storm's explicit DRN format: the chain or decision process ``flpcheck chance`` analyses.

A DRN file lists every state with its labels and its choices, each choice its successors with
exact probabilities (``1/2``): Storm reads it with ``--explicit-drn FILE`` (add ``--exact`` for
rational arithmetic), stormpy with ``stormpy.build_model_from_drn``. The header comments name
what each state is (configuration id, crash set) and give the Storm property of every figure
``flpcheck chance`` prints, so that Storm's answers can be put beside flpcheck's. A state with
no choice (a configuration a bound cut) gets a self-loop, as Storm wants one in every state.
The reward model ``steps`` gives every state reward 1, so ``R{"steps"}=? [F "decided"]`` is
the expected number of events.
"""

from __future__ import annotations

import io
import os
from fractions import Fraction
from pathlib import Path

from ..analysis.chance.queries import LabelledModel
from .files import atomic_write

__all__ = ["drn_text", "write_drn"]


def drn_text(model: LabelledModel) -> str:
    """The DRN text of a labelled model."""
    smdp = model.smdp
    mdp = smdp.mdp
    space = smdp.space
    out = io.StringIO()
    kind = "DTMC" if smdp.scheduler == "uniform" else "MDP"
    out.write(f"// flpcheck chance: {type(space.protocol).__name__}, N={space.n}, scheduler "
              f"{smdp.scheduler}, crashes <= {smdp.crashes}, termination {model.termination}\n")
    for q in model.queries:
        out.write(f"// {q.figure}: {'1 - ' if q.complement else ''}{q.prop}\n")
    out.write("// each state's configuration (ids as in flpcheck explore --graph FILE.json), "
              "with /crashed processes:\n")
    config = smdp.config.tolist()
    crashed = smdp.crashed.tolist()
    items = [f"{s}:{c}" + ("" if not x else "/" + ",".join(f"p{p}" for p in range(space.n)
                                                         if x >> p & 1))
             for s, (c, x) in enumerate(zip(config, crashed, strict=True))]
    for i in range(0, len(items), 16):
        out.write("//   " + " ".join(items[i:i + 16]) + "\n")
    out.write(f"@type: {kind}\n@parameters\n\n@reward_models\nsteps\n")
    out.write(f"@nr_states\n{mdp.n_states}\n")
    n_choices = int(sum(max(1, int(c)) for c in (mdp.act_ptr[1:] - mdp.act_ptr[:-1])))
    out.write(f"@nr_choices\n{n_choices}\n@model\n")
    names = list(model.labels)
    label_cols = [model.labels[k].tolist() for k in names]
    probs = list(mdp.probs)
    act_ptr = mdp.act_ptr.tolist()
    out_ptr = mdp.out_ptr.tolist()
    dst = mdp.out_dst.tolist()
    prob = mdp.out_prob.tolist()
    for s in range(mdp.n_states):
        labels = " ".join(name for name, col in zip(names, label_cols, strict=True) if col[s])
        out.write(f"state {s} [1]{' ' + labels if labels else ''}\n")
        if act_ptr[s] == act_ptr[s + 1]:
            out.write(f"\taction 0\n\t\t{s} : 1\n")
            continue
        for i, a in enumerate(range(act_ptr[s], act_ptr[s + 1])):
            out.write(f"\taction {i}\n")
            merged: dict[int, Fraction] = {}  # one line per successor: Storm sums nothing
            for k in range(out_ptr[a], out_ptr[a + 1]):
                merged[dst[k]] = merged.get(dst[k], Fraction(0)) + probs[prob[k]]
            for t in sorted(merged):
                out.write(f"\t\t{t} : {merged[t]}\n")
    return out.getvalue()


def write_drn(path: str | os.PathLike[str], model: LabelledModel) -> Path:
    """Write a labelled model (:func:`flpcheck.analysis.chance.queries.labelled_model`: what
    ``flpcheck chance`` analyses, or the configuration graph as an MDP for ``explore --graph
    FILE.drn``) in Storm's explicit DRN format."""
    return atomic_write(path, drn_text(model))
