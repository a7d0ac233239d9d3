"""``flpcheck explore`` for round protocols: loading a RoundProtocol model and running the check.

``flpcheck explore`` dispatches here when the model's class is a :class:`RoundProtocol`::

    if is_round_model(model):
        sys.exit(run_rounds(model, processes, rounds, crashes, inputs, as_json))

Errors are :class:`~flpcheck.errors.FLPCheckError` subclasses (exit code 2 in the CLI group);
:func:`run_rounds` returns 0 when agreement, validity and termination hold and 1 otherwise.
"""

from __future__ import annotations

import inspect
import json
import traceback

import click
from rich.console import Console

from ..errors import InvalidProtocol, ModelLoadError, UsageError
from ..explore.explore import parse_inputs
from ..model.loader import _split, load_module, own_classes, pick_class
from ..model.protocol import Protocol
from ..output.rounds_report import print_round_check, round_check_to_json
from ..sync.rounds import RoundProtocol, check_round_protocol_class, check_rounds

__all__ = ["is_round_model", "load_round_protocol_class", "load_round_protocol", "run_rounds"]


def is_round_model(spec: str) -> bool:
    """True when ``spec`` (``file.py`` or ``file.py:Class``) names a RoundProtocol model.

    ``file.py:Class`` is a round model when that class subclasses RoundProtocol; ``file.py``
    when it defines RoundProtocol subclasses and no flpcheck.Protocol subclass. A file that
    cannot be loaded is not (the ordinary loader then reports why).
    """
    path, name = _split(spec)
    try:
        module = load_module(path)
    except ModelLoadError:
        return False
    if name is not None:
        cls = getattr(module, name, None)
        return inspect.isclass(cls) and issubclass(cls, RoundProtocol)
    return bool(own_classes(module, RoundProtocol)) and not own_classes(module, Protocol)


def load_round_protocol_class(spec: str) -> type[RoundProtocol]:
    """The RoundProtocol subclass named by ``spec`` (``file.py`` or ``file.py:ClassName``)."""
    cls = pick_class(spec, RoundProtocol)
    try:
        check_round_protocol_class(cls)
    except InvalidProtocol as err:
        raise InvalidProtocol(f"{_split(spec)[0]}: {err}") from None
    return cls


def load_round_protocol(spec: str, processes: int | None = None,
                        rounds: int | None = None) -> RoundProtocol:
    """Load ``spec`` and build it with ``processes`` and ``rounds`` (the class defaults if None)."""
    cls = load_round_protocol_class(spec)
    path, _ = _split(spec)
    try:
        return cls(processes=processes, rounds=rounds)
    except InvalidProtocol as err:
        raise InvalidProtocol(f"{path}: {err}") from None
    except Exception as exc:
        failure = InvalidProtocol(f"{path}: {cls.__name__}() raised {type(exc).__name__}: {exc}")
        failure.add_note("".join(traceback.format_exception(exc)).rstrip())
        raise failure from None


def run_rounds(
    model_spec: str,
    processes: int | None = None,
    rounds: int | None = None,
    crashes: int | None = None,
    inputs: str | None = None,
    as_json: bool = False,
    termination: str = "all",
) -> int:
    """Explore a round protocol, print the summary (or one JSON object); return the exit code.

    ``crashes`` defaults to 1 and ``rounds`` to the model's. Returns 0 when agreement,
    validity and termination hold, 1 when one is violated; raises FLPCheckError (exit 2)
    on usage and model errors.
    """
    if processes is not None and processes < 1:
        raise UsageError(f"--processes must be >= 1, got {processes}")
    if rounds is not None and rounds < 1:
        raise UsageError(f"--rounds must be >= 1, got {rounds}")
    protocol = load_round_protocol(model_spec, processes, rounds)
    vectors = None if inputs is None else parse_inputs(inputs, protocol.processes)
    f = 1 if crashes is None else crashes
    check = check_rounds(protocol, vectors, crashes=f, origin=model_spec, termination=termination)
    if as_json:
        click.echo(json.dumps(round_check_to_json(check), indent=2))
    else:
        print_round_check(Console(highlight=False), check)
    return check.exit_code
