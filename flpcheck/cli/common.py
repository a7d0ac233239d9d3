"""What every command shares: exit codes, error handling, the exploration options and the
exploration with its progress display.

Exit codes: 0 no property violated, 1 a property violated (or, for ``witness --stages``, a
search stopped by a bound), 2 usage or model error, 3 an internal error of flpcheck (a bug:
please report it), 130 interrupted (SIGINT or SIGTERM) after printing the partial report.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ..errors import FLPCheckError
from ..explorer.checkpoint import Notice
from ..explorer.limits import GrowthWatch, StopConditions
from ..explorer.space import Space
from ..output.checkpoint_report import notice_line
from ..pipeline import Options, Pipeline

__all__ = ["FLPGroup", "explore_options", "in_process_explore_options", "browse_options",
           "termination_option", "output_file",
           "run_exploration", "ExploringDisplay", "shown_notices", "EXIT_INTERRUPTED",
           "EXIT_INTERNAL"]

EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 3


def output_file(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Callback of the options naming a file to write: its directory must exist and be
    writable, checked before any work (a run is not lost to a typo in the path)."""
    if value is None:
        return value
    directory = Path(value).parent
    if not directory.is_dir():
        raise click.BadParameter(f"cannot write {value}: the directory {directory} does not "
                                 f"exist", ctx, param)
    if not os.access(directory, os.W_OK):
        raise click.BadParameter(f"cannot write {value}: the directory {directory} is not "
                                 f"writable", ctx, param)
    return value


def default_max_memory() -> str:
    """Three quarters of physical memory, as a --max-memory value."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return "8G"
    return f"{total * 3 // 4 // 2**20}M"


def _fail(err: FLPCheckError) -> None:
    console = Console(stderr=True, highlight=False, emoji=False)  # user text: no :emoji:
    console.print("[red]error:[/red] ", markup=True, end="")
    console.print(str(err), markup=False, soft_wrap=True)
    for note in getattr(err, "__notes__", ()):
        console.print(note, markup=False, soft_wrap=True)
    sys.exit(err.exit_code)


def _internal(exc: BaseException) -> None:
    import traceback

    console = Console(stderr=True, highlight=False, emoji=False)
    console.print("[red]internal error:[/red] ", markup=True, end="")
    console.print(f"flpcheck failed with {type(exc).__name__}: {exc}", markup=False,
                  soft_wrap=True)
    console.print("".join(traceback.format_exception(exc)).rstrip(), markup=False,
                  soft_wrap=True)
    console.print("This is a bug in flpcheck, not a verdict on the model: please report it to "
                  "flpcheck's maintainers with the model file, the command line and the "
                  "traceback above.", soft_wrap=True)
    sys.exit(EXIT_INTERNAL)


class FLPGroup(click.Group):
    """A click group that turns flpcheck's errors into exit codes 2 and 3."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FLPCheckError as err:
            _fail(err)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort,
                SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # never exit 1 ("property violated") for flpcheck's own bug
            _internal(exc)


def explore_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options shared by every command that explores a model, workers and checkpoints
    included; the command gets them as one :class:`~flpcheck.pipeline.Options` (its first
    argument)."""
    return _model_options(fn, workers=True)


def in_process_explore_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options of a command that explores in this process only (no --workers)."""
    return _model_options(fn, workers=False)


def browse_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options of ``serve``, which explores in the background (no workers, no
    checkpoints)."""
    return _model_options(fn, workers=False, checkpoints=False)


_OPTION_NAMES = ("model", "processes", "inputs", "max_configs", "max_buffer", "max_depth",
                 "timeout", "max_memory", "workers", "ray_address", "checkpoint",
                 "checkpoint_every", "resume")


def _model_options(fn: Callable[..., Any], workers: bool,
                   checkpoints: bool = True) -> Callable[..., Any]:
    @functools.wraps(fn)
    def command(**given: Any) -> Any:
        values = {name: given.pop(name) for name in _OPTION_NAMES if name in given}
        ctx = click.get_current_context(silent=True)
        env: frozenset[str] = frozenset()
        if (ctx is not None and "ray_address" in values
                and ctx.get_parameter_source("ray_address") == ParameterSource.ENVIRONMENT):
            env = frozenset({"ray_address"})
        return fn(Options(**values, from_environment=env), **given)

    options = [
        click.argument("model", metavar="MODEL.py[:Class]"),
        click.option("--processes", "-n", type=click.IntRange(min=1),
                     help="N, the number of processes (default: the model's)."),
        click.option("--inputs", metavar="BITS,...",
                     help="Explore only these initial configurations, e.g. 011,100."),
        click.option("--max-configs", type=click.IntRange(min=1),
                     help="Stop adding configurations past this many."),
        click.option("--max-buffer", type=click.IntRange(min=0),
                     help="Do not expand configurations with more messages in transit."),
        click.option("--max-depth", type=click.IntRange(min=0),
                     help="Do not expand configurations deeper than this many events."),
        click.option("--timeout", type=click.FloatRange(min=0), help="Stop exploring after SECONDS."),
        click.option("--max-memory", metavar="SIZE", default=default_max_memory(),
                     show_default=True, help="Stop exploring past this resident memory, e.g. 2G "
                     "(default: three quarters of this machine's memory)."),
    ]
    scale = [
        click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Explore on this many Ray workers (pip install 'flpcheck[ray]'); a "
                          "local Ray is started for the run unless --ray-address is given."),
        click.option("--ray-address", metavar="ADDR", envvar="RAY_ADDRESS",
                     help="Join this Ray cluster (also RAY_ADDRESS); the model's directory is "
                          "shipped with the job and the workers spread over the nodes."),
    ]
    saving = [
        click.option("--checkpoint", metavar="DIR",
                     help="Save the exploration in DIR as it goes (a directory every worker "
                          "reaches), to go on after a kill with --resume DIR."),
        click.option("--checkpoint-every", type=click.FloatRange(min=0), metavar="SECONDS",
                     help="Save at most this often (default: every 5 s at first, then as "
                          "the run's length allows: a tenth of the time run so far)."),
        click.option("--resume", metavar="DIR",
                     help="Go on from the checkpoint in DIR (same model file and options that "
                          "change the graph; it goes on saving there)."),
    ]
    chosen = options + (scale if workers else []) + (saving if checkpoints else [])
    for option in reversed(chosen):
        command = option(command)
    return command


termination_option = click.option(
    "--termination", type=click.Choice(("some", "all")), default="some", show_default=True,
    help="What a deciding run is: some = some process decides (FLP's definition); all = every "
         "process that keeps taking steps decides.")
"""The ``--termination`` option shared by witness, lemmas and render."""


class ExploringDisplay:
    """A live line on stderr fed by an exploration's progress callback (shown only when
    stderr is a terminal and the command does not print JSON), and a way to print a line
    above it. Use as a context manager: the line goes away at the end."""

    def __init__(self, label: str, quiet: bool = False, watch: GrowthWatch | None = None):
        self.label, self.watch = label, watch
        self.console = Console(stderr=True, emoji=False)
        self.shown = not quiet and self.console.is_terminal
        self._stack = contextlib.ExitStack()
        self._bar: Progress | None = None
        self._task: Any = None
        self._started = time.monotonic()
        self._configs = 0

    def __enter__(self) -> ExploringDisplay:
        if self.shown:
            self._bar = self._stack.enter_context(Progress(
                TextColumn(f"[bold]{self.label}"), BarColumn(),
                TextColumn("{task.fields[configs]:,} configurations, {task.fields[rate]:,.0f}/s, "
                           "frontier {task.fields[frontier]:,}, depth {task.fields[depth]:,}"),
                TimeElapsedColumn(), console=self.console, transient=True))
            self._task = self._bar.add_task("explore", total=None, configs=0, rate=0.0,
                                            frontier=0, depth=0)
        self._started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def say(self, line: str) -> None:
        """Print ``line`` on stderr (above the live line, not under its next refresh)."""
        (self._bar.console if self._bar is not None else self.console).print(
            line, markup=False, highlight=False, soft_wrap=True)

    def progress(self, configs: int, expanded: int, events: int, depth: int = 0) -> None:
        """The exploration's progress callback (fewer configurations than the last call: the
        next of several explorations has started)."""
        if configs < self._configs:
            self._started = time.monotonic()
        self._configs = configs
        if self._bar is not None:
            elapsed = max(time.monotonic() - self._started, 1e-9)
            self._bar.update(self._task, configs=configs, rate=configs / elapsed,
                             frontier=configs - expanded, depth=depth)
        line = None if self.watch is None else self.watch.update(configs, depth)
        if line is not None:
            self.say(line)


def run_exploration(pipeline: Pipeline, quiet: bool = False) -> tuple[Space, StopConditions]:
    """Explore the pipeline's model with a progress display; signals stop it cleanly (the
    stop conditions say which). On Ray workers (``--workers``, ``--ray-address``) the graph is
    gathered here within ``--max-memory``; which engine ran and where is said on stderr.

    Signals are caught until the command ends (its analyses and report included): the first
    SIGINT or SIGTERM asks for the partial report (``stop.analyses`` then gives the analyses
    their grace period), the second exits at once. An exploration whose depth keeps growing
    with no --max-depth or --max-configs gets one line on stderr saying how to bound it."""
    options = pipeline.options
    pipeline.protocol  # noqa: B018  (a model error before the progress display starts)
    stop = StopConditions(options.timeout, options.max_memory)
    ctx = click.get_current_context(silent=True)
    watch = (GrowthWatch() if options.max_depth is None and options.max_configs is None
             else None)
    if ctx is not None:
        ctx.with_resource(stop.catching_signals())  # until the command has printed its report
    else:
        stop.catching_signals().__enter__()  # no command: for the rest of the process
    with ExploringDisplay("exploring", quiet, watch) as display:
        with shown_notices(stop, display):

            def checkpoint_notice(notice: Notice) -> None:  # under --checkpoint, even --json
                display.say(notice_line(notice))

            space = pipeline.explore(progress=display.progress, stop=stop,
                                     notice=checkpoint_notice)
    if space.engine_note and (options.workers > 1 or options.ray_address is not None):
        display.say(f"{space.engine} engine: {space.engine_note}")
    return space, stop


@contextlib.contextmanager
def shown_notices(stop: StopConditions, display: ExploringDisplay) -> Iterator[None]:
    """While ``display`` shows its live line, the signal notices of ``stop`` are printed
    above it."""
    if not display.shown:
        yield
        return
    before = stop.notice
    stop.notice = display.say
    try:
        yield
    finally:
        stop.notice = before
