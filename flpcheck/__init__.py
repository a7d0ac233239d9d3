"""flpcheck: a model checker and state-space explorer for the FLP impossibility result."""

from .analysis.valence import ValenceMap, classify_valence
from .errors import FLPCheckError
from .explorer.driver import explore
from .explorer.statespace import Schedule, StateSpace
from .model.protocol import Protocol
from .model.round_protocol import RoundProtocol
from .model.semantics import Configuration, Event

__all__ = [
    "Protocol",
    "RoundProtocol",
    "explore",
    "StateSpace",
    "Schedule",
    "Configuration",
    "Event",
    "ValenceMap",
    "classify_valence",
    "FLPCheckError",
]
__version__ = "0.1.0"
