"""Simulation: random and adversarial runs of a protocol, checked after every event.

``flpcheck simulate`` takes runs the model checker cannot enumerate (an infinite or very large
configuration graph): each run starts from an initial configuration and takes up to S events
chosen by a scheduler (:mod:`.schedulers`); agreement, validity and write-once are checked after
every event; a violation is replayed with the protocol's own code and shrunk to a locally
minimal schedule (:mod:`.shrink`). Finding no violation proves nothing.

This package imports only :mod:`flpcheck.model` and :mod:`flpcheck.errors`.
"""

from .machine import PROPERTIES, Machine
from .random_runs import DISTINCT_CAP, RangeResult, Settings, run_one, run_range
from .result import Simulation, Violation, histogram, simulate
from .schedulers import SCHEDULERS

__all__ = ["simulate", "Simulation", "Violation", "Settings", "RangeResult", "Machine",
           "run_one", "run_range", "histogram", "PROPERTIES", "SCHEDULERS", "DISTINCT_CAP"]
