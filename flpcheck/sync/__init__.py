"""The synchronous round model: every execution with at most f crashes, explored layer by
layer, with agreement, validity and termination checked and each counterexample replayed.

:func:`check_rounds` is the entry point; the protocol API is
:class:`~flpcheck.model.round_protocol.RoundProtocol`.
"""

from .check import check_rounds
from .records import (
    Crash,
    Message,
    RoundCheck,
    RoundExecution,
    RoundRecord,
    RoundVerdict,
    count_crash_patterns,
    describe_crashes,
)
from .replay import replay

__all__ = ["check_rounds", "replay", "Crash", "Message", "RoundRecord", "RoundExecution",
           "RoundVerdict", "RoundCheck", "count_crash_patterns", "describe_crashes"]
