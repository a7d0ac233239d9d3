"""Analyses of an explored state space, each a function of the graph, one question per module.

- :mod:`~flpcheck.analysis.valence`: the valence of every configuration;
- :mod:`~flpcheck.analysis.properties`: agreement, validity, non-triviality;
- :mod:`~flpcheck.analysis.nondeciding`, :mod:`~flpcheck.analysis.fairness`: admissible runs
  that never decide;
- :mod:`~flpcheck.analysis.lemma1`, :mod:`~flpcheck.analysis.lemma2`,
  :mod:`~flpcheck.analysis.adversary`: FLP's Lemmas 1, 2 and 3;
- :mod:`~flpcheck.analysis.verdict`: the verdict and its evidence;
- :mod:`~flpcheck.analysis.stages`: Lemma 3's adversary on demand, without exploring;
- :mod:`~flpcheck.analysis.lasso`, :mod:`~flpcheck.analysis.explain`: runs and schedules
  replayed by code independent of the searches.
"""

from .adversary import AdversaryResult, Stage, adversary_run
from .explain import AnnotatedStep, annotate
from .lasso import Run, check_run
from .lemma1 import Lemma1Result, check_lemma1, require_lemma1
from .lemma2 import Lemma2, lemma2
from .nondeciding import (
    NondecidingSearch,
    blocking_run,
    nondeciding_run,
    one_crash_run,
    search_nondeciding,
    silent_valence,
)
from .properties import (
    PropertyResult,
    check_agreement,
    check_nontriviality,
    check_safety,
    check_validity,
)
from .stages import StagedRun, check_staged_run, staged_adversary
from .valence import ValenceMap, classify_valence
from .verdict import VERDICT_LINES, VERDICTS, DrawnRun, Verdict, run_to_draw, verdict

__all__ = [
    "AdversaryResult", "AnnotatedStep", "DrawnRun", "Lemma1Result", "Lemma2",
    "NondecidingSearch", "PropertyResult", "Run", "Stage", "StagedRun", "ValenceMap",
    "VERDICTS", "VERDICT_LINES", "Verdict", "adversary_run", "annotate", "blocking_run",
    "check_agreement", "check_lemma1", "check_nontriviality", "check_run", "check_safety",
    "check_staged_run", "check_validity", "classify_valence", "lemma2", "nondeciding_run",
    "one_crash_run", "require_lemma1", "run_to_draw", "search_nondeciding", "silent_valence",
    "staged_adversary", "verdict",
]
