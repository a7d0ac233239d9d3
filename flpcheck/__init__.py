"""flpcheck: a model checker and state-space explorer for the FLP impossibility result."""

from .analysis.valence import ValenceMap, classify_valence
from .errors import FLPCheckError
from .explore.explore import explore
from .explore.statespace import Schedule, StateSpace
from .model.protocol import Protocol
from .model.semantics import Configuration, Event
from .sync.rounds import RoundProtocol

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
