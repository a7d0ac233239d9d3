"""Ben-Or without its coin: where no proposal carries a value, a process keeps its estimate.

Everything else is ``ben_or.py``'s ``BenOr`` (N = 3, f = 1, three rounds, the messages a
process will never use again dropped). Without the coin every step is determined, and FLP's
adversary needs nothing more: from mixed inputs it hands each process one report of each value
in every round, so every proposal is '?', nobody ever changes its estimate, and every process
halts at the round cap undecided.

Measured (``flpcheck chance models/ben_or_coinless.py --scheduler adversary``, N = 3, f = 1, no
crash, termination ``all``): 46,384 configurations; from mixed inputs the minimum over fair
adversaries of the probability of deciding within R rounds is 0 for R = 1, 2, 3, and eventually
0, with a run where nobody decides; two independent builds of Ben-Or agree (0 for every R).
From inputs all equal: 1 within 1 round. Under the uniform scheduler it still decides with some
probability (a random scheduler does not aim at '?').
"""

from pathlib import Path

from flpcheck.model.loader import load_protocol_class

BenOr = load_protocol_class(f"{Path(__file__).with_name('ben_or.py')}:BenOr")


class BenOrCoinless(BenOr):
    """Ben-Or with the coin replaced by "keep your estimate"."""

    coin_flip = False
