"""The ``flpcheck`` command group: one module per command, all registered here and each
imported when its command runs (or lists its help), so that starting ``flpcheck explore``
does not load what ``chance`` or ``render`` need (scipy, networkx, Graphviz): click's lazily
loaded subcommands."""

from __future__ import annotations

import importlib

import click

from .common import FLPGroup

__all__ = ["main", "COMMANDS"]

#: (name, module of flpcheck.cli, attribute) of every command, in the order the docs list them
COMMANDS = (
    ("explore", "explore", "explore_command"),
    ("witness", "witness", "witness_command"),
    ("lemmas", "witness", "lemmas_command"),
    ("liveness", "liveness", "liveness_command"),
    ("render", "render", "render_command"),
    ("simulate", "simulate", "simulate_command"),
    ("chance", "chance", "chance_command"),
    ("serve", "serve", "serve_command"),
    ("schema", "schema", "schema_command"),
    ("checkpoint", "checkpoint", "checkpoint_command"),
)


class _LazyGroup(FLPGroup):
    """The group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, _, _ in COMMANDS)

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        for name, module, attribute in COMMANDS:
            if name == cmd_name:
                command = getattr(importlib.import_module(f"{__package__}.{module}"), attribute)
                assert isinstance(command, click.Command) and command.name == name
                return command
        return None


@click.group(cls=_LazyGroup)
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

