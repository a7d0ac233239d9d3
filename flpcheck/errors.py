"""The error hierarchy: one root, precise leaves, each with the exit code the CLI uses.

A bad model is a *model error* (exit 2): the run does not go on with a wrong answer. A protocol
that breaks a property (an output that changes once set) is not an error but a verdict (exit 1).
"""

from __future__ import annotations

__all__ = [
    "FLPCheckError",
    "HashCollision",
    "UsageError",
    "InvalidProtocol",
    "ModelLoadError",
    "ProtocolStepError",
    "NondeterministicStep",
    "MutatedValue",
    "SharedStateError",
    "ReplayError",
    "GraphvizMissing",
    "WorkerLost",
    "OutputError",
    "CheckpointError",
]


class FLPCheckError(Exception):
    """Root of every error flpcheck raises on purpose; ``exit_code`` is what the CLI exits with.

    Context travels as fields: ``configuration`` is the id of the configuration being expanded
    when the error was raised (None when it is not about one); the message and its notes
    (``add_note``) say the rest: the file, the process, the state and the event.
    """

    exit_code = 2

    def __init__(self, *args: object, configuration: int | None = None) -> None:
        super().__init__(*args)
        self.configuration = configuration


class UsageError(FLPCheckError):
    """The command line or API call is wrong (an unknown option value, inputs of the wrong length)."""


class ModelLoadError(FLPCheckError):
    """The model file cannot be loaded: missing, syntax error, import error, no or several classes."""


class InvalidProtocol(FLPCheckError):
    """The Protocol subclass is malformed: a missing method, a bad ``processes``, a bad return shape."""


class ProtocolStepError(FLPCheckError):
    """User code (``init``, ``step`` or ``output``) raised, or returned a value the model forbids."""


class NondeterministicStep(ProtocolStepError):
    """Two calls of ``step`` (or ``output``) with the same arguments gave different results."""


class MutatedValue(ProtocolStepError):
    """``step`` changed the state or message object it was given instead of returning a new one."""


class SharedStateError(FLPCheckError):
    """Processes share state (a global, a class attribute): Lemma 1 (commutativity) fails."""


class ReplayError(FLPCheckError):
    """A run does not replay: an event is not applicable, or a claimed property of the run is false."""


class GraphvizMissing(FLPCheckError):
    """The Graphviz ``dot`` program is not installed, so an image cannot be rendered."""


class HashCollision(FLPCheckError):
    """Two different configurations have the same 64-bit hash (probability about n^2 / 2^65
    for n configurations). :func:`flpcheck.explore` then explores again with the simple engine,
    which needs no hash, and says so in the space's ``engine_note``."""


class WorkerLost(FLPCheckError):
    """A Ray worker of a ``--workers`` run died (killed, out of memory, or its node lost): the
    run is stopped, with no answer."""


class OutputError(FLPCheckError):
    """A file flpcheck was asked to write cannot be written (its directory is missing or
    read-only, the disk is full): the message names the file and the reason."""


class CheckpointError(FLPCheckError):
    """A checkpoint cannot be written or resumed: ``--resume`` with a model file or an option
    that changes the graph other than the checkpoint's (each difference named), a checkpoint
    file damaged (its size or checksum not what the manifest says: the file is named, never
    read), or a checkpoint directory already in use."""
