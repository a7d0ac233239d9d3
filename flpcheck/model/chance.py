"""Steps left to chance: a step may return :class:`Outcomes` instead of one result.

A randomized protocol (Ben-Or's, say) flips a coin inside a step. The step then returns every
result it can have, each with its exact probability, and flpcheck keeps them all: exploring
treats the outcomes as branches (the possibilistic skeleton, on which valence, safety and FLP's
run are as for any protocol), and ``flpcheck chance`` weighs them by their probabilities.

A model builds the value with :meth:`Protocol.coin <flpcheck.Protocol.coin>` (a fair coin) or
:meth:`Protocol.outcomes <flpcheck.Protocol.outcomes>` (any finite distribution). Probabilities
are exact: ints or :class:`fractions.Fraction`, never floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Outcomes"]


@dataclass(frozen=True, slots=True)
class Outcomes:
    """The results a step can have, each with its probability: ``choices`` is a tuple of
    ``(probability, (new_state, sends))`` in the model's order; the index of a choice is the
    *outcome* an event names (``Event(pid, msg, outcome)``).

    >>> from fractions import Fraction
    >>> o = Outcomes(((Fraction(1, 2), ("x", ())), (Fraction(1, 2), ("y", ()))))
    >>> [str(p) for p, _ in o.choices]
    ['1/2', '1/2']
    """

    choices: tuple[tuple[Any, Any], ...]

    def __len__(self) -> int:
        return len(self.choices)
