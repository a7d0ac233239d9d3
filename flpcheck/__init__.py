"""flpcheck: a model checker and state-space explorer for the FLP impossibility result.

The public API (everything else lives in the subpackages and may change):

- writing a model: :class:`Protocol` (the FLP message-buffer model; a step left to chance
  returns :class:`Outcomes`), :class:`RoundProtocol` (the synchronous round model);
- loading and exploring: :func:`load_protocol`, :func:`explore`, :func:`explore_file`,
  :class:`StateSpace`, :class:`Schedule`;
- analyses of an explored space: :func:`classify_valence`, :func:`check_safety`,
  :func:`verdict`, :func:`nondeciding_run`, :func:`lemma2`, :func:`adversary_run`,
  :func:`staged_adversary` (Lemma 3's adversary on demand, without exploring),
  :func:`check_rounds` (round models);
- values: :class:`Configuration`, :class:`Event`, :class:`Run`, :class:`Verdict`,
  :class:`ValenceMap`; replaying: :func:`replay`, :func:`check_run`;
- output: :func:`render` (Graphviz views), :func:`to_networkx`, :func:`write_graph`;
- the page of ``flpcheck serve`` in a notebook: :func:`show` (the ``serve`` extra);
- errors: :class:`FLPCheckError` and its leaves in :mod:`flpcheck.errors`.

>>> import flpcheck
>>> space = flpcheck.explore_file("models/leader_broadcast.py", 3)
>>> flpcheck.verdict(space).verdict
'not-crash-tolerant'
"""

from typing import TYPE_CHECKING, Any

from .analysis import (
    Run,
    ValenceMap,
    Verdict,
    adversary_run,
    check_run,
    check_safety,
    classify_valence,
    lemma2,
    nondeciding_run,
    staged_adversary,
    verdict,
)
from .errors import FLPCheckError
from .explorer.driver import explore
from .explorer.statespace import Schedule, StateSpace
from .model.chance import Outcomes
from .model.loader import load_protocol
from .model.protocol import Protocol
from .model.round_protocol import RoundProtocol
from .model.semantics import Configuration, Event, replay
from .sync import check_rounds

if TYPE_CHECKING:
    from .api import explore_file, render, to_networkx, write_graph
    from .serve.notebook import show

_LAZY = {"explore_file": "api", "render": "api", "to_networkx": "api",
         "write_graph": "api", "show": "serve.notebook"}
"""Loaded on first use, so that ``from flpcheck import Protocol`` (every model file) does not
import Graphviz and networkx."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'flpcheck' has no attribute {name!r}")

__all__ = [
    "Protocol",
    "Outcomes",
    "RoundProtocol",
    "load_protocol",
    "explore",
    "explore_file",
    "StateSpace",
    "Schedule",
    "Configuration",
    "Event",
    "Run",
    "Verdict",
    "ValenceMap",
    "classify_valence",
    "check_safety",
    "verdict",
    "nondeciding_run",
    "lemma2",
    "adversary_run",
    "staged_adversary",
    "check_rounds",
    "replay",
    "check_run",
    "render",
    "to_networkx",
    "write_graph",
    "show",
    "FLPCheckError",
]
__version__ = "0.2.0"
