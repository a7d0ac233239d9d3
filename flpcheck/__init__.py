"""flpcheck: a model checker and state-space explorer for the FLP impossibility result."""

from .errors import FLPCheckError
from .explorer import explore
from .protocol import Protocol
from .rounds import RoundProtocol
from .semantics import Configuration, Event
from .statespace import Schedule, StateSpace
from .valence import ValenceMap, classify_valence

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
