"""Exhaustive breadth-first exploration of the FLP configuration graph: :func:`explore`.

From every initial configuration I(x) (all 2^N input vectors, or those given), apply every
applicable event (the null step of each process and each distinct message in the buffer) to
every reachable configuration, in a deterministic order. User code runs only through the
checked, memoized :class:`~flpcheck.model.table.LocalTable`. The work is done by an engine
(:mod:`flpcheck.explorer.engine`): the batch engine by default, the simple one on request or
when the batch engine meets a 64-bit hash collision.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Sequence
from typing import Any, cast

from ..errors import CheckpointError, FLPCheckError, HashCollision, UsageError
from ..model.inputs import bits, input_vectors
from ..model.protocol import Protocol, check_protocol_class
from ..model.table import LocalTable
from .batch import BatchEngine
from .checkpoint.batch_state import restore_values
from .checkpoint.identity import run_identity
from .checkpoint.store import Checkpoint
from .engine import Engine, Progress, StopCheck
from .simple import SimpleEngine
from .statespace import Bounds, StateSpace

__all__ = ["explore"]


def explore(
    protocol: Protocol,
    inputs: Iterable[Sequence[int]] | None = None,
    *,
    max_configs: int | None = None,
    max_buffer: int | None = None,
    max_depth: int | None = None,
    progress: Progress | None = None,
    stop: StopCheck | None = None,
    origin: str = "",
    engine: Engine | None = None,
    symmetry: bool = False,
    por: bool = False,
    workers: int = 1,
    ray_address: str | None = None,
    gather_limit: int | None = None,
    checkpoint: Checkpoint | None = None,
) -> StateSpace:
    """Explore every configuration reachable from the initial configurations of ``protocol``.

    Bounds cut the exploration: a configuration holding more than ``max_buffer`` messages, or at
    depth ``max_depth``, is not expanded; no configuration is added past ``max_configs``. The
    returned space says what was cut (``space.complete``, ``space.cut_reasons``).

    ``engine`` defaults to the batch engine (numpy over blocks of the queue,
    :mod:`flpcheck.explorer.batch`); :class:`~flpcheck.explorer.simple.SimpleEngine` explores
    one configuration at a time and builds the same space, ids included. ``symmetry=True``
    (protocols declaring ``symmetric = True``) stores one configuration per orbit of process
    renamings (:mod:`flpcheck.explorer.symmetry`); ``por=True`` applies the partial-order
    reduction of :mod:`flpcheck.explorer.por`, which keeps the safety verdicts and valences
    exact but not the counts (``space.partial_order``; when the reduction cannot apply,
    ``space.por_note`` says why and the space is the full one). Both need the batch engine.

    ``workers`` > 1 or a ``ray_address`` explores on that many Ray workers
    (:mod:`flpcheck.explorer.partition.engine`, a local Ray for the run when there is no address) and
    gathers the graph here (refused past ``gather_limit`` bytes); the symmetry and
    partial-order reductions and ``max_configs`` need the batch engine, which then explores in
    this process (``space.engine`` says which engine ran, ``space.engine_note`` why).

    ``checkpoint``: a :class:`~flpcheck.explorer.checkpoint.Checkpoint` to save to, or resume.

    >>> class DecideOwn(Protocol):
    ...     def init(self, pid, x): return (x, None)
    ...     def step(self, pid, state, msg): return (state[0], state[0]), ()
    ...     def output(self, pid, state): return state[1]
    >>> space = explore(DecideOwn(processes=2))
    >>> len(space), space.num_events, space.complete
    (16, 32, True)
    """
    check_protocol_class(type(protocol))
    vectors = input_vectors(protocol.processes, inputs)
    _check_options(vectors, protocol.processes, symmetry, por, engine, workers,
                   (max_configs, max_buffer, max_depth))
    bounds = Bounds(max_configs, max_buffer, max_depth)
    chosen = engine is None  # explore picks the engine, and may fall back on a hash collision
    engine, note = _choose_engine(engine, workers, ray_address, gather_limit, symmetry, por,
                                  max_configs)
    _open_checkpoint(checkpoint, engine, protocol, vectors, bounds, symmetry, por, workers)
    try:
        space = _run(protocol, origin, bounds, vectors, engine, symmetry, por, progress, stop,
                     checkpoint)
    except HashCollision:
        if symmetry or por or not chosen:
            raise
        used = "batch" if engine is None else engine.name
        space = _run(protocol, origin, bounds, vectors, SimpleEngine(), False, False, progress,
                     stop)
        space.engine_note = (f"the {used} engine met two configurations with the same 64-bit "
                             "hash; explored again with the simple engine in this process"
                             + ("" if checkpoint is None else " (which writes no checkpoint)"))
    finally:
        if checkpoint is not None:
            checkpoint.close()
    if note:
        space.engine_note = note
    if symmetry:
        from .symmetry import check_symmetry

        check_symmetry(space)
    return space


def _open_checkpoint(checkpoint: Checkpoint | None, engine: Engine | None, protocol: Protocol,
                     vectors: list[tuple[int, ...]], bounds: Bounds, symmetry: bool, por: bool,
                     workers: int) -> None:
    """Open ``checkpoint`` (if any) for this run, with its identity (what a resume must
    match): refused when the model or an option that changes the graph differs from the
    checkpoint's it resumes."""
    if checkpoint is None:
        return
    if engine is not None and not getattr(engine, "checkpoints", False):
        raise UsageError(f"the {engine.name} engine does not write checkpoints: "
                         "explore without a checkpoint, or with the default engine")
    name = "batch" if engine is None else engine.name
    checkpoint.begin(run_identity(protocol, vectors, bounds, symmetry, por, name,
                                  workers if name == "partition" else 1))


def _check_options(vectors: list[tuple[int, ...]], n: int, symmetry: bool, por: bool,
                   engine: Engine | None, workers: int,
                   bounds: tuple[int | None, int | None, int | None]) -> None:
    """Refuse options that do not go together (a usage error naming them)."""
    if symmetry:
        missing = sorted({tuple(x[i] for i in perm) for x in vectors
                          for perm in itertools.permutations(range(n))} - set(vectors))
        if missing:
            raise UsageError(
                "--symmetry counts every renaming of each configuration, so the input vectors "
                "must include every renaming of each other: add "
                + ",".join(bits(x) for x in missing))
        if por:
            raise UsageError("--por and --symmetry do not combine: use one of them")
    for name, value in zip(("max-configs", "max-buffer", "max-depth"), bounds, strict=True):
        if value is not None and value < 0:
            raise UsageError(f"--{name} must be >= 0, got {value}")
    if engine is not None and not isinstance(engine, BatchEngine) and (symmetry or por):
        raise UsageError("symmetry and partial-order reduction need the batch engine")
    if workers < 1:
        raise UsageError(f"--workers must be >= 1, got {workers}")


def _choose_engine(engine: Engine | None, workers: int, ray_address: str | None,
                   gather_limit: int | None, symmetry: bool, por: bool,
                   max_configs: int | None) -> tuple[Engine | None, str]:
    """(the engine to run, None for the batch engine; a note saying why the workers asked for
    were not used, or "")."""
    if engine is not None or (workers == 1 and ray_address is None):
        return engine, ""
    needs = [name for name, used in (("--symmetry", symmetry), ("--por", por),
                                     ("--max-configs", max_configs is not None)) if used]
    if needs:
        return None, (f"{' and '.join(needs)} need{'s' if len(needs) == 1 else ''} the batch "
                      f"engine: explored in this process, not on {workers} workers")
    from .partition.engine import PartitionEngine

    return PartitionEngine(workers, ray=True, address=ray_address,
                           gather_limit=gather_limit), ""


def _run(protocol: Protocol, origin: str, bounds: Bounds, vectors: list[tuple[int, ...]],
         engine: Engine | None, symmetry: bool, por: bool, progress: Progress | None,
         stop: StopCheck | None, checkpoint: Checkpoint | None = None) -> StateSpace:
    table = LocalTable(protocol, origin)
    # the reductions rest on each event having one result: a step left to chance is refused
    table.refuse_chance = "--symmetry" if symmetry else "--por" if por else None
    if table.drops and (symmetry or por):
        raise UsageError(f"{'--symmetry' if symmetry else '--por'} does not handle a protocol "
                         "that declares ignores (messages dropped from the buffer): run "
                         "without it")
    space = StateSpace(protocol, table, bounds)
    if checkpoint is not None and checkpoint.resume and engine is None:
        # the values first: the partial-order reduction below interns into the same table
        restore_values(checkpoint.directory, checkpoint.require_manifest(), table,
                       space.buffers)
    started = time.perf_counter()
    if engine is None:
        future = None
        if por:
            from .por import future_sends

            found = future_sends(table)
            if isinstance(found, str):
                space.por_note = f"no partial-order reduction: {found}"
            else:
                future = found
                space.partial_order = True
        engine = BatchEngine(symmetry, future)
    try:
        if checkpoint is not None:  # (only engines with ``checkpoints = True`` take one)
            cast(Any, engine).run(space, vectors, progress, stop, checkpoint=checkpoint)
        else:
            engine.run(space, vectors, progress, stop)
    except FLPCheckError as err:
        # (a reduced space has no schedules: its edges lead to renamings)
        if (err.configuration is not None and err.configuration >= 0 and not space.reduced
                and not isinstance(err, CheckpointError)):
            sched = space.schedule_to(err.configuration)
            err.add_note(
                "reached from inputs "
                + bits(sched.inputs)
                + (" by the schedule: " + ", ".join(str(e) for e in sched.events)
                   if sched.events else " (the initial configuration)")
            )
        raise
    if table.drops:
        table.check_ignored_forever()
    out = engine.outcome(space)
    out.engine = engine.name
    out.elapsed = time.perf_counter() - started
    return out
