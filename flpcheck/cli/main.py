"""The ``flpcheck`` command group: one module per command, all registered here."""

from __future__ import annotations

import click

from .chance import chance_command
from .checkpoint import checkpoint_command
from .common import FLPGroup
from .explore import explore_command
from .liveness import liveness_command
from .render import render_command
from .schema import schema_command
from .serve import serve_command
from .simulate import simulate_command
from .witness import lemmas_command, witness_command

__all__ = ["main"]


@click.group(cls=FLPGroup)
@click.version_option(package_name="flpcheck")
def main() -> None:
    """flpcheck: explore a consensus protocol in the FLP model and find the run that defeats it.

    \b
    Commands:
      explore   every configuration, its valence, safety (and round models)
      witness   the verdict and the run that defeats the protocol
      lemmas    FLP's Lemmas 1-3 walked through on the model
      liveness  does every run decide after GST (timeouts, a leader, a detector)?
      render    a picture of the configuration graph or one of its views
      simulate  random or adversarial runs of a model too large to explore
      chance    the probability of deciding: random scheduler, or adversary and coins
      serve     walk the configurations in a browser, with tours and a game
      schema    the JSON Schema of a command's --json output
      checkpoint  what a checkpoint (--checkpoint DIR) holds and how far it got

    Exit codes: 0 nothing violated, 1 a property violated, 2 usage or model error, 3 an
    internal error of flpcheck, 130 interrupted.

    \b
    Examples:
      flpcheck witness models/leader_broadcast.py
      flpcheck explore models/majority.py
      flpcheck COMMAND --help
    """


for command in (explore_command, witness_command, lemmas_command, liveness_command,
                render_command, simulate_command, chance_command, serve_command,
                schema_command, checkpoint_command):
    main.add_command(command)
