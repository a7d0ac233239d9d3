"""The one place a run is assembled: options, checked once -> the model file, executed once ->
the state space, explored once -> the result value a command prints.

Every command (``explore``, ``witness``, ``lemmas``, ``render``, ``serve``), the notebooks'
:func:`flpcheck.show` and the Python API build their runs here, so a model is loaded, checked
and explored the same way everywhere. :class:`Options` is a frozen value checked when it is
made (bounds, the termination definition, ``--max-memory`` parsed to bytes, ``--workers`` and
``--ray-address`` among the rest); :class:`Pipeline` takes one and does each step at most once.

A new command is a few lines on top of it (the analysis computes one value, the output layer
prints it):

>>> from flpcheck.pipeline import Options, Pipeline
>>> from flpcheck.analysis.verdict import verdict
>>> run = Pipeline(Options("models/leader_broadcast.py", processes=2))
>>> space = run.explore()                      # loads the file (once), explores (once)
>>> len(space), verdict(space).verdict         # then analyse the space: one result value
(20, 'not-crash-tolerant')
>>> run.witness().verdict.verdict              # the witness command's value, the same way
'not-crash-tolerant'

A round model (:class:`~flpcheck.RoundProtocol`) goes through the same loading:
``Pipeline(Options("models/floodset.py", crashes=1)).check_rounds()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, cast

from .analysis.lemma1 import require_lemma1
from .analysis.reports import LemmasReport, WitnessReport, lemmas_report, witness_report
from .analysis.summary import Exploration, summarize
from .analysis.valence import ValenceMap, classify_valence
from .errors import UsageError
from .explorer.checkpoint import Checkpoint, Notice
from .explorer.driver import explore
from .explorer.engine import StopCheck
from .explorer.limits import StopConditions, parse_size
from .explorer.space import Space
from .explorer.statespace import StateSpace
from .model.inputs import parse_inputs
from .model.loader import ModelFile, open_model
from .model.protocol import Protocol
from .model.round_protocol import RoundProtocol
from .model.termination import check_termination
from .sync import check_rounds
from .sync.records import RoundCheck

__all__ = ["Options", "Pipeline", "MESSAGE_BUFFER_OPTIONS"]

Progress = Callable[..., None]

MESSAGE_BUFFER_OPTIONS = ("max_configs", "max_buffer", "max_depth", "timeout", "symmetry", "por",
                          "workers", "ray_address", "checkpoint", "checkpoint_every", "resume")
"""The options that apply to message-buffer models only (a round model refuses them)."""


@dataclass(frozen=True)
class Options:
    """What a run is asked to do, checked when it is made (like a model checker's builder).

    ``model`` is ``file.py`` or ``file.py:Class``; ``inputs`` is the command line's text
    (``011,100``) or a sequence of input vectors; ``max_memory`` a size (``2G``) or bytes;
    ``crashes`` and ``rounds`` are the round model's (the message-buffer commands take their
    crash budget as an argument of the analysis); ``termination`` None is the model kind's
    default; ``checkpoint`` a directory to write checkpoints in (every ``checkpoint_every``
    seconds, by default as the run's length allows), ``resume`` one to go on from. Change one
    with :meth:`with_` (checked again).

    >>> Options("m.py", max_memory="1K").max_memory
    1024
    >>> Options("m.py", workers=0)
    Traceback (most recent call last):
    ...
    flpcheck.errors.UsageError: --workers must be >= 1, got 0
    """

    model: str
    processes: int | None = None
    inputs: str | tuple[tuple[int, ...], ...] | None = None
    max_configs: int | None = None
    max_buffer: int | None = None
    max_depth: int | None = None
    timeout: float | None = None
    max_memory: int | None = None
    symmetry: bool = False
    por: bool = False
    workers: int = 1
    ray_address: str | None = None
    crashes: int | None = None
    rounds: int | None = None
    termination: str | None = None
    checkpoint: str | None = None
    checkpoint_every: float | None = None
    resume: str | None = None
    #: the option names a run got from the environment (RAY_ADDRESS), not asked for
    from_environment: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "model", str(self.model))
        if isinstance(self.max_memory, str):
            set_(self, "max_memory", parse_size(self.max_memory))
        if self.inputs is not None and not isinstance(self.inputs, str):
            set_(self, "inputs", tuple(tuple(int(b) for b in x) for x in self.inputs))
        for name, low in (("processes", 1), ("max_configs", 1), ("max_buffer", 0),
                          ("max_depth", 0), ("timeout", 0), ("max_memory", 0), ("workers", 1),
                          ("crashes", 0), ("rounds", 1), ("checkpoint_every", 0)):
            value = getattr(self, name)
            if value is not None and value < low:
                raise UsageError(f"--{name.replace('_', '-')} must be >= {low}, got {value}")
        if self.termination is not None:
            check_termination(self.termination)
        self._check_checkpoint()

    def _check_checkpoint(self) -> None:
        for name in ("checkpoint", "resume"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, str(getattr(self, name)))
        if self.checkpoint_every is not None and self.checkpoint is None and self.resume is None:
            raise UsageError("--checkpoint-every needs --checkpoint DIR (or --resume DIR)")
        if (self.checkpoint is not None and self.resume is not None
                and Path(self.checkpoint).resolve() != Path(self.resume).resolve()):
            raise UsageError(f"--resume {self.resume} goes on writing its checkpoints in "
                             f"{self.resume}: leave out --checkpoint, or give it the same "
                             "directory")

    def with_(self, **changes: Any) -> Options:
        """A copy with ``changes`` (checked like a new one)."""
        return replace(self, **changes)

    def bounds(self) -> dict[str, Any]:
        """The exploration bounds and reductions, as :func:`flpcheck.explore` takes them."""
        return {"max_configs": self.max_configs, "max_buffer": self.max_buffer,
                "max_depth": self.max_depth, "symmetry": self.symmetry, "por": self.por,
                "workers": self.workers, "ray_address": self.ray_address,
                "gather_limit": self.max_memory}

    def message_buffer_options(self, also: Sequence[str] = ()) -> list[str]:
        """The message-buffer-only options this run sets (a round model refuses them), as
        command-line options in the order of :data:`MESSAGE_BUFFER_OPTIONS`; ``also`` names a
        command's own such options (listed after ``timeout``)."""
        defaults = {f.name: f.default for f in fields(self)}
        names = [name for name in MESSAGE_BUFFER_OPTIONS
                 if getattr(self, name) != defaults[name] and name not in self.from_environment]
        at = sum(1 for name in names if name in MESSAGE_BUFFER_OPTIONS[:4])
        return [f"--{name.replace('_', '-')}" for name in names[:at] + list(also) + names[at:]]


class Pipeline:
    """One run: the model file executed once, the protocol built once, the graph explored
    once; each command's result value computed from them (see the module docstring).

    ``protocol`` serves a protocol already built (a notebook's instance): nothing is loaded.
    """

    def __init__(self, options: Options, protocol: Protocol | None = None) -> None:
        self.options = options
        self._file: ModelFile | None = None
        self._protocol = protocol
        self._space: Space | None = None

    @property
    def file(self) -> ModelFile:
        """The model file, executed on first use (once)."""
        if self._file is None:
            self._file = open_model(self.options.model)
        return self._file

    @property
    def is_round_model(self) -> bool:
        """True when the model is a synchronous round model (a RoundProtocol)."""
        return self._protocol is None and self.file.is_round_model

    @property
    def protocol(self) -> Protocol:
        """The message-buffer protocol, built once with ``processes``."""
        if self._protocol is None:
            self._protocol = self.file.protocol(self.options.processes)
        return self._protocol

    def round_protocol(self) -> RoundProtocol:
        """The round protocol, built with ``processes`` and ``rounds``."""
        return self.file.round_protocol(self.options.processes, self.options.rounds)

    def vectors(self, n: int) -> list[tuple[int, ...]] | None:
        """The input vectors asked for (None: all of them), checked against N = ``n``."""
        inputs = self.options.inputs
        if inputs is None:
            return None
        if isinstance(inputs, str):
            return parse_inputs(inputs, n)
        return [tuple(x) for x in inputs]

    def explore(self, *, progress: Progress | None = None,
                stop: StopConditions | Callable[[], str | None] | None = None,
                notice: Callable[[Notice], None] | None = None) -> Space:
        """The explored state space (explored on the first call; ``progress`` and ``stop`` as
        :func:`flpcheck.explore` takes them; ``notice`` hears a checkpointed run's levels and
        checkpoints)."""
        if self._space is None:
            protocol = self.protocol
            if stop is None and (self.options.timeout, self.options.max_memory) != (None, None):
                stop = StopConditions(self.options.timeout, self.options.max_memory)
            self._space = explore(protocol, self.vectors(protocol.processes), progress=progress,
                                  stop=stop, origin=self.origin,
                                  checkpoint=self.checkpoint(notice), **self.options.bounds())
        return self._space

    def checkpoint(self, notice: Callable[[Notice], None] | None = None) -> Checkpoint | None:
        """The checkpoint of this run (``--checkpoint`` or ``--resume``), or None."""
        o = self.options
        where = o.resume if o.resume is not None else o.checkpoint
        if where is None:
            return None
        return Checkpoint(where, o.checkpoint_every, resume=o.resume is not None, notice=notice)

    def whole(self, what: str) -> StateSpace:
        """The explored graph in this process: gathered from the partition engine's workers
        when it stayed there (refused past ``--max-memory``, naming ``what``)."""
        return self.explore().gather(what)

    @property
    def origin(self) -> str:
        """What error messages name the model by."""
        return self.options.model

    def valence(self) -> ValenceMap:
        """The valence of the graph in this process (gathered if it stayed on the workers)."""
        return classify_valence(self.whole("the valence of every configuration"))

    def summarize(self, termination: str | None = None,
                  stop: StopCheck | None = None) -> Exploration:
        """``explore``'s value: valence, safety and the crash-free non-deciding run (Lemma 1
        checked first on an unreduced graph); ``stop`` (an interruption's grace period) leaves
        what is not finished not established."""
        space = self.explore()
        if not space.reduced:  # Lemma 1 needs the real successors (read on the workers too)
            require_lemma1(cast(StateSpace, space), stop=stop)
        chosen = termination or self.options.termination or "some"
        return summarize(type(self.protocol).__name__, space, chosen, stop)

    def witness(self, crashes: int | None = None) -> WitnessReport:
        """``witness``'s value: the verdict with its runs replayed and annotated."""
        t = self.options.crashes if crashes is None else crashes
        return witness_report(self.whole("the verdict and its run"), 1 if t is None else t,
                              self.options.termination or "some")

    def lemmas(self) -> LemmasReport:
        """``lemmas``'s value: Lemmas 1-3 walked through on the graph."""
        return lemmas_report(self.whole("Lemmas 1-3"), self.options.termination or "some")

    def check_rounds(self, also: Sequence[str] = ()) -> RoundCheck:
        """A round model's value: every crash pattern checked (``crashes`` default 1,
        termination default ``all``); the message-buffer options are refused (``also``: a
        command's own, see :meth:`Options.message_buffer_options`)."""
        names = self.options.message_buffer_options(also)
        if names:
            raise UsageError(f"{', '.join(names)} appl{'ies' if len(names) == 1 else 'y'} to "
                             "message-buffer models; a round model is explored in this process "
                             "with --crashes, --rounds, --inputs and --processes")
        protocol = self.round_protocol()
        crashes = 1 if self.options.crashes is None else self.options.crashes
        return check_rounds(protocol, self.vectors(protocol.processes), crashes=crashes,
                            origin=self.origin, termination=self.options.termination or "all")
